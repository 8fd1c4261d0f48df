"""The honest comparison for LaMP: a TMR-style dual encoder trained with the contrastive loss only,
on the same MiniLM text encoder, the same motion convolution encoder and the same data.

Text: [CLS] of the text transformer -> projection. Motion: conv features -> a 2-layer transformer ->
masked mean -> projection. Anything LaMP wins over this comes from the Q-Former and its extra losses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..text.minilm import bert_shape, bert_state_dict
from .bert import TextEncoder, init_weights, sinusoid
from .conv import ConvConfig, ModelConfigMixin, MotionConvEncoder, step_mask
from .lamp_losses import contrastive_loss, positives_mask
from .lora import add_lora, freeze_embeddings


@dataclass(frozen=True)
class BaselineConfig(ModelConfigMixin):
    max_frames: int = 196
    embed_dim: int = 256
    motion_layers: int = 2
    dropout: float = 0.1
    max_text_tokens: int = 64
    conv: ConvConfig = field(default_factory=ConvConfig)
    temperature: float = 0.07
    freeze_word_embeddings: bool = True
    pretrained: bool = True
    text_layers: int = 0                 # 0: all of MiniLM's layers; fewer (its first k) for small tests
    lora_rank: int = 0                   # as LaMPConfig.lora_rank: the same text-side parametrisation as LaMP



class DualEncoder(nn.Module):
    def __init__(self, cfg: BaselineConfig = BaselineConfig()):
        super().__init__()
        self.cfg = cfg
        shape = bert_shape(layers=cfg.text_layers)
        self.text = TextEncoder(shape, cfg.dropout)
        self.motion_encoder = MotionConvEncoder(cfg.conv)
        W = cfg.conv.out_dim
        layer = nn.TransformerEncoderLayer(W, 8, 4 * W, cfg.dropout, batch_first=True, norm_first=True)
        self.motion_transformer = nn.TransformerEncoder(layer, cfg.motion_layers, enable_nested_tensor=False)
        self.register_buffer("motion_pos", sinusoid(cfg.max_frames, W), persistent=False)
        self.text_proj = nn.Linear(shape.hidden, cfg.embed_dim)
        self.motion_proj = nn.Linear(W, cfg.embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / cfg.temperature)))
        init_weights(self)
        if cfg.pretrained:
            self.text.load_bert(bert_state_dict())
        if cfg.freeze_word_embeddings:
            self.text.embeddings.word.weight.requires_grad_(False)
        if cfg.lora_rank:
            add_lora(self.text, cfg.lora_rank)
            freeze_embeddings(self.text.embeddings)

    def frozen_names(self) -> set[str]:
        return {n for n, p in self.named_parameters() if not p.requires_grad}

    def text_embedding(self, ids, valid) -> torch.Tensor:
        return F.normalize(self.text_proj(self.text(ids, valid)[:, 0]), dim=-1)

    def motion_embedding(self, feats, lengths) -> torch.Tensor:
        h, n = self.motion_encoder(feats, lengths)
        keep = step_mask(n, h.shape[1])
        h = self.motion_transformer(h + self.motion_pos[: h.shape[1]], src_key_padding_mask=~keep)
        pooled = (h * keep[..., None]).sum(1) / keep.sum(1, keepdim=True).clamp(min=1)
        return F.normalize(self.motion_proj(pooled), dim=-1)


def baseline_losses(model: DualEncoder, batch: dict, label_smoothing: float = 0.1) -> dict[str, torch.Tensor]:
    m = model.motion_embedding(batch["feats"], batch["lengths"])
    t = model.text_embedding(batch["ids"], batch["valid"])
    scale = model.logit_scale.exp().clamp(max=100.0)
    loss = contrastive_loss(m @ t.T, scale, positives_mask(batch["captions"], m.device), label_smoothing)
    return {"loss": loss, "contrastive": loss.detach(), "temperature": (1.0 / scale).detach()}
