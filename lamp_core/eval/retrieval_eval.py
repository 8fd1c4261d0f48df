"""``lamp eval retrieval``: LaMP and the contrastive baseline on a dataset split, one report.

Each clip is paired with one of its captions (chosen with a fixed seed, as the field's evaluators
do) and its first 9.8 s. LaMP is scored two ways: its training similarity (max over query tokens)
and the single mean vector a motion library stores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..data.layout import Entry, load_split
from ..models.io import load_model
from ..text.minilm import load_tokenizer
from .retrieval import RetrievalReport, evaluate


@dataclass
class PairSet:
    features: list[np.ndarray]   # raw features, cropped to the model window
    captions: list[str]
    names: list[str]


def test_pairs(root: Path, split: str = "test", max_frames: int = 196, unit: int = 4, seed: int = 0,
               entries: list[Entry] | None = None) -> PairSet:
    entries = entries if entries is not None else load_split(Path(root), split)
    rng = np.random.default_rng(seed)
    feats, caps, names = [], [], []
    for e in entries:
        f = e.features[:max_frames]
        f = f[: (len(f) // unit) * unit]
        feats.append(f)
        caps.append(e.texts[int(rng.integers(len(e.texts)))].caption)
        names.append(e.name)
    return PairSet(feats, caps, names)


@torch.no_grad()
def embed_pairs(model, mean, std, kind: str, captions: list[str], features: list[np.ndarray],
                batch: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, D) unit text embeddings and motion embeddings ((N, Q, D) query embeddings for LaMP)."""
    tok = load_tokenizer()
    dev = next(model.parameters()).device
    t_emb, m_out = [], []
    for s in range(0, len(captions), batch):
        t = tok(captions[s:s + batch], padding="longest", truncation=True,
                max_length=model.cfg.max_text_tokens, return_tensors="pt")
        t_emb.append(model.text_embedding(t["input_ids"].to(dev), t["attention_mask"].bool().to(dev)).cpu())
        fs = features[s:s + batch]
        T = max(len(f) for f in fs)
        x = torch.zeros(len(fs), T, fs[0].shape[1])
        for i, f in enumerate(fs):
            x[i, :len(f)] = torch.from_numpy(((f - mean) / std).astype(np.float32))
        x, lengths = x.to(dev), torch.tensor([len(f) for f in fs], device=dev)
        if kind == "lamp":
            m, keep = model.encode_motion(x, lengths)
            m_out.append(model.query_embeddings(m, keep).cpu())
        else:
            m_out.append(model.motion_embedding(x, lengths).cpu())
    return torch.cat(t_emb), torch.cat(m_out)


def similarity_matrices(model, mean, std, kind: str, pairs: PairSet, batch: int = 64) -> dict[str, np.ndarray]:
    """name -> (N, N) motion x text similarities for this model."""
    t, m = embed_pairs(model, mean, std, kind, pairs.captions, pairs.features, batch)
    if kind == "lamp":
        return {"max over queries": model.similarity(m, t).numpy(),
                "mean vector": (model.motion_vector(m) @ t.T).numpy()}
    return {"": (m @ t.T).numpy()}


def evaluate_models(model_dirs: list[Path], data_root: Path, split: str = "test", repeats: int = 20,
                    seed: int = 0) -> dict[str, RetrievalReport]:
    entries = load_split(Path(data_root), split)
    reports: dict[str, RetrievalReport] = {}
    for folder in model_dirs:
        model, mean, std, model_id, kind = load_model(folder)
        pairs = test_pairs(data_root, split, model.cfg.max_frames, 2 ** model.cfg.conv.down, seed, entries)
        for variant, sim in similarity_matrices(model, mean, std, kind, pairs).items():
            name = f"{kind} {Path(folder).parent.name}/{Path(folder).name}" + (f" ({variant})" if variant else "")
            reports[name] = evaluate(sim, batch=32, repeats=repeats, seed=seed)
    return reports


def write_report(reports: dict[str, RetrievalReport], out: Path, data_root: Path, split: str) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = next(iter(reports.values())).n if reports else 0
    parts = [f"# Retrieval on {data_root} ({split}, {n} clips)\n",
             "R@k in %, text->motion (t2m) and motion->text (m2t); batches of 32, 20 repeats, mean ± 95% "
             "interval; then the whole split.\n"]
    for name, rep in reports.items():
        parts.append(rep.table(name) + "\n")
    out.write_text("\n".join(parts), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({k: v.to_dict() for k, v in reports.items()}, indent=2))
    return out
