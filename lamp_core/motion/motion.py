"""``Motion``: the value every part of LaMP Studio hands on.

Joint positions (T, 22, 3) in metres, +Y up, at a known fps, with provenance. Immutable: every
edit returns a new Motion, so undo stacks and caches stay trivially correct. Derived views
(HumanML3D features, local rotations, foot contacts) are computed once on demand.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from . import features as hml
from .kinematics import fit_rest_offsets, inverse_kinematics
from .skeleton import MIRROR_PERMUTATION, NUM_JOINTS, bone_lengths, rest_offsets, stature

HML3D_FPS = 20.0


@dataclass(frozen=True)
class Provenance:
    """Where a motion came from: a file, or a prompt + seed + model."""
    source: str | None = None
    prompt: str | None = None
    seed: int | None = None
    model: str | None = None
    caption: str | None = None
    license: str | None = None
    notes: tuple[str, ...] = ()

    def replace(self, **changes: Any) -> "Provenance":
        return dataclasses.replace(self, **changes)

    def noted(self, note: str) -> "Provenance":
        return dataclasses.replace(self, notes=self.notes + (note,))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["notes"] = list(self.notes)
        return {k: v for k, v in d.items() if v not in (None, [], ())}

    @classmethod
    def from_dict(cls, d: dict) -> "Provenance":
        known = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        if "notes" in kw:
            kw["notes"] = tuple(kw["notes"])
        return cls(**kw)


@dataclass(frozen=True, eq=False)
class Motion:
    joints: np.ndarray
    fps: float = HML3D_FPS
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        j = np.asarray(self.joints)
        if j.ndim != 3 or j.shape[1:] != (NUM_JOINTS, 3):
            raise ValueError(f"Motion.joints must have shape (T, {NUM_JOINTS}, 3), got {j.shape}")
        if j.shape[0] < 1:
            raise ValueError("Motion needs at least one frame")
        if not np.issubdtype(j.dtype, np.number):
            raise ValueError(f"Motion.joints must be numeric, got {j.dtype}")
        j = np.ascontiguousarray(j, dtype=np.float32)
        if not np.isfinite(j).all():
            bad = int(np.argwhere(~np.isfinite(j).reshape(j.shape[0], -1).all(1))[0, 0])
            raise ValueError(f"Motion.joints has NaN or infinite values (first at frame {bad})")
        j.setflags(write=False)
        object.__setattr__(self, "joints", j)
        fps = float(self.fps)
        if not np.isfinite(fps) or not (0.1 <= fps <= 1000.0):
            raise ValueError(f"Motion.fps must be between 0.1 and 1000, got {self.fps}")
        object.__setattr__(self, "fps", fps)

    # ------------------------------------------------------------------ basics
    @property
    def n_frames(self) -> int:
        return int(self.joints.shape[0])

    def __len__(self) -> int:
        return self.n_frames

    @property
    def duration(self) -> float:
        """Seconds from the first to one frame past the last frame."""
        return self.n_frames / self.fps

    def replace(self, **changes: Any) -> "Motion":
        return dataclasses.replace(self, **changes)

    def with_provenance(self, **changes: Any) -> "Motion":
        return dataclasses.replace(self, provenance=self.provenance.replace(**changes))

    def allclose(self, other: "Motion", atol: float = 1e-5) -> bool:
        return (self.joints.shape == other.joints.shape and abs(self.fps - other.fps) < 1e-9
                and bool(np.allclose(self.joints, other.joints, atol=atol)))

    def __repr__(self) -> str:
        what = self.provenance.prompt or self.provenance.source or "motion"
        return f"Motion({what!r}, {self.n_frames} frames @ {self.fps:g} fps, {self.duration:.2f} s)"

    # ---------------------------------------------------------------- edits
    def resample(self, fps: float) -> "Motion":
        """Linear interpolation of joint positions onto a new frame rate, same start and span."""
        fps = float(fps)
        if not np.isfinite(fps) or not (0.1 <= fps <= 1000.0):
            raise ValueError(f"fps must be between 0.1 and 1000, got {fps}")
        if abs(fps - self.fps) < 1e-9:
            return self
        return self.replace(joints=resample_positions(self.joints, self.fps, fps), fps=fps)

    def trim(self, start: int, end: int | None = None) -> "Motion":
        """Frames [start, end) (Python slice semantics, negative indices allowed)."""
        sl = slice(start, end)
        a, b, _ = sl.indices(self.n_frames)
        if b <= a:
            raise ValueError(f"trim({start}, {end}) leaves no frames of {self.n_frames}")
        return self.replace(joints=self.joints[a:b])

    def mirror(self) -> "Motion":
        """Swap left and right (x -> -x and the joint labels), as HumanML3D's M-prefixed clips."""
        j = self.joints[:, MIRROR_PERMUTATION].copy()
        j[..., 0] *= -1
        return self.replace(joints=j)

    def in_place(self) -> "Motion":
        """Hold the root's ground position at the first frame's; keeps height and turning."""
        j = self.joints.astype(np.float64)
        drift = j[:, 0] - j[:1, 0]
        drift[:, 1] = 0.0
        return self.replace(joints=j - drift[:, None, :])

    def translated(self, offset) -> "Motion":
        return self.replace(joints=self.joints.astype(np.float64) + np.asarray(offset, dtype=np.float64))

    def canonical(self) -> "Motion":
        """On the floor, at the origin, facing +Z at frame 0 (HumanML3D's frame of reference)."""
        return self.replace(joints=hml.canonicalize(self.joints))

    def on_floor(self) -> "Motion":
        """Lowest joint over the clip at y = 0."""
        j = self.joints.astype(np.float64)
        j[..., 1] -= j[..., 1].min()
        return self.replace(joints=j)

    def concatenate(self, other: "Motion", continue_path: bool = True) -> "Motion":
        """Append ``other`` (resampled to this fps). With ``continue_path`` its ground path is moved
        so its first root position sits on this clip's last one; the frames are not blended."""
        o = other.resample(self.fps).joints.astype(np.float64)
        if continue_path:
            shift = self.joints[-1, 0].astype(np.float64) - o[0, 0]
            shift[1] = 0.0
            o = o + shift
        return self.replace(joints=np.concatenate([self.joints, o], axis=0))

    # ---------------------------------------------------------------- derived views
    @cached_property
    def features(self) -> np.ndarray:
        """(T'-1, 263) HumanML3D features of this motion at 20 fps, canonicalized."""
        m = self.resample(HML3D_FPS)
        if m.n_frames < 2:
            raise ValueError("HumanML3D features need at least 2 frames at 20 fps")
        return hml.joints_to_features(m.joints).astype(np.float32)

    @classmethod
    def from_features(cls, features: np.ndarray, provenance: Provenance | None = None) -> "Motion":
        f = np.asarray(features)
        if f.ndim != 2 or f.shape[1] != hml.FEATURE_DIM:
            raise ValueError(f"features must have shape (T, {hml.FEATURE_DIM}), got {f.shape}")
        return cls(hml.features_to_joints(f), HML3D_FPS, provenance or Provenance())

    @cached_property
    def bone_lengths(self) -> np.ndarray:
        """(22,) median length of each bone over the clip (0 for the root)."""
        return np.median(bone_lengths(self.joints), axis=0)

    @property
    def stature(self) -> float:
        return stature(self.joints)

    @cached_property
    def foot_contacts(self) -> np.ndarray:
        """(T, 4) booleans, HumanML3D's rule (L ankle, L toe, R ankle, R toe), last frame repeated."""
        if self.n_frames < 2:
            return np.zeros((self.n_frames, 4), dtype=bool)
        scale = self.fps / HML3D_FPS  # the threshold is per 20 fps frame
        c = hml.foot_contacts(self.joints, hml.FOOT_CONTACT_THRESHOLD / scale ** 2) > 0.5
        return np.concatenate([c, c[-1:]], axis=0)

    @property
    def root_trajectory(self) -> np.ndarray:
        """(T, 3) the root projected on the ground."""
        r = self.joints[:, 0].astype(np.float64).copy()
        r[:, 1] = 0.0
        return r

    def local_rotations(self, rest: str = "tpose") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Local joint rotations (T, 22, 3, 3), root positions (T, 3) and rest offsets (22, 3) for a
        skeleton with this motion's bone lengths in the given rest pose."""
        cache = self.__dict__.setdefault("_rot_cache", {})
        if rest not in cache:
            offsets = fit_rest_offsets(self.joints, rest_offsets(rest, self.bone_lengths))
            rots, root = inverse_kinematics(self.joints, offsets)
            cache[rest] = (rots, root, offsets)
        return cache[rest]

    # ---------------------------------------------------------------- files
    @classmethod
    def from_file(cls, path: str | Path, **options: Any) -> "Motion":
        from ..formats import read
        return read(path, **options)

    def save(self, path: str | Path, **options: Any) -> Path:
        from ..formats import write
        return write(self, path, **options)


def resampled_frame_count(n_src: int, src_fps: float, dst_fps: float) -> int:
    """Frames a clip of ``n_src`` frames has at another rate, same first frame and span (rates that
    differ by float noise, e.g. a BVH Frame Time of 0.0333333, count as equal)."""
    if abs(src_fps - dst_fps) <= 1e-6 * dst_fps:
        return n_src
    return int(np.floor((n_src - 1) * dst_fps / src_fps + 1e-4)) + 1


def resample_positions(joints: np.ndarray, src_fps: float, dst_fps: float) -> np.ndarray:
    """(T, ...) positions at src_fps -> (T', ...) at dst_fps by linear interpolation; frame 0 kept."""
    j = np.asarray(joints, dtype=np.float64)
    i0, i1, w = sample_times(j.shape[0], src_fps, dst_fps)
    w = w.reshape((-1,) + (1,) * (j.ndim - 1))
    return j[i0] * (1 - w) + j[i1] * w


def sample_times(n_src: int, src_fps: float, dst_fps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source frame pairs and weights for resampling (``resample_positions``, lazy readers)."""
    n = resampled_frame_count(n_src, src_fps, dst_fps)
    if n == n_src:
        idx = np.arange(n)
        return idx, idx, np.zeros(n)
    t = np.arange(n) * (src_fps / dst_fps)
    i0 = np.clip(np.floor(t).astype(int), 0, n_src - 1)
    i1 = np.clip(i0 + 1, 0, n_src - 1)
    return i0, i1, t - i0
