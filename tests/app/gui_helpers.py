"""Small helpers the GUI tests share (imported as a module: conftest files are not importable by name)."""

import numpy as np


def grab(w) -> np.ndarray:
    """The viewport's pixels (what the user sees), for before/after comparisons."""
    import time

    from PySide6.QtWidgets import QApplication
    end = time.monotonic() + 5
    while not w.viewport.isValid() and time.monotonic() < end:   # its GL context is made on first expose
        QApplication.processEvents()
    img = w.viewport.grabFramebuffer()
    assert not img.isNull(), "the viewport has no picture yet"
    ptr = img.constBits()
    return np.array(ptr, dtype=np.uint8).reshape(img.height(), img.bytesPerLine())[:, : img.width() * 4].copy()


def activate(w, qtbot) -> None:
    """Make the window active (no window manager under Xvfb) so its shortcuts receive key presses."""
    from PySide6.QtWidgets import QApplication
    w.activateWindow()
    if not w.isActiveWindow():
        QApplication.setActiveWindow(w)
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)


def add_clip(w, motion, name="walk"):
    from app.session import Clip
    clip = Clip.new(name, motion)
    w.session.add([clip])
    return clip


def drop_files(w, paths, onto=None):
    """Drag files onto the window (or ``onto``: a widget or window in it) and drop them, as a file
    manager does."""
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication
    target = w if onto is None else onto
    middle = QPoint(target.width() // 2, target.height() // 2)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(middle, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(middle), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, drop)
