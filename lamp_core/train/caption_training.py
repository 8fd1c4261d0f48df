"""``lamp train captioner|caption-baseline``: the prefix captioner over a frozen LaMP's motion-reading
queries, and the TM2T-like baseline over a frozen tokenizer's coarse codes. Both inputs are frozen, so
they are computed once per (data, model, split) and cached; a step then runs only the captioner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..captioning.inputs import coarse_codes, lamp_queries
from ..data.layout import Entry, load_split
from ..errors import LampError
from ..models.caption_prefix import PrefixCaptioner, PrefixCaptionerConfig, prefix_caption_loss
from ..models.caption_seq2seq import Seq2SeqCaptioner, Seq2SeqCaptionerConfig, caption_loss
from ..models.io import load_model, save_model
from .array_cache import cache_path, cached_arrays
from .balance import balanced_index
from .config import TrainResult
from .data import seed_everything
from .run_config import Run, fit_best

CACHE_VERSION = 1


@dataclass
class CaptionSplit:
    inputs: np.ndarray        # captioner: (clips, Q, H) LaMP query states; baseline: (clips, N) coarse codes
    lengths: np.ndarray       # (clips,) valid codes (baseline) or motion frames (captioner)
    captions: list[str]
    caption_clip: np.ndarray  # (captions,) the clip each caption describes
    names: list[str]

    def captions_of(self, clip: int) -> np.ndarray:
        return np.flatnonzero(self.caption_clip == clip)


def _texts(entries: list[Entry]) -> tuple[list[str], np.ndarray]:
    captions, owner = [], []
    for k, e in enumerate(entries):
        for t in e.texts:
            captions.append(t.caption)
            owner.append(k)
    return captions, np.asarray(owner)


def caption_split(data_dir: Path, split: str, kind: str, model_folder: Path) -> CaptionSplit:
    """The split's frozen inputs and captions, from the cache when they were made from the same inputs."""
    expect = "lamp" if kind == "captioner" else "vq"
    model, mean, std, model_id, _ = load_model(model_folder, expect=expect)
    key = {"version": CACHE_VERSION, "kind": kind, "data": str(Path(data_dir).resolve()), "model": model_id,
           "split": split}

    def make():
        entries = load_split(Path(data_dir), split)
        if not entries:
            raise LampError(f"{data_dir}: the {split} split has no clips")
        feats = [e.features for e in entries]
        if kind == "captioner":
            inputs, lengths = lamp_queries(model, mean, std, feats).astype(np.float16), np.array([len(f) for f in feats])
        else:
            inputs, lengths = coarse_codes(model, mean, std, feats)
            inputs = inputs.astype(np.int16)
        captions, owner = _texts(entries)
        return ({"inputs": inputs, "lengths": lengths, "caption_clip": owner},
                {"captions": captions, "names": [e.name for e in entries]})

    arrays, meta = cached_arrays(cache_path("captions", key), key, make)
    return CaptionSplit(arrays["inputs"], arrays["lengths"], meta["captions"], arrays["caption_clip"], meta["names"])


class CaptionDataset(Dataset):
    """One item per clip (or per entry of ``index``, which may repeat clips): its frozen input and one
    of its captions (random, seeded by the trainer)."""

    def __init__(self, data: CaptionSplit, random: bool = True, index: np.ndarray | None = None):
        self.data, self.random = data, random
        self.index = np.arange(len(data.lengths)) if index is None else index

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int) -> dict:
        i = int(self.index[i])
        caps = self.data.captions_of(i)
        k = caps[np.random.randint(len(caps))] if self.random else caps[0]
        return {"input": self.data.inputs[i], "length": int(self.data.lengths[i]), "caption": self.data.captions[k]}


class CaptionCollate:
    """Batches inputs and tokenises captions with the captioner's own tokenizer (begin ... end)."""

    def __init__(self, kind: str, model):
        self.kind, self.model = kind, model

    def __call__(self, items: list[dict]) -> dict:
        captions = [it["caption"] for it in items]
        if self.kind == "captioner":
            ids, valid = self.model.encode_captions(captions)
            return {"queries": torch.from_numpy(np.stack([it["input"] for it in items]).astype(np.float32)),
                    "ids": ids, "valid": valid}
        ids, valid = baseline_captions(captions, self.model.cfg.max_text_tokens)
        return {"codes": torch.from_numpy(np.stack([it["input"] for it in items]).astype(np.int64)),
                "n_tokens": torch.tensor([it["length"] for it in items]), "ids": ids, "valid": valid}


def baseline_captions(captions: list[str], max_tokens: int) -> tuple[torch.Tensor, torch.Tensor]:
    from ..text.minilm import load_tokenizer
    t = load_tokenizer()(captions, padding="longest", truncation=True, max_length=max_tokens, return_tensors="pt")
    return t["input_ids"], t["attention_mask"].bool()


def caption_batch_loss(kind: str, model, batch: dict) -> dict:
    if kind == "captioner":
        return prefix_caption_loss(model, batch["queries"], batch["ids"], batch["valid"])
    return caption_loss(model, batch["codes"], batch["n_tokens"], batch["ids"], batch["valid"])


def build_captioner(kind: str, model_cfg: dict, lamp_cfg=None, tokenizer_cfg=None):
    """Strict on misspelt keys; the prefix size follows the LaMP, the code vocabulary the tokenizer."""
    d = dict(model_cfg)
    try:
        if kind == "captioner":
            d.setdefault("n_query", lamp_cfg.n_query)
            return PrefixCaptioner(PrefixCaptionerConfig(**d))
        d.setdefault("n_codes", tokenizer_cfg.n_codes)
        d.setdefault("max_tokens", tokenizer_cfg.max_frames // tokenizer_cfg.unit)
        return Seq2SeqCaptioner(Seq2SeqCaptionerConfig(**d))
    except TypeError as e:
        raise LampError(f"[model]: {e}") from None


def train_captioner(run: Run, data_dir: Path, out_dir: Path) -> tuple[TrainResult, Path]:
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    seed_everything(run.train.seed)
    need = "lamp" if run.kind == "captioner" else "tokenizer"
    if not run.inputs.get(need):
        raise LampError(f"lamp train {run.kind} needs --{need} DIR (the frozen "
                        f"{'LaMP whose queries prefix the captions' if need == 'lamp' else 'motion tokenizer'})")
    source = Path(run.inputs[need])
    src_model, _, _, src_id, _ = load_model(source, expect="lamp" if need == "lamp" else "vq")
    model = build_captioner(run.kind, run.model, src_model.cfg if need == "lamp" else None,
                            src_model.cfg if need == "tokenizer" else None)
    del src_model
    split = run.data.get("train_split", "train")   # train_val: a final model that has seen every action
    train = caption_split(data_dir, split, run.kind, source)
    try:
        val = caption_split(data_dir, "val", run.kind, source)
    except LampError:
        val = None
    collate = CaptionCollate(run.kind, model)
    if run.kind == "captioner":
        model.set_query_stats(train.inputs[: 4096])
    if run.inputs.get("init"):  # continue from a trained captioner (e.g. on more clips)
        start, *_ = load_model(Path(run.inputs["init"]), expect=run.kind)
        try:
            model.load_state_dict(start.state_dict())
        except RuntimeError as e:
            raise LampError(f"{run.inputs['init']}: does not fit this run's [model] settings ({str(e)[:200]})") from None
        print(f"starting from {run.inputs['init']}")

    def eval_fn(m):
        ds = CaptionDataset(val, random=False)
        dev = next(p for p in m.parameters() if p.requires_grad).device
        total, acc, n = 0.0, 0.0, 0
        with torch.no_grad():
            for i in range(0, len(ds), 64):
                b = {k: v.to(dev) for k, v in collate([ds[j] for j in range(i, min(i + 64, len(ds)))]).items()}
                out = caption_batch_loss(run.kind, m, b)
                k = len(b["ids"])
                total, acc, n = total + float(out["loss"]) * k, acc + float(out["acc"]) * k, n + k
        return {"val_loss": total / n, "val_acc": acc / n}

    saved = {"kind": run.kind, "data": str(data_dir), "model": model.cfg.to_dict(), "inputs": run.inputs}
    index = balanced_index(float(run.data.get("repeat_threshold", 0.0)), data_dir, train.names)
    result, exports = fit_best(run, model, CaptionDataset(train, index=index),
                               lambda m, b: caption_batch_loss(run.kind, m, b), out_dir, collate,
                               eval_fn if val is not None else None, saved)
    folder = out_dir / "model"
    if not exports:
        return result, folder
    extra = {"trained_on": str(data_dir), "split": split, "steps": result.steps, need: src_id}
    if result.best_metric is not None:
        extra["validation"] = {run.train.select_metric: result.best_metric}
    return result, save_model(model.cpu(), None, None, folder, extra=extra)
