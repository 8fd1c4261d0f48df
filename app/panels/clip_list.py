"""The session's clips: click to show one, double-click (or F2) to rename, Delete to remove, and "Keep"
to keep one variation of a generation and drop its siblings. Everything but selection is undoable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..session import Clip, Session


def describe(clip: Clip) -> str:
    m = clip.motion
    what = m.provenance.prompt or m.provenance.source or ""
    return f"{clip.name}\n{m.duration:.1f} s · {m.n_frames} frames @ {m.fps:g} fps" + (
        f" · seed {m.provenance.seed}" if m.provenance.seed is not None else "") + (f"\n{what}" if what else "")


class ClipListPanel(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list.setAlternatingRowColors(True)
        self.keep_button = QPushButton("Keep only this")
        self.keep_button.setToolTip("Keep this variation and remove the others generated with it")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        row = QHBoxLayout()
        for b in (self.keep_button, self.rename_button, self.delete_button):
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        self.list.currentItemChanged.connect(self._picked)
        self.list.itemDoubleClicked.connect(lambda _: self.rename_current())
        self.keep_button.clicked.connect(self.keep_current)
        self.rename_button.clicked.connect(self.rename_current)
        self.delete_button.clicked.connect(self.delete_current)
        session.clips_changed.connect(self.refresh)
        session.current_changed.connect(self._follow)
        self.refresh()

    def refresh(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for c in self.session.clips:
            item = QListWidgetItem(c.name)
            item.setData(Qt.UserRole, c.uid)
            item.setToolTip(describe(c))
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._follow(self.session.current)

    def _follow(self, clip) -> None:
        self.list.blockSignals(True)
        row = self.session.index_of(clip.uid) if clip is not None else -1
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        has = clip is not None
        self.keep_button.setEnabled(has and clip.group is not None
                                    and sum(c.group == clip.group for c in self.session.clips) > 1)
        self.rename_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def selected_uids(self) -> list[int]:
        """The selected clips in session order (several are selected for a batch export)."""
        chosen = {i.data(Qt.UserRole) for i in self.list.selectedItems()}
        return [c.uid for c in self.session.clips if c.uid in chosen]

    def _picked(self, item, _previous=None) -> None:
        if item is not None:
            self.session.select(item.data(Qt.UserRole))

    # ------------------------------------------------------------------ edits
    def keep_current(self) -> None:
        if self.session.current is not None:
            self.session.keep_only(self.session.current_uid)

    def delete_current(self) -> None:
        if self.session.current is not None:
            self.session.remove(self.session.current_uid)

    def rename_current(self) -> None:
        clip = self.session.current
        if clip is None:
            return
        name, ok = QInputDialog.getText(self, "Rename clip", "Name:", text=clip.name)
        if ok:
            self.session.rename(clip.uid, name)
