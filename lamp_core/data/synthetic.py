"""Procedural SMPL-22 motions with known labels.

Why: tests and CI need a HumanML3D-format corpus built in seconds (``lamp data synthetic``) with no
download and no licence question. These clips are *not* training data for the shipped model: they are
rigid forward-kinematics puppets on the reference skeleton, plausible but simple.

How: every clip is smooth joint-angle curves driven by forward kinematics on ``rest_offsets("tpose")``.
Legs are solved by closed-form two-bone IK towards foot targets that stay fixed while a foot is planted,
so stance feet do not skate, and the pelvis settles to the height the legs can reach (which is what
gives walking its bob). Conventions: +Y up, the body faces +Z at yaw 0 and its left is +X;
``yaw_matrix(phi)`` turns +Z toward +X, so a left turn is a growing heading.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..motion import Motion, Provenance
from ..motion.kinematics import forward_kinematics
from ..motion.rotations import yaw_matrix
from ..motion.skeleton import rest_offsets
from .labels import Labels, Take

FPS = 20.0
SYNTHETIC_CONTENTS = ("walk", "run", "walk-back", "walk-turn-left", "walk-turn-right", "jump", "wave-left-hand",
                      "wave-right-hand", "wave-both-hands", "raise-up-both-hands", "squat", "kick-left",
                      "kick-right", "idle")
SYNTHETIC_STYLES = (None, "active", "exhausted")
SYNTHETIC_LICENSE = "CC0-1.0 (procedural)"

_OFF = rest_offsets("tpose")
_THIGH, _SHIN = _OFF[4], _OFF[7]
_TOE = (_OFF[10], _OFF[11])                      # ankle -> toe, left and right, rest frame
_HIP = (_OFF[1], _OFF[2])                        # pelvis -> hip
_ANKLE_REST = _OFF[1] + _OFF[4] + _OFF[7]        # pelvis -> left ankle in the T-pose
_ANKLE_FLAT_Y = -_OFF[10][1]                     # ankle height when the foot lies flat (toe on the floor)
_REACH = 0.99 * float(np.linalg.norm(_THIGH + _SHIN))  # hip-ankle distance kept below a locked knee
_MX = np.diag([-1.0, 1.0, 1.0])                  # left <-> right reflection
_FEET = (7, 8, 10, 11)
_STAND_Y = 0.915                                 # pelvis height asked for when standing; reach lowers it
_HANG = -1.45                                    # arm elevation of a relaxed, hanging arm (rad)
# style -> (tempo, amplitude, spine slump in rad, pelvis drop in m)
_STYLE = {None: (1.0, 1.0, 0.0, 0.0), "active": (1.2, 1.35, -0.05, 0.0), "exhausted": (0.72, 0.6, 0.32, 0.03)}
_GAITS = ("walk", "run", "walk-back", "walk-turn-left", "walk-turn-right")
_SPAN = {"jump": (1.5, 0.55), "squat": (2.8, 0.0), "raise-up-both-hands": (3.0, 0.0), "kick-left": (1.8, 0.0),
         "kick-right": (1.8, 0.0)}


# ----------------------------------------------------------------------------- small helpers
def _rot(axis: int, a) -> np.ndarray:
    """(...,) angles -> (..., 3, 3) right-handed rotations about X (0), Y (1) or Z (2)."""
    a = np.asarray(a, dtype=np.float64)
    c, s = np.cos(a), np.sin(a)
    i, j = ((1, 2), (2, 0), (0, 1))[axis]
    R = np.zeros(a.shape + (3, 3))
    R[..., axis, axis] = 1.0
    R[..., i, i], R[..., j, j], R[..., i, j], R[..., j, i] = c, c, -s, s
    return R


def _mirror(R: np.ndarray) -> np.ndarray:
    return _MX @ R @ _MX


def _ss(x) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _wrap(a) -> np.ndarray:
    return (np.asarray(a) + np.pi) % (2 * np.pi) - np.pi


def _keys(t: np.ndarray, times, values) -> np.ndarray:
    """Ease-in/ease-out through (time, value) keys, held constant outside them."""
    times, values = np.asarray(times, dtype=np.float64), np.asarray(values, dtype=np.float64)
    i = np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 2)
    u = (t - times[i]) / np.maximum(times[i + 1] - times[i], 1e-9)
    return values[i] + (values[i + 1] - values[i]) * _ss(u)


def _pivot(anchor: np.ndarray, yaw: np.ndarray, pitch: np.ndarray, side: int) -> np.ndarray:
    """Ankle target of a foot whose flat-foot ankle sits at ``anchor``: heel up (pitch > 0) pivots
    about the toe, toe up (pitch < 0) about the ankle, so whatever touches the floor stays put."""
    Y = yaw_matrix(yaw)
    toe_flat = anchor + Y @ _TOE[side]
    lifted = toe_flat - (Y @ _rot(0, np.maximum(pitch, 0.0))) @ _TOE[side]
    return np.where((np.asarray(pitch) >= 0)[..., None], lifted, anchor)


def _softmin(*ys: np.ndarray, tau: float = 0.01) -> np.ndarray:
    """Smooth minimum, never above the true one (so a reach limit is never exceeded)."""
    y = np.stack(ys)
    m = y.min(0)
    return m - tau * np.log(np.exp(-(y - m) / tau).sum(0))


# ----------------------------------------------------------------------------- legs
def _leg_ik(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left hip and knee rotations putting the ankle at ``d`` (T, 3) from the hip, in the hip's frame.

    Closed form on the skeleton's own (slightly bent) rest bones: the knee angle fixes the hip-ankle
    distance, hip abduction (Z) the sideways part, hip flexion (X) the rest. Knees only bend backward.
    """
    t, s = _THIGH, _SHIN
    wx = t[0] + s[0]
    nt, ns = np.hypot(t[1], t[2]), np.hypot(s[1], s[2])
    at, as_ = np.arctan2(t[2], t[1]), np.arctan2(s[2], s[1])
    d0 = _wrap(as_ - at)
    wyz2 = np.maximum((d * d).sum(-1) - wx * wx, (nt - ns) ** 2 + 1e-9)
    c = np.clip((wyz2 - nt * nt - ns * ns) / (2 * nt * ns), -1.0, 1.0)
    k = np.maximum(np.arccos(c) - d0, 0.0)
    wy = t[1] + s[1] * np.cos(k) - s[2] * np.sin(k)
    wz = t[2] + s[1] * np.sin(k) + s[2] * np.cos(k)
    dx, dy, dz = d[..., 0], d[..., 1], d[..., 2]
    g = _wrap(np.arctan2(dy, dx) + np.arccos(np.clip(wx / np.maximum(np.hypot(dx, dy), 1e-9), -1.0, 1.0)))
    qy = -dx * np.sin(g) + dy * np.cos(g)
    h = _wrap(np.arctan2(wz, wy) - np.arctan2(dz, qy))
    return _rot(2, g) @ _rot(0, -h), _rot(0, k)


def _settle(root: np.ndarray, Rp: np.ndarray, ankles: np.ndarray, y_nominal: np.ndarray) -> np.ndarray:
    """Root with its height lowered (smoothly) to what both legs can reach."""
    limits = []
    for side in (0, 1):
        hip = Rp @ _HIP[side]
        dh2 = ((ankles[side] - root - hip)[:, [0, 2]] ** 2).sum(-1)
        limits.append(ankles[side][:, 1] - hip[:, 1] + np.sqrt(np.maximum(_REACH ** 2 - dh2, 0.0)))
    out = root.copy()
    out[:, 1] = _softmin(y_nominal, *limits)
    return out


def _solve_legs(L: np.ndarray, root: np.ndarray, ankles: np.ndarray, feet: np.ndarray) -> None:
    """Hip, knee and ankle rotations for ankle targets (2, T, 3) and foot orientations (2, T, 3, 3)."""
    Rp = L[:, 0]
    body_yaw = np.arctan2(Rp[:, 0, 2], Rp[:, 2, 2])
    for side, (hip, knee, ankle) in enumerate(((1, 4, 7), (2, 5, 8))):
        foot_yaw = np.arctan2(feet[side][:, 0, 2], feet[side][:, 2, 2])
        twist = _rot(1, _wrap(foot_yaw - body_yaw))  # hip rotation that points the knee over the foot
        frame = Rp @ twist
        d = np.einsum("tba,tb->ta", frame, ankles[side] - root - Rp @ _HIP[side])
        if side:
            d = d @ _MX
        H, K = _leg_ik(d)
        if side:
            H = _mirror(H)
        L[:, hip], L[:, knee] = twist @ H, K
        G = frame @ H @ K
        L[:, ankle] = np.swapaxes(G, -1, -2) @ feet[side]


# ----------------------------------------------------------------------------- upper body
def _channels(T: int) -> dict[str, np.ndarray]:
    """Upper-body and pelvis channels, at rest: arms hanging, spine upright."""
    z = np.zeros(T)
    c = {k: z.copy() for k in ("dx", "dy", "dz", "pitch", "spine", "twist", "neck", "shrug")}
    for s in "LR":
        c["e" + s], c["f" + s], c["tw" + s], c["el" + s] = z + _HANG, z + 0.05, z.copy(), z + 0.2
    return c


def _set_upper(L: np.ndarray, c: dict[str, np.ndarray]) -> None:
    """Spine, head and arms. Arm swing is given in the world's sense (compensated for spine lean);
    arm = shoulder R_x(-forward) R_z(elevation) R_x(twist), elbow flexes forward."""
    for j, share in ((3, 0.3), (6, 0.35), (9, 0.35)):
        L[:, j] = _rot(1, c["twist"] * share) @ _rot(0, c["spine"] * share)
    lean = c["pitch"] + c["spine"]
    L[:, 12] = _rot(1, -c["twist"]) @ _rot(0, c["neck"] - 0.8 * lean)
    for s, (collar, shoulder, elbow) in (("L", (13, 16, 18)), ("R", (14, 17, 19))):
        C = _rot(2, c["shrug"])
        S = _rot(0, -(c["f" + s] + lean)) @ _rot(2, c["e" + s]) @ _rot(0, c["tw" + s])
        E = _rot(1, -c["el" + s])
        if s == "R":
            C, S, E = _mirror(C), _mirror(S), _mirror(E)
        L[:, collar], L[:, shoulder], L[:, elbow] = C, S, E


def _apply_style(c: dict[str, np.ndarray], slump: float) -> None:
    c["spine"] += slump
    c["neck"] += 0.6 * max(slump, 0.0)
    c["shrug"] -= 0.3 * max(slump, 0.0)


def _finish(L: np.ndarray, root: np.ndarray, what: str, fps: float = FPS) -> Motion:
    P, _ = forward_kinematics(L, root, _OFF)
    P[..., 1] -= P[:, _FEET, 1].min()
    return Motion(P, fps, Provenance(source=what, license=SYNTHETIC_LICENSE))


# ----------------------------------------------------------------------------- locomotion
@dataclass(frozen=True)
class _Gait:
    """How a walk or run looks. Defaults: an ordinary forward walk."""
    speed: float = 1.2          # m/s along the facing (< 0: backwards)
    period: float = 1.05        # s per cycle (two steps)
    duty: float = 0.62          # fraction of a cycle a foot is planted (< 0.5: flight phases)
    lift: float = 0.07          # swing-foot clearance, m
    p_land: float = -0.15       # foot pitch at landing, rad (< 0: toes up)
    p_off: float = 1.0          # foot pitch at toe-off (heel up)
    heel: float = 0.45          # stance fraction at which the heel starts to rise
    ahead: float = -0.06        # ankle offset along the facing at mid-stance, m
    toe_out: float = 0.05       # rad
    sway: float = 0.0           # sideways pelvis sway toward the stance foot, m
    height: float = _STAND_Y - 0.02  # pelvis height asked for (reach lowers it)
    bob: float = 0.0            # extra pelvis bounce, m (low at mid-stance, high between steps)
    arm: float = 0.3            # arm swing, rad
    elbow: float = 0.25         # rad
    lean: float = 0.03          # forward spine lean, rad
    slump: float = 0.0


def _gait(t: np.ndarray, heading, p0, g: _Gait, phase0: float, name: str, fps: float = FPS) -> Motion:
    """Walk or run along the path the heading function (seconds -> yaw) steers, feet planted.

    Foot k is planted so the pelvis passes over it at mid-stance; in swing it lifts, then travels to its
    next spot. A cycle is two steps; the right foot is half a cycle behind the left.
    """
    T, dt = len(t), 0.01
    tg = np.arange(t[0] - 2 * g.period - 1.0, t[-1] + 2 * g.period + 1.0, dt)
    ph = heading(tg)
    vel = g.speed * np.stack([np.sin(ph), np.cos(ph)], -1)
    pos = np.concatenate([np.zeros((1, 2)), np.cumsum((vel[1:] + vel[:-1]) * dt / 2, 0)])
    pos += np.asarray(p0) - np.array([np.interp(0.0, tg, pos[:, 0]), np.interp(0.0, tg, pos[:, 1])])

    def path(s):
        return np.stack([np.interp(s, tg, pos[:, 0]), np.zeros_like(s), np.interp(s, tg, pos[:, 1])], -1)

    ankles, feet = np.zeros((2, T, 3)), np.zeros((2, T, 3, 3))
    for side, offset in ((0, 0.0), (1, 0.5)):
        sg = 1.0 - 2.0 * side
        psi = t / g.period + offset + phase0
        k = np.floor(psi).astype(int)
        u = psi - k
        ks = np.arange(k.min(), k.max() + 2)
        tk = (ks + g.duty / 2 - offset - phase0) * g.period          # mid-stance of each step
        phk = heading(tk)
        yk = phk + sg * g.toe_out
        anchor = path(tk) + yaw_matrix(phk) @ np.array([sg * _ANKLE_REST[0], _ANKLE_FLAT_Y, _ANKLE_REST[2] + g.ahead])
        i = k - ks[0]
        us = u / g.duty                                               # stance progress
        p_st = g.p_land * (1 - _ss(us / 0.2)) + g.p_off * _ss((us - g.heel) / (1 - g.heel))
        a_st = _pivot(anchor[i], yk[i], p_st, side)
        uw = (u - g.duty) / (1 - g.duty)                              # swing progress
        a0 = _pivot(anchor[i], yk[i], np.full(T, g.p_off), side)
        a1 = _pivot(anchor[i + 1], yk[i + 1], np.full(T, g.p_land), side)
        e = _ss((uw - 0.08) / 0.84)[:, None]                          # lift first, then travel
        a_sw = a0 + (a1 - a0) * e
        a_sw[:, 1] = a0[:, 1] + (a1[:, 1] - a0[:, 1]) * uw + g.lift * np.sin(np.pi * np.clip(uw, 0, 1)) ** 0.7
        y_sw = yk[i] + _wrap(yk[i + 1] - yk[i]) * e[:, 0]
        p_sw = g.p_off + (g.p_land - g.p_off) * _ss((uw - 0.1) / 0.6)  # toe clears the floor before the foot turns
        stance = u < g.duty
        ankles[side] = np.where(stance[:, None], a_st, a_sw)
        feet[side] = yaw_matrix(np.where(stance, yk[i], y_sw)) @ _rot(0, np.where(stance, p_st, p_sw))

    phi = heading(t)
    cyc = 2 * np.pi * (t / g.period + phase0) - np.pi * g.duty       # 0 at the left foot's mid-stance
    L = np.broadcast_to(np.eye(3), (T, 22, 3, 3)).copy()
    L[:, 0] = yaw_matrix(phi)
    root = path(t) + yaw_matrix(phi) @ np.array([1.0, 0.0, 0.0]) * (g.sway * np.cos(cyc))[:, None]
    root = _settle(root, L[:, 0], ankles, g.height - g.bob * np.cos(2 * cyc))
    _solve_legs(L, root, ankles, feet)
    c = _channels(T)
    swing = -np.sign(g.speed) * g.arm * np.cos(cyc + np.pi * g.duty)  # each arm swings against its leg
    c["fL"], c["fR"] = 0.05 + swing, 0.05 - swing
    c["elL"], c["elR"] = g.elbow + 0.4 * np.maximum(swing, 0), g.elbow + 0.4 * np.maximum(-swing, 0)
    c["eL"] = c["eR"] = np.full(T, _HANG + (0.12 if g.elbow > 1 else 0.0))
    c["twist"] = -0.3 * swing
    c["spine"] += g.lean
    _apply_style(c, g.slump)
    _set_upper(L, c)
    return _finish(L, root, name, fps)


def walking_motion(frames: int = 80, heading: float = 0.0, turn_rate: float = 0.0, fps: float = 20.0,
                   seed: int = 0) -> Motion:
    """A body walking at 1.2 m/s along ``heading`` (rad, yaw_matrix convention), turning at
    ``turn_rate`` rad/s; feet planted, arms counter-swinging. The seed varies gait phase and arm swing."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / float(fps)
    return _gait(t, lambda s: heading + turn_rate * np.asarray(s), (0.0, 0.0),
                 _Gait(arm=rng.uniform(0.25, 0.4)), rng.uniform(), "walking_motion", fps)


def _locomotion(content: str, t: np.ndarray, rng, tempo: float, amp: float, slump: float, low: float,
                phi0: float, p0) -> Motion:
    dur = t[-1] + 1.0 / FPS
    if content == "run":
        step, cadence = rng.uniform(0.95, 1.2), rng.uniform(2.6, 2.9)
        shape = dict(duty=0.36, lift=0.2, p_land=-0.05, p_off=0.75, heel=0.6, ahead=0.0, height=_STAND_Y - 0.03,
                     bob=0.035 * amp, arm=0.55 * amp, elbow=1.5, lean=0.15)
    elif content == "walk-back":   # lands on the toes, lifts the foot flat
        step, cadence = -rng.uniform(0.35, 0.48), rng.uniform(1.5, 1.85)
        shape = dict(lift=0.05, p_land=0.2, p_off=0.0, heel=0.6, ahead=0.0, arm=0.3 * amp)
    else:
        step, cadence = rng.uniform(0.55, 0.68), rng.uniform(1.7, 2.0)
        shape = dict(arm=0.3 * amp)
    step *= min(np.sqrt(tempo), 1.12)            # livelier styles take longer, faster steps
    cadence *= tempo
    g = _Gait(speed=step * cadence, period=2.0 / cadence, toe_out=rng.uniform(0.0, 0.15), sway=0.015 * amp,
              slump=slump, **shape)
    g = replace(g, lift=g.lift * min(amp, 1.3), p_off=g.p_off * min(amp, 1.1) ** 0.5, height=g.height - low)
    turn = {"walk-turn-left": 1.0, "walk-turn-right": -1.0}.get(content, 0.0) * np.radians(rng.uniform(75, 105))
    t0, t1 = rng.uniform(0.0, 0.2) * dur, rng.uniform(0.8, 1.0) * dur

    def heading(s):
        return phi0 + turn * _ss((np.asarray(s) - t0) / (t1 - t0))
    return _gait(t, heading, p0, g, rng.uniform(), f"synthetic:{content}")


# ----------------------------------------------------------------------------- standing actions
def _starts(dur: float, length: float, rng) -> list[float]:
    """Start times of as many repetitions of an action of ``length`` s as fit in the clip."""
    n = max(1, int((dur - 0.3) // (length + 0.3)))
    slot = (dur - 0.3) / n
    return [0.15 + i * slot + rng.uniform(0.0, max(slot - length, 0.0)) for i in range(n)]


def _hermite(x, x0, x1, y0, y1, v0, v1) -> np.ndarray:
    h = x1 - x0
    u = np.clip((x - x0) / h, 0.0, 1.0)
    return ((2 * u ** 3 - 3 * u ** 2 + 1) * y0 + (u ** 3 - 2 * u ** 2 + u) * h * v0
            + (-2 * u ** 3 + 3 * u ** 2) * y1 + (u ** 3 - u ** 2) * h * v1)


def _jump(c, lift, pitch, tau, s, amp, rng) -> None:
    """Crouch, push onto the toes, fly (ballistic), land on the toes, absorb, recover."""
    g = 9.81
    height = float(np.clip(rng.uniform(0.2, 0.27) * amp ** 0.5, 0.16, 0.36))   # feet clear the floor by this
    crouch = rng.uniform(0.15, 0.22) * amp ** 0.3
    pm = 0.75
    ext = float(_pivot(np.array([0.0, _ANKLE_FLAT_Y, 0.0]), 0.0, pm, 0)[1]) - _ANKLE_FLAT_Y - 0.005
    v0 = np.sqrt(2 * g * height)
    a, b = 0.5 / s, 0.5 / s + 0.2 / s
    land = b + 2 * v0 / g
    absorb, end = land + 0.3 / s, land + 0.8 / s
    y = np.where(tau < a, _keys(tau, [0, a], [0, -crouch]), 0.0)
    y = np.where((tau >= a) & (tau < b), _hermite(tau, a, b, -crouch, ext, 0.0, v0), y)
    fly = (tau >= b) & (tau < land)
    y = np.where(fly, ext + v0 * (tau - b) - g / 2 * (tau - b) ** 2, y)
    y = np.where((tau >= land) & (tau < absorb), _hermite(tau, land, absorb, ext, -0.6 * crouch, -v0, 0.0), y)
    y = np.where(tau >= absorb, _keys(tau, [absorb, end], [-0.6 * crouch, 0.0]), y)
    c["dy"] += y
    lift += np.where(fly, np.maximum(y - ext, 0.0), 0.0)
    pitch += pm * _keys(tau, [a, b, land, land + 0.12 / s], [0, 1, 1, 0])
    k = [0, a, b, land, absorb, end]
    c["spine"] += _keys(tau, k, [0, 0.35, -0.05, 0.0, 0.3, 0])
    c["pitch"] += _keys(tau, k, [0, 0.2, 0.0, 0.0, 0.15, 0])
    swing = _keys(tau, k, [0, -0.8, 1.6 * amp ** 0.5, 0.9, 0.3, 0])
    c["fL"] += swing
    c["fR"] += swing


def _squat(c, tau, s, amp, rng) -> None:
    down, hold = rng.uniform(0.8, 1.1) / s, rng.uniform(0.2, 0.6) / s
    drop = float(np.clip(rng.uniform(0.35, 0.44) * amp ** 0.25, 0.32, 0.5))
    w = _keys(tau, [0, down, down + hold, 2 * down + hold], [0, 1, 1, 0])
    c["dy"] -= drop * w
    c["dz"] -= 0.4 * drop * w
    c["pitch"] += 1.2 * drop * w
    c["spine"] += 0.15 * w
    for s_ in "LR":
        c["f" + s_] += 1.35 * w
        c["el" + s_] -= 0.1 * w


def _raise(c, tau, s, rng, front: bool) -> None:
    up, hold = rng.uniform(0.7, 1.0) / s, rng.uniform(0.4, 1.0) / s
    w = _keys(tau, [0, up, up + hold, 2 * up + hold], [0, 1, 1, 0])
    for s_ in "LR":
        if front:
            c["f" + s_] += (np.pi - 0.2) * w
        else:
            c["e" + s_] += (np.pi / 2 - 0.12 - _HANG) * w
        c["el" + s_] -= 0.15 * w
    c["spine"] -= 0.08 * w
    c["neck"] -= 0.2 * w


def _wave(c, t, dur, s, amp, rng, sides: str) -> None:
    """Hand above the head, forearm swinging side to side about the elbow (upper arm turned out so
    the elbow hinge works in the frontal plane)."""
    up, down = min(0.6 / s, 0.15 * dur), min(0.5 / s, 0.12 * dur)
    t0 = rng.uniform(0.0, 0.2)
    w = _keys(t, [t0, t0 + up, dur - down - 0.05, dur - 0.05], [0, 1, 1, 0])
    hold = dur - down - up - t0 - 0.05
    freq, a, e = max(rng.uniform(1.4, 2.2) * s, 2.5 / hold), 0.45 * amp ** 0.5, rng.uniform(0.35, 0.6)
    centre = np.pi / 2 - e + rng.uniform(-0.1, 0.1)
    phase = rng.uniform(0, 2 * np.pi)
    for k, s_ in enumerate(sides):
        osc = a * np.sin(2 * np.pi * freq * t + phase + k * np.pi * (rng.uniform() < 0.5))
        c["e" + s_] += (e - _HANG) * w
        c["tw" + s_] -= np.pi / 2 * w
        c["el" + s_] += (centre - 0.2 + osc) * w
    c["neck"] -= 0.1 * w


def _kick(c, leg, tau, s, amp, rng, side: int) -> None:
    """Weight onto the other foot, chamber, extend, recoil, put the foot back. Adds the kicking leg's
    hip flexion, knee bend (beyond a soft knee), foot pitch and extra foot lift to ``leg`` (4, T)."""
    shift, kick = 0.45 / s, rng.uniform(0.7, 0.9) / s
    ws = _keys(tau, [0, shift, shift + kick, 2 * shift + kick], [0, 1, 1, 0])
    c["dx"] += ws * (-1.0 if side == 0 else 1.0) * 0.06
    c["dy"] -= 0.03 * ws
    for s_ in "LR":
        c["e" + s_] += 0.3 * ws
    u = (tau - shift) / kick
    knots = [0, 0.35, 0.5, 0.65, 1]
    bump = _keys(u, knots, [0, 0.75, 1, 0.75, 0])
    hip = float(np.clip(rng.uniform(1.35, 1.6) * amp ** 0.2, 1.3, 1.7)) * bump
    knee = _keys(u, [0, 0.25, 0.5, 0.75, 1], [0, 1.45, 0.1, 1.25, 0])   # knee leads: the heel lifts first
    c["spine"] -= 0.15 * bump
    clear = 0.05 * _ss(u / 0.12) * (1 - _ss((u - 0.88) / 0.12))     # the foot clears the floor first
    leg += np.stack([hip, knee, 0.4 * (knee - hip) + 0.6 * bump, clear])


def _standing(content, t, rng, tempo, amp, slump, low, phi0, p0) -> Motion:
    T, dur = len(t), t[-1] + 1.0 / FPS
    c = _channels(T)
    lift, pitch = np.zeros((2, T)), np.zeros((2, T))
    spread, toe_out = rng.uniform(0.0, 0.06), rng.uniform(0.05, 0.25)
    if content == "squat":
        spread, toe_out = spread + 0.08, toe_out + 0.15
    ph = rng.uniform(0, 2 * np.pi, 4)
    life = (2.0 if content == "idle" else 1.0) * amp
    period = rng.uniform(3.0, 6.0) / tempo
    c["dx"] += 0.018 * life * np.sin(2 * np.pi * t / period + ph[0])     # weight shifts
    c["dz"] += 0.008 * life * np.sin(2 * np.pi * t / (1.3 * period) + ph[1])
    breath = np.sin(2 * np.pi * t * rng.uniform(0.2, 0.3) * tempo + ph[2])
    c["spine"] += 0.02 * breath
    c["shrug"] += 0.015 * breath
    if content == "idle":
        c["twist"] += 0.12 * amp * np.sin(2 * np.pi * t / (1.7 * period) + ph[3])   # looking around
    kick = np.zeros((4, T))
    if content in _SPAN:   # longest duration of one repetition: a / tempo + b seconds
        a, b = _SPAN[content]
        s = max(tempo, a / max(dur - 0.45 - b, 0.3))   # short clips do it faster
        for start in _starts(dur, a / s + b, rng):
            tau = t - start
            if content == "jump":
                _jump(c, lift, pitch, tau, s, amp, rng)
            elif content == "squat":
                _squat(c, tau, s, amp, rng)
            elif content == "raise-up-both-hands":
                _raise(c, tau, s, rng, front=bool(rng.uniform() < 0.5))
            else:
                _kick(c, kick, tau, s, amp, rng, side=int(content == "kick-right"))
    elif content.startswith("wave"):
        _wave(c, t, dur, tempo, amp, rng, {"left": "L", "right": "R", "both": "LR"}[content.split("-")[1]])
    _apply_style(c, slump)

    Y0 = yaw_matrix(phi0)
    L = np.broadcast_to(np.eye(3), (T, 22, 3, 3)).copy()
    L[:, 0] = yaw_matrix(np.full(T, phi0)) @ _rot(0, c["pitch"])
    root = np.array([p0[0], 0.0, p0[1]]) + np.stack([c["dx"], np.zeros(T), c["dz"]], -1) @ Y0.T
    ankles, feet = np.zeros((2, T, 3)), np.zeros((2, T, 3, 3))
    for side in (0, 1):
        sg = 1.0 - 2.0 * side
        anchor = np.array([p0[0], 0.0, p0[1]]) + Y0 @ np.array(
            [sg * (_ANKLE_REST[0] + spread), _ANKLE_FLAT_Y, _ANKLE_REST[2]])
        yaw = np.full(T, phi0 + sg * toe_out)
        ankles[side] = _pivot(np.broadcast_to(anchor, (T, 3)), yaw, pitch[side], side)
        ankles[side, :, 1] += lift[side]
        feet[side] = yaw_matrix(yaw) @ _rot(0, pitch[side])
    root = _settle(root, L[:, 0], ankles, _STAND_Y - low + c["dy"])
    if content.startswith("kick"):   # the kicking foot leaves its spot as the hip and knee angles move it
        side = int(content == "kick-right")
        hip, knee, fpitch, clear = kick
        sg = 1.0 - 2.0 * side
        leg = _THIGH + _rot(0, 0.05 + knee) @ _SHIN
        chain = np.einsum("tab,tb->ta", _rot(0, -hip), leg) - (_THIGH + _rot(0, 0.05) @ _SHIN)
        frame = yaw_matrix(np.full(T, phi0 + sg * toe_out))
        ankles[side] += np.einsum("tab,tb->ta", frame, chain * np.array([sg, 1.0, 1.0]))
        ankles[side][:, 1] += clear
        feet[side] = frame @ _rot(0, fpitch)
        toe_y = ankles[side][:, 1] + (feet[side] @ _TOE[side])[:, 1]
        ankles[side][:, 1] += np.maximum(np.maximum(-toe_y, _ANKLE_FLAT_Y - ankles[side][:, 1]), 0.0)  # not below floor
    _solve_legs(L, root, ankles, feet)
    _set_upper(L, c)
    return _finish(L, root, f"synthetic:{content}")


# ----------------------------------------------------------------------------- public API
def synthetic_motion(content: str, style: str | None = None, seed: int = 0, seconds: float | None = None) -> Motion:
    """One procedural clip at 20 fps doing ``content`` in ``style``; the seed picks duration
    (2.5-8 s unless ``seconds``), speed, amplitude, start heading and position. Same seed, same clip."""
    if content not in SYNTHETIC_CONTENTS:
        raise ValueError(f"unknown synthetic content {content!r}; one of {', '.join(SYNTHETIC_CONTENTS)}")
    if style not in SYNTHETIC_STYLES:
        raise ValueError(f"unknown synthetic style {style!r}; one of {SYNTHETIC_STYLES}")
    rng = np.random.default_rng([int(seed) % 2 ** 32, SYNTHETIC_CONTENTS.index(content), SYNTHETIC_STYLES.index(style)])
    dur = float(seconds) if seconds is not None else rng.uniform(2.5, 8.0)
    t = np.arange(max(2, int(round(dur * FPS)))) / FPS
    tempo, amp, slump, low = _STYLE[style]
    tempo *= rng.uniform(0.92, 1.08)
    amp *= rng.uniform(0.88, 1.12)
    phi0, p0 = rng.uniform(-np.pi, np.pi), rng.uniform(-2.0, 2.0, 2)
    make = _locomotion if content in _GAITS else _standing
    return make(content, t, rng, tempo, amp, slump, low, phi0, p0)


def synthetic_takes(n: int, seed: int = 0) -> list[Take]:
    """``n`` labelled takes cycling through every content (and, every 14, the next style), so 64
    takes hold each content 4-5 times in mixed styles. Deterministic for (n, seed)."""
    takes = []
    for i in range(n):
        content = SYNTHETIC_CONTENTS[i % len(SYNTHETIC_CONTENTS)]
        style = SYNTHETIC_STYLES[(i // len(SYNTHETIC_CONTENTS)) % len(SYNTHETIC_STYLES)]
        seed_i = int(seed) * 100_003 + i
        motion = synthetic_motion(content, style, seed_i)
        takes.append(Take(
            take_id=f"synthetic/{i:04d}_{content}" + (f"_{style}" if style else ""),
            source="synthetic",
            source_file=f"procedural:{content}:{style}:{seed_i}",
            motion=motion,
            labels=Labels(source="synthetic", content=content, style=style, idle=(content == "idle")),
            license=SYNTHETIC_LICENSE,
            actor=f"synth-{i % 4}",
        ))
    return takes
