"""Building a corpus end to end: the synthetic set through ``lamp data synthetic``, a folder of BVH
files with a CSV, and a few real Bandai-Namco files. What a user relies on: the HumanML3D loader
reads it, features decode back to the joints, mirrored captions swap sides, no take crosses
splits, the same input gives the same dataset, and a failed build loses nothing."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from lamp_core.cli import main
from lamp_core.data import build as build_module
from lamp_core.data.build import BuildConfig, write_dataset
from lamp_core.data.clips import ClipConfig, window_bounds
from lamp_core.data.layout import load_split, read_mean_std, read_split, read_texts
from lamp_core.data.synthetic import synthetic_takes
from lamp_core.errors import LampError
from lamp_core.formats import bvh
from lamp_core.motion.features import features_to_joints
from tests.conftest import sample_from_archive, walking_motion


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("syn") / "ds"
    assert main(["data", "synthetic", "--out", str(out), "--n", "48", "--quiet"]) == 0
    return out


def _manifest(root: Path) -> list[dict]:
    with open(root / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_synthetic_set_is_readable_by_the_humanml3d_loader(synthetic):
    for split in ("train", "val", "test"):
        entries = load_split(synthetic, split, strict=True)
        assert entries, split
        for e in entries:
            assert e.features.shape[1] == 263 and 40 <= len(e.features) < 200
            assert len(e.texts) >= 3 and all(t.caption.endswith(".") for t in e.texts)
    mean, std = read_mean_std(synthetic)
    assert mean.shape == std.shape == (263,) and (std > 0).all()
    assert len(np.unique(std[4:67])) == 1  # Std averaged within a feature group, as HumanML3D does
    stats = json.loads((synthetic / "stats.json").read_text())
    assert stats["clips"] == len(read_split(synthetic, "all")) and stats["vocabulary"] > 30


def test_features_decode_back_to_the_saved_joints_within_a_millimetre(synthetic):
    for name in read_split(synthetic, "all")[:40]:
        feats = np.load(synthetic / "new_joint_vecs" / f"{name}.npy")
        joints = np.load(synthetic / "new_joints" / f"{name}.npy")
        assert joints.shape == (len(feats), 22, 3)
        assert np.abs(features_to_joints(feats) - joints).max() < 1e-3, name


def test_mirrored_clips_swap_left_and_right_in_motion_and_text(synthetic):
    names = read_split(synthetic, "all")
    wave = next(n for n in names if "wave-left-hand" in n and not n.startswith("M"))
    orig = [t.caption for t in read_texts(synthetic / "texts" / f"{wave}.txt")]
    mirr = [t.caption for t in read_texts(synthetic / "texts" / f"M{wave}.txt")]
    assert orig and all("left" in c and "right" not in c for c in orig)
    assert mirr == [c.replace("left", "right") for c in orig]
    j, m = (np.load(synthetic / "new_joints" / f"{n}.npy") for n in (wave, f"M{wave}"))
    # the raised hand is the left wrist (20) in the original and the right wrist (21) in the mirror
    assert j[:, 20, 1].mean() > j[:, 21, 1].mean() + 0.3 and m[:, 21, 1].mean() > m[:, 20, 1].mean() + 0.3
    rows = {r["id"]: r for r in _manifest(synthetic)}
    assert rows[f"M{wave}"]["content"] == "wave-right-hand" and rows[f"M{wave}"]["mirrored"] == "1"


def test_no_take_appears_in_two_splits(synthetic):
    split_of = {}
    for split in ("train", "val", "test", "test_unseen_combos"):
        for n in read_split(synthetic, split):
            split_of[n] = split
    takes: dict[str, set] = {}
    for r in _manifest(synthetic):
        takes.setdefault(r["take"], set()).add(split_of[r["id"]])
        assert split_of[r["id"]] == r["split"].replace("unseen", "test_unseen_combos")
    assert all(len(s) == 1 for s in takes.values())
    assert len(read_split(synthetic, "test")) >= 0.10 * len(read_split(synthetic, "all"))


def test_same_input_builds_the_same_dataset(synthetic, tmp_path):
    again = tmp_path / "again"
    assert main(["data", "synthetic", "--out", str(again), "--n", "48", "--quiet"]) == 0
    for split in ("train", "val", "test", "all"):
        assert read_split(again, split) == read_split(synthetic, split)
    for name in read_split(synthetic, "all"):
        assert (again / "texts" / f"{name}.txt").read_text() == (synthetic / "texts" / f"{name}.txt").read_text()
    assert np.array_equal(np.load(again / "Std.npy"), np.load(synthetic / "Std.npy"))


def test_captions_command_shows_labels_and_sentences(synthetic, capsys):
    name = read_split(synthetic, "all")[0]
    assert main(["data", "captions", name, "--dataset", str(synthetic), "--tokens"]) == 0
    out = capsys.readouterr().out
    assert name in out and "labels: synthetic" in out and "1. " in out and "/NOUN" in out
    assert main(["data", "captions", "nope", "--dataset", str(synthetic)]) == 1
    assert "no clip 'nope'" in capsys.readouterr().err


def test_a_failed_build_leaves_the_previous_dataset_untouched(synthetic, tmp_path, monkeypatch):
    out = tmp_path / "ds"
    takes = synthetic_takes(16, seed=3)
    write_dataset(takes, [], BuildConfig(out=out, sources=()), show_progress=False)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    calls = []
    real = build_module.clip_arrays

    def fail_late(j):
        calls.append(1)
        if len(calls) > 10:
            raise KeyboardInterrupt
        return real(j)

    monkeypatch.setattr(build_module, "clip_arrays", fail_late)
    with pytest.raises(KeyboardInterrupt):
        write_dataset(synthetic_takes(20, seed=4), [], BuildConfig(out=out, sources=()), show_progress=False)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]  # no partial folder left behind


def test_refuses_to_overwrite_a_folder_it_did_not_build(tmp_path):
    mine = tmp_path / "my-work"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    with pytest.raises(LampError, match="not a dataset built by"):
        write_dataset(synthetic_takes(12), [], BuildConfig(out=mine, sources=()), show_progress=False)
    assert (mine / "notes.txt").read_text() == "precious"


def test_windows_cover_long_takes_and_drop_short_ones():
    cfg = ClipConfig()
    assert window_bounds(39, cfg) == [] and window_bounds(40, cfg) == [(0, 40)] and window_bounds(196, cfg) == [(0, 196)]
    w = window_bounds(1000, cfg)
    assert w[0] == (0, 196) and w[-1] == (804, 1000) and all(e - s == 196 for s, e in w)
    assert all(b[0] - a[0] <= 100 for a, b in zip(w, w[1:]))  # overlapping


def test_bvh_folder_build_reports_skipped_files(tmp_path, capsys):
    folder = tmp_path / "mocap"
    folder.mkdir()
    for i in range(4):
        bvh.write(walking_motion(60 + 10 * i, seed=i), folder / f"walk{i}.bvh")
    bvh.write(walking_motion(600, turn_rate=0.3), folder / "long.bvh")  # 30 s: cut into windows
    bvh.write(walking_motion(20), folder / "short.bvh")                 # 1 s: too short
    (folder / "broken.bvh").write_text("HIERARCHY\n")
    bvh.write(walking_motion(60), folder / "unlabeled.bvh")
    labels = tmp_path / "labels.csv"
    labels.write_text("".join(f"walk{i}.bvh,a person walks forward #{i}\n" for i in range(4))
                      + "long.bvh,someone walks in a wide left curve\nshort.bvh,a quick step\n"
                        "broken.bvh,whatever\n")
    out = tmp_path / "ds"
    assert main(["data", "build", "--out", str(out), "--bvh-folder", str(folder), "--labels", str(labels),
                 "--cache-dir", str(tmp_path / "cache"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "skipped files: 2" in printed and "broken.bvh" in printed and "unlabeled.bvh" in printed
    assert re.search(r"dropped: 1 x take shorter than 2 s", printed)
    rows = _manifest(out)
    long_rows = [r for r in rows if r["take"] == "folder/long" and r["mirrored"] == "0"]
    assert len(long_rows) >= 5
    caps = read_texts(out / "texts" / f"{long_rows[0]['id']}.txt")
    assert caps[0].caption == "someone walks in a wide left curve"
    assert read_texts(out / "texts" / f"M{long_rows[0]['id']}.txt")[0].caption == "someone walks in a wide right curve"
    assert "#" not in (out / "texts" / "user_walk0.txt").read_text().split("#")[0]


@pytest.mark.shared
def test_real_bandai_files_build_into_a_dataset(tmp_path):
    files = sample_from_archive("bandai-namco-2.tar.xz", "Motiondataset-2/data/", 12)
    folder = tmp_path / "bn"
    folder.mkdir()
    lines = []
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
        content, style = f.stem.split("_")[1:3]
        lines.append(f"{f.name},a person does {content.replace('-', ' ')} in a {style} way\n")
    (tmp_path / "labels.csv").write_text("".join(lines))
    report = build_module.build_dataset(BuildConfig(out=tmp_path / "ds", sources=(), bvh_folder=folder,
                                                    labels_csv=tmp_path / "labels.csv", use_cache=False),
                                        show_progress=False)
    names = read_split(tmp_path / "ds", "all")
    assert report.stats["clips"] == len(names) > 0
    for n in names:
        feats = np.load(tmp_path / "ds" / "new_joint_vecs" / f"{n}.npy")
        joints = np.load(tmp_path / "ds" / "new_joints" / f"{n}.npy")
        assert np.abs(features_to_joints(feats) - joints).max() < 1e-3
        assert 0 <= joints[..., 1].min() < 0.01  # on the floor (the dropped last frame may be the lowest)
