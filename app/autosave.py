"""Autosave and crash recovery.

While the session has unsaved changes it is written every ``interval`` to ``autosave-<pid>.lampsession``
in the app's data folder, next to a QLockFile this process holds. A clean exit deletes both. On the next
start, an autosave whose lock is stale (its process died) is offered for recovery; a file locked by a
running LaMP Studio is left alone, so two windows never steal each other's work."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer

from .session import Session

PREFIX = "autosave-"
SUFFIX = ".lampsession"


class Autosaver(QObject):
    def __init__(self, session: Session, folder: str | Path, state: Callable[[], dict], interval_ms: int = 30000,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.state = session, state
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / f"{PREFIX}{os.getpid()}{SUFFIX}"
        self._lock = QLockFile(str(self.path.with_suffix(".lock")))
        self._lock.setStaleLockTime(0)
        self._lock.tryLock(0)
        self.pending = False
        self.last_error: str | None = None
        session.undo_stack.indexChanged.connect(self._changed)
        session.undo_stack.cleanChanged.connect(self._changed)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

    def _changed(self, *_) -> None:
        self.pending = True

    def save_now(self) -> None:
        """Write the session if it changed since the last autosave; drop the file once it is saved for real."""
        if not self.pending:
            return
        self.pending = False
        try:
            if self.session.dirty:
                self.session.save(self.path, self.state(), mark_clean=False)
            else:
                self.path.unlink(missing_ok=True)
            self.last_error = None
        except Exception as e:  # noqa: BLE001 - a full disk must not take the window down; retry next tick
            self.last_error = str(e)
            self.pending = True

    def recoverable(self) -> list[Path]:
        """Autosaves left by LaMP Studio processes that are gone, newest first (their lone lock files go)."""
        for lock_path in self.folder.glob(f"{PREFIX}*.lock"):
            if lock_path != self.path.with_suffix(".lock") and not lock_path.with_suffix(SUFFIX).exists():
                lock = QLockFile(str(lock_path))
                if lock.tryLock(0):   # stale: its process died before it had anything to autosave
                    lock.unlock()
        found = []
        for p in self.folder.glob(f"{PREFIX}*{SUFFIX}"):
            if p == self.path:
                continue
            lock = QLockFile(str(p.with_suffix(".lock")))
            if lock.tryLock(0):      # nobody holds it (or its holder died): this file is orphaned
                lock.unlock()
                found.append(p)
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    @staticmethod
    def discard(paths) -> None:
        for p in paths:
            Path(p).unlink(missing_ok=True)
            Path(p).with_suffix(".lock").unlink(missing_ok=True)

    def finish(self) -> None:
        """A clean exit: nothing to recover next time."""
        self.timer.stop()
        self.path.unlink(missing_ok=True)
        self._lock.unlock()
