"""The window under a real X server (pytest-xvfb) with Mesa GL: it opens at once, loads the model in the
background, shows a dropped clip, survives bad drops, remembers its layout and lists its shortcuts."""

import time

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import activate, drop_files, grab

from lamp_core.formats import write


def test_window_shows_before_the_model_loads_and_the_status_bar_names_it(make_window, qtbot, tiny_lamp_bundle):
    t0 = time.perf_counter()
    w = make_window(bundle=tiny_lamp_bundle, load_models=True)
    assert time.perf_counter() - t0 < 10, "the window must not wait for the model"
    assert w.isVisible() and not w.hub.engine_loaded
    assert "loading" in w.model_label.text()
    qtbot.waitUntil(lambda: w.hub.engine_loaded and "loading" not in w.model_label.text(), timeout=60000)
    assert w.hub.engine().name in w.model_label.text()
    assert w.device_label.text() == "cpu"
    assert [m.text() for m in w.menuBar().actions()] == ["&File", "&Edit", "&View", "&Generate", "&Help"]


def test_dropping_a_file_shows_the_skeleton_and_scrubbing_moves_it(window, qtbot, walk, tmp_path):
    empty = grab(window)
    path = write(walk, tmp_path / "walk.bvh")
    drop_files(window, [path])
    qtbot.waitUntil(lambda: window.motion is not None, timeout=5000)
    assert window.session.current.name == "walk"
    assert window.motion.n_frames == walk.n_frames
    first = grab(window)
    assert (first != empty).mean() > 0.001, "the skeleton should appear in the viewport"
    window.timeline.slider.setValue(40)              # as a user's drag does
    assert window.frame == 40
    assert (grab(window) != first).any(), "scrubbing should change the picture at once"


@pytest.mark.parametrize("kind", ["folder", "pdf", "corrupt bvh", "empty npy"])
def test_bad_drops_give_a_message_and_lose_nothing(window, qtbot, walk, tmp_path, kind):
    from gui_helpers import add_clip
    add_clip(window, walk)
    before = window.session.clips
    if kind == "folder":
        bad = tmp_path / "some folder"
        bad.mkdir()
    elif kind == "pdf":
        bad = tmp_path / "paper.pdf"
        bad.write_bytes(b"%PDF-1.4\n%junk")
    elif kind == "corrupt bvh":
        bad = tmp_path / "broken.bvh"
        bad.write_text("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0\n")
    else:
        bad = tmp_path / "nothing.npy"
        np.save(bad, np.zeros((0, 22, 3), np.float32))
    drop_files(window, [bad])
    qtbot.waitUntil(lambda: bool(window.messages), timeout=5000)
    title, text = window.messages[-1]
    assert bad.name in title + text
    assert window.session.clips == before and window.motion is walk
    assert window._box is not None and window._box.isVisible() and not window._box.isModal()


def test_layout_is_remembered(make_window, qtbot):
    w = make_window()
    w.docks["library"].hide()
    w.close()
    again = make_window()
    assert not again.docks["library"].isVisible()
    assert again.docks["prompt"].isVisible()
    again.reset_layout()
    assert again.docks["library"].isVisible()


def test_shortcuts_window_lists_the_menus_shortcuts(window, qtbot):
    activate(window, qtbot)
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    qtbot.keyClick(window, Qt.Key_F1)
    dialogs = [w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Keyboard shortcuts" and w.isVisible()]
    assert dialogs
    tree = dialogs[0].tree
    rows = {tree.topLevelItem(i).child(j).text(0): tree.topLevelItem(i).child(j).text(1)
            for i in range(tree.topLevelItemCount()) for j in range(tree.topLevelItem(i).childCount())}
    assert rows["Generate"].startswith("Ctrl+Return")
    assert rows["Play / pause"] == "Space"
    assert "Ctrl+Shift+Z" in rows["Redo"]
    dialogs[0].close()


def test_a_file_dropped_on_the_3d_view_itself_is_imported(window, qtbot, walk, tmp_path):
    """The viewport is its own native window: a drop delivered to it goes to the main window's import."""
    path = write(walk, tmp_path / "onto the view.bvh")
    qtbot.waitUntil(window.viewport.isExposed, timeout=3000)
    drop_files(window, [path], onto=window.viewport)
    qtbot.waitUntil(lambda: window.motion is not None, timeout=5000)
    assert window.session.current.name == "onto the view" and window.motion.n_frames == walk.n_frames
