"""Long clips: a long BVH is read on a worker while the window keeps drawing; captioning a long clip shows
progress, can be cancelled, and stops at caption_work.CAPTION_LIMIT_SECONDS with a note saying so (the
tests lower the limits so they stay fast)."""

import time

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

import itertools

from gui_helpers import activate, add_clip, drop_files

from lamp_core.data.synthetic import walking_motion
from lamp_core.formats import write


def test_a_long_bvh_is_read_while_the_window_stays_responsive(window, qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    path = write(walking_motion(frames=20 * 60 * 20), tmp_path / "twenty minutes.bvh")     # 24,000 frames
    window.captions.caption = lambda uid: None          # no model here: only the import is measured
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    t0 = time.perf_counter()
    drop_files(window, [path])
    assert time.perf_counter() - t0 < 0.5, "the drop returns at once: the file is read on a worker"
    assert window.jobs.running("read")
    qtbot.waitUntil(lambda: window.session.current is not None, timeout=60000)
    qtbot.wait(100)
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    print(f"longest UI pause {max(gaps):.3f} s over {len(ticks)} ticks")
    assert len(ticks) > 5 and max(gaps) < 0.6, "the event loop kept running while the clip was read and shown"
    assert window.session.current.motion.n_frames == 24000


@pytest.fixture
def small_limits(monkeypatch):
    from app.panels import caption_work
    monkeypatch.setattr(caption_work, "CAPTION_LIMIT_SECONDS", 20.0)
    monkeypatch.setattr(caption_work, "CHUNK_SECONDS", 5.0)
    return caption_work


def test_a_clip_past_the_limit_is_captioned_in_part_with_progress(tiny_window, qtbot, tmp_path, small_limits):
    w = tiny_window
    seen = []
    w.captions.busy.valueChanged.connect(seen.append)
    drop_files(w, [write(walking_motion(frames=600), tmp_path / "long take.bvh")])     # 30 s > the 20 s limit
    qtbot.waitUntil(lambda: w.session.current is not None and bool(w.session.current.captions), timeout=120000)
    spans = w.session.current.captions
    assert spans[0]["start"] == 0.0 and 19.0 < spans[-1]["end"] <= 20.05, "only the first 20 s are captioned"
    assert seen and max(seen) == 100 and len(set(seen)) >= 3, "progress per piece (4 pieces of 5 s)"
    note = w.captions.limit_note
    assert not note.isHidden() and "first 20 s" in note.text() and "30 s" in note.text()
    short = write(walking_motion(frames=100), tmp_path / "short.bvh")
    w.import_paths([short])
    qtbot.waitUntil(lambda: w.session.current.name == "short", timeout=60000)
    assert w.captions.limit_note.isHidden()


def test_captioning_a_long_clip_can_be_cancelled(tiny_window, qtbot, tmp_path, small_limits, monkeypatch):
    from app.session import Clip
    monkeypatch.setattr(small_limits, "CHUNK_SECONDS", 2.0)
    w = tiny_window
    clip = Clip.new("long", walking_motion(frames=400))                              # 20 s: 10 pieces
    w.session.add([clip])
    w.captions.caption(clip.uid)
    assert not w.captions.cancel_button.isHidden()
    qtbot.waitUntil(lambda: w.captions.busy.maximum() == 100, timeout=60000)     # the first piece is done
    w.captions.cancel_button.click()
    qtbot.waitUntil(lambda: not w.captions.jobs, timeout=60000)
    assert not w.session.current.captions and "cancelled" in w.statusBar().currentMessage()
    assert w.captions.cancel_button.isHidden() and w.captions.busy.isHidden() and not w.messages


def test_esc_cancels_captioning_too(tiny_window, qtbot, small_limits, monkeypatch):
    from PySide6.QtCore import Qt

    from app.session import Clip
    monkeypatch.setattr(small_limits, "CHUNK_SECONDS", 2.0)
    w = tiny_window
    cancel = w.actions_by_name["cancel"]
    assert not cancel.isEnabled()
    clip = Clip.new("long", walking_motion(frames=400))
    w.session.add([clip])
    w.captions.caption(clip.uid)
    assert cancel.isEnabled(), "Generate ▸ Cancel (Esc) is offered while a clip is being captioned"
    qtbot.waitUntil(lambda: w.captions.busy.maximum() == 100, timeout=60000)
    activate(w, qtbot)
    qtbot.keyClick(w, Qt.Key_Escape)
    qtbot.waitUntil(lambda: not w.captions.jobs, timeout=60000)
    assert not w.session.current.captions and "cancelled" in w.statusBar().currentMessage()
    assert not cancel.isEnabled()


def test_a_long_clip_opened_any_way_is_rigged_on_a_worker_while_its_skeleton_shows(window, qtbot, monkeypatch):
    """Not only dropped files: a long clip from a session or the library must not be rigged on the UI
    thread (seconds for hours of motion); its skeleton stands in until the body is ready."""
    from app.viewport import figure
    monkeypatch.setattr(figure, "RIG_NOW_FRAMES", 500)
    qtbot.waitUntil(lambda: window.viewport.body is not None, timeout=20000)
    long = walking_motion(frames=3000)
    add_clip(window, long, "long take")
    view = window.viewport
    assert view.rigs.cached(long) is None, "showing the clip did not rig it on the UI thread"
    assert window.jobs.running("rig")
    assert view.figures[0].skeleton.bones.visible() and not view.figures[0].mesh.visible()
    qtbot.waitUntil(lambda: view.rigs.cached(long) is not None, timeout=60000)
    qtbot.waitUntil(lambda: view.figures[0].mesh.visible(), timeout=5000)
    assert not view.figures[0].skeleton.bones.visible(), "the body replaces the stand-in skeleton"
