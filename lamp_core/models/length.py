"""MoMask's length estimator: text condition -> number of frames, as a classifier over lengths.

Generation needs the token count before it starts, and users rarely give a duration. A classifier
over length bins (rather than regression) keeps the spread of plausible lengths, so a length can
be sampled as well as taken as the most likely one. Bin b means (b + 1) * unit frames: one bin
per motion token, since the tokenizer turns ``unit`` frames into one token.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .bert import init_weights
from .masked import ConfigDictMixin, gumbel_sample


@dataclass(frozen=True)
class LengthEstimatorConfig(ConfigDictMixin):
    cond_dim: int = 384
    hidden: int = 256
    unit: int = 4          # frames per motion token
    max_frames: int = 196
    dropout: float = 0.1

    def __post_init__(self):
        if self.max_frames < self.unit:
            raise ValueError(f"max_frames {self.max_frames} is shorter than one unit ({self.unit})")

    @property
    def n_bins(self) -> int:
        return self.max_frames // self.unit


class LengthEstimator(nn.Module):
    """MLP (B, cond_dim) -> (B, n_bins) logits over lengths."""

    def __init__(self, cfg: LengthEstimatorConfig = LengthEstimatorConfig()):
        super().__init__()
        self.cfg = cfg
        h = cfg.hidden
        self.net = nn.Sequential(
            nn.Linear(cfg.cond_dim, h), nn.LayerNorm(h), nn.GELU(), nn.Dropout(cfg.dropout),
            nn.Linear(h, h), nn.LayerNorm(h), nn.GELU(), nn.Dropout(cfg.dropout),
            nn.Linear(h, cfg.n_bins))
        init_weights(self)

    def forward(self, cond: torch.Tensor) -> torch.Tensor:
        return self.net(cond)


def frames_to_bins(cfg: LengthEstimatorConfig, frames: torch.Tensor) -> torch.Tensor:
    """Frames -> bin, rounding down to whole tokens (the tokenizer drops a partial one) and clamped
    to the bins that exist."""
    return (torch.div(frames, cfg.unit, rounding_mode="floor") - 1).clamp(0, cfg.n_bins - 1).long()


def bins_to_frames(cfg: LengthEstimatorConfig, bins: torch.Tensor) -> torch.Tensor:
    return (bins.long() + 1) * cfg.unit


def length_loss(model: LengthEstimator, cond: torch.Tensor, lengths_frames: torch.Tensor) -> dict[str, torch.Tensor]:
    """Cross-entropy of the true length bin; ``acc`` is exact-bin accuracy."""
    logits = model(cond)
    target = frames_to_bins(model.cfg, lengths_frames)
    loss = F.cross_entropy(logits, target)
    acc = (logits.argmax(-1) == target).float().mean()
    return {"loss": loss, "acc": acc.detach()}


@torch.no_grad()
def predict_frames(model: LengthEstimator, cond: torch.Tensor, sample: bool = False,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """(B, cond_dim) -> (B,) frames, multiples of ``unit`` in [unit, max_frames]: the most likely
    length, or one sampled from the predicted distribution when ``sample``."""
    logits = model(cond)
    bins = gumbel_sample(logits, 1.0, generator) if sample else logits.argmax(-1)
    return bins_to_frames(model.cfg, bins)
