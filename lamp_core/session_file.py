"""A LaMP Studio session in one file: a zip holding ``session.json`` (clip names, captions, provenance,
view state) and one ``.npy`` joint array per clip.

Why not pickle: a session file may come from someone else, and opening it must never run code. Arrays
go through ``np.load(allow_pickle=False)``, everything else is JSON, and the file is written atomically
(a crash mid-save leaves the previous file). Used by the app's Save/Open and by its autosave."""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import LampError
from .formats.atomic import atomic_write_stream
from .motion.motion import Motion, Provenance
from .motion.skeleton import NUM_JOINTS

FORMAT = "lamp-session"
VERSION = 1
SUFFIX = ".lampsession"
MAX_MEMBER_BYTES = 2 << 30      # refuse zip members that claim more than 2 GiB (a zip bomb, not a session)
_PIECE_BYTES = 1 << 20          # motion bytes handed to the zip per call


@dataclass(frozen=True)
class SessionClip:
    """One clip as stored: its motion plus JSON-able extras (timed captions as dicts, a group id)."""
    name: str
    motion: Motion
    captions: tuple = ()        # TimedCaption.to_dict() values
    group: str | None = None    # clips generated together share one


@dataclass(frozen=True)
class SessionData:
    clips: tuple[SessionClip, ...] = ()
    state: dict = field(default_factory=dict)   # the app's own view state (current clip, prompt, ...)


def save_session(path: str | Path, data: SessionData) -> Path:
    """Write ``data`` to ``path`` in one atomic step; returns the path.

    The zip is written straight into the temporary file and each motion in ~1 MB pieces (compressing and
    checksumming release the GIL), so an autosave on a background thread never holds the GIL for long,
    even with a 2-hour clip, and the file is never built whole in memory first."""

    def write(f) -> None:
        entries = []
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for i, clip in enumerate(data.clips):
                member = f"motions/{i:05d}.npy"
                _write_npy(z, member, np.ascontiguousarray(clip.motion.joints, np.float32))
                entries.append({"name": str(clip.name), "motion": member, "fps": clip.motion.fps,
                                "provenance": clip.motion.provenance.to_dict(),
                                "captions": list(clip.captions), "group": clip.group})
            meta = {"format": FORMAT, "version": VERSION, "clips": entries, "state": data.state}
            z.writestr("session.json", json.dumps(meta, ensure_ascii=False, indent=1))

    return atomic_write_stream(path, write)


def _write_npy(z: zipfile.ZipFile, member: str, arr: np.ndarray) -> None:
    """``arr`` as an .npy member (the bytes ``np.save`` writes), fed to the zip ~1 MB at a time."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(arr))
    info = zipfile.ZipInfo(member, date_time=time.localtime(time.time())[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    info.file_size = header.tell() + arr.nbytes     # as writestr sets it: decides whether ZIP64 is needed
    raw = memoryview(arr).cast("B")
    with z.open(info, "w") as out:
        out.write(header.getvalue())
        for k in range(0, len(raw), _PIECE_BYTES):
            out.write(raw[k:k + _PIECE_BYTES])


def load_session(path: str | Path) -> SessionData:
    """Read a session file, or a LampError naming the file and what is wrong with it."""
    p = Path(path)
    if p.is_dir():
        raise LampError(f"{p}: is a folder, not a session file")
    if not p.is_file():
        raise LampError(f"{p}: no such session file")
    try:
        with zipfile.ZipFile(p) as z:
            return _read(p, z)
    except zipfile.BadZipFile:
        raise LampError(f"{p}: not a LaMP Studio session (not a {SUFFIX} zip file)") from None
    except (KeyError, TypeError, ValueError) as e:
        raise LampError(f"{p}: damaged session file ({e})") from None


def _member(p: Path, z: zipfile.ZipFile, name: str) -> bytes:
    info = z.getinfo(name)
    if info.file_size > MAX_MEMBER_BYTES:
        raise LampError(f"{p}: {name} claims {info.file_size:,} bytes; refusing to unpack it")
    return z.read(name)


def _read(p: Path, z: zipfile.ZipFile) -> SessionData:
    try:
        meta = json.loads(_member(p, z, "session.json").decode("utf-8"))
    except KeyError:
        raise LampError(f"{p}: not a LaMP Studio session (no session.json inside)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise LampError(f"{p}: not a LaMP Studio session file")
    if int(meta.get("version", 0)) > VERSION:
        raise LampError(f"{p}: session version {meta['version']} is newer than this LaMP Studio reads ({VERSION})")
    clips = []
    for i, e in enumerate(meta.get("clips", [])):
        try:
            joints = np.load(io.BytesIO(_member(p, z, e["motion"])), allow_pickle=False)
        except (ValueError, OSError) as err:
            raise LampError(f"{p}: clip {i + 1} ({e.get('name')!r}): unreadable motion ({err})") from None
        if joints.ndim != 3 or joints.shape[1:] != (NUM_JOINTS, 3):
            raise LampError(f"{p}: clip {i + 1} ({e.get('name')!r}): motion has shape {joints.shape}")
        motion = Motion(joints, float(e["fps"]), Provenance.from_dict(e.get("provenance") or {}))
        clips.append(SessionClip(str(e["name"]), motion, tuple(e.get("captions") or ()), e.get("group")))
    state = meta.get("state") or {}
    return SessionData(tuple(clips), state if isinstance(state, dict) else {})
