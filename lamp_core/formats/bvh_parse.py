"""A tolerant, bounded BVH parser: any channel count/order, positions on any joint, End Sites,
CRLF/tabs, and forward kinematics of the parsed skeleton.

Bad files raise ``MotionFormatError`` naming the file, the line and what was expected; nothing
is allocated from a count the header claims (a "Frames: 1000000000" header reads only the rows
that are really there).

Big files are decoded and their motion rows parsed in pieces of about a megabyte, never in one long C
call, so a file read on a worker thread leaves the GIL free often enough for the UI thread to keep
drawing (a 2-hour take is ~100 MB of text).
"""

from __future__ import annotations

import codecs
import io
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import MotionFormatError
from ..motion.rotations import euler_to_matrix

MAX_FILE_BYTES = 1_500_000_000   # a 2-hour, 120 fps, 100-channel take is ~0.9 GB of text
MAX_JOINTS = 1024
MAX_DEPTH = 256                  # nesting levels; real rigs use < 30, deeper ones would overflow recursion later
_CHANNEL_NAMES = {"xposition": "Xp", "yposition": "Yp", "zposition": "Zp",
                  "xrotation": "X", "yrotation": "Y", "zrotation": "Z"}
END_SUFFIX = "/End"
DECODE_CHUNK_BYTES = 4 << 20     # bytes decoded per call
ROW_CHUNK_CHARS = 1 << 20        # characters of motion rows parsed per call (~5 ms each)
HEADER_CHARS = 1 << 16           # first guess at the header's size; grown until the header fits
# line breaks str.splitlines() knows and numpy's row reader does not: a file with one takes the exact slow path
_ODD_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


@dataclass
class BvhSkeleton:
    """The hierarchy: joints in file order, End Sites included as channel-less joints named
    ``<parent>/End``."""
    names: list[str] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    offsets: list[tuple[float, float, float]] = field(default_factory=list)
    channels: list[list[str]] = field(default_factory=list)   # e.g. ["Xp", "Yp", "Zp", "Z", "X", "Y"]
    is_end: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def children(self, j: int) -> list[int]:
        return [c for c, p in enumerate(self.parents) if p == j]

    @property
    def channel_count(self) -> int:
        return sum(len(c) for c in self.channels)


@dataclass
class BvhData:
    skeleton: BvhSkeleton
    frames: np.ndarray          # (F, C) float64, channel values as written (degrees, file units)
    frame_time: float
    path: str

    @property
    def fps(self) -> float:
        """Frames per second, snapped to a whole number when Frame Time was a rounded 1/N."""
        fps = 1.0 / self.frame_time
        return float(round(fps)) if abs(fps - round(fps)) < 1e-5 * fps else fps


def _fail(path, msg, line=None):
    raise MotionFormatError(path, msg, line)


def _read_bytes(path: str | Path) -> tuple[bytes, Path]:
    p = Path(path)
    if not p.exists():
        _fail(p, "file not found")
    if p.is_dir():
        _fail(p, "is a folder, expected a .bvh file")
    try:
        size = p.stat().st_size
        if size == 0:
            _fail(p, "file is empty, expected a BVH text starting with HIERARCHY")
        if size > MAX_FILE_BYTES:
            _fail(p, f"file is {size / 1e9:.1f} GB, larger than the {MAX_FILE_BYTES / 1e9:.1f} GB this reader accepts")
        raw = p.read_bytes()
    except OSError as e:
        _fail(p, f"cannot read the file: {e.strerror or e}")
    return raw, p


def read_text(path: str | Path) -> str:
    """Read a motion text file with size, binary and encoding checks."""
    return decode_text(*_read_bytes(path))


def read_pieces(path: str | Path) -> list[str]:
    """``read_text`` as pieces of a few MB that join to the text: ``parse`` takes them as they are, so a
    big file is never copied into one string (one long GIL-holding copy)."""
    return decode_pieces(*_read_bytes(path))


def decode_text(raw: bytes, path: str | Path) -> str:
    """Bytes of a motion text file (from disk or an archive member) -> text, refusing binary data."""
    return "".join(decode_pieces(raw, path))


def decode_pieces(raw: bytes, path: str | Path) -> list[str]:
    """``decode_text`` as pieces, decoded a few MB per call (an incremental decoder keeps characters
    split between pieces whole)."""
    if not raw:
        _fail(path, "file is empty, expected a BVH text starting with HIERARCHY")
    if len(raw) > MAX_FILE_BYTES:
        _fail(path, f"file is {len(raw) / 1e9:.1f} GB, larger than the {MAX_FILE_BYTES / 1e9:.1f} GB this reader accepts")
    if b"\x00" in raw[:65536]:
        _fail(path, "binary data, expected a BVH text file starting with HIERARCHY", 1)
    try:
        return _decode(raw, "utf-8-sig")
    except UnicodeDecodeError:
        return _decode(raw, "latin-1")


def _decode(raw: bytes, encoding: str) -> list[str]:
    if len(raw) <= DECODE_CHUNK_BYTES:
        return [raw.decode(encoding)]
    dec = codecs.getincrementaldecoder(encoding)()
    parts = [dec.decode(raw[k:k + DECODE_CHUNK_BYTES]) for k in range(0, len(raw), DECODE_CHUNK_BYTES)]
    parts.append(dec.decode(b"", final=True))
    return [part for part in parts if part]


def _parse_float(tok: str, path, line: int, what: str) -> float:
    try:
        v = float(tok)
    except ValueError:
        _fail(path, f"expected a number for {what}, found {tok[:40]!r}", line)
    if not math.isfinite(v):
        _fail(path, f"{what} is {tok!r}, expected a finite number", line)
    return v


class _NeedMore(Exception):
    """The header runs past the piece of text given to ``_parse_header``: try a longer one."""


def parse(text: str | Sequence[str], path: str | Path = "<text>") -> BvhData:
    """Parse BVH text (one string, or pieces that join to it, as ``read_pieces`` gives) into hierarchy
    + raw channel frames.

    The header is read from the first lines only (never ``splitlines()`` of a whole 100 MB file) and
    the motion rows a piece at a time; a file whose rows the fast reader refuses is read again the exact
    slow way, which finds and names the offending line."""
    pieces = [text] if isinstance(text, str) else list(text)
    size = HEADER_CHARS
    while True:
        head, complete = _head(pieces, size)
        try:
            skel, frames_n, frame_time, data_start = _parse_header(head.splitlines(), complete, path)
            break
        except _NeedMore:
            size *= 4
    C = skel.channel_count
    offset = sum(len(line) for line in head.splitlines(keepends=True)[:data_start])
    frames = _parse_rows_chunked(_row_chunks(pieces, offset), frames_n, C)
    if frames is None:
        frames = _parse_rows("".join(pieces).splitlines(), data_start, frames_n, C, path)
    return BvhData(skel, frames, float(frame_time), str(path))


def _head(pieces: list[str], size: int) -> tuple[str, bool]:
    """The text's first whole lines, at least ``size`` characters of them if there are that many, and
    whether that is the whole text."""
    s = ""
    for k, piece in enumerate(pieces):
        s += piece
        if len(s) > size:
            cut = s.find("\n", size)
            if cut >= 0:      # whole lines only: cut after a line break, so they are the file's first lines
                return s[:cut + 1], cut + 1 == len(s) and k == len(pieces) - 1
    return s, True


def _row_chunks(pieces: list[str], pos: int) -> Iterator[str]:
    """The text from character ``pos`` on, in chunks of about ROW_CHUNK_CHARS that end after a line break."""
    carry: list[str] = []          # the start of a line that continues in the next piece
    for piece in pieces:
        n = len(piece)
        if pos >= n:
            pos -= n
            continue
        while pos < n:
            stop = piece.find("\n", pos + ROW_CHUNK_CHARS)
            if stop < 0:
                stop = piece.find("\r", pos + ROW_CHUNK_CHARS)   # old Mac line ends
            if stop < 0:
                carry.append(piece[pos:])
                break
            yield "".join(carry) + piece[pos:stop + 1]
            carry = []
            pos = stop + 1
        pos = 0
    if carry:
        yield "".join(carry)


def _parse_header(lines: list[str], complete: bool, path) -> tuple[BvhSkeleton, int, float, int]:
    """The hierarchy and the Frames / Frame Time lines: (skeleton, frames, frame time, index of the first
    motion line). ``complete`` says whether ``lines`` are the whole file; when not, running out of them
    raises _NeedMore instead of a truncation error."""
    skel = BvhSkeleton()
    n = len(lines)
    i = 0

    def next_content(k: int) -> int:
        while k < n and not lines[k].strip():
            k += 1
        return k

    i = next_content(0)
    if i >= n and not complete:
        raise _NeedMore
    if i >= n or lines[i].split()[0].upper() != "HIERARCHY":
        _fail(path, "expected 'HIERARCHY' as the first word of a BVH file", i + 1 if i < n else 1)
    i += 1
    # Header tokens with their line numbers; braces may share lines with names.
    stack: list[int] = []   # joint indices whose '{' is open
    pending: int | None = None  # joint declared, waiting for its '{'
    motion_line = None
    while i < n:
        raw = lines[i].replace("{", " { ").replace("}", " } ")
        toks = raw.split()
        lineno = i + 1
        i += 1
        k = 0
        while k < len(toks):
            t = toks[k]
            u = t.upper()
            if u in ("ROOT", "JOINT") or (u == "END" and k + 1 < len(toks) and toks[k + 1].upper() == "SITE"):
                if pending is not None:
                    _fail(path, f"expected '{{' after joint {skel.names[pending]!r}", lineno)
                if u == "ROOT" and (stack or skel.names):
                    if stack:
                        _fail(path, "ROOT inside another joint", lineno)
                    _fail(path, "more than one ROOT: only single-skeleton BVH files are supported", lineno)
                if u == "JOINT" and not stack:
                    _fail(path, "JOINT outside a ROOT block", lineno)
                if u == "END":
                    if not stack:
                        _fail(path, "End Site outside a joint", lineno)
                    name = skel.names[stack[-1]] + END_SUFFIX
                    k += 2
                else:
                    rest = []
                    k += 1
                    while k < len(toks) and toks[k] != "{":
                        rest.append(toks[k])
                        k += 1
                    if not rest:
                        _fail(path, f"{u} without a name", lineno)
                    name = " ".join(rest)
                if len(skel.names) >= MAX_JOINTS:
                    _fail(path, f"more than {MAX_JOINTS} joints", lineno)
                skel.names.append(name)
                skel.parents.append(stack[-1] if stack else -1)
                skel.offsets.append((0.0, 0.0, 0.0))
                skel.channels.append([])
                skel.is_end.append(u == "END")
                pending = len(skel.names) - 1
                continue
            if t == "{":
                if pending is None:
                    _fail(path, "unexpected '{'", lineno)
                if len(stack) >= MAX_DEPTH:
                    _fail(path, f"joints nested more than {MAX_DEPTH} levels deep", lineno)
                stack.append(pending)
                pending = None
            elif t == "}":
                if not stack:
                    _fail(path, "unbalanced '}'", lineno)
                stack.pop()
            elif u == "OFFSET":
                if not stack:
                    _fail(path, "OFFSET outside a joint", lineno)
                vals = toks[k + 1:k + 4]
                if len(vals) < 3:
                    _fail(path, f"OFFSET needs 3 numbers, found {len(vals)}", lineno)
                skel.offsets[stack[-1]] = tuple(_parse_float(v, path, lineno, "OFFSET") for v in vals)
                k += 3
            elif u == "CHANNELS":
                if not stack:
                    _fail(path, "CHANNELS outside a joint", lineno)
                j = stack[-1]
                if skel.is_end[j]:
                    _fail(path, "an End Site cannot have CHANNELS", lineno)
                if k + 1 >= len(toks):
                    _fail(path, "CHANNELS needs a count", lineno)
                try:
                    count = int(toks[k + 1])
                except ValueError:
                    _fail(path, f"expected a channel count after CHANNELS, found {toks[k + 1]!r}", lineno)
                names = toks[k + 2:]
                if count < 0 or count > 6 or count != len(names):
                    _fail(path, f"CHANNELS says {count} but lists {len(names)} channel names (0-6 expected)", lineno)
                chans = []
                for c in names:
                    key = _CHANNEL_NAMES.get(c.lower())
                    if key is None:
                        _fail(path, f"unknown channel {c!r}; expected X/Y/Z position or rotation", lineno)
                    chans.append(key)
                if len(set(chans)) != len(chans):
                    _fail(path, "a channel is listed twice", lineno)
                skel.channels[j] = chans
                k = len(toks)
                continue
            elif u == "MOTION":
                motion_line = lineno
                break
            else:
                _fail(path, f"unexpected {t[:40]!r} in the hierarchy; expected ROOT, JOINT, End Site, OFFSET, CHANNELS, braces or MOTION", lineno)
            k += 1
        if motion_line is not None:
            break
    if motion_line is None and not complete:
        raise _NeedMore
    if not skel.names:
        _fail(path, "no ROOT joint found in the hierarchy")
    if stack or pending is not None:
        _fail(path, "file ends inside the hierarchy (unclosed '{')", n)
    if motion_line is None:
        _fail(path, "no MOTION section: the file is truncated after the hierarchy", n)

    # Frames: N / Frame Time: t
    i = next_content(i)
    frames_n = None
    frame_time = None
    for what in ("frames", "frame time"):
        if i >= n and not complete:
            raise _NeedMore
        if i >= n:
            _fail(path, "file ends before 'Frames:'/'Frame Time:' lines", n)
        line = lines[i]
        key, _, val = line.partition(":")
        if " ".join(key.split()).lower() != what:  # "Frame  Time:" / "Frame\tTime :" are fine
            _fail(path, f"expected '{what.title()}:' line, found {line.strip()[:40]!r}", i + 1)
        if what == "frames":
            try:
                frames_n = int(val.strip())
            except ValueError:
                _fail(path, f"expected a whole number of frames, found {val.strip()[:40]!r}", i + 1)
            if frames_n <= 0:
                _fail(path, f"the file has {frames_n} frames; at least 1 is needed", i + 1)
        else:
            frame_time = _parse_float(val.strip(), path, i + 1, "Frame Time")
            if not (1e-5 <= frame_time <= 10.0):
                _fail(path, f"Frame Time {frame_time} s is not a plausible frame duration (1e-5..10 s)", i + 1)
        i += 1
    if skel.channel_count == 0:
        _fail(path, "the hierarchy declares no CHANNELS, so there is no motion to read", motion_line)
    return skel, frames_n, frame_time, i


def _parse_rows_chunked(chunks: Iterator[str], frames_n: int, C: int) -> np.ndarray | None:
    """The (frames_n, C) motion rows, parsed a chunk (~ROW_CHUNK_CHARS) at a time so the GIL is released
    between chunks. The same numpy reader as ``_parse_rows``, so the values are identical; None when
    anything is off (bad or missing rows, a non-finite value, an unusual line break), and the caller then
    runs ``_parse_rows``, which explains the problem exactly as before."""
    parts: list[np.ndarray] = []
    rows = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for chunk in chunks:
            if chunk.isspace():
                continue
            if any(b in chunk for b in _ODD_BREAKS):
                return None
            try:
                arr = np.loadtxt(io.StringIO(chunk), dtype=np.float64, ndmin=2, comments=None)
            except ValueError:
                return None
            if arr.shape[1] != C:
                return None
            parts.append(arr)
            rows += arr.shape[0]
    if rows < frames_n:
        return None
    out = np.empty((frames_n, C))
    row = 0
    for arr in parts:                       # piece by piece: no single 100 MB copy or check
        take = min(arr.shape[0], frames_n - row)
        if take <= 0:
            break
        if not np.isfinite(arr[:take]).all():
            return None
        out[row:row + take] = arr[:take]
        row += take
    return out


def _parse_rows(lines: list[str], start: int, frames_n: int, C: int, path) -> np.ndarray:
    body_lines = lines[start:]
    # Drop trailing blank lines; interior blank lines are tolerated by loadtxt.
    while body_lines and not body_lines[-1].strip():
        body_lines.pop()
    if not body_lines:
        _fail(path, f"Frames says {frames_n} but there is no motion data", start + 1)
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.loadtxt(io.StringIO("\n".join(body_lines)), dtype=np.float64, ndmin=2, comments=None)
    except ValueError:
        arr = None
    if arr is None or arr.shape[1] != C:
        _locate_bad_row(body_lines, start, C, path)
    if arr.shape[0] < frames_n:
        _fail(path, f"truncated: Frames says {frames_n} but only {arr.shape[0]} rows of motion data follow",
              start + len(body_lines))
    arr = arr[:frames_n]
    bad = ~np.isfinite(arr)
    if bad.any():
        r = int(np.argwhere(bad.any(axis=1))[0, 0])
        _locate_bad_row(body_lines, start, C, path, only_row=r)
    return arr


def _locate_bad_row(body_lines, start, C, path, only_row=None):
    """Slow path after a failed fast parse: find the first offending line and explain it."""
    row = -1
    for k, line in enumerate(body_lines):
        toks = line.split()
        if not toks:
            continue
        row += 1
        if only_row is not None and row != only_row:
            continue
        if len(toks) != C:
            last = not any(rest.strip() for rest in body_lines[k + 1:])
            cut = "truncated: the last row has" if last and len(toks) < C else "found"
            _fail(path, f"expected {C} numbers per frame (from the CHANNELS lines), {cut} {len(toks)}", start + k + 1)
        for t in toks:
            _parse_float(t, path, start + k + 1, "a channel value")
    _fail(path, "motion data could not be read as numbers", start + 1)


def local_transforms(data: BvhData, frame_idx: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-joint local rotations (F, J, 3, 3) and translations (F, J, 3) for the chosen frames.

    Position channels replace the OFFSET (as Blender, MotionBuilder and the Bandai-Namco files
    expect); joints without them use the OFFSET.
    """
    skel = data.skeleton
    fr = data.frames if frame_idx is None else data.frames[frame_idx]
    F, J = fr.shape[0], len(skel)
    R = np.broadcast_to(np.eye(3), (F, J, 3, 3)).copy()
    t = np.broadcast_to(np.asarray(skel.offsets, dtype=np.float64), (F, J, 3)).copy()
    col = 0
    for j, chans in enumerate(skel.channels):
        if not chans:
            continue
        cols = {c: col + k for k, c in enumerate(chans)}
        col += len(chans)
        rot = [c for c in chans if c in "XYZ"]
        if rot:
            # Fewer than three rotation channels: the missing axes turn by 0 degrees, appended last.
            angles = np.zeros((F, 3))
            angles[:, :len(rot)] = fr[:, [cols[c] for c in rot]]
            order = rot + [a for a in "XYZ" if a not in rot]
            R[:, j] = euler_to_matrix(angles, "".join(order))
        for axis, c in enumerate(("Xp", "Yp", "Zp")):
            if c in cols:
                t[:, j, axis] = fr[:, cols[c]]
    return R, t


def world_positions(data: BvhData, frame_idx: np.ndarray | None = None) -> np.ndarray:
    """(F, J, 3) world positions of every joint and End Site, in file units."""
    R, t = local_transforms(data, frame_idx)
    parents = data.skeleton.parents
    G = np.empty_like(R)
    P = np.empty_like(t)
    for j, p in enumerate(parents):
        if p < 0:
            G[:, j] = R[:, j]
            P[:, j] = t[:, j]
        else:
            G[:, j] = G[:, p] @ R[:, j]
            P[:, j] = P[:, p] + np.einsum("fab,fb->fa", G[:, p], t[:, j])
    return P


def rest_positions(skel: BvhSkeleton) -> np.ndarray:
    """(J, 3) positions of the zero-rotation pose built from the OFFSETs."""
    off = np.asarray(skel.offsets, dtype=np.float64)
    P = np.zeros_like(off)
    for j, p in enumerate(skel.parents):
        P[j] = off[j] if p < 0 else P[p] + off[j]
    return P
