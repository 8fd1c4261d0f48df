"""The generated body as an implicit surface: round cones and ellipsoids placed on the reference
T-pose skeleton (``skeleton.REFERENCE_TPOSE``), smoothly unioned, soles cut flat at y = 0.

Each primitive carries the SMPL joint whose rotation moves it, so the same description gives the
mesh (``body_sdf``) and, per part, the seed of the skinning weights (``part_sdf``). Sizes are those
of a ~1.70 m neutral adult; metres, +Y up, facing +Z, the body's left at +X.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..motion.skeleton import JOINT_INDEX, PARENTS, REFERENCE_TPOSE

# SMPL's 24 joints: the 22 of SMPL-22 plus a hand joint beyond each wrist (about the knuckles).
SMPL_PARENTS: tuple[int, ...] = PARENTS + (20, 21)
NUM_SMPL_JOINTS = 24
HAND_OFFSET = np.array([0.095, -0.004, 0.0])  # left wrist -> left hand joint, T-pose

BLEND = 0.022   # smooth-union radius (m): how far the fillets between parts reach
TRUNK_BLEND = 0.09  # the trunk's ellipsoids melt into one another over a much wider band


def smpl_joints() -> np.ndarray:
    """(24, 3) the reference T-pose joints with the two SMPL hand joints appended."""
    j = np.array(REFERENCE_TPOSE, dtype=np.float64)
    lh = j[JOINT_INDEX["left_wrist"]] + HAND_OFFSET
    rh = j[JOINT_INDEX["right_wrist"]] + HAND_OFFSET * [-1, 1, 1]
    return np.vstack([j, lh, rh])


@dataclass(frozen=True)
class Prim:
    kind: str           # "cone" (round cone a->b, radii r1->r2) or "ell" (axis-aligned ellipsoid)
    label: int          # SMPL joint whose rotation carries this part
    a: tuple            # cone start / ellipsoid centre
    b: tuple = (0, 0, 0)  # cone end / ellipsoid semi-axes
    r1: float = 0.0
    r2: float = 0.0
    trunk: bool = False   # part of the trunk, blended with the other trunk parts over TRUNK_BLEND


def _mirror(p: Prim) -> Prim:
    """The right-side twin of a left-side primitive (x -> -x, left joint -> right joint)."""
    a = (-p.a[0], p.a[1], p.a[2])
    b = (-p.b[0], p.b[1], p.b[2]) if p.kind == "cone" else p.b
    return Prim(p.kind, _RIGHT_OF.get(p.label, p.label), a, b, p.r1, p.r2, p.trunk)


_RIGHT_OF = {1: 2, 4: 5, 7: 8, 10: 11, 13: 14, 16: 17, 18: 19, 20: 21, 22: 23}


def primitives() -> list[Prim]:
    """The body's parts, left side mirrored to the right."""
    J = smpl_joints()
    t = lambda name: tuple(J[JOINT_INDEX[name]])
    w = J[JOINT_INDEX["left_wrist"]]
    at = lambda dx, dy, dz: (w[0] + dx, w[1] + dy, w[2] + dz)  # relative to the left wrist
    mid = [  # midline: torso, neck, head
        Prim("ell", 0, (0.0, 0.905, -0.012), (0.160, 0.125, 0.108), trunk=True),   # pelvis and hips
        Prim("ell", 3, (0.0, 1.050, 0.000), (0.138, 0.130, 0.100), trunk=True),    # belly
        Prim("ell", 6, (0.0, 1.180, 0.000), (0.150, 0.125, 0.106), trunk=True),    # lower chest
        Prim("ell", 9, (0.0, 1.295, -0.008), (0.165, 0.125, 0.112), trunk=True),   # upper chest
        Prim("cone", 12, (0.0, 1.385, -0.035), (0.0, 1.535, 0.005), 0.058, 0.050),  # neck
        Prim("ell", 15, (0.0, 1.605, 0.020), (0.078, 0.100, 0.096)),       # skull
        Prim("ell", 15, (0.0, 1.548, 0.050), (0.056, 0.052, 0.062)),       # jaw
        Prim("ell", 15, (0.0, 1.588, 0.112), (0.014, 0.026, 0.020)),       # nose
    ]
    left = [
        Prim("ell", 0, (0.060, 0.875, -0.055), (0.075, 0.085, 0.068)),     # buttock
        Prim("cone", 1, (0.088, 0.860, -0.010), t("left_knee"), 0.082, 0.056),   # thigh
        Prim("cone", 4, t("left_knee"), t("left_ankle"), 0.053, 0.035),    # shin
        Prim("ell", 4, (0.084, 0.370, -0.068), (0.045, 0.100, 0.042)),     # calf
        Prim("cone", 7, (0.091, 0.042, -0.080), (0.112, 0.036, 0.055), 0.042, 0.040),  # heel to ball
        Prim("ell", 10, (0.118, 0.026, 0.095), (0.046, 0.026, 0.044)),     # toes
        Prim("cone", 13, (0.035, 1.395, -0.042), (0.165, 1.400, -0.045), 0.055, 0.046),  # shoulder top
        Prim("ell", 16, (0.200, 1.402, -0.045), (0.065, 0.056, 0.056)),    # deltoid
        Prim("cone", 16, t("left_shoulder"), t("left_elbow"), 0.050, 0.038),   # upper arm
        Prim("cone", 18, t("left_elbow"), t("left_wrist"), 0.039, 0.027),      # forearm
        Prim("ell", 18, (0.505, 1.405, -0.058), (0.075, 0.041, 0.044)),    # forearm muscles
        Prim("ell", 20, at(0.052, -0.004, 0.0), (0.060, 0.019, 0.044)),    # palm
        Prim("cone", 20, at(0.030, -0.006, 0.030), at(0.080, -0.010, 0.068), 0.016, 0.012),  # thumb
        Prim("ell", 22, at(0.138, -0.006, -0.002), (0.062, 0.014, 0.041)),  # fingers
    ]
    return mid + left + [_mirror(p) for p in left]


def _round_cone(p: np.ndarray, a, b, r1: float, r2: float) -> np.ndarray:
    """Exact distance to a round cone (iq's formula), (N, 3) -> (N,)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ba = b - a
    l2 = float(ba @ ba)
    rr = r1 - r2
    a2 = l2 - rr * rr
    pa = p - a
    y = pa @ ba
    z = y - l2
    x2 = ((pa * l2 - y[:, None] * ba) ** 2).sum(1)
    y2, z2 = y * y * l2, z * z * l2
    k = np.sign(rr) * rr * rr * x2
    out = (np.sqrt(np.maximum(x2 * a2 / l2, 0.0)) + y * rr) / l2 - r1
    use_b = np.sign(z) * a2 * z2 > k
    use_a = ~use_b & (np.sign(y) * a2 * y2 < k)
    out[use_b] = np.sqrt(x2[use_b] + z2[use_b]) / l2 - r2
    out[use_a] = np.sqrt(x2[use_a] + y2[use_a]) / l2 - r1
    return out


def _ellipsoid(p: np.ndarray, c, r) -> np.ndarray:
    """Approximate distance to an axis-aligned ellipsoid (iq's bound), (N, 3) -> (N,)."""
    q = (p - np.asarray(c, float)) / np.asarray(r, float)
    k0 = np.linalg.norm(q, axis=1)
    k1 = np.linalg.norm(q / np.asarray(r, float), axis=1)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-12)


def prim_sdf(p: np.ndarray, prim: Prim) -> np.ndarray:
    if prim.kind == "cone":
        return _round_cone(p, prim.a, prim.b, prim.r1, prim.r2)
    return _ellipsoid(p, prim.a, prim.b)


def smooth_min(a: np.ndarray, b: np.ndarray, k: float = BLEND) -> np.ndarray:
    """Polynomial smooth minimum: equal to min(a, b) where they differ by more than k."""
    h = np.maximum(k - np.abs(a - b), 0.0) / k
    return np.minimum(a, b) - h * h * k * 0.25


def body_sdf(points: np.ndarray, chunk: int = 400_000) -> np.ndarray:
    """(N, 3) -> (N,) signed distance-like field of the body, negative inside, soles cut at y = 0."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    prims = primitives()
    out = np.empty(len(pts))
    for s in range(0, len(pts), chunk):
        p = pts[s:s + chunk]
        d = None
        for prim in (q for q in prims if q.trunk):
            e = prim_sdf(p, prim)
            d = e if d is None else smooth_min(d, e, TRUNK_BLEND)
        for prim in (q for q in prims if not q.trunk):
            d = smooth_min(d, prim_sdf(p, prim))
        out[s:s + chunk] = np.maximum(d, -p[:, 1])
    return out


def part_sdf(points: np.ndarray) -> np.ndarray:
    """(N, 3) -> (N, 24) distance to each joint's part (the minimum over its primitives); inf for a
    joint without primitives."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    out = np.full((len(pts), NUM_SMPL_JOINTS), np.inf)
    for prim in primitives():
        out[:, prim.label] = np.minimum(out[:, prim.label], prim_sdf(pts, prim))
    return out


def sdf_gradient(points: np.ndarray, eps: float = 5e-4) -> np.ndarray:
    """(N, 3) -> (N, 3) central-difference gradient of ``body_sdf``."""
    p = np.asarray(points, dtype=np.float64)
    g = np.empty_like(p)
    for axis in range(3):
        e = np.zeros(3)
        e[axis] = eps
        g[:, axis] = (body_sdf(p + e) - body_sdf(p - e)) / (2 * eps)
    return g
