"""``lamp train vq``: the residual VQ tokenizer on random 64-frame windows (MoMask's recipe), best
checkpoint by validation joint error, exported with its evaluation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..data.layout import load_split
from ..data.torch_dataset import Collate, MotionTextDataset
from ..errors import LampError
from ..eval.vq_eval import evaluate_tokenizer
from ..models.io import save_model
from ..models.vq import RVQVAE, VQConfig, vq_losses
from .config import TrainResult
from .data import seed_everything
from .run_config import Run, fit_best

VAL_CLIPS = 256  # validation subset: enough for a stable joint error, quick on a CPU


def build_tokenizer(model_cfg: dict) -> RVQVAE:
    """Strict: a misspelt key is an error, not silently the default."""
    d = dict(model_cfg)
    try:
        d["conv"] = dataclasses.replace(VQConfig().conv, **d.get("conv", {}))
        return RVQVAE(VQConfig(**d))
    except TypeError as e:
        raise LampError(f"[model]: {e}") from None


def train_tokenizer(run: Run, data_dir: Path, out_dir: Path) -> tuple[TrainResult, Path]:
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    seed_everything(run.train.seed)
    window = int(run.loss.get("window", 64))
    model = build_tokenizer(run.model)
    train_set = MotionTextDataset(data_dir, "train", max_frames=window, unit=model.cfg.unit)
    try:
        val = load_split(data_dir, "val")[:VAL_CLIPS]
    except LampError:
        val = []

    def eval_fn(m):
        rep = evaluate_tokenizer(m, val, train_set.mean, train_set.std,
                                 device=str(next(m.parameters()).device))
        return {"val_mpjpe_mm": rep.mpjpe_mm, "val_mpjpe_local_mm": rep.mpjpe_local_mm,
                "val_mpjpe_coarse_mm": rep.mpjpe_coarse_mm, "val_usage_codebook0": rep.usage[0]}

    saved = {"kind": "vq", "data": str(data_dir), "model": model.cfg.to_dict(), "loss": run.loss}
    result, exports = fit_best(run, model, train_set, lambda m, b: vq_losses(m, b), out_dir,
                               Collate(None, unit=model.cfg.unit), eval_fn if val else None, saved)
    folder = out_dir / "model"
    if not exports:
        return result, folder
    model = model.cpu()
    extra = {"trained_on": str(data_dir), "steps": result.steps}
    if val:
        extra["validation"] = evaluate_tokenizer(model, val, train_set.mean, train_set.std).to_dict()
    folder = save_model(model, train_set.mean, train_set.std, folder, extra=extra)
    return result, folder
