"""What ``lamp train KIND`` runs: one TOML file with [train], [model], [loss], [inputs] and [data] tables
(every key optional) over per-kind defaults, plus command-line overrides. The resolved
configuration is saved beside the weights."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from ..errors import LampError
from .config import TrainConfig

RETRIEVAL_KINDS = ("lamp", "baseline", "evaluator")
GENERATION_KINDS = ("vq", "t2m", "residual", "length", "pose")
CAPTION_KINDS = ("captioner", "caption-baseline")
KINDS = RETRIEVAL_KINDS + GENERATION_KINDS + CAPTION_KINDS
TABLES = ("train", "model", "loss", "inputs", "data")
DATA_KEYS = ("repeat_threshold", "train_split")  # [data]: which clips train and how they are drawn


def default_train(kind: str) -> TrainConfig:
    if kind == "vq":  # MoMask's tokenizer recipe: 64-frame windows, lr 2e-4, lowest validation joint error wins
        return TrainConfig(lr=2e-4, warmup_steps=200, batch_size=64, select_metric="val_mpjpe_mm",
                           select_mode="min", eval_every=500, checkpoint_every=250)
    if kind in GENERATION_KINDS:  # the generators on cached codes and conditions: lowest validation loss wins
        return TrainConfig(lr=2e-4, warmup_steps=200, batch_size=64, select_metric="val_loss", select_mode="min",
                           eval_every=500, checkpoint_every=500)
    if kind in CAPTION_KINDS:  # cached frozen inputs; lowest validation loss wins
        return TrainConfig(lr=5e-4, warmup_steps=200, batch_size=32, select_metric="val_loss", select_mode="min",
                           eval_every=250, checkpoint_every=250)
    return TrainConfig(lr=1e-4, warmup_steps=200, batch_size=64, select_metric="val_R@3", eval_every=250,
                       checkpoint_every=250)


@dataclass
class Run:
    kind: str
    train: TrainConfig = None  # type: ignore[assignment]   (per-kind default in __post_init__)
    model: dict = field(default_factory=dict)    # the model config's fields
    loss: dict = field(default_factory=dict)     # loss options (LaMP's LossWeights)
    inputs: dict = field(default_factory=dict)   # other model folders a run reads (e.g. a tokenizer)
    data: dict = field(default_factory=dict)     # data sampling (DATA_KEYS)
    val_repeats: int = 5

    def __post_init__(self):
        if self.kind not in KINDS:
            raise LampError(f"unknown model kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if self.train is None:
            self.train = default_train(self.kind)


def load_run(kind: str, config_path: Path | None = None, inputs: dict | None = None, **overrides) -> Run:
    run = Run(kind)
    if config_path is not None:
        try:
            doc = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise LampError(f"{config_path}: cannot read the training config ({e})") from None
        unknown = set(doc) - set(TABLES)
        if unknown:
            raise LampError(f"{config_path}: unknown table(s) {sorted(unknown)}; expected "
                            + ", ".join(f"[{t}]" for t in TABLES))
        run.train = _replace(run.train, doc.get("train", {}), config_path, "train")
        run.model = dict(doc.get("model", {}))
        run.loss = dict(doc.get("loss", {}))
        run.inputs = dict(doc.get("inputs", {}))
        run.data = dict(doc.get("data", {}))
        bad = set(run.data) - set(DATA_KEYS)
        if bad:
            raise LampError(f"{config_path}: unknown [data] key(s) {sorted(bad)}; known: {list(DATA_KEYS)}")
    run.inputs.update({k: str(v) for k, v in (inputs or {}).items() if v is not None})
    run.train = _replace(run.train, {k: v for k, v in overrides.items() if v is not None}, "command line", "train")
    return run


def _replace(cfg, values: dict, where, table: str):
    names = {f.name for f in dataclasses.fields(cfg)}
    bad = set(values) - names
    if bad:
        raise LampError(f"{where}: unknown [{table}] key(s) {sorted(bad)}; known: {sorted(names)}")
    return dataclasses.replace(cfg, **values)


def fit_best(run: Run, model, train_set, loss_fn, out_dir: Path, collate_fn, eval_fn, saved: dict):
    """Train with the run's settings, then load the best checkpoint (else the last) into ``model``.
    Returns (result, exports): only rank 0 of a torchrun job exports a model folder."""
    import os

    from .checkpoint import load_trainable
    from .trainer import Trainer
    cfg = run.train if eval_fn is not None else dataclasses.replace(run.train, select_metric=None)
    result = Trainer(model, train_set, loss_fn, out_dir, cfg, collate_fn=collate_fn, eval_fn=eval_fn,
                     saved_config=saved).fit()
    if int(os.environ.get("RANK", "0")) != 0:
        return result, False
    if result.best_path is not None or result.last_path is not None:
        load_trainable(model, result.best_path or result.last_path)
    return result, True
