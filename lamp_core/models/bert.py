"""BERT building blocks in plain torch, loadable from MiniLM's Hugging Face weights.

Written out (rather than wrapping transformers' BertModel) because the Q-Former needs what
BertModel does not expose cleanly: query tokens that share self-attention with the text but have
their own feed-forward blocks, cross-attention to motion every second layer, and three attention
patterns (text only, bidirectional text+queries, causal text over queries). A test checks the
text-only path reproduces transformers' BertModel exactly.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..text.minilm import BertShape


class Attention(nn.Module):
    """Multi-head attention with BERT's post-norm residual: LayerNorm(x + out(attn(x, kv)))."""

    def __init__(self, hidden: int, heads: int, kv_dim: int | None = None, dropout: float = 0.1, eps: float = 1e-12):
        super().__init__()
        kv_dim = kv_dim or hidden
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(kv_dim, hidden)
        self.value = nn.Linear(kv_dim, hidden)
        self.dense = nn.Linear(hidden, hidden)
        self.norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, kv: torch.Tensor | None = None, mask: torch.Tensor | None = None) -> torch.Tensor:
        """``mask``: bool, True = may attend; broadcastable to (B, heads, Lq, Lk)."""
        kv = x if kv is None else kv
        B, Lq, H = x.shape
        Lk = kv.shape[1]
        d = H // self.heads
        q = self.query(x).view(B, Lq, self.heads, d).transpose(1, 2)
        k = self.key(kv).view(B, Lk, self.heads, d).transpose(1, 2)
        v = self.value(kv).view(B, Lk, self.heads, d).transpose(1, 2)
        p = self.dropout if self.training else 0.0
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        a = a.transpose(1, 2).reshape(B, Lq, H)
        return self.norm(x + F.dropout(self.dense(a), p, self.training))


class FeedForward(nn.Module):
    def __init__(self, hidden: int, inner: int, dropout: float = 0.1, eps: float = 1e-12):
        super().__init__()
        self.inner = nn.Linear(hidden, inner)
        self.outer = nn.Linear(inner, hidden)
        self.norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.outer(F.gelu(self.inner(x)))
        return self.norm(x + F.dropout(y, self.dropout, self.training))


class Embeddings(nn.Module):
    """Word + position + token-type embeddings, LayerNorm, dropout (BERT's input layer)."""

    def __init__(self, shape: BertShape, dropout: float = 0.1):
        super().__init__()
        self.word = nn.Embedding(shape.vocab_size, shape.hidden, padding_idx=shape.pad_token_id)
        self.position = nn.Embedding(shape.max_positions, shape.hidden)
        self.token_type = nn.Embedding(shape.type_vocab, shape.hidden)
        self.norm = nn.LayerNorm(shape.hidden, eps=shape.layer_norm_eps)
        self.dropout = dropout

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.word(ids) + self.position(pos)[None] + self.token_type.weight[0]
        return F.dropout(self.norm(x), self.dropout, self.training)

    def norm_only(self, x: torch.Tensor) -> torch.Tensor:
        """Query tokens go through the same LayerNorm and dropout, without word or position embeddings."""
        return F.dropout(self.norm(x), self.dropout, self.training)


def attention_mask(valid: torch.Tensor, n_query: int = 0, causal_text: bool = False,
                   query_sees_text: bool = True) -> torch.Tensor:
    """Bool (B, 1, L, L) mask for a sequence of ``n_query`` queries followed by text whose padding is
    ``~valid`` (B, Lt). Patterns: bidirectional (matching), causal text with queries visible to the
    text but the text hidden from the queries (generation), queries alone (``valid`` with Lt = 0)."""
    B, Lt = valid.shape
    L = n_query + Lt
    keys = torch.cat([torch.ones(B, n_query, dtype=torch.bool, device=valid.device), valid], 1)
    m = keys[:, None, None, :].expand(B, 1, L, L).clone()
    if causal_text and Lt:
        tri = torch.ones(Lt, Lt, dtype=torch.bool, device=valid.device).tril()
        m[:, :, n_query:, n_query:] &= tri
    if n_query and Lt and (causal_text or not query_sees_text):
        m[:, :, :n_query, n_query:] = False
    return m


def bert_key_map(layers: int) -> dict[str, str]:
    """Our parameter names -> the Hugging Face BertModel names they are loaded from."""
    out = {
        "embeddings.word.weight": "embeddings.word_embeddings.weight",
        "embeddings.position.weight": "embeddings.position_embeddings.weight",
        "embeddings.token_type.weight": "embeddings.token_type_embeddings.weight",
        "embeddings.norm.weight": "embeddings.LayerNorm.weight",
        "embeddings.norm.bias": "embeddings.LayerNorm.bias",
    }
    for i in range(layers):
        hf = f"encoder.layer.{i}."
        ours = f"layers.{i}."
        for a, b in (("query", "attention.self.query"), ("key", "attention.self.key"),
                     ("value", "attention.self.value"), ("dense", "attention.output.dense"),
                     ("norm", "attention.output.LayerNorm")):
            for p in ("weight", "bias"):
                out[f"{ours}self_attn.{a}.{p}"] = f"{hf}{b}.{p}"
        for ff in ("text_ff", "query_ff"):  # the query FF starts as a copy of the text one (BLIP-2)
            for a, b in (("inner", "intermediate.dense"), ("outer", "output.dense"), ("norm", "output.LayerNorm")):
                for p in ("weight", "bias"):
                    out[f"{ours}{ff}.{a}.{p}"] = f"{hf}{b}.{p}"
    return out


def init_weights(module: nn.Module, std: float = 0.02) -> None:
    """BERT's initialisation for the parts that are not loaded (cross-attention, heads)."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def sinusoid(n: int, dim: int) -> torch.Tensor:
    pos = torch.arange(n, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    pe = torch.zeros(n, dim)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)
    return pe


class TextLayer(nn.Module):
    def __init__(self, shape: BertShape, dropout: float = 0.1):
        super().__init__()
        self.self_attn = Attention(shape.hidden, shape.heads, dropout=dropout, eps=shape.layer_norm_eps)
        self.text_ff = FeedForward(shape.hidden, shape.intermediate, dropout, shape.layer_norm_eps)

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.text_ff(self.self_attn(h, mask=mask))


class TextEncoder(nn.Module):
    """Plain BERT text encoder (the baseline's text side), loadable from MiniLM."""

    def __init__(self, shape: BertShape, dropout: float = 0.1):
        super().__init__()
        self.embeddings = Embeddings(shape, dropout)
        self.layers = nn.ModuleList(TextLayer(shape, dropout) for _ in range(shape.layers))

    def load_bert(self, src: dict) -> None:
        own = self.state_dict()
        with torch.no_grad():
            for ours, theirs in bert_key_map(len(self.layers)).items():
                if ours in own:
                    own[ours].copy_(src[theirs])

    def forward(self, ids: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        h = self.embeddings(ids)
        mask = attention_mask(valid)
        for layer in self.layers:
            h = layer(h, mask)
        return h
