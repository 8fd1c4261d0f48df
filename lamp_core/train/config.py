"""What a training run is asked to do (TrainConfig) and what it did (TrainResult)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamp_core.errors import LampError


@dataclass
class TrainConfig:
    """Optimiser, schedule and bookkeeping knobs shared by every model trained with :class:`Trainer`.

    ``batch_size`` is per process (under torchrun the effective batch is ``batch_size * world_size``).
    Steps are optimiser updates; ``eval_every``/``checkpoint_every``/``log_every`` <= 0 mean "only at the end".
    """

    max_steps: int = 1000
    batch_size: int = 64
    lr: float = 1e-4
    betas: tuple[float, float] = (0.9, 0.99)
    weight_decay: float = 0.05
    warmup_steps: int = 200
    schedule: str = "cosine"  # or "constant"
    grad_clip: float | None = 1.0
    seed: int = 0
    device: str = "auto"  # auto -> cuda if available else cpu
    amp: bool = True  # bf16 (fp16 + loss scaling where bf16 is unsupported) autocast on CUDA; bf16 on CPUs with native bf16
    eval_every: int = 200
    checkpoint_every: int = 200
    log_every: int = 20
    num_workers: int = 0
    select_metric: str | None = None  # best.safetensors tracks this eval metric
    select_mode: str = "max"  # or "min"
    ddp_find_unused_parameters: bool = False  # for models whose forward skips some trainable parameters

    def __post_init__(self) -> None:
        self.betas = tuple(float(b) for b in self.betas)  # type: ignore[assignment]  (JSON gives a list)
        if self.schedule not in ("cosine", "constant"):
            raise LampError(f"schedule must be 'cosine' or 'constant', got {self.schedule!r}")
        if self.select_mode not in ("max", "min"):
            raise LampError(f"select_mode must be 'max' or 'min', got {self.select_mode!r}")
        if self.max_steps < 0 or self.warmup_steps < 0:
            raise LampError("max_steps and warmup_steps must not be negative")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["betas"] = list(self.betas)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        """Rebuild from ``config.json["train"]``; keys this version does not know are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass
class TrainResult:
    """Outcome of :meth:`Trainer.fit`. Metrics are rank 0's (other ranks get empty dicts)."""

    steps: int  # optimiser steps completed in total (including those before a resume)
    start_step: int  # where this call started (> 0 after a resume)
    out_dir: Path
    last_path: Path
    best_path: Path | None = None
    config_path: Path | None = None
    metrics_path: Path | None = None
    train_metrics: dict[str, float] = field(default_factory=dict)  # last logged training scalars
    eval_metrics: dict[str, float] = field(default_factory=dict)  # last evaluation
    best_metric: float | None = None
    best_step: int | None = None
    elapsed_s: float = 0.0
