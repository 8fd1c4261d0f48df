"""What each captioner reads from a motion: LaMP's motion states and query states, or the tokenizer's
coarse codes. Shared by training (computed once and cached) and by captioning files."""

from __future__ import annotations

import numpy as np
import torch

from ..data.batching import pad_batch
from ..models.precision import frozen_autocast


def lamp_motion(lamp, mean: np.ndarray, std: np.ndarray, feats: list[np.ndarray]):
    """(motion states, validity) of one batch of raw feature clips (each cut to LaMP's window)."""
    dev = next(lamp.parameters()).device
    x, n = pad_batch([(np.asarray(f[: lamp.cfg.max_frames], np.float32) - mean) / std for f in feats],
                     2 ** lamp.cfg.conv.down)
    return lamp.encode_motion(torch.from_numpy(x).to(dev), torch.from_numpy(n).to(dev))


@torch.no_grad()
def lamp_queries(lamp, mean: np.ndarray, std: np.ndarray, feats: list[np.ndarray], batch: int = 64) -> np.ndarray:
    """(clips, Q, H) float32 query states of LaMP reading each raw feature clip (its first max_frames)."""
    out = []
    with frozen_autocast(next(lamp.parameters()).device):
        for s in range(0, len(feats), batch):
            m, keep = lamp_motion(lamp, mean, std, feats[s:s + batch])
            out.append(lamp.query_states(m, keep).float().cpu().numpy())
    return np.concatenate(out)


@torch.no_grad()
def coarse_codes(tokenizer, tok_mean, tok_std, feats: list[np.ndarray], batch: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(clips, max_tokens) codebook-0 codes (-1 past each end) and the valid count per clip."""
    unit, n_max = tokenizer.cfg.unit, tokenizer.cfg.max_frames // tokenizer.cfg.unit
    codes = np.full((len(feats), n_max), -1, np.int64)
    counts = np.zeros(len(feats), np.int64)
    for s in range(0, len(feats), batch):
        x, n = pad_batch([(f[: tokenizer.cfg.max_frames] - tok_mean) / tok_std for f in feats[s:s + batch]], unit)
        c, steps = tokenizer.encode(torch.from_numpy(x), torch.from_numpy(n))
        codes[s:s + len(x), : c.shape[1]] = c[..., 0].numpy()
        counts[s:s + len(x)] = steps.numpy()
    return codes, counts
