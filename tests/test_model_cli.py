"""The model commands end to end on the synthetic set: train a tiny LaMP and the baseline, evaluate
both into a report, fill a library and search it by text and by example, with clear errors."""

from __future__ import annotations

import json

import pytest

from lamp_core.cli import main

@pytest.fixture(scope="module")
def trained(tiny_models):
    return tiny_models


def test_tokenizer_trains_and_reports_joint_error_and_usage(trained, capsys):
    meta = json.loads((trained / "vq" / "model" / "model.json").read_text())
    assert meta["kind"] == "vq" and meta["validation"]["mpjpe_mm"] > 0
    assert main(["eval", "vq", "--model", str(trained / "vq" / "model"), "--data", str(trained / "syn")]) == 0
    out = capsys.readouterr().out
    assert "MPJPE" in out and "mm" in out and "codebook usage" in out


def test_lamp_trained_with_a_tokenizer_learns_text_to_motion_tokens(trained):
    meta = json.loads((trained / "lamp" / "model" / "model.json").read_text())
    assert meta["config"]["n_codes"] == 16 and meta["tokenizer"].startswith("vq-")
    rows = [json.loads(l) for l in (trained / "lamp" / "metrics.jsonl").read_text().splitlines()]
    assert any("motion_tokens" in r for r in rows if r["kind"] == "train")


def test_train_config_typos_are_errors(trained, capsys):
    (trained / "bad.toml").write_text("[model]\nn_kodes = 3\n")
    assert main(["train", "vq", "--data", str(trained / "syn"), "--out", str(trained / "bad"),
                 "--config", str(trained / "bad.toml")]) != 0
    assert "n_kodes" in capsys.readouterr().err


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


@pytest.fixture(scope="module")
def bundle(tiny_lamp_bundle):
    return tiny_lamp_bundle


def test_generate_writes_bvh_and_npy_and_reproduces_with_a_seed(bundle, tmp_path, capsys):
    from lamp_core.motion.motion import Motion
    out = tmp_path / "walk.bvh"
    assert main(["generate", "a person walks forward", "--seconds", "2", "--seed", "3", "--model", str(bundle),
                 "-o", str(out)]) == 0
    assert "seed 3" in capsys.readouterr().out
    m = Motion.from_file(out)
    assert abs(m.duration - 2.0) < 0.15
    assert main(["generate", "a person walks forward", "--seconds", "2", "--seed", "3", "--model", str(bundle),
                 "--samples", "2", "-o", str(tmp_path / "w.npy")]) == 0
    a, b = Motion.from_file(tmp_path / "w_1.npy"), Motion.from_file(tmp_path / "w_2.npy")
    assert a.n_frames == b.n_frames and not (a.joints == b.joints).all()


def test_generate_segments_file(bundle, tmp_path):
    from lamp_core.motion.motion import Motion
    seg = tmp_path / "story.txt"
    seg.write_text("# a little story\n2 a person walks forward\n1.5 a person jumps\n")
    assert main(["generate", "--segments", str(seg), "--seed", "1", "--model", str(bundle),
                 "-o", str(tmp_path / "story.npy")]) == 0
    assert 3.0 < Motion.from_file(tmp_path / "story.npy").duration < 4.0


@pytest.mark.parametrize("args, match", [
    (["", "-o", "x.bvh"], "empty"),
    (["walk", "--seconds", "0", "-o", "x.bvh"], "positive"),
    (["walk", "--seconds", "36000", "-o", "x.bvh"], "chain segments"),
    (["walk", "-o", "x.xyz"], "must end in"),
])
def test_generate_bad_input_is_a_clear_error(bundle, tmp_path, capsys, args, match):
    args = [a if a not in ("x.bvh", "x.xyz") else str(tmp_path / a) for a in args]
    assert main(["generate", *args, "--model", str(bundle)]) != 0
    assert match in capsys.readouterr().err
    assert not list(tmp_path.glob("x.*"))


def test_segments_file_errors_name_the_line(bundle, tmp_path, capsys):
    seg = tmp_path / "bad.txt"
    seg.write_text("2 walk\nthree jump\n")
    assert main(["generate", "--segments", str(seg), "--model", str(bundle), "-o", str(tmp_path / "o.bvh")]) != 0
    assert f"{seg}:2" in capsys.readouterr().err
