"""The prefix captioner: LaMP's motion-reading queries, projected into a causal language model's
embedding space, prefix the caption (the paper feeds them to OPT-2.7B with LoRA).

No pretrained causal LM can be downloaded here, so ``lm = "builtin"`` is a decoder we train ourselves:
MiniLM's BERT weights run causally (``is_decoder``) with a fresh LM head tied to MiniLM's frozen word
table. ``lm = "/path/to/folder"`` takes any local transformers causal LM instead (GPT-2, OPT, Llama...).
Either way the LM's own weights stay frozen and are re-read at load, LoRA (peft) adapts it, and only
the projection, the adapters and a new head are saved: a few MB.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import LampError
from .conv import ModelConfigMixin

BUILTIN = "builtin"
# BERT's matrices that LoRA adapts (not the new head's transform, which trains fully)
BERT_LORA_TARGETS = r".*encoder\.layer\.\d+\..*(query|key|value|dense)$"


@dataclass(frozen=True)
class PrefixCaptionerConfig(ModelConfigMixin):
    query_dim: int = 384          # LaMP's query width
    n_query: int = 49             # LaMP's queries per motion
    prefix_tokens: int = 16       # the queries, averaged in time order down to this many prefix tokens
    lm: str = BUILTIN             # "builtin" (MiniLM as a causal decoder) or a local transformers causal LM folder
    lm_layers: int = 6            # builtin: MiniLM's first k layers
    lora_rank: int = 16           # 0: the LM trains fully (and is saved)
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    max_text_tokens: int = 40
    pretrained: bool = True       # builtin only: False starts from random weights (tests)


def _builtin_lm(cfg: PrefixCaptionerConfig):
    from transformers import BertConfig, BertLMHeadModel

    from ..text.minilm import bert_shape, bert_state_dict
    s = bert_shape(layers=cfg.lm_layers)
    bc = BertConfig(vocab_size=s.vocab_size, hidden_size=s.hidden, num_hidden_layers=s.layers,
                    num_attention_heads=s.heads, intermediate_size=s.intermediate,
                    max_position_embeddings=s.max_positions, type_vocab_size=s.type_vocab,
                    layer_norm_eps=s.layer_norm_eps, pad_token_id=s.pad_token_id, is_decoder=True,
                    tie_word_embeddings=True)
    lm = BertLMHeadModel(bc)
    if cfg.pretrained:
        src = {f"bert.{k}": v for k, v in bert_state_dict().items()
               if not k.startswith("pooler") and k != "embeddings.position_ids"
               and not (k.startswith("encoder.layer.") and int(k.split(".")[2]) >= s.layers)}
        missing, unexpected = lm.load_state_dict(src, strict=False)
        bad = [k for k in missing if not k.startswith("cls.")]
        if bad or unexpected:
            raise LampError(f"MiniLM's weights do not fit the builtin decoder (missing {bad[:3]}, unexpected {unexpected[:3]})")
    lm.tie_weights()
    return lm


def _folder_lm(path: str):
    folder = Path(path).expanduser()
    if not (folder / "config.json").is_file():
        raise LampError(f"{folder}: not a transformers model folder (config.json missing); [model] lm must be "
                        f"'{BUILTIN}' or a local causal language model folder")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM
    try:
        return AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True, dtype=torch.float32)
    except (OSError, ValueError) as e:
        raise LampError(f"{folder}: cannot load it as a causal language model ({e})") from None


def lm_tokenizer(cfg: PrefixCaptionerConfig):
    from ..text.minilm import load_tokenizer
    if cfg.lm == BUILTIN:
        return load_tokenizer()
    return load_tokenizer(str(Path(cfg.lm).expanduser()))


class PrefixCaptioner(nn.Module):
    def __init__(self, cfg: PrefixCaptionerConfig = PrefixCaptionerConfig()):
        super().__init__()
        self.cfg = cfg
        lm = _builtin_lm(cfg) if cfg.lm == BUILTIN else _folder_lm(cfg.lm)
        lm.requires_grad_(False)
        hidden = lm.get_input_embeddings().weight.shape[1]
        self.project = nn.Sequential(nn.Linear(cfg.query_dim, hidden), nn.GELU(), nn.Linear(hidden, hidden))
        self.prefix_pos = nn.Parameter(torch.zeros(1, cfg.prefix_tokens, hidden))
        # each query position standardised over training clips (set_query_stats): the queries differ
        # far more between positions than between motions (a weakly trained LaMP's by 10x), and the
        # clip-to-clip differences are what the captioner needs to see
        self.register_buffer("query_mean", torch.zeros(cfg.n_query, cfg.query_dim))
        self.register_buffer("query_std", torch.ones(cfg.n_query, cfg.query_dim))
        head = []
        if cfg.lm == BUILTIN:  # the LM head BERT never had: transform + bias train fully
            head = list(lm.cls.predictions.transform.parameters()) + [lm.cls.predictions.bias]
        if cfg.lora_rank:
            from peft import LoraConfig, get_peft_model
            targets = BERT_LORA_TARGETS if cfg.lm == BUILTIN else "all-linear"
            with warnings.catch_warnings():  # peft asks transformers a deprecated question; not the user's concern
                warnings.filterwarnings("ignore", "`is_gradient_checkpointing` is deprecated", FutureWarning)
                lm = get_peft_model(lm, LoraConfig(r=cfg.lora_rank, lora_alpha=cfg.lora_alpha,
                                                   lora_dropout=cfg.lora_dropout, target_modules=targets))
        else:
            lm.requires_grad_(True)
            lm.get_input_embeddings().weight.requires_grad_(False)
        for p in head:
            p.requires_grad_(True)
        self.lm = lm
        self.tokenizer = tok = lm_tokenizer(cfg)
        self.bos = tok.cls_token_id if cfg.lm == BUILTIN else (tok.bos_token_id if tok.bos_token_id is not None
                                                               else tok.eos_token_id)
        self.eos = tok.sep_token_id if cfg.lm == BUILTIN else tok.eos_token_id
        if self.bos is None or self.eos is None:
            raise LampError(f"{cfg.lm}: its tokenizer has no begin/end-of-sequence token")

    # ------------------------------------------------------------------ saving (io.py)
    def frozen_names(self) -> set[str]:
        """The LM's own weights: re-read from MiniLM or the LM folder at load, never saved."""
        trainable = {n for n, p in self.named_parameters() if p.requires_grad}
        return {n for n in self.state_dict() if n.startswith("lm.") and n not in trainable}

    def optional_names(self) -> set[str]:
        """Query statistics: absent from captioners saved before they existed (identity then)."""
        return {"query_mean", "query_std"}

    def set_query_stats(self, queries) -> None:
        """Per position and channel mean/std over training clips' queries (N, Q, D), numpy or torch."""
        q = torch.as_tensor(queries).float()
        self.query_mean.copy_(q.mean(0))
        self.query_std.copy_(q.std(0).clamp_min(1e-3))

    def lm_digest(self) -> str:
        """Which LM weights the adapters belong to (recorded at save, checked at load)."""
        if self.cfg.lm == BUILTIN:
            from ..text.minilm import weights_digest
            return weights_digest()
        h = hashlib.sha256()
        for f in sorted(Path(self.cfg.lm).expanduser().glob("*.safetensors")) or sorted(
                Path(self.cfg.lm).expanduser().glob("*.bin")):
            h.update(f.read_bytes())
        return h.hexdigest()[:16]

    # ------------------------------------------------------------------ text
    def encode_captions(self, captions: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """(ids, valid): begin token, the caption's word pieces (truncated), end token, padding."""
        rows = [[self.bos] + self.tokenizer(c, add_special_tokens=False)["input_ids"][: self.cfg.max_text_tokens - 2]
                + [self.eos] for c in captions]
        L = max(len(r) for r in rows)
        ids = torch.zeros(len(rows), L, dtype=torch.long)
        valid = torch.zeros(len(rows), L, dtype=torch.bool)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r)
            valid[i, : len(r)] = True
        return ids, valid

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True).strip()

    # ------------------------------------------------------------------ forward
    def prefix(self, queries: torch.Tensor) -> torch.Tensor:
        """(B, Q, query_dim) LaMP query states -> (B, P, hidden) LM input embeddings. The queries follow
        the motion's time steps; averaging neighbours to P tokens keeps that order and makes every
        decoding step shorter (49 -> 16 cuts a training step by ~3x on CPU)."""
        n = queries.shape[1]
        q = (queries.float() - self.query_mean[:n]) / self.query_std[:n]
        pooled = F.adaptive_avg_pool1d(q.transpose(1, 2), self.cfg.prefix_tokens).transpose(1, 2)
        return self.project(pooled) + self.prefix_pos

    def logits(self, prefix: torch.Tensor, ids: torch.Tensor, valid: torch.Tensor, last_only: bool = False) -> torch.Tensor:
        """(B, L, V) next-token logits at each caption position (the prefix's own outputs dropped);
        ``last_only``: (B, 1, V) for the last position alone (decoding: the vocabulary projection
        over every position would dominate the step)."""
        words = self.lm.get_input_embeddings()(ids)
        x = torch.cat([prefix.to(words.dtype), words], 1)
        mask = torch.cat([valid.new_ones(prefix.shape[:2]), valid], 1).long()
        P = prefix.shape[1]
        keep = 1 if last_only else torch.arange(P, P + ids.shape[1], device=ids.device)  # no logits over the prefix
        return self.lm(inputs_embeds=x, attention_mask=mask, logits_to_keep=keep).logits

    def next_logprobs(self, prefix: torch.Tensor, ids: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """The decoding step (lamp_core.captioning.decoding): rows index the clips' prefixes."""
        logits = self.logits(prefix[rows], ids, torch.ones_like(ids, dtype=torch.bool), last_only=True)
        return F.log_softmax(logits[:, -1].float(), -1)


class CachedStep:
    """A decoding step that runs one new token per hypothesis against cached keys/values: the prefix
    is encoded once per clip, and each hypothesis continues its parent's cache (found by its clip and
    its ids without the last token), so beams and samples cost one token per step, not the whole sequence."""

    def __init__(self, model: PrefixCaptioner, prefix: torch.Tensor):
        self.model = model
        out = model.lm(inputs_embeds=prefix, use_cache=True, logits_to_keep=1)
        self.prefix_cache, self.n_prefix = out.past_key_values, prefix.shape[1]
        self.cache, self.parents = None, {}

    def __call__(self, ids: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        import copy
        if ids.shape[1] == 1 or self.cache is None:
            if ids.shape[1] != 1:
                raise ValueError("CachedStep must see the hypotheses from their first token on")
            cache = copy.deepcopy(self.prefix_cache)
            cache.reorder_cache(rows)
        else:
            parent = torch.tensor([self.parents[(row, *r)] for row, r in zip(rows.tolist(), ids[:, :-1].tolist())],
                                  device=ids.device)
            cache = self.cache
            cache.reorder_cache(parent)
        words = self.model.lm.get_input_embeddings()(ids[:, -1:])
        mask = torch.ones(ids.shape[0], self.n_prefix + ids.shape[1], dtype=torch.long, device=ids.device)
        out = self.model.lm(inputs_embeds=words, attention_mask=mask, past_key_values=cache, use_cache=True,
                            logits_to_keep=1)
        self.cache = out.past_key_values
        self.parents = {(row, *r): i for i, (row, r) in enumerate(zip(rows.tolist(), ids.tolist()))}
        return F.log_softmax(out.logits[:, -1].float(), -1)


def prefix_caption_loss(model: PrefixCaptioner, queries: torch.Tensor, ids: torch.Tensor, valid: torch.Tensor,
                        label_smoothing: float = 0.1) -> dict:
    """Teacher forcing: ids (B, L) start with the begin token and end with the end token."""
    logits = model.logits(model.prefix(queries), ids[:, :-1], valid[:, :-1])
    target = ids[:, 1:].masked_fill(~valid[:, 1:], -100)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), target.reshape(-1), ignore_index=-100,
                           label_smoothing=label_smoothing)
    hit = (logits.argmax(-1) == target)[target >= 0]
    return {"loss": loss, "acc": hit.float().mean().detach()}
