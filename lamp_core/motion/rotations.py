"""Batched rotation conversions on numpy arrays.

Conventions: rotation matrices act on column vectors, shape (..., 3, 3); quaternions are
(w, x, y, z) like HumanML3D; Euler angles follow BVH (intrinsic, channel order as written).
Conversions go through ``scipy.spatial.transform.Rotation``; only the few things scipy lacks
(6D, minimal rotation between vectors, Y-axis yaw helpers) are written here.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

_EPS = 1e-9


def _check_last(x: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.shape[x.ndim - len(shape):] != shape:
        raise ValueError(f"{name}: expected shape (..., {', '.join(map(str, shape))}), got {x.shape}")
    return x


def _flat(x: np.ndarray, k: int) -> tuple[np.ndarray, tuple[int, ...]]:
    lead = x.shape[: x.ndim - k]
    return x.reshape((-1,) + x.shape[x.ndim - k:]), lead


def _axis_rotation(axis: str, rad: np.ndarray) -> np.ndarray:
    c, s_ = np.cos(rad), np.sin(rad)
    o, z = np.ones_like(rad), np.zeros_like(rad)
    if axis == "X":
        rows = ((o, z, z), (z, c, -s_), (z, s_, c))
    elif axis == "Y":
        rows = ((c, z, s_), (z, o, z), (-s_, z, c))
    else:
        rows = ((c, -s_, z), (s_, c, z), (z, z, o))
    return np.stack([np.stack(r, -1) for r in rows], -2)


def euler_to_matrix(angles_deg: np.ndarray, order: str) -> np.ndarray:
    """(..., 3) angles in degrees, applied intrinsically in ``order`` (e.g. "ZXY") -> (..., 3, 3).

    The product of three axis rotations, evaluated in numpy for speed (BVH import converts millions
    of these); tests hold it equal to scipy's ``Rotation.from_euler`` for every order.
    """
    a = _check_last(angles_deg, (3,), "euler_to_matrix angles")
    order = order.upper()
    if len(order) != 3 or set(order) - set("XYZ"):
        raise ValueError(f"euler_to_matrix: order must be three of X/Y/Z, got {order!r}")
    rad = np.radians(a)
    m = _axis_rotation(order[0], rad[..., 0])
    m = m @ _axis_rotation(order[1], rad[..., 1])
    return m @ _axis_rotation(order[2], rad[..., 2])


def matrix_to_euler(m: np.ndarray, order: str) -> np.ndarray:
    """(..., 3, 3) -> (..., 3) intrinsic Euler angles in degrees in ``order``."""
    m = _check_last(m, (3, 3), "matrix_to_euler")
    flat, lead = _flat(m, 2)
    if flat.shape[0] == 0:
        return np.zeros(lead + (3,))
    import warnings

    with warnings.catch_warnings():  # gimbal lock is handled by scipy; the warning is noise
        warnings.simplefilter("ignore", UserWarning)
        e = Rotation.from_matrix(flat).as_euler(order.upper(), degrees=True)
    return e.reshape(lead + (3,))


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """(..., 4) quaternions (w, x, y, z), any norm > 0 -> (..., 3, 3)."""
    q = _check_last(q, (4,), "quat_to_matrix")
    flat, lead = _flat(q, 1)
    if flat.shape[0] == 0:
        return np.zeros(lead + (3, 3))
    m = Rotation.from_quat(flat[:, [1, 2, 3, 0]]).as_matrix()
    return m.reshape(lead + (3, 3))


def matrix_to_quat(m: np.ndarray) -> np.ndarray:
    """(..., 3, 3) -> (..., 4) unit quaternions (w, x, y, z) with w >= 0."""
    m = _check_last(m, (3, 3), "matrix_to_quat")
    flat, lead = _flat(m, 2)
    if flat.shape[0] == 0:
        return np.zeros(lead + (4,))
    q = Rotation.from_matrix(flat).as_quat()[:, [3, 0, 1, 2]]
    q *= np.where(q[:, :1] < 0, -1.0, 1.0)
    return q.reshape(lead + (4,))


def axis_angle_to_matrix(aa: np.ndarray) -> np.ndarray:
    """(..., 3) axis * angle (radians) -> (..., 3, 3)."""
    aa = _check_last(aa, (3,), "axis_angle_to_matrix")
    flat, lead = _flat(aa, 1)
    if flat.shape[0] == 0:
        return np.zeros(lead + (3, 3))
    return Rotation.from_rotvec(flat).as_matrix().reshape(lead + (3, 3))


def matrix_to_axis_angle(m: np.ndarray) -> np.ndarray:
    """(..., 3, 3) -> (..., 3) axis * angle (radians)."""
    m = _check_last(m, (3, 3), "matrix_to_axis_angle")
    flat, lead = _flat(m, 2)
    if flat.shape[0] == 0:
        return np.zeros(lead + (3,))
    return Rotation.from_matrix(flat).as_rotvec().reshape(lead + (3,))


def matrix_to_6d(m: np.ndarray) -> np.ndarray:
    """(..., 3, 3) -> (..., 6): the first two columns, column 0 then column 1 (HumanML3D's cont6d)."""
    m = _check_last(m, (3, 3), "matrix_to_6d")
    return np.concatenate([m[..., :, 0], m[..., :, 1]], axis=-1)


def sixd_to_matrix(d6: np.ndarray) -> np.ndarray:
    """(..., 6) -> (..., 3, 3) by Gram-Schmidt (Zhou et al. 2019); inverse of ``matrix_to_6d``."""
    d6 = _check_last(d6, (6,), "sixd_to_matrix")
    a1, a2 = d6[..., :3], d6[..., 3:]
    b1 = a1 / np.maximum(np.linalg.norm(a1, axis=-1, keepdims=True), _EPS)
    a2 = a2 - (b1 * a2).sum(-1, keepdims=True) * b1
    b2 = a2 / np.maximum(np.linalg.norm(a2, axis=-1, keepdims=True), _EPS)
    b3 = np.cross(b1, b2)
    return np.stack([b1, b2, b3], axis=-1)


def rotation_between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Smallest rotation taking direction ``u`` to direction ``v``; (..., 3), (..., 3) -> (..., 3, 3).

    Inputs need not be unit length. Opposite vectors get a half turn about an axis perpendicular
    to ``u``; a zero vector gives the identity.
    """
    u = _check_last(u, (3,), "rotation_between u")
    v = _check_last(v, (3,), "rotation_between v")
    u, v = np.broadcast_arrays(u, v)
    nu = np.linalg.norm(u, axis=-1, keepdims=True)
    nv = np.linalg.norm(v, axis=-1, keepdims=True)
    zero = (nu[..., 0] < _EPS) | (nv[..., 0] < _EPS)
    u = u / np.maximum(nu, _EPS)
    v = v / np.maximum(nv, _EPS)
    # Quaternion from the half-way construction: q = (1 + u.v, u x v), normalised.
    w = np.asarray(1.0 + (u * v).sum(-1))  # an array even for single vectors (item assignment below)
    xyz = np.cross(u, v)
    opposite = w < 1e-7
    if np.any(opposite):
        # Any axis perpendicular to u: cross with the coordinate axis least aligned with u.
        uo = u[opposite]
        pick = np.eye(3)[np.argmin(np.abs(uo), axis=-1)]
        axis = np.cross(uo, pick)
        axis /= np.linalg.norm(axis, axis=-1, keepdims=True)
        xyz = xyz.copy()
        w = w.copy()
        xyz[opposite] = axis
        w[opposite] = 0.0
    q = np.concatenate([w[..., None], xyz], axis=-1)
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    q[zero] = np.array([1.0, 0.0, 0.0, 0.0])
    return quat_to_matrix(q)


def yaw_matrix(angle: np.ndarray) -> np.ndarray:
    """(...,) angles in radians about +Y (right-handed) -> (..., 3, 3)."""
    a = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(a), np.sin(a)
    z, o = np.zeros_like(a), np.ones_like(a)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def heading_angle(forward: np.ndarray) -> np.ndarray:
    """(..., 3) horizontal forward directions -> (...,) yaw about +Y that takes +Z onto them."""
    f = _check_last(forward, (3,), "heading_angle")
    return np.arctan2(f[..., 0], f[..., 2])


def fix_quat_continuity(q: np.ndarray, axis: int = 0) -> np.ndarray:
    """Flip quaternion signs along ``axis`` so consecutive ones have a positive dot product."""
    q = np.array(q, dtype=np.float64, copy=True)
    q = np.moveaxis(q, axis, 0)
    dots = (q[1:] * q[:-1]).sum(-1)
    flips = np.cumsum(dots < 0, axis=0) % 2
    q[1:][flips.astype(bool)] *= -1
    return np.moveaxis(q, 0, axis)
