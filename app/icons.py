"""Icons drawn with QPainter, so the app needs no icon files or emoji fonts (Xvfb has neither)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap


def dice_icon(size: int = 32) -> QIcon:
    """A die showing five."""
    pm = QPixmap(size, size)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    m = size * 0.08
    p.setPen(QColor(60, 60, 60))
    p.setBrush(QColor(245, 245, 240))
    p.drawRoundedRect(QRectF(m, m, size - 2 * m, size - 2 * m), size * 0.18, size * 0.18)
    p.setBrush(QColor(30, 30, 30))
    p.setPen(Qt.NoPen)
    r = size * 0.08
    for fx, fy in ((0.3, 0.3), (0.7, 0.3), (0.5, 0.5), (0.3, 0.7), (0.7, 0.7)):
        p.drawEllipse(QRectF(fx * size - r, fy * size - r, 2 * r, 2 * r))
    p.end()
    return QIcon(pm)
