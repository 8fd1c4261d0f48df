"""``lamp train t2m|residual|length|pose``: the generators, trained on a frozen tokenizer's codes and a
frozen text condition (LaMP's, or frozen MiniLM's for the ablation).

Both inputs are frozen, so they are computed once per (data, tokenizer, condition, split) and cached
(``default_cache_dir("codes")``, shared by every run with the same inputs): afterwards a step only
runs the small generator, which is what makes CPU training work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..data.layout import load_split, read_mean_std
from ..errors import LampError
from ..generation.condition import CONDITION_KINDS, TextConditioner
from ..models.io import load_model, save_model
from ..models.precision import frozen_autocast
from ..models.length import LengthEstimator, LengthEstimatorConfig, length_loss
from ..models.masked import MaskedTransformer, MaskedTransformerConfig, masked_loss
from ..models.pose import POSE_DIMS, PoseGenerator, PoseGeneratorConfig, pose_loss
from ..models.residual import (
    ResidualTransformer,
    ResidualTransformerConfig,
    residual_loss,
)
from .array_cache import cache_path, cached_arrays
from .balance import balanced_index
from .config import TrainResult
from .data import seed_everything
from .run_config import Run, fit_best

MODELS = {"t2m": (MaskedTransformer, MaskedTransformerConfig), "residual": (ResidualTransformer, ResidualTransformerConfig),
          "length": (LengthEstimator, LengthEstimatorConfig), "pose": (PoseGenerator, PoseGeneratorConfig)}
CACHE_VERSION = 2  # 2: entry names kept (repeat-factor sampling reads their labels)


@dataclass
class CodedSplit:
    """Every clip of a split as tokens, and every caption as a condition vector."""
    codes: np.ndarray        # (clips, max_tokens, Q) int16, -1 past each clip's end
    tokens: np.ndarray       # (clips,) valid tokens per clip
    cond: np.ndarray         # (captions, cond_dim) float32
    caption_clip: np.ndarray  # (captions,) the clip each caption describes
    poses: list[np.ndarray]  # per clip (frames, 64) normalised pose vectors (text -> pose training)
    names: list[str]         # per clip, the entry name (manifest labels are looked up by it)

    def captions_of(self, clip: int) -> np.ndarray:
        return np.flatnonzero(self.caption_clip == clip)


def _inputs(run: Run) -> tuple[str, Path, Path | None]:
    cond_kind = run.inputs.get("condition", "lamp")
    if cond_kind not in CONDITION_KINDS:
        raise LampError(f"[inputs] condition must be one of {CONDITION_KINDS}, not {cond_kind!r}")
    if not run.inputs.get("tokenizer"):
        raise LampError(f"lamp train {run.kind} needs a tokenizer: --tokenizer DIR (lamp train vq ... /model)")
    lamp = run.inputs.get("lamp")
    if cond_kind == "lamp" and not lamp:
        raise LampError(f"lamp train {run.kind} needs a LaMP model for its text condition: --lamp DIR "
                        "(or --condition minilm for the ablation)")
    return cond_kind, Path(run.inputs["tokenizer"]), Path(lamp) if lamp else None


@torch.no_grad()
def code_split(data_dir: Path, split: str, tokenizer, tok_mean, tok_std, conditioner: TextConditioner,
               max_frames: int, batch: int = 64) -> CodedSplit:
    entries = load_split(data_dir, split)
    if not entries:
        raise LampError(f"{data_dir}: the {split} split has no clips")
    unit = tokenizer.cfg.unit
    n_max = max_frames // unit
    Q = tokenizer.cfg.n_quantizers
    codes = np.full((len(entries), n_max, Q), -1, np.int16)
    tokens = np.zeros(len(entries), np.int64)
    data_mean, data_std = read_mean_std(data_dir)
    poses = []
    for i in range(0, len(entries), batch):
        chunk = [e.features[:max_frames] for e in entries[i:i + batch]]
        chunk = [f[: len(f) // unit * unit] for f in chunk]
        T = max(len(f) for f in chunk)
        x = np.zeros((len(chunk), T, chunk[0].shape[1]), np.float32)
        for b, f in enumerate(chunk):
            x[b, : len(f)] = (f - tok_mean) / tok_std
            poses.append(((f[:, POSE_DIMS] - data_mean[POSE_DIMS]) / data_std[POSE_DIMS]).astype(np.float32))
        c, steps = tokenizer.encode(torch.from_numpy(x), torch.tensor([len(f) for f in chunk]))
        codes[i:i + len(chunk), : c.shape[1]] = c.numpy()
        tokens[i:i + len(chunk)] = steps.numpy()
    captions, owner = [], []
    for k, e in enumerate(entries):
        for t in e.texts:
            captions.append(t.caption)
            owner.append(k)
    with frozen_autocast(conditioner.device):
        cond = conditioner(captions).float().cpu().numpy()
    return CodedSplit(codes, tokens, cond, np.asarray(owner), poses, [e.name for e in entries])


def load_or_code(cache: Path, key: dict, make) -> CodedSplit:
    """The coded split from ``cache`` when it was made from the same inputs, else made and saved."""
    def arrays():
        c = make()
        return ({"codes": c.codes, "tokens": c.tokens, "cond": c.cond, "caption_clip": c.caption_clip,
                 "poses": np.concatenate(c.poses), "pose_counts": np.array([len(p) for p in c.poses])},
                {"names": c.names})
    t, meta = cached_arrays(cache, key, arrays)
    bounds = np.cumsum(t["pose_counts"])[:-1]
    return CodedSplit(t["codes"], t["tokens"], t["cond"], t["caption_clip"], np.split(t["poses"], bounds),
                      meta["names"])


class CodedDataset(Dataset):
    """One item per clip (or per entry of ``index``, which may repeat clips): its codes, a random
    caption's condition and (for poses) a random frame. Randomness comes from numpy's global generator,
    which the trainer seeds per item."""

    def __init__(self, data: CodedSplit, random: bool = True, index: np.ndarray | None = None):
        self.data, self.random = data, random
        self.index = np.arange(len(data.tokens)) if index is None else np.asarray(index)

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, item: int) -> dict:
        i = int(self.index[item])
        caps = self.data.captions_of(i)
        poses = self.data.poses[i]
        k = caps[np.random.randint(len(caps))] if self.random else caps[0]
        f = np.random.randint(len(poses)) if self.random else len(poses) // 2
        return {"codes": torch.from_numpy(self.data.codes[i].astype(np.int64)), "tokens": int(self.data.tokens[i]),
                "cond": torch.from_numpy(self.data.cond[k]), "pose": torch.from_numpy(poses[f])}


def collate(items: list[dict]) -> dict:
    return {"codes": torch.stack([it["codes"] for it in items]), "tokens": torch.tensor([it["tokens"] for it in items]),
            "cond": torch.stack([it["cond"] for it in items]), "pose": torch.stack([it["pose"] for it in items])}


def generation_loss(kind: str, model, batch: dict, generator: torch.Generator | None = None) -> dict:
    codes, tokens, cond = batch["codes"], batch["tokens"], batch["cond"]
    n = int(tokens.max())
    if kind == "t2m":
        return masked_loss(model, codes[:, :n, 0], tokens, cond, generator)
    if kind == "residual":
        return residual_loss(model, codes[:, :n], tokens, cond, generator)
    if kind == "length":
        return length_loss(model, cond, tokens * 4)
    return pose_loss(model, batch["pose"], cond, generator)


def build_generator(kind: str, model_cfg: dict, tokenizer_cfg, cond_dim: int):
    """Strict on misspelt keys; codebook size, codebook count and lengths follow the tokenizer."""
    cls, cfg_cls = MODELS[kind]
    d = dict(model_cfg)
    fields = cfg_cls.__dataclass_fields__
    derived = {"n_codes": tokenizer_cfg.n_codes, "n_quantizers": tokenizer_cfg.n_quantizers, "cond_dim": cond_dim,
               "max_tokens": tokenizer_cfg.max_frames // tokenizer_cfg.unit, "unit": tokenizer_cfg.unit,
               "max_frames": tokenizer_cfg.max_frames}
    for k, v in derived.items():
        if k in fields:
            d.setdefault(k, v)
    try:
        return cls(cfg_cls(**d))
    except (TypeError, ValueError) as e:
        raise LampError(f"[model]: {e}") from None



def train_generator(run: Run, data_dir: Path, out_dir: Path) -> tuple[TrainResult, Path]:
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    seed_everything(run.train.seed)
    cond_kind, tok_folder, lamp_folder = _inputs(run)
    tokenizer, tok_mean, tok_std, tok_id, _ = load_model(tok_folder, expect="vq")
    conditioner = TextConditioner.load(cond_kind, lamp_folder)
    key = {"version": CACHE_VERSION, "data": str(data_dir.resolve()), "tokenizer": tok_id,
           "condition": conditioner.model_id, "max_frames": tokenizer.cfg.max_frames}
    splits = {}
    for split in ("train", "val"):
        try:
            k = {**key, "split": split}
            splits[split] = load_or_code(cache_path("codes", k), k,
                                         lambda s=split: code_split(data_dir, s, tokenizer, tok_mean, tok_std,
                                                                    conditioner, tokenizer.cfg.max_frames))
        except LampError:
            if split == "train":
                raise
    model = build_generator(run.kind, run.model, tokenizer.cfg, 384)
    val = splits.get("val")

    def eval_fn(m):
        g = torch.Generator().manual_seed(0)
        ds = CodedDataset(val, random=False)
        dev = next(m.parameters()).device
        total, acc, n = 0.0, 0.0, 0
        with torch.no_grad():
            for i in range(0, len(ds), 128):
                b = collate([ds[j] for j in range(i, min(i + 128, len(ds)))])
                b = {k: v.to(dev) for k, v in b.items()}
                out = generation_loss(run.kind, m, b, g)
                total += float(out["loss"]) * len(b["tokens"])
                acc += float(out.get("acc", out["loss"] * 0)) * len(b["tokens"])
                n += len(b["tokens"])
        return {"val_loss": total / n, "val_acc": acc / n}

    saved = {"kind": run.kind, "data": str(data_dir), "model": model.cfg.to_dict(), "inputs": run.inputs,
             "data_sampling": run.data}
    threshold = float(run.data.get("repeat_threshold", 0.0))
    train_set = CodedDataset(splits["train"], index=balanced_index(threshold, data_dir, splits["train"].names))
    result, exports = fit_best(run, model, train_set, lambda m, b: generation_loss(run.kind, m, b),
                               out_dir, collate, eval_fn if val is not None else None, saved)
    folder = out_dir / "model"
    if not exports:
        return result, folder
    extra = {"trained_on": str(data_dir), "steps": result.steps, "tokenizer": tok_id, "condition": key["condition"]}
    if result.best_metric is not None:
        extra["validation"] = {run.train.select_metric: result.best_metric}
    mean, std = read_mean_std(data_dir) if run.kind == "pose" else (None, None)
    return result, save_model(model.cpu(), mean, std, folder, extra=extra)
