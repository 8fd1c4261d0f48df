"""Judging generated motion: the Fréchet distance behaves, real motions score as the ceiling, and a
report with every metric is written for a bundle and an ablation variant."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lamp_core.cli import main
from lamp_core.eval.generation_eval import frechet


def test_frechet_distance_is_zero_for_one_set_and_grows_with_a_shift():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((500, 8))
    assert frechet(a, a) == pytest.approx(0.0, abs=1e-6)
    assert frechet(a, a + 2.0) == pytest.approx(8 * 4.0, rel=1e-6)


def test_eval_generation_reports_real_and_generated_rows(tiny_bundle, tmp_path, capsys):
    data = tiny_bundle.parent / "syn"
    (tmp_path / "tiny.toml").write_text("[train]\nmax_steps = 3\nbatch_size = 8\nwarmup_steps = 1\neval_every = 3\n"
                                        "checkpoint_every = 3\n[model]\nmax_frames = 64\n"
                                        "conv = { width = 32, out_dim = 32, depth = 1 }\n")
    assert main(["train", "baseline", "--data", str(data), "--out", str(tmp_path / "ev"),
                 "--config", str(tmp_path / "tiny.toml")]) == 0
    out = tmp_path / "gen.md"
    assert main(["eval", "generation", "--model", str(tiny_bundle), "--evaluator", str(tmp_path / "ev" / "model"),
                 "--variant", f"again={tiny_bundle / 't2m'}", "--data", str(data), "--n", "16",
                 "--out", str(out)]) == 0
    text = out.read_text()
    assert "R-prec top-1" in text and "FID" in text and "real motions" in text and "again" in text
    rows = json.loads(out.with_suffix(".json").read_text())
    assert len(rows) == 4 and rows[0]["fid"] == pytest.approx(0.0, abs=1e-6)
    for r in rows:
        assert all(0 <= v[0] <= 100 for v in r["r_precision"].values()) and np.isfinite(r["fid"])
    assert rows[1]["seconds_per_motion"] > 0
