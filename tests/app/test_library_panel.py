"""The library browser on a user library searched with the tiny bundle's LaMP: search as you type (debounced),
scores and captions, find similar, double-click to load, add the current clip."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from lamp_core.library import MotionLibrary
from tests.app.conftest import make_user_library


@pytest.fixture
def user_library(tmp_path, monkeypatch):
    return make_user_library(tmp_path, monkeypatch)


def _rows(panel):
    t = panel.results
    return [[t.topLevelItem(i).text(c) for c in range(4)] for i in range(t.topLevelItemCount())]


def test_search_as_you_type_is_debounced_and_shows_scores(tiny_window, qtbot, user_library):
    w = tiny_window
    asked = []
    w.jobs.job_ended.connect(lambda job: asked.append(job.name) if job.name == "library" else None)
    n0 = len(asked)
    qtbot.keyClicks(w.library.search, "walk in a circle")     # one key at a time, faster than the debounce
    qtbot.waitUntil(lambda: len(_rows(w.library)) == 3 and "walk in a circle" not in w.library.info.text()
                    and w.library.info.text().startswith("3 clip(s)"), timeout=30000)
    assert len(asked) - n0 == 1, "typing a phrase should start one search, not one per key"
    rows = _rows(w.library)
    scores = [float(r[0]) for r in rows]
    assert scores == sorted(scores, reverse=True) and all(-1.0 <= s <= 1.0001 for s in scores)
    assert {r[3] for r in rows} == {"a person walks straight ahead", "a person walks in a circle",
                                    "someone turns right while walking"}
    assert "your library" in w.library.info.text()


def test_find_similar_double_click_load_and_add(tiny_window, qtbot, user_library):
    from PySide6.QtCore import Qt

    from app.session import Clip
    w = tiny_window
    with MotionLibrary.open(user_library) as lib:
        same = lib.motion(2)
    w.session.add([Clip.new("mine", same)])
    w.library.similar_button.click()
    qtbot.waitUntil(lambda: len(_rows(w.library)) == 3, timeout=30000)
    top = _rows(w.library)[0]
    assert top[1] == "walk 1" and float(top[0]) > 0.999, "the clip itself is the most similar"

    item = w.library.results.topLevelItem(0)
    w.library.results.itemDoubleClicked.emit(item, 0)
    qtbot.waitUntil(lambda: len(w.session.clips) == 2, timeout=10000)
    loaded = w.session.current
    assert loaded.name == "walk 1" and loaded.motion.allclose(same, atol=1e-3)
    assert loaded.captions[0]["captions"][0]["text"] == "a person walks in a circle"
    assert w.captions.tree.topLevelItem(0).text(1) == "library"

    w.session.select(w.session.clips[0].uid)
    w.library.add_button.click()
    qtbot.waitUntil(lambda: bool(w.library.results.findItems("mine", Qt.MatchExactly, 1)) or bool(w.messages),
                    timeout=30000)
    assert not w.messages, w.messages
    assert "Added 'mine'" in w.statusBar().currentMessage()
    with MotionLibrary.open(user_library) as lib:
        assert len(lib) == 4 and lib.get(4).name == "mine"


def test_a_bad_query_is_a_message_in_the_panel(tiny_window, qtbot, user_library):
    w = tiny_window
    w.library.search.setText("x" * 5000)
    w.library.run_search()
    qtbot.waitUntil(lambda: "failed" in w.library.info.text(), timeout=30000)
    assert "5,000" in w.library.info.text()
    w.library.search.setText("")
    w.library.run_search()
    qtbot.waitUntil(lambda: len(_rows(w.library)) == 3, timeout=30000)
