"""The viewport's body mesh under Xvfb + Mesa: it appears in skin colour, the View toggles hide and show
body / skeleton / contacts, variations stand side by side and move together, and a 1-frame clip draws."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import add_clip
from gui_helpers import grab as _grab

from lamp_core.motion import Motion


def grab(w) -> np.ndarray:
    """(H, W, 4) BGRA viewport pixels."""
    img = _grab(w)
    return img.reshape(img.shape[0], -1, 4)


def _skin(img: np.ndarray) -> np.ndarray:
    """Mask of skin-coloured pixels (BGRA grab): warm, not the orange bones, not the grey grid."""
    b, g, r = (img[..., i].astype(int) for i in range(3))
    return (r > 90) & (r - b > 25) & (r - b < 110) & (g > b) & (r > g)


def _settle(qtbot, w):
    qtbot.wait(30)
    w.viewport.repaint()


@pytest.fixture
def small(make_window, qtbot):
    w = make_window()
    w.resize(640, 480)
    _settle(qtbot, w)
    return w


def _toggle(w, name, on):
    w.actions_by_name[name].setChecked(on)


def test_body_appears_in_skin_colour_and_differs_from_the_skeleton(small, qtbot, walk):
    assert small.viewport.body is not None, small.viewport.body_error
    add_clip(small, walk)
    small.set_frame(10)
    _settle(qtbot, small)
    with_body = grab(small)
    assert _skin(with_body).sum() > 300, "the body should show skin-coloured pixels"
    _toggle(small, "show_body", False)
    _toggle(small, "show_skeleton", True)
    _settle(qtbot, small)
    skeleton = grab(small)
    assert _skin(skeleton).sum() < 0.2 * _skin(with_body).sum()
    assert (skeleton != with_body).any(axis=2).mean() > 0.002
    _toggle(small, "show_skeleton", False)
    _settle(qtbot, small)
    assert _skin(grab(small)).sum() < 50, "with body and skeleton off the stage is empty"
    _toggle(small, "show_body", True)
    _settle(qtbot, small)
    assert _skin(grab(small)).sum() > 300


def test_scrubbing_moves_the_body(small, qtbot, walk):
    add_clip(small, walk)
    small.set_frame(0)
    _settle(qtbot, small)
    first = grab(small)
    small.set_frame(walk.n_frames // 2)
    _settle(qtbot, small)
    assert (grab(small) != first).any()


def test_feet_touch_the_grid(small, walk):
    add_clip(small, walk)
    fig = small.viewport.figures[0]
    rig, lift = small.viewport.rigs.get(small.viewport.body, walk)
    assert 0.01 < lift < 0.06
    lowest = (small.viewport.body.skin(rig)[..., 1] + lift).min(axis=1)   # per frame, metres
    assert abs(np.median(lowest)) < 0.02
    assert fig.mesh is not None


def test_contacts_toggle_changes_the_picture(small, qtbot, walk):
    add_clip(small, walk)
    f = int(np.flatnonzero(walk.foot_contacts.any(axis=1))[0])
    small.set_frame(f)
    _settle(qtbot, small)
    before = grab(small)
    _toggle(small, "show_contacts", True)
    _settle(qtbot, small)
    after = grab(small)
    green = (after[..., 1].astype(int) - after[..., 2] > 80) & (after[..., 1].astype(int) - after[..., 0] > 80)
    assert green.sum() > 20, "contact markers are green dots on the feet"
    assert (after != before).any()


def test_root_trajectory_toggle(small, qtbot, walk):
    add_clip(small, walk)
    assert small.viewport.path.visible()
    _toggle(small, "show_path", False)
    assert not small.viewport.path.visible()


def test_variations_side_by_side_spread_and_move_together(small, qtbot, walk):
    from app.session import Clip
    clips = [Clip.new(f"v{i}", walk.mirror() if i % 2 else walk, group="g1") for i in range(3)]
    small.session.add(clips)
    small.session.select(clips[1].uid)
    small.set_frame(5)
    _settle(qtbot, small)
    one = grab(small)
    assert len(small.viewport.figures) == 1
    _toggle(small, "side_by_side", True)
    _settle(qtbot, small)
    many = grab(small)
    assert len(small.viewport.figures) == 3
    # columns with a body in them (a thin grid line or the ground path colours only a pixel or two)
    cols = lambda img: np.flatnonzero((_skin(img) | _grey_body(img)).sum(axis=0) >= 6)
    assert np.ptp(cols(many)) > 1.5 * np.ptp(cols(one)), "figures should stand apart along x"
    assert sum(f.selected for f in small.viewport.figures) == 1
    small.set_frame(30)
    _settle(qtbot, small)
    assert (grab(small) != many).any()
    assert small.viewport.frame == 30
    _toggle(small, "side_by_side", False)
    assert len(small.viewport.figures) == 1


def _grey_body(img: np.ndarray) -> np.ndarray:
    """Sibling variations are drawn blue-grey."""
    b, r = img[..., 0].astype(int), img[..., 2].astype(int)
    return (b > 110) & (b - r > 15) & (b - r < 90)


def test_one_frame_clip_draws_without_crashing(small, qtbot, walk):
    one = Motion(walk.joints[:1].copy(), fps=walk.fps)
    add_clip(small, one, name="pose")
    for name in ("show_skeleton", "show_contacts", "side_by_side"):
        _toggle(small, name, True)
    small.set_frame(0)
    _settle(qtbot, small)
    assert _skin(grab(small)).sum() > 100
    small.timeline.step(1)
    _settle(qtbot, small)


def test_without_a_body_model_skeletons_stand_in(make_window, qtbot, walk, monkeypatch, tmp_path):
    monkeypatch.setenv("LAMP_BODY_MODEL", str(tmp_path / "missing.npz"))
    w = make_window()
    add_clip(w, walk)
    _settle(qtbot, w)
    assert w.viewport.body is None and "missing.npz" in w.viewport.body_error
    assert w.viewport.figures[0].skeleton.bones.visible()
