"""Training the generators: codes and text features are computed once and reused, settings follow
the tokenizer, and missing inputs or misspelt settings are clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.errors import LampError
from lamp_core.models.vq import VQConfig
from lamp_core.train.generation_training import CodedSplit, build_generator, load_or_code, train_generator
from lamp_core.train.run_config import Run


def _coded(n=3):
    return CodedSplit(codes=np.zeros((n, 5, 2), np.int16), tokens=np.full(n, 5), cond=np.ones((2 * n, 4), np.float32),
                      caption_clip=np.repeat(np.arange(n), 2), poses=[np.full((4 + i, 64), i, np.float32) for i in range(n)],
                      names=[f"clip{i}" for i in range(n)])


def test_coded_splits_are_cached_by_their_inputs(tmp_path):
    path = tmp_path / "train.safetensors"
    first = load_or_code(path, {"tokenizer": "vq-1"}, _coded)

    def must_not_run():
        raise AssertionError("the cache was not used")

    again = load_or_code(path, {"tokenizer": "vq-1"}, must_not_run)
    assert np.array_equal(again.codes, first.codes) and len(again.poses) == 3
    assert [len(p) for p in again.poses] == [4, 5, 6] and again.poses[2][0, 0] == 2
    other = load_or_code(path, {"tokenizer": "vq-2"}, lambda: _coded(4))   # other inputs: made again
    assert len(other.tokens) == 4


def test_generator_settings_follow_the_tokenizer_and_typos_are_errors():
    vq = VQConfig(n_codes=64, n_quantizers=3, max_frames=120)
    t2m = build_generator("t2m", {"width": 32, "layers": 1, "heads": 2, "ff": 64}, vq, 384)
    assert t2m.cfg.n_codes == 64 and t2m.cfg.max_tokens == 30
    res = build_generator("residual", {"width": 32, "layers": 1, "heads": 2, "ff": 64}, vq, 384)
    assert res.cfg.n_quantizers == 3
    length = build_generator("length", {}, vq, 384)
    assert length.cfg.max_frames == 120
    with pytest.raises(LampError, match="widht"):
        build_generator("t2m", {"widht": 32}, vq, 384)
    with pytest.raises(LampError, match="attention"):
        build_generator("t2m", {"attention": "sideways"}, vq, 384)


def test_missing_inputs_are_named(tmp_path):
    with pytest.raises(LampError, match="--tokenizer"):
        train_generator(Run("t2m"), tmp_path, tmp_path / "out")
    with pytest.raises(LampError, match="--lamp"):
        train_generator(Run("t2m", inputs={"tokenizer": str(tmp_path)}), tmp_path, tmp_path / "out")
    with pytest.raises(LampError, match="condition"):
        train_generator(Run("t2m", inputs={"tokenizer": str(tmp_path), "condition": "clip"}), tmp_path, tmp_path / "o")
