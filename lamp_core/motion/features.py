"""HumanML3D's 263-d motion representation, both ways, as the field defines it.

Per frame: [0] root yaw velocity (half the yaw change, HumanML3D's arcsin of a quaternion y),
[1:3] root XZ velocity in the facing frame, [3] root height, [4:67] facing-frame positions of
joints 1-21 relative to the root's ground point, [67:193] 6D rotations of joints 1-21 (each bone's
rotation measured against HumanML3D's raw rest directions, stored at the child joint),
[193:259] facing-frame velocities of all 22 joints, [259:263] foot contacts (L ankle, L toe,
R ankle, R toe). A clip of T frames gives T-1 feature rows.

``features_to_joints`` is HumanML3D's ``recover_from_ric``: on a HumanML3D user's
``new_joint_vecs/X.npy`` it gives their ``new_joints/X.npy``. ``joints_to_features`` follows
``process_file``; the one difference is deliberate: the yaw change between frames is taken from
the continuous heading, where HumanML3D's quaternion sign flips when the heading crosses 180°.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

from .rotations import matrix_to_6d, rotation_between, yaw_matrix
from .skeleton import (FACE_JOINTS, HML3D_RAW_OFFSETS, KINEMATIC_CHAINS, LEFT_FOOT_JOINTS, NUM_JOINTS,
                       PARENTS, REFERENCE_TPOSE, RIGHT_FOOT_JOINTS, bone_lengths)

FEATURE_DIM = 263
FOOT_CONTACT_THRESHOLD = 0.002  # squared metres per frame, HumanML3D's feet_thre
FACING_SMOOTHING_SIGMA = 20     # frames, HumanML3D's gaussian over the forward direction

# Slices of the 263 dims, also the groups HumanML3D averages the Std over.
ROOT_ROT_VEL = slice(0, 1)
ROOT_LIN_VEL = slice(1, 3)
ROOT_HEIGHT = slice(3, 4)
RIC = slice(4, 4 + (NUM_JOINTS - 1) * 3)
ROT6D = slice(RIC.stop, RIC.stop + (NUM_JOINTS - 1) * 6)
LOCAL_VEL = slice(ROT6D.stop, ROT6D.stop + NUM_JOINTS * 3)
FOOT_CONTACT = slice(LOCAL_VEL.stop, LOCAL_VEL.stop + 4)
FEATURE_GROUPS = (ROOT_ROT_VEL, ROOT_LIN_VEL, ROOT_HEIGHT, RIC, ROT6D, LOCAL_VEL, FOOT_CONTACT)
assert FOOT_CONTACT.stop == FEATURE_DIM


def _check(joints: np.ndarray, min_frames: int = 2) -> np.ndarray:
    j = np.asarray(joints, dtype=np.float64)
    if j.ndim != 3 or j.shape[1:] != (NUM_JOINTS, 3):
        raise ValueError(f"expected joints of shape (T, {NUM_JOINTS}, 3), got {j.shape}")
    if j.shape[0] < min_frames:
        raise ValueError(f"need at least {min_frames} frames, got {j.shape[0]}")
    if not np.isfinite(j).all():
        raise ValueError("joints contain NaN or infinite values")
    return j


def facing_directions(joints: np.ndarray, smooth: bool = False) -> np.ndarray:
    """(T, 22, 3) -> (T, 3) unit horizontal forward directions from the hips and shoulders."""
    j = np.asarray(joints, dtype=np.float64)
    r_hip, l_hip, r_sdr, l_sdr = FACE_JOINTS
    across = (j[:, r_hip] - j[:, l_hip]) + (j[:, r_sdr] - j[:, l_sdr])
    across = across / np.maximum(np.linalg.norm(across, axis=-1, keepdims=True), 1e-9)
    forward = np.cross(np.array([0.0, 1.0, 0.0]), across)
    if smooth:
        forward = gaussian_filter1d(forward, FACING_SMOOTHING_SIGMA, axis=0, mode="nearest")
    return forward / np.maximum(np.linalg.norm(forward, axis=-1, keepdims=True), 1e-9)


def uniform_skeleton(joints: np.ndarray, target: np.ndarray = REFERENCE_TPOSE) -> np.ndarray:
    """Give a clip the bone lengths of ``target`` (22, 3) keeping every bone's direction.

    HumanML3D does this by IK then FK with the target offsets, which amounts to the same; the root
    path is scaled by the ratio of leg lengths (right knee and ankle bones), as there.
    """
    j = _check(joints, 1)
    src_len = np.median(bone_lengths(j), axis=0)
    tgt_len = bone_lengths(np.asarray(target, dtype=np.float64))
    scale = (tgt_len[5] + tgt_len[8]) / max(src_len[5] + src_len[8], 1e-9)
    out = np.empty_like(j)
    out[:, 0] = j[:, 0] * scale
    for k in range(1, NUM_JOINTS):
        p = PARENTS[k]
        d = j[:, k] - j[:, p]
        d = d / np.maximum(np.linalg.norm(d, axis=-1, keepdims=True), 1e-9)
        out[:, k] = out[:, p] + d * tgt_len[k]
    return out


def canonicalize(joints: np.ndarray) -> np.ndarray:
    """Floor at y=0, root over the origin at frame 0, facing +Z at frame 0 (HumanML3D's process_file)."""
    j = _check(joints, 1).copy()
    j[..., 1] -= j[..., 1].min()
    j -= j[0, 0] * np.array([1.0, 0.0, 1.0])
    forward0 = facing_directions(j[:1])[0]
    R = rotation_between(forward0, np.array([0.0, 0.0, 1.0]))
    return j @ R.T


def _bone_rotations(joints: np.ndarray, root_rot: np.ndarray) -> np.ndarray:
    """HumanML3D's inverse_kinematics_np: per bone, the rotation from its raw rest direction to
    its current direction, relative to the previous bone of its chain (the root at chain starts)."""
    T = joints.shape[0]
    rots = np.broadcast_to(np.eye(3), (T, NUM_JOINTS, 3, 3)).copy()
    rots[:, 0] = root_rot
    for chain in KINEMATIC_CHAINS:
        R = root_rot
        for a, b in zip(chain[:-1], chain[1:]):
            g = rotation_between(np.broadcast_to(HML3D_RAW_OFFSETS[b], (T, 3)), joints[:, b] - joints[:, a])
            rots[:, b] = np.swapaxes(R, -1, -2) @ g
            R = g
    return rots


def foot_contacts(joints: np.ndarray, threshold: float = FOOT_CONTACT_THRESHOLD) -> np.ndarray:
    """(T, 22, 3) -> (T-1, 4) 1.0 where the foot joint moved less than sqrt(threshold) m in a frame."""
    j = np.asarray(joints, dtype=np.float64)
    feet = list(LEFT_FOOT_JOINTS) + list(RIGHT_FOOT_JOINTS)
    step = ((j[1:, feet] - j[:-1, feet]) ** 2).sum(-1)
    return (step < threshold).astype(np.float64)


def joints_to_features(joints: np.ndarray, canonical: bool = True) -> np.ndarray:
    """(T, 22, 3) joints in metres (Y up, at 20 fps for HumanML3D models) -> (T-1, 263) features.

    With ``canonical`` the clip is first put on the floor, at the origin, facing +Z (as HumanML3D
    does); pass False only for joints that already are.
    """
    pos = _check(joints, 2)
    if canonical:
        pos = canonicalize(pos)
    T = pos.shape[0]
    forward = facing_directions(pos, smooth=True)
    phi = -np.arctan2(forward[:, 0], forward[:, 2])  # yaw taking each frame's forward to +Z
    phi[0] = 0.0  # HumanML3D pins the first root rotation to the identity
    root_rot = yaw_matrix(phi)

    rots = _bone_rotations(pos, root_rot)
    cont6d = matrix_to_6d(rots[:, 1:]).reshape(T, -1)

    dphi = np.angle(np.exp(1j * (phi[1:] - phi[:-1])))  # wrapped to (-pi, pi]
    root_vel = np.einsum("tab,tb->ta", root_rot[1:], pos[1:, 0] - pos[:-1, 0])

    local = pos.copy()
    local[..., 0] -= pos[:, :1, 0]
    local[..., 2] -= pos[:, :1, 2]
    local = np.einsum("tab,tjb->tja", root_rot, local)

    local_vel = np.einsum("tab,tjb->tja", root_rot[:-1], pos[1:] - pos[:-1]).reshape(T - 1, -1)
    contacts = foot_contacts(pos)
    return np.concatenate([
        (dphi / 2.0)[:, None], root_vel[:, [0, 2]], local[:-1, 0, 1:2],
        local[:-1, 1:].reshape(T - 1, -1), cont6d[:-1], local_vel, contacts,
    ], axis=-1)


def recover_root(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., T, 263) -> root yaw angles (..., T) (radians, taking +Z to the facing) and root
    positions (..., T, 3), integrated as HumanML3D's recover_root_rot_pos does."""
    f = np.asarray(features, dtype=np.float64)
    half = np.zeros(f.shape[:-1])
    half[..., 1:] = f[..., :-1, 0]
    half = np.cumsum(half, axis=-1)
    yaw = 2.0 * half  # HumanML3D's quaternion (cos a, 0, sin a, 0) is a turn of 2a
    step = np.zeros(f.shape[:-1] + (3,))
    step[..., 1:, 0] = f[..., :-1, 1]
    step[..., 1:, 2] = f[..., :-1, 2]
    step = np.einsum("...ab,...b->...a", yaw_matrix(-yaw), step)
    root = np.cumsum(step, axis=-2)
    root[..., 1] = f[..., 3]
    return -yaw, root


def features_to_joints(features: np.ndarray) -> np.ndarray:
    """(..., T, 263) -> (..., T, 22, 3): HumanML3D's recover_from_ric."""
    f = np.asarray(features, dtype=np.float64)
    if f.shape[-1] != FEATURE_DIM:
        raise ValueError(f"expected features of shape (..., T, {FEATURE_DIM}), got {f.shape}")
    heading, root = recover_root(f)
    local = f[..., RIC].reshape(f.shape[:-1] + (NUM_JOINTS - 1, 3))
    R = yaw_matrix(heading)  # inverse of the facing rotation
    pos = np.einsum("...ab,...jb->...ja", R, local)
    pos[..., 0] += root[..., None, 0]
    pos[..., 2] += root[..., None, 2]
    return np.concatenate([root[..., None, :], pos], axis=-2)


def group_std(std: np.ndarray) -> np.ndarray:
    """Average a per-dim Std within each feature group, as HumanML3D does for Std.npy."""
    s = np.array(std, dtype=np.float64, copy=True)
    if s.shape[-1] != FEATURE_DIM:
        raise ValueError(f"expected a ({FEATURE_DIM},) std, got {s.shape}")
    for g in FEATURE_GROUPS:
        s[..., g] = s[..., g].mean(-1, keepdims=True)
    return s
