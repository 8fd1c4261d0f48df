"""MoMask's residual transformer: codebooks 1..Q-1 of the residual VQ from the coarser ones.

The residual VQ codes each position as a sum of Q codebook entries, each refining the last, so
codebook q is predicted from the SUM of the embeddings of codebooks 0..q-1 (the coarse motion so
far), a learned embedding saying which q is wanted, and the text condition. Attention is
bidirectional over the valid positions: all coarser codes are known, nothing is generated left to
right. Codebooks are filled one after another in a single pass each (Q-1 forwards in all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import Cancelled
from .bert import init_weights, sinusoid
from .conv import step_mask
from .masked import (
    ConditionToken,
    PreNormBlock,
    TokenTransformerShape,
    guided_logits,
    gumbel_sample,
    randint,
    topk_filter,
    uniform,
)


@dataclass(frozen=True)
class ResidualTransformerConfig(TokenTransformerShape):
    n_quantizers: int = 6
    cond_drop: float = 0.2

    def __post_init__(self):
        super().__post_init__()
        if self.n_quantizers < 2:
            raise ValueError("a residual transformer needs at least 2 quantizers")


class ResidualTransformer(nn.Module):
    """(B, N, Q) codes + which codebook q to predict (B,) + condition -> (B, N, n_codes) logits.

    Separate input embeddings per codebook (the same code index means different vectors in
    different codebooks) and a separate output head per predicted codebook. MoMask optionally ties
    each head to the next codebook's input embedding; it is left out here for simplicity."""

    def __init__(self, cfg: ResidualTransformerConfig = ResidualTransformerConfig()):
        super().__init__()
        self.cfg = cfg
        Q, W = cfg.n_quantizers, cfg.width
        # codebooks 0..Q-2 are ever inputs; the last one only ever an output
        self.token = nn.Parameter(torch.randn(Q - 1, cfg.n_codes, W) * 0.02)
        self.quant = nn.Embedding(Q, W)  # row q: "predict codebook q" (row 0 unused)
        self.cond = ConditionToken(cfg.cond_dim, W)
        # positions 0 and 1 are the condition and codebook tokens
        self.register_buffer("pos", sinusoid(cfg.max_tokens + 2, W), persistent=False)
        self.blocks = nn.ModuleList(PreNormBlock(W, cfg.heads, cfg.ff, cfg.dropout) for _ in range(cfg.layers))
        self.norm = nn.LayerNorm(W)
        self.head_w = nn.Parameter(torch.randn(Q - 1, W, cfg.n_codes) * 0.02)  # head q-1 predicts codebook q
        self.head_b = nn.Parameter(torch.zeros(Q - 1, cfg.n_codes))
        init_weights(self)
        nn.init.normal_(self.quant.weight, std=0.02)

    def embed(self, codes: torch.Tensor, q: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Sum of the embeddings of codebooks 0..q-1 at valid positions: (B, N, W). Codes of
        codebooks >= q and of padding are never looked up, so they may hold anything."""
        Q = codes.shape[2]
        books = torch.arange(Q - 1, device=codes.device)
        use = valid[:, :, None] & (books[None, None, :] < q[:, None, None])  # (B, N, Q-1)
        c = torch.where(use, codes[:, :, :Q - 1], 0)  # (B, N, Q-1)
        e = self.token[books[None, None, :], c]  # (B, N, Q-1, W)
        return (e * use[..., None].to(e.dtype)).sum(2)  # (B, N, Q-1, W) -> (B, N, W)

    def forward(self, codes: torch.Tensor, q: torch.Tensor, cond: torch.Tensor, lengths: torch.Tensor,
                drop_cond: torch.Tensor | None = None) -> torch.Tensor:
        """(B, N, Q) codes, (B,) codebook to predict in [1, Q-1], (B, cond_dim) condition, (B,) valid
        lengths in tokens, optional (B,) bool condition dropout -> (B, N, n_codes) logits."""
        B, N, Q = codes.shape
        if Q != self.cfg.n_quantizers:
            raise ValueError(f"codes have {Q} codebooks, the model {self.cfg.n_quantizers}")
        if N > self.cfg.max_tokens:
            raise ValueError(f"{N} tokens is more than max_tokens={self.cfg.max_tokens}")
        valid = step_mask(lengths, N)  # (B, N)
        prefix = torch.cat([self.cond(cond, drop_cond), self.quant(q)[:, None]], 1)  # (B, 2, W)
        x = torch.cat([prefix, self.embed(codes, q, valid)], 1) + self.pos[:N + 2]  # (B, N+2, W)
        x = F.dropout(x, self.cfg.dropout, self.training)
        keys = torch.cat([torch.ones_like(valid[:, :1]).expand(B, 2), valid], 1)  # (B, N+2)
        mask = keys[:, None, None, :]  # (B, N+2) -> (B, 1, 1, N+2): padding is a key nobody sees
        for block in self.blocks:
            x = block(x, mask)
        h = self.norm(x[:, 2:])  # (B, N, W)
        return torch.einsum("bnw,bwc->bnc", h, self.head_w[q - 1]) + self.head_b[q - 1][:, None]


def residual_loss(model: ResidualTransformer, codes: torch.Tensor, lengths: torch.Tensor, cond: torch.Tensor,
                  generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Per sample a codebook q ~ U{1..Q-1}; cross-entropy on its valid positions given codebooks
    < q. The condition is dropped with probability ``cfg.cond_drop`` (for guidance)."""
    cfg = model.cfg
    B, N, Q = codes.shape
    dev = codes.device
    valid = step_mask(lengths, N)  # (B, N)
    q = randint(1, Q, (B,), generator, dev)
    target = codes.gather(2, q[:, None, None].expand(B, N, 1))[..., 0]  # (B, N, 1) -> (B, N)
    drop = uniform((B,), generator, dev) < cfg.cond_drop
    logits = model(codes, q, cond, lengths, drop)[valid]  # (n_valid, n_codes)
    target = target[valid]
    loss = F.cross_entropy(logits, target)
    acc = (logits.argmax(-1) == target).float().mean()
    return {"loss": loss, "acc": acc.detach()}


@torch.no_grad()
def generate_residual(model: ResidualTransformer, codes0: torch.Tensor, cond: torch.Tensor, lengths: torch.Tensor,
                      guidance: float = 2.0, temperature: float = 1.0, generator: torch.Generator | None = None,
                      cancel: Callable[[], bool] | None = None, topk_ratio: float = 0.9,
                      progress: Callable[[int, int], None] | None = None) -> torch.Tensor:
    """(B, N) codebook-0 codes -> (B, N, Q) all codebooks, codebook 0 unchanged at valid positions.
    Codebooks 1..Q-1 in order, each with classifier-free guidance (skipped when ``guidance`` == 1),
    greedy when ``temperature`` == 0, else top-k filtered (as MoMask) and sampled. Padded positions
    hold 0 in every codebook. ``cancel()`` returning True raises ``Cancelled`` before a codebook;
    ``progress(done, Q - 1)`` after each one."""
    B, N = codes0.shape
    Q = model.cfg.n_quantizers
    valid = step_mask(lengths, N)  # (B, N)
    codes = torch.zeros(B, N, Q, dtype=torch.long, device=codes0.device)
    codes[..., 0] = torch.where(valid, codes0, 0)
    for qi in range(1, Q):
        if cancel is not None and cancel():
            raise Cancelled("motion generation was cancelled")
        q = torch.full((B,), qi, dtype=torch.long, device=codes0.device)
        logits = guided_logits(model, (codes, q, cond, lengths), guidance)  # (B, N, n_codes)
        pred = gumbel_sample(topk_filter(logits, topk_ratio) if temperature > 0 else logits, temperature, generator)
        codes[..., qi] = torch.where(valid, pred, 0)
        if progress is not None:
            progress(qi, Q - 1)
    return codes
