"""The library file: recognising it (before anything is written), creating it, and its schema.

A library is an SQLite database marked with ``PRAGMA application_id`` = LAMP_APP_ID and its schema
version in ``PRAGMA user_version``. Anything else (random bytes, a truncated file, another program's
database, a newer schema) is refused with a LampError naming the file, and the file is not touched:
the first checks read the 100-byte header directly, and a database whose header is not ours is only
ever inspected through a read-only connection.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from pathlib import Path

from ..errors import LampError

LAMP_APP_ID = 0x4C614D50  # "LaMP"
SCHEMA_VERSION = 1
TABLES = {"clips", "motions", "embeddings"}

SCHEMA = """
CREATE TABLE clips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    source TEXT,
    captions TEXT NOT NULL DEFAULT '[]',      -- JSON list of strings
    caption_text TEXT NOT NULL DEFAULT '',    -- the same joined by newlines, for substring filters
    frames INTEGER NOT NULL,
    fps REAL NOT NULL,
    license TEXT,
    added TEXT NOT NULL,                      -- UTC ISO 8601
    provenance TEXT NOT NULL DEFAULT '{}'     -- JSON, Provenance.to_dict()
);
CREATE TABLE motions (
    clip_id INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
    codec TEXT NOT NULL,                      -- see codec.py, never pickle
    frames INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE embeddings (
    model_id TEXT NOT NULL,
    clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,                     -- dim little-endian float32, unit length
    UNIQUE (model_id, clip_id)
);
CREATE INDEX embeddings_by_clip ON embeddings(clip_id);
"""

_MAGIC = b"SQLite format 3\x00"


def _not_ours(path: Path, why: str) -> LampError:
    return LampError(f"{path}: not a LaMP motion library ({why}); the file was left unchanged")


def _newer(path: Path, version: int) -> LampError:
    return LampError(f"{path}: made by a newer LaMP Studio (library schema {version}; this version reads up to "
                     f"{SCHEMA_VERSION}); update LaMP Studio to open it. The file was left unchanged")


def check_header(path: Path) -> int | None:
    """Look at an existing file's header without SQLite. Returns its application id (None for an
    empty file), or raises a LampError for anything that cannot be a library of ours."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as e:
        raise LampError(f"{path}: cannot read the library ({e.strerror or e})") from None
    if size == 0:
        return None
    if not head.startswith(_MAGIC):
        raise _not_ours(path, "not an SQLite database")
    if len(head) < 100:
        raise LampError(f"{path}: the library file is damaged (truncated to {size} bytes); the file was left unchanged")
    page = struct.unpack(">H", head[16:18])[0]
    page = 65536 if page == 1 else page
    change, pages, valid_for = (struct.unpack(">I", head[o:o + 4])[0] for o in (24, 28, 92))
    if page < 512 or page & (page - 1):
        raise LampError(f"{path}: the library file is damaged (bad page size {page}); the file was left unchanged")
    if pages and change == valid_for and size < pages * page:
        raise LampError(f"{path}: the library file is damaged (truncated: {size:,} of {pages * page:,} bytes); "
                        f"restore it from a backup. The file was left unchanged")
    app_id, version = struct.unpack(">i", head[68:72])[0], struct.unpack(">I", head[60:64])[0]
    if app_id == LAMP_APP_ID and version > SCHEMA_VERSION:
        raise _newer(path, version)
    if app_id not in (0, LAMP_APP_ID):
        raise _not_ours(path, "a database of another program")
    return app_id


def inspect_foreign(path: Path) -> bool:
    """For an SQLite file not (yet) marked as ours: True when it is empty (no tables, so ours to set
    up), False when it is our library whose mark is still in the write-ahead log; raises for another
    program's database. Read-only: never writes the file."""
    wal = Path(f"{path}-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"
    uri = path.resolve().as_uri() + "?" + mode
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise LampError(f"{path}: the library file is damaged or not a library ({e}); the file was left unchanged") \
            from None
    if app_id == LAMP_APP_ID:
        if version > SCHEMA_VERSION:
            raise _newer(path, version)
        return False
    if app_id or version or tables:
        raise _not_ours(path, "an SQLite database of another program")
    return True


def check_writable(path: Path, exists: bool) -> None:
    folder = path.parent
    if exists and not os.access(path, os.W_OK):
        raise LampError(f"{path}: the library file is read-only; copy it to a folder you can write to")
    if not os.access(folder, os.W_OK | os.X_OK):
        what = "open the library" if exists else "create a library"
        raise LampError(f"{path}: cannot {what} there: the folder {folder} is read-only")


def connect(path: Path) -> sqlite3.Connection:
    try:
        con = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30.0)
    except sqlite3.Error as e:
        raise LampError(f"{path}: cannot open the library ({e})") from None
    return con


def connect_read_only(path: Path) -> sqlite3.Connection:
    """An immutable connection to an existing library (``MotionLibrary.open(read_only=True)``):
    SQLite takes no locks and writes nothing, not even -wal/-shm files, so it suits files that
    nothing writes while they are open (a WAL file beside it would be ignored: keep such files in
    rollback-journal mode, as scripts/build_default_library.py leaves the shipped one)."""
    if not path.is_file():
        raise LampError(f"{path}: no motion library there")
    if check_header(path) != LAMP_APP_ID:
        raise _not_ours(path, "not marked as a LaMP motion library")
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True,
                              isolation_level=None, check_same_thread=False)
    except sqlite3.Error as e:
        raise LampError(f"{path}: cannot open the library ({e})") from None
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as e:
        con.close()
        raise LampError(f"{path}: the library file is damaged or unreadable ({e})") from None
    if not TABLES <= tables:
        con.close()
        raise LampError(f"{path}: the library file is damaged (missing tables: {', '.join(sorted(TABLES - tables))})")
    return con


def prepare(con: sqlite3.Connection, path: Path, fresh: bool) -> None:
    """Switch to WAL, create the schema in a fresh file, or verify an existing one is ours."""
    try:
        con.execute("PRAGMA busy_timeout = 30000")
        if not fresh:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app_id != LAMP_APP_ID:
                raise _not_ours(path, "an SQLite database of another program")
            if version > SCHEMA_VERSION:
                raise _newer(path, version)
            if not TABLES <= tables:
                raise LampError(f"{path}: the library file is damaged (missing tables: "
                                f"{', '.join(sorted(TABLES - tables))})")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: consistent always, durable past an app crash
        con.execute("PRAGMA foreign_keys = ON")
        if fresh:
            con.execute("BEGIN IMMEDIATE")
            for stmt in SCHEMA.split(";"):  # one by one: executescript would commit on its own
                if stmt.strip():
                    con.execute(stmt)
            con.execute(f"PRAGMA application_id = {LAMP_APP_ID}")
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
    except sqlite3.DatabaseError as e:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise LampError(f"{path}: the library file is damaged or unreadable ({e})") from None
