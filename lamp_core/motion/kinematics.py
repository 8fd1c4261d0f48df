"""Forward and inverse kinematics on the 22-joint skeleton, batched over leading axes.

Local rotations follow BVH/FBX: world_pos[j] = world_pos[parent] + G[parent] @ offset[j],
G[j] = G[parent] @ L[j]. The IK recovers L from joint positions for any facing direction: the
pelvis and chest orientations come from their three children (a least-squares fit, so nothing
assumes the body faces +Z), limbs turn by the smallest swing, and hips/shoulders take the twist
that makes the knee/elbow bend about its hinge.
"""

from __future__ import annotations

import numpy as np

from .rotations import rotation_between
from .skeleton import NUM_JOINTS, PARENTS

_CHILDREN: dict[int, list[int]] = {j: [c for c, p in enumerate(PARENTS) if p == j] for j in range(NUM_JOINTS)}

# Hinge hints: joint -> (child, grandchild, direction in the rest frame the grandchild bends toward).
# Knees flex backward (-Z); elbows flex forward (+Z) in the palms-down T-pose.
_HINGES = {1: (4, 7, (0.0, 0.0, -1.0)), 2: (5, 8, (0.0, 0.0, -1.0)),
           16: (18, 20, (0.0, 0.0, 1.0)), 17: (19, 21, (0.0, 0.0, 1.0))}


def _check_joints(joints: np.ndarray, name: str = "joints") -> np.ndarray:
    j = np.asarray(joints, dtype=np.float64)
    if j.ndim < 2 or j.shape[-2:] != (NUM_JOINTS, 3):
        raise ValueError(f"{name}: expected shape (..., {NUM_JOINTS}, 3), got {j.shape}")
    return j


def forward_kinematics(local_rots: np.ndarray, root_pos: np.ndarray, offsets: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(..., 22, 3, 3) local rotations, (..., 3) root positions, (22, 3) offsets ->
    (..., 22, 3) world positions and (..., 22, 3, 3) world rotations. offsets[0] is ignored."""
    L = np.asarray(local_rots, dtype=np.float64)
    if L.shape[-3:] != (NUM_JOINTS, 3, 3):
        raise ValueError(f"forward_kinematics: local_rots must be (..., {NUM_JOINTS}, 3, 3), got {L.shape}")
    root = np.asarray(root_pos, dtype=np.float64)
    if root.shape != L.shape[:-3] + (3,):
        raise ValueError(f"forward_kinematics: root_pos must be {L.shape[:-3] + (3,)}, got {root.shape}")
    off = np.asarray(offsets, dtype=np.float64)
    if off.shape != (NUM_JOINTS, 3):
        raise ValueError(f"forward_kinematics: offsets must be ({NUM_JOINTS}, 3), got {off.shape}")
    G = np.empty_like(L)
    P = np.empty(L.shape[:-2] + (3,), dtype=np.float64)  # (..., 22, 3)
    G[..., 0, :, :] = L[..., 0, :, :]
    P[..., 0, :] = root
    for j in range(1, NUM_JOINTS):
        p = PARENTS[j]
        G[..., j, :, :] = G[..., p, :, :] @ L[..., j, :, :]
        P[..., j, :] = P[..., p, :] + np.einsum("...ab,b->...a", G[..., p, :, :], off[j])
    return P, G


def _fit_rotation(rest: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Least-squares rotation R with R @ rest[k] ~ actual[k]; rest (K, 3), actual (..., K, 3) -> (..., 3, 3)."""
    H = np.einsum("ka,...kb->...ab", rest, actual)  # cross-covariance
    U, _, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(np.swapaxes(Vt, -1, -2) @ np.swapaxes(U, -1, -2)))
    D = np.zeros(H.shape)
    D[..., 0, 0] = 1.0
    D[..., 1, 1] = 1.0
    D[..., 2, 2] = d
    return np.swapaxes(Vt, -1, -2) @ D @ np.swapaxes(U, -1, -2)


def _axis_angle_matrix(axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Rodrigues for (..., 3) unit axes and (...,) angles."""
    x, y, z = axis[..., 0], axis[..., 1], axis[..., 2]
    c, s = np.cos(angle), np.sin(angle)
    C = 1.0 - c
    return np.stack([
        np.stack([c + x * x * C, x * y * C - z * s, x * z * C + y * s], -1),
        np.stack([y * x * C + z * s, c + y * y * C, y * z * C - x * s], -1),
        np.stack([z * x * C - y * s, z * y * C + x * s, c + z * z * C], -1),
    ], -2)


def _hinge_twist(G: np.ndarray, rest_bone: np.ndarray, actual_next: np.ndarray, bend_dir: np.ndarray
                 ) -> np.ndarray:
    """Twist about the bone so the next bone bends toward ``bend_dir`` (rest frame); blended out
    as the limb straightens, where the hinge plane is undefined."""
    length = np.linalg.norm(rest_bone)
    if length < 1e-9:
        return G  # a zero-length bone has no direction to twist about
    t = rest_bone / length
    s = np.einsum("...ba,...b->...a", G, actual_next)  # next bone in the joint's frame
    s = s / np.maximum(np.linalg.norm(s, axis=-1, keepdims=True), 1e-9)
    p = s - (s @ t)[..., None] * t
    pn = np.linalg.norm(p, axis=-1)
    b = np.asarray(bend_dir) - (np.asarray(bend_dir) @ t) * t
    b = b / np.linalg.norm(b)
    # Signed angle from b to p about t; rotating the frame by it maps b onto p.
    ang = np.arctan2((np.cross(b, p) * t).sum(-1), (p * b).sum(-1))
    weight = np.clip((pn - np.sin(np.radians(8))) / (np.sin(np.radians(25)) - np.sin(np.radians(8))), 0.0, 1.0)
    return G @ _axis_angle_matrix(np.broadcast_to(t, p.shape), ang * weight)


def inverse_kinematics(joints: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., 22, 3) positions, (22, 3) rest offsets -> (..., 22, 3, 3) local rotations, (..., 3) root.

    Bone directions are matched exactly, so FK with offsets of the same bone lengths gives back the
    positions; at the pelvis and chest (three children each) the fit is least-squares. Joints with
    no child in the 22 (head, wrists, toes) keep their parent's orientation.
    """
    J = _check_joints(joints)
    off = np.asarray(offsets, dtype=np.float64)
    if off.shape != (NUM_JOINTS, 3):
        raise ValueError(f"inverse_kinematics: offsets must be ({NUM_JOINTS}, 3), got {off.shape}")
    lead = J.shape[:-2]
    G = np.empty(lead + (NUM_JOINTS, 3, 3))
    eye = np.broadcast_to(np.eye(3), lead + (3, 3))
    for j in range(NUM_JOINTS):
        p = PARENTS[j]
        Gp = eye if p < 0 else G[..., p, :, :]
        kids = _CHILDREN[j]
        if not kids:
            G[..., j, :, :] = Gp
        elif len(kids) > 1:
            actual = J[..., kids, :] - J[..., j:j + 1, :]
            G[..., j, :, :] = _fit_rotation(off[kids], actual)
        else:
            c = kids[0]
            carried = np.einsum("...ab,b->...a", Gp, off[c])
            swing = rotation_between(carried, J[..., c, :] - J[..., j, :])
            Gj = swing @ Gp
            if j in _HINGES:
                child, grand, bend = _HINGES[j]
                Gj = _hinge_twist(Gj, off[c], J[..., grand, :] - J[..., child, :], np.array(bend))
            G[..., j, :, :] = Gj
    L = np.empty_like(G)
    L[..., 0, :, :] = G[..., 0, :, :]
    for j in range(1, NUM_JOINTS):
        L[..., j, :, :] = np.swapaxes(G[..., PARENTS[j], :, :], -1, -2) @ G[..., j, :, :]
    return L, J[..., 0, :].copy()


# Branching joints: (joint, child along the spine, left child, right child).
_BRANCHES = ((0, 3, 1, 2), (9, 12, 13, 14))


def branch_frames(joints: np.ndarray, joint: int, up_child: int, left: int, right: int) -> np.ndarray:
    """(..., 22, 3) -> (..., 3, 3) orthonormal frames at a branching joint: Y toward the spine child,
    X toward the left child, Z forward. Upright and facing +Z in a rest pose by definition."""
    J = _check_joints(joints)
    y = J[..., up_child, :] - J[..., joint, :]
    y = y / np.maximum(np.linalg.norm(y, axis=-1, keepdims=True), 1e-9)
    x = J[..., left, :] - J[..., right, :]
    x = x - (x * y).sum(-1, keepdims=True) * y
    x = x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)
    z = np.cross(x, y)
    return np.stack([x, y, z], axis=-1)


def fit_rest_offsets(joints: np.ndarray, base_offsets: np.ndarray) -> np.ndarray:
    """Rest offsets for a clip: ``base_offsets`` (a T-/A-pose with the clip's bone lengths) with the
    children of the pelvis and chest placed as they sit in this clip (median over frames, in the
    branch's own upright frame). Without this, the least-squares fit at those joints could not
    reproduce a skeleton whose hips or collars sit differently from the reference body's."""
    J = _check_joints(joints).reshape(-1, NUM_JOINTS, 3)
    off = np.array(base_offsets, dtype=np.float64, copy=True)
    for joint, up_child, left, right in _BRANCHES:
        F = branch_frames(J, joint, up_child, left, right)  # (T, 3, 3)
        for c in (up_child, left, right):
            local = np.einsum("tba,tb->ta", F, J[:, c] - J[:, joint])
            off[c] = np.median(local, axis=0)
    return off


def rigidify(joints: np.ndarray) -> np.ndarray:
    """Project joint positions onto a rigid SMPL-22 skeleton (constant bone lengths, pelvis and chest
    children fixed to their parent), keeping every bone's direction. Retargeted mocap whose source
    bones stretch, or whose hips hang from their own joints, becomes exactly what a rotation-only
    rig (BVH, FBX, glTF) can play back."""
    from .skeleton import bone_lengths, rest_offsets

    J = _check_joints(joints)
    lengths = np.median(bone_lengths(J.reshape(-1, NUM_JOINTS, 3)), axis=0)
    offsets = fit_rest_offsets(J, rest_offsets("tpose", lengths))
    rots, root = inverse_kinematics(J, offsets)
    return forward_kinematics(rots, root, offsets)[0]
