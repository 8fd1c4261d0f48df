"""`lamp eval`: one report with every table for a bundle whose own evaluator scores the generation,
reusing finished sections on a rerun; plus the metric functions against textbook values."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lamp_core.cli import main
from lamp_core.eval.generation_eval import combine, interval, multimodality, score
from tests.conftest import tiny_train

TINY_EVALUATOR = tiny_train(3) + ("[model]\nmax_frames = 64\ntext_hidden = 16\nmotion_hidden = 24\nembed_dim = 16\n"
                                  "pretrained_words = false\n")


def test_perfect_embeddings_give_full_r_precision_and_zero_fid():
    rng = np.random.default_rng(0)
    e = rng.standard_normal((64, 16))
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    s = score("perfect", e, e, e)
    assert all(s.r_precision[f"R@{k}"][0] == pytest.approx(100.0) for k in (1, 2, 3))
    assert s.fid == pytest.approx(0.0, abs=1e-6) and s.mm_dist == pytest.approx(0.0, abs=1e-9)
    assert s.diversity > 1.0                                 # random unit vectors in 16-d: ~sqrt(2) apart


def test_multimodality_and_intervals():
    same = np.repeat(np.random.default_rng(1).standard_normal((4, 1, 8)), 5, axis=1)
    assert multimodality(same) == pytest.approx(0.0)
    spread = same + np.eye(5, 8)[None] * 3.0                # 5 samples, pairwise sqrt(18) apart
    assert multimodality(spread) == pytest.approx(np.sqrt(18.0))
    assert interval([2.0]) == (2.0, 0.0)
    mean, half = interval([1.0, 2.0, 3.0])
    assert mean == 2.0 and half == pytest.approx(1.96 * np.std([1, 2, 3]) / np.sqrt(3))


def test_combine_averages_repeats():
    a = score("x", *(np.eye(8),) * 3)
    b = score("x", np.eye(8), np.roll(np.eye(8), 1, axis=0), np.eye(8))
    both = combine([a, b])
    assert both.repeats == 2 and both.fid == pytest.approx((a.fid + b.fid) / 2)
    assert both.r_precision["R@1"][0] == pytest.approx((a.r_precision["R@1"][0] + b.r_precision["R@1"][0]) / 2)
    assert set(both.intervals) == {"fid", "mm_dist", "diversity"}


@pytest.fixture(scope="module")
def bundle_with_evaluator(tiny_models, tiny_lamp_bundle, tmp_path_factory):
    root = tmp_path_factory.mktemp("suite")
    (root / "ev.toml").write_text(TINY_EVALUATOR)
    assert main(["train", "evaluator", "--data", str(tiny_models / "syn"), "--out", str(root / "ev"),
                 "--config", str(root / "ev.toml")]) == 0
    m = tiny_models
    assert main(["bundle", "--out", str(root / "bundle"), "--lamp", str(m / "lamp" / "model"),
                 "--vq", str(m / "vq" / "model"), "--t2m", str(m / "t2m" / "model"),
                 "--residual", str(m / "residual" / "model"), "--evaluator", str(root / "ev" / "model"),
                 "--name", "tiny-suite"]) == 0
    return root / "bundle"


def test_eval_suite_writes_every_section_and_resumes(bundle_with_evaluator, tiny_models, tmp_path, capsys):
    args = ["eval", "--data", str(tiny_models / "syn"), "--bundle", str(bundle_with_evaluator), "--out",
            str(tmp_path / "rep"), "--n", "12", "--repeats", "2", "--mm-texts", "2", "--caption-limit", "8",
            "--variant", f"again={bundle_with_evaluator / 't2m'}",
            "--baseline", str(tiny_models / "baseline" / "model")]
    assert main(args) == 0
    first = capsys.readouterr()
    report = (tmp_path / "rep" / "eval.md").read_text()
    assert "# Evaluation of tiny-suite" in report
    for needle in ("real motions", "tiny-suite (all codebooks)", "again (coarse codebook)", "MultiModality",
                   "Tokenizer reconstruction", "MPJPE", "Retrieval", "captions"):
        assert needle in report, needle
    data = json.loads((tmp_path / "rep" / "eval.json").read_text())["sections"]
    rows = data["generation"]["data"]["rows"]
    assert [r["repeats"] for r in rows[1:]] == [2, 2, 2] and rows[1]["multimodality"] is not None
    assert data["generation"]["data"]["evaluator"].startswith("evaluator-")   # the bundle's own evaluator
    assert [c["name"].split(":")[-1] for c in data["captions"]["data"]["captioners"]] == ["lamp"]  # LaMP's decoder
    assert "[eval 1/5] generation ..." in first.err

    assert main(args) == 0                            # a rerun reuses every finished section
    again = capsys.readouterr().err
    assert "generation: reusing" in again and "tokenizer: reusing" in again
    assert main(args[:-4] + ["--n", "10", "--sections", "generation", "tokenizer"]) == 0
    changed = capsys.readouterr().err                 # other settings: generation is recomputed, not the rest
    assert "[eval 1/2] generation ..." in changed and "tokenizer: reusing" in changed


def test_eval_without_data_or_evaluator_says_what_is_missing(tiny_lamp_bundle, tiny_models, tmp_path, capsys):
    assert main(["eval"]) != 0
    assert "needs --data" in capsys.readouterr().err
    assert main(["eval", "--data", str(tiny_models / "syn"), "--bundle", str(tiny_lamp_bundle), "--out",
                 str(tmp_path), "--sections", "generation"]) == 0
    assert "the bundle has no evaluator" in (tmp_path / "eval.md").read_text()
