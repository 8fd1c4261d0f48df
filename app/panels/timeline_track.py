"""The strip under the timeline slider: the selected frame range, key-pose markers and prompt-segment blocks.

Why a custom widget: a slider has one handle; editing needs a range (Shift+drag), markers that can be
clicked, dragged and deleted, and blocks laid out on the clip's own time scale. It only draws and reports
gestures as signals; the edits themselves (undoable) are made by whoever listens."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

MARGIN = 8
KEY_ROW = 18          # height of the range / key-marker row
SEG_ROW = 18          # height of the segment row
GRAB_PX = 6           # how close a click must be to a marker to pick it


class TimelineTrack(QWidget):
    seek = Signal(int)                 # a plain click: go to this frame
    range_changed = Signal(object)     # (first, last) inclusive, or None
    key_selected = Signal(object)      # frame of the selected marker, or None
    key_moved = Signal(int, int)       # (old frame, new frame) when a marker is dropped elsewhere

    def __init__(self, parent=None):
        super().__init__(parent)
        self.n_frames, self.fps, self.frame = 0, 20.0, 0
        self.range: tuple[int, int] | None = None
        self.keys: list[int] = []
        self.selected_key: int | None = None
        self.segments: list[tuple[str, float]] = []
        self._drag: tuple[str, int] | None = None     # ("range", anchor) or ("key", original frame)
        self._drag_to: int | None = None
        self.setFixedHeight(KEY_ROW + SEG_ROW + 4)
        self.setMouseTracking(False)
        self.setToolTip("Shift+drag (or I / O) selects a range; click a ◆ key pose to select it, drag to move it")

    # ------------------------------------------------------------------ state
    def set_clip(self, n_frames: int, fps: float, keep: bool = False) -> None:
        self.n_frames, self.fps = int(n_frames), float(fps)
        if not keep or self.n_frames == 0:
            self.set_range(None)
        elif self.range is not None:
            a, b = (min(v, self.n_frames - 1) for v in self.range)
            self.set_range((a, b) if a < b else None)
        self.update()

    def set_frame(self, frame: int) -> None:
        self.frame = frame
        self.update()

    def set_range(self, rng: tuple[int, int] | None) -> None:
        if rng is not None:
            a, b = sorted(int(v) for v in rng)
            rng = (max(0, a), min(b, self.n_frames - 1)) if self.n_frames else None
        if rng != self.range:
            self.range = rng
            self.range_changed.emit(rng)
            self.update()

    def set_keys(self, frames) -> None:
        self.keys = sorted(int(f) for f in frames)
        if self.selected_key not in self.keys:
            self.select_key(None)
        self.update()

    def select_key(self, frame: int | None) -> None:
        if frame != self.selected_key:
            self.selected_key = frame
            self.key_selected.emit(frame)
            self.update()

    def set_segments(self, segments) -> None:
        self.segments = [(str(t), float(s)) for t, s in segments]
        self.update()

    # ------------------------------------------------------------------ geometry
    def x_of(self, frame: float) -> float:
        span = max(1, self.n_frames - 1)
        return MARGIN + frame / span * (self.width() - 2 * MARGIN)

    def frame_at(self, x: float) -> int:
        span = max(1, self.n_frames - 1)
        f = round((x - MARGIN) / max(1.0, self.width() - 2 * MARGIN) * span)
        return max(0, min(int(f), max(0, self.n_frames - 1)))

    def _key_near(self, x: float, y: float) -> int | None:
        if y > KEY_ROW + 2 or not self.keys:
            return None
        best = min(self.keys, key=lambda f: abs(self.x_of(f) - x))
        return best if abs(self.x_of(best) - x) <= GRAB_PX else None

    # ------------------------------------------------------------------ mouse
    def mousePressEvent(self, e) -> None:
        if self.n_frames == 0 or e.button() != Qt.LeftButton:
            return
        x, y = e.position().x(), e.position().y()
        f = self.frame_at(x)
        key = self._key_near(x, y)
        if key is not None:
            self.select_key(key)
            self._drag, self._drag_to = ("key", key), key
        elif e.modifiers() & Qt.ShiftModifier:
            self._drag = ("range", f)
            self.set_range(None)
        else:
            self.select_key(None)
            self.seek.emit(f)

    def mouseMoveEvent(self, e) -> None:
        if self._drag is None:
            return
        f = self.frame_at(e.position().x())
        kind, anchor = self._drag
        if kind == "range":
            if f != anchor:
                self.set_range((anchor, f))
        else:
            self._drag_to = f
            self.update()

    def mouseReleaseEvent(self, e) -> None:
        drag, to = self._drag, self._drag_to
        self._drag = self._drag_to = None
        if drag and drag[0] == "key" and to is not None and to != drag[1]:
            self.key_moved.emit(drag[1], to)
        self.update()

    # ------------------------------------------------------------------ drawing
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        w = self.width()
        p.fillRect(QRectF(0, 0, w, KEY_ROW), QColor(40, 42, 48))
        p.fillRect(QRectF(0, KEY_ROW + 2, w, SEG_ROW), QColor(34, 36, 40))
        if self.n_frames == 0:
            p.end()
            return
        if self.range is not None:
            a, b = self.range
            p.fillRect(QRectF(self.x_of(a), 0, max(2.0, self.x_of(b) - self.x_of(a)), KEY_ROW),
                       QColor(70, 130, 220, 150))
        self._paint_segments(p)
        for f in self.keys:
            shown = self._drag_to if self._drag and self._drag[0] == "key" and self._drag[1] == f else f
            x, c = self.x_of(shown), KEY_ROW / 2
            diamond = QPolygonF([QPointF(x, c - 6), QPointF(x + 5, c), QPointF(x, c + 6), QPointF(x - 5, c)])
            p.setPen(QPen(QColor(20, 20, 20), 1))
            p.setBrush(QColor(255, 200, 60) if f == self.selected_key else QColor(230, 120, 40))
            p.drawPolygon(diamond)
        x = self.x_of(self.frame)
        p.setPen(QPen(QColor(240, 240, 240), 1))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()

    def _paint_segments(self, p: QPainter) -> None:
        """Blocks on the clip's time scale when it is long enough to hold them, else scaled to fit."""
        if not self.segments:
            return
        total = sum(s for _, s in self.segments)
        clip_s = max(1e-6, self.n_frames / self.fps)
        scale = (self.width() - 2 * MARGIN) / (max(clip_s, total))
        t, y = 0.0, KEY_ROW + 2
        for i, (text, seconds) in enumerate(self.segments):
            r = QRectF(MARGIN + t * scale, y + 1, max(2.0, seconds * scale - 2), SEG_ROW - 2)
            p.setPen(QPen(QColor(20, 20, 20), 1))
            p.setBrush(QColor(90, 160, 110) if i % 2 == 0 else QColor(80, 140, 160))
            p.drawRect(r)
            p.setPen(QColor(250, 250, 250))
            p.drawText(r.adjusted(3, 0, -2, 0), Qt.AlignVCenter | Qt.AlignLeft, f"{seconds:g}s {text}")
            t += seconds
