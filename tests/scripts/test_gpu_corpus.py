"""scripts/gpu_corpus.py carries a corpus to a training machine in a few MB: what it unpacks is the same
corpus (every clip, caption and split; features within quantisation noise, one frame shorter)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gpu_corpus.py"


def _module():
    spec = importlib.util.spec_from_file_location("gpu_corpus", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_pack_then_unpack_gives_the_same_corpus(tiny_models, tmp_path):
    gc = _module()
    src = tiny_models / "syn"
    gc.pack(src, tmp_path / "c.pack")
    gc.unpack(tmp_path / "c.pack", tmp_path / "out", workers=1)
    out = tmp_path / "out"
    for split in ("train", "val", "test", "all"):
        assert (out / f"{split}.txt").read_text() == (src / f"{split}.txt").read_text()
    names = (src / "all.txt").read_text().split()
    assert sorted(p.stem for p in (out / "new_joint_vecs").glob("*.npy")) == sorted(names)
    for name in names[:12]:
        a = np.load(src / "new_joint_vecs" / f"{name}.npy")
        b = np.load(out / "new_joint_vecs" / f"{name}.npy")
        assert len(b) == len(a) - 1
        # positions, rotations and velocities agree within 1 mm quantisation noise (rotations solved from
        # the joints are the most sensitive); foot-contact flags may flip at the threshold
        d = np.abs(a[: len(b) - 2, :259] - b[:-2, :259])
        assert d.mean() < 0.003 and np.percentile(d, 99) < 0.02 and d.max() < 0.3
        assert (out / "texts" / f"{name}.txt").read_text() == (src / "texts" / f"{name}.txt").read_text()
    assert np.allclose(np.load(out / "Mean.npy"), np.load(src / "Mean.npy"), atol=0.01)
