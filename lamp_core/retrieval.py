"""Retrieval on a trained LaMP: embed texts and motions into the shared space, search both ways,
and re-rank the top candidates with the matching head (the official code never uses it).

``LaMPEncoder`` is also what the motion library calls (``model_id``, ``dim``, ``embed_texts``,
``embed_motions``), so library vectors and these searches always agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from .data.batching import pad_batch
from .models.io import load_model
from .models.lamp import LaMP
from .motion import Motion
from .text.minilm import check_query, load_tokenizer

class LaMPEncoder:
    def __init__(self, model: LaMP, mean: np.ndarray, std: np.ndarray, model_id: str = "lamp-untracked",
                 device: str = "cpu", batch: int = 64):
        self.model = model.to(device).eval()
        self.mean, self.std = np.asarray(mean, np.float32), np.asarray(std, np.float32)
        self.model_id, self.device, self.batch = model_id, device, batch
        self.tokenizer = load_tokenizer()
        self.dim = model.cfg.embed_dim
        self.unit = 2 ** model.cfg.conv.down

    @classmethod
    def load(cls, folder: Path, device: str = "cpu") -> "LaMPEncoder":
        model, mean, std, mid, _ = load_model(folder, device, expect="lamp")
        return cls(model, mean, std, mid, device)

    # ------------------------------------------------------------------ inputs
    def _tokens(self, texts: Sequence[str]):
        t = self.tokenizer(list(texts), padding="longest", truncation=True, max_length=self.model.cfg.max_text_tokens,
                           return_tensors="pt")
        return t["input_ids"].to(self.device), t["attention_mask"].bool().to(self.device)

    def _windows(self, feats: np.ndarray) -> list[np.ndarray]:
        """A clip longer than the model's window is seen as overlapping windows (vectors averaged)."""
        T, L = len(feats), self.model.cfg.max_frames
        if T <= L:
            n = max(self.unit, (T // self.unit) * self.unit)
            return [feats[:n] if T >= n else np.pad(feats, ((0, n - T), (0, 0)))]
        starts = sorted(set(list(range(0, T - L + 1, L // 2)) + [T - L]))
        return [feats[s:s + L] for s in starts]

    def _motion_batch(self, feats_list: list[np.ndarray]):
        x, lengths = pad_batch(feats_list)
        return torch.from_numpy(x).to(self.device), torch.from_numpy(lengths).to(self.device)

    def normalise(self, features: np.ndarray) -> np.ndarray:
        return (np.asarray(features, np.float32) - self.mean) / self.std

    # ------------------------------------------------------------------ embeddings
    @torch.no_grad()
    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        texts = [check_query(t) for t in texts]
        out = []
        for s in range(0, len(texts), self.batch):
            ids, valid = self._tokens(texts[s:s + self.batch])
            out.append(self.model.text_embedding(ids, valid).float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, self.dim), np.float32)

    @torch.no_grad()
    def query_embeddings(self, features: Sequence[np.ndarray]) -> np.ndarray:
        """(N, Q, D) per-query features of normalised-feature clips (<= max_frames each)."""
        out = []
        for s in range(0, len(features), self.batch):
            x, n = self._motion_batch(list(features[s:s + self.batch]))
            m, keep = self.model.encode_motion(x, n)
            out.append(self.model.query_embeddings(m, keep).float().cpu().numpy())
        return np.concatenate(out)

    def embed_features(self, features: Sequence[np.ndarray]) -> np.ndarray:
        """(N, D) library vectors of raw (unnormalised) 263-d feature clips of any length."""
        windows, owner = [], []
        for i, f in enumerate(features):
            for w in self._windows(self.normalise(f)):
                windows.append(w)
                owner.append(i)
        q = self.query_embeddings(windows)
        v = q.mean(1)
        v /= np.linalg.norm(v, axis=-1, keepdims=True)
        out = np.zeros((len(features), v.shape[1]), np.float32)
        np.add.at(out, np.array(owner), v)
        return out / np.maximum(np.linalg.norm(out, axis=-1, keepdims=True), 1e-12)

    def embed_motions(self, motions: Sequence[Motion]) -> np.ndarray:
        return self.embed_features([m.features for m in motions])

    # ------------------------------------------------------------------ search
    def text_to_motion(self, text: str, motion_vectors: np.ndarray, top: int = 10) -> list[tuple[int, float]]:
        v = self.embed_texts([text])[0]
        return _top(motion_vectors @ v, top)

    def motion_to_text(self, motion: Motion, texts: Sequence[str], top: int = 10) -> list[tuple[int, float]]:
        v = self.embed_motions([motion])[0]
        return _top(self.embed_texts(texts) @ v, top)

    def motion_to_motion(self, motion: Motion, motion_vectors: np.ndarray, top: int = 10) -> list[tuple[int, float]]:
        v = self.embed_motions([motion])[0]
        return _top(motion_vectors @ v, top)

    @torch.no_grad()
    def match_probability(self, text: str, features: Sequence[np.ndarray]) -> np.ndarray:
        """P(text describes motion) from the matching head, for re-ranking a short list."""
        text = check_query(text)
        feats = [self._windows(self.normalise(f))[0] for f in features]
        probs = []
        for s in range(0, len(feats), self.batch):
            x, n = self._motion_batch(feats[s:s + self.batch])
            m, keep = self.model.encode_motion(x, n)
            ids, valid = self._tokens([text] * len(x))
            probs.append(torch.softmax(self.model.match_logits(m, keep, ids, valid), -1)[:, 1].cpu().numpy())
        return np.concatenate(probs)

    def rerank(self, text: str, hits: list[tuple[int, float]], features: Sequence[np.ndarray]) -> list[tuple[int, float]]:
        """Re-order retrieval hits (index, score) by the matching head; ``features[k]`` belongs to ``hits[k]``."""
        p = self.match_probability(text, features)
        order = np.argsort(-p, kind="stable")
        return [(hits[i][0], float(p[i])) for i in order]


def _top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    k = min(k, len(scores))
    if k <= 0:
        return []
    idx = np.argpartition(-scores, k - 1)[:k]
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    return [(int(i), float(scores[i])) for i in idx]
