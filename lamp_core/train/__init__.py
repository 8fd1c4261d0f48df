"""Training harness shared by the LaMP models: one loop for CPU, one GPU or torchrun/DDP.

Typical use::

    seed_everything(cfg.seed)                      # repeatable model init
    model = build_model()
    result = Trainer(model, train_set, loss_fn, "runs/qformer", cfg, eval_fn=evaluate).fit()
    load_trainable(fresh_model, result.best_path or result.last_path)
"""

from __future__ import annotations

from lamp_core.train.checkpoint import load_trainable
from lamp_core.train.config import TrainConfig, TrainResult
from lamp_core.train.data import seed_everything
from lamp_core.train.optim import lr_factor
from lamp_core.train.trainer import Trainer

__all__ = ["TrainConfig", "TrainResult", "Trainer", "load_trainable", "lr_factor", "seed_everything"]
