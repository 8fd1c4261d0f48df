"""Sources: archives streamed and labelled, user folders with a CSV, bad files reported and skipped,
and the import cache that makes a rebuild of an unchanged source instant."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from lamp_core.data import sources
from lamp_core.data.cache import TakeCache
from lamp_core.data.sources import load_archive_source, load_folder_source, read_label_csv
from lamp_core.errors import LampError
from lamp_core.formats import bvh
from tests.conftest import shared_path, walking_motion


def _bvh_bytes(motion, tmp_path: Path, fps: float = 30.0) -> bytes:
    out = bvh.write(motion, tmp_path / "tmp.bvh", fps=fps, units="cm")
    return out.read_bytes()


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:xz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _bandai_archive(tmp_path: Path, data_dir: Path) -> Path:
    root = "dataset/Bandai-Namco-Research-Motiondataset-2/"
    walk = _bvh_bytes(walking_motion(80), tmp_path)
    members = {
        root + "data/dataset-2_walk_elderly_001.bvh": walk,
        root + "data/dataset-2_walk_elderly_001.json": json.dumps({"content": 0, "style": 1}).encode(),
        root + "data/dataset-2_run_normal_001.bvh": walk,  # its JSON comes first in the real archive; order must not matter
        root + "data/dataset-2_walk_normal_002.bvh": b"HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 zero\n",  # corrupt
        root + "data/dataset-2_walk_normal_002.json": json.dumps({"content": 0, "style": 2}).encode(),
        root + "data/dataset-2_walk_normal_003.bvh": walk,  # no JSON: unlabeled
        root + "cfg/content_label.txt": b"dataset-2_walk\ndataset-2_run\n",
        root + "cfg/style_label.txt": b"dataset-2_active\ndataset-2_elderly\ndataset-2_normal\n",
    }
    members = {root + "data/dataset-2_run_normal_001.json": json.dumps({"content": 1, "style": 2}).encode(),
               **members}
    data_dir.mkdir(parents=True, exist_ok=True)
    return _tar(data_dir / "bandai-namco-2.tar.xz", members)


def test_archive_takes_are_labelled_and_bad_files_reported(tmp_path):
    data = tmp_path / "data"
    _bandai_archive(tmp_path, data)
    takes, skipped = load_archive_source("bandai-namco-2", data, None)
    by_id = {t.take_id: t for t in takes}
    assert set(by_id) == {"bandai-namco-2/dataset-2_walk_elderly_001", "bandai-namco-2/dataset-2_run_normal_001"}
    walk = by_id["bandai-namco-2/dataset-2_walk_elderly_001"]
    assert (walk.labels.content, walk.labels.style) == ("walk", "elderly")
    assert walk.motion.fps == 20 and abs(walk.motion.duration - walking_motion(80).duration) < 0.1
    assert "CC BY-NC" in walk.license
    reasons = {Path(s.file).name: s.reason for s in skipped}
    assert set(reasons) == {"dataset-2_walk_normal_002.bvh", "dataset-2_walk_normal_003.bvh"}
    assert ":4" in reasons["dataset-2_walk_normal_002.bvh"] or "number" in reasons["dataset-2_walk_normal_002.bvh"]
    assert reasons["dataset-2_walk_normal_003.bvh"].startswith("unlabeled")


def test_json_that_contradicts_the_file_name_is_skipped(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    root = "dataset/Bandai-Namco-Research-Motiondataset-1/"
    _tar(data / "bandai-namco-1.tar.xz", {
        root + "data/dataset-1_walk_sad_001.bvh": _bvh_bytes(walking_motion(60), tmp_path),
        root + "data/dataset-1_walk_sad_001.json": b'{"content": 1, "style": 0}',
        root + "cfg/content_label.txt": b"walk\nrun\n", root + "cfg/style_label.txt": b"sad\n"})
    takes, skipped = load_archive_source("bandai-namco-1", data, None)
    assert not takes and "run/sad" in skipped[0].reason


def test_cmu_trials_captured_at_60_fps_are_retimed(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    walk = _bvh_bytes(walking_motion(60), tmp_path, fps=120)
    _tar(data / "cmu-subset.tar.xz", {
        "cmu-subset/daz-friendly/02/02_01.bvh": walk,
        "cmu-subset/daz-friendly/02/02_02.bvh": walk,
        "cmu-subset/max-friendly/99_01.bvh": walk,  # no description: unlabeled
        "cmu-subset/cmu-descriptions.csv": b'"Subject","Trial #","Motion Description","framerate"\n'
                                           b'2,1,"walk",120\n2,2,"basketball - forward dribble",60\n',
    })
    takes, skipped = load_archive_source("cmu", data, None)
    t = {x.take_id: x for x in takes}
    assert t["cmu/02_01"].labels.description == "walk" and t["cmu/02_01"].actor == "cmu-02"
    assert t["cmu/02_02"].motion.duration == pytest.approx(2 * t["cmu/02_01"].motion.duration, abs=0.1)
    assert any("60 fps" in n for n in t["cmu/02_02"].notes)
    assert [Path(s.file).name for s in skipped] == ["99_01.bvh"]


def test_missing_or_damaged_archive_is_a_clear_error(tmp_path):
    with pytest.raises(LampError, match="bandai-namco-1.tar.xz: source archive not found"):
        load_archive_source("bandai-namco-1", tmp_path, None)
    (tmp_path / "cmu-subset.tar.xz").write_bytes(b"not an archive at all")
    with pytest.raises(LampError, match="damaged"):
        load_archive_source("cmu", tmp_path, None)
    with pytest.raises(LampError, match="unknown source"):
        load_archive_source("hdm05", tmp_path, None)


def test_unchanged_archive_comes_from_the_cache(tmp_path, monkeypatch):
    data = tmp_path / "data"
    archive = _bandai_archive(tmp_path, data)
    cache = TakeCache(tmp_path / "cache")
    first, skipped_first = load_archive_source("bandai-namco-2", data, cache)

    def must_not_import(*a, **k):
        raise AssertionError("the archive was re-imported although it did not change")

    monkeypatch.setattr(sources, "_takes_from_archive", must_not_import)
    again, skipped_again = load_archive_source("bandai-namco-2", data, cache)
    assert [t.take_id for t in again] == [t.take_id for t in first]
    assert all(np.array_equal(a.motion.joints, b.motion.joints) for a, b in zip(first, again))
    assert [t.labels for t in again] == [t.labels for t in first]
    assert skipped_again == skipped_first  # failures are reported again, not forgotten
    monkeypatch.undo()
    with open(archive, "ab") as f:  # any change to the archive's bytes invalidates the entry
        f.write(b"\0" * 1024)
    called = []
    real = sources._takes_from_archive
    monkeypatch.setattr(sources, "_takes_from_archive", lambda *a: called.append(1) or real(*a))
    load_archive_source("bandai-namco-2", data, cache)
    assert called


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "mocap"
    (folder / "sub").mkdir(parents=True)
    bvh.write(walking_motion(70), folder / "walk.bvh")
    bvh.write(walking_motion(70, turn_rate=0.8), folder / "sub" / "turn.bvh")
    bvh.write(walking_motion(70), folder / "nolabel.bvh")
    (folder / "broken.bvh").write_text("HIERARCHY\nROOT Hips\n{\n")
    csv = tmp_path / "labels.csv"
    csv.write_text("file,caption,actor\nwalk.bvh,a person walks forward,anna\nwalk.bvh,someone strolls ahead,anna\n"
                   "sub/turn.bvh,a man turns left while walking,bob\nbroken.bvh,never seen,\nghost.bvh,not there,\n")
    return folder, csv


def test_user_folder_takes_use_the_csv_captions_and_report_the_rest(tmp_path):
    folder, csv = _folder(tmp_path)
    takes, skipped = load_folder_source(folder, csv, TakeCache(tmp_path / "cache"))
    by = {t.source_file: t for t in takes}
    assert set(by) == {"walk.bvh", "sub/turn.bvh"}
    assert by["walk.bvh"].labels.captions == ("a person walks forward", "someone strolls ahead")
    assert by["sub/turn.bvh"].actor == "bob"
    why = {s.file: s.reason for s in skipped}
    assert set(why) == {"nolabel.bvh", "broken.bvh", "ghost.bvh"}
    assert why["nolabel.bvh"].startswith("unlabeled") and "not found" in why["ghost.bvh"]
    again, _ = load_folder_source(folder, csv, TakeCache(tmp_path / "cache"))
    assert np.array_equal(again[0].motion.joints, takes[0].motion.joints)


@pytest.mark.parametrize("text, match", [
    ("", "no 'file,caption' rows"),
    ("file,caption\nwalk.bvh\n", r"labels.csv:2: expected 'file,caption'"),
    ("walk.bvh,\n", r"labels.csv:1: expected"),
])
def test_bad_label_csv_names_the_line(tmp_path, text, match):
    p = tmp_path / "labels.csv"
    p.write_text(text)
    with pytest.raises(LampError, match=match):
        read_label_csv(p)


@pytest.mark.shared
def test_real_cmu_archive_every_trial_labelled():
    data = shared_path("data")
    takes, skipped = load_archive_source("cmu", data, None)
    assert len(takes) == 61 and not skipped
    assert {t.actor for t in takes} >= {"cmu-02", "cmu-131"}
    assert all(t.labels.description for t in takes)
    long = {t.take_id: t for t in takes}["cmu/14_08"]
    assert 20 < long.motion.duration < 25  # 2901 lines at 120 fps, T-pose lead-in dropped
