"""Besides its own captions, a dropped clip shows the nearest texts of the current library (LaMP motion →
text search with the loaded encoder): the top three with their similarity, labelled as library texts,
usable as a prompt like a caption."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import drop_files

from lamp_core.data.synthetic import walking_motion
from lamp_core.formats import write
from lamp_core.library import MotionLibrary

TEXTS = ["a person walks straight ahead", "a person walks in a circle", "someone turns right while walking",
         "a person walks slowly"]


@pytest.fixture
def small_library(tmp_path, monkeypatch):
    path = tmp_path / "user-library.sqlite"
    monkeypatch.setenv("LAMP_LIBRARY", str(path))
    with MotionLibrary.open(path) as lib:
        for i, (turn, caption) in enumerate(zip([0.0, 0.8, -0.8, 0.1], TEXTS)):
            lib.add(walking_motion(frames=60, turn_rate=turn, seed=i), name=f"walk {i}", captions=[caption])
    return path


def _nearest(panel):
    t = panel.nearest_tree
    return [(t.topLevelItem(i).text(0), t.topLevelItem(i).text(1)) for i in range(t.topLevelItemCount())]


def test_a_dropped_clip_shows_the_nearest_library_texts(tiny_window, qtbot, walk, small_library, tmp_path):
    w = tiny_window
    path = write(walk.trim(0, 60), tmp_path / "mine.bvh")
    drop_files(w, [path])
    qtbot.waitUntil(lambda: w.session.current is not None and len(_nearest(w.captions)) == 3, timeout=60000)
    rows = _nearest(w.captions)
    assert all(text in TEXTS for text, _ in rows)
    scores = [float(s) for _, s in rows]
    assert scores == sorted(scores, reverse=True) and all(-1.0 <= s <= 1.0 for s in scores)
    assert "library" in w.captions.nearest_label.text().lower()
    assert "motion → text" in w.captions.nearest_label.text()
    qtbot.waitUntil(lambda: bool(w.session.current.captions), timeout=60000)
    # picking a library text makes the buttons act on it
    item = w.captions.nearest_tree.topLevelItem(0)
    w.captions.nearest_tree.setCurrentItem(item)
    assert w.captions.selected_text() == rows[0][0]
    got = []
    w.captions.use_as_prompt.connect(got.append)
    w.captions.prompt_button.click()
    assert got == [rows[0][0]]


def test_no_library_is_a_note_not_an_error(tiny_window, qtbot, walk, tmp_path, monkeypatch):
    w = tiny_window
    w.import_paths([write(walk.trim(0, 60), tmp_path / "x.npy")])
    qtbot.waitUntil(lambda: w.session.current is not None and not w.captions._nearest_jobs
                    and w.captions.nearest_note.text() != "Searching the library…", timeout=60000)
    assert _nearest(w.captions) or w.captions.nearest_note.text()
    assert not any("library" in t.lower() for t, _ in w.messages)
