"""Generated motion judged by an independent retrieval model (the field's protocol, with our evaluator).

The standard HumanML3D evaluator (Guo et al.) was trained on data we do not have, so an evaluator is
trained here: by default the contrastive baseline dual encoder (``lamp train baseline``), which shares
no weights with the LaMP that conditions the generators. For each test clip one caption (fixed seed)
is generated at the clip's own length; then, in that evaluator's space:

- R-precision top-1/2/3: a generated motion ranks its own caption among 32 (batches of 32, 20 repeats)
- FID: Fréchet distance between generated and real motion embeddings (Gaussian fits)
- MM-Dist: mean distance between a caption and the motion generated from it
- Diversity: mean distance between random pairs of generated motions (real motions give the target)
- MultiModality: for a few captions, many motions each; mean distance between two motions of one caption

With ``repeats`` > 1 the whole set is generated again with other seeds and every number is the mean
over repeats with its 95% interval (the field uses 20 repeats on a GPU; CPU runs use fewer).

Real motions get the same row, as the ceiling. Numbers are comparable between rows of one report
(same evaluator, same captions), not with papers' HumanML3D numbers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..data.layout import load_split
from ..models.io import load_model
from .retrieval import evaluate
from .retrieval_eval import embed_pairs, test_pairs


@dataclass
class GenerationScores:
    name: str
    r_precision: dict[str, tuple[float, float]]   # top-k -> (mean %, 95% half-width)
    fid: float
    mm_dist: float
    diversity: float
    n: int
    seconds_per_motion: float = 0.0
    repeats: int = 1
    intervals: dict[str, float] = field(default_factory=dict)   # fid/mm_dist/diversity -> 95% half-width
    multimodality: float | None = None

    def row(self) -> str:
        rp = " | ".join(f"{self.r_precision[f'R@{k}'][0]:.1f} ± {self.r_precision[f'R@{k}'][1]:.1f}" for k in (1, 2, 3))

        def pm(key: str) -> str:
            value = getattr(self, key)
            return f"{value:.3f} ± {self.intervals[key]:.3f}" if key in self.intervals else f"{value:.3f}"
        speed = f"{self.seconds_per_motion:.2f}" if self.seconds_per_motion else "–"
        mm = f"{self.multimodality:.3f}" if self.multimodality is not None else "–"
        return f"| {self.name} | {rp} | {pm('fid')} | {pm('mm_dist')} | {pm('diversity')} | {mm} | {speed} |"


HEADER = ("| motions | R-prec top-1 | top-2 | top-3 | FID | MM-Dist | Diversity | MultiModality | s/motion |\n"
          "|---|---|---|---|---|---|---|---|---|")


def interval(values) -> tuple[float, float]:
    """Mean and 95% half-width (normal approximation) of repeated measurements; 0 width for one."""
    v = np.asarray(values, np.float64)
    return float(v.mean()), float(1.96 * v.std() / np.sqrt(len(v))) if len(v) > 1 else 0.0


def combine(runs: list["GenerationScores"]) -> "GenerationScores":
    """One row from the same engine's repeats: means with 95% intervals over repeats."""
    if len(runs) == 1:
        return runs[0]
    first = runs[0]
    rp = {k: interval([r.r_precision[k][0] for r in runs]) for k in first.r_precision}
    means = {k: interval([getattr(r, k) for r in runs]) for k in ("fid", "mm_dist", "diversity")}
    return GenerationScores(first.name, rp, means["fid"][0], means["mm_dist"][0], means["diversity"][0], first.n,
                            float(np.mean([r.seconds_per_motion for r in runs])), len(runs),
                            {k: v[1] for k, v in means.items()}, first.multimodality)


def multimodality(embeddings: np.ndarray, pairs: int = 10, seed: int = 0) -> float:
    """(texts, samples, D) embeddings of several motions per text: mean distance of random same-text pairs."""
    rng = np.random.default_rng(seed)
    t, s, _ = embeddings.shape
    a, b = rng.integers(s, size=(t, pairs)), rng.integers(s, size=(t, pairs))
    keep = a != b
    rows = np.repeat(np.arange(t)[:, None], pairs, 1)
    d = np.linalg.norm(embeddings[rows, a] - embeddings[rows, b], axis=-1)
    return float(d[keep].mean())


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    from scipy import linalg
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = np.real(linalg.sqrtm(s1 @ s2))
    # identical sets give a tiny negative from sqrtm's rounding; a distance is never below 0
    return max(0.0, float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean)))


class Evaluator:
    """An independent retrieval model's embeddings of captions and motion features."""

    def __init__(self, folder: Path):
        self.model, self.mean, self.std, self.model_id, self.kind = load_model(Path(folder))

    def embed(self, captions: list[str], features: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        t, m = embed_pairs(self.model, self.mean, self.std, self.kind, captions, features)
        if self.kind == "lamp":
            m = self.model.motion_vector(m)
        return t.numpy().astype(np.float64), m.numpy().astype(np.float64)


def score(name: str, text_emb: np.ndarray, motion_emb: np.ndarray, real_emb: np.ndarray, repeats: int = 20,
          seed: int = 0, seconds: float = 0.0) -> GenerationScores:
    sim = motion_emb @ text_emb.T                                           # (N motions, N texts)
    rep = evaluate(sim, batch=32, repeats=repeats, seed=seed)
    rng = np.random.default_rng(seed)
    n = len(motion_emb)
    a, b = rng.integers(n, size=300), rng.integers(n, size=300)
    keep = a != b
    return GenerationScores(
        name=name, r_precision={f"R@{k}": rep.protocol["m2t"][f"R@{k}"] for k in (1, 2, 3)},
        fid=frechet(motion_emb, real_emb), mm_dist=float(np.linalg.norm(text_emb - motion_emb, axis=1).mean()),
        diversity=float(np.linalg.norm(motion_emb[a[keep]] - motion_emb[b[keep]], axis=1).mean()), n=n,
        seconds_per_motion=seconds)


def generated_features(engine, captions: list[str], frames: list[int], seed: int, residual: bool,
                       progress=None) -> tuple[list[np.ndarray], float]:
    """One motion per caption at the given length (multiples of 4 frames), as 263-d features."""
    import time

    from ..engine import Sampling
    s = Sampling(**{**engine.sampling.__dict__, "residual": residual})
    out, t0 = [], time.perf_counter()
    for i, (cap, n) in enumerate(zip(captions, frames)):
        m = engine.generate(cap, seconds=n / 20.0, seed=seed + i, sampling=s)[0]
        out.append(m.features[: len(m.features) // 4 * 4])
        if progress:
            progress(i + 1, len(captions))
    return out, (time.perf_counter() - t0) / max(len(captions), 1)


@torch.no_grad()
def evaluate_generation(engines: dict[str, tuple[object, bool]], evaluator: Evaluator, data_root: Path,
                        split: str = "test", n: int = 256, seed: int = 0, progress=None, repeats: int = 1,
                        mm_texts: int = 0, mm_samples: int = 30) -> list[GenerationScores]:
    """engines: row name -> (Engine, use the residual stage). ``n`` clips of ``split`` (a seeded pick);
    ``repeats`` generations of the whole set; MultiModality over ``mm_texts`` captions x ``mm_samples``."""
    entries = load_split(Path(data_root), split)
    idx = np.random.default_rng(seed).permutation(len(entries))[:n]
    pairs = test_pairs(data_root, split, 196, 4, seed, [entries[i] for i in sorted(idx)])
    keep = [i for i, f in enumerate(pairs.features) if len(f) >= 8]
    captions = [pairs.captions[i] for i in keep]
    real = [pairs.features[i] for i in keep]
    t_emb, real_emb = evaluator.embed(captions, real)
    rows = [score("real motions", t_emb, real_emb, real_emb, seed=seed)]
    for name, (engine, residual) in engines.items():
        runs = []
        for r in range(repeats):
            feats, secs = generated_features(engine, captions, [len(f) for f in real], seed + 100_003 * r, residual,
                                             progress)
            _, gen_emb = evaluator.embed(captions, feats)
            runs.append(score(name, t_emb, gen_emb, real_emb, seed=seed + r, seconds=secs))
        row = combine(runs)
        if mm_texts:
            picked = captions[:mm_texts]
            embs = []
            for k, cap in enumerate(picked):
                many, _ = generated_features(engine, [cap] * mm_samples, [len(real[k])] * mm_samples,
                                             seed + 7_919 * (k + 1), residual)
                embs.append(evaluator.embed([cap] * mm_samples, many)[1])
            row.multimodality = multimodality(np.stack(embs), seed=seed)
        rows.append(row)
    return rows


def write_generation_report(rows: list[GenerationScores], out: Path, evaluator: Evaluator, data_root: Path,
                            split: str) -> Path:
    from ..formats.atomic import atomic_write_text
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join([
        f"# Text-to-motion generation on {data_root} ({split}, {rows[0].n} captions)", "",
        f"Evaluator: {evaluator.model_id} ({evaluator.kind}); R-precision in batches of 32, each caption generated "
        f"at its clip's length with a fixed seed; ± is a 95% interval over {rows[-1].repeats} generation "
        "repeat(s) (over 20 shuffles of the batches where there is one repeat).", "",
        HEADER, *[r.row() for r in rows], ""])
    atomic_write_text(out, text)
    atomic_write_text(out.with_suffix(".json"), json.dumps([asdict(r) for r in rows], indent=2))
    return out
