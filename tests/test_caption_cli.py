"""Captioning end to end on the synthetic set: train the prefix captioner (over a tiny LaMP) and the
TM2T-like baseline, bundle them, caption files from the command line (plain, n-best, JSON, timed
captions for long clips), evaluate into a report, and turn every bad file into a clear error."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lamp_core.cli import main
from tests.conftest import tiny_train

TINY_CAPTIONER = tiny_train(200, warmup=10, lr=3e-3) + """
[model]
lm_layers = 1
lora_rank = 8
prefix_tokens = 4
"""

TINY_BASELINE = tiny_train(200, warmup=10, lr=3e-3) + """
[model]
width = 64
layers = 1
heads = 2
ff = 128
dropout = 0.0
"""


@pytest.fixture(scope="module")
def caption_bundle(tiny_models, tiny_lamp_bundle):
    root = tiny_models
    (root / "captioner.toml").write_text(TINY_CAPTIONER)
    (root / "caption-baseline.toml").write_text(TINY_BASELINE)
    assert main(["train", "captioner", "--data", str(root / "syn"), "--out", str(root / "captioner"),
                 "--config", str(root / "captioner.toml"), "--lamp", str(root / "lamp" / "model")]) == 0
    assert main(["train", "caption-baseline", "--data", str(root / "syn"), "--out", str(root / "caption-baseline"),
                 "--config", str(root / "caption-baseline.toml"), "--tokenizer", str(root / "vq" / "model")]) == 0
    out = root / "caption-bundle"
    assert main(["bundle", "--out", str(out), "--lamp", str(root / "lamp" / "model"), "--vq", str(root / "vq" / "model"),
                 "--t2m", str(root / "t2m" / "model"), "--captioner", str(root / "captioner" / "model"),
                 "--caption-baseline", str(root / "caption-baseline" / "model")]) == 0
    return out


def _clip(root, name: str):
    from lamp_core.formats import read
    return read(root / "syn" / "new_joints" / f"{name}.npy")


def _train_clips(root, content: str) -> list[str]:
    import csv
    with open(root / "syn" / "manifest.csv", newline="") as f:
        return [r["id"] for r in csv.DictReader(f) if r["split"] == "train" and r["content"] == content]


def test_captioner_names_the_action_of_clips_it_learned(caption_bundle, tiny_models):
    from lamp_core.captioning.captioner import Captioner
    from lamp_core.eval.caption_eval import evaluate_captioner
    from lamp_core.data.layout import load_split
    from lamp_core.data.manifest import rows_for
    entries = load_split(tiny_models / "syn", "train")
    contents = [r["content"] for r in rows_for(tiny_models / "syn", [e.name for e in entries])]
    cap = Captioner.load(caption_bundle, kind="prefix")
    report = evaluate_captioner(cap, [e.features for e in entries], [[t.caption for t in e.texts] for e in entries],
                                contents, beams=3)
    assert report.content_accuracy >= 0.6, report.examples
    assert report.metrics["bleu_1"] > 0.3 and 0 < report.metrics["bertscore_f1"] <= 1


def test_caption_a_bvh_file_plain_nbest_and_json(caption_bundle, tiny_models, tmp_path, capsys):
    from lamp_core.formats import write
    path = write(_clip(tiny_models, _train_clips(tiny_models, "walk")[0]), tmp_path / "walk.bvh")
    assert main(["caption", str(path), "--model", str(caption_bundle), "--n-best", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and lines[0].strip() and all(line.startswith("    (") for line in lines[1:])
    assert main(["caption", str(path), "--model", str(caption_bundle), "--json", "--beams", "4"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["file"] == str(path)   # (the tiny LaMP sees 3.2 s at once, so this 6 s walk may get two spans)
    assert all(s["captions"][0]["text"].rstrip(".") in doc["caption"] for s in doc["spans"])
    for s in doc["spans"]:
        scores = [c["score"] for c in s["captions"]]
        assert scores == sorted(scores, reverse=True) and len(scores) >= 1
    # beam and greedy decoding are deterministic
    for method in ("beam", "greedy"):
        outs = []
        for _ in range(2):
            assert main(["caption", str(path), "--model", str(caption_bundle), "--method", method]) == 0
            outs.append(capsys.readouterr().out)
        assert outs[0] == outs[1]


def test_a_long_clip_gets_timed_captions_covering_it(caption_bundle, tiny_models, tmp_path, capsys):
    from lamp_core.formats import write
    clips = [_clip(tiny_models, n) for n in _train_clips(tiny_models, "walk")[:2] + _train_clips(tiny_models, "jump")[:2]]
    long = clips[0]
    while long.duration < 16.0:
        for c in clips[1:] + clips[:1]:
            long = long.concatenate(c)
    path = write(long, tmp_path / "long.npy")
    assert main(["caption", str(path), "--model", str(caption_bundle), "--json", "--window", "4"]) == 0
    doc = json.loads(capsys.readouterr().out)
    spans = doc["spans"]
    assert len(spans) >= 2 and spans[0]["start"] == 0
    assert all(a["end"] == b["start"] for a, b in zip(spans, spans[1:]))
    assert spans[-1]["end"] == pytest.approx(long.duration, abs=0.2)
    assert "s: " in doc["caption"] and "–" in doc["caption"]


@pytest.mark.parametrize("kind", ["lamp", "baseline"])
def test_the_other_captioners_caption_too(caption_bundle, tiny_models, tmp_path, capsys, kind):
    from lamp_core.formats import write
    path = write(_clip(tiny_models, _train_clips(tiny_models, "run")[0]), tmp_path / "run.bvh")
    assert main(["caption", str(path), "--model", str(caption_bundle), "--kind", kind, "--beams", "2"]) == 0
    assert capsys.readouterr().out.strip()


def test_bad_files_are_clear_errors_and_the_good_ones_still_get_captioned(caption_bundle, tiny_models, tmp_path, capsys):
    from lamp_core.formats import write
    good = write(_clip(tiny_models, _train_clips(tiny_models, "walk")[0]), tmp_path / "good.bvh")
    one = tmp_path / "one_frame.npy"
    np.save(one, np.asarray(_clip(tiny_models, _train_clips(tiny_models, "walk")[0]).joints[:1], np.float32))
    empty = tmp_path / "empty.bvh"
    empty.write_text("")
    corrupt = tmp_path / "corrupt.bvh"
    corrupt.write_text("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0\n")
    creature = tmp_path / "snake.bvh"
    creature.write_text("HIERARCHY\nROOT Seg0\n{\n OFFSET 0 0 0\n CHANNELS 6 Xposition Yposition Zposition Zrotation "
                        "Xrotation Yrotation\n JOINT Seg1\n {\n  OFFSET 0 0 10\n  CHANNELS 3 Zrotation Xrotation Yrotation\n"
                        "  End Site\n  {\n   OFFSET 0 0 10\n  }\n }\n}\nMOTION\nFrames: 2\nFrame Time: 0.05\n"
                        "0 0 0 0 0 0 0 0 0\n0 0 0 0 0 0 0 0 0\n")
    bad = [one, empty, corrupt, creature, tmp_path / "missing.bvh"]
    assert main(["caption", str(good), *map(str, bad), "--model", str(caption_bundle)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"{good}: ") and out.strip().split(": ", 1)[1]
    for b in bad:
        assert b.name in err, err
    assert "too short" in err
    assert main(["caption", str(good), str(one), "--model", str(caption_bundle), "--json"]) == 1
    docs = json.loads(capsys.readouterr().out)
    assert "caption" in docs[0] and "too short" in docs[1]["error"]


def test_a_bundle_without_a_captioner_says_how_to_get_one(tiny_lamp_bundle, tiny_models, tmp_path, capsys):
    from lamp_core.formats import write
    path = write(_clip(tiny_models, _train_clips(tiny_models, "walk")[0]), tmp_path / "w.bvh")
    assert main(["caption", str(path), "--model", str(tiny_lamp_bundle)]) == 1
    assert "lamp train captioner" in capsys.readouterr().err


def test_eval_captions_writes_the_report(caption_bundle, tiny_models, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["eval", "captions", "--data", str(tiny_models / "syn"), "--model", str(caption_bundle),
                 "--limit", "8", "--prompts", "3", "--beams", "2", "--out", str(out)]) == 0
    text = (out / "captions.md").read_text()
    doc = json.loads((out / "captions.json").read_text())
    assert [c["name"].split(":")[-1] for c in doc["captioners"]] == ["prefix", "lamp", "baseline"]
    for c in doc["captioners"]:
        assert {"bleu_1", "bleu_4", "rouge_l", "cider", "bertscore_f1"} <= set(c["metrics"])
    assert doc["lamp_bertscore"]["prompts"] == 3 and 0 < doc["lamp_bertscore"]["lamp_bertscore_f1"] <= 1
    assert "BLEU-4" in text and "LaMP-BertScore" in text and "MiniLM" in text
