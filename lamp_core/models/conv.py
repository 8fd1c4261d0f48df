"""The temporal convolution encoder over normalised 263-d HumanML3D features (4x downsampling).

The same design as MoMask's VQ encoder (conv in, two stride-2 stages each with dilated residual
blocks, conv out), shared by LaMP's motion side and the generation tokenizer. Padding is handled
by zeroing every padded step after every layer, so the outputs at valid steps are the same however
long the padding is and whatever it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class ConvConfig:
    in_dim: int = 263
    width: int = 384
    out_dim: int = 384
    down: int = 2             # stride-2 stages: 2**down frames per output step
    depth: int = 3            # residual blocks per stage
    dilation_growth: int = 3
    dropout: float = 0.1


def downsampled_lengths(lengths: torch.Tensor, down: int) -> torch.Tensor:
    for _ in range(down):
        lengths = torch.div(lengths + 1, 2, rounding_mode="floor")
    return lengths


def step_mask(lengths: torch.Tensor, n: int) -> torch.Tensor:
    """(B,) lengths -> (B, n) bool, True at valid steps."""
    return torch.arange(n, device=lengths.device)[None, :] < lengths[:, None]


class _ResBlock(nn.Module):
    def __init__(self, width: int, dilation: int, dropout: float):
        super().__init__()
        self.conv1 = nn.Conv1d(width, width, 3, padding=dilation, dilation=dilation)
        self.conv2 = nn.Conv1d(width, width, 1)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        y = self.conv1(F.relu(x)) * keep
        y = self.conv2(F.relu(y))
        return (x + F.dropout(y, self.dropout, self.training)) * keep


class MotionConvEncoder(nn.Module):
    def __init__(self, cfg: ConvConfig = ConvConfig()):
        super().__init__()
        self.cfg = cfg
        self.conv_in = nn.Conv1d(cfg.in_dim, cfg.width, 3, padding=1)
        self.downs = nn.ModuleList(nn.Conv1d(cfg.width, cfg.width, 4, stride=2, padding=1) for _ in range(cfg.down))
        self.blocks = nn.ModuleList(
            nn.ModuleList(_ResBlock(cfg.width, cfg.dilation_growth ** d, cfg.dropout) for d in reversed(range(cfg.depth)))
            for _ in range(cfg.down))
        self.conv_out = nn.Conv1d(cfg.width, cfg.out_dim, 3, padding=1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, in_dim) features with (B,) valid lengths -> (B, T / 2**down, out_dim) and the new lengths.
        T must be a multiple of 2**down (the collate pads to one)."""
        B, T, _ = x.shape
        if T % (2 ** self.cfg.down):
            raise ValueError(f"motion length {T} must be a multiple of {2 ** self.cfg.down}")
        keep = step_mask(lengths, T)[:, None, :].to(x.dtype)
        h = F.relu(self.conv_in(x.transpose(1, 2) * keep)) * keep
        for down, blocks in zip(self.downs, self.blocks):
            lengths = downsampled_lengths(lengths, 1)
            h = down(h)
            keep = step_mask(lengths, h.shape[-1])[:, None, :].to(h.dtype)
            h = h * keep
            for block in blocks:
                h = block(h, keep)
        h = self.conv_out(F.relu(h)) * keep
        return h.transpose(1, 2), lengths


class ModelConfigMixin:
    """to_dict/from_dict for model configs that hold a ``conv: ConvConfig``; unknown keys (from a newer
    version) are ignored so older code can still read the fields it knows."""

    def to_dict(self) -> dict:
        from dataclasses import asdict
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict):
        d = dict(d)
        d["conv"] = ConvConfig(**d.get("conv", {}))
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})
