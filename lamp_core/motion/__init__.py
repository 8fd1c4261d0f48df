"""Motion math: the SMPL-22 skeleton, rotations, kinematics, HumanML3D features, retargeting, Motion."""

from .motion import HML3D_FPS, Motion, Provenance
from .skeleton import JOINT_NAMES, NUM_JOINTS, PARENTS

__all__ = ["Motion", "Provenance", "HML3D_FPS", "JOINT_NAMES", "NUM_JOINTS", "PARENTS"]
