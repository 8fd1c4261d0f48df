"""``lamp train lamp|baseline|evaluator``: pretrain LaMP (or the contrastive baseline, or the independent
evaluator) on a HumanML3D-layout folder, pick the best checkpoint by validation R-precision, and export
a model folder.

Configuration: see ``run_config.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..data.layout import read_mean_std
from ..data.torch_dataset import Collate, MotionTextDataset
from ..errors import LampError
from ..eval.retrieval import evaluate
from ..eval.retrieval_eval import similarity_matrices, test_pairs
from ..models.baseline import BaselineConfig, DualEncoder, baseline_losses
from ..models.conv import ConvConfig
from ..models.evaluator import EvaluatorConfig, MotionTextEvaluator, evaluator_losses
from ..models.io import save_model
from ..models.lamp import LaMP, LaMPConfig
from ..models.lamp_losses import LossWeights, lamp_losses
from ..text.minilm import load_tokenizer
from .balance import balanced_index
from .config import TrainResult
from .data import seed_everything
from .run_config import Run, fit_best, load_run  # noqa: F401  (load_run re-exported)


class MotionTokens:
    """The frozen tokenizer that gives LaMP's text -> motion-token loss its targets: the coarse codes
    of each batch's (already cropped, normalised) motion."""

    def __init__(self, folder: Path, data_mean: np.ndarray, data_std: np.ndarray):
        from ..models.io import load_model
        self.model, mean, std, self.model_id, _ = load_model(Path(folder), expect="vq")
        for p in self.model.parameters():
            p.requires_grad_(False)
        # features normalised with the corpus' stats -> the tokenizer's own normalisation
        self.scale = torch.from_numpy((data_std / std).astype(np.float32))
        self.shift = torch.from_numpy(((data_mean - mean) / std).astype(np.float32))

    @property
    def n_codes(self) -> int:
        return self.model.cfg.n_codes

    @torch.no_grad()
    def __call__(self, feats: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        dev = feats.device
        self.model.to(dev)
        x = feats.float() * self.scale.to(dev) + self.shift.to(dev)
        codes, _ = self.model.encode(x, lengths)
        return codes[..., 0]                                     # (B, N), -1 past each motion's end


def build_model(kind: str, model_cfg: dict):
    d = dict(model_cfg)
    if "conv" in d:
        d["conv"] = ConvConfig(**d["conv"])
    try:
        if kind == "evaluator":
            return MotionTextEvaluator(EvaluatorConfig(**d))
        return LaMP(LaMPConfig(**d)) if kind == "lamp" else DualEncoder(BaselineConfig(**d))
    except TypeError as e:
        raise LampError(f"[model]: {e}") from None


def train_retrieval_model(run: Run, data_dir: Path, out_dir: Path) -> tuple[TrainResult, Path]:
    """Train, then export the best (or last) checkpoint to ``out_dir/model``."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    seed_everything(run.train.seed)
    model_cfg = dict(run.model)
    tokens = None
    if run.kind == "lamp" and run.inputs.get("tokenizer"):
        mean, std = read_mean_std(data_dir)
        tokens = MotionTokens(run.inputs["tokenizer"], mean, std)
        model_cfg["n_codes"] = tokens.n_codes
    model = build_model(run.kind, model_cfg)
    if tokens is not None:
        share_encoder(model, tokens.model)
    train_set = MotionTextDataset(data_dir, "train", max_frames=model.cfg.max_frames)
    names = [e.name for e in train_set.entries]
    index = balanced_index(float(run.data.get("repeat_threshold", 0.0)), data_dir, names)
    if index is not None:   # rare actions drawn more often ([data] repeat_threshold)
        train_set.entries = [train_set.entries[i] for i in index]
    unit = 2 ** model.cfg.conv.down if hasattr(model.cfg, "conv") else 4
    collate = Collate(load_tokenizer(), unit=unit, max_tokens=model.cfg.max_text_tokens)
    try:
        val = test_pairs(data_dir, "val", max_frames=model.cfg.max_frames, unit=unit)
    except LampError:
        val = None
    if val is not None and len(val.captions) < 2:
        val = None
    weights = LossWeights(**run.loss) if run.kind == "lamp" else None

    def loss_fn(m, batch):
        if run.kind == "evaluator":
            return evaluator_losses(m, batch)
        if run.kind != "lamp":
            return baseline_losses(m, batch)
        if tokens is not None:
            batch = {**batch, "codes": tokens(batch["feats"], batch["lengths"])}
        return lamp_losses(m, batch, weights)

    def eval_fn(m):
        sims = similarity_matrices(m, train_set.mean, train_set.std, run.kind, val)
        # the field's batches of 32; a tiny validation split is ranked as one batch
        rep = evaluate(next(iter(sims.values())), batch=min(32, len(val.captions)), repeats=run.val_repeats, seed=0)
        out = {f"val_{k}_{d}": v[0] for d in ("t2m", "m2t") for k, v in rep.protocol[d].items()}
        out["val_R@3"] = (out["val_R@3_t2m"] + out["val_R@3_m2t"]) / 2
        return out

    saved = {"kind": run.kind, "data": str(data_dir), "model": model.cfg.to_dict(), "loss": run.loss,
             "inputs": run.inputs}
    result, exports = fit_best(run, model, train_set, loss_fn, out_dir, collate,
                               eval_fn if val is not None else None, saved)
    folder = out_dir / "model"
    if not exports:  # under torchrun only rank 0 exports
        return result, folder
    folder = save_model(model.cpu(), train_set.mean, train_set.std, out_dir / "model",
                        extra={"trained_on": str(data_dir), "steps": result.steps,
                               **({"tokenizer": tokens.model_id} if tokens is not None else {})})
    return result, folder


def share_encoder(lamp: LaMP, tokenizer) -> bool:
    """Start LaMP's motion encoder from the tokenizer's (the paper reads motion with the VQ encoder)
    when the two have the same shape; returns whether it did."""
    ours, theirs = lamp.motion_encoder.state_dict(), tokenizer.encoder.state_dict()
    if ours.keys() != theirs.keys() or any(ours[k].shape != theirs[k].shape for k in ours):
        return False
    lamp.motion_encoder.load_state_dict(theirs)
    return True
