"""The window under a real X server (pytest-xvfb) with Mesa GL: open a clip, see it, scrub, export."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.main_window import MainWindow  # noqa: E402
from lamp_core.formats import read, write  # noqa: E402


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(800, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def _grab(w) -> np.ndarray:
    img = w.viewport.grabFramebuffer()
    ptr = img.constBits()
    return np.array(ptr, dtype=np.uint8).reshape(img.height(), img.bytesPerLine())[:, : img.width() * 4].copy()


def test_opening_a_file_shows_the_skeleton_and_scrubbing_moves_it(window, qtbot, walk, tmp_path):
    empty = _grab(window)
    path = write(walk, tmp_path / "walk.bvh")
    window.open_path(path)
    qtbot.waitUntil(lambda: window.motion is not None, timeout=5000)
    assert window.motion.n_frames == walk.n_frames
    first = _grab(window)
    assert (first != empty).mean() > 0.001, "the skeleton should appear in the viewport"
    window.set_frame(40)
    assert window.slider.value() == 40
    later = _grab(window)
    assert (later != first).any(), "scrubbing should change the picture"


def test_bad_file_gives_a_message_and_keeps_the_current_clip(window, qtbot, walk, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("app.main_window.QMessageBox.warning", lambda *a: shown.append(a[2]))
    window.set_motion(walk)
    bad = tmp_path / "broken.bvh"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00junk")
    window.open_path(bad)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "broken.bvh" in shown[0]
    assert window.motion is walk


def test_playback_keys(window, qtbot, walk):
    from PySide6.QtCore import Qt
    window.set_motion(walk)
    window.activateWindow()
    from PySide6.QtWidgets import QApplication
    if not window.isActiveWindow():  # no window manager under Xvfb: make it active by hand
        QApplication.setActiveWindow(window)
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key_Right)
    assert window.frame == 1
    qtbot.keyClick(window, Qt.Key_Right, Qt.ShiftModifier)
    assert window.frame == 11
    qtbot.keyClick(window, Qt.Key_End)
    assert window.frame == walk.n_frames - 1
    qtbot.keyClick(window, Qt.Key_Home)
    assert window.frame == 0
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: window.frame > 2, timeout=3000)
    qtbot.keyClick(window, Qt.Key_Space)
    assert not window.timer.isActive()


def test_export_writes_a_file_that_reads_back(window, walk, tmp_path, monkeypatch):
    window.set_motion(walk)
    target = tmp_path / "out.bvh"
    monkeypatch.setattr("app.main_window.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    window.export_dialog()
    assert np.abs(read(target).joints - walk.on_floor().joints).max() < 1e-3
