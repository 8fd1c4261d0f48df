"""New / Open / Save / Save as for sessions, the view state stored with them, the "save changes?" question,
and recovery of an autosave left by a crash: the MainWindow's session-file half, kept apart so the window
module stays about layout and wiring."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from lamp_core.session_file import SUFFIX as SESSION_SUFFIX

from .jobs import describe_error


class SessionFilesMixin:
    """Needs ``session``, ``recent``, ``prompt``, ``timeline``, ``autosaver``, ``settings``, ``notify``, ``status`` and
    ``confirm_discard`` on the window it is mixed into."""

    def view_state(self) -> dict:
        return {"prompt": self.prompt.prompt.toPlainText(), "seed": self.prompt.seed.value(),
                "seconds": self.prompt.seconds.value(), "guidance": self.prompt.guidance.value(),
                "variations": self.prompt.variations.value(), "frame": self.timeline.frame}

    def _apply_state(self, state: dict) -> None:
        p = self.prompt
        p.prompt.setPlainText(str(state.get("prompt", "")))
        for box, key in ((p.seed, "seed"), (p.seconds, "seconds"), (p.guidance, "guidance"), (p.variations, "variations")):
            if isinstance(state.get(key), (int, float)):
                box.setValue(state[key])
        if isinstance(state.get("frame"), int):
            self.timeline.set_frame(state["frame"])

    def _may_discard(self) -> bool:
        """True when there is nothing unsaved, or the user saved or chose to discard it."""
        if not self.session.dirty or not self.confirm_discard:
            return True
        answer = QMessageBox.question(self, "Unsaved changes", "The session has unsaved changes. Save them first?",
                                      QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save_session()
        return answer == QMessageBox.Discard

    def new_session(self) -> None:
        if self._may_discard():
            self.session.clear()

    def open_session(self, path: str | Path) -> bool:
        if not self._may_discard():
            return False
        try:
            data = self.session.open(path)
        except Exception as e:  # noqa: BLE001 - a bad file is a message; the current session stays
            self.notify(f"Could not open {Path(path).name}", describe_error(e))
            return False
        self._apply_state(data.state)
        self.recent.add(path)
        self.status(f"Opened {path}: {len(data.clips)} clip(s)")
        return True

    def save_session(self) -> bool:
        if self.session.path is None:
            return self.save_session_as()
        return self._save_to(self.session.path)

    def save_session_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", str(Path(self._folder()) / f"session{SESSION_SUFFIX}"),
                                              f"LaMP Studio sessions (*{SESSION_SUFFIX})")
        if not path:
            return False
        p = Path(path)
        return self._save_to(p if p.suffix == SESSION_SUFFIX else p.with_name(p.name + SESSION_SUFFIX))

    def _save_to(self, path: Path) -> bool:
        try:
            out = self.session.save(path, self.view_state())
        except Exception as e:  # noqa: BLE001 - a full disk or a read-only folder is a message
            self.notify("Could not save the session", describe_error(e))
            return False
        self.settings.setValue("files/folder", str(out.parent))
        self.recent.add(out)
        self.status(f"Saved {out}")
        return True

    def recover(self) -> bool:
        """Offer the newest autosave of a LaMP Studio that did not exit cleanly; True when one was loaded."""
        found = self.autosaver.recoverable()
        if not found:
            return False
        newest = found[0]
        if self.confirm_discard and QMessageBox.question(
                self, "Recover unsaved work?", "LaMP Studio did not close cleanly last time. Recover the "
                                               "session it autosaved?") != QMessageBox.Yes:
            self.autosaver.discard(found)
            return False
        try:
            data = self.session.open(newest)
        except Exception as e:  # noqa: BLE001
            self.notify("Could not recover the session", str(e))
            return False
        self.session.path = None
        self.session.undo_stack.resetClean()       # recovered work is unsaved work
        self._apply_state(data.state)
        self.autosaver.discard(found)
        self.status(f"Recovered {len(data.clips)} clip(s) from the autosave")
        return True
