"""The independent evaluator: a text/motion co-embedding that scores generated motions (R-precision, FID,
MM-Dist, Diversity) the way Guo et al.'s evaluator does for HumanML3D.

It must not share LaMP's blind spots, so it shares none of LaMP's parts: no MiniLM transformer (only
MiniLM's frozen word-piece table, as Guo et al. use frozen GloVe vectors), no conv motion encoder, no
Q-Former. Text: word vectors -> bidirectional GRU. Motion: strided 1-D convolutions over the 263-d
features (4x fewer steps) -> bidirectional GRU. Plain symmetric contrastive loss, its own seed. The word
table is neither trained nor saved (``frozen_names``), so the checkpoint is a few MB and ships with the
default bundle: numbers from different model versions stay comparable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from .caption_seq2seq import VOCAB, WORD_DIM, minilm_word_table
from .conv import ModelConfigMixin
from .lamp_losses import contrastive_loss, positives_mask

FEATURE_DIM = 263


@dataclass(frozen=True)
class EvaluatorConfig(ModelConfigMixin):
    max_frames: int = 196
    feature_dim: int = FEATURE_DIM
    text_hidden: int = 256          # per GRU direction
    motion_hidden: int = 384        # per GRU direction, and the conv width
    embed_dim: int = 256
    dropout: float = 0.1
    temperature: float = 0.07
    max_text_tokens: int = 64
    pretrained_words: bool = True   # False: a random (still frozen, then saved) word table, for tests

    def __post_init__(self):
        if min(self.text_hidden, self.motion_hidden, self.embed_dim, self.max_frames) < 1:
            raise ValueError("evaluator sizes must be positive")


def _last_states(gru: nn.GRU, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Both directions' final states over each sequence's valid steps: (B, 2 * hidden)."""
    packed = pack_padded_sequence(x, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False)
    _, h = gru(packed)                                # (2, B, hidden)
    return torch.cat([h[0], h[1]], dim=-1)


class MotionTextEvaluator(nn.Module):
    def __init__(self, cfg: EvaluatorConfig = EvaluatorConfig()):
        super().__init__()
        self.cfg = cfg
        self.word = nn.Embedding(VOCAB, WORD_DIM)
        self.word_in = nn.Linear(WORD_DIM, cfg.text_hidden)
        self.text_gru = nn.GRU(cfg.text_hidden, cfg.text_hidden, batch_first=True, bidirectional=True)
        self.text_proj = nn.Linear(2 * cfg.text_hidden, cfg.embed_dim)
        H = cfg.motion_hidden
        self.motion_conv = nn.ModuleList([nn.Conv1d(cfg.feature_dim, H, 4, 2, 1), nn.Conv1d(H, H, 4, 2, 1)])
        self.motion_gru = nn.GRU(H, H, batch_first=True, bidirectional=True)
        self.motion_proj = nn.Linear(2 * H, cfg.embed_dim)
        self.drop = nn.Dropout(cfg.dropout)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / cfg.temperature)))
        with torch.no_grad():
            if cfg.pretrained_words:
                self.word.weight.copy_(minilm_word_table())
            else:
                nn.init.normal_(self.word.weight, std=0.05)
        self.word.weight.requires_grad_(False)

    def frozen_names(self) -> set[str]:
        return {"word.weight"} if self.cfg.pretrained_words else set()

    def text_embedding(self, ids: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """(B, L) word-piece ids with their (B, L) valid mask -> (B, embed_dim) unit vectors."""
        x = self.drop(self.word_in(self.word(ids)))
        return F.normalize(self.text_proj(_last_states(self.text_gru, x, valid.sum(1))), dim=-1)

    def motion_embedding(self, feats: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(B, T, 263) normalised features with (B,) frame counts -> (B, embed_dim) unit vectors."""
        h, steps = feats.transpose(1, 2), lengths
        for conv in self.motion_conv:       # zero past each clip's end, so padding never leaks in
            h = h * (torch.arange(h.shape[2], device=h.device) < steps[:, None])[:, None, :]
            h = self.drop(F.leaky_relu(conv(h), 0.2))
            steps = torch.div(steps + 1, 2, rounding_mode="floor").clamp(max=h.shape[2])
        return F.normalize(self.motion_proj(_last_states(self.motion_gru, h.transpose(1, 2), steps)), dim=-1)


def evaluator_losses(model: MotionTextEvaluator, batch: dict, label_smoothing: float = 0.0) -> dict[str, torch.Tensor]:
    """Symmetric InfoNCE; clips that share a caption are not counted as negatives of each other."""
    with torch.autocast(batch["feats"].device.type, enabled=False):   # GRUs in float32 everywhere
        m = model.motion_embedding(batch["feats"].float(), batch["lengths"])
        t = model.text_embedding(batch["ids"], batch["valid"])
    scale = model.logit_scale.exp().clamp(max=100.0)
    loss = contrastive_loss(m @ t.T, scale, positives_mask(batch["captions"], m.device), label_smoothing)
    return {"loss": loss, "contrastive": loss.detach(), "temperature": (1.0 / scale).detach()}
