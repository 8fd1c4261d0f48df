"""Foot-contact cleanup: find when each foot is planted, then pin it there and re-solve the leg.

Why: generated motions skate: a foot that should stand still slides a few centimetres per frame,
which animators see at once and which export and retargeting only make worse. The fix is local to
the legs: the pelvis and everything above it are left exactly as they were.

How:
* ``detect_contacts`` marks a foot joint (ankle or toe) as planted when it is near the clip's floor
  (a low percentile of that joint kind's heights, so a floor at any y works) and slow, then closes
  short gaps and drops contacts too short to be real (a one-frame slow point at a jump's apex).
* ``lock_feet`` treats each planted phase of a foot as a roll: the pivot is whichever of heel
  (ankle) and toe is down, the slower one when both are, and the pivot is held still; when the
  pivot changes the new one is held where it then was, and the whole phase sits at its average
  position (the least change). The foot is moved rigidly (its orientation is kept), the move is
  eased in and out over a few frames around the phase, and the hip-knee-ankle chain is re-solved
  by closed-form two-bone IK in the leg's original bend plane, so bone lengths are exact. A target
  the leg cannot reach is approached softly and clamped to a straight leg: no NaN, no knee snap.
* ``cleanup_feet`` does both on a ``Motion`` and notes it in the provenance.

Frame counts (``min_frames``, gap filling, ``blend_frames``) are given at HumanML3D's 20 fps and
scaled to the motion's rate, so a clip behaves the same at 20, 30 or 60 fps.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from .motion import HML3D_FPS, Motion
from .skeleton import LEFT_FOOT_JOINTS, NUM_JOINTS, RIGHT_FOOT_JOINTS

# Contact columns: (L ankle, L toe, R ankle, R toe), as HumanML3D's foot contacts.
FOOT_JOINTS: tuple[int, int, int, int] = (*LEFT_FOOT_JOINTS, *RIGHT_FOOT_JOINTS)
# Per side: (hip, knee, ankle, toe) and the contact columns of (ankle, toe).
LEGS: tuple[tuple[tuple[int, int, int, int], tuple[int, int]], ...] = (
    ((1, 4, LEFT_FOOT_JOINTS[0], LEFT_FOOT_JOINTS[1]), (0, 1)),
    ((2, 5, RIGHT_FOOT_JOINTS[0], RIGHT_FOOT_JOINTS[1]), (2, 3)),
)
FLOOR_PERCENTILE = 2.0   # of each joint kind's heights: the floor, ignoring a few frames of penetration
MAX_GAP_FRAMES = 2       # at 20 fps: gaps this short inside a contact are filled (flicker, not a step)
SOFT_REACH = 0.97        # legs asked to stretch past this fraction of their length (and past their
                         # own pose) straighten gradually instead of snapping the knee
NOTE = "foot contacts locked"


@dataclass(frozen=True)
class FootCleanupConfig:
    """Switch and tolerances for foot cleanup (export and the engine pass one along).

    height_tol: metres above the floor a foot joint may be and still count as down.
    speed_tol: metres per second a planted joint may move (HumanML3D's rule allows ~0.9 m/s).
    min_frames / blend_frames: shortest contact kept and ease-in/out length, in 20 fps frames.
    """
    enabled: bool = True
    height_tol: float = 0.05
    speed_tol: float = 0.25
    min_frames: int = 3
    blend_frames: int = 3

    def __post_init__(self) -> None:
        for name in ("height_tol", "speed_tol"):
            v = float(getattr(self, name))
            if not np.isfinite(v) or v < 0:
                raise ValueError(f"FootCleanupConfig.{name} must be a finite number >= 0, got {v}")
        for name in ("min_frames", "blend_frames"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"FootCleanupConfig.{name} must be >= 0, got {getattr(self, name)}")

    def replace(self, **changes: Any) -> FootCleanupConfig:
        return dataclasses.replace(self, **changes)


# ----------------------------------------------------------------------------- helpers
def _check_joints(joints: np.ndarray, who: str) -> np.ndarray:
    j = np.asarray(joints, dtype=np.float64)
    if j.ndim != 3 or j.shape[1:] != (NUM_JOINTS, 3):
        raise ValueError(f"{who}: expected joints of shape (T, {NUM_JOINTS}, 3), got {j.shape}")
    return j


def _frames(n: float, fps: float) -> int:
    """A frame count given at 20 fps, at ``fps``."""
    return round(n * fps / HML3D_FPS) if n > 0 else 0


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True in a 1-D bool array."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(m[1:] != m[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _clean_runs(mask: np.ndarray, max_gap: int, min_len: int) -> np.ndarray:
    """Fill interior gaps of at most ``max_gap`` frames, then drop runs shorter than ``min_len``."""
    out = np.asarray(mask, dtype=bool).copy()
    runs = _runs(out)
    for (_, e0), (s1, _) in itertools.pairwise(runs):
        if s1 - e0 <= max_gap:
            out[e0:s1] = True
    for s, e in _runs(out):
        if e - s < min_len:
            out[s:e] = False
    return out


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


# ----------------------------------------------------------------------------- detection
def detect_contacts(joints: np.ndarray, fps: float = HML3D_FPS, height_tol: float = 0.05,
                    speed_tol: float = 0.25, min_frames: int = 3) -> np.ndarray:
    """(T, 22, 3) positions -> (T, 4) bool contacts for (L ankle, L toe, R ankle, R toe).

    A joint is down when it is within ``height_tol`` m of the floor and moves slower than
    ``speed_tol`` m/s (central differences, so the rule does not depend on the frame rate). The
    floor of ankles and of toes is a low percentile of both feet's heights over the clip, so it
    follows a floor at any height and one raised foot does not become its own floor. Gaps of up
    to 2 frames are filled and contacts shorter than ``min_frames`` dropped (both at 20 fps): a
    foot at a jump's apex is slow for a frame or so, never for three.
    """
    j = _check_joints(joints, "detect_contacts")
    fps = float(fps)
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"detect_contacts: fps must be positive, got {fps}")
    T = j.shape[0]
    if T == 0:
        return np.zeros((0, 4), dtype=bool)
    feet = j[:, list(FOOT_JOINTS)]                                   # (T, 4, 3)
    y = feet[..., 1]
    ankles, toes = y[:, [0, 2]], y[:, [1, 3]]
    floor = np.array([np.percentile(ankles, FLOOR_PERCENTILE), np.percentile(toes, FLOOR_PERCENTILE)])
    near = y <= floor[[0, 1, 0, 1]] + height_tol
    if T >= 2:
        speed = np.linalg.norm(np.gradient(feet, axis=0), axis=-1) * fps
    else:
        speed = np.zeros((T, 4))
    raw = near & (speed <= speed_tol)
    gap, min_len = _frames(MAX_GAP_FRAMES, fps), max(1, _frames(min_frames, fps))
    return np.stack([_clean_runs(raw[:, k], gap, min_len) for k in range(4)], axis=1)


# ----------------------------------------------------------------------------- leg IK
def two_bone_ik(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, target: np.ndarray,
                forward: np.ndarray | None = None, soft: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) hip, knee, ankle and ankle target -> (knee', ankle') with the same bone lengths.

    Closed form: the knee stays on the side of the hip-ankle line it was on (the original bend
    plane, turned to contain the new hip-target line); a leg that was straight bends towards
    ``forward`` (N, 3) when given. A target out of reach leaves the leg straight towards it (too
    near: folded as far as the lengths allow). Never NaN.

    ``soft`` (e.g. 0.97, a fraction of the leg's length) eases the last stretch: a target farther
    than both that and the leg's own extension is pulled in smoothly, so the leg never snaps
    straight (near full extension the knee moves many times as far as the ankle).
    """
    hip, knee, ankle, target = (np.asarray(a, dtype=np.float64) for a in (hip, knee, ankle, target))
    eps = 1e-9
    l1 = np.linalg.norm(knee - hip, axis=-1)
    l2 = np.linalg.norm(ankle - knee, axis=-1)
    u0 = _unit(ankle - hip, fallback=np.array([0.0, -1.0, 0.0]))
    to_t = target - hip
    u = _unit(to_t, fallback=u0)
    d = np.linalg.norm(to_t, axis=-1)
    if soft is not None:
        L = l1 + l2
        start = np.maximum(np.linalg.norm(ankle - hip, axis=-1), soft * L)
        room = np.maximum(L - start, eps)
        excess = np.maximum(d - start, 0.0)
        d = np.where(excess > 0.0, start - room * np.expm1(-excess / room), d)
    d = np.clip(d, np.abs(l1 - l2), l1 + l2)
    pole = (knee - hip) - np.sum((knee - hip) * u0, axis=-1, keepdims=True) * u0
    straight = np.linalg.norm(pole, axis=-1, keepdims=True) < 1e-4
    hint = _any_perpendicular(u) if forward is None else np.asarray(forward, dtype=np.float64)
    pole = np.where(straight, hint, pole)
    b = _unit(pole - np.sum(pole * u, axis=-1, keepdims=True) * u, fallback=_any_perpendicular(u))
    x = (l1 ** 2 - l2 ** 2 + d ** 2) / np.maximum(2.0 * d, eps)
    h = np.sqrt(np.maximum(l1 ** 2 - x ** 2, 0.0))
    return hip + u * x[..., None] + b * h[..., None], hip + u * d[..., None]


def _unit(v: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.where(n > 1e-12, v / np.maximum(n, 1e-12), fallback)


def _any_perpendicular(u: np.ndarray) -> np.ndarray:
    """A unit vector perpendicular to each (unit) row of ``u``."""
    axis = np.where(np.abs(u[..., 2:3]) < 0.9, [0.0, 0.0, 1.0], [1.0, 0.0, 0.0])
    p = np.cross(u, axis)
    return p / np.maximum(np.linalg.norm(p, axis=-1, keepdims=True), 1e-12)


# ----------------------------------------------------------------------------- locking
def _phase_offsets(ankle: np.ndarray, toe: np.ndarray, c_ankle: np.ndarray, c_toe: np.ndarray,
                   s: int, e: int) -> np.ndarray:
    """(e - s, 3) rigid foot moves that hold the pivot still through one planted phase.

    The pivot is the joint that is down; when both are, the slower one (the heel while the foot
    flattens after heel strike, the toe once the heel rises). A new pivot is held where it was,
    after the move, the frame before it took over, so the foot rolls without a jump; the whole
    chain of holds is then placed at the phase's average, the least total move, so the leg is
    asked for as little as possible.
    """
    a, t = ankle[s - 1 if s > 0 else s:e + 1], toe[s - 1 if s > 0 else s:e + 1]
    off = 1 if s > 0 else 0
    if len(a) >= 2:
        va = np.linalg.norm(np.gradient(a, axis=0), axis=-1)[off:off + e - s]
        vt = np.linalg.norm(np.gradient(t, axis=0), axis=-1)[off:off + e - s]
    else:
        va = vt = np.zeros(e - s)
    ca, ct = c_ankle[s:e], c_toe[s:e]
    use_toe = ct & (~ca | (vt <= va))
    P = np.where(use_toe[:, None], toe[s:e], ankle[s:e])
    q = np.zeros_like(P)
    acc = np.zeros(3)
    for i in range(1, e - s):
        if use_toe[i] != use_toe[i - 1]:
            f = s + i - 1   # previous frame: the new pivot joins where it then was
            new, old = (toe[f], ankle[f]) if use_toe[i] else (ankle[f], toe[f])
            acc = acc + new - old
        q[i] = acc
    c = np.mean(P - q, axis=0)
    return c + q - P


def lock_feet(joints: np.ndarray, contacts: np.ndarray, fps: float = HML3D_FPS,
              blend_frames: int = 3) -> np.ndarray:
    """(T, 22, 3) positions and (T, 4) contacts -> (T, 22, 3) float64 positions with planted feet held.

    Each foot is moved rigidly (ankle and toe together, so its length and orientation stay), held
    through every planted phase, eased in and out over ``blend_frames`` (at 20 fps) on either side,
    and the knee and ankle re-solved by two-bone IK from the untouched hip. Only knees, ankles and
    toes change, and only on frames near a contact; if the leg cannot reach, it straightens
    (softly, see ``SOFT_REACH``) and the foot stops short. ``fps`` scales ``blend_frames``.
    """
    j = _check_joints(joints, "lock_feet")
    c = np.asarray(contacts, dtype=bool)
    T = j.shape[0]
    if c.shape != (T, 4):
        raise ValueError(f"lock_feet: contacts must have shape ({T}, 4), got {c.shape}")
    out = j.copy()
    blend = _frames(blend_frames, float(fps))
    for (hip, knee, ankle, toe), (ca, ct) in LEGS:
        phases = _runs(c[:, ca] | c[:, ct])
        if not phases:
            continue
        delta = np.zeros((T, 3))
        for s, e in phases:
            delta[s:e] = _phase_offsets(j[:, ankle], j[:, toe], c[:, ca], c[:, ct], s, e)
        _ease_between(delta, phases, blend)
        f = np.flatnonzero(np.any(delta != 0.0, axis=1))   # frames left alone stay bit-identical
        if f.size == 0:
            continue
        target = j[f, ankle] + delta[f]
        # Facing, for a leg that was straight and must bend: (left hip - right hip) x up.
        forward = np.cross(j[f, LEGS[0][0][0]] - j[f, LEGS[1][0][0]], [0.0, 1.0, 0.0])
        new_knee, new_ankle = two_bone_ik(j[f, hip], j[f, knee], j[f, ankle], target, forward, SOFT_REACH)
        out[f, knee] = new_knee
        out[f, ankle] = new_ankle
        out[f, toe] = j[f, toe] + (new_ankle - j[f, ankle])
    return out


def _ease_between(delta: np.ndarray, phases: list[tuple[int, int]], blend: int) -> None:
    """Fill the frames between planted phases: each phase's edge move fades over ``blend`` frames;
    where two fades overlap they are weighted to sum to one, so a short gap is a cross-fade."""
    T = delta.shape[0]
    if blend <= 0:
        return
    bounds = [(None, phases[0][0])] + [(phases[i][1], phases[i + 1][0]) for i in range(len(phases) - 1)] \
        + [(phases[-1][1], None)]
    for end_prev, start_next in bounds:
        lo = 0 if end_prev is None else end_prev
        hi = T if start_next is None else start_next
        if hi <= lo:
            continue
        t = np.arange(lo, hi)
        a = np.zeros(len(t)) if end_prev is None else _smoothstep(1.0 - (t - end_prev + 1) / (blend + 1))
        b = np.zeros(len(t)) if start_next is None else _smoothstep(1.0 - (start_next - t) / (blend + 1))
        total = a + b
        scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-12), 1.0)
        a, b = a * scale, b * scale
        d = np.zeros((len(t), 3))
        if end_prev is not None:
            d += a[:, None] * delta[end_prev - 1]
        if start_next is not None:
            d += b[:, None] * delta[start_next]
        delta[lo:hi] = d


# ----------------------------------------------------------------------------- Motion
def cleanup_feet(motion: Motion, config: FootCleanupConfig | None = None, **opts: Any) -> Motion:
    """A new Motion with planted feet held still (``detect_contacts`` + ``lock_feet``).

    ``opts`` override fields of ``config`` (e.g. ``speed_tol=0.4``, ``enabled=False``). Returns
    ``motion`` itself when disabled or when no contact was found; otherwise the provenance gains
    the note "foot contacts locked". The input is never modified.
    """
    cfg = (config or FootCleanupConfig()).replace(**opts)
    if not cfg.enabled:
        return motion
    contacts = detect_contacts(motion.joints, motion.fps, cfg.height_tol, cfg.speed_tol, cfg.min_frames)
    if not contacts.any():
        return motion
    joints = lock_feet(motion.joints, contacts, motion.fps, cfg.blend_frames)
    return motion.replace(joints=joints, provenance=motion.provenance.noted(NOTE))
