"""A small table of prompt segments (seconds, text) for a multi-prompt sequence.

Why a table and not one text box: each segment has its own length that the engine checks, so a row per
segment lets a bad value be pointed at; the rows also read and write the CLI's "SECONDS TEXT" lines."""

from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

SETTINGS_KEY = "sequence/segments"


def parse_segments(text: str) -> list[tuple[str, float]]:
    """'SECONDS TEXT' lines -> [(text, seconds)]; blank lines are skipped, a bad line raises ValueError."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        head, _, rest = line.strip().partition(" ")
        try:
            seconds = float(head)
        except ValueError:
            raise ValueError(f"line {n}: expected 'SECONDS TEXT', got {line.strip()!r}") from None
        if seconds <= 0 or not rest.strip():
            raise ValueError(f"line {n}: needs a positive length and a description")
        out.append((rest.strip(), seconds))
    return out


def format_segments(segments) -> str:
    return "\n".join(f"{s:g} {t}" for t, s in segments)


def load_segments(settings) -> list[tuple[str, float]]:
    try:
        return [(str(t), float(s)) for t, s in json.loads(settings.value(SETTINGS_KEY, "[]") or "[]")]
    except (TypeError, ValueError):
        return []


def save_segments(settings, segments) -> None:
    settings.setValue(SETTINGS_KEY, json.dumps([[t, s] for t, s in segments]))


class SegmentsDialog(QDialog):
    def __init__(self, segments, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Prompt segments")
        self.resize(560, 320)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Seconds", "What happens"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 90)
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Up")
        self.lines_button = QPushButton("As text…")
        self.lines_button.setToolTip("Edit all segments as 'SECONDS TEXT' lines (the CLI's --segments format)")
        self.total = QLabel("")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        row = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.lines_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.total)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Each segment continues from the one before; the result is one seamless clip."))
        lay.addWidget(self.table, 1)
        lay.addLayout(row)
        lay.addWidget(self.buttons)
        self.add_button.clicked.connect(lambda: self.add_row("", 2.0))
        self.remove_button.clicked.connect(self.remove_row)
        self.up_button.clicked.connect(self.move_up)
        self.lines_button.clicked.connect(self._edit_lines)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for text, seconds in segments:
            self.add_row(text, seconds)
        self._total()

    def add_row(self, text: str, seconds: float) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        box = QDoubleSpinBox()
        box.setRange(0.2, 60.0)
        box.setSingleStep(0.5)
        box.setDecimals(1)
        box.setSuffix(" s")
        box.setValue(float(seconds))
        box.valueChanged.connect(self._total)
        self.table.setCellWidget(r, 0, box)
        self.table.setItem(r, 1, QTableWidgetItem(text))
        self._total()

    def remove_row(self) -> None:
        r = self.table.currentRow()
        if r < 0:
            r = self.table.rowCount() - 1
        if r >= 0:
            self.table.removeRow(r)
        self._total()

    def move_up(self) -> None:
        r = self.table.currentRow()
        if r > 0:
            rows = self.segments_all()
            rows[r - 1], rows[r] = rows[r], rows[r - 1]
            self.table.setRowCount(0)
            for t, s in rows:
                self.add_row(t, s)
            self.table.setCurrentCell(r - 1, 1)

    def _edit_lines(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self, "Segments as text", "One 'SECONDS TEXT' line per segment:",
                                                 format_segments(self.segments()))
        if ok:
            self.set_lines(text)

    def set_lines(self, text: str) -> bool:
        """Replace the rows with parsed 'SECONDS TEXT' lines; a bad line is a message, the rows stay."""
        try:
            segs = parse_segments(text)
        except ValueError as e:
            self.total.setText(str(e))
            return False
        self.table.setRowCount(0)
        for t, s in segs:
            self.add_row(t, s)
        return True

    def segments_all(self) -> list[tuple[str, float]]:
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 1)
            out.append((item.text().strip() if item else "", self.table.cellWidget(r, 0).value()))
        return out

    def segments(self) -> list[tuple[str, float]]:
        """The rows that have a description (empty rows are dropped)."""
        return [(t, s) for t, s in self.segments_all() if t]

    def _total(self, *_) -> None:
        segs = self.segments_all()
        self.total.setText(f"{len(segs)} segment(s), {sum(s for _, s in segs):g} s in all")
