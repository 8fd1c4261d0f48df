"""File ▸ Export: every writable format with its options; the written file re-imports; choices are
remembered; a failure keeps the dialog open with the reason."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import activate, add_clip

from lamp_core.formats import read, writable_suffixes
from lamp_core.motion.motion import resampled_frame_count


def _open(window, qtbot):
    from PySide6.QtCore import Qt
    activate(window, qtbot)
    qtbot.keyClick(window, Qt.Key_E, Qt.ControlModifier)
    assert window._dialogs, "Ctrl+E should open the export dialog"
    return window._dialogs[-1]


def test_every_format_is_offered(window, qtbot, walk):
    add_clip(window, walk)
    d = _open(window, qtbot)
    assert [d.format.itemData(i) for i in range(d.format.count())] == writable_suffixes()
    d.format.setCurrentIndex(d.format.findData(".npy"))
    assert d.path.text().endswith(".npy") and d.npy_box.isEnabled() and not d.bvh_box.isEnabled()
    d.format.setCurrentIndex(d.format.findData(".bvh"))
    assert d.path.text().endswith(".bvh") and d.bvh_box.isEnabled() and not d.npy_box.isEnabled()
    d.reject()


def test_bvh_export_with_options_reimports(window, qtbot, walk, tmp_path):
    add_clip(window, walk)
    d = _open(window, qtbot)
    d.format.setCurrentIndex(d.format.findData(".bvh"))
    d.path.setText(str(tmp_path / "out.bvh"))
    d.start.setValue(10)
    d.end.setValue(70)
    d.fps.setValue(30)
    d.in_place.setChecked(True)
    d.units.setCurrentText("cm")
    d.export_button.click()
    qtbot.waitUntil(lambda: d.written is not None, timeout=20000)
    back = read(tmp_path / "out.bvh", fps=30)
    assert back.fps == 30 and back.n_frames == resampled_frame_count(60, 20, 30)   # frames 10-70, same span
    drift = np.linalg.norm(back.joints[-1, 0, [0, 2]] - back.joints[0, 0, [0, 2]])
    assert drift < 0.05, "in place: the root stays over its first position"
    assert abs(back.stature - walk.stature) < 0.05, "cm units are read back as metres"
    assert "Exported walk" in window.statusBar().currentMessage() and f"{back.n_frames} frames at 30 fps" in \
        window.statusBar().currentMessage()


def test_npy_export_reimports_and_choices_are_remembered(window, qtbot, walk, tmp_path):
    add_clip(window, walk)
    d = _open(window, qtbot)
    d.format.setCurrentIndex(d.format.findData(".npy"))
    d.path.setText(str(tmp_path / "sub" / "out.npy"))
    d.foot.setChecked(True)
    d.export_button.click()
    qtbot.waitUntil(lambda: d.written is not None, timeout=20000)
    back = read(tmp_path / "sub" / "out.npy")
    assert back.n_frames == walk.n_frames
    assert np.abs(back.joints - walk.joints).max() < 0.1
    again = _open(window, qtbot)
    assert again.suffix == ".npy" and again.foot.isChecked()
    assert again.path.text() == str(tmp_path / "sub" / "walk.npy")
    again.reject()


def test_a_failed_export_keeps_the_dialog_open_with_the_reason(window, qtbot, walk, tmp_path):
    add_clip(window, walk)
    d = _open(window, qtbot)
    (tmp_path / "taken.bvh").mkdir()
    d.path.setText(str(tmp_path / "taken.bvh"))
    d.export_button.click()
    qtbot.waitUntil(lambda: "failed" in d.error.text(), timeout=20000)
    assert "is a folder" in d.error.text()
    assert d.isVisible() and d.export_button.isEnabled()
    d.reject()


def test_export_with_no_clip_says_so(window, qtbot):
    assert window.export_dialog() is None
    assert "Nothing to export" in window.statusBar().currentMessage()
