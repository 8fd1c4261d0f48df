"""Dropped files get n-best captions from the bundle's captioner (the tiny bundle has LaMP's own decoder),
per time window for long clips; a caption can be copied, used as the clip's name or as the prompt."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import drop_files

from lamp_core.data.synthetic import walking_motion
from lamp_core.formats import write


def _captions_shown(panel):
    tree = panel.tree
    rows = []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        items = [top] if top.childCount() == 0 else [top.child(j) for j in range(top.childCount())]
        rows += [(it.text(0), it.text(1)) for it in items]
    return rows


def test_dropping_a_bvh_shows_scored_captions(tiny_window, qtbot, walk, tmp_path):
    w = tiny_window
    assert w.hub.caption_kind() == "lamp"
    w.captions.n_best.setValue(2)
    path = write(walk.trim(0, 60), tmp_path / "short walk.bvh")
    drop_files(w, [path])
    qtbot.waitUntil(lambda: w.session.current is not None and bool(w.session.current.captions), timeout=60000)
    clip = w.session.current
    assert clip.name == "short walk" and len(clip.captions) == 1
    rows = _captions_shown(w.captions)
    assert 1 <= len(rows) <= 2 and all(text for text, _ in rows)
    assert all(float(score) <= 0 for _, score in rows), "scores are log-probabilities"
    assert w.session.undo_stack.count() == 2     # import, then captions: both undoable


def test_a_long_clip_is_captioned_per_time_window(tiny_window, qtbot, tmp_path):
    w = tiny_window
    long_walk = walking_motion(frames=300)          # 15 s: past the tiny LaMP's 64-frame window
    path = write(long_walk, tmp_path / "long.npy")
    w.captions.window.setValue(4)
    w.import_paths([path])
    qtbot.waitUntil(lambda: w.session.current is not None and bool(w.session.current.captions), timeout=60000)
    spans = w.session.current.captions
    assert len(spans) >= 2 and spans[0]["start"] == 0.0 and abs(spans[-1]["end"] - 14.95) < 0.2
    tree = w.captions.tree
    if len(spans) > 1:
        assert tree.topLevelItem(0).text(0).endswith(" s") and tree.topLevelItem(0).childCount() >= 1


def test_copy_name_and_prompt_from_a_caption(tiny_window, qtbot, walk):
    from PySide6.QtWidgets import QApplication

    from app.session import Clip
    w = tiny_window
    clip = Clip.new("walk", walk.trim(0, 60))
    w.session.add([clip])
    w.captions.caption_button.click()
    qtbot.waitUntil(lambda: bool(w.session.current.captions), timeout=60000)
    text = w.captions.selected_text()
    assert text
    w.captions.copy_button.click()
    assert QApplication.clipboard().text() == text
    w.captions.name_button.click()
    assert w.session.current.name == text.rstrip(".")
    w.captions.prompt_button.click()
    assert w.prompt.prompt.toPlainText() == text
    w.session.undo_stack.undo()
    assert w.session.current.name == "walk"


def test_a_clip_too_short_to_caption_gets_a_message(tiny_window, qtbot, walk):
    from app.session import Clip
    w = tiny_window
    w.session.add([Clip.new("blip", walk.trim(0, 3))])
    w.captions.caption(w.session.current_uid)
    qtbot.waitUntil(lambda: bool(w.messages), timeout=60000)
    assert "too short to caption" in w.messages[-1][1]
    assert w.session.current.name == "blip"
