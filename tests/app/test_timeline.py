"""The timeline: playback keys, loop, speed, the time read-out, and scrubbing that redraws at once."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import activate, add_clip, grab


def test_playback_keys(window, qtbot, walk):
    from PySide6.QtCore import Qt
    add_clip(window, walk)
    activate(window, qtbot)
    qtbot.keyClick(window, Qt.Key_Right)
    assert window.frame == 1
    qtbot.keyClick(window, Qt.Key_Right, Qt.ShiftModifier)
    assert window.frame == 11
    qtbot.keyClick(window, Qt.Key_Left, Qt.ShiftModifier)
    qtbot.keyClick(window, Qt.Key_Left)
    assert window.frame == 0
    qtbot.keyClick(window, Qt.Key_Left)
    assert window.frame == 0, "stepping stops at the first frame"
    qtbot.keyClick(window, Qt.Key_End)
    assert window.frame == walk.n_frames - 1
    qtbot.keyClick(window, Qt.Key_Home)
    assert window.frame == 0
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.timeline.playing and window.timeline.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: window.frame > 2, timeout=3000)
    qtbot.keyClick(window, Qt.Key_Space)
    assert not window.timeline.playing


def test_time_display_and_scrub_redraw(window, qtbot, walk):
    add_clip(window, walk)
    t = window.timeline
    assert "frame 1/80" in t.time_label.text() and "20 fps" in t.time_label.text()
    before = grab(window)
    t.slider.setValue(30)
    assert "1.50 / 4.00 s" in t.time_label.text() and "frame 31/80" in t.time_label.text()
    assert (grab(window) != before).any()


def test_loop_off_stops_at_the_end_and_speed_scales_playback(window, qtbot, walk):
    from PySide6.QtCore import QElapsedTimer
    add_clip(window, walk)
    t = window.timeline
    t.loop_box.setChecked(False)
    t.speed_box.setCurrentIndex(t.speed_box.findData(2.0))
    t.set_frame(40)
    clock = QElapsedTimer()
    clock.start()
    t.play()
    qtbot.waitUntil(lambda: not t.playing, timeout=5000)
    seconds = clock.elapsed() / 1000
    assert t.frame == walk.n_frames - 1
    assert 0.6 < seconds < 1.8, f"39 frames at 20 fps x2 take ~1 s, took {seconds:.2f} s"
    t.loop_box.setChecked(True)
    t.play()    # from the last frame with loop on: wraps to the start
    qtbot.waitUntil(lambda: t.frame < 10, timeout=5000)
    t.pause()


def test_switching_clips_resets_and_editing_keeps_the_frame(window, qtbot, walk):
    a = add_clip(window, walk, "a")
    b = add_clip(window, walk.trim(0, 50), "b")
    assert window.timeline.n_frames == 50
    window.set_frame(20)
    window.session.select(a.uid)
    assert window.frame == 0 and window.timeline.n_frames == 80
    window.set_frame(33)
    window.session.update(a.uid, "Mirror", motion=walk.mirror())
    assert window.frame == 33
    assert b.uid != a.uid


def test_keys_still_work_after_clicking_into_the_viewport_and_a_drag_orbits(window, qtbot, walk):
    """The viewport is a native OpenGL window inside the main one: clicking it must not swallow the
    window's shortcuts, and dragging in it turns the camera."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    add_clip(window, walk)
    activate(window, qtbot)
    view = window.viewport
    qtbot.waitUntil(view.isExposed, timeout=3000)
    middle = QPoint(view.width() // 2, view.height() // 2)
    azimuth = view.opts["azimuth"]
    QTest.mousePress(view, Qt.LeftButton, Qt.NoModifier, middle)
    for dx in (10, 30, 60):
        QTest.mouseMove(view, middle + QPoint(dx, 0))
    QTest.mouseRelease(view, Qt.LeftButton, Qt.NoModifier, middle + QPoint(60, 0))
    assert view.opts["azimuth"] != azimuth, "dragging in the viewport should orbit the camera"
    QTest.keyClick(view, Qt.Key_Right)
    assert window.frame == 1, "Right steps a frame even with the viewport clicked"
    QTest.keyClick(view, Qt.Key_Space)
    assert window.timeline.playing
    QTest.keyClick(view, Qt.Key_Space)
    assert not window.timeline.playing
