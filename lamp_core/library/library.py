"""``MotionLibrary``: a user's clips in one SQLite file, searchable by text or by example.

Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), so a crash or a failing model
leaves whole clips only; ``add_many`` commits once per batch. Embeddings are computed before a
batch's transaction opens, so the database is never locked while a model runs. Embeddings and
search live in search.py (mixed in).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import numpy as np

from ..errors import LampError
from ..motion import Motion, Provenance
from . import schema
from .codec import decode_motion, encode_motion, vector_blob
from .index import VectorIndex
from .search import Progress, SearchMixin
from .types import CLIP_COLUMNS, Embedder, LibraryClip, LibraryItem, clean_captions, clip_from_row


def _item(x) -> LibraryItem:
    if isinstance(x, LibraryItem):
        return x
    if isinstance(x, Motion):
        return LibraryItem(x)
    if isinstance(x, Mapping):
        unknown = set(x) - {"motion", "name", "captions", "source", "license"}
        if unknown or "motion" not in x:
            raise LampError(f"a library item needs 'motion' and may have name/captions/source/license; "
                            f"got {sorted(x)}")
        return LibraryItem(**x)
    raise LampError(f"cannot add {type(x).__name__} to the library: expected a Motion, a LibraryItem or a dict")


def _provenance_json(p: Provenance) -> str:
    d = {f.name: getattr(p, f.name) for f in dataclasses.fields(p)}
    d["notes"] = list(p.notes)
    return json.dumps({k: v for k, v in d.items() if v not in (None, [], ())}, ensure_ascii=False)


def _clip_row(it: LibraryItem) -> tuple:
    """(name or "", source, captions JSON, caption text, frames, fps, license, provenance JSON, codec, blob)."""
    m = it.motion
    if not isinstance(m, Motion):
        raise LampError(f"cannot add {type(m).__name__} to the library: expected a Motion")
    prov = m.provenance
    source = it.source if it.source is not None else prov.source
    captions = clean_captions(it.captions) or clean_captions(prov.caption)
    name = str(it.name or "").strip() or (Path(source).stem if source else "")
    codec, blob = encode_motion(m.joints)
    return (name, None if source is None else str(source), json.dumps(list(captions), ensure_ascii=False),
            "\n".join(captions), m.n_frames, m.fps, it.license if it.license is not None else prov.license,
            _provenance_json(prov), codec, blob)


class MotionLibrary(SearchMixin):
    def __init__(self, path: Path, con: sqlite3.Connection, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        self._con = con
        self._lock = threading.RLock()
        self._indexes: dict[tuple[str, int], tuple[VectorIndex, int]] = {}
        self._data_version = None
        self._count: int | None = None
        self._con.create_function("lamp_fold", 1, lambda s: (s or "").casefold(), deterministic=True)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path, create: bool = True, read_only: bool = False) -> "MotionLibrary":
        """Open (or create) a library file; a LampError naming the file for anything else.

        ``read_only`` is for files nothing else writes while open (the shipped example library): the
        file is read through an immutable SQLite connection, so not a byte of it, nor a journal or
        lock file beside it, is written, and every change is refused."""
        p = Path(path).expanduser()
        if p.is_dir():
            raise LampError(f"{p}: is a folder; give a library file name (e.g. motions.lamplib)")
        if read_only:
            return cls(p, schema.connect_read_only(p), read_only=True)
        exists = p.exists()
        if not exists and not create:
            raise LampError(f"{p}: no motion library there")
        fresh = not exists
        if exists:
            app_id = schema.check_header(p)
            if app_id is None:
                fresh = True
            elif app_id == 0:
                fresh = schema.inspect_foreign(p)
        elif not p.parent.is_dir():
            raise LampError(f"{p}: cannot create a library there: the folder {p.parent} does not exist")
        schema.check_writable(p, exists)
        con = schema.connect(p)
        try:
            schema.prepare(con, p, fresh)
        except BaseException:
            con.close()
            if not exists:
                for leftover in (p, Path(f"{p}-wal"), Path(f"{p}-shm")):
                    leftover.unlink(missing_ok=True)
            raise
        return cls(p, con)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
                self._indexes.clear()

    def __enter__(self) -> "MotionLibrary":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MotionLibrary({str(self.path)!r}{', read_only=True' if self.read_only else ''})"

    # ------------------------------------------------------------------ plumbing
    def _db(self) -> sqlite3.Connection:
        if self._con is None:
            raise LampError(f"{self.path}: the library is closed")
        return self._con

    def _query(self, sql: str, args=()) -> list:
        with self._lock:
            try:
                return self._db().execute(sql, args).fetchall()
            except sqlite3.DatabaseError as e:
                raise LampError(f"{self.path}: cannot read the library ({e})") from None

    @contextmanager
    def _write(self, changes_vectors: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside commits together or not at all."""
        with self._lock:
            con = self._db()
            if self.read_only:
                raise LampError(f"{self.path}: this library is open read-only; nothing was changed")
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                raise LampError(f"{self.path}: cannot write to the library ({e})") from None
            try:
                yield con
                con.execute("COMMIT")
            except BaseException as e:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                if isinstance(e, sqlite3.DatabaseError):
                    raise LampError(f"{self.path}: cannot write to the library ({e})") from None
                raise
            finally:
                if changes_vectors:
                    self._indexes.clear()
                    self._count = None

    def _fresh_indexes(self) -> None:
        """Drop cached vectors when another connection (another process) has committed."""
        version = self._query("PRAGMA data_version")[0][0]
        if version != self._data_version:
            self._indexes.clear()
            self._count = None
            self._data_version = version

    def _clip_count(self) -> int:
        if self._count is None:
            self._count = int(self._query("SELECT COUNT(*) FROM clips")[0][0])
        return self._count

    # ------------------------------------------------------------------ adding
    def add(self, motion: Motion, name: str | None = None, captions=(), source: str | None = None,
            license: str | None = None, embedder: Embedder | None = None) -> int:
        """Store one clip (and its vector when an embedder is given); returns its id. Source and
        license default to the motion's provenance; the name to the source's file stem, or "clip N"."""
        return self.add_many([LibraryItem(motion, name, captions, source, license)], embedder)[0]

    def add_many(self, items: Iterable, embedder: Embedder | None = None, batch: int = 256) -> list[int]:
        """Store many clips, one transaction per ``batch`` (embedded together). If anything fails,
        the batches before it stay committed and the failing one leaves nothing behind."""
        if batch < 1:
            raise LampError(f"batch must be at least 1, got {batch}")
        ids: list[int] = []
        chunk: list[LibraryItem] = []
        for x in items:
            chunk.append(_item(x))
            if len(chunk) >= batch:
                ids += self._add_batch(chunk, embedder)
                chunk = []
        if chunk:
            ids += self._add_batch(chunk, embedder)
        return ids

    def _add_batch(self, items: list[LibraryItem], embedder: Embedder | None, vectors=None) -> list[int]:
        rows = [_clip_row(it) for it in items]  # checked and encoded before the transaction opens
        if embedder is not None and vectors is None:
            vectors = self._embed(embedder, [it.motion for it in items])
        added = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._write() as con:
            # This connection is the only writer inside BEGIN IMMEDIATE, so the ids are ours to number.
            first = 1 + con.execute("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'clips'), 0), "
                                    "COALESCE((SELECT MAX(id) FROM clips), 0))").fetchone()[0]
            ids = list(range(first, first + len(rows)))
            con.executemany(
                "INSERT INTO clips (id, name, source, captions, caption_text, frames, fps, license, added, provenance) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((cid, r[0] or f"clip {cid}", *r[1:7], added, r[7]) for cid, r in zip(ids, rows)))
            con.executemany("INSERT INTO motions (clip_id, codec, frames, data) VALUES (?, ?, ?, ?)",
                            ((cid, r[8], r[4], r[9]) for cid, r in zip(ids, rows)))
            if vectors is not None:
                con.executemany("INSERT INTO embeddings (model_id, clip_id, dim, vector) VALUES (?, ?, ?, ?)",
                                ((embedder.model_id, cid, embedder.dim, vector_blob(v))
                                 for cid, v in zip(ids, vectors)))
        return ids

    def add_files(self, paths, embedder: Embedder | None = None, progress: Progress | None = None,
                  batch: int = 256) -> tuple[list[int], list[tuple[str, str]]]:
        """Read motion files (folders are searched for readable files) and add them. Returns the new
        ids and (path, reason) for each file that could not be read or embedded; the rest are added."""
        from ..formats import read, readable_suffixes

        files = _expand(paths, readable_suffixes())
        ids: list[int] = []
        failed: list[tuple[str, str]] = []
        chunk: list[tuple[str, Motion]] = []

        def flush() -> None:
            if chunk:
                ids.extend(self._add_files_batch(chunk, embedder, failed))
                chunk.clear()

        for i, f in enumerate(files):
            try:
                m = read(f)
            except LampError as e:
                failed.append((str(f), getattr(e, "reason", None) or str(e)))
            except Exception as e:  # a reader's bug must not stop an import of thousands of files
                failed.append((str(f), f"{type(e).__name__}: {e}"))
            else:
                chunk.append((str(f), m))
                if len(chunk) >= batch:
                    flush()
            if progress:
                progress(str(f), i + 1, len(files))
        flush()
        return ids, failed

    def _add_files_batch(self, chunk, embedder, failed) -> list[int]:
        items = [LibraryItem(m, source=f) for f, m in chunk]
        if embedder is None:
            return self._add_batch(items, None)
        vectors = self._embed_or_none(embedder, [it.motion for it in items])
        if vectors is None:  # the model refused the batch: find the clips it refuses, add the others
            keep, rows = [], []
            for (f, m), it in zip(chunk, items):
                try:
                    raw = embedder.embed_motions([m])
                except (ValueError, LampError) as e:
                    failed.append((f, f"cannot embed with model {embedder.model_id}: {e}"))
                else:
                    rows.append(self._embed_checked(embedder, raw, 1)[0])
                    keep.append(it)
            items, vectors = keep, np.array(rows, dtype=np.float32).reshape(len(rows), embedder.dim)
        return self._add_batch(items, embedder, vectors) if items else []

    # ------------------------------------------------------------------ editing and reading
    def remove(self, ids) -> int:
        """Delete clips (an id or several) with their motions and vectors; returns how many existed."""
        ids = [int(ids)] if isinstance(ids, (int, np.integer)) else [int(i) for i in ids]
        with self._write() as con:
            n = 0
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                marks = ",".join("?" * len(part))
                con.execute(f"DELETE FROM embeddings WHERE clip_id IN ({marks})", part)
                con.execute(f"DELETE FROM motions WHERE clip_id IN ({marks})", part)
                n += con.execute(f"DELETE FROM clips WHERE id IN ({marks})", part).rowcount
        return n

    def rename(self, id: int, name: str) -> None:
        name = (name or "").strip() if isinstance(name, str) else ""
        if not name:
            raise LampError("a clip name cannot be empty")
        with self._write(changes_vectors=False) as con:
            if not con.execute("UPDATE clips SET name = ? WHERE id = ?", (name, int(id))).rowcount:
                raise self._missing(id)

    def set_captions(self, id: int, captions) -> None:
        captions = clean_captions(captions)
        with self._write(changes_vectors=False) as con:
            if not con.execute("UPDATE clips SET captions = ?, caption_text = ? WHERE id = ?",
                               (json.dumps(list(captions), ensure_ascii=False), "\n".join(captions),
                                int(id))).rowcount:
                raise self._missing(id)

    def _missing(self, id) -> LampError:
        return LampError(f"{self.path}: no clip with id {id}")

    def get(self, id: int) -> LibraryClip:
        rows = self._query(f"SELECT {CLIP_COLUMNS} FROM clips WHERE id = ?", (int(id),))
        if not rows:
            raise self._missing(id)
        return clip_from_row(rows[0])

    def motion(self, id: int) -> Motion:
        rows = self._query("SELECT m.codec, m.frames, m.data, c.fps, c.provenance, c.source, c.license, c.captions "
                           "FROM motions m JOIN clips c ON c.id = m.clip_id WHERE m.clip_id = ?", (int(id),))
        if not rows:
            raise self._missing(id)
        codec, frames, data, fps, prov, source, license, captions = rows[0]
        try:
            joints = decode_motion(codec, data, int(frames))
        except Exception as e:  # zlib.error, ValueError: a damaged blob
            raise LampError(f"{self.path}: clip {id}'s motion data is damaged ({e})") from None
        captions = json.loads(captions)
        p = Provenance.from_dict(json.loads(prov)).replace(source=source, license=license,
                                                           caption=captions[0] if captions else None)
        return Motion(joints, fps, p)

    def list(self, query: str | None = None, limit: int | None = None) -> list[LibraryClip]:
        """Clips in the order they were added; ``query`` keeps those whose name or a caption contains
        it (case-insensitive)."""
        sql, args = f"SELECT {CLIP_COLUMNS} FROM clips", []
        if query is not None and query.strip():
            sql += " WHERE instr(lamp_fold(name || char(10) || caption_text), ?) > 0"
            args.append(query.strip().casefold())
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, int(limit)))
        return [clip_from_row(r) for r in self._query(sql, args)]

    def ids(self) -> list[int]:
        return [r[0] for r in self._query("SELECT id FROM clips ORDER BY id")]

    def __len__(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM clips")[0][0])

    def __contains__(self, id) -> bool:
        return bool(self._query("SELECT 1 FROM clips WHERE id = ?", (int(id),)))

    def check(self) -> list[str]:
        """Problems found by SQLite's quick check and a pass over every clip (empty when healthy)."""
        problems = [r[0] for r in self._query("PRAGMA quick_check") if r[0] != "ok"]
        for (cid,) in self._query("SELECT id FROM clips WHERE id NOT IN (SELECT clip_id FROM motions)"):
            problems.append(f"clip {cid} has no motion")
        for (cid,) in self._query("SELECT clip_id FROM embeddings WHERE clip_id NOT IN (SELECT id FROM clips) "
                                  "UNION SELECT clip_id FROM motions WHERE clip_id NOT IN (SELECT id FROM clips)"):
            problems.append(f"rows left behind by removed clip {cid}")
        for (cid, codec, frames, data) in self._query("SELECT clip_id, codec, frames, data FROM motions"):
            try:
                decode_motion(codec, data, int(frames))
            except Exception as e:
                problems.append(f"clip {cid}: motion data damaged ({e})")
        return problems




def _expand(paths, suffixes: list[str]) -> list[Path]:
    """Files as given, and the readable files under any folder (sorted), in order."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes)
        else:
            out.append(p)
    return out
