"""Editing with the model from the timeline (tiny bundle): regenerate a selected range, key poses from
text (placed, moved, deleted, undone, saved) and in-betweening through them, and multi-prompt sequences."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import activate, add_clip


def _mouse(widget, kind, x, modifiers=None):
    """Send a left-button press / move / release at x on the timeline track (y in the key row)."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication
    t = {"press": QEvent.MouseButtonPress, "move": QEvent.MouseMove, "release": QEvent.MouseButtonRelease}[kind]
    button = Qt.NoButton if kind == "move" else Qt.LeftButton
    pos = QPointF(x, 9)
    ev = QMouseEvent(t, pos, widget.mapToGlobal(pos), button, Qt.LeftButton if kind != "release" else Qt.NoButton,
                     modifiers if modifiers is not None else Qt.NoModifier)
    QApplication.sendEvent(widget, ev)


def _idle(w, qtbot):
    qtbot.waitUntil(lambda: w.prompt.job is None and not w.jobs.running(), timeout=60000)


def test_shift_drag_and_i_o_keys_select_a_range(window, qtbot, walk):
    from PySide6.QtCore import Qt
    add_clip(window, walk)
    track = window.timeline.track
    _mouse(track, "press", track.x_of(10), Qt.ShiftModifier)
    _mouse(track, "move", track.x_of(30), Qt.ShiftModifier)
    _mouse(track, "release", track.x_of(30), Qt.ShiftModifier)
    assert window.timeline.range == (10, 30)
    assert "frames 11–31" in window.timeline.range_label.text()
    activate(window, qtbot)
    window.set_frame(20)
    qtbot.keyClick(window, Qt.Key_I)
    window.set_frame(45)
    qtbot.keyClick(window, Qt.Key_O)
    assert window.timeline.range == (20, 45)
    _mouse(track, "press", track.x_of(60))        # a plain click seeks and keeps the range
    assert window.frame == 60 and window.timeline.range == (20, 45)


def test_regenerate_range_changes_only_the_range_and_undo_restores(tiny_window, qtbot, walk):
    w = tiny_window
    clip = add_clip(w, walk)
    w.timeline.track.set_range((20, 39))
    w.prompt.prompt.setPlainText("a person jumps")
    assert w.actions_by_name["regen_range"].isEnabled() and w.timeline.regen_button.isEnabled()
    w.actions_by_name["regen_range"].trigger()
    qtbot.waitUntil(lambda: w.session.current.motion is not walk, timeout=60000)
    _idle(w, qtbot)
    new = w.session.current.motion
    assert w.session.current.uid == clip.uid and new.n_frames == walk.n_frames
    outside = np.r_[0:20, 40:80]
    assert np.abs(new.joints[outside] - walk.joints[outside]).max() < 1e-4, "frames outside the range must stay"
    assert np.abs(new.joints[20:40] - walk.joints[20:40]).max() > 1e-2, "the range should be regenerated"
    assert "Regenerate frames 21–40" in w.session.undo_stack.undoText()
    w.session.undo_stack.undo()
    assert w.session.current.motion is walk
    w.session.undo_stack.redo()
    assert w.session.current.motion is new


def test_key_poses_from_text_move_delete_undo_save_and_fill(tiny_window, qtbot, walk, monkeypatch, tmp_path):
    w = tiny_window
    assert w.hub.engine().pose is not None, "the tiny bundle carries a (tiny, real) text -> pose model"
    clip = add_clip(w, walk)
    w.prompt.prompt.setPlainText("a person raises both arms")
    for frame in (10, 50):
        w.set_frame(frame)
        w.actions_by_name["key_pose"].trigger()
        _idle(w, qtbot)
    keys = w.session.current.keys
    assert [f for f, _ in keys] == [10, 50] and w.timeline.track.keys == [10, 50]
    # placed where the body is: the root over the clip's root at that frame
    assert np.abs(keys[0][1][0, [0, 2]] - walk.joints[10, 0, [0, 2]]).max() < 1e-4

    track = w.timeline.track
    _mouse(track, "press", track.x_of(50))
    assert track.selected_key == 50 and w.frame == 50
    _mouse(track, "move", track.x_of(58))
    _mouse(track, "release", track.x_of(58))
    assert [f for f, _ in w.session.current.keys] == [10, 58]
    _mouse(track, "press", track.x_of(10))
    _mouse(track, "release", track.x_of(10))
    w.actions_by_name["key_delete"].trigger()
    assert [f for f, _ in w.session.current.keys] == [58]
    w.session.undo_stack.undo()
    assert [f for f, _ in w.session.current.keys] == [10, 58] and track.keys == [10, 58]

    from lamp_core.session_file import SUFFIX
    path = tmp_path / f"keys{SUFFIX}"
    assert w._save_to(path)
    w.new_session()
    assert w.session.clips == ()
    assert w.open_session(path)
    back = w.session.current.keys
    assert [f for f, _ in back] == [10, 58]
    assert np.allclose(back[1][1], keys[1][1], atol=1e-5)

    n = len(w.session.clips)
    w.timeline.fill_button.click()
    qtbot.waitUntil(lambda: len(w.session.clips) == n + 1, timeout=60000)
    _idle(w, qtbot)
    filled = w.session.current
    assert "through 2 keys" in filled.name and [f for f, _ in filled.keys] == [10, 58]
    for f, pose in back:
        assert np.linalg.norm(filled.motion.joints[f] - pose, axis=-1).max() < 0.02, f"key at {f} missed"
    w.session.undo_stack.undo()
    assert len(w.session.clips) == n and clip.name == w.session.current.name


def test_segments_dialog_track_and_generate_sequence(tiny_window, qtbot):
    w = tiny_window
    dialog = w.edits.edit_segments()
    dialog.add_row("a person walks forward", 2.0)
    dialog.add_row("", 1.0)                      # an empty row is dropped
    dialog.add_row("a person jumps", 1.0)
    assert "3 segment(s), 4 s" in dialog.total.text()
    dialog.accept()
    assert w.edits.segments == [("a person walks forward", 2.0), ("a person jumps", 1.0)]
    assert w.timeline.track.segments == w.edits.segments
    assert w.actions_by_name["sequence"].isEnabled()
    w.timeline.sequence_button.click()
    qtbot.waitUntil(lambda: len(w.session.clips) == 1, timeout=60000)
    _idle(w, qtbot)
    m = w.session.current.motion
    assert abs(m.n_frames - 3.0 * m.fps) <= 4, f"3 s of segments gave {m.n_frames} frames"
    assert m.provenance.prompt == "a person walks forward | a person jumps"
    steps = np.linalg.norm(np.diff(m.joints, axis=0), axis=-1).max(-1)
    assert steps.max() < 0.5, "the segments should join without a jump"
    w.session.undo_stack.undo()
    assert w.session.clips == ()


def test_segment_lines_round_trip_and_bad_lines(qtbot):
    from app.panels.segments_dialog import SegmentsDialog, format_segments, parse_segments
    d = SegmentsDialog([("a", 1.0)])
    qtbot.addWidget(d)
    assert d.set_lines("2 a person walks\n1 a person waves") and d.segments() == [("a person walks", 2.0),
                                                                                 ("a person waves", 1.0)]
    assert not d.set_lines("soon") and "line 1" in d.total.text() and len(d.segments()) == 2
    segs = parse_segments("2 a person walks\n\n1.5 a person sits down\n")
    assert segs == [("a person walks", 2.0), ("a person sits down", 1.5)]
    assert parse_segments(format_segments(segs)) == segs
    with pytest.raises(ValueError, match="line 1"):
        parse_segments("walks for a while")


def test_edits_without_a_clip_or_range_are_messages(window, qtbot):
    window.edits.regenerate_range("a person jumps")
    window.edits.pose_from_text("a person jumps")
    window.edits.fill_between_keys("a person jumps")
    assert [t for t, _ in window.messages] == ["No range selected", "No clip", "No key poses"]
    assert not window.actions_by_name["regen_range"].isEnabled()


def test_segment_edits_undo_and_travel_with_the_session(tiny_window, tmp_path):
    w = tiny_window
    w.edits.set_segments([("a person walks forward", 2.0)])
    w.edits.set_segments([("a person walks forward", 2.0), ("a person waves", 1.5)])
    assert w.timeline.track.segments == [("a person walks forward", 2.0), ("a person waves", 1.5)]
    w.session.undo_stack.undo()
    assert w.edits.segments == [("a person walks forward", 2.0)] and w.timeline.track.segments == w.edits.segments
    w.session.undo_stack.redo()
    path = w.session.save(tmp_path / "seq.lampsession")
    w.edits.set_segments([])
    w.session.open(path)
    assert w.edits.segments == [("a person walks forward", 2.0), ("a person waves", 1.5)]
