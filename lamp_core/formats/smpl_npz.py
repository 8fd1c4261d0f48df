"""SMPL pose parameters in an AMASS-style .npz: ``poses`` (T, 72) axis-angle per SMPL joint (24, the
two hand joints included), ``trans`` (T, 3), ``betas`` (10), ``mocap_framerate``, ``gender``.

Why: SMPL parameters are what body-model tools (AMASS, smplx, renderers) consume. Written Z up like
AMASS (``up="y"`` for Y-up tools). ``betas`` are fitted to the clip's bone lengths in the shape space
of the body in use (recorded as ``shape_space``), poses are relative to that shaped rest skeleton,
so smplx posing the same body reproduces the clip's joints. Read: SMPL (T, 72), SMPL+H (T, 156) or
SMPL-X (T, 165) poses (the first 22 joints are shared), forward kinematics of the body's rest
skeleton (shaped by ``betas`` only when they are in its shape space), turned Y up, resampled to
20 fps. Only plain arrays are loaded (``allow_pickle=False``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from ..body.model import DEFAULT_BODY, ENV_VAR
from ..errors import MotionFormatError
from ..motion.kinematics import forward_kinematics
from ..motion.motion import HML3D_FPS, Motion, Provenance
from ..motion.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from ..motion.skeleton import NUM_JOINTS
from .atomic import atomic_write_bytes
from .skeleton_export import resample_tracks

# Y-up (ours) -> Z-up (AMASS): a quarter turn about +X, (x, y, z) -> (x, -z, y).
Y_TO_Z = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
POSE_WIDTHS = {72: "SMPL", 156: "SMPL+H", 165: "SMPL-X"}
MAX_FRAMES = 10_000_000
GENERATED_SHAPES = "lamp_body_neutral"   # written as ``shape_space``: betas in the generated body's space


def _shape_space(body) -> str:
    """Whose shape coefficients ``body`` understands: the generated body's own, or SMPL's."""
    return GENERATED_SHAPES if Path(body.source).name == DEFAULT_BODY.name else "SMPL"


def _body(betas=None):
    from ..body.model import load_body
    return load_body(betas=betas)


def _rest_offsets(body) -> np.ndarray:
    Jb = np.asarray(body.joints, dtype=np.float64)[:NUM_JOINTS]
    par = np.maximum(np.array(body.parents[:NUM_JOINTS]), 0)
    off = Jb - Jb[par]
    off[0] = Jb[0]
    return off


def fit_betas(body, lengths: np.ndarray, n: int = 10, ridge: float = 1e-6, limit: float = 10.0) -> np.ndarray:
    """Shape coefficients whose rest skeleton has bone lengths closest to ``lengths`` (22,): the rest
    joints are linear in the betas, so this is a least-squares fit to the body's bones rescaled to
    those lengths (a little ridge keeps it near the mean shape)."""
    if body.shapedirs is None:
        return np.zeros(n)
    n = min(n, body.shapedirs.shape[-1])
    J0 = np.asarray(body.joints, dtype=np.float64)[:NUM_JOINTS]
    D = np.einsum("jv,vck->jck", body.j_regressor[:NUM_JOINTS].astype(np.float64),
                  body.shapedirs[..., :n].astype(np.float64))               # (22, 3, n) joint moves per beta
    par = np.maximum(np.array(body.parents[:NUM_JOINTS]), 0)
    bones0, dbones = (J0 - J0[par])[1:], (D - D[par])[1:]                  # (21, 3), (21, 3, n)
    target = bones0 / np.maximum(np.linalg.norm(bones0, axis=1, keepdims=True), 1e-9) * lengths[1:, None]
    A, y = dbones.reshape(-1, n), (target - bones0).reshape(-1)
    beta = np.linalg.solve(A.T @ A + ridge * np.eye(n), A.T @ y)
    return np.clip(beta, -limit, limit)


def params_to_joints(poses: np.ndarray, trans: np.ndarray, body) -> np.ndarray:
    """(T, >=66) axis-angle poses and (T, 3) trans -> (T, 22, 3) joints in the file's own frame: FK
    of ``body``'s rest skeleton, the pelvis at rest pelvis + trans (SMPL's convention)."""
    aa = np.asarray(poses, dtype=np.float64)[:, :NUM_JOINTS * 3].reshape(-1, NUM_JOINTS, 3)
    off = _rest_offsets(body)
    return forward_kinematics(axis_angle_to_matrix(aa), np.asarray(trans, dtype=np.float64) + off[0], off)[0]


def _field(z, path: Path, name: str, alt: tuple[str, ...] = ()) -> np.ndarray | None:
    for key in (name,) + alt:
        if key in z.files:
            try:
                arr = z[key]
            except ValueError:
                raise MotionFormatError(path, f"field '{key}' is not a plain array (object arrays are "
                                              "never loaded)") from None
            return arr
    return None


def read(path: str | Path, fps: float = HML3D_FPS, on_floor: bool = True, up: str = "auto") -> Motion:
    """An SMPL/SMPL+H/SMPL-X parameter .npz as a Motion (see the module notes); ``up`` is "z", "y" or
    "auto" (judged from the pelvis->head direction, as for BVH)."""
    path = Path(path)
    if not path.is_file():
        raise MotionFormatError(path, "file not found" if not path.exists() else "is not a file")
    with open(path, "rb") as f:
        magic = f.read(6)
    if not magic.startswith(b"PK"):
        what = "a single .npy array" if magic == b"\x93NUMPY" else "not a zip archive"
        raise MotionFormatError(path, f"expected an .npz archive of SMPL parameters (poses, trans, ...); "
                                      f"the file is {what}")
    try:
        z = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as e:
        raise MotionFormatError(path, f"not a readable .npz archive ({e})") from None
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise MotionFormatError(path, "expected an .npz archive of SMPL parameters, found a single array")
    with z:
        poses = _field(z, path, "poses")
        trans = _field(z, path, "trans")
        betas = _field(z, path, "betas")
        rate = _field(z, path, "mocap_framerate", ("mocap_frame_rate", "fps"))
        marked = _field(z, path, "up_axis")
        shape_space = _field(z, path, "shape_space")
        if poses is None:
            found = ", ".join(z.files) or "nothing"
            raise MotionFormatError(path, f"missing field 'poses' (SMPL axis-angle, (T, 72)); the archive holds {found}")
    if poses.ndim != 2 or poses.shape[1] not in POSE_WIDTHS or not np.issubdtype(poses.dtype, np.number):
        raise MotionFormatError(path, f"field 'poses': expected (T, 72) SMPL, (T, 156) SMPL+H or (T, 165) SMPL-X "
                                      f"numbers, found {poses.shape} {poses.dtype}")
    T = len(poses)
    if not 1 <= T <= MAX_FRAMES:
        raise MotionFormatError(path, f"field 'poses': {T} frames")
    if trans is None:
        raise MotionFormatError(path, "missing field 'trans' (root translation, (T, 3))")
    if trans.shape != (T, 3) or not np.issubdtype(trans.dtype, np.number):
        raise MotionFormatError(path, f"field 'trans': expected ({T}, 3) numbers to match 'poses', found "
                                      f"{trans.shape} {trans.dtype}")
    if betas is not None and (betas.ndim > 2 or not np.issubdtype(betas.dtype, np.number)):
        raise MotionFormatError(path, f"field 'betas': expected (B,) numbers, found {betas.shape} {betas.dtype}")
    src_fps = HML3D_FPS
    if rate is not None:
        if rate.size != 1 or not np.issubdtype(rate.dtype, np.number) or not 0.1 <= float(rate) <= 1000:
            raise MotionFormatError(path, f"field 'mocap_framerate': expected one rate in 0.1-1000, found {rate!r}")
        src_fps = float(rate)
    for name, arr in (("poses", poses), ("trans", trans), ("betas", betas)):
        if arr is not None and not np.isfinite(arr).all():
            raise MotionFormatError(path, f"field '{name}' contains NaN or infinite values")
    if up == "auto" and marked is not None and marked.size == 1 and str(marked).lower() in ("y", "z"):
        up = str(marked).lower()  # our own files say which way is up
    body = _body()
    notes = [f"{POSE_WIDTHS[poses.shape[1]]} parameters at {src_fps:g} fps"]
    if betas is not None and betas.size and body.shapedirs is not None and np.abs(betas).max() > 0:
        if _shape_space(body) == (str(shape_space) if shape_space is not None and shape_space.size == 1 else "SMPL"):
            body = body.shaped(betas.reshape(-1)[:body.shapedirs.shape[-1]])  # (T, B): the first row's shape
        else:
            notes.append("betas ignored: they are SMPL's shape space, not the generated body's "
                         f"(set {ENV_VAR} to an SMPL model to use them)")
    rots = axis_angle_to_matrix(poses[:, :NUM_JOINTS * 3].astype(np.float64).reshape(T, NUM_JOINTS, 3))
    off = _rest_offsets(body)
    rots, root = resample_tracks(rots, trans.astype(np.float64) + off[0], src_fps, fps)
    joints = forward_kinematics(rots, root, off)[0]
    if up == "z":
        joints = joints @ Y_TO_Z  # Z up -> Y up: the inverse (transpose) of Y_TO_Z, row vectors
        notes.append("turned Z up to Y up")
    elif up == "auto":
        from .bvh import _up_axis_fix
        joints, note = _up_axis_fix(joints)
        if note:
            notes.append(note)
    elif up != "y":
        raise ValueError(f"up must be 'auto', 'y' or 'z', got {up!r}")
    if on_floor:
        joints[..., 1] -= joints[..., 1].min()
    return Motion(joints, fps, Provenance(source=str(path), notes=tuple(notes)))


def to_params(motion: Motion, fps: float | None = None, in_place: bool = False,
              frame_range: tuple[int, int] | None = None, up: str = "z", body=None) -> dict[str, np.ndarray]:
    """The arrays ``write`` stores: the clip's bone directions on the body's own rest skeleton."""
    if up not in ("y", "z"):
        raise ValueError(f"up must be 'y' or 'z', got {up!r}")
    m = motion
    if frame_range is not None:
        m = m.trim(*frame_range)
    if in_place:
        m = m.in_place()
    base = body or _body()
    betas = fit_betas(base, m.bone_lengths)
    body = base.shaped(betas)
    rig = body.rig(m, fit=False, level_toes=False)
    J = rig.local.shape[1]
    local = rig.local[:, :24] if J >= 24 else np.concatenate(
        [rig.local, np.broadcast_to(np.eye(3), (len(rig.local), 24 - J, 3, 3))], axis=1)
    out_fps = float(fps or m.fps)
    local, pelvis = resample_tracks(local, rig.positions[:, 0], m.fps, out_fps)
    if up == "z":
        local = local.copy()
        local[:, 0] = Y_TO_Z @ local[:, 0]
        pelvis = pelvis @ Y_TO_Z.T
    trans = pelvis - np.asarray(rig.rest_joints[0], dtype=np.float64)
    return {"poses": matrix_to_axis_angle(local).reshape(len(local), 72), "trans": trans,
            "betas": np.pad(betas, (0, 10 - len(betas))), "mocap_framerate": np.array(out_fps), "gender": np.array("neutral"),
            "up_axis": np.array(up.upper()), "shape_space": np.array(_shape_space(base))}


def write(motion: Motion, path: str | Path, fps: float | None = None, in_place: bool = False,
          frame_range: tuple[int, int] | None = None, up: str = "z", **_ignored) -> Path:
    """An AMASS-style SMPL parameter .npz (see the module notes)."""
    buf = io.BytesIO()
    np.savez(buf, **to_params(motion, fps, in_place, frame_range, up))
    return atomic_write_bytes(path, buf.getvalue())
