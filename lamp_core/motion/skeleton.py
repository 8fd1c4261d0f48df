"""The 22-joint SMPL skeleton of HumanML3D: names, parents, chains, rest directions, reference body.

Axes: metres, +Y up, the body faces +Z, its left side is +X (SMPL's convention).
"""

from __future__ import annotations

import numpy as np

JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2",
    "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot", "neck",
    "left_collar", "right_collar", "head", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
)
NUM_JOINTS = len(JOINT_NAMES)
JOINT_INDEX = {name: i for i, name in enumerate(JOINT_NAMES)}

PARENTS: tuple[int, ...] = (-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19)

# HumanML3D's kinematic chains (paramUtil.t2m_kinematic_chain): right leg, left leg, spine, right arm, left arm.
KINEMATIC_CHAINS: tuple[tuple[int, ...], ...] = (
    (0, 2, 5, 8, 11),
    (0, 1, 4, 7, 10),
    (0, 3, 6, 9, 12, 15),
    (9, 14, 17, 19, 21),
    (9, 13, 16, 18, 20),
)

# Rest bone directions HumanML3D's feature IK measures rotations against (paramUtil.t2m_raw_offsets).
# Arms hang down here; this is part of the 263-d feature definition, not an export rest pose.
HML3D_RAW_OFFSETS = np.array(
    [[0, 0, 0], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, -1, 0], [0, 1, 0], [0, -1, 0],
     [0, -1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0], [1, 0, 0], [-1, 0, 0], [0, 0, 1],
     [0, -1, 0], [0, -1, 0], [0, -1, 0], [0, -1, 0], [0, -1, 0], [0, -1, 0]],
    dtype=np.float64,
)

# Joints HumanML3D uses to find the facing direction: right hip, left hip, right shoulder, left shoulder.
FACE_JOINTS = (2, 1, 17, 16)
LEFT_FOOT_JOINTS = (7, 10)   # ankle, toe ("foot" in SMPL)
RIGHT_FOOT_JOINTS = (8, 11)
LEFT_JOINTS = (1, 4, 7, 10, 13, 16, 18, 20)
RIGHT_JOINTS = (2, 5, 8, 11, 14, 17, 19, 21)

# Index map that swaps left and right joints (used by mirroring).
MIRROR_PERMUTATION = np.arange(NUM_JOINTS)
MIRROR_PERMUTATION[list(LEFT_JOINTS)] = RIGHT_JOINTS
MIRROR_PERMUTATION[list(RIGHT_JOINTS)] = LEFT_JOINTS

# A neutral adult in T-pose (close to SMPL's neutral template joints, made symmetric, with straight
# legs and arms so the rest pose has no hidden bend), metres, feet on the floor. Bone lengths of this body are the canonical reference skeleton.
_HALF = {  # joint -> (x, y relative to pelvis, z) for the left side and the midline
    "pelvis": (0.0, 0.0, 0.0),
    "left_hip": (0.0705, -0.0905, -0.0030),
    "spine1": (0.0, 0.1090, -0.0260),
    "left_knee": (0.0804, -0.4657, -0.0282),
    "spine2": (0.0, 0.2440, -0.0010),
    "left_ankle": (0.0910, -0.8640, -0.0550),
    "spine3": (0.0, 0.2970, 0.0000),
    "left_foot": (0.1170, -0.9200, 0.0640),
    "neck": (0.0, 0.5125, -0.0420),
    "left_collar": (0.0790, 0.4210, -0.0350),
    "head": (0.0, 0.5805, 0.0220),
    "left_shoulder": (0.1740, 0.4580, -0.0430),
    "left_elbow": (0.4340, 0.4560, -0.0551),
    "left_wrist": (0.6890, 0.4540, -0.0670),
}
PELVIS_HEIGHT = 0.95


def _reference_tpose() -> np.ndarray:
    out = np.zeros((NUM_JOINTS, 3))
    for name, (x, y, z) in _HALF.items():
        out[JOINT_INDEX[name]] = (x, y + PELVIS_HEIGHT, z)
        if name.startswith("left_"):
            out[JOINT_INDEX["right_" + name[5:]]] = (-x, y + PELVIS_HEIGHT, z)
    return out


REFERENCE_TPOSE = _reference_tpose()
REFERENCE_TPOSE.setflags(write=False)

# Chain used to measure stature independent of posture: ankle-knee-hip-pelvis-spine-neck-head.
_STATURE_CHAIN = (7, 4, 1, 0, 3, 6, 9, 12, 15)
# The top of the head and the sole lie beyond the head and ankle joints; this factor makes the
# reference body 1.70 m tall.
REFERENCE_STATURE = 1.70


def bone_lengths(joints: np.ndarray) -> np.ndarray:
    """(..., 22, 3) positions -> (..., 22) length of the bone from each joint's parent (0 for the root)."""
    j = np.asarray(joints, dtype=np.float64)
    if j.shape[-2:] != (NUM_JOINTS, 3):
        raise ValueError(f"bone_lengths: expected (..., {NUM_JOINTS}, 3), got {j.shape}")
    parent = np.array([p if p >= 0 else 0 for p in PARENTS])
    return np.linalg.norm(j - j[..., parent, :], axis=-1)


def _chain_length(joints: np.ndarray) -> np.ndarray:
    j = np.asarray(joints, dtype=np.float64)
    c = list(_STATURE_CHAIN)
    return np.linalg.norm(j[..., c[1:], :] - j[..., c[:-1], :], axis=-1).sum(-1)


_STATURE_FACTOR = REFERENCE_STATURE / float(_chain_length(REFERENCE_TPOSE))


def stature(joints: np.ndarray) -> float:
    """Estimated standing height in metres of a (T, 22, 3) or (22, 3) motion, whatever its pose."""
    j = np.asarray(joints, dtype=np.float64).reshape(-1, NUM_JOINTS, 3)
    return float(np.median(_chain_length(j)) * _STATURE_FACTOR)


def rest_offsets(pose: str = "tpose", lengths: np.ndarray | None = None) -> np.ndarray:
    """(22, 3) parent-relative offsets of a rest pose ("tpose" or "apose") with the given bone lengths.

    ``lengths`` (22,) default to the reference body's. The A-pose lowers the arms 45 degrees from
    the shoulders down.
    """
    if pose not in ("tpose", "apose"):
        raise ValueError(f"rest pose must be 'tpose' or 'apose', got {pose!r}")
    ref = REFERENCE_TPOSE
    parent = np.array([p if p >= 0 else 0 for p in PARENTS])
    offsets = ref - ref[parent]
    offsets[0] = ref[0]
    if lengths is not None:
        lengths = np.asarray(lengths, dtype=np.float64)
        if lengths.shape != (NUM_JOINTS,):
            raise ValueError(f"rest_offsets: lengths must be ({NUM_JOINTS},), got {lengths.shape}")
        norms = np.linalg.norm(offsets[1:], axis=-1, keepdims=True)
        offsets[1:] = offsets[1:] / norms * lengths[1:, None]
    if pose == "apose":
        c, s = np.cos(np.pi / 4), np.sin(np.pi / 4)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            # Rotate the arm bones about the body's forward axis (Z) so the arm points down-out.
            rot = np.array([[c, sign * s, 0.0], [-sign * s, c, 0.0], [0.0, 0.0, 1.0]])
            for name in ("elbow", "wrist"):
                k = JOINT_INDEX[f"{side}_{name}"]
                offsets[k] = rot @ offsets[k]
    return offsets
