"""The model commands end to end on the synthetic set: train a tiny LaMP and the baseline, evaluate
both into a report, fill a library and search it by text and by example, with clear errors."""

from __future__ import annotations

import json

import pytest

from lamp_core.cli import main

TINY = """
[train]
max_steps = 3
batch_size = 8
warmup_steps = 1
eval_every = 3
checkpoint_every = 3
log_every = 1

[model]
max_frames = 64
dropout = 0.0
conv = { width = 32, out_dim = 32, depth = 1 }
"""


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    assert main(["data", "synthetic", "--out", str(root / "syn"), "--n", "40", "--quiet"]) == 0
    (root / "tiny.toml").write_text(TINY)
    for kind in ("lamp", "baseline"):
        assert main(["train", kind, "--data", str(root / "syn"), "--out", str(root / kind),
                     "--config", str(root / "tiny.toml")]) == 0
    return root


def test_train_writes_a_model_folder_and_resumes(trained, capsys):
    for kind in ("lamp", "baseline"):
        meta = json.loads((trained / kind / "model" / "model.json").read_text())
        assert meta["kind"] == kind and meta["steps"] == 3
    # running again with more steps continues from the checkpoint instead of starting over
    assert main(["train", "baseline", "--data", str(trained / "syn"), "--out", str(trained / "baseline"),
                 "--config", str(trained / "tiny.toml"), "--steps", "4"]) == 0
    lines = (trained / "baseline" / "metrics.jsonl").read_text().splitlines()
    steps = [json.loads(l)["step"] for l in lines if json.loads(l)["kind"] == "train"]
    assert steps == sorted(set(steps)) and steps[-1] == 4


def test_eval_retrieval_reports_both_models(trained, capsys):
    out = trained / "report.md"
    assert main(["eval", "retrieval", "--model", str(trained / "lamp" / "model"), str(trained / "baseline" / "model"),
                 "--data", str(trained / "syn"), "--split", "test", "--repeats", "2", "--out", str(out)]) == 0
    text = out.read_text()
    assert "lamp" in text and "baseline" in text and "R@1" in text and "MedR" in text
    data = json.loads(out.with_suffix(".json").read_text())
    assert all(0 <= r["full"]["t2m"]["R@1"] <= 100 for r in data.values())


def test_library_add_search_and_errors(trained, tmp_path, capsys):
    from lamp_core.data.synthetic import synthetic_motion
    from lamp_core.formats import write
    files = [write(synthetic_motion(c, seed=1), tmp_path / f"{c}.bvh") for c in ("walk", "jump", "squat")]
    (tmp_path / "broken.bvh").write_text("HIERARCHY\n")
    lib, model = str(tmp_path / "lib.sqlite"), str(trained / "lamp" / "model")
    assert main(["library", "add", *map(str, files), str(tmp_path / "broken.bvh"), "--library", lib, "--model", model]) == 0
    out = capsys.readouterr().out
    assert "added 3 clips (1 skipped)" in out and "broken.bvh" in out
    assert main(["retrieve", "someone jumps", "--library", lib, "--model", model, "--json", "--top", "2"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 2 and {"id", "name", "score"} <= set(hits[0])
    assert main(["retrieve", "--motion", str(files[1]), "--library", lib, "--model", model, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["name"] == "jump"  # a clip finds itself first
    for bad in ("", "x" * 10_001):
        assert main(["retrieve", bad, "--library", lib, "--model", model]) == 1
    err = capsys.readouterr().err
    assert "empty query" in err and "limit" in err
    assert main(["retrieve", "walk", "--library", str(tmp_path / "none.sqlite"), "--model", model]) == 1
    assert main(["retrieve", "walk", "--library", lib, "--model", str(tmp_path)]) == 1
