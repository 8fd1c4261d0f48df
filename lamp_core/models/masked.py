"""MoMask/LaMP's masked transformer: text condition -> codebook-0 motion tokens.

Training hides a cosine-scheduled random subset of the tokens and learns to fill them in (BERT
style, with the condition as one extra token in front); generation starts from an all-masked
sequence and commits the most confident predictions over a few steps, re-masking the rest. The
``attention`` setting reproduces the LaMP paper's ablation, including the official code's
"additive" pattern (see ``MaskedTransformerConfig``).

Sampling draws every random number from the ``torch.Generator`` passed in, so a seed reproduces a
result. Dropout (training only) uses torch's global RNG, which has no generator argument.
The small helpers here (config dicts, sampling, classifier-free guidance, the pre-norm block) are
shared by ``residual.py`` and ``length.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import Cancelled
from .bert import init_weights, sinusoid
from .conv import step_mask

ATTENTION_MODES = ("bidirectional", "causal", "additive")


class ConfigDictMixin:
    """to_dict/from_dict for flat dataclass configs; unknown keys (from a newer version) are ignored
    so older code can still read the fields it knows."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict):
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class TokenTransformerShape(ConfigDictMixin):
    """What the masked and residual transformers share: codebook, sequence and network size."""
    n_codes: int = 512
    max_tokens: int = 49
    width: int = 384
    layers: int = 6
    heads: int = 6
    ff: int = 1024
    dropout: float = 0.2
    cond_dim: int = 384

    def __post_init__(self):
        if self.width % self.heads or self.width % 2:
            raise ValueError(f"width {self.width} must be even and divisible by heads {self.heads}")


@dataclass(frozen=True)
class MaskedTransformerConfig(TokenTransformerShape):
    """``attention``: "bidirectional" (every token sees every valid token), "causal" (position i
    sees the condition and positions <= i: the paper's autoregressive masked prediction) or
    "additive" (the official code's bug: a float 0/1 lower-triangular matrix given as
    ``attn_mask``, which PyTorch adds to the attention logits, so future tokens are merely
    down-weighted by a factor e, not hidden; padding is still masked with -inf)."""

    attention: str = "causal"
    cond_drop: float = 0.1

    def __post_init__(self):
        super().__post_init__()
        if self.attention not in ATTENTION_MODES:
            raise ValueError(f"attention must be one of {ATTENTION_MODES}, not {self.attention!r}")

    @property
    def mask_id(self) -> int:
        return self.n_codes

    @property
    def pad_id(self) -> int:
        return self.n_codes + 1


# ---------------------------------------------------------------- randomness and sampling helpers

def uniform(shape: Sequence[int], generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """U[0,1) drawn on the generator's own device (torch requires it), then moved to ``device``."""
    where = generator.device if generator is not None else device
    return torch.rand(tuple(shape), generator=generator, device=where).to(device)


def randint(low: int, high: int, shape: Sequence[int], generator: torch.Generator | None,
            device: torch.device) -> torch.Tensor:
    where = generator.device if generator is not None else device
    return torch.randint(low, high, tuple(shape), generator=generator, device=where).to(device)


def topk_filter(logits: torch.Tensor, ratio: float) -> torch.Tensor:
    """MoMask's filter: keep the top ceil((1 - ratio) * vocab) logits (10% for ratio 0.9), -inf
    elsewhere, so sampling never picks a very unlikely code."""
    if ratio <= 0:
        return logits
    k = max(1, math.ceil((1 - ratio) * logits.shape[-1]))
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, float("-inf"))


def gumbel_sample(logits: torch.Tensor, temperature: float, generator: torch.Generator | None) -> torch.Tensor:
    """argmax(logits / T + Gumbel noise): an exact sample from softmax(logits / T); greedy when T <= 0."""
    if temperature <= 0:
        return logits.argmax(-1)
    u = uniform(logits.shape, generator, logits.device).clamp(1e-20, 1.0)
    noise = -torch.log((-torch.log(u)).clamp_min(1e-20))
    return (logits / temperature + noise).argmax(-1)


def guided_logits(model: nn.Module, inputs: Sequence[torch.Tensor], guidance: float) -> torch.Tensor:
    """Classifier-free guidance, uncond + s * (cond - uncond), from ONE forward on the batch doubled
    (second half with the condition dropped). ``model(*inputs, drop_cond=...)``; inputs batch-first."""
    if guidance == 1:
        return model(*inputs, drop_cond=None)
    B = inputs[0].shape[0]
    doubled = [torch.cat([x, x]) for x in inputs]
    drop = torch.arange(2 * B, device=inputs[0].device) >= B
    both = model(*doubled, drop_cond=drop)
    cond, uncond = both[:B], both[B:]
    return uncond + guidance * (cond - uncond)


def cosine_gamma(t: torch.Tensor | float) -> torch.Tensor:
    """The masking schedule gamma(t) = cos(pi t / 2): 1 (all masked) at t=0, 0 at t=1."""
    return torch.cos(torch.as_tensor(t, dtype=torch.float32) * math.pi / 2)


# ---------------------------------------------------------------- model

class PreNormBlock(nn.Module):
    """x + Attn(LN(x)); x + FF(LN(x)). Pre-norm trains stably without warm-up tricks at these sizes."""

    def __init__(self, width: int, heads: int, ff: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.ff_in = nn.Linear(width, ff)
        self.ff_out = nn.Linear(ff, width)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``mask``: bool (True = may attend) or float (added to the logits), broadcastable to
        (B, heads, L, L)."""
        B, L, W = x.shape
        p = self.dropout if self.training else 0.0
        # (B, L, 3W) -> (B, L, 3, heads, d) -> (3, B, heads, L, d)
        q, k, v = self.qkv(self.norm1(x)).view(B, L, 3, self.heads, W // self.heads).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        a = a.transpose(1, 2).reshape(B, L, W)  # (B, heads, L, d) -> (B, L, W)
        x = x + F.dropout(self.proj(a), p, self.training)
        y = self.ff_out(F.dropout(F.gelu(self.ff_in(self.norm2(x))), p, self.training))
        return x + F.dropout(y, p, self.training)


class ConditionToken(nn.Module):
    """Projects the (B, cond_dim) condition to one (B, 1, width) token; a dropped condition is
    replaced by a learned null vector, which classifier-free guidance uses as 'unconditional'."""

    def __init__(self, cond_dim: int, width: int):
        super().__init__()
        self.proj = nn.Linear(cond_dim, width)
        self.null = nn.Parameter(torch.zeros(cond_dim))

    def forward(self, cond: torch.Tensor, drop: torch.Tensor | None) -> torch.Tensor:
        if drop is not None:
            cond = torch.where(drop[:, None], self.null.to(cond.dtype)[None], cond)
        return self.proj(cond)[:, None]  # (B, cond_dim) -> (B, 1, W)


class MaskedTransformer(nn.Module):
    """Token ids (codes, MASK, PAD) plus a condition token -> codebook-0 logits at every position."""

    def __init__(self, cfg: MaskedTransformerConfig = MaskedTransformerConfig()):
        super().__init__()
        self.cfg = cfg
        self.token = nn.Embedding(cfg.n_codes + 2, cfg.width)
        self.cond = ConditionToken(cfg.cond_dim, cfg.width)
        # sinusoidal positions: parameter-free, position 0 is the condition token
        self.register_buffer("pos", sinusoid(cfg.max_tokens + 1, cfg.width), persistent=False)
        self.blocks = nn.ModuleList(PreNormBlock(cfg.width, cfg.heads, cfg.ff, cfg.dropout) for _ in range(cfg.layers))
        self.norm = nn.LayerNorm(cfg.width)
        self.head = nn.Linear(cfg.width, cfg.n_codes)
        init_weights(self)
        nn.init.normal_(self.token.weight, std=0.02)

    def attention_mask(self, keys: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """(B, L) valid keys (condition token first) -> the mask for ``cfg.attention``."""
        L = keys.shape[1]
        keys = keys[:, None, None, :]  # (B, L) -> (B, 1, 1, L)
        if self.cfg.attention == "bidirectional":
            return keys
        tri = torch.ones(L, L, dtype=torch.bool, device=keys.device).tril()
        if self.cfg.attention == "causal":
            return keys & tri  # (B, 1, L, L)
        # "additive": what the official code does -- a 0/1 float matrix is ADDED to the logits
        return tri.to(dtype).masked_fill(~keys, float("-inf"))  # (B, 1, L, L)

    def forward(self, ids: torch.Tensor, cond: torch.Tensor, lengths: torch.Tensor,
                drop_cond: torch.Tensor | None = None) -> torch.Tensor:
        """(B, N) ids, (B, cond_dim) condition, (B,) valid lengths in tokens, optional (B,) bool
        condition dropout -> (B, N, n_codes) logits. Whatever is stored past ``lengths`` is ignored."""
        N = ids.shape[1]
        if N > self.cfg.max_tokens:
            raise ValueError(f"{N} tokens is more than max_tokens={self.cfg.max_tokens}")
        valid = step_mask(lengths, N)  # (B, N)
        ids = torch.where(valid, ids, self.cfg.pad_id)
        x = torch.cat([self.cond(cond, drop_cond), self.token(ids)], 1) + self.pos[:N + 1]  # (B, N+1, W)
        x = F.dropout(x, self.cfg.dropout, self.training)
        keys = torch.cat([torch.ones_like(valid[:, :1]), valid], 1)  # (B, N+1)
        mask = self.attention_mask(keys, x.dtype)
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.norm(x[:, 1:]))  # (B, N, n_codes)


# ---------------------------------------------------------------- training

def masked_loss(model: MaskedTransformer, codes0: torch.Tensor, lengths: torch.Tensor, cond: torch.Tensor,
                generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """MoMask's objective. Per sample t ~ U(0,1); max(1, round(cos(pi t/2) * len)) random valid
    positions are chosen; of those 80% become MASK, 10% a random code, 10% stay; cross-entropy on
    the chosen positions only. The condition is dropped with probability ``cfg.cond_drop`` so the
    same model also learns the unconditional distribution guidance needs. ``lengths`` in tokens."""
    cfg = model.cfg
    B, N = codes0.shape
    dev = codes0.device
    valid = step_mask(lengths, N)  # (B, N)
    t = uniform((B,), generator, dev)
    n_mask = (cosine_gamma(t).to(dev) * valid.sum(1)).round().clamp(min=1)  # (B,)
    order = uniform((B, N), generator, dev).masked_fill(~valid, 2.0)  # padding sorts last
    rank = order.argsort(1).argsort(1)  # (B, N): each position's place in a random order
    chosen = valid & (rank < n_mask[:, None])
    u = uniform((B, N), generator, dev)
    random_codes = randint(0, cfg.n_codes, (B, N), generator, dev)
    ids = torch.where(chosen & (u >= 0.2), cfg.mask_id, codes0)
    ids = torch.where(chosen & (u < 0.1), random_codes, ids)
    drop = uniform((B,), generator, dev) < cfg.cond_drop
    logits = model(ids, cond, lengths, drop)[chosen]  # (n_chosen, n_codes)
    target = codes0[chosen]
    loss = F.cross_entropy(logits, target)
    acc = (logits.argmax(-1) == target).float().mean()
    return {"loss": loss, "acc": acc.detach()}


# ---------------------------------------------------------------- generation

@torch.no_grad()
def generate(model: MaskedTransformer, cond: torch.Tensor, lengths: torch.Tensor, steps: int = 10,
             guidance: float = 4.0, temperature: float = 1.0, topk_ratio: float = 0.9,
             generator: torch.Generator | None = None, known: torch.Tensor | None = None,
             progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None) -> torch.Tensor:
    """MoMask's iterative confidence-based decoding -> (B, N) codebook-0 codes.

    N is ``known.shape[1]`` when ``known`` is given, else max(lengths). ``known`` holds a code where
    a token is fixed (inpainting, key poses) and -1 where it is to be generated; known tokens are
    visible from the first step and returned unchanged. Each step predicts every masked position
    (top-k filtered, Gumbel-max sampled at ``temperature``), then re-masks the round(gamma((k+1)/steps)
    * n_unknown) least confident of the positions predicted in that step (confidence = guided
    probability of the sampled code); committed tokens stay. Padded positions (>= length) return 0,
    a valid code, so the result can go straight to a tokenizer decoder that masks by length.
    ``progress(done, steps)`` is called after each step; ``cancel()`` returning True raises
    ``Cancelled`` before the next one. The caller sets model.eval()."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    cfg = model.cfg
    B = cond.shape[0]
    dev = cond.device
    N = known.shape[1] if known is not None else int(lengths.max())
    valid = step_mask(lengths, N)  # (B, N)
    if known is None:
        known = torch.full((B, N), -1, dtype=torch.long, device=dev)
    is_known = valid & (known >= 0)
    masked = valid & ~is_known
    n_unknown = masked.sum(1)  # (B,)
    ids = torch.where(is_known, known, cfg.mask_id)
    for k in range(steps):
        if cancel is not None and cancel():
            raise Cancelled("motion generation was cancelled")
        logits = guided_logits(model, (ids, cond, lengths), guidance)  # (B, N, n_codes)
        sampled = gumbel_sample(topk_filter(logits, topk_ratio), temperature, generator)  # (B, N)
        ids = torch.where(masked, sampled, ids)
        conf = logits.softmax(-1).gather(-1, sampled[..., None])[..., 0]  # (B, N, 1) -> (B, N)
        conf = conf.masked_fill(~masked, float("inf"))  # only this step's predictions may go back
        n_remask = (cosine_gamma((k + 1) / steps).to(dev) * n_unknown).round()  # (B,)
        masked = conf.argsort(1).argsort(1) < n_remask[:, None]
        ids = torch.where(masked, cfg.mask_id, ids)
        if progress is not None:
            progress(k + 1, steps)
    return torch.where(valid, ids, 0)
