"""The session: undo/redo of every edit (Ctrl+Z / Ctrl+Shift+Z), save and reopen identical, autosave and
recovery after a crash, and bad session files as messages."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import activate, add_clip

from app.session import Clip
from lamp_core.data.synthetic import walking_motion
from lamp_core.session_file import SessionClip, SessionData, save_session


def _state(w):
    return [(c.name, c.motion.n_frames, c.motion.joints.tobytes(), c.captions, c.group) for c in w.session.clips], \
        w.session.current_uid


def test_undo_redo_restore_every_edit(window, qtbot, walk):
    from PySide6.QtCore import Qt
    activate(window, qtbot)
    s = window.session
    states = [_state(window)]
    group = "g1"
    s.add([Clip.new(f"v{i}", walking_motion(seed=i), group=group) for i in range(3)], "Generate")
    states.append(_state(window))
    s.rename(s.current_uid, "kept one")
    states.append(_state(window))
    window.edit_motion("mirror")
    qtbot.waitUntil(lambda: s.undo_stack.count() == 3, timeout=5000)
    states.append(_state(window))
    assert not np.allclose(s.current.motion.joints, walking_motion(seed=0).joints)
    s.keep_only(s.current_uid)
    assert len(s.clips) == 1
    states.append(_state(window))
    qtbot.keyClick(window, Qt.Key_Delete)
    assert s.clips == ()
    states.append(_state(window))
    for expected in reversed(states[:-1]):
        qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
        assert _state(window) == expected
    assert window.motion is None
    for expected in states[1:]:
        qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
        assert _state(window) == expected
    assert "*" in window.windowTitle()


def test_a_saved_session_reopens_identical(make_window, qtbot, walk, tmp_path, monkeypatch):
    w = make_window()
    add_clip(w, walk, "walk")
    caps = ({"start": 0.0, "end": 4.0, "captions": [{"text": "a person walks.", "score": -0.5}]},)
    w.session.add([Clip.new("turn", walking_motion(turn_rate=0.5, fps=30), caps, group="g")])
    w.session.select(w.session.clips[0].uid)
    w.prompt.prompt.setPlainText("a person walks and turns")
    w.prompt.seed.setValue(1234)
    w.set_frame(17)
    target = tmp_path / "work.lampsession"
    monkeypatch.setattr("app.session_files.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    assert w.save_session()
    assert not w.session.dirty and w.windowTitle().startswith("work.lampsession —")
    before = _state(w)[0]
    w.close()

    again = make_window()
    assert again.open_session(target)
    assert _state(again)[0] == before
    assert again.session.current.name == "walk" and again.frame == 17
    assert again.prompt.prompt.toPlainText() == "a person walks and turns" and again.prompt.seed.value() == 1234
    assert again.session.clips[1].motion.fps == 30 and again.session.clips[1].motion.provenance == \
        walking_motion(turn_rate=0.5, fps=30).provenance
    assert not again.session.dirty and again.session.undo_stack.count() == 0


def test_ctrl_s_saves_to_the_same_file(window, qtbot, walk, tmp_path):
    from PySide6.QtCore import Qt
    target = tmp_path / "s.lampsession"
    add_clip(window, walk)
    window._save_to(target)
    add_clip(window, walk.trim(0, 20), "short")
    assert window.session.dirty
    activate(window, qtbot)
    qtbot.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    assert not window.session.dirty
    from lamp_core.session_file import load_session
    assert [c.name for c in load_session(target).clips] == ["walk", "short"]


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04broken", "no-json", "pickle"])
def test_bad_session_files_are_messages(window, qtbot, walk, tmp_path, content):
    import io
    import zipfile
    add_clip(window, walk)
    before = window.session.clips
    bad = tmp_path / "bad.lampsession"
    if content == "no-json":
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("other.txt", "hello")
    elif content == "pickle":     # an object array saved with pickles must be refused, not run
        save_session(bad, SessionData((SessionClip("x", walk),)))
        with zipfile.ZipFile(bad) as z:
            meta = z.read("session.json")
        buf = io.BytesIO()
        np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("session.json", meta)
            z.writestr("motions/00000.npy", buf.getvalue())
    else:
        bad.write_bytes(content)
    assert not window.open_session(bad)
    assert window.messages and "bad.lampsession" in window.messages[-1][1]
    assert window.session.clips == before


def test_autosave_and_recovery_after_a_crash(make_window, qtbot, walk, tmp_path):
    w = make_window(autosave_ms=50)
    add_clip(w, walk, "unsaved work")
    qtbot.waitUntil(lambda: w.autosaver.path.exists(), timeout=5000)
    crashed = w.autosaver.path.with_name("autosave-999999.lampsession")   # as if a dead process left it
    w.autosaver.path.replace(crashed)
    assert w.autosaver.recoverable() == [crashed]

    fresh = make_window()
    assert fresh.recover()
    assert [c.name for c in fresh.session.clips] == ["unsaved work"]
    assert fresh.session.dirty and fresh.session.path is None
    assert not crashed.exists(), "a recovered autosave is not offered again"
    assert not fresh.recover()


def test_a_clean_exit_leaves_nothing_to_recover(make_window, qtbot, walk, tmp_path):
    w = make_window(autosave_ms=50)
    add_clip(w, walk)
    qtbot.waitUntil(lambda: w.autosaver.path.exists(), timeout=5000)
    path = w.autosaver.path
    w.close()
    assert not path.exists()
    assert make_window().autosaver.recoverable() == []


def test_new_session_clears_everything(window, walk):
    add_clip(window, walk)
    window.new_session()
    assert window.session.clips == () and window.motion is None and window.session.undo_stack.count() == 0
    assert window.timeline.time_label.text() == "no clip"


def test_a_lock_left_by_a_killed_process_is_cleaned_up(make_window, tmp_path):
    import subprocess
    import sys
    folder = tmp_path / "autosave"
    folder.mkdir(exist_ok=True)
    lock = folder / "autosave-1.lock"
    code = ("import os, sys\nfrom PySide6.QtCore import QLockFile\n"
            f"l = QLockFile({str(lock)!r}); assert l.tryLock(0)\nos._exit(0)")   # dies holding the lock
    subprocess.run([sys.executable, "-c", code], check=True)
    assert lock.exists()
    w = make_window()
    assert w.autosaver.recoverable() == [] and not lock.exists()
    assert w.autosaver.path.with_suffix(".lock").exists(), "this window's own lock stays"
