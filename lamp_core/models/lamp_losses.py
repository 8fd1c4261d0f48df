"""LaMP's pretraining losses: contrastive, matching with hard negatives, motion-grounded text
generation, and text -> motion-token prediction (when a tokenizer gives the batch its codes).

Fixes over the official code: hard negatives never include the positive (nor another clip with
the very same caption), and in-batch duplicates of a caption count as positives in the
contrastive targets instead of as negatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .lamp import DEC_TOKEN_ID, LaMP


@dataclass(frozen=True)
class LossWeights:
    contrastive: float = 1.0
    mean_vector: float = 0.5     # contrastive on the one vector a library stores (mean of the queries)
    matching: float = 1.0
    generation: float = 1.0
    motion_tokens: float = 1.0   # text -> motion-token prediction; active when the batch carries "codes"
    label_smoothing: float = 0.1
    # How many items of a batch enter the two fused-sequence losses (0 = all). Matching and generation
    # run queries+text through every layer again (3x and 1x the batch); subsetting them is what makes
    # pretraining affordable on a CPU, while contrastive still sees the whole batch.
    matching_items: int = 0
    generation_items: int = 0


def positives_mask(captions: list[str], device=None) -> torch.Tensor:
    """(B, B) True where two items of a batch share the pair or an identical caption."""
    keys = [" ".join(c.lower().split()).rstrip(".") for c in captions]
    idx = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    ids = torch.tensor([idx[k] for k in keys], device=device)
    return ids[:, None] == ids[None, :]


def contrastive_loss(sim: torch.Tensor, scale: torch.Tensor, positives: torch.Tensor, smoothing: float) -> torch.Tensor:
    """Symmetric InfoNCE on (B, B) motion x text similarities; duplicates share the target mass."""
    target = positives.float() / positives.float().sum(1, keepdim=True)
    logits = sim * scale
    m2t = F.cross_entropy(logits, target, label_smoothing=smoothing)
    t2m = F.cross_entropy(logits.T, target.T / target.T.sum(1, keepdim=True), label_smoothing=smoothing)
    return (m2t + t2m) / 2


def sample_hard_negatives(sim: torch.Tensor, positives: torch.Tensor, generator: torch.Generator | None = None):
    """For each row, one column drawn with probability softmax(sim) over the non-positive columns.
    Returns (indices, has_negative): rows whose columns are all positive get no negative."""
    w = torch.softmax(sim.float(), dim=1).masked_fill(positives, 0.0)
    has = w.sum(1) > 0
    w = torch.where(has[:, None], w, torch.ones_like(w))
    idx = torch.multinomial(w, 1, generator=generator).squeeze(1)
    return idx, has


def _subset(n: int, k: int, device, generator: torch.Generator | None) -> torch.Tensor:
    """Indices of ``k`` random items of ``n`` (all of them, in order, when k is 0 or >= n)."""
    if not k or k >= n:
        return torch.arange(n, device=device)
    return torch.randperm(n, generator=generator)[:k].sort().values.to(device)


def lamp_losses(model: LaMP, batch: dict, weights: LossWeights = LossWeights(),
                generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """batch: feats (B,T,263), lengths (B,), ids (B,L), valid (B,L) bool, captions (list of B str)."""
    feats, lengths, ids, valid = batch["feats"], batch["lengths"], batch["ids"], batch["valid"]
    B = feats.shape[0]
    pos = positives_mask(batch["captions"], feats.device)
    motion, keep = model.encode_motion(feats, lengths)
    out: dict[str, torch.Tensor] = {}
    total = feats.new_zeros(())

    q_emb = model.query_embeddings(motion, keep)
    t_emb = model.text_embedding(ids, valid)
    sim = model.similarity(q_emb, t_emb)
    scale = model.logit_scale.exp().clamp(max=100.0)
    if weights.contrastive:
        out["contrastive"] = contrastive_loss(sim, scale, pos, weights.label_smoothing)
        total = total + weights.contrastive * out["contrastive"]
    if weights.mean_vector:
        out["contrastive_mean"] = contrastive_loss(model.motion_vector(q_emb) @ t_emb.T, scale, pos,
                                                   weights.label_smoothing)
        total = total + weights.mean_vector * out["contrastive_mean"]

    if weights.matching and B > 1:
        with torch.no_grad():
            neg_text, has_t = sample_hard_negatives(sim * scale, pos, generator)        # per motion
            neg_motion, has_m = sample_hard_negatives((sim * scale).T, pos.T, generator)  # per text
        mi = _subset(B, weights.matching_items, feats.device, generator)
        has_t, has_m = has_t[mi], has_m[mi]
        m_idx = torch.cat([mi, mi[has_t], neg_motion[mi][has_m]])
        t_idx = torch.cat([mi, neg_text[mi][has_t], mi[has_m]])
        labels = torch.cat([torch.ones(len(mi)), torch.zeros(int(has_t.sum()) + int(has_m.sum()))]).long().to(feats.device)
        logits = model.match_logits(motion[m_idx], keep[m_idx], ids[t_idx], valid[t_idx])
        out["matching"] = F.cross_entropy(logits, labels)
        out["matching_acc"] = (logits.argmax(1) == labels).float().mean().detach()
        total = total + weights.matching * out["matching"]

    if weights.generation:
        gi = _subset(B, weights.generation_items, feats.device, generator)
        g_ids, g_valid = ids[gi], valid[gi]
        dec = g_ids.clone()
        dec[:, 0] = DEC_TOKEN_ID
        states = model.fused_states(motion[gi], keep[gi], dec, g_valid, causal=True)[:, model.cfg.n_query:]
        logits = model.lm_logits(states[:, :-1])
        target = g_ids[:, 1:].masked_fill(~g_valid[:, 1:], -100)
        out["generation"] = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                            ignore_index=-100, label_smoothing=weights.label_smoothing)
        total = total + weights.generation * out["generation"]

    if weights.motion_tokens and batch.get("codes") is not None and model.token_head is not None:
        codes = batch["codes"]                                   # (B, N) coarse tokens, -1 past the end
        logits = model.motion_token_logits(ids, valid)          # (B, Q, n_codes), N <= Q
        target = torch.full(logits.shape[:2], -100, dtype=torch.long, device=feats.device)
        target[:, : codes.shape[1]] = codes.masked_fill(codes < 0, -100)
        out["motion_tokens"] = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                               ignore_index=-100)
        hit = (logits.argmax(-1) == target)[target >= 0]
        out["motion_tokens_acc"] = hit.float().mean().detach()
        total = total + weights.motion_tokens * out["motion_tokens"]

    out["loss"] = total
    out["temperature"] = (1.0 / scale).detach()
    return out
