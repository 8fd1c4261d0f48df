"""Trainer: learning, schedule, determinism, exact resume, frozen parts, best checkpoint, NaN guard,
pickle-free files and a two-process torchrun run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file
from tiny_task import NoisyLinearSet, TinyNet, mse_loss, param_hash, tensors_hash, tiny_config
from torchrun_util import run_torchrun

from lamp_core.errors import LampError
from lamp_core.train import TrainConfig, Trainer, load_trainable, lr_factor, seed_everything
from lamp_core.train.optim import build_optimizer

HERE = Path(__file__).resolve().parent


class Crash(Exception):
    pass


def crash_at(call: int):
    """A loss_fn that dies on its ``call``-th invocation, as a killed job would."""
    calls = {"n": 0}

    def loss_fn(model, batch):
        calls["n"] += 1
        if calls["n"] == call:
            raise Crash
        return mse_loss(model, batch)
    return loss_fn


def train(out: Path, cfg: TrainConfig | None = None, loss_fn=mse_loss, model: TinyNet | None = None, **kw):
    if model is None:
        seed_everything(0)
        model = TinyNet()
    result = Trainer(model, NoisyLinearSet(), loss_fn, out, cfg or tiny_config(), **kw).fit()
    return model, result


def metrics(out: Path, kind: str) -> list[dict]:
    lines = (out / "metrics.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == kind]


def same_files(a: Path, b: Path, name: str) -> bool:
    ta, tb = load_file(a / name), load_file(b / name)
    return ta.keys() == tb.keys() and all(torch.equal(ta[k], tb[k]) for k in ta)


def test_loss_decreases_and_lr_follows_schedule(tmp_path):
    cfg = tiny_config(max_steps=60, eval_every=0, checkpoint_every=0)
    _, result = train(tmp_path, cfg)
    logs = metrics(tmp_path, "train")
    assert [r["step"] for r in logs] == list(range(1, 61))
    first, last = sum(r["loss"] for r in logs[:5]) / 5, sum(r["loss"] for r in logs[-5:]) / 5
    assert last < 0.25 * first
    for r in logs:
        assert r["lr"] == pytest.approx(cfg.lr * lr_factor(r["step"] - 1, cfg))
    assert {"loss", "mae", "grad_norm", "lr", "epoch"} <= logs[0].keys()
    assert result.steps == 60 and result.start_step == 0 and result.train_metrics["loss"] == logs[-1]["loss"]


def test_warmup_cosine_and_constant_schedule():
    cfg = TrainConfig(max_steps=110, warmup_steps=10)
    assert [lr_factor(s, cfg) for s in (0, 4, 9)] == pytest.approx([0.1, 0.5, 1.0])
    assert lr_factor(10, cfg) == 1.0
    assert lr_factor(60, cfg) == pytest.approx(0.5)  # half way through the cosine
    assert lr_factor(110, cfg) == pytest.approx(0.0, abs=1e-12)
    after = [lr_factor(s, cfg) for s in range(10, 111)]
    assert all(a >= b for a, b in zip(after, after[1:]))
    assert lr_factor(0, TrainConfig(max_steps=100, warmup_steps=0)) == 1.0
    const = TrainConfig(max_steps=100, warmup_steps=4, schedule="constant")
    assert [lr_factor(s, const) for s in (0, 3, 50, 99)] == [0.25, 1.0, 1.0, 1.0]
    with pytest.raises(LampError):
        TrainConfig(schedule="linear")


def test_no_weight_decay_on_biases_and_norms():
    model = TinyNet()
    named = list(model.named_parameters())
    opt = build_optimizer(model, named, TrainConfig(weight_decay=0.1), torch.device("cpu"))
    by_id = {id(p): n for n, p in named}
    groups = {g["name"]: ({by_id[id(p)] for p in g["params"]}, g["weight_decay"]) for g in opt.param_groups}
    assert groups["decay"] == ({"encoder.0.weight", "head.1.weight"}, 0.1)
    assert groups["no_decay"] == ({"encoder.0.bias", "encoder.1.weight", "encoder.1.bias", "head.1.bias"}, 0.0)


def test_same_seed_same_weights_other_seed_differs(tmp_path):
    train(tmp_path / "a")
    train(tmp_path / "b")
    assert same_files(tmp_path / "a", tmp_path / "b", "last.safetensors")
    assert same_files(tmp_path / "a", tmp_path / "b", "resume.safetensors")
    train(tmp_path / "c", tiny_config(seed=1))
    assert not same_files(tmp_path / "a", tmp_path / "c", "last.safetensors")


def test_worker_processes_do_not_change_the_result(tmp_path):
    train(tmp_path / "a", tiny_config(max_steps=8, eval_every=0))
    train(tmp_path / "b", tiny_config(max_steps=8, eval_every=0, num_workers=2))
    assert same_files(tmp_path / "a", tmp_path / "b", "last.safetensors")


@pytest.mark.parametrize("workers", [0, 2])
def test_resume_matches_an_uninterrupted_run(tmp_path, workers):
    # 50 samples / batch 8 -> 6 steps per epoch: the resume lands mid-epoch and the run crosses epochs
    cfg = tiny_config(checkpoint_every=10, eval_every=0, num_workers=workers)
    straight, _ = train(tmp_path / "straight", cfg)
    with pytest.raises(Crash):  # dies at step 13, after logging steps 11-12 past the step-10 checkpoint
        train(tmp_path / "resumed", cfg, loss_fn=crash_at(13))
    assert read_step(tmp_path / "resumed" / "last.safetensors") == "10"
    seed_everything(999)  # a different fresh init: everything must come from the checkpoint
    resumed, result = train(tmp_path / "resumed", cfg, model=TinyNet())
    assert result.start_step == 10 and result.steps == 20
    assert param_hash(resumed) == param_hash(straight)
    for name in ("last.safetensors", "resume.safetensors"):
        assert same_files(tmp_path / "straight", tmp_path / "resumed", name)
    assert [r["step"] for r in metrics(tmp_path / "resumed", "train")] == list(range(1, 21))
    # a finished run resumes to a no-op
    _, again = train(tmp_path / "resumed", cfg, model=TinyNet())
    assert again.steps == again.start_step == 20
    assert same_files(tmp_path / "straight", tmp_path / "resumed", "last.safetensors")


def read_step(path: Path) -> str:
    with safe_open(str(path), framework="pt") as f:
        return f.metadata()["step"]


def test_frozen_parameters_are_neither_updated_nor_saved(tmp_path):
    seed_everything(0)
    model = TinyNet()
    before = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    train(tmp_path, tiny_config(eval_every=0), model=model,
          trainable_filter=lambda name, p: not name.startswith("encoder."))
    for k, v in model.encoder.state_dict().items():  # weights and BatchNorm statistics (kept in eval mode)
        assert torch.equal(v, before[k]), k
    saved = load_file(tmp_path / "last.safetensors")
    assert set(saved) == {"head.1.weight", "head.1.bias"}
    fresh = TinyNet()
    missing = load_trainable(fresh, tmp_path / "last.safetensors")
    assert "encoder.0.weight" in missing and torch.equal(fresh.head[1].weight, model.head[1].weight)


def test_trainable_buffers_are_saved_and_load_is_strict_about_extras(tmp_path):
    model, _ = train(tmp_path, tiny_config(max_steps=5, eval_every=0))
    saved = load_file(tmp_path / "last.safetensors")
    assert {"encoder.1.running_mean", "encoder.1.num_batches_tracked"} <= saved.keys()
    fresh = TinyNet()
    assert load_trainable(fresh, tmp_path / "last.safetensors") == []
    assert torch.equal(fresh.encoder[1].running_mean, model.encoder[1].running_mean)
    with pytest.raises(LampError, match="does not have"):
        load_trainable(torch.nn.Linear(8, 4), tmp_path / "last.safetensors")
    with pytest.raises(LampError, match="shapes differ"):
        load_trainable(TinyNet(hidden=16), tmp_path / "last.safetensors")


@pytest.mark.parametrize("mode, best_step", [("max", 10), ("min", 5)])
def test_best_checkpoint_tracks_the_eval_metric(tmp_path, mode, best_step):
    scores = iter([0.2, 0.9, 0.5, 0.7])
    snapshots = {}

    def eval_fn(model):
        assert not model.training and not torch.is_grad_enabled()
        snapshots[len(snapshots) + 1] = {k: v.clone() for k, v in model.state_dict().items()}
        return {"score": next(scores), "note": "not a number"}

    cfg = tiny_config(select_metric="score", select_mode=mode)
    _, result = train(tmp_path, cfg, eval_fn=eval_fn)
    assert [r["score"] for r in metrics(tmp_path, "eval")] == [0.2, 0.9, 0.5, 0.7]
    assert result.best_step == best_step and result.best_path == tmp_path / "best.safetensors"
    assert read_step(tmp_path / "best.safetensors") == str(best_step)
    best = load_file(tmp_path / "best.safetensors")
    snap = snapshots[best_step // 5]
    assert all(torch.equal(best[k], snap[k]) for k in best)
    assert json.loads((tmp_path / "resume.json").read_text())["best"]["step"] == best_step


def test_nan_loss_stops_with_a_clear_error_and_keeps_the_good_checkpoint(tmp_path):
    calls = {"n": 0}

    def loss_fn(model, batch):
        calls["n"] += 1
        out = mse_loss(model, batch)
        if calls["n"] == 7:
            out["loss"] = out["loss"] * float("nan")
        return out

    with pytest.raises(LampError, match="step 7.*nan.*step 5"):
        train(tmp_path, tiny_config(eval_every=0), loss_fn=loss_fn)
    assert read_step(tmp_path / "last.safetensors") == "5"
    assert all(torch.isfinite(v.float()).all() for v in load_file(tmp_path / "last.safetensors").values())
    assert json.loads((tmp_path / "resume.json").read_text())["step"] == 5


def test_non_finite_gradients_stop_too(tmp_path):
    def loss_fn(model, batch):  # value 0, gradient 0 * inf = nan
        return {"loss": (model(batch[0]).sum() * 0).sqrt()}

    with pytest.raises(LampError, match="step 1: the gradient norm is nan.*no checkpoint"):
        train(tmp_path, tiny_config(grad_clip=None), loss_fn=loss_fn)
    assert not (tmp_path / "last.safetensors").exists()


def test_checkpoint_files_are_safetensors_and_json_only(tmp_path):
    train(tmp_path, tiny_config(select_metric="neg", eval_every=5),
          eval_fn=lambda m: {"neg": -float(m.head[1].weight.abs().sum())}, saved_config={"model": "tiny"})
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"last.safetensors", "best.safetensors", "resume.safetensors", "resume.json",
                     "config.json", "metrics.jsonl"}  # and no temp files left behind
    for p in tmp_path.iterdir():
        head = p.read_bytes()[:16]
        assert not head.startswith(b"\x80") and not head.startswith(b"PK"), p  # pickle / torch.save zip
        if p.suffix == ".safetensors":
            load_file(p)
        elif p.suffix == ".json":
            json.loads(p.read_text())
        else:
            [json.loads(line) for line in p.read_text().splitlines()]
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["saved"] == {"model": "tiny"} and TrainConfig.from_dict(config["train"]) == tiny_config(
        select_metric="neg", eval_every=5)


def test_bad_loss_fn_output_is_a_lamp_error(tmp_path):
    with pytest.raises(LampError, match="'loss'"):
        train(tmp_path, loss_fn=lambda m, b: m(b[0]).sum())


def torchrun(mode: str, out: Path) -> None:
    """Two CPU processes under torchrun running ddp_script.py in ``mode``."""
    run_torchrun([str(HERE / "ddp_script.py"), mode, str(out)], pythonpath=(str(HERE), str(HERE.parents[1])))


def check_ddp_hashes(out: Path) -> None:
    rows = [(out / f"hash_{rank}.txt").read_text().split() for rank in (0, 1)]
    (init0, final0, steps0, world0), (init1, final1, _, _) = rows
    assert world0 == "2" and steps0 == "6"
    assert init0 != init1  # different inits on purpose...
    assert final0 == final1 != init0  # ...yet identical, trained weights
    run = out / "run"
    saved = load_file(run / "last.safetensors")  # written by rank 0, the same weights
    params = [n for n, _ in TinyNet(batchnorm=False).named_parameters()]
    assert tensors_hash(saved, params) == final0
    assert json.loads((run / "config.json").read_text())["world_size"] == 2
    assert [r["step"] for r in metrics(run, "train")] == [2, 4, 6]  # one writer, not two
    assert not list(run.glob(".*.tmp"))


def test_torchrun_ddp_keeps_ranks_identical(tmp_path):
    torchrun("own", tmp_path)
    check_ddp_hashes(tmp_path)
    assert [(tmp_path / f"group_{r}.txt").read_text() for r in (0, 1)] == ["False", "False"]  # destroyed


def test_torchrun_nan_on_one_rank_stops_all_ranks(tmp_path):
    torchrun("shared", tmp_path)
    nan0, nan1 = ((tmp_path / f"nan_{rank}.txt").read_text() for rank in (0, 1))
    assert "step 3" in nan0 and "another rank" in nan0
    assert "step 3 on rank 1" in nan1 and "nan" in nan1
    assert not (tmp_path / "nan" / "last.safetensors").exists()
    check_ddp_hashes(tmp_path)  # and the caller's process group still trains afterwards
