"""File ▸ Recent files: imported motions and saved / opened sessions, newest first, at most ten, kept
across restarts; a file that has gone is dropped when clicked, with a note in the status bar."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import add_clip

from lamp_core.formats import write


def _entries(w):
    return [a.data() for a in w.recent.menu.actions() if a.data()]


def test_recent_files_are_listed_kept_and_reopened(make_window, qtbot, walk, tmp_path):
    w = make_window()
    a = write(walk.trim(0, 30), tmp_path / "a.bvh")
    b = write(walk.trim(0, 40), tmp_path / "b.npy")
    w.import_paths([a, b])
    qtbot.waitUntil(lambda: len(w.session.clips) == 2, timeout=20000)
    add_clip(w, walk.trim(0, 20), "x")
    assert w._save_to(tmp_path / "one.lampsession")
    file_menu = w.menuBar().actions()[0].menu()
    assert w.recent.menu.menuAction() in file_menu.actions(), "File ▸ Recent files"
    first = _entries(w)[0]
    assert first.startswith(str(tmp_path)) and len(_entries(w)) == 3
    assert {str(a.resolve()), str(b.resolve())} <= set(_entries(w))
    w.close()

    again = make_window()                 # same settings file: a restart
    assert _entries(again) == _entries(w)
    again.session.clear()
    bvh = next(x for x in _entries(again) if x.endswith("a.bvh"))
    next(act for act in again.recent.menu.actions() if act.data() == bvh).trigger()
    qtbot.waitUntil(lambda: len(again.session.clips) == 1, timeout=20000)
    assert again.session.current.name == "a"
    assert _entries(again)[0] == bvh, "opening moves it to the top"


def test_a_missing_file_is_dropped_with_a_note(window, qtbot, walk, tmp_path):
    paths = [write(walk.trim(0, 20), tmp_path / f"m{i}.npy") for i in range(12)]
    for p in paths:
        window.recent.add(p)
    assert len(_entries(window)) == 10 and _entries(window)[0].endswith("m11.npy")
    gone = paths[-1]
    gone.unlink()
    next(a for a in window.recent.menu.actions() if a.data() == str(gone.resolve())).trigger()
    assert str(gone.resolve()) not in _entries(window) and len(_entries(window)) == 9
    assert "no longer exists" in window.statusBar().currentMessage()
    assert not window.session.clips and not window.messages
