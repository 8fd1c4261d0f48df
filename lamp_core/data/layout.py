"""The HumanML3D folder layout, read and written the way the field's loaders expect.

One reader serves our built corpora, real HumanML3D (22 joints, 263-d, 20 fps) and KIT-ML
(21 joints, 251-d, 12.5 fps): ``new_joint_vecs/ID.npy`` features, ``texts/ID.txt`` lines of
``caption#tokens#start#end`` (seconds; 0#0 means the whole clip), split lists, Mean/Std.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import LampError

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class LayoutKind:
    name: str
    joints: int
    dim: int
    fps: float
    min_frames: int   # the field's loaders drop shorter clips (HumanML3D 40, KIT 24)
    max_frames: int   # ... and clips of this length or longer (200 in both)


HUMANML3D = LayoutKind("humanml3d", 22, 263, 20.0, 40, 200)
KIT = LayoutKind("kit", 21, 251, 12.5, 24, 200)
KINDS = {k.dim: k for k in (HUMANML3D, KIT)}


@dataclass(frozen=True)
class TextLine:
    caption: str
    tokens: tuple[str, ...]
    start: float = 0.0   # seconds; both 0 = the whole clip
    end: float = 0.0

    def format(self) -> str:
        return f"{self.caption}#{' '.join(self.tokens)}#{self.start:.1f}#{self.end:.1f}"


@dataclass
class Entry:
    """One (sub-)clip as the loader yields it: its features and every caption that covers it."""
    name: str
    features: np.ndarray
    texts: list[TextLine] = field(default_factory=list)


def parse_text_line(line: str, where: str) -> TextLine:
    parts = line.rstrip("\n").split("#")
    if len(parts) < 2 or not parts[0].strip():
        raise LampError(f"{where}: expected 'caption#tokens#start#end', got {line.strip()[:80]!r}")
    def tag(i: int) -> float:
        try:
            v = float(parts[i]) if len(parts) > i and parts[i].strip() else 0.0
        except ValueError:
            raise LampError(f"{where}: start/end must be seconds, got {parts[i]!r}") from None
        return 0.0 if math.isnan(v) else v  # HumanML3D writes nan for "whole clip" too
    return TextLine(parts[0].strip(), tuple(parts[1].split()), tag(2), tag(3))


def read_texts(path: Path) -> list[TextLine]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise LampError(f"{path}: cannot read captions ({e})") from None
    return [parse_text_line(l, f"{path}:{i + 1}") for i, l in enumerate(lines) if l.strip()]


def write_texts(path: Path, lines: list[TextLine]) -> None:
    Path(path).write_text("".join(l.format() + "\n" for l in lines), encoding="utf-8")


def read_split(root: Path, split: str) -> list[str]:
    path = Path(root) / f"{split}.txt"
    if not path.is_file():
        raise LampError(f"{path}: split list not found (a HumanML3D folder has train.txt, val.txt, test.txt)")
    return [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def write_split(root: Path, split: str, names: list[str]) -> None:
    (Path(root) / f"{split}.txt").write_text("".join(n + "\n" for n in names), encoding="utf-8")


def detect_kind(root: Path) -> LayoutKind:
    """HumanML3D or KIT-ML, from the width of Mean.npy (or of the first feature file)."""
    root = Path(root)
    mean = root / "Mean.npy"
    if mean.is_file():
        dim = np.load(mean, allow_pickle=False).shape[-1]
    else:
        first = next(iter(sorted((root / "new_joint_vecs").glob("*.npy"))), None)
        if first is None:
            raise LampError(f"{root}: not a HumanML3D-layout folder (no Mean.npy, no new_joint_vecs/*.npy)")
        dim = np.load(first, allow_pickle=False, mmap_mode="r").shape[-1]
    if dim not in KINDS:
        raise LampError(f"{root}: features are {dim}-d; expected 263 (HumanML3D) or 251 (KIT-ML)")
    return KINDS[dim]


def read_mean_std(root: Path) -> tuple[np.ndarray, np.ndarray]:
    root = Path(root)
    try:
        mean = np.load(root / "Mean.npy", allow_pickle=False)
        std = np.load(root / "Std.npy", allow_pickle=False)
    except (OSError, ValueError) as e:
        raise LampError(f"{root}: cannot read Mean.npy/Std.npy ({e})") from None
    if mean.shape != std.shape or mean.ndim != 1:
        raise LampError(f"{root}: Mean.npy {mean.shape} and Std.npy {std.shape} must be equal 1-d vectors")
    return mean, std


def load_split(root: Path, split: str, kind: LayoutKind | None = None, strict: bool = False) -> list[Entry]:
    """Every usable clip of a split, as HumanML3D's Text2MotionDataset builds it: clips outside
    [min_frames, max_frames) are dropped; a caption with a start/end tag becomes its own
    sub-clip entry named ``ID#k``. Missing files are skipped (``strict`` raises instead), as the
    reference loader does with its try/except."""
    root = Path(root)
    kind = kind or detect_kind(root)
    entries: list[Entry] = []
    for name in read_split(root, split):
        vec_path, txt_path = root / "new_joint_vecs" / f"{name}.npy", root / "texts" / f"{name}.txt"
        try:
            motion = np.load(vec_path, allow_pickle=False)
            texts = read_texts(txt_path)
        except (OSError, ValueError, LampError) as e:
            if strict:
                raise LampError(f"{root}: clip {name!r} of {split}.txt cannot be read ({e})") from None
            continue
        if motion.ndim != 2 or motion.shape[1] != kind.dim:
            if strict:
                raise LampError(f"{vec_path}: expected ({'{'}T{'}'}, {kind.dim}) features, got {motion.shape}")
            continue
        whole: list[TextLine] = []
        for k, t in enumerate(texts):
            if t.start == 0.0 and t.end == 0.0:
                whole.append(t)
                continue
            sub = motion[int(t.start * kind.fps):int(t.end * kind.fps)]
            if kind.min_frames <= len(sub) < kind.max_frames:
                entries.append(Entry(f"{name}#{k}", sub, [t]))
        if whole and kind.min_frames <= len(motion) < kind.max_frames:
            entries.append(Entry(name, motion, whole))
    return entries
