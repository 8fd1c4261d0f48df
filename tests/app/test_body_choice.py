"""View ▸ Body model: the user's own body file draws the characters, is remembered, and a file that is not
a body model leaves the current body in place with a message naming it."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import add_clip, grab


def _broad_body(tmp_path):
    """Our body 1.6x as broad (bones are fitted to the clip, so a taller body would look the same):
    a different model the user could point to."""
    from lamp_core.body.model import body_path
    with np.load(body_path(), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    v = arrays["v_template"].copy()
    v[:, [0, 2]] *= 1.6
    arrays["v_template"] = v
    path = tmp_path / "broad_body.npz"
    np.savez(path, **arrays)
    return path


def _skin_pixels(img) -> int:
    b, g, r = (img.reshape(img.shape[0], -1, 4)[..., i].astype(int) for i in range(3))
    return int(((r > 90) & (r - b > 25) & (r - b < 110) & (g > b) & (r > g)).sum())


def test_a_chosen_body_model_draws_the_figures_and_is_remembered(make_window, qtbot, walk, tmp_path):
    from app.body_choice import SETTING
    w = make_window()
    w.resize(800, 600)
    add_clip(w, walk)
    w.set_frame(10)
    qtbot.waitUntil(lambda: w.viewport.body is not None, timeout=20000)
    before = _skin_pixels(grab(w))
    broad = _broad_body(tmp_path)
    w.body_choice.use(str(broad))
    qtbot.waitUntil(lambda: w.viewport.body is not None and w.viewport.body.source == str(broad), timeout=20000)
    after = _skin_pixels(grab(w))
    assert after > 1.05 * before, f"the broader body model should cover more of the picture ({before} -> {after})"
    assert w.settings.value(SETTING) == str(broad)
    w.settings.sync()
    again = make_window()              # same settings file: a later start
    add_clip(again, walk)
    assert again.viewport.body.source == str(broad), "the choice is remembered for the next start"
    w.body_choice.use(None)
    qtbot.waitUntil(lambda: w.viewport.body.source != str(broad), timeout=20000)
    assert w.settings.value(SETTING) == ""


def test_a_file_that_is_no_body_model_keeps_the_current_body(make_window, qtbot, walk, tmp_path):
    from app.body_choice import SETTING
    w = make_window()
    add_clip(w, walk)
    qtbot.waitUntil(lambda: w.viewport.body is not None, timeout=20000)
    body = w.viewport.body
    bad = tmp_path / "notes.npz"
    bad.write_bytes(b"%PDF-1.4 not a body")
    w.body_choice.use(str(bad))
    qtbot.waitUntil(lambda: bool(w.messages), timeout=20000)
    title, message = w.messages[-1]
    assert "notes.npz" in title and message
    assert w.viewport.body is body and not w.settings.value(SETTING, "")


def test_a_remembered_body_model_that_is_gone_falls_back_to_ours_and_says_so(make_window, qtbot, walk, tmp_path,
                                                                             settings_path):
    from PySide6.QtCore import QSettings

    from app.body_choice import SETTING
    gone = tmp_path / "moved_away" / "SMPL_NEUTRAL.npz"
    s = QSettings(str(settings_path), QSettings.IniFormat)
    s.setValue(SETTING, str(gone))
    s.sync()
    w = make_window()
    w.body_choice.load_at_start()          # what a start with models does
    qtbot.waitUntil(lambda: bool(w.messages), timeout=20000)
    assert "built-in body" in w.messages[-1][0] and str(gone) in w.messages[-1][1]
    add_clip(w, walk)
    assert w.viewport.body is not None and w.viewport.body_error is None
