"""A tiny regression task (y = A x) shared by the trainer tests and the torchrun script: fast, but with
the things a harness can get wrong (dropout, BatchNorm buffers, random augmentation in the dataset)."""

from __future__ import annotations

import hashlib

import torch
from torch import nn
from torch.utils.data import Dataset

from lamp_core.train import TrainConfig


class NoisyLinearSet(Dataset):
    """Fixed inputs/targets; each item adds fresh noise from the global RNG (what augmentation does)."""

    def __init__(self, n: int = 50, d_in: int = 8, d_out: int = 4):
        g = torch.Generator().manual_seed(1234)
        self.x = torch.randn(n, d_in, generator=g)
        self.a = torch.randn(d_out, d_in, generator=g) / d_in**0.5
        self.y = self.x @ self.a.T

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int):
        return self.x[i] + 0.01 * torch.randn(self.x.shape[1]), self.y[i]


class TinyNet(nn.Module):
    def __init__(self, d_in: int = 8, hidden: int = 32, d_out: int = 4, batchnorm: bool = True):
        super().__init__()
        norm = nn.BatchNorm1d(hidden) if batchnorm else nn.LayerNorm(hidden)
        self.encoder = nn.Sequential(nn.Linear(d_in, hidden), norm, nn.GELU())
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(hidden, d_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))


def mse_loss(model: nn.Module, batch) -> dict[str, torch.Tensor]:
    x, y = batch
    err = model(x) - y
    return {"loss": err.pow(2).mean(), "mae": err.abs().mean()}


def tiny_config(**kw) -> TrainConfig:
    base = dict(max_steps=20, batch_size=8, lr=1e-2, warmup_steps=3, eval_every=5, checkpoint_every=5,
                log_every=1, device="cpu", seed=0)
    base.update(kw)
    return TrainConfig(**base)


def param_hash(model: nn.Module) -> str:
    """Hash of the parameters' exact bytes, in name order."""
    h = hashlib.sha256()
    for name, p in sorted(model.named_parameters()):
        h.update(name.encode())
        h.update(p.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def tensors_hash(tensors: dict[str, torch.Tensor], names) -> str:
    h = hashlib.sha256()
    for name in sorted(names):
        h.update(name.encode())
        h.update(tensors[name].contiguous().numpy().tobytes())
    return h.hexdigest()
