"""Joining generated motion to motion that must not move: rigid placement plus motion warping.

A generator works in its own frame of reference (root at the origin, facing +Z) and only
approximately reproduces the context it was given. To splice its output between frames that must
stay exactly as they were (inpainting, continuation) or through poses that must be hit exactly
(key poses), the output is first placed rigidly (a turn about +Y and a shift) so its frame at a
join lands on the fixed frame, then the remaining per-joint differences at the joins are spread
smoothly over the generated frames (a displacement map, as in Witkin & Popović's motion warping),
so nothing pops.
"""

from __future__ import annotations

import numpy as np

from ..motion.features import facing_directions
from ..motion.rotations import heading_angle, yaw_matrix


def placement(source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(22, 3) source and target poses -> (R (3, 3) about +Y, t (3,)) such that ``source @ R.T + t``
    has the target's heading and the target's root over the ground (height untouched)."""
    fs = facing_directions(source[None])[0]
    ft = facing_directions(target[None])[0]
    R = yaw_matrix(heading_angle(ft) - heading_angle(fs))
    t = target[0] - R @ source[0]
    t[1] = 0.0
    return R, t


def place(joints: np.ndarray, R: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(..., 22, 3) -> the same motion turned by R and shifted by t."""
    return joints @ R.T + t


def smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def warp_between(middle: np.ndarray, before: np.ndarray | None, after: np.ndarray | None) -> np.ndarray:
    """Spread the jumps at both ends of ``middle`` (T, 22, 3) over it.

    ``before``/``after``: the fixed frames just outside each end (22, 3), or None for a free end.
    The offset that makes the first middle frame continue ``before`` (by the middle's own first
    step) fades out towards the far end, and likewise for ``after``; with both, each fades to 0 at
    the other end, so the fixed frames on both sides are met."""
    T = middle.shape[0]
    out = middle.astype(np.float64).copy()
    if T == 0:
        return out
    s = np.arange(T) / (T - 1.0) if T > 1 else np.full(1, 0.5)   # 0 at the first middle frame, 1 at the last
    if before is not None:
        step = middle[1] - middle[0] if T > 1 else np.zeros_like(middle[0])
        # the middle's first frame should sit one of its own steps past ``before``
        off = (before + step) - middle[0]
        w = 1.0 - smoothstep(s if after is not None else s * 2.0)
        out += w[:, None, None] * off
    if after is not None:
        step = middle[-1] - middle[-2] if T > 1 else np.zeros_like(middle[-1])
        off = (after - step) - middle[-1]
        w = smoothstep(s if before is not None else s * 2.0 - 1.0)
        out += w[:, None, None] * off
    return out


def warp_to_keys(joints: np.ndarray, keys: dict[int, np.ndarray], reach: int = 12) -> np.ndarray:
    """Hit each key pose exactly at its frame: the per-joint difference at every key is interpolated
    between keys (smoothly) and fades out over ``reach`` frames before the first and after the last."""
    T = joints.shape[0]
    out = joints.astype(np.float64).copy()
    if not keys:
        return out
    frames = sorted(keys)
    offs = np.stack([keys[f] - joints[f] for f in frames])   # (K, 22, 3)
    disp = np.zeros_like(out)
    t = np.arange(T)
    for a, b, oa, ob in zip(frames[:-1], frames[1:], offs[:-1], offs[1:]):
        seg = (t >= a) & (t <= b)
        w = smoothstep((t[seg] - a) / max(b - a, 1))
        disp[seg] = (1 - w)[:, None, None] * oa + w[:, None, None] * ob
    first, last = frames[0], frames[-1]
    lead = t < first
    disp[lead] = smoothstep(1 - (first - t[lead]) / reach)[:, None, None] * offs[0]
    tail = t > last
    disp[tail] = smoothstep(1 - (t[tail] - last) / reach)[:, None, None] * offs[-1]
    out += disp
    for f in frames:
        out[f] = keys[f]
    return out
