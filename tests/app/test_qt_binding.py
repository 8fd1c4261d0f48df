"""The Qt binding must not leak or lose references on ordinary calls: PySide6 6.12.0 on Python 3.11 lost
one reference to None per call, and the app aborted ("none_dealloc") after a few thousand redraws."""

import sys

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_qt_calls_keep_none_alive(qtbot):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPen

    img = QImage(32, 32, QImage.Format_ARGB32_Premultiplied)
    painter = QPainter(img)
    try:
        before = sys.getrefcount(None)
        for _ in range(500):
            img.fill(Qt.transparent)
            painter.setPen(QPen(QColor(1, 2, 3), 1.0))
            painter.drawLine(QPointF(0, 0), QPointF(5, 5))
        lost = before - sys.getrefcount(None)
    finally:
        painter.end()
    assert lost < 50, f"{lost} references to None lost in 1,500 Qt calls: a broken PySide6 build (see pyproject)"
