"""Where takes come from: the real mocap archives in ../shared/data, or a user's folder of BVH files.

Archives are streamed member by member (never unpacked to disk): BVH members are imported as they
pass, labels (JSON, CSV, label lists) are joined at the end, whatever the member order. Every file
that cannot be used is reported as a ``Skipped`` with a reason; nothing stops the whole source.
Imports are cached (see ``cache.py``) so an unchanged source is not re-imported.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..errors import LampError
from ..formats.bvh import from_text
from ..formats.bvh_parse import decode_text
from ..motion import Motion
from .cache import TakeCache, as_stored, file_digest
from .labels import Labels, Take

Progress = Callable[[int], None]  # called with a number of bytes (or files) just consumed


@dataclass(frozen=True)
class Skipped:
    """A file that did not become a take, and why (printed and counted at the end of a build)."""
    source: str
    file: str
    reason: str


@dataclass(frozen=True)
class ArchiveSource:
    name: str
    archive: str
    license: str
    description: str


BANDAI_LICENSE = "CC BY-NC 4.0 (Bandai Namco Research Inc.)"
CMU_LICENSE = "CMU Graphics Lab Motion Capture Database, mocap.cs.cmu.edu (NSF EIA-0196217): free to use, do not resell"
REACTIDLE_LICENSE = "MIT (ReActIdle, Enekoassets)"

ARCHIVE_SOURCES: dict[str, ArchiveSource] = {
    "bandai-namco-1": ArchiveSource("bandai-namco-1", "bandai-namco-1.tar.xz", BANDAI_LICENSE,
                                    "Bandai-Namco dataset 1: 17 contents x 15 styles, 30 fps"),
    "bandai-namco-2": ArchiveSource("bandai-namco-2", "bandai-namco-2.tar.xz", BANDAI_LICENSE,
                                    "Bandai-Namco dataset 2: 10 contents x 7 styles, 30 fps"),
    "cmu": ArchiveSource("cmu", "cmu-subset.tar.xz", CMU_LICENSE, "CMU mocap subset, trial descriptions"),
    "reactidle": ArchiveSource("reactidle", "reactidle.tar.xz", REACTIDLE_LICENSE, "ReActIdle standing idle"),
}


def default_shared_data() -> Path:
    """../shared/data beside the repository (or $LAMP_SHARED/data)."""
    root = os.environ.get("LAMP_SHARED")
    if root:
        return Path(root) / "data"
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


# ------------------------------------------------------------------------------ archive streaming

class _CountingReader(io.RawIOBase):
    """Wraps the compressed file so progress can follow the bytes actually read."""

    def __init__(self, f, progress: Progress | None):
        self._f, self._progress = f, progress

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self._f.readinto(b)
        if n and self._progress:
            self._progress(n)
        return n


def iter_archive(path: Path, progress: Progress | None = None) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) for every regular file of a .tar.xz, streamed in archive order."""
    with open(path, "rb") as raw:
        counted = io.BufferedReader(_CountingReader(raw, progress), buffer_size=1 << 20)
        try:
            with tarfile.open(fileobj=counted, mode="r|*") as tar:
                for member in tar:
                    if member.isfile():
                        f = tar.extractfile(member)
                        yield member.name, f.read() if f else b""
        except (tarfile.TarError, EOFError, OSError) as e:
            raise LampError(f"{path}: the archive is damaged or not a tar.xz ({e})") from None


def _import_bvh(raw: bytes, name: str) -> Motion:
    return as_stored(from_text(decode_text(raw, name), name))


# ------------------------------------------------------------------------------ per-source label logic

_BANDAI_NAME = re.compile(r"dataset-(\d)_(?P<content>[a-z-]+?)_(?P<style>[a-z-]+)_(?P<id>\d+)$")


def _bandai_labels(stem: str, meta: dict, contents: list[str], styles: list[str], source: str) -> Labels:
    """Labels from the JSON beside the BVH (indices into cfg/*_label.txt); the file name must agree."""
    if not isinstance(meta, dict) or not isinstance(meta.get("content"), int) or not isinstance(meta.get("style"), int):
        raise ValueError('label JSON must be {"content": <int>, "style": <int>}')
    ci, si = meta["content"], meta["style"]
    if not (0 <= ci < len(contents) and 0 <= si < len(styles)):
        raise ValueError(f"label indices content={ci} style={si} are outside cfg/content_label.txt "
                         f"({len(contents)}) / cfg/style_label.txt ({len(styles)})")
    content = contents[ci].split("_", 1)[-1]  # "dataset-2_walk" -> "walk"
    style = styles[si].split("_", 1)[-1]
    m = _BANDAI_NAME.match(stem)
    if m and (m["content"], m["style"]) != (content, style):
        raise ValueError(f"file name says {m['content']}/{m['style']} but its JSON says {content}/{style}")
    return Labels(source=source, content=content, style=style)


def read_cmu_descriptions(text: str) -> dict[tuple[int, int], tuple[str, float | None]]:
    """cmu-descriptions.csv -> {(subject, trial): (description, capture fps)}."""
    out: dict[tuple[int, int], tuple[str, float | None]] = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) < 3 or not row[0].strip().isdigit() or not row[1].strip().isdigit():
            continue
        fps = float(row[3]) if len(row) > 3 and re.fullmatch(r"\d+(\.\d+)?", row[3].strip()) else None
        out[(int(row[0]), int(row[1]))] = (row[2].strip(), fps)
    return out


def _takes_from_archive(src: ArchiveSource, path: Path, progress: Progress | None) -> tuple[list[Take], list[Skipped]]:
    """Stream one archive, import every BVH, join its labels."""
    motions: dict[str, tuple[str, Motion]] = {}   # stem -> (member name, motion)
    jsons: dict[str, bytes] = {}
    contents: list[str] = []
    styles: list[str] = []
    cmu_csv: str | None = None
    skipped: list[Skipped] = []
    for name, raw in iter_archive(path, progress):
        p = Path(name)
        if p.suffix.lower() == ".bvh":
            try:
                motions[p.stem] = (name, _import_bvh(raw, name))
            except (LampError, ValueError) as e:
                skipped.append(Skipped(src.name, name, _short(e, name)))
        elif p.suffix.lower() == ".json":
            jsons[p.stem] = raw
        elif p.name == "content_label.txt":
            contents = raw.decode("utf-8", "replace").split()
        elif p.name == "style_label.txt":
            styles = raw.decode("utf-8", "replace").split()
        elif p.name == "cmu-descriptions.csv":
            cmu_csv = raw.decode("utf-8", "replace")
    if src.name == "cmu" and cmu_csv is None:
        raise LampError(f"{path}: cmu-descriptions.csv is missing from the archive; CMU takes cannot be labelled")
    if src.name.startswith("bandai") and not (contents and styles):
        raise LampError(f"{path}: cfg/content_label.txt or cfg/style_label.txt is missing; Bandai-Namco labels "
                        "cannot be read")
    descriptions = read_cmu_descriptions(cmu_csv) if cmu_csv else {}

    takes: list[Take] = []
    for stem in sorted(motions):
        name, motion = motions[stem]
        try:
            labels, actor, motion = _label_take(src, stem, name, motion, jsons, contents, styles, descriptions)
        except ValueError as e:
            skipped.append(Skipped(src.name, name, str(e)))
            continue
        takes.append(Take(f"{src.name}/{stem}", src.name, name, motion, labels, src.license, actor,
                          motion.provenance.notes))
    return takes, skipped


def _label_take(src, stem, name, motion, jsons, contents, styles, descriptions):
    if src.name.startswith("bandai"):
        if stem not in jsons:
            raise ValueError("unlabeled: no JSON label file beside it")
        try:
            meta = json.loads(jsons[stem].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"label JSON is not valid JSON ({e})") from None
        return _bandai_labels(stem, meta, contents, styles, src.name), None, motion
    if src.name == "cmu":
        m = re.fullmatch(r"(\d+)_(\d+)", stem)
        if not m:
            raise ValueError("unlabeled: expected a CMU trial name SS_TT.bvh")
        subject, trial = int(m[1]), int(m[2])
        desc, fps = descriptions.get((subject, trial), ("", None))
        if not desc:
            raise ValueError(f"unlabeled: subject {subject} trial {trial} has no description in cmu-descriptions.csv")
        if fps and fps != 120.0:  # headers always claim 120; re-time trials captured slower
            motion = Motion(motion.joints, motion.fps * fps / 120.0, motion.provenance.noted(
                f"captured at {fps:g} fps (header says 120)")).resample(motion.fps)
            motion = as_stored(motion)
        return Labels(source="cmu", description=desc), f"cmu-{subject:02d}", motion
    if src.name == "reactidle":
        performer = stem.split("_", 1)[0]  # acted/ vs genuine/ idling stays in source_file; both are idle
        return Labels(source="reactidle", idle=True), f"reactidle-{performer}", motion
    raise ValueError(f"no labelling rule for source {src.name}")


def _short(e: Exception, name: str) -> str:
    """The reason without the file name the error already starts with."""
    s = str(e).splitlines()[0] if str(e) else type(e).__name__
    return s[len(name) + 2:] if s.startswith(name + ":") else s


def load_archive_source(name: str, data_dir: Path, cache: TakeCache | None,
                        progress: Callable[[str, int, int], None] | None = None) -> tuple[list[Take], list[Skipped]]:
    """All takes of one shared/data archive, from the cache when the archive is unchanged."""
    if name not in ARCHIVE_SOURCES:
        raise LampError(f"unknown source {name!r}; expected one of {', '.join(ARCHIVE_SOURCES)}")
    src = ARCHIVE_SOURCES[name]
    path = Path(data_dir) / src.archive
    if not path.is_file():
        raise LampError(f"{path}: source archive not found (expected the real mocap in ../shared/data; "
                        "pass --data-dir to point elsewhere)")
    key = file_digest(path)
    if cache is not None:
        hit = cache.load(name, key)
        if hit is not None:
            return hit
    size = path.stat().st_size
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress:
            progress(name, done[0], size)

    takes, skipped = _takes_from_archive(src, path, tick)
    if cache is not None:
        cache.store(name, key, takes, skipped)
    return takes, skipped


# ------------------------------------------------------------------------------ a user's folder

def read_label_csv(path: Path) -> dict[str, dict]:
    """``file,caption`` lines (optional header; optional ``actor`` and ``license`` columns when a
    header names them) -> {relative file: {"captions": [...], "actor": ..., "license": ...}}."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise LampError(f"{path}: cannot read the labels CSV ({e})") from None
    rows = list(csv.reader(io.StringIO(text)))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    if header[:2] == ["file", "caption"]:
        cols = {c: i for i, c in enumerate(header)}
        rows = rows[1:]
        first = 2
    else:
        cols = {"file": 0, "caption": 1}
        first = 1
    out: dict[str, dict] = {}
    for n, row in enumerate(rows, start=first):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise LampError(f"{path}:{n}: expected 'file,caption' (a BVH file name and a sentence), got {row!r}")
        entry = out.setdefault(row[0].strip().replace("\\", "/"), {"captions": [], "actor": None, "license": None})
        entry["captions"].append(row[1].strip())
        for col in ("actor", "license"):
            if col in cols and cols[col] < len(row) and row[cols[col]].strip():
                entry[col] = row[cols[col]].strip()
    if not out:
        raise LampError(f"{path}: the labels CSV has no 'file,caption' rows")
    return out


def load_folder_source(folder: Path, labels_csv: Path, cache: TakeCache | None,
                       progress: Callable[[str, int, int], None] | None = None) -> tuple[list[Take], list[Skipped]]:
    """Takes from every BVH under ``folder`` that the CSV labels; unlabeled or unreadable files are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LampError(f"{folder}: --bvh-folder is not a folder")
    labels = read_label_csv(labels_csv)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".bvh")
    skipped: list[Skipped] = []
    takes: list[Take] = []
    found = {p.relative_to(folder).as_posix(): p for p in files}
    by_name = {}
    for rel in found:
        by_name.setdefault(Path(rel).name, []).append(rel)
    for i, (rel, p) in enumerate(found.items()):
        if progress:
            progress("folder", i + 1, len(found))
        entry = labels.get(rel)
        if entry is None and len(by_name.get(Path(rel).name, [])) == 1:
            entry = labels.get(Path(rel).name)
        if entry is None:
            skipped.append(Skipped("folder", rel, "unlabeled: no row in the labels CSV"))
            continue
        try:
            raw = p.read_bytes()
        except OSError as e:
            skipped.append(Skipped("folder", rel, f"cannot read ({e.strerror or e})"))
            continue
        key = file_digest(raw)
        motion = cache.load_motion(key) if cache is not None else None
        if motion is None:
            try:
                motion = _import_bvh(raw, str(p))
            except (LampError, ValueError) as e:
                skipped.append(Skipped("folder", rel, _short(e, str(p))))
                continue
            if cache is not None:
                cache.store_motion(key, motion)
        take_id = "folder/" + rel.rsplit(".", 1)[0]
        takes.append(Take(take_id, "folder", rel, motion,
                          Labels(source="folder", captions=tuple(entry["captions"])),
                          entry["license"] or "user-provided", entry["actor"], motion.provenance.notes))
    listed = set(labels) - set(found) - {Path(r).name for r in found}
    for rel in sorted(listed):
        skipped.append(Skipped("folder", rel, "named in the labels CSV but not found in the folder"))
    return takes, skipped
