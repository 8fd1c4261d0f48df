"""How well the tokenizer keeps a motion: joint position error after encode -> decode, in mm, with
all codebooks and with the coarse one alone, and how many codes each codebook actually uses."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..data.layout import Entry
from ..motion.features import features_to_joints


@dataclass
class TokenizerReport:
    clips: int
    frames: int
    mpjpe_mm: float          # all codebooks, global joint positions (root drift included)
    mpjpe_local_mm: float    # same, with the root trajectory taken from the original (pose error alone)
    mpjpe_coarse_mm: float   # codebook 0 alone (what the masked transformer produces before the residual stage)
    usage: list[float]       # share of each codebook's codes used at least once
    perplexity: list[float]  # exp(entropy) of each codebook's code histogram

    def to_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        use = ", ".join(f"{u:.0%}" for u in self.usage)
        return [f"clips {self.clips}, frames {self.frames}",
                f"MPJPE {self.mpjpe_mm:.1f} mm (pose only {self.mpjpe_local_mm:.1f} mm; "
                f"coarse codebook alone {self.mpjpe_coarse_mm:.1f} mm)",
                f"codebook usage {use}; perplexity " + ", ".join(f"{p:.0f}" for p in self.perplexity)]


@torch.no_grad()
def evaluate_tokenizer(model, entries: list[Entry], mean: np.ndarray, std: np.ndarray,
                       batch: int = 32, device: str = "cpu") -> TokenizerReport:
    """Encode and decode every clip (first ``max_frames`` frames, cut to a multiple of 4)."""
    cfg = model.cfg
    was_training = model.training
    model.eval()
    unit = cfg.unit
    n_codes, Q = cfg.n_codes, cfg.n_quantizers
    hist = np.zeros((Q, n_codes))
    err = {"all": [0.0, 0], "local": [0.0, 0], "coarse": [0.0, 0]}
    frames = 0
    for i in range(0, len(entries), batch):
        chunk = [e.features[: cfg.max_frames] for e in entries[i:i + batch]]
        chunk = [f[: len(f) // unit * unit] for f in chunk if len(f) >= unit]
        if not chunk:
            continue
        T = max(len(f) for f in chunk)
        x = np.zeros((len(chunk), T, chunk[0].shape[1]), np.float32)
        for b, f in enumerate(chunk):
            x[b, : len(f)] = (f - mean) / std
        lengths = torch.tensor([len(f) for f in chunk], device=device)
        codes, steps = model.encode(torch.from_numpy(x).to(device), lengths)
        full = model.decode(codes, steps).cpu().numpy() * std + mean
        coarse = model.decode(codes[..., :1], steps).cpu().numpy() * std + mean
        c = codes.cpu().numpy()
        for q in range(Q):
            v = c[..., q][c[..., q] >= 0]
            hist[q] += np.bincount(v, minlength=n_codes)
        for b, f in enumerate(chunk):
            n = len(f)
            gt = features_to_joints(f)
            rec = features_to_joints(full[b, :n])
            local = full[b, :n].copy()
            local[:, :4] = f[:, :4]  # the original root motion
            for key, pred in (("all", rec), ("local", features_to_joints(local)),
                              ("coarse", features_to_joints(coarse[b, :n]))):
                err[key][0] += float(np.linalg.norm(pred - gt, axis=-1).sum())
                err[key][1] += pred.shape[0] * pred.shape[1]
            frames += n
    model.train(was_training)
    p = hist / np.maximum(hist.sum(1, keepdims=True), 1)
    ent = -(p * np.log(np.where(p > 0, p, 1))).sum(1)
    mm = {k: 1000 * s / max(n, 1) for k, (s, n) in err.items()}
    return TokenizerReport(clips=len(entries), frames=frames, mpjpe_mm=mm["all"], mpjpe_local_mm=mm["local"],
                           mpjpe_coarse_mm=mm["coarse"], usage=[float(u) for u in (hist > 0).mean(1)],
                           perplexity=[float(x) for x in np.exp(ent)])
