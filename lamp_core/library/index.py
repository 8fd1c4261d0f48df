"""Exact top-k cosine search over one model's clip vectors held in memory.

Two back ends give the same answer (both compute every dot product; ties are broken by clip id):
numpy (matrix @ vector, argpartition) and faiss ``IndexFlatIP``. ``FAISS_MIN_CLIPS`` switches to
faiss for libraries at least that large; it is None (numpy always) because on the machine we measured
(``python -m benchmarks --only library``: 2-core EPYC) numpy's matrix-vector product was faster for a
single query at every size: 100k x 256-d in 3.0 ms against faiss's 5.3 ms, 512-d 5.9 against 10.4 ms,
and faiss got slower, not faster, with more OpenMP threads. Set it (e.g. 20_000) where faiss wins.
Beyond a few million clips an approximate faiss index (HNSW/IVF) would be the next step; not built.
"""

from __future__ import annotations

import numpy as np

FAISS_MIN_CLIPS: int | None = None


class VectorIndex:
    """Unit vectors (N, dim) with their clip ids; ``search`` returns (ids, scores), best first."""

    def __init__(self, ids: np.ndarray, vectors: np.ndarray, backend: str | None = None):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.dim = int(self.vectors.shape[1])
        if backend is None:
            big = FAISS_MIN_CLIPS is not None and len(self.ids) >= FAISS_MIN_CLIPS
            backend = "faiss" if big and _faiss() is not None else "numpy"
        if backend not in ("numpy", "faiss"):
            raise ValueError(f"unknown search backend {backend!r}")
        self.backend = backend
        self._faiss_index = None
        if backend == "faiss":
            faiss = _faiss()
            if faiss is None:
                raise ImportError("faiss is not installed (pip install faiss-cpu)")
            self._faiss_index = faiss.IndexFlatIP(self.dim)
            if len(self.ids):
                self._faiss_index.add(self.vectors)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(self.dim)
        n = len(self.ids)
        k = min(int(k), n)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        rows = scores = None
        if self.backend == "faiss":
            # A few more than k, so equal scores at the cut (duplicate clips) are ordered by id below;
            # if the ties run past even those, numpy settles it.
            want = min(n, k + 8)
            scores, rows = self._faiss_index.search(q[None], want)
            rows, scores = rows[0], scores[0]
            if want < n and scores[-1] >= scores[k - 1]:
                rows = scores = None
        if rows is None:
            s = self.vectors @ q
            if k < n:
                kth = s[np.argpartition(-s, k - 1)[k - 1]]
                rows = np.flatnonzero(s >= kth)  # the top k and everything tied with the k-th
            else:
                rows = np.arange(n)
            scores = s[rows]
        ids = self.ids[rows]
        order = np.lexsort((ids, -scores))[:k]
        return ids[order], scores[order].astype(np.float32)


def _faiss():
    try:
        import faiss
    except ImportError:  # optional at run time: numpy answers the same
        return None
    return faiss
