"""Motion-text pairs for training, from any HumanML3D-layout folder (ours, HumanML3D, KIT-ML).

Features are normalised with the folder's Mean/Std; each item is a random caption and a random
crop to a multiple of the model's downsampling unit (as HumanML3D's loaders do), so an epoch sees
every clip once with fresh wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..errors import LampError
from .layout import Entry, load_split, read_mean_std


class MotionTextDataset(Dataset):
    def __init__(self, root: Path, split: str, max_frames: int = 196, unit: int = 4, random_crop: bool = True,
                 random_caption: bool = True, seed: int = 0, entries: list[Entry] | None = None):
        self.root = Path(root)
        self.mean, self.std = read_mean_std(self.root)
        self.entries = entries if entries is not None else load_split(self.root, split)
        if not self.entries:
            raise LampError(f"{self.root}: the {split} split has no usable clips")
        self.max_frames, self.unit = max_frames, unit
        self.random_crop, self.random_caption = random_crop, random_caption
        self.seed = seed
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.entries)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _rng(self, i: int) -> np.random.Generator:
        """Per-item randomness drawn from numpy's global generator, which the trainer seeds from
        (seed, epoch, index): crops and captions change every epoch yet a resumed run repeats them."""
        return np.random.default_rng((self.seed, int(np.random.randint(2**31)), i))

    def normalise(self, feats: np.ndarray) -> np.ndarray:
        return ((feats - self.mean) / self.std).astype(np.float32)

    def __getitem__(self, i: int) -> dict:
        e = self.entries[i]
        rng = self._rng(i)
        f = e.features[: self.max_frames]
        n = (len(f) // self.unit) * self.unit
        start = int(rng.integers(0, len(f) - n + 1)) if self.random_crop else 0
        f = f[start:start + n]
        k = int(rng.integers(len(e.texts))) if self.random_caption else 0
        return {"feats": torch.from_numpy(self.normalise(f)), "length": n, "caption": e.texts[k].caption,
                "index": i}


@dataclass
class Collate:
    """Pads motions to a multiple of ``unit`` and tokenizes captions (MiniLM's WordPiece; no tokenizer:
    motion only, for the tokenizer's training)."""
    tokenizer: object | None
    unit: int = 4
    max_tokens: int = 64

    def __call__(self, items: list[dict]) -> dict:
        T = max(it["length"] for it in items)
        T = -(-T // self.unit) * self.unit
        D = items[0]["feats"].shape[1]
        feats = torch.zeros(len(items), T, D)
        for b, it in enumerate(items):
            feats[b, : it["length"]] = it["feats"]
        captions = [it["caption"] for it in items]
        out = {"feats": feats, "lengths": torch.tensor([it["length"] for it in items]), "captions": captions,
               "index": torch.tensor([it["index"] for it in items])}
        if self.tokenizer is not None:
            tok = self.tokenizer(captions, padding="longest", truncation=True, max_length=self.max_tokens,
                                 return_tensors="pt")
            out.update(ids=tok["input_ids"], valid=tok["attention_mask"].bool())
        return out
