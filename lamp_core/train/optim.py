"""AdamW with the usual decay exclusions, and the warmup + cosine learning-rate curve."""

from __future__ import annotations

import math

import torch

from lamp_core.train.config import TrainConfig


def lr_factor(step: int, config: TrainConfig) -> float:
    """Multiplier on ``config.lr`` for the update with 0-based index ``step``.

    Linear warmup reaches 1 on the last warmup update (the first update is not wasted at lr 0); cosine
    then falls to 0 at ``max_steps``.
    """
    warm = config.warmup_steps
    if step < warm:
        return (step + 1) / warm
    if config.schedule == "constant":
        return 1.0
    progress = (step - warm) / max(1, config.max_steps - warm)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def no_decay_names(model: torch.nn.Module, named: list[tuple[str, torch.nn.Parameter]]) -> set[str]:
    """Biases, norm gains and other 1-d parameters, plus whatever the model lists in ``no_weight_decay()``
    (timm's convention, e.g. positional embeddings or learned query tokens)."""
    extra = set(model.no_weight_decay()) if callable(getattr(model, "no_weight_decay", None)) else set()
    return {n for n, p in named if p.ndim <= 1 or n in extra}


def build_optimizer(model: torch.nn.Module, named: list[tuple[str, torch.nn.Parameter]],
                    config: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    """Two parameter groups (decay / no decay), in the order of ``named`` so the saved state maps back."""
    skip = no_decay_names(model, named)
    decay = [p for n, p in named if n not in skip]
    plain = [p for n, p in named if n in skip]
    groups = [g for g in ({"params": decay, "weight_decay": config.weight_decay, "name": "decay"},
                          {"params": plain, "weight_decay": 0.0, "name": "no_decay"}) if g["params"]]
    fused = device.type == "cuda"
    return torch.optim.AdamW(groups, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay,
                             fused=fused or None)


def ordered_names(optimizer: torch.optim.Optimizer, named: list[tuple[str, torch.nn.Parameter]]) -> list[str]:
    """Parameter names in the optimiser's own index order (what its state_dict refers to by number)."""
    by_id = {id(p): n for n, p in named}
    return [by_id[id(p)] for g in optimizer.param_groups for p in g["params"]]
