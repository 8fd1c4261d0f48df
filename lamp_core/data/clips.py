"""Takes -> clips: cut into 2-9.8 s windows, caption, mirror, and turn into HumanML3D arrays.

A take no longer than the longest clip is one clip; a longer take is cut into overlapping windows,
and a window only keeps labels that hold for the whole take (``captions_for(..., windowed=True)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..motion.features import canonicalize, joints_to_features, uniform_skeleton
from .captions import captions_for
from .labels import Take
from .text import mirror_text

SOURCE_PREFIX = {"bandai-namco-1": "bn1", "bandai-namco-2": "bn2", "cmu": "cmu", "reactidle": "idle",
                 "folder": "user", "synthetic": "syn"}


@dataclass(frozen=True)
class ClipConfig:
    """Clip lengths in seconds at the dataset frame rate (HumanML3D: 20 fps, 2-9.8 s)."""
    fps: float = 20.0
    min_seconds: float = 2.0
    max_seconds: float = 9.8
    hop_seconds: float = 5.0        # start-to-start spacing of windows in a long take
    captions_per_clip: int = 4

    @property
    def min_frames(self) -> int:
        return int(round(self.min_seconds * self.fps))

    @property
    def max_frames(self) -> int:
        return int(round(self.max_seconds * self.fps))

    @property
    def hop_frames(self) -> int:
        return max(1, int(round(self.hop_seconds * self.fps)))


@dataclass(frozen=True, eq=False)
class Clip:
    clip_id: str
    take: Take
    start: int                      # frame range of the take (dataset fps), end exclusive
    end: int
    captions: tuple[str, ...]
    windowed: bool
    mirrored: bool = False

    @property
    def content(self) -> str | None:
        c = self.take.labels.content
        return mirror_text(c) if c and self.mirrored else c

    @property
    def topic(self) -> str:
        """What the clip shows, for per-content stats: the content tag, "idle", the CMU description
        or "(user captions)"."""
        lab = self.take.labels
        return self.content or ("idle" if lab.idle else None) or (f"cmu: {lab.description}" if lab.description
                                                                  else "(user captions)")

    @property
    def style(self) -> str | None:
        return self.take.labels.style

    def joints(self) -> np.ndarray:
        j = self.take.motion.joints[self.start:self.end]
        if self.mirrored:
            from ..motion import Motion
            j = Motion(j).mirror().joints
        return j

    def mirror(self) -> "Clip":
        return Clip("M" + self.clip_id, self.take, self.start, self.end,
                    tuple(mirror_text(c) for c in self.captions), self.windowed, not self.mirrored)


def window_bounds(n_frames: int, cfg: ClipConfig) -> list[tuple[int, int]]:
    """Frame ranges covering a take: the whole take if it fits, else max-length windows ``hop``
    apart with the last one flush with the end. Too-short takes give none."""
    if n_frames < cfg.min_frames:
        return []
    if n_frames <= cfg.max_frames:
        return [(0, n_frames)]
    last = n_frames - cfg.max_frames
    starts = list(range(0, last + 1, cfg.hop_frames))
    if starts[-1] != last:
        starts.append(last)
    return [(s, s + cfg.max_frames) for s in starts]


def base_clip_id(take: Take) -> str:
    """A readable, file-safe clip name: ``bn2_walk_active_001``, ``cmu_02_01``, ``idle_001_acted``."""
    stem = take.take_id.split("/", 1)[-1]
    stem = re.sub(r"^dataset-\d_", "", stem)
    prefix = SOURCE_PREFIX.get(take.source, re.sub(r"[^a-z0-9]", "", take.source.lower())[:8] or "src")
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{prefix}_{stem}").strip("_")


def clips_of_take(take: Take, cfg: ClipConfig) -> tuple[list[Clip], dict[str, int]]:
    """The (unmirrored) clips of a take, and counts of what was dropped and why."""
    if take.motion.fps != cfg.fps:
        take = Take(take.take_id, take.source, take.source_file, take.motion.resample(cfg.fps), take.labels,
                    take.license, take.actor, take.notes)
    bounds = window_bounds(take.motion.n_frames, cfg)
    if not bounds:
        return [], {f"take shorter than {cfg.min_seconds:g} s": 1}
    windowed = len(bounds) > 1 or bounds[0] != (0, take.motion.n_frames)
    base = base_clip_id(take)
    clips, dropped = [], {}
    for k, (s, e) in enumerate(bounds):
        cid = f"{base}_w{k:02d}" if windowed else base
        caps = captions_for(take.labels, cid, cfg.captions_per_clip, windowed=windowed)
        if not caps:
            reason = "no label holds for a whole window of the take" if windowed else "no usable label"
            dropped[reason] = dropped.get(reason, 0) + 1
            continue
        clips.append(Clip(cid, take, s, e, tuple(caps), windowed))
    return clips, dropped


def clip_arrays(joints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 22, 3) joints -> HumanML3D's ``new_joints`` (T-1, 22, 3) and ``new_joint_vecs`` (T-1, 263).

    As HumanML3D's process_file: bone lengths of the reference body, on the floor, at the origin,
    facing +Z at frame 0; ``new_joints`` are those joints, which the features decode back to.
    """
    j = canonicalize(uniform_skeleton(joints))
    feats = joints_to_features(j, canonical=False)
    return j[:-1].astype(np.float32), feats.astype(np.float32)
