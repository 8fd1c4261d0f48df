"""`lamp train all`: every stage in order on the synthetic set into one folder, a bundle that generates,
a log file, and a rerun that skips what is finished."""

from __future__ import annotations

import pytest
from torchrun_util import run_torchrun

from lamp_core.cli import main
from lamp_core.engine import Engine
from lamp_core.errors import LampError
from lamp_core.generation.bundle import read_bundle
from lamp_core.train.all_stages import STAGE_NAMES, plan
from tests.conftest import TINY, TINY_GEN, TINY_VQ, tiny_train

CONFIGS = {
    "vq": TINY_VQ, "lamp": TINY + "[data]\nrepeat_threshold = 0.5\n", "t2m": TINY_GEN, "residual": TINY_GEN,
    "length": tiny_train(3) + "[model]\nhidden = 16\n",
    "pose": tiny_train(3) + "[model]\nhidden = 16\nlayers = 1\nlatent = 8\n",
    "captioner": tiny_train(2) + "[model]\nlm_layers = 1\nlora_rank = 4\nprefix_tokens = 2\n",
    "caption-baseline": tiny_train(2) + "[model]\nwidth = 32\nlayers = 1\nheads = 2\nff = 64\n",
    "evaluator": tiny_train(3) + "[model]\nmax_frames = 64\ntext_hidden = 16\nmotion_hidden = 24\nembed_dim = 16\n",
}


@pytest.fixture(scope="module")
def trained(tiny_models, tmp_path_factory):
    root = tmp_path_factory.mktemp("all")
    configs = root / "configs"
    configs.mkdir()
    for stage, text in CONFIGS.items():
        (configs / f"{stage}.toml").write_text(text)
    assert main(["train", "all", "--data", str(tiny_models / "syn"), "--out", str(root / "run"),
                 "--configs", str(configs), "--device", "cpu", "--name", "tiny-all"]) == 0
    return root


def test_every_stage_trains_and_the_bundle_generates(trained):
    run = trained / "run"
    assert all((run / s / "DONE").is_file() and (run / s / "model" / "model.json").is_file() for s in STAGE_NAMES)
    meta, parts = read_bundle(run / "bundle")
    assert meta["name"] == "tiny-all" and set(parts) == set(STAGE_NAMES)
    motion = Engine.load(run / "bundle").generate("a person walks forward", seconds=2.0, seed=0)[0]
    assert motion.joints.shape[1:] == (22, 3) and len(motion.joints) >= 20
    log = (run / "train-all.log").read_text()
    assert all(f"[train all] {s}: finished" in log for s in STAGE_NAMES)
    assert "repeat-factor sampling (threshold 0.5)" in log     # LaMP draws rare actions more often


def test_a_rerun_skips_finished_stages(trained, tiny_models):
    before = {s: (trained / "run" / s / "model" / "model.safetensors").stat().st_mtime_ns for s in STAGE_NAMES}
    assert main(["train", "all", "--data", str(tiny_models / "syn"), "--out", str(trained / "run"),
                 "--configs", str(trained / "configs"), "--device", "cpu", "--only", "vq", "lamp"]) == 0
    after = {s: (trained / "run" / s / "model" / "model.safetensors").stat().st_mtime_ns for s in STAGE_NAMES}
    assert before == after
    assert "[train all] lamp: done already" in (trained / "run" / "train-all.log").read_text()


def test_a_stage_without_its_inputs_says_which_stage_to_train(tiny_models, tmp_path, capsys):
    assert main(["train", "all", "--data", str(tiny_models / "syn"), "--out", str(tmp_path / "run"),
                 "--only", "t2m", "--device", "cpu"]) != 0
    assert "stage t2m needs the vq stage's model" in capsys.readouterr().err


def test_plan_keeps_the_order_and_rejects_unknown_stages():
    assert [s.kind for s in plan(["evaluator", "vq"], None)] == ["vq", "evaluator"]
    assert "vq" not in [s.kind for s in plan(None, ["vq"])]
    with pytest.raises(LampError, match="unknown stage"):
        plan(["tokeniser"], None)


def test_not_a_corpus_is_a_clear_error(tmp_path, capsys):
    assert main(["train", "all", "--data", str(tmp_path), "--out", str(tmp_path / "run")]) != 0
    assert "not a HumanML3D-layout corpus" in capsys.readouterr().err


def test_train_all_under_torchrun(tiny_models, trained, tmp_path):
    """Two CPU ranks share one process group across stages; rank 0 exports and logs, and both finish."""
    run_torchrun(["-m", "lamp_core.cli", "train", "all", "--data", str(tiny_models / "syn"), "--out",
                  str(tmp_path / "run"), "--configs", str(trained / "configs"), "--device", "cpu",
                  "--only", "vq", "lamp", "evaluator"], timeout=300)
    for stage in ("vq", "lamp", "evaluator"):
        assert '"world_size": 2' in (tmp_path / "run" / stage / "DONE").read_text()
    assert (tmp_path / "run" / "train-all.log").read_text().count("[train all] lamp: finished") == 1
