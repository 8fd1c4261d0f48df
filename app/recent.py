"""File ▸ Recent files: the last sessions and motion files opened, imported or saved (newest first, kept in
QSettings so they survive a restart). A file that has gone is dropped when clicked, with a status-bar note,
rather than failing with an error box."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

MAX_RECENT = 10
KEY = "files/recent"


class RecentFiles:
    def __init__(self, settings: QSettings, open_path: Callable[[Path], None], status: Callable[[str], None],
                 parent=None):
        self.settings, self._open, self._status = settings, open_path, status
        self.menu = QMenu("Recent &files", parent)
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._rebuild)
        self._rebuild()

    def paths(self) -> list[str]:
        v = self.settings.value(KEY, [])
        if isinstance(v, str):          # INI files give a lone entry back as a string
            v = [v] if v else []
        return [str(p) for p in (v or [])]

    def _store(self, paths: list[str]) -> None:
        self.settings.setValue(KEY, paths[:MAX_RECENT])
        self._rebuild()

    def add(self, path: str | Path) -> None:
        p = str(Path(path).expanduser().resolve())
        self._store([p] + [q for q in self.paths() if q != p])

    def clear(self) -> None:
        self._store([])

    def open(self, path: str) -> None:
        if not Path(path).is_file():
            self._store([q for q in self.paths() if q != path])
            self._status(f"{Path(path).name} no longer exists at {path}: removed from Recent files")
            return
        self._open(Path(path))

    def _rebuild(self) -> None:
        self.menu.clear()
        paths = self.paths()
        for i, p in enumerate(paths):
            a = self.menu.addAction(f"&{(i + 1) % 10} {Path(p).name}")
            a.setToolTip(p)
            a.setData(p)
            a.triggered.connect(lambda _=False, q=p: self.open(q))
        if paths:
            self.menu.addSeparator()
        clear = self.menu.addAction("Clear recent files")
        clear.setEnabled(bool(paths))
        clear.triggered.connect(self.clear)
