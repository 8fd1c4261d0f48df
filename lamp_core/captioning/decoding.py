"""Greedy, beam and sampled decoding for any captioner, written once over a step function.

A captioner supplies ``next_logprobs(ids, rows)``: for N partial captions ``ids`` (N, L) whose source
clips are ``rows`` (N,) it returns next-token log-probabilities (N, V). The clip's encoding is the
captioner's business (it indexes its cached motion states by ``rows``), so beams and samples of many
clips decode in one batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

StepFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Hypothesis:
    ids: list[int]     # generated tokens, without the start token, up to and excluding the end token
    logprob: float     # sum of token log-probabilities (the end token's included when it was reached)
    score: float       # what the n-best list is ordered by (length-normalised log-probability)


def _score(logprob: float, length: int, alpha: float) -> float:
    return logprob / max(1, length) ** alpha


@torch.no_grad()
def greedy(step: StepFn, n_items: int, bos: int, eos: int, max_len: int, device=None) -> list[Hypothesis]:
    ids = torch.full((n_items, 1), bos, dtype=torch.long, device=device)
    rows = torch.arange(n_items, device=device)
    total = torch.zeros(n_items, device=device)
    done = torch.zeros(n_items, dtype=torch.bool, device=device)
    for _ in range(max_len):
        lp = step(ids, rows).float()
        best, tok = lp.max(-1)
        total += torch.where(done, torch.zeros_like(best), best)
        tok = torch.where(done, torch.full_like(tok, eos), tok)
        ids = torch.cat([ids, tok[:, None]], 1)
        done |= tok == eos
        if bool(done.all()):
            break
    return [_hypothesis(ids[i, 1:].tolist(), float(total[i]), eos, 1.0) for i in range(n_items)]


def _hypothesis(tokens: list[int], logprob: float, eos: int, alpha: float) -> Hypothesis:
    if eos in tokens:
        tokens = tokens[: tokens.index(eos)]
    return Hypothesis(tokens, logprob, _score(logprob, len(tokens) + 1, alpha))


@torch.no_grad()
def beam_search(step: StepFn, n_items: int, bos: int, eos: int, max_len: int, width: int = 5,
                n_best: int | None = None, alpha: float = 1.0, device=None) -> list[list[Hypothesis]]:
    """Per item, the ``n_best`` (default ``width``) finished captions, best first. Scores are
    log-probabilities divided by length**alpha, so beams do not favour short captions. An item stops
    once it has ``n_best`` finished captions and its best live beam, were it to end now, would not
    beat the worst of them (transformers' default, early_stopping=False: exact for alpha=0). Stopping
    at the first ``n_best`` finished captions instead lets a few unlikely early endings cut off a far
    better beam one step before it ends. Impossible (-inf) continuations are never kept."""
    if width < 1:
        raise ValueError(f"beam width must be at least 1, got {width}")
    n_best = n_best or width
    ids = torch.full((n_items, 1), bos, dtype=torch.long, device=device)
    rows = torch.arange(n_items, device=device)
    scores = torch.zeros(n_items, device=device)
    finished: list[list[Hypothesis]] = [[] for _ in range(n_items)]
    for t in range(max_len):
        lp = step(ids, rows).float()                                  # (N, V)
        V = lp.shape[-1]
        cand = (scores[:, None] + lp)                                # (N, V)
        new_ids, new_rows, new_scores = [], [], []
        for item in range(n_items):
            mine = (rows == item).nonzero().flatten()
            if len(mine) == 0:
                continue
            flat = cand[mine].flatten()
            k = min(len(flat), 2 * width)
            top, idx = flat.topk(k)
            kept, best_live = 0, float("-inf")
            for s, j in zip(top.tolist(), idx.tolist()):
                if s == float("-inf"):
                    break
                src, tok = mine[j // V], j % V
                if tok == eos or t == max_len - 1:
                    seq = ids[src, 1:].tolist() + ([] if tok == eos else [tok])
                    finished[item].append(Hypothesis(seq, s, _score(s, len(seq) + 1, alpha)))
                else:
                    new_ids.append(torch.cat([ids[src], ids.new_tensor([tok])]))
                    new_rows.append(item)
                    new_scores.append(s)
                    best_live = max(best_live, s)
                    kept += 1
                if kept == width:
                    break
            if len(finished[item]) >= n_best and (
                    sorted(h.score for h in finished[item])[-n_best] >= _score(best_live, t + 2, alpha)):
                keep = [i for i in range(len(new_rows)) if new_rows[i] != item]
                new_ids = [new_ids[i] for i in keep]
                new_rows = [new_rows[i] for i in keep]
                new_scores = [new_scores[i] for i in keep]
        if not new_ids:
            break
        ids = torch.stack(new_ids)
        rows = torch.tensor(new_rows, device=device)
        scores = torch.tensor(new_scores, device=device)
    return [sorted(f, key=lambda h: -h.score)[:n_best] for f in finished]


@torch.no_grad()
def sample(step: StepFn, n_items: int, bos: int, eos: int, max_len: int, n_samples: int = 1,
           temperature: float = 1.0, top_k: int = 0, seed: int = 0, device=None) -> list[list[Hypothesis]]:
    """``n_samples`` sampled captions per item, best scored first; the same seed gives the same captions."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    g = torch.Generator(device=device or "cpu").manual_seed(seed)
    n = n_items * n_samples
    ids = torch.full((n, 1), bos, dtype=torch.long, device=device)
    rows = torch.arange(n_items, device=device).repeat_interleave(n_samples)
    total = torch.zeros(n, device=device)
    done = torch.zeros(n, dtype=torch.bool, device=device)
    for _ in range(max_len):
        lp = step(ids, rows).float()
        logits = lp / temperature
        if top_k:
            kth = logits.topk(min(top_k, logits.shape[-1]), -1).values[:, -1:]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        tok = torch.multinomial(logits.softmax(-1), 1, generator=g).squeeze(1)
        tok = torch.where(done, torch.full_like(tok, eos), tok)
        total += torch.where(done, torch.zeros_like(total), lp.gather(1, tok[:, None]).squeeze(1))
        ids = torch.cat([ids, tok[:, None]], 1)
        done |= tok == eos
        if bool(done.all()):
            break
    hyps = [_hypothesis(ids[i, 1:].tolist(), float(total[i]), eos, 1.0) for i in range(n)]
    return [sorted(hyps[i * n_samples:(i + 1) * n_samples], key=lambda h: -h.score) for i in range(n_items)]
