"""Text -> the condition vector every generator reads.

"lamp": LaMP's query tokens read the text through their cross-attention layers and their mean is
the condition (the paper's design: a text space aligned to motion). "minilm": frozen MiniLM's
mean-pooled sentence embedding, the stand-in for CLIP in the ablation. Both are 384-d.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from ..errors import LampError
from ..text.minilm import check_query, load_tokenizer

CONDITION_KINDS = ("lamp", "minilm")


class TextConditioner:
    def __init__(self, kind: str, lamp=None, lamp_id: str = "", device: str = "cpu"):
        if kind not in CONDITION_KINDS:
            raise LampError(f"unknown text condition {kind!r}; expected one of {CONDITION_KINDS}")
        self.kind, self.device = kind, device
        self.tokenizer = load_tokenizer()
        if kind == "lamp":
            if lamp is None or lamp.text_kv is None:
                raise LampError("the 'lamp' condition needs a LaMP trained with a tokenizer "
                                "(lamp train lamp --tokenizer ...)")
            self.model, self.model_id = lamp.to(device).eval(), f"lamp:{lamp_id}"
            self.max_tokens = lamp.cfg.max_text_tokens
        else:
            from transformers import BertModel
            from ..text.minilm import model_dir
            self.model = BertModel.from_pretrained(str(model_dir()), local_files_only=True).to(device).eval()
            self.model_id, self.max_tokens = "minilm:all-MiniLM-L6-v2", 64

    @classmethod
    def load(cls, kind: str, lamp_folder: Path | None = None, device: str = "cpu") -> "TextConditioner":
        if kind == "minilm":
            return cls(kind, device=device)
        if lamp_folder is None:
            raise LampError("the 'lamp' condition needs a LaMP model folder")
        from ..models.io import load_model
        model, _, _, model_id, _ = load_model(Path(lamp_folder), device=device, expect="lamp")
        return cls(kind, model, model_id, device)

    @property
    def dim(self) -> int:
        return 384

    @torch.no_grad()
    def __call__(self, texts: Sequence[str], batch: int = 256) -> torch.Tensor:
        """(len(texts), 384) float32 on the conditioner's device."""
        texts = [check_query(t) for t in texts]
        out = []
        for i in range(0, len(texts), batch):
            tok = self.tokenizer(list(texts[i:i + batch]), padding="longest", truncation=True,
                                 max_length=self.max_tokens, return_tensors="pt").to(self.device)
            valid = tok["attention_mask"].bool()
            if self.kind == "lamp":
                out.append(self.model.text_condition(tok["input_ids"], valid)[0].float())
            else:
                h = self.model(**tok).last_hidden_state                       # (B, L, 384)
                w = valid[..., None].float()
                out.append((h * w).sum(1) / w.sum(1))                         # mean over real tokens
        return torch.cat(out) if out else torch.zeros(0, self.dim, device=self.device)
