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
from ..data.manifest import rows_for
from ..models.io import load_model
from ..text.minilm import load_tokenizer
from .retrieval import RetrievalReport, evaluate, rank_metrics, ranks


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


def meaning_groups(root: Path, names: list[str]) -> np.ndarray | None:
    """Which clips' captions mean the same, from a corpus' manifest.csv (content + style labels, or the
    full label set); None for folders without one (HumanML3D, KIT-ML)."""
    rows = rows_for(root, names)
    if rows is None:
        return None
    keys = [f"{r['content']}|{r['style']}" if r.get("content") else r.get("labels", n) for r, n in zip(rows, names)]
    return np.unique(keys, return_inverse=True)[1]


def oracle_similarity(groups: np.ndarray, seed: int = 0) -> np.ndarray:
    """A perfect model when same-meaning captions are indistinguishable: 1 within a group, 0 across,
    ties broken at random. Its plain scores are the ceiling the templated captions allow."""
    rng = np.random.default_rng(seed)
    same = (groups[:, None] == groups[None, :]).astype(np.float64)
    return same + 1e-6 * rng.random(same.shape)


def evaluate_models(model_dirs: list[Path], data_root: Path, split: str = "test", repeats: int = 20,
                    seed: int = 0) -> dict[str, RetrievalReport]:
    """Per model (and LaMP's two scorings): the plain protocol and, where the corpus says which captions
    mean the same, the same-meaning protocol; plus the ceiling a perfect model reaches."""
    entries = load_split(Path(data_root), split)
    groups = meaning_groups(Path(data_root), [e.name for e in entries])
    reports: dict[str, RetrievalReport] = {}
    if groups is not None:
        reports["ceiling: a perfect model, same-meaning captions tied"] = evaluate(
            oracle_similarity(groups, seed), batch=32, repeats=repeats, seed=seed)
    for folder in model_dirs:
        model, mean, std, model_id, kind = load_model(folder)
        pairs = test_pairs(data_root, split, model.cfg.max_frames, 2 ** model.cfg.conv.down, seed, entries)
        for variant, sim in similarity_matrices(model, mean, std, kind, pairs).items():
            name = f"{kind} {Path(folder).parent.name}/{Path(folder).name}" + (f" ({variant})" if variant else "")
            reports[name] = evaluate(sim, batch=32, repeats=repeats, seed=seed)
            if groups is not None:
                reports[f"{name}, same meaning counts"] = evaluate(sim, batch=32, repeats=repeats, seed=seed,
                                                                   groups=groups)
    return reports


UNSEEN_SPLIT = "test_unseen_combos"


def held_out_combinations(model_dirs: list[Path], data_root: Path) -> dict[str, dict[str, dict[str, float]]] | None:
    """Compositional generalisation: the clips whose (action, style) pairs training never saw (e.g. walk +
    angry), ranked among the whole test split plus themselves, a hit on any same-meaning clip counting.
    name -> direction -> R@k / MedR over the held-out pairs; None when the corpus has no such split."""
    root = Path(data_root)
    if not (root / f"{UNSEEN_SPLIT}.txt").is_file():
        return None
    seen, unseen = load_split(root, "test"), load_split(root, UNSEEN_SPLIT)
    entries = seen + unseen
    groups = meaning_groups(root, [e.name for e in entries])
    if groups is None or not unseen:
        return None
    held = np.arange(len(entries)) >= len(seen)
    out = {}
    for folder in model_dirs:
        model, mean, std, _, kind = load_model(folder)
        pairs = test_pairs(root, "held-out", model.cfg.max_frames, 2 ** model.cfg.conv.down, 0, entries)
        for variant, sim in similarity_matrices(model, mean, std, kind, pairs).items():
            t, m = ranks(sim, groups)
            name = f"{kind} {Path(folder).parent.name}/{Path(folder).name}" + (f" ({variant})" if variant else "")
            out[name] = {"t2m": rank_metrics(t[held]), "m2t": rank_metrics(m[held])}
    return out


def held_out_table(rows: dict[str, dict[str, dict[str, float]]], n_held: int, n_pool: int) -> str:
    lines = [f"## Held-out combinations ({n_held} clips whose action + style training never saw, ranked among "
             f"{n_pool}; same meaning counts)\n",
             "| model | direction | R@1 | R@2 | R@3 | R@5 | R@10 | MedR |", "|---|---|---|---|---|---|---|---|"]
    for name, dirs in rows.items():
        for d in ("t2m", "m2t"):
            r = dirs[d]
            lines.append(f"| {name} | {d} | " + " | ".join(f"{r[f'R@{k}']:.1f}" for k in (1, 2, 3, 5, 10))
                         + f" | {r['MedR']:.0f} |")
    return "\n".join(lines) + "\n"


def write_report(reports: dict[str, RetrievalReport], out: Path, data_root: Path, split: str,
                 held_out: dict | None = None) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = next(iter(reports.values())).n if reports else 0
    parts = [f"# Retrieval on {data_root} ({split}, {n} clips)\n",
             "R@k in %, text->motion (t2m) and motion->text (m2t); batches of 32, 20 repeats, mean ± 95% "
             "interval; then the whole split. Rows marked 'same meaning counts' count a hit on any clip whose "
             "labels (content and style) match the pair's: captions generated from the same labels say the same "
             "thing in other words, so the plain protocol cannot tell such clips apart and its ceiling (first "
             "table) is well under 100%.\n"]
    for name, rep in reports.items():
        parts.append(rep.table(name) + "\n")
    data = {k: v.to_dict() for k, v in reports.items()}
    if held_out:
        root = Path(data_root)
        n_held = len(load_split(root, UNSEEN_SPLIT))
        parts.append(held_out_table(held_out, n_held, n_held + len(load_split(root, "test"))))
        data["held_out_combinations"] = held_out
    out.write_text("\n".join(parts), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(data, indent=2))
    return out
