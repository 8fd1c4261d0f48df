"""Autosave of a long session: the session is snapshotted on the UI thread and written on a background
thread, so the window keeps answering while a 2-hour clip is saved; the file it leaves recovers into the
same session, a save asked for while one runs is done once after it, and a clean exit waits for a running
save before it deletes the file."""

import itertools
import time

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import add_clip

from lamp_core.data.synthetic import walking_motion
from lamp_core.motion import Motion, Provenance


@pytest.fixture(scope="module")
def two_hours() -> Motion:
    """144,000 frames (2 h at 20 fps), tiled from a 60 s walk: ~38 MB of joints."""
    walk = walking_motion(frames=1200)
    return Motion(np.tile(walk.joints, (120, 1, 1)), walk.fps, Provenance(source="two hours.bvh", notes=("tiled",)))


def _add_with_a_long_clip(w, short, long):
    """A short clip (current, shown) and a 2-hour one: showing a 2-hour clip rigs its body on the UI
    thread (seconds), which is not what these tests measure."""
    from app.session import Clip
    w.session.add([Clip.new("short walk", short), Clip.new("two hours", long)])


def _clips(w):
    return [(c.name, c.motion.fps, c.motion.provenance, c.motion.joints.shape, c.motion.joints.tobytes(), c.captions,
             c.group, [(f, p.tobytes()) for f, p in c.keys]) for c in w.session.clips]


def test_autosaving_a_long_session_keeps_the_window_answering(make_window, qtbot, two_hours, walk):
    from PySide6.QtCore import QTimer
    w = make_window(autosave_ms=3_600_000)      # no periodic tick: only the save started below
    _add_with_a_long_clip(w, walk, two_hours)
    w.prompt.prompt.setPlainText("a person walks for two hours")
    qtbot.wait(300)                              # let the window settle after showing the long clip
    saver = w.autosaver
    assert saver.pending and not saver.path.exists()

    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    qtbot.wait(100)
    t0 = time.perf_counter()
    saver.save_now()
    returned = time.perf_counter() - t0
    qtbot.waitUntil(lambda: saver.path.exists(), timeout=30000)
    saved = time.perf_counter() - t0
    qtbot.waitUntil(lambda: not saver.busy, timeout=30000)
    qtbot.wait(100)
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(t for t in ticks if t >= t0 - 0.05)]
    print(f"save_now returned in {returned * 1000:.0f} ms, file written after {saved:.2f} s; "
          f"longest UI pause {max(gaps) * 1000:.0f} ms over {len(gaps)} ticks")
    assert returned < 0.1, "save_now only takes a snapshot; the writing happens on a thread"
    assert len(gaps) >= 5 and max(gaps) < 0.15, "the event loop kept running while the session was written"
    assert saver.last_error is None and not saver.pending

    crashed = saver.path.with_name("autosave-999999.lampsession")   # as if the process had died now
    saver.path.replace(crashed)
    fresh = make_window()
    assert fresh.recover()
    assert _clips(fresh) == _clips(w)
    assert fresh.session.current.name == "short walk" and fresh.session.clips[1].motion.n_frames == 144_000
    assert fresh.prompt.prompt.toPlainText() == "a person walks for two hours"
    assert fresh.session.dirty and not crashed.exists()


def test_a_save_asked_for_while_one_runs_is_done_once_after_it(make_window, qtbot, walk, monkeypatch):
    from app import autosave
    w = make_window(autosave_ms=3_600_000)
    saver = w.autosaver
    writes, running, overlaps = [], [], []
    real = autosave.save_session

    def slow_save(path, data):
        overlaps.append(bool(running))
        running.append(1)
        time.sleep(0.3)
        out = real(path, data)
        writes.append([c.name for c in data.clips])
        running.pop()
        return out

    monkeypatch.setattr(autosave, "save_session", slow_save)
    add_clip(w, walk, "first")
    saver.save_now()
    assert saver.busy
    add_clip(w, walk, "second")
    saver.save_now()                # coalesced: these three requests make one more save
    add_clip(w, walk, "third")
    saver.save_now()
    saver.save_now()
    qtbot.waitUntil(lambda: len(writes) == 2 and not saver.busy, timeout=10000)
    qtbot.wait(200)
    assert writes == [["first"], ["first", "second", "third"]] and overlaps == [False, False]
    from lamp_core.session_file import load_session
    assert [c.name for c in load_session(saver.path).clips] == ["first", "second", "third"]


def test_a_clean_exit_waits_for_a_running_save(make_window, qtbot, two_hours, walk):
    w = make_window(autosave_ms=3_600_000)
    _add_with_a_long_clip(w, walk, two_hours)
    saver = w.autosaver
    saver.save_now()
    assert saver.busy
    path = saver.path
    w.close()                       # finish(): waits for the write, then deletes the file
    assert not saver.busy and not path.exists()
    assert not list(path.parent.glob(f".{path.name}.*")), "no temporary file left behind"
    assert make_window().autosaver.recoverable() == []


def test_a_failed_background_save_is_retried(make_window, qtbot, walk, monkeypatch):
    from app import autosave
    w = make_window(autosave_ms=3_600_000)
    saver = w.autosaver
    real = autosave.save_session
    monkeypatch.setattr(autosave, "save_session", lambda path, data: (_ for _ in ()).throw(OSError("disk full")))
    add_clip(w, walk)
    saver.save_now()
    qtbot.waitUntil(lambda: saver.last_error is not None, timeout=5000)
    assert "disk full" in saver.last_error and saver.pending and not saver.path.exists()
    monkeypatch.setattr(autosave, "save_session", real)
    saver.save_now()
    qtbot.waitUntil(lambda: saver.path.exists() and not saver.busy, timeout=5000)
    qtbot.waitUntil(lambda: saver.last_error is None, timeout=5000)
