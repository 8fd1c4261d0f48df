"""``lamp train lamp|baseline``: pretrain LaMP (or the contrastive baseline) on a HumanML3D-layout
folder, pick the best checkpoint by validation R-precision, and export a model folder.

Configuration is one TOML file with [train], [model] and [loss] tables (every key optional);
the resolved configuration is saved beside the weights.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..data.torch_dataset import Collate, MotionTextDataset
from ..errors import LampError
from ..eval.retrieval import evaluate
from ..eval.retrieval_eval import similarity_matrices, test_pairs
from ..models.baseline import BaselineConfig, DualEncoder, baseline_losses
from ..models.conv import ConvConfig
from ..models.io import save_model
from ..models.lamp import LaMP, LaMPConfig
from ..models.lamp_losses import LossWeights, lamp_losses
from ..text.minilm import load_tokenizer
from .checkpoint import load_trainable
from .config import TrainConfig, TrainResult
from .data import seed_everything
from .trainer import Trainer

KINDS = ("lamp", "baseline")


@dataclass
class RetrievalRun:
    kind: str
    train: TrainConfig = field(default_factory=lambda: TrainConfig(lr=1e-4, warmup_steps=200, batch_size=64,
                                                                   select_metric="val_R@3", eval_every=250,
                                                                   checkpoint_every=250))
    model: dict = field(default_factory=dict)    # LaMPConfig / BaselineConfig fields
    loss: dict = field(default_factory=dict)     # LossWeights fields (LaMP)
    val_repeats: int = 5


def load_run(kind: str, config_path: Path | None = None, **overrides) -> RetrievalRun:
    if kind not in KINDS:
        raise LampError(f"unknown model kind {kind!r}; expected one of {', '.join(KINDS)}")
    run = RetrievalRun(kind)
    if config_path is not None:
        try:
            doc = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise LampError(f"{config_path}: cannot read the training config ({e})") from None
        unknown = set(doc) - {"train", "model", "loss"}
        if unknown:
            raise LampError(f"{config_path}: unknown table(s) {sorted(unknown)}; expected [train], [model], [loss]")
        run.train = _replace(run.train, doc.get("train", {}), config_path, "train")
        run.model = dict(doc.get("model", {}))
        run.loss = dict(doc.get("loss", {}))
    run.train = _replace(run.train, {k: v for k, v in overrides.items() if v is not None}, "command line", "train")
    return run


def _replace(cfg, values: dict, where, table: str):
    names = {f.name for f in dataclasses.fields(cfg)}
    bad = set(values) - names
    if bad:
        raise LampError(f"{where}: unknown [{table}] key(s) {sorted(bad)}; known: {sorted(names)}")
    return dataclasses.replace(cfg, **values)


def build_model(kind: str, model_cfg: dict):
    d = dict(model_cfg)
    if "conv" in d:
        d["conv"] = ConvConfig(**d["conv"])
    try:
        return LaMP(LaMPConfig(**d)) if kind == "lamp" else DualEncoder(BaselineConfig(**d))
    except TypeError as e:
        raise LampError(f"[model]: {e}") from None


def train_retrieval_model(run: RetrievalRun, data_dir: Path, out_dir: Path) -> tuple[TrainResult, Path]:
    """Train, then export the best (or last) checkpoint to ``out_dir/model``."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    seed_everything(run.train.seed)
    model = build_model(run.kind, run.model)
    train_set = MotionTextDataset(data_dir, "train", max_frames=model.cfg.max_frames)
    unit = 2 ** model.cfg.conv.down
    collate = Collate(load_tokenizer(), unit=unit, max_tokens=model.cfg.max_text_tokens)
    try:
        val = test_pairs(data_dir, "val", max_frames=model.cfg.max_frames, unit=unit)
    except LampError:
        val = None
    if val is not None and len(val.captions) < 2:
        val = None
    weights = LossWeights(**run.loss) if run.kind == "lamp" else None

    def loss_fn(m, batch):
        return lamp_losses(m, batch, weights) if run.kind == "lamp" else baseline_losses(m, batch)

    def eval_fn(m):
        sims = similarity_matrices(m, train_set.mean, train_set.std, run.kind, val)
        # the field's batches of 32; a tiny validation split is ranked as one batch
        rep = evaluate(next(iter(sims.values())), batch=min(32, len(val.captions)), repeats=run.val_repeats, seed=0)
        out = {f"val_{k}_{d}": v[0] for d in ("t2m", "m2t") for k, v in rep.protocol[d].items()}
        out["val_R@3"] = (out["val_R@3_t2m"] + out["val_R@3_m2t"]) / 2
        return out

    train_cfg = run.train if val is not None else dataclasses.replace(run.train, select_metric=None)
    saved = {"kind": run.kind, "data": str(data_dir), "model": model.cfg.to_dict(), "loss": run.loss}
    result = Trainer(model, train_set, loss_fn, out_dir, train_cfg, collate_fn=collate,
                     eval_fn=eval_fn if val is not None else None, saved_config=saved).fit()
    folder = out_dir / "model"
    if int(os.environ.get("RANK", "0")) != 0:  # under torchrun only rank 0 exports
        return result, folder
    if result.best_path is not None or result.last_path is not None:
        load_trainable(model, result.best_path or result.last_path)
    folder = save_model(model.cpu(), train_set.mean, train_set.std, out_dir / "model",
                        extra={"trained_on": str(data_dir), "steps": result.steps})
    return result, folder
