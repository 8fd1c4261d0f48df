"""HumanML3D arrays: joints (T, 22, 3) in metres at 20 fps, or 263-d features (T, 263).

Only plain numeric arrays are read (``allow_pickle=False``): a user's file never runs code.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..errors import MotionFormatError
from ..motion.features import FEATURE_DIM
from ..motion.motion import HML3D_FPS, Motion, Provenance
from ..motion.skeleton import NUM_JOINTS
from .atomic import atomic_write_bytes


def read(path: str | Path, fps: float = HML3D_FPS) -> Motion:
    path = Path(path)
    if not path.is_file():
        raise MotionFormatError(path, "file not found" if not path.exists() else "is not a file")
    try:
        arr = np.load(path, allow_pickle=False)
    except ValueError as e:
        raise MotionFormatError(path, f"not a plain numeric .npy array ({e})") from None
    except Exception as e:  # corrupt header, truncated data
        raise MotionFormatError(path, f"cannot read as a .npy array: {e}") from None
    if not isinstance(arr, np.ndarray) or not np.issubdtype(arr.dtype, np.number):
        raise MotionFormatError(path, f"expected a numeric array, found dtype {getattr(arr, 'dtype', type(arr))}")
    if arr.ndim == 2 and arr.shape[1] == NUM_JOINTS * 3:
        arr = arr.reshape(-1, NUM_JOINTS, 3)
    if arr.ndim == 3 and arr.shape[1] >= NUM_JOINTS and arr.shape[2] == 3:
        joints = arr[:, :NUM_JOINTS]  # HumanML3D new_joints; extra joints (hands) are ignored
        kind = "joints"
    elif arr.ndim == 2 and arr.shape[1] == FEATURE_DIM:
        kind = "features"
    else:
        raise MotionFormatError(path, f"expected HumanML3D joints (T, {NUM_JOINTS}, 3) or features (T, {FEATURE_DIM}), "
                                      f"found shape {arr.shape}")
    if arr.shape[0] < 1:
        raise MotionFormatError(path, "the array has zero frames")
    if not np.isfinite(arr).all():
        raise MotionFormatError(path, "the array contains NaN or infinite values")
    prov = Provenance(source=str(path), notes=(f"HumanML3D {kind}",))
    if kind == "features":
        if arr.shape[0] < 1:
            raise MotionFormatError(path, "features need at least one row")
        return Motion.from_features(arr, prov)
    return Motion(joints, fps, prov)


def write(motion: Motion, path: str | Path, features: bool = False, fps: float | None = None, **_ignored) -> Path:
    """Joints (T, 22, 3) float32 at 20 fps (or ``fps``), or with ``features`` the 263-d vectors."""
    if features:
        arr = motion.features
    else:
        arr = motion.resample(fps or HML3D_FPS).joints.astype(np.float32)
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return atomic_write_bytes(path, buf.getvalue())
