"""``lamp data build``: real mocap (or a user's BVH folder) -> a HumanML3D-layout training corpus.

takes (sources.py, cached) -> clips (windows, captions; clips.py) -> splits by group (splits.py)
-> arrays written clip by clip into a temporary folder -> Mean/Std over train, stats, manifest ->
the folder is renamed into place. A failed or interrupted build leaves the previous one untouched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..errors import LampError
from ..motion.features import group_std
from .cache import TakeCache, default_cache_dir
from .captions import describe_labels
from .clips import Clip, ClipConfig, clip_arrays, clips_of_take
from .labels import Take
from .layout import TextLine, write_split, write_texts
from .sources import ARCHIVE_SOURCES, Skipped, default_shared_data, load_archive_source, load_folder_source
from .splits import SplitConfig, action_of, assign_splits
from .text import tokenize

BUILT_BY = "lamp data build"
ALL_SOURCES = tuple(ARCHIVE_SOURCES)
MANIFEST_COLUMNS = ("id", "split", "source", "source_file", "take", "start_frame", "end_frame", "fps", "mirrored",
                    "content", "action", "style", "actor", "license", "labels")


@dataclass(frozen=True)
class BuildConfig:
    out: Path
    sources: tuple[str, ...] = ALL_SOURCES
    data_dir: Path | None = None          # default: ../shared/data
    bvh_folder: Path | None = None
    labels_csv: Path | None = None
    cache_dir: Path | None = None         # default: ~/.cache/lamp-studio/data
    use_cache: bool = True
    mirror: bool = True
    clip: ClipConfig = field(default_factory=ClipConfig)
    split: SplitConfig = field(default_factory=SplitConfig)


@dataclass
class BuildReport:
    out: Path
    stats: dict
    skipped: list[Skipped]


def _bar(total, desc: str, unit: str, show: bool, scale: bool = False):
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=scale, disable=None if show else True,
                leave=False, dynamic_ncols=True)  # None: shown on a terminal, silent in logs


def gather_takes(cfg: BuildConfig, show_progress: bool = True) -> tuple[list[Take], list[Skipped]]:
    """Every take of the chosen sources (the cache skips unchanged ones)."""
    cache = TakeCache(cfg.cache_dir or default_cache_dir()) if cfg.use_cache else None
    data_dir = Path(cfg.data_dir) if cfg.data_dir else default_shared_data()
    takes: list[Take] = []
    skipped: list[Skipped] = []
    for name in cfg.sources:
        bar = _bar(None, f"import {name}", "B", show_progress, scale=True)

        def progress(_src, done, total, bar=bar):
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            t, s = load_archive_source(name, data_dir, cache, progress)
        finally:
            bar.close()
        takes += t
        skipped += s
        if show_progress:
            print(f"  {name}: {len(t)} takes, {len(s)} files skipped", file=sys.stderr)
    if cfg.bvh_folder is not None:
        if cfg.labels_csv is None:
            raise LampError("--bvh-folder needs --labels CSV (lines of file,caption)")
        bar = _bar(None, "import folder", "file", show_progress)

        def progress(_src, done, total, bar=bar):
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            t, s = load_folder_source(Path(cfg.bvh_folder), Path(cfg.labels_csv), cache, progress)
        finally:
            bar.close()
        takes += t
        skipped += s
    elif cfg.labels_csv is not None:
        raise LampError("--labels is for --bvh-folder; give the folder of BVH files too")
    return takes, skipped


def build_dataset(cfg: BuildConfig, show_progress: bool = True) -> BuildReport:
    out = Path(cfg.out)
    check_output_folder(out)
    takes, skipped = gather_takes(cfg, show_progress)
    return write_dataset(takes, skipped, cfg, show_progress)


def check_output_folder(out: Path) -> None:
    """Refuse to replace a folder this command did not build: nothing the user made is lost."""
    if out.exists() and not out.is_dir():
        raise LampError(f"{out}: exists and is a file; --out must be a folder")
    if out.is_dir() and any(out.iterdir()) and not _built_by_us(out):
        raise LampError(f"{out}: folder exists and is not a dataset built by 'lamp data build' "
                        "(no stats.json of ours); choose a new or empty folder")


def _built_by_us(folder: Path) -> bool:
    try:
        return json.loads((folder / "stats.json").read_text()).get("built_by") == BUILT_BY
    except (OSError, ValueError, AttributeError):
        return False


def write_dataset(takes: list[Take], skipped: list[Skipped], cfg: BuildConfig,
                  show_progress: bool = True) -> BuildReport:
    """Clips, splits and files for ``takes``, written atomically to ``cfg.out``."""
    out = Path(cfg.out)
    check_output_folder(out)
    clips, dropped = _make_clips(takes, cfg)
    if not clips:
        raise LampError(f"no clips to write: {len(takes)} takes gave no clip of {cfg.clip.min_seconds:g}-"
                        f"{cfg.clip.max_seconds:g} s with a usable label ({_reasons(skipped, dropped)})")
    counts = Counter(c.take.take_id for c in clips)
    split_of = assign_splits(counts, takes, cfg.split)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        stats = _write_files(tmp, clips, split_of, cfg, show_progress)
        stats.update(_summary(takes, clips, split_of, skipped, dropped, cfg))
        (tmp / "stats.json").write_text(json.dumps(stats, indent=2, sort_keys=False), encoding="utf-8")
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildReport(out, stats, skipped)


def _make_clips(takes: list[Take], cfg: BuildConfig) -> tuple[list[Clip], Counter]:
    clips: list[Clip] = []
    dropped: Counter = Counter()
    seen: set[str] = set()
    for take in takes:
        made, why = clips_of_take(take, cfg.clip)
        dropped.update(why)
        for c in made:
            if c.clip_id in seen:
                raise LampError(f"two takes give the clip name {c.clip_id!r} ({take.source_file}); rename one file")
            seen.add(c.clip_id)
            clips.append(c)
            if cfg.mirror:
                clips.append(c.mirror())
    return clips, dropped


def _write_files(tmp: Path, clips: list[Clip], split_of: dict[str, str], cfg: BuildConfig, show: bool) -> dict:
    for sub in ("new_joints", "new_joint_vecs", "texts"):
        (tmp / sub).mkdir(parents=True)
    total = np.zeros(263)
    total_sq = np.zeros(263)
    n_train = 0
    lists: dict[str, list[str]] = {"train": [], "val": [], "test": [], "unseen": []}
    rows = []
    frames = 0
    for clip in tqdm(clips, desc="clips", unit="clip", disable=None if show else True, leave=False,
                     dynamic_ncols=True):
        joints, feats = clip_arrays(clip.joints())
        np.save(tmp / "new_joints" / f"{clip.clip_id}.npy", joints)
        np.save(tmp / "new_joint_vecs" / f"{clip.clip_id}.npy", feats)
        write_texts(tmp / "texts" / f"{clip.clip_id}.txt",
                    [TextLine(c, tuple(tokenize(c).split())) for c in clip.captions])
        split = split_of[clip.take.take_id]
        lists[split].append(clip.clip_id)
        if split == "train":
            f64 = feats.astype(np.float64)
            total += f64.sum(0)
            total_sq += (f64 ** 2).sum(0)
            n_train += len(f64)
        frames += len(feats)
        t = clip.take
        rows.append({"id": clip.clip_id, "split": split, "source": t.source, "source_file": t.source_file,
                     "take": t.take_id, "start_frame": clip.start, "end_frame": clip.end, "fps": f"{cfg.clip.fps:g}",
                     "mirrored": int(clip.mirrored), "content": clip.content or "",
                     "action": clip.content or action_of(t) or "", "style": clip.style or "",
                     "actor": t.actor or "", "license": t.license, "labels": describe_labels(t.labels)})
    if n_train == 0:
        raise LampError("the train split is empty; add more takes (each source needs at least three groups to split)")
    mean = total / n_train
    std = np.sqrt(np.maximum(total_sq / n_train - mean ** 2, 0.0))
    std = group_std(std)
    std[std < 1e-8] = 1.0  # a constant feature group: leave it unscaled rather than divide by zero
    np.save(tmp / "Mean.npy", mean.astype(np.float32))
    np.save(tmp / "Std.npy", std.astype(np.float32))
    for split in ("train", "val", "test"):
        write_split(tmp, split, sorted(lists[split]))
    write_split(tmp, "test_unseen_combos", sorted(lists["unseen"]))
    write_split(tmp, "train_val", sorted(lists["train"] + lists["val"]))
    write_split(tmp, "all", sorted(c.clip_id for c in clips))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(sorted(rows, key=lambda r: r["id"]))
    (tmp / "manifest.csv").write_text(buf.getvalue(), encoding="utf-8")
    return {"built_by": BUILT_BY, "frames": frames, "mean_std": "over the train split (mirrored copies "
            "included); Std averaged within each feature group as HumanML3D does"}


def _summary(takes, clips, split_of, skipped, dropped, cfg: BuildConfig) -> dict:
    fps = cfg.clip.fps
    originals = [c for c in clips if not c.mirrored]
    vocab: set[str] = set()
    words: set[str] = set()
    n_captions = 0
    for c in clips:
        n_captions += len(c.captions)
        for cap in c.captions:
            vocab.update(t.rsplit("/", 1)[0] for t in tokenize(cap).split())
    for c in originals:
        for cap in c.captions:
            words.update(w.strip(".,;!?").lower() for w in cap.split())
    per_source: dict[str, dict] = {}
    for c in originals:
        s = per_source.setdefault(c.take.source, {"takes": set(), "clips": 0, "hours": 0.0})
        s["takes"].add(c.take.take_id)
        s["clips"] += 1
        s["hours"] += (c.end - c.start) / fps / 3600
    for s in per_source.values():
        s["takes"] = len(s["takes"])
        s["hours"] = round(s["hours"], 3)
    split_counts = Counter(split_of[c.take.take_id] for c in clips)
    counts_by_take = Counter(c.take.take_id for c in clips)
    why = Counter(s.reason.split(":")[0] if s.reason.startswith("unlabeled") else "unreadable" for s in skipped)
    return {
        "clips": len(clips), "clips_without_mirrors": len(originals),
        "hours": round(sum(c.end - c.start for c in originals) / fps / 3600, 3),
        "hours_with_mirrors": round(sum(c.end - c.start for c in clips) / fps / 3600, 3),
        "captions": n_captions, "vocabulary": len(vocab), "distinct_words": len(words),
        "splits": {k: split_counts.get(k, 0) for k in ("train", "val", "test", "unseen")},
        "test_fraction": round(split_counts.get("test", 0) / max(1, len(clips)), 3),
        "per_source": per_source,
        "take_hours": round(sum(t.motion.duration for t in takes if counts_by_take.get(t.take_id)) / 3600, 3),
        "per_content": dict(sorted(Counter(c.topic for c in clips).items())),
        "per_style": dict(sorted(Counter(c.style or "(none)" for c in clips).items())),
        "takes": len(takes),
        "skipped_files": len(skipped), "skipped_by_reason": dict(why),
        "dropped": dict(dropped),
        "skipped": [asdict(s) for s in skipped],
        "unseen_combos": [list(c) for c in cfg.split.unseen_combos],
        "config": {"sources": list(cfg.sources), "bvh_folder": str(cfg.bvh_folder) if cfg.bvh_folder else None,
                   "mirror": cfg.mirror, "clip": asdict(cfg.clip),
                   "split": {**asdict(cfg.split), "unseen_combos": [list(c) for c in cfg.split.unseen_combos]}},
    }


def _reasons(skipped: list[Skipped], dropped: Counter) -> str:
    parts = [f"{n} {why}" for why, n in dropped.items()]
    if skipped:
        parts.append(f"{len(skipped)} files skipped")
    return "; ".join(parts) or "no takes"


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Replace ``out`` by ``tmp`` with renames only, so readers see the old or the new dataset."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def format_stats(stats: dict) -> str:
    """The stats a person wants to read after a build."""
    lines = [
        f"clips: {stats['clips']} ({stats['clips_without_mirrors']} + mirrored), "
        f"{stats['hours']:.2f} h of clips ({stats['hours_with_mirrors']:.2f} h with mirrors) cut from "
        f"{stats['take_hours']:.2f} h of takes",
        f"captions: {stats['captions']}, vocabulary: {stats['vocabulary']} tokens",
        "splits: " + ", ".join(f"{k} {v}" for k, v in stats["splits"].items())
        + f" (test {100 * stats['test_fraction']:.1f}%)",
    ]
    for name, s in stats["per_source"].items():
        lines.append(f"  {name}: {s['takes']} takes, {s['clips']} clips, {s['hours']:.2f} h")
    lines.append("per content: " + ", ".join(f"{k} {v}" for k, v in stats["per_content"].items()))
    lines.append("per style: " + ", ".join(f"{k} {v}" for k, v in stats["per_style"].items()))
    if stats["skipped_files"] or stats["dropped"]:
        lines.append(f"skipped files: {stats['skipped_files']} "
                     + ", ".join(f"{k} {v}" for k, v in stats["skipped_by_reason"].items()))
        for s in stats["skipped"][:10]:
            lines.append(f"  {s['source']}: {s['file']}: {s['reason']}")
        if len(stats["skipped"]) > 10:
            lines.append(f"  ... {len(stats['skipped']) - 10} more in stats.json")
        for k, v in stats["dropped"].items():
            lines.append(f"dropped: {v} x {k}")
    return "\n".join(lines)
