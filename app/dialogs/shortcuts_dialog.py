"""Help ▸ Keyboard shortcuts (F1): built from the window's own menus, so it can never list a shortcut
that does not exist or miss one that does."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout


def menu_shortcuts(menu_bar) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(menu title, [(action text, shortcut text)])] for every action with a shortcut, submenus included."""
    out = []

    def walk(menu, title):
        rows = []
        for a in menu.actions():
            if a.menu() is not None:
                walk(a.menu(), f"{title} ▸ {a.text().replace('&', '')}")
            elif a.shortcuts():
                keys = ", ".join(s.toString(QKeySequence.NativeText) for s in a.shortcuts())
                rows.append((a.text().replace("&", "").rstrip("…"), keys))
        if rows:
            out.append((title, rows))

    for a in menu_bar.actions():
        if a.menu() is not None:
            walk(a.menu(), a.text().replace("&", ""))
    return out


class ShortcutsDialog(QDialog):
    def __init__(self, menu_bar, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Action", "Keys"])
        for title, rows in menu_shortcuts(menu_bar):
            top = QTreeWidgetItem([title, ""])
            self.tree.addTopLevelItem(top)
            for text, keys in rows:
                top.addChild(QTreeWidgetItem([text, keys]))
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, max(self.tree.columnWidth(0) + 20, 240))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tree)
        lay.addWidget(buttons)
        self.resize(480, 560)
