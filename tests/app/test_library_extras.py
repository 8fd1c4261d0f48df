"""Library browser extras: stick-figure thumbnails on the results, "Add folder…" (corrupt files skipped
with a message), rename / remove in the user's library, and both disabled on the shipped read-only one."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from lamp_core.library import MotionLibrary
from tests.app.conftest import WALKS, make_user_library


@pytest.fixture
def user_library(tmp_path, monkeypatch):
    return make_user_library(tmp_path, monkeypatch, WALKS[:2])


def _names(panel):
    t = panel.results
    return [t.topLevelItem(i).text(1) for i in range(t.topLevelItemCount())]


def _drawn(pixmap) -> int:
    """How many pixels of a thumbnail are not transparent."""
    img = pixmap.toImage()
    return sum(img.pixelColor(x, y).alpha() > 0 for x in range(img.width()) for y in range(img.height()))


def test_render_thumbnail_draws_figures(qapp, walk):
    from PySide6.QtGui import QPixmap

    from app.panels.thumbnails import HEIGHT, WIDTH, render_thumbnail, side_view
    img = render_thumbnail(walk.joints)
    assert (img.width(), img.height()) == (WIDTH, HEIGHT)
    assert _drawn(QPixmap.fromImage(img)) > 100
    poses = side_view(walk.joints)
    assert poses.shape == (4, 22, 2) and np.allclose(poses[:, 0, 0], 0)
    assert _drawn(QPixmap.fromImage(render_thumbnail(np.full((5, 22, 3), np.nan)))) <= WIDTH, "NaN: floor only"


def test_results_get_cached_thumbnails(tiny_window, qtbot, user_library):
    w = tiny_window
    w.library.run_search()
    mine = lambda: [k for k in w.library.thumbs if k[0] == str(user_library)]
    qtbot.waitUntil(lambda: len(_names(w.library)) == 2 and len(mine()) == 2
                    and not w.library.results.topLevelItem(1).icon(1).isNull(), timeout=30000)
    for i in range(2):
        pix = w.library.results.topLevelItem(i).icon(1).pixmap(96, 40)
        assert not pix.isNull() and _drawn(pix) > 50
    started = []
    w.jobs.job_ended.connect(lambda job: started.append(job.name))
    w.library.run_search()
    qtbot.waitUntil(lambda: "library" in started, timeout=30000)
    assert "library-thumbs" not in started, "thumbnails already drawn are reused"
    assert not w.library.results.topLevelItem(0).icon(1).isNull()


def test_the_selected_result_plays_its_clip(tiny_window, qtbot, user_library):
    """The selected row's thumbnail animates (one figure stepping through the clip); leaving it restores
    the filmstrip."""
    w = tiny_window
    w.library.run_search()
    mine = lambda: [k for k in w.library.motions if k[0] == str(user_library)]
    qtbot.waitUntil(lambda: len(_names(w.library)) == 2 and len(mine()) == 2, timeout=30000)
    first, second = (w.library.results.topLevelItem(i) for i in range(2))
    w.library.results.setCurrentItem(first)
    seen = set()
    for _ in range(4):
        w.library._animate()
        seen.add(first.icon(1).pixmap(96, 40).toImage().bits().tobytes())
    assert len(seen) > 1, "the selected thumbnail should change from tick to tick"
    w.library.results.setCurrentItem(second)
    strip = w.library.thumbs[(str(user_library), int(first.data(0, 0x0100)))]
    assert first.icon(1).pixmap(96, 40).toImage() == strip.toImage()


def test_add_folder_skips_a_corrupt_file_with_a_message(tiny_window, qtbot, user_library, tmp_path, walk):
    from lamp_core.formats import write
    w = tiny_window
    folder = tmp_path / "mocap"
    (folder / "sub").mkdir(parents=True)
    write(walk, folder / "walk.npy")
    write(walk.mirror(), folder / "sub" / "mirrored.bvh")
    (folder / "broken.bvh").write_text("HIERARCHY\nthis is not a BVH file\n")
    (folder / "notes.txt").write_text("not a motion")
    w.library.add_folder(folder)
    qtbot.waitUntil(lambda: "Added 2 clip(s)" in w.library.info.text() or bool(w.messages), timeout=60000)
    qtbot.waitUntil(lambda: "Added 2 clip(s)" in w.library.info.text(), timeout=30000)
    assert "skipped 1" in w.library.info.text() and len(_names(w.library)) == 4
    title, text = w.messages[-1]
    assert title == "Skipped 1 file(s)" and "broken.bvh" in text
    with MotionLibrary.open(user_library) as lib:
        assert len(lib) == 4
    qtbot.waitUntil(lambda: len(_names(w.library)) == 4, timeout=30000)


def test_rename_and_remove_in_the_user_library(tiny_window, qtbot, user_library):
    w = tiny_window
    p = w.library
    p.run_search()
    qtbot.waitUntil(lambda: len(_names(p)) == 2 and "your library" in p.info.text(), timeout=30000)
    assert not p.rename_button.isEnabled(), "nothing selected yet"
    p.results.topLevelItem(0).setSelected(True)
    assert p.rename_button.isEnabled() and p.remove_button.isEnabled()
    p.rename_selected("slow walk")
    qtbot.waitUntil(lambda: "slow walk" in _names(p), timeout=30000)
    p.confirm = False
    p.results.clearSelection()
    p.results.topLevelItem(1).setSelected(True)
    p.remove_selected()
    qtbot.waitUntil(lambda: _names(p) == ["slow walk"], timeout=30000)
    with MotionLibrary.open(user_library) as lib:
        assert [c.name for c in lib.list()] == ["slow walk"]


def test_the_shipped_library_is_read_only_in_the_panel(tiny_window, qtbot):
    w = tiny_window          # no user library: the panel lists the shipped examples
    p = w.library
    qtbot.waitUntil(lambda: p.results.topLevelItemCount() > 0 or "failed" in p.info.text(), timeout=30000)
    if not p.results.topLevelItemCount():
        pytest.skip(f"no shipped example library here: {p.info.text()}")
    assert "read-only" in p.info.text() and p.shipped
    p.results.topLevelItem(0).setSelected(True)
    for b in (p.rename_button, p.remove_button):
        assert not b.isEnabled() and "read-only" in b.toolTip()
    assert p.folder_button.isEnabled()
