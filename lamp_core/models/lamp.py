"""LaMP: the language-motion Q-Former (ICLR 2025), initialised from MiniLM.

Learnable query tokens, one per motion-token position, run through the text transformer's layers
(shared self-attention, their own feed-forward blocks) and cross-attend to the convolutional motion
features every second layer. One text space, aligned to motion, serves retrieval, generation and
captioning. Losses are in ``lamp_losses.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..text.minilm import BertShape, bert_shape, bert_state_dict
from .bert import Attention, Embeddings, FeedForward, attention_mask, bert_key_map, init_weights, sinusoid
from .conv import ConvConfig, ModelConfigMixin, MotionConvEncoder, step_mask
from .lora import add_lora, freeze_embeddings

DEC_TOKEN_ID = 1  # "[unused0]" in BERT's vocabulary marks decoding, as BLIP-2's [DEC]


@dataclass(frozen=True)
class LaMPConfig(ModelConfigMixin):
    max_frames: int = 196
    embed_dim: int = 256                 # the shared retrieval space
    cross_every: int = 2                 # cross-attention to motion in layers 0, 2, 4 (BLIP-2's freq 2)
    dropout: float = 0.1
    max_text_tokens: int = 64
    conv: ConvConfig = field(default_factory=ConvConfig)
    temperature: float = 0.07
    freeze_word_embeddings: bool = True  # 30522 x 384 stay MiniLM's; not saved with the model
    pretrained: bool = True              # False: random init (tests)
    text_layers: int = 0                 # 0: all of MiniLM's 6 layers; fewer (its first k) for small tests
    n_codes: int = 0                     # the tokenizer's codebook size: > 0 adds the text -> motion-token head
    lora_rank: int = 0                   # > 0: MiniLM's matrices stay frozen (not saved), rank-r updates train

    @property
    def n_query(self) -> int:
        return self.max_frames // (2 ** self.conv.down)



class QFormerLayer(nn.Module):
    def __init__(self, shape: BertShape, cross: bool, motion_dim: int, dropout: float):
        super().__init__()
        H = shape.hidden
        self.self_attn = Attention(H, shape.heads, dropout=dropout, eps=shape.layer_norm_eps)
        self.cross_attn = Attention(H, shape.heads, kv_dim=motion_dim, dropout=dropout,
                                    eps=shape.layer_norm_eps) if cross else None
        self.text_ff = FeedForward(H, shape.intermediate, dropout, shape.layer_norm_eps)
        self.query_ff = FeedForward(H, shape.intermediate, dropout, shape.layer_norm_eps)

    def forward(self, h, n_query, mask, motion=None, motion_keep=None):
        h = self.self_attn(h, mask=mask)
        q, t = h[:, :n_query], h[:, n_query:]
        if n_query:
            if self.cross_attn is not None and motion is not None:
                q = self.cross_attn(q, kv=motion, mask=motion_keep[:, None, None, :])
            q = self.query_ff(q)
        if t.shape[1]:
            t = self.text_ff(t)
        return torch.cat([q, t], 1)


class LaMP(nn.Module):
    def __init__(self, cfg: LaMPConfig = LaMPConfig()):
        super().__init__()
        self.cfg = cfg
        self.shape = shape = bert_shape(layers=cfg.text_layers)
        H = shape.hidden
        self.embeddings = Embeddings(shape, cfg.dropout)
        self.layers = nn.ModuleList(QFormerLayer(shape, i % cfg.cross_every == 0, cfg.conv.out_dim, cfg.dropout)
                                    for i in range(shape.layers))
        self.query_tokens = nn.Parameter(torch.randn(1, cfg.n_query, H) * 0.02)
        self.motion_encoder = MotionConvEncoder(cfg.conv)
        self.register_buffer("motion_pos", sinusoid(cfg.n_query, cfg.conv.out_dim), persistent=False)
        self.motion_norm = nn.LayerNorm(cfg.conv.out_dim)  # BLIP-2's ln_vision: cross-attention reads unit-scale states
        self.text_proj = nn.Linear(H, cfg.embed_dim)
        self.motion_proj = nn.Linear(H, cfg.embed_dim)
        self.itm_head = nn.Linear(H, 2)
        # Text -> motion tokens (loss 4) and the generator's condition: the queries read the text's states
        # through the same cross-attention layers that read motion, via text_kv. Only with a tokenizer:
        # without loss 4 that path would be untrained.
        self.text_kv = nn.Linear(H, cfg.conv.out_dim) if cfg.n_codes else None
        self.token_head = nn.Linear(H, cfg.n_codes) if cfg.n_codes else None
        self.lm_transform = nn.Sequential(nn.Linear(H, H), nn.GELU(), nn.LayerNorm(H, eps=shape.layer_norm_eps))
        self.lm_bias = nn.Parameter(torch.zeros(shape.vocab_size))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / cfg.temperature)))
        init_weights(self)
        nn.init.normal_(self.embeddings.word.weight, std=0.02)
        if cfg.pretrained:
            self.load_pretrained_text()
        if cfg.freeze_word_embeddings:
            self.embeddings.word.weight.requires_grad_(False)
        if cfg.lora_rank:
            add_lora(self, cfg.lora_rank)
            freeze_embeddings(self.embeddings)

    # ------------------------------------------------------------------ weights
    def load_pretrained_text(self) -> None:
        """MiniLM's embeddings and layers into the text path; query FFs start as copies of the text FFs."""
        src = bert_state_dict()
        own = self.state_dict()
        with torch.no_grad():
            for ours, theirs in bert_key_map(self.shape.layers).items():
                own[ours].copy_(src[theirs])

    def frozen_names(self) -> set[str]:
        return {n for n, p in self.named_parameters() if not p.requires_grad}

    # ------------------------------------------------------------------ encoders
    def encode_motion(self, feats: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, 263) normalised features -> conv states (B, T/4, C) with positions, and their validity."""
        h, n = self.motion_encoder(feats, lengths)
        h = self.motion_norm(h) + 0.1 * self.motion_pos[: h.shape[1]]
        return h, step_mask(n, h.shape[1])

    def _run(self, h, n_query, mask, motion=None, motion_keep=None):
        for layer in self.layers:
            h = layer(h, n_query, mask, motion, motion_keep)
        return h

    def text_states(self, ids: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Text alone through the transformer (unimodal, as MiniLM)."""
        return self._run(self.embeddings(ids), 0, attention_mask(valid))

    def query_states(self, motion, motion_keep) -> torch.Tensor:
        """Queries alone, reading the motion through cross-attention: (B, Q, H)."""
        B = motion.shape[0]
        q = self.embeddings.norm_only(self.query_tokens.expand(B, -1, -1))
        valid = torch.ones(B, 0, dtype=torch.bool, device=motion.device)
        return self._run(q, q.shape[1], attention_mask(valid, q.shape[1]), motion, motion_keep)

    def text_query_states(self, ids: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Queries reading the text (instead of a motion) through cross-attention: (B, Q, H). Drives the
        text -> motion-token loss and gives the generator its condition."""
        if self.text_kv is None:
            raise ValueError("this LaMP was trained without a tokenizer: it has no text -> motion path "
                             "(train it with [inputs] tokenizer = ...)")
        kv = self.text_kv(self.text_states(ids, valid))
        return self.query_states(kv, valid)

    def text_condition(self, ids: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The generator's text features: (B, H) mean of the text-reading queries, and (B, Q, H) all of them."""
        q = self.text_query_states(ids, valid)
        return q.mean(1), q

    def motion_token_logits(self, ids: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """(B, Q, n_codes): each query's guess of the coarse motion token at its position, from text alone."""
        return self.token_head(self.text_query_states(ids, valid))

    def fused_states(self, motion, motion_keep, ids, valid, causal: bool = False) -> torch.Tensor:
        """Queries followed by text: bidirectional (matching) or causal text over the queries (generation)."""
        B = ids.shape[0]
        q = self.embeddings.norm_only(self.query_tokens.expand(B, -1, -1))
        h = torch.cat([q, self.embeddings(ids)], 1)
        mask = attention_mask(valid, q.shape[1], causal_text=causal)
        return self._run(h, q.shape[1], mask, motion, motion_keep)

    # ------------------------------------------------------------------ the shared space
    def text_embedding(self, ids, valid) -> torch.Tensor:
        """(B, D) normalised: text_proj of [CLS]."""
        return F.normalize(self.text_proj(self.text_states(ids, valid)[:, 0]), dim=-1)

    def query_embeddings(self, motion, motion_keep) -> torch.Tensor:
        """(B, Q, D) normalised query features (the contrastive loss takes the max over them)."""
        return F.normalize(self.motion_proj(self.query_states(motion, motion_keep)), dim=-1)

    @staticmethod
    def motion_vector(query_emb: torch.Tensor) -> torch.Tensor:
        """One (B, D) vector per motion for a library: the normalised mean of its query features."""
        return F.normalize(query_emb.mean(1), dim=-1)

    @staticmethod
    def similarity(query_emb: torch.Tensor, text_emb: torch.Tensor) -> torch.Tensor:
        """(Bm, Q, D) x (Bt, D) -> (Bm, Bt): max over queries of the cosine (LaMP's pair similarity)."""
        return torch.einsum("mqd,td->mtq", query_emb, text_emb).max(-1).values

    def match_logits(self, motion, motion_keep, ids, valid) -> torch.Tensor:
        """(B, 2) matching logits (index 1 = the text describes the motion), averaged over queries."""
        h = self.fused_states(motion, motion_keep, ids, valid)
        return self.itm_head(h[:, : self.cfg.n_query]).mean(1)

    def lm_logits(self, states: torch.Tensor) -> torch.Tensor:
        return self.lm_transform(states) @ self.embeddings.word.weight.T + self.lm_bias
