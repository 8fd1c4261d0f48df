"""Export extras: the body-mesh choice for FBX / glTF reaches the writer, units are BVH-only, and several
clips export at once into a folder with unique, file-safe names, each file re-importable."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from gui_helpers import add_clip

from lamp_core.formats import read


def _glb_has_mesh(path) -> bool:
    import pygltflib
    return bool(pygltflib.GLTF2().load(str(path)).meshes)


def test_body_checkbox_per_format_reaches_the_glb(window, qtbot, walk, tmp_path):
    add_clip(window, walk.trim(0, 40))
    d = window.export_dialog()
    d.format.setCurrentIndex(d.format.findData(".bvh"))
    assert not d.body.isEnabled() and d.units.isEnabled() and d.options().body is None
    d.format.setCurrentIndex(d.format.findData(".fbx"))
    assert d.body.isEnabled() and not d.body.isChecked() and not d.units.isEnabled()
    d.format.setCurrentIndex(d.format.findData(".glb"))
    assert d.body.isEnabled() and d.body.isChecked(), "glTF carries the body by default"
    d.path.setText(str(tmp_path / "with.glb"))
    d.export_button.click()
    qtbot.waitUntil(lambda: d.written is not None, timeout=30000)
    assert _glb_has_mesh(tmp_path / "with.glb")

    d = window.export_dialog()
    assert d.suffix == ".glb" and d.body.isChecked()
    d.body.setChecked(False)
    d.path.setText(str(tmp_path / "without.glb"))
    d.export_button.click()
    qtbot.waitUntil(lambda: d.written is not None, timeout=30000)
    assert not _glb_has_mesh(tmp_path / "without.glb")
    again = window.export_dialog()
    assert again.suffix == ".glb" and not again.body.isChecked(), "the choice is remembered per format"
    again.format.setCurrentIndex(again.format.findData(".fbx"))
    assert not again.body.isChecked()
    again.reject()


def test_unique_file_safe_names():
    from app.dialogs.batch_export import unique_names
    assert unique_names(["walk", "walk", "a/b: c?", "Walk"], ".bvh") == ["walk.bvh", "walk_2.bvh", "a_b__c_.bvh",
                                                                        "Walk_3.bvh"]


def test_selected_clips_export_into_a_folder(window, qtbot, walk, tmp_path):
    from PySide6.QtCore import QItemSelectionModel
    for name in ("walk", "walk", "run: fast"):
        add_clip(window, walk.trim(0, 30), name)
    add_clip(window, walk.trim(0, 30), "not chosen")
    lst = window.clips.list
    lst.clearSelection()
    for row in range(3):
        lst.selectionModel().select(lst.model().index(row, 0), QItemSelectionModel.Select)
    d = window.export_dialog()
    assert d.windowTitle() == "Export 3 clips"
    d.format.setCurrentIndex(d.format.findData(".bvh"))
    d.path.setText(str(tmp_path / "out"))
    d.export_button.click()
    qtbot.waitUntil(lambda: d.written_all is not None, timeout=30000)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["run__fast.bvh", "walk.bvh", "walk_2.bvh"]
    assert all(read(tmp_path / "out" / n).n_frames == 30 for n in names)
    assert "Wrote 3 of 3" in d.report and "failed" not in d.report
    d.report_box.close()


def test_export_all_clips_reports_failures(window, qtbot, walk, tmp_path):
    for name in ("a", "b"):
        add_clip(window, walk.trim(0, 30), name)
    (tmp_path / "out" / "b.npy").mkdir(parents=True)      # a folder where b's file would go
    d = window.export_dialog(all_clips=True)
    d.format.setCurrentIndex(d.format.findData(".npy"))
    d.path.setText(str(tmp_path / "out"))
    d.export_button.click()
    qtbot.waitUntil(lambda: d.written_all is not None, timeout=30000)
    assert [p.name for p in d.written_all] == ["a.npy"] and read(tmp_path / "out" / "a.npy").n_frames == 30
    assert "1 failed" in d.report and "b.npy" in d.report
    d.report_box.close()


def test_files_already_in_the_folder_are_replaced_only_when_asked_or_kept_beside(window, qtbot, walk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "walk.bvh").write_text("the user's own file")
    add_clip(window, walk.trim(0, 30), "walk")
    add_clip(window, walk.trim(0, 20), "run")
    d = window.export_dialog(all_clips=True)
    d.format.setCurrentIndex(d.format.findData(".bvh"))
    d.path.setText(str(out))
    d.export_button.click()
    assert d.written_all is None and d.export_button.text() == "Replace" and not d.keep_both.isHidden()
    assert "walk.bvh" in d.error.text() and "already" in d.error.text()
    assert (out / "walk.bvh").read_text() == "the user's own file", "nothing is written before the user decides"
    d.keep_both.click()
    qtbot.waitUntil(lambda: d.written_all is not None, timeout=30000)
    assert sorted(p.name for p in out.iterdir()) == ["run.bvh", "walk.bvh", "walk_2.bvh"]
    assert (out / "walk.bvh").read_text() == "the user's own file" and read(out / "walk_2.bvh").n_frames == 30
    d.report_box.close()

    d = window.export_dialog(all_clips=True)
    d.path.setText(str(out))
    d.export_button.click()
    assert d.export_button.text() == "Replace"
    d.export_button.click()
    qtbot.waitUntil(lambda: d.written_all is not None, timeout=30000)
    assert read(out / "walk.bvh").n_frames == 30 and read(out / "run.bvh").n_frames == 20
    d.report_box.close()


def test_one_file_export_asks_before_overwriting(window, qtbot, walk, tmp_path):
    add_clip(window, walk.trim(0, 30), "walk")
    target = tmp_path / "mine.bvh"
    target.write_text("keep me")
    d = window.export_dialog()
    d.format.setCurrentIndex(d.format.findData(".bvh"))
    d.path.setText(str(target))
    d.export_button.click()
    assert d.written is None and d.export_button.text() == "Replace" and "mine.bvh already exists" in d.error.text()
    d.path.setText(str(tmp_path / "other.bvh"))
    assert d.export_button.text() == "Export", "a new name needs no confirmation"
    d.path.setText(str(target))
    d.export_button.click()
    d.export_button.click()
    qtbot.waitUntil(lambda: d.written is not None, timeout=30000)
    assert read(target).n_frames == 30
