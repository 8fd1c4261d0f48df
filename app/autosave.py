"""Autosave and crash recovery.

While the session has unsaved changes it is written every ``interval`` to ``autosave-<pid>.lampsession``
in the app's data folder, next to a QLockFile this process holds. A clean exit deletes both. On the next
start, an autosave whose lock is stale (its process died) is offered for recovery; a file locked by a
running LaMP Studio is left alone, so two windows never steal each other's work.

A save takes its snapshot of the session on the UI thread (cheap: clips are immutable values, the view
state a fresh dict) and serialises and writes it on a background thread, so a session holding a 2-hour
clip (~1 s to write) never freezes the window. One save runs at a time; saves asked for meanwhile become
one more save when it ends. The file is replaced atomically: it is always the previous complete autosave
or the new complete one."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from lamp_core.session_file import save_session

from .session import Session

PREFIX = "autosave-"
SUFFIX = ".lampsession"


class Autosaver(QObject):
    _save_ended = Signal(object, object)   # from the save thread: None or why it failed, and the thread

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
        self._thread: threading.Thread | None = None
        self._again = False        # a save was asked for while one ran
        self._closed = False
        self._save_ended.connect(self._ended)     # queued: the slot runs on the UI thread
        session.undo_stack.indexChanged.connect(self._changed)
        session.undo_stack.cleanChanged.connect(self._changed)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

    def _changed(self, *_) -> None:
        self.pending = True

    @property
    def busy(self) -> bool:
        """A background save is writing."""
        return self._thread is not None and self._thread.is_alive()

    def save_now(self) -> None:
        """Write the session if it changed since the last autosave; drop the file once it is saved for real.

        Returns at once: the snapshot is taken here, the writing happens on a background thread. Asked
        while a save runs, it saves once more when that one ends."""
        if not self.pending or self._closed:
            return
        if self.busy:
            self._again = True
            return
        self.pending = False
        path = self.path
        try:
            if self.session.dirty:
                data = self.session.to_data(self.state())     # immutable clips + a fresh state dict

                def work():
                    save_session(path, data)
            else:
                def work():
                    path.unlink(missing_ok=True)
        except Exception as e:  # noqa: BLE001 - a broken view state must not take the window down either
            self.last_error = str(e) or type(e).__name__
            self.pending = True
            return
        self._thread = threading.Thread(target=self._write, args=(work,), name="autosave", daemon=True)
        self._thread.start()

    def _write(self, work: Callable[[], None]) -> None:   # the save thread
        error = None
        try:
            work()
        except Exception as e:  # noqa: BLE001 - a full disk must not take the window down; retry next tick
            error = str(e) or type(e).__name__
        try:
            self._save_ended.emit(error, threading.current_thread())
        except RuntimeError:    # the window (and this object) went while the file was written
            pass

    def _ended(self, error: str | None, thread: threading.Thread) -> None:
        thread.join()           # it is returning: only now is it no longer busy
        self.last_error = error
        if error is not None:
            self.pending = True
        if self._again and not self.busy:
            self._again = False
            self.save_now()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a running background save has ended; False if it is still running after ``timeout`` s."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

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
        """A clean exit: nothing to recover next time (a save still writing is waited for first, so it
        cannot put the file back after it was deleted)."""
        self.timer.stop()
        self._closed = True
        self.wait()
        self.path.unlink(missing_ok=True)
        self._lock.unlock()
