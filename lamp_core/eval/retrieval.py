"""Retrieval metrics with the field's protocol: R@1/2/3/5/10 and median rank, text->motion and
motion->text, within random batches of 32 repeated 20 times (mean and 95% interval), and over the
whole test set.

Ranks are optimistic on exact ties (an item is beaten only by strictly higher scores), so two clips
with word-for-word identical captions do not punish each other at random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KS = (1, 2, 3, 5, 10)


def ranks(sim: np.ndarray, groups: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(N, N) motion x text scores, pair i on the diagonal -> 1-based ranks (text->motion, motion->text).

    ``groups`` (N,): items that mean the same (e.g. one content and style label) -- then a hit on any
    item of the pair's group counts: the rank is 1 + the other-group items scoring above the best
    same-group one."""
    sim = np.asarray(sim, dtype=np.float64)
    if groups is None:
        diag = np.diag(sim)
        t2m = (sim > diag[None, :]).sum(0) + 1   # for text j: motions scoring above its own
        m2t = (sim > diag[:, None]).sum(1) + 1   # for motion i: texts scoring above its own
        return t2m, m2t
    g = np.asarray(groups)
    same = g[:, None] == g[None, :]
    best_t = np.where(same, sim, -np.inf).max(0)          # text j: its best same-meaning motion
    best_m = np.where(same, sim, -np.inf).max(1)          # motion i: its best same-meaning text
    t2m = ((sim > best_t[None, :]) & ~same).sum(0) + 1
    m2t = ((sim > best_m[:, None]) & ~same).sum(1) + 1
    return t2m, m2t


def rank_metrics(r: np.ndarray) -> dict[str, float]:
    out = {f"R@{k}": float((r <= k).mean() * 100) for k in KS}
    out["MedR"] = float(np.median(r))
    return out


@dataclass
class RetrievalReport:
    protocol: dict[str, dict[str, tuple[float, float]]]   # direction -> metric -> (mean, 95% half-width)
    full: dict[str, dict[str, float]]                     # direction -> metric, over all N
    n: int
    batch: int
    repeats: int

    def table(self, name: str = "") -> str:
        lines = [f"| {name} | direction | " + " | ".join(f"R@{k}" for k in KS) + " | MedR |",
                 "|---|---|" + "---|" * (len(KS) + 1)]
        for d in ("t2m", "m2t"):
            cells = [f"{m:.2f} ± {h:.2f}" for m, h in (self.protocol[d][f"R@{k}"] for k in KS)]
            cells.append(f"{self.protocol[d]['MedR'][0]:.1f}")
            lines.append(f"| {name} (batches of {self.batch}) | {d} | " + " | ".join(cells) + " |")
        for d in ("t2m", "m2t"):
            cells = [f"{self.full[d][f'R@{k}']:.2f}" for k in KS] + [f"{self.full[d]['MedR']:.0f}"]
            lines.append(f"| {name} (all {self.n}) | {d} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"n": self.n, "batch": self.batch, "repeats": self.repeats,
                "protocol": {d: {k: list(v) for k, v in m.items()} for d, m in self.protocol.items()},
                "full": self.full}


def evaluate(sim: np.ndarray, batch: int = 32, repeats: int = 20, seed: int = 0,
             groups: np.ndarray | None = None) -> RetrievalReport:
    """Both protocols from one (N, N) similarity matrix (pairs on the diagonal); with ``groups``, a hit
    on any same-meaning item counts (see ``ranks``)."""
    sim = np.asarray(sim)
    n = sim.shape[0]
    if n < 2 or sim.shape != (n, n):
        raise ValueError(f"retrieval needs a square similarity matrix of at least 2 pairs, got {sim.shape}")
    batch = min(batch, n)  # a split smaller than one batch is ranked as a single batch
    rng = np.random.default_rng(seed)
    runs: dict[str, list[dict]] = {"t2m": [], "m2t": []}
    for _ in range(repeats):
        order = rng.permutation(n)
        t_all, m_all = [], []
        for s in range(0, n - batch + 1, batch):
            idx = order[s:s + batch]
            t, m = ranks(sim[np.ix_(idx, idx)], None if groups is None else np.asarray(groups)[idx])
            t_all.append(t)
            m_all.append(m)
        if not t_all:
            break
        runs["t2m"].append(rank_metrics(np.concatenate(t_all)))
        runs["m2t"].append(rank_metrics(np.concatenate(m_all)))
    protocol = {}
    for d, rs in runs.items():
        protocol[d] = {}
        for key in (rs[0] if rs else {}):
            vals = np.array([r[key] for r in rs])
            protocol[d][key] = (float(vals.mean()), float(1.96 * vals.std() / np.sqrt(len(vals))))
    t, m = ranks(sim, groups)
    return RetrievalReport(protocol, {"t2m": rank_metrics(t), "m2t": rank_metrics(m)}, n, batch, len(runs["t2m"]))
