"""Import cache: a rebuild skips sources whose bytes have not changed.

Keys are content hashes (of a whole archive, or of one user BVH file) salted with
``IMPORT_VERSION``, so changing the importer invalidates old entries. Entries are a .npz of joint
arrays (no pickles) plus a JSON of take metadata, written atomically; a damaged entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..formats.atomic import atomic_write_bytes, atomic_write_text
from ..motion import Motion, Provenance
from .labels import Labels, Take

IMPORT_VERSION = "takes-v2"  # bump when the BVH importer or the labelling rules change what a take holds


def default_cache_dir(kind: str = "data") -> Path:
    """$LAMP_CACHE/KIND, else $XDG_CACHE_HOME (or ~/.cache)/lamp-studio/KIND."""
    if os.environ.get("LAMP_CACHE"):
        return Path(os.environ["LAMP_CACHE"]) / kind
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lamp-studio" / kind


def as_stored(motion: Motion) -> Motion:
    """Joints rounded to float32, as the cache keeps them, so a cached rebuild is bit-identical."""
    return motion.replace(joints=motion.joints.astype(np.float32).astype(np.float64))


def file_digest(source: Path | bytes) -> str:
    """sha256 of a file's bytes (streamed) or of bytes, salted with the importer version."""
    h = hashlib.sha256(IMPORT_VERSION.encode())
    if isinstance(source, (bytes, bytearray)):
        h.update(source)
    else:
        with open(source, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
    return h.hexdigest()[:32]


def _npz_bytes(**arrays: np.ndarray) -> bytes:
    import io
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


class TakeCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    # -- whole sources
    def _paths(self, name: str, key: str) -> tuple[Path, Path]:
        return self.root / "sources" / f"{name}-{key}.npz", self.root / "sources" / f"{name}-{key}.json"

    def load(self, name: str, key: str):
        """(takes, skipped) for a source whose archive hash is ``key``, or None on a miss."""
        from .sources import Skipped
        npz_path, meta_path = self._paths(name, key)
        try:
            meta = json.loads(meta_path.read_text())
            with np.load(npz_path, allow_pickle=False) as z:
                joints, lengths = z["joints"], z["lengths"]
        except (OSError, ValueError, KeyError):
            return None
        if len(lengths) != len(meta["takes"]) or int(lengths.sum()) != len(joints):
            return None
        starts = np.concatenate([[0], np.cumsum(lengths)])
        takes = []
        for i, t in enumerate(meta["takes"]):
            motion = Motion(joints[starts[i]:starts[i + 1]].astype(np.float64), t["fps"],
                            Provenance(source=t["source_file"], license=t["license"], notes=tuple(t["notes"])))
            labels = Labels(**{**t["labels"], "captions": tuple(t["labels"]["captions"])})
            takes.append(Take(t["take_id"], t["source"], t["source_file"], motion, labels,
                              t["license"], t["actor"], tuple(t["notes"])))
        skipped = [Skipped(**s) for s in meta["skipped"]]
        return takes, skipped

    def store(self, name: str, key: str, takes: list[Take], skipped) -> None:
        npz_path, meta_path = self._paths(name, key)
        for old in npz_path.parent.glob(f"{name}-*.*") if npz_path.parent.exists() else []:
            old.unlink(missing_ok=True)  # one entry per source: the previous archive's is stale
        joints = np.concatenate([t.motion.joints for t in takes]).astype(np.float32) if takes \
            else np.zeros((0, 22, 3), np.float32)
        lengths = np.array([t.motion.n_frames for t in takes], dtype=np.int64)
        atomic_write_bytes(npz_path, _npz_bytes(joints=joints, lengths=lengths))
        meta = {"version": IMPORT_VERSION, "takes": [
            {"take_id": t.take_id, "source": t.source, "source_file": t.source_file, "fps": t.motion.fps,
             "labels": {**asdict(t.labels), "captions": list(t.labels.captions)}, "license": t.license,
             "actor": t.actor, "notes": list(t.notes)} for t in takes],
            "skipped": [asdict(s) for s in skipped]}
        atomic_write_text(meta_path, json.dumps(meta))

    # -- single user files
    def _motion_path(self, key: str) -> Path:
        return self.root / "files" / f"{key}.npz"

    def load_motion(self, key: str) -> Motion | None:
        try:
            with np.load(self._motion_path(key), allow_pickle=False) as z:
                notes = tuple(str(n) for n in z["notes"])
                return Motion(z["joints"].astype(np.float64), float(z["fps"]),
                              Provenance(source=str(z["source"]), notes=notes))
        except (OSError, ValueError, KeyError):
            return None

    def store_motion(self, key: str, motion: Motion) -> None:
        atomic_write_bytes(self._motion_path(key), _npz_bytes(
            joints=motion.joints.astype(np.float32), fps=np.float64(motion.fps),
            source=np.str_(motion.provenance.source or ""), notes=np.array(list(motion.provenance.notes), dtype=str)))
