"""The HumanML3D reader: it reads folders laid out by HumanML3D and KIT-ML (sub-clip tags, nan
tags, dropped short clips, missing files) as the field's own loader does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lamp_core.data.layout import (KIT, HUMANML3D, TextLine, detect_kind, load_split, read_texts, write_split,
                                   write_texts)
from lamp_core.errors import LampError


def _folder(tmp_path: Path, dim=263, clips=None) -> Path:
    root = tmp_path / "ds"
    (root / "new_joint_vecs").mkdir(parents=True)
    (root / "texts").mkdir()
    clips = clips or {"000001": 120, "M000001": 120, "000002": 30, "000003": 199 + 50}
    for name, n in clips.items():
        np.save(root / "new_joint_vecs" / f"{name}.npy", np.random.default_rng(0).normal(size=(n, dim)).astype(np.float32))
    np.save(root / "Mean.npy", np.zeros(dim, np.float32))
    np.save(root / "Std.npy", np.ones(dim, np.float32))
    return root


def test_reads_whole_and_tagged_captions_like_humanml3d(tmp_path):
    root = _folder(tmp_path)
    (root / "texts" / "000001.txt").write_text(
        "a man kicks something.#a/DET man/NOUN kick/VERB something/PRON#0.0#0.0\n"
        "a person walks then jumps.#a/DET person/NOUN walk/VERB then/ADV jump/VERB#nan#nan\n"
        "the person jumps.#the/DET person/NOUN jump/VERB#3.0#5.5\n")
    (root / "texts" / "M000001.txt").write_text("a man kicks with his right leg.#a/DET man/NOUN#0.0#0.0\n")
    (root / "texts" / "000002.txt").write_text("too short.#too/ADV short/ADJ#0.0#0.0\n")
    (root / "texts" / "000003.txt").write_text("long clip, only a tagged part fits.#long/ADJ#1.0#6.0\n")
    write_split(root, "train", ["000001", "M000001", "000002", "000003", "missing"])
    entries = {e.name: e for e in load_split(root, "train")}
    assert set(entries) == {"000001", "000001#2", "M000001", "000003#0"}
    assert [t.caption for t in entries["000001"].texts] == ["a man kicks something.", "a person walks then jumps."]
    assert entries["000001#2"].features.shape == (50, 263)          # 3.0 s to 5.5 s at 20 fps
    assert entries["000003#0"].features.shape == (100, 263)
    assert entries["000001"].texts[0].tokens == ("a/DET", "man/NOUN", "kick/VERB", "something/PRON")
    with pytest.raises(LampError, match="missing"):
        load_split(root, "train", strict=True)


def test_kit_ml_is_recognised_by_its_width(tmp_path):
    root = _folder(tmp_path, dim=251, clips={"00001": 60, "00002": 20})
    assert detect_kind(root) == KIT and detect_kind(_folder(tmp_path / "h")) == HUMANML3D
    for n in ("00001", "00002"):
        (root / "texts" / f"{n}.txt").write_text("a person walks.#a/DET person/NOUN walk/VERB#0.0#0.0\n")
    write_split(root, "test", ["00001", "00002"])
    assert [e.name for e in load_split(root, "test")] == ["00001"]  # KIT keeps clips of >= 24 frames


def test_text_lines_round_trip_and_bad_lines_name_the_file(tmp_path):
    lines = [TextLine("a person waves.", ("a/DET", "person/NOUN", "wave/VERB")), TextLine("x y.", ("x/NOUN",), 1.5, 4.0)]
    write_texts(tmp_path / "t.txt", lines)
    assert read_texts(tmp_path / "t.txt") == lines
    (tmp_path / "bad.txt").write_text("ok#ok/NOUN#0#0\n#no caption#0#0\n")
    with pytest.raises(LampError, match=r"bad.txt:2"):
        read_texts(tmp_path / "bad.txt")
    (tmp_path / "bad2.txt").write_text("a caption#a/DET#soon#0\n")
    with pytest.raises(LampError, match="seconds"):
        read_texts(tmp_path / "bad2.txt")


def test_not_a_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(LampError, match="not a HumanML3D-layout folder"):
        detect_kind(tmp_path)
    with pytest.raises(LampError, match="train.txt"):
        load_split(_folder(tmp_path), "train")
