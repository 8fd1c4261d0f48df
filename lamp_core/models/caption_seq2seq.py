"""The baseline captioner: a plain sequence-to-sequence transformer over coarse motion tokens (TM2T-like).

The LaMP captioner is reported beside this model, trained on the same data and split. A transformer
encoder reads the codebook-0 codes of a clip; a causal transformer decoder with cross-attention writes
the caption in MiniLM's WordPiece vocabulary, from [CLS] (start) to [SEP] (end).

Words go in and out through MiniLM's 30522 x 384 word embeddings, frozen: a trainable Linear maps them
to the model width, and the output logits are a trainable Linear back to 384 dotted with the same table,
plus a trainable bias. The table is neither trained nor saved (``frozen_names``): loading re-reads it
from the installed MiniLM package, so a saved model is a few MB.

Decoding plugs into ``lamp_core.captioning.decoding``::

    memory, pad = model.encode(codes, n_tokens)
    step = lambda ids, rows: model.next_logprobs(memory, pad, ids, rows)
    greedy(step, len(codes), BOS, EOS, max_len=model.cfg.max_text_tokens - 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .bert import init_weights
from .conv import ModelConfigMixin, step_mask

BOS, EOS, PAD = 101, 102, 0     # MiniLM's [CLS] (start), [SEP] (end) and [PAD]
VOCAB, WORD_DIM = 30522, 384    # MiniLM's word table; the random table (pretrained_words=False) has its shape
WORD_TABLE = "embeddings.word_embeddings.weight"


@dataclass(frozen=True)
class Seq2SeqCaptionerConfig(ModelConfigMixin):
    n_codes: int = 512            # the tokenizer's codebook size (codebook 0)
    max_tokens: int = 49          # motion tokens per clip (196 frames / 4)
    width: int = 256
    layers: int = 3               # encoder layers, and as many decoder layers
    heads: int = 4
    ff: int = 1024
    dropout: float = 0.1
    max_text_tokens: int = 64     # caption length in word pieces, [CLS] and [SEP] included
    pretrained_words: bool = True  # False: a random (still frozen, then saved) word table, for tests

    def __post_init__(self):
        if self.width % self.heads:
            raise ValueError(f"width {self.width} must be divisible by heads {self.heads}")
        if self.n_codes < 1 or self.max_tokens < 1 or self.max_text_tokens < 2:
            raise ValueError("n_codes and max_tokens must be positive and max_text_tokens at least 2")


def minilm_word_table() -> torch.Tensor:
    """MiniLM's (30522, 384) word embeddings, read alone from the package's safetensors."""
    from safetensors import safe_open

    from ..text.minilm import model_dir
    with safe_open(str(model_dir() / "model.safetensors"), "pt") as f:
        return f.get_tensor(WORD_TABLE)


class Seq2SeqCaptioner(nn.Module):
    """Coarse motion codes -> caption word pieces, with a transformer encoder-decoder."""

    def __init__(self, cfg: Seq2SeqCaptionerConfig = Seq2SeqCaptionerConfig()):
        super().__init__()
        self.cfg = cfg
        W = cfg.width
        self.code = nn.Embedding(cfg.n_codes + 1, W)  # the last row stands in for padding (masked anyway)
        self.code_pos = nn.Parameter(torch.zeros(cfg.max_tokens, W))
        self.word = nn.Embedding(VOCAB, WORD_DIM)
        self.word_in = nn.Linear(WORD_DIM, W)
        self.text_pos = nn.Parameter(torch.zeros(cfg.max_text_tokens, W))
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(W, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True,
                                       norm_first=True),
            cfg.layers, norm=nn.LayerNorm(W), enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(W, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True,
                                       norm_first=True),
            cfg.layers, norm=nn.LayerNorm(W))
        self.word_out = nn.Linear(W, WORD_DIM)
        self.word_bias = nn.Parameter(torch.zeros(VOCAB))
        init_weights(self)
        for p in (self.code.weight, self.code_pos, self.text_pos):
            nn.init.normal_(p, std=0.02)
        if cfg.pretrained_words:
            table = minilm_word_table()
            if tuple(table.shape) != (VOCAB, WORD_DIM):
                raise ValueError(f"MiniLM's word table is {tuple(table.shape)}, expected {(VOCAB, WORD_DIM)}")
            with torch.no_grad():
                self.word.weight.copy_(table)
        else:
            nn.init.normal_(self.word.weight, std=0.05)  # about MiniLM's spread
        self.word.weight.requires_grad_(False)

    def frozen_names(self) -> set[str]:
        """Parameters re-read from MiniLM at construction, so not saved. A random table is saved."""
        return {"word.weight"} if self.cfg.pretrained_words else set()

    # ------------------------------------------------------------------ motion side
    def encode(self, codes: torch.Tensor, n_tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, N) codes (-1 = padding), (B,) valid lengths -> memory (B, N, W) and its padding mask
        (B, N), True where padded. Whatever is stored at padded positions is ignored."""
        N = codes.shape[1]
        if int(n_tokens.max()) > self.cfg.max_tokens:
            raise ValueError(f"{int(n_tokens.max())} motion tokens is more than max_tokens={self.cfg.max_tokens}")
        valid = step_mask(n_tokens, N) & (codes >= 0)
        if not bool(valid.any(1).all()):
            raise ValueError("every clip needs at least one motion token")
        if bool((codes[valid] >= self.cfg.n_codes).any()):
            raise ValueError(f"motion codes must be below n_codes={self.cfg.n_codes}")
        ids = torch.where(valid, codes, self.cfg.n_codes)
        pos = self.code_pos[torch.arange(N, device=codes.device).clamp(max=self.cfg.max_tokens - 1)]
        x = F.dropout(self.code(ids) + pos, self.cfg.dropout, self.training)
        return self.encoder(x, src_key_padding_mask=~valid), ~valid

    # ------------------------------------------------------------------ text side
    def decode_states(self, memory: torch.Tensor, memory_pad_mask: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        """(B, L) prefixes (start token first, right-padded) -> (B, L, W) causal decoder states."""
        L = ids.shape[1]
        if L > self.cfg.max_text_tokens:
            raise ValueError(f"{L} word pieces is more than max_text_tokens={self.cfg.max_text_tokens}")
        x = F.dropout(self.word_in(self.word(ids)) + self.text_pos[:L], self.cfg.dropout, self.training)
        causal = torch.ones(L, L, dtype=torch.bool, device=ids.device).triu(1)  # True = may not attend
        return self.decoder(x, memory, tgt_mask=causal, memory_key_padding_mask=memory_pad_mask)

    def logits(self, states: torch.Tensor) -> torch.Tensor:
        """(..., W) states -> (..., 30522) word logits through the frozen table."""
        return self.word_out(states) @ self.word.weight.T + self.word_bias

    def next_logprobs(self, memory: torch.Tensor, memory_pad_mask: torch.Tensor, ids: torch.Tensor,
                      rows: torch.Tensor) -> torch.Tensor:
        """(M, L) prefixes of the clips ``rows`` (M,) -> (M, 30522) log-probabilities of the next word
        piece: the step function of ``lamp_core.captioning.decoding``."""
        h = self.decode_states(memory[rows], memory_pad_mask[rows], ids)
        return self.logits(h[:, -1]).float().log_softmax(-1)


# ---------------------------------------------------------------- training

def caption_loss(model: Seq2SeqCaptioner, codes: torch.Tensor, n_tokens: torch.Tensor, ids: torch.Tensor,
                 valid: torch.Tensor, label_smoothing: float = 0.1) -> dict[str, torch.Tensor]:
    """Teacher forcing: ``ids`` (B, L) are tokenised captions ([CLS] ... [SEP], right-padded, ``valid``
    False on padding); the decoder reads ids[:, :-1] and predicts ids[:, 1:]. Label-smoothed
    cross-entropy and token accuracy over the valid targets only."""
    if not bool((ids[:, 0] == BOS).all()):
        raise ValueError(f"captions must start with the start token [CLS] ({BOS})")
    memory, pad = model.encode(codes, n_tokens)
    h = model.decode_states(memory, pad, ids[:, :-1])
    keep = valid[:, 1:].bool()
    logits = model.logits(h[keep]).float()  # (n_targets, V): only where there is a target
    target = ids[:, 1:][keep]
    loss = F.cross_entropy(logits, target, label_smoothing=label_smoothing)
    acc = (logits.argmax(-1) == target).float().mean()
    return {"loss": loss, "acc": acc.detach()}
