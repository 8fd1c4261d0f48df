"""How a shipped bundle stores weights: float16, or int8 with one float32 scale per output row for the
large matrices (the rest float16). Loading widens everything back to float32, so models never see it.

int8 halves a float16 bundle again, which is what fits tokenizer, LaMP, generators and captioner in the
40 MB budget; per-row absmax scaling keeps each weight within 0.4% of its row's largest.
"""

from __future__ import annotations

import torch

SCALE = ".int8_scale"
MIN_INT8 = 65536                                   # smaller tensors are not worth it: stored as float16
EXACT = ("feature_mean", "feature_std", "query_mean", "query_std")   # normalisation stays float32
DROP = (".code_sum", ".code_count")                # a tokenizer's EMA statistics only matter for training it further
MODES = ("float32", "float16", "int8")


def compress(tensors: dict[str, torch.Tensor], mode: str) -> dict[str, torch.Tensor]:
    if mode not in MODES:
        raise ValueError(f"weight storage must be one of {MODES}, not {mode!r}")
    if mode == "float32":
        return dict(tensors)
    out = {}
    for k, v in tensors.items():
        if k.endswith(DROP):
            continue
        if not v.is_floating_point() or k.endswith(EXACT):
            out[k] = v
        elif mode == "int8" and v.ndim >= 2 and v.numel() >= MIN_INT8:
            rows = v.float().reshape(v.shape[0], -1)
            scale = rows.abs().amax(1).clamp_min(1e-12) / 127.0
            out[k] = torch.round(rows / scale[:, None]).clamp(-127, 127).to(torch.int8).reshape(v.shape)
            out[k + SCALE] = scale.float()          # one float32 per row: exact, and tiny
        else:
            out[k] = v.half()
    return out


def expand(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """int8 matrices back to float32 (other tensors are cast when loaded into the model)."""
    out = {}
    for k, v in tensors.items():
        if k.endswith(SCALE):
            continue
        scale = tensors.get(k + SCALE)
        if scale is not None:
            out[k] = (v.float().reshape(v.shape[0], -1) * scale.float()[:, None]).reshape(v.shape)
        else:
            out[k] = v
    return out
