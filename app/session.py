"""The session: the clips the user made or imported this time, which one is current, and the undo stack.

Clips are immutable values and every change swaps in a new tuple of them, so an undo command only keeps
the tuples before and after (references, not copies) and undo/redo restore the state exactly."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from lamp_core.motion import Motion
from lamp_core.session_file import SessionClip, SessionData, load_session, save_session

_ids = itertools.count(1)


def _read_keys(rows) -> tuple:
    """Key poses from a session file's state; anything malformed is dropped, not fatal."""
    out = []
    for row in rows if isinstance(rows, list) else []:
        try:
            pose = np.asarray(row[1], dtype=np.float32)
            if isinstance(row[0], int) and pose.shape == (22, 3) and np.isfinite(pose).all():
                out.append((row[0], pose))
        except (TypeError, ValueError, IndexError):
            continue
    return tuple(sorted(out, key=lambda k: k[0]))


@dataclass(frozen=True)
class Clip:
    uid: int
    name: str
    motion: Motion
    captions: tuple = ()        # TimedCaption.to_dict() values: {"start", "end", "captions": [{text, score}]}
    group: str | None = None    # variations of one generation share a group
    # key-pose markers: ((frame, (22, 3) pose array), ...) sorted by frame
    keys: tuple = dataclasses.field(default=(), compare=False)

    def replace(self, **changes) -> Clip:
        return dataclasses.replace(self, **changes)

    @staticmethod
    def new(name: str, motion: Motion, captions=(), group: str | None = None, keys=()) -> Clip:
        return Clip(next(_ids), name, motion, tuple(captions), group, tuple(keys))


class _Swap(QUndoCommand):
    """Replace the clip tuple (and the current clip) with another; undo puts the old one back."""

    def __init__(self, session: Session, text: str, after: tuple, current_after: int | None):
        super().__init__(text)
        self.session = session
        self.before, self.current_before = session.clips, session.current_uid
        self.after, self.current_after = after, current_after

    def redo(self) -> None:
        self.session._set(self.after, self.current_after)

    def undo(self) -> None:
        self.session._set(self.before, self.current_before)


class _SetSegments(QUndoCommand):
    """Replace the prompt segments of a multi-prompt sequence; undo puts the old ones back."""

    def __init__(self, session: Session, segments: tuple):
        super().__init__(f"Edit prompt segments ({len(segments)})")
        self.session, self.before, self.after = session, session.segments, segments

    def redo(self) -> None:
        self.session._set_segments(self.after)

    def undo(self) -> None:
        self.session._set_segments(self.before)


class Session(QObject):
    clips_changed = Signal()            # the list (names, order, membership) or a clip's content changed
    current_changed = Signal(object)    # the current Clip, or None
    segments_changed = Signal()         # the prompt segments (text, seconds) of a multi-prompt sequence

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.clips: tuple[Clip, ...] = ()
        self.current_uid: int | None = None
        self.undo_stack = QUndoStack(self)
        self.path: Path | None = None   # where it was last saved or opened from
        self.segments: tuple[tuple[str, float], ...] = ()

    # ------------------------------------------------------------------ reading
    @property
    def current(self) -> Clip | None:
        return self.find(self.current_uid)

    def find(self, uid: int | None) -> Clip | None:
        return next((c for c in self.clips if c.uid == uid), None)

    def index_of(self, uid: int) -> int:
        return next((i for i, c in enumerate(self.clips) if c.uid == uid), -1)

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    # ------------------------------------------------------------------ state changes
    def _set(self, clips: tuple, current: int | None) -> None:
        old_current = self.current
        self.clips = clips
        self.current_uid = current if self.find(current) else (clips[-1].uid if clips else None)
        self.clips_changed.emit()
        if self.current is not old_current:
            self.current_changed.emit(self.current)

    def _push(self, text: str, clips, current: int | None) -> None:
        self.undo_stack.push(_Swap(self, text, tuple(clips), current))

    def _set_segments(self, segments: tuple) -> None:
        self.segments = segments
        self.segments_changed.emit()

    def set_segments(self, segments) -> None:
        """New prompt segments, as one undoable step (nothing happens when they are the same)."""
        segments = tuple((str(t), float(s)) for t, s in segments)
        if segments != self.segments:
            self.undo_stack.push(_SetSegments(self, segments))

    def select(self, uid: int | None) -> None:
        """Show another clip (not an edit: selection is not undone)."""
        if uid != self.current_uid and (uid is None or self.find(uid)):
            self.current_uid = uid
            self.current_changed.emit(self.current)

    # ------------------------------------------------------------------ edits (undoable)
    def add(self, clips, text: str | None = None) -> None:
        clips = list(clips)
        if clips:
            self._push(text or f"Add {clips[0].name!r}" + (f" and {len(clips) - 1} more" if len(clips) > 1 else ""),
                       self.clips + tuple(clips), clips[0].uid)

    def remove(self, uid: int) -> None:
        i = self.index_of(uid)
        if i < 0:
            return
        rest = self.clips[:i] + self.clips[i + 1:]
        nxt = rest[min(i, len(rest) - 1)].uid if rest else None
        self._push(f"Delete {self.clips[i].name!r}", rest, nxt if uid == self.current_uid else self.current_uid)

    def update(self, uid: int, text: str, **changes) -> None:
        """Change fields of one clip (name, motion, captions) as one undoable step."""
        i = self.index_of(uid)
        if i < 0:
            return
        new = self.clips[i].replace(**changes)
        self._push(text, self.clips[:i] + (new,) + self.clips[i + 1:], self.current_uid)

    def rename(self, uid: int, name: str) -> None:
        name = name.strip()
        clip = self.find(uid)
        if clip and name and name != clip.name:
            self.update(uid, f"Rename to {name!r}", name=name)

    def keep_only(self, uid: int) -> None:
        """Keep one variation of a generation: the other clips of its group go (undoable)."""
        clip = self.find(uid)
        if clip is None or clip.group is None:
            return
        rest = tuple(c for c in self.clips if c.group != clip.group or c.uid == uid)
        if len(rest) < len(self.clips):
            self._push(f"Keep {clip.name!r}", rest, uid)

    def clear(self) -> None:
        """A new, empty session (the undo history goes too)."""
        self.undo_stack.clear()
        self.path = None
        self._set((), None)
        self.undo_stack.setClean()

    # ------------------------------------------------------------------ files
    def to_data(self, state: dict | None = None) -> SessionData:
        cur = self.index_of(self.current_uid) if self.current_uid is not None else -1
        clips = tuple(SessionClip(c.name, c.motion, c.captions, c.group) for c in self.clips)
        # key poses ride in the free-form state (the session format has no per-clip field for them)
        keys = {str(i): [[int(f), np.asarray(p).tolist()] for f, p in c.keys] for i, c in enumerate(self.clips) if c.keys}
        return SessionData(clips, {**(state or {}), "current": cur, "keys": keys,
                                   "segments": [[t, s] for t, s in self.segments]})

    def save(self, path: str | Path, state: dict | None = None, mark_clean: bool = True) -> Path:
        out = save_session(path, self.to_data(state))
        if mark_clean:
            self.path = Path(out)
            self.undo_stack.setClean()
        return out

    def load_data(self, data: SessionData, path: Path | None = None) -> None:
        keys = data.state.get("keys") if isinstance(data.state.get("keys"), dict) else {}
        clips = tuple(Clip.new(c.name, c.motion, c.captions, c.group, _read_keys(keys.get(str(i))))
                      for i, c in enumerate(data.clips))
        cur = data.state.get("current", -1)
        self.undo_stack.clear()
        self.path = path
        self._set(clips, clips[cur].uid if isinstance(cur, int) and 0 <= cur < len(clips) else None)
        self._set_segments(_read_segments(data.state.get("segments")))
        self.undo_stack.setClean()

    def open(self, path: str | Path) -> SessionData:
        data = load_session(path)
        self.load_data(data, Path(path))
        return data


def _read_segments(raw) -> tuple[tuple[str, float], ...]:
    """Segments from a session file; anything malformed is skipped rather than failing the open."""
    out = []
    for item in raw if isinstance(raw, list) else ():
        try:
            text, seconds = item
            out.append((str(text), float(seconds)))
        except (TypeError, ValueError):
            continue
    return tuple(out)
