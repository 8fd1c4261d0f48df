"""One export call with every option the writers offer, so the app's Export dialog and scripts apply
them in the same order as ``lamp convert``: foot cleanup on the whole clip, then frame range, in-place
and frame rate (the rigged formats - BVH, FBX, glTF, SMPL .npz - resample on their rig, .npy on
positions). Every writer writes atomically."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import LampError
from .formats import writable_suffixes, write
from .formats.bvh import prepare_for_export
from .motion.motion import HML3D_FPS, Motion, resampled_frame_count

FORMAT_LABELS = {".bvh": "BVH (SMPL-22 skeleton, rotations)", ".npy": "HumanML3D .npy (joints or 263-d features)",
                 ".fbx": "FBX 7.4 binary (skeleton, or skinned body)", ".glb": "glTF binary .glb (skinned body)",
                 ".gltf": "glTF .gltf (skinned body, embedded buffer)",
                 ".npz": "SMPL parameters .npz (AMASS-style poses/trans)"}
BVH_ONLY = ("rest", "names", "units")
NPY_ONLY = ("features",)
# Per-format options beyond the common ones; every format here resamples on its rig.
RIG_OPTIONS = {".bvh": BVH_ONLY, ".fbx": ("rest", "names", "body"), ".glb": ("rest", "names", "body"),
               ".gltf": ("rest", "names", "body"), ".npz": ()}


@dataclass(frozen=True)
class ExportOptions:
    fps: float | None = None                     # None: the clip's own (BVH) / 20 fps (.npy)
    in_place: bool = False                       # hold the root over its first ground position
    frame_range: tuple[int, int] | None = None   # [start, end) in the clip's frames
    foot_cleanup: bool = False                   # lock planted feet (lamp_core.motion.foot_cleanup)
    rest: str = "tpose"                          # BVH rest pose: tpose | apose
    names: str = "smpl"                          # BVH joint names: smpl | mixamo
    units: str = "m"                             # BVH length unit: m | cm
    features: bool = False                       # .npy: 263-d features instead of joints
    body: bool | None = None                     # FBX/glTF: skinned body mesh (None: glTF yes, FBX no)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["frame_range"] = list(self.frame_range) if self.frame_range else None
        return d


def options_for(suffix: str) -> tuple[str, ...]:
    """Which ExportOptions fields a format reads (the dialog greys out the rest)."""
    common = ("fps", "in_place", "frame_range", "foot_cleanup")
    s = suffix.lower()
    if s in RIG_OPTIONS:
        return common + RIG_OPTIONS[s]
    if s == ".npy":
        return common + NPY_ONLY
    raise LampError(f"cannot write '{suffix}' files; supported: {', '.join(writable_suffixes())}")


def _check_range(motion: Motion, frame_range) -> tuple[int, int] | None:
    if frame_range is None:
        return None
    a, b = (int(x) for x in frame_range)
    if not 0 <= a < b <= motion.n_frames:
        raise LampError(f"frame range {a}-{b} is outside the clip's 0-{motion.n_frames} frames")
    return None if (a, b) == (0, motion.n_frames) else (a, b)


def export_motion(motion: Motion, path: str | Path, options: ExportOptions = ExportOptions()
                  ) -> tuple[Path, int, float]:
    """Write ``motion`` to ``path`` (the suffix picks the format); returns the path and the frame count
    and rate written (for a summary line)."""
    p = Path(path)
    options_for(p.suffix)
    if options.fps is not None and not 0.1 <= float(options.fps) <= 1000:
        raise LampError(f"fps must be between 0.1 and 1000, got {options.fps:g}")
    frame_range = _check_range(motion, options.frame_range)
    m = motion
    if options.foot_cleanup:
        from .motion.foot_cleanup import cleanup_feet
        m = cleanup_feet(m)
    suffix = p.suffix.lower()
    if suffix in RIG_OPTIONS:  # these writers resample on their rig (rotations), not on positions
        extra = {k: getattr(options, k) for k in RIG_OPTIONS[suffix] if getattr(options, k) is not None}
        out = write(m, p, fps=options.fps, in_place=options.in_place, frame_range=frame_range, **extra)
        n = (frame_range[1] - frame_range[0]) if frame_range else m.n_frames
        fps = float(options.fps or m.fps)
        return out, resampled_frame_count(n, m.fps, fps), fps
    written = prepare_for_export(m, options.fps, options.in_place, frame_range, options.rest)
    out = write(written, p, features=options.features, fps=written.fps)
    if options.features:  # 263-d features are always at 20 fps, one row fewer than the frames
        return out, len(written.features), HML3D_FPS
    return out, written.n_frames, written.fps
