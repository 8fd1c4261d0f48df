"""Embeddings and search, mixed into ``MotionLibrary``: vectors per model, staleness, re-embedding,
and top-k cosine search over one model's vectors cached in memory (dropped whenever clips or vectors
change, here or in another process).
"""

from __future__ import annotations

import threading
from typing import Callable

import numpy as np

from ..errors import LampError
from ..motion import Motion
from .codec import vector_blob, vectors_from_blobs
from .index import VectorIndex
from .types import CLIP_COLUMNS, Embedder, Hit, check_query, check_vectors, clip_from_row

Progress = Callable[[str, int, int], None]  # (what, done, total), as elsewhere in lamp_core


class SearchMixin:
    """Needs from the host (MotionLibrary): path, read_only, _lock, _query, _write, _fresh_indexes,
    _clip_count, _indexes, ids, motion and __len__."""
    _lock: threading.RLock
    read_only: bool
    _indexes: dict[tuple[str, int], tuple[VectorIndex, int]]  # (model_id, dim) -> (vectors, clips refused)

    # ------------------------------------------------------------------ embeddings
    @staticmethod
    def _model(embedder) -> tuple[str, int | None]:
        if isinstance(embedder, str):
            return embedder, None
        return str(embedder.model_id), int(embedder.dim)

    def stale(self, embedder) -> list[int]:
        """Ids of clips with no vector from this model (an Embedder or a model_id). Clips the model
        could not embed (see ``reembed``) are not stale."""
        model_id, dim = self._model(embedder)
        sql = "SELECT id FROM clips WHERE id NOT IN (SELECT clip_id FROM embeddings WHERE model_id = ?"
        args: list = [model_id]
        if dim is not None:
            sql += " AND dim IN (?, 0)"
            args.append(dim)
        return [r[0] for r in self._query(sql + ") ORDER BY id", args)]

    def models(self) -> dict[str, int]:
        """model_id -> number of clips with a vector from it."""
        return {m: n for m, n in self._query("SELECT model_id, COUNT(*) FROM embeddings WHERE dim > 0 "
                                             "GROUP BY model_id")}

    def unembeddable(self, model_id: str) -> list[int]:
        """Clips this model refused (too short, ...): left out of its searches instead of blocking them."""
        return [r[0] for r in self._query("SELECT clip_id FROM embeddings WHERE model_id = ? AND dim = 0 "
                                          "ORDER BY clip_id", (str(model_id),))]

    def reembed(self, embedder: Embedder, progress: Progress | None = None, force: bool = False,
                drop_others: bool = True, batch: int = 64) -> int:
        """Compute vectors with this model for the clips that lack one (every clip with ``force``), one
        transaction per batch; with ``drop_others`` other models' vectors are deleted first. A clip the
        model refuses (ValueError or LampError, e.g. too short) is marked as such and left out of this
        model's searches (``unembeddable``). Returns how many clips were embedded."""
        model_id, dim = self._model(embedder)
        if drop_others:
            with self._write() as con:
                con.execute("DELETE FROM embeddings WHERE model_id != ? OR dim NOT IN (?, 0)", (model_id, dim))
        todo = self.ids() if force else self.stale(embedder)
        done = embedded = 0
        for i in range(0, len(todo), batch):
            part = todo[i:i + batch]
            motions = [self.motion(c) for c in part]
            vectors = self._embed_or_none(embedder, motions)
            if vectors is not None:
                self.set_vectors(model_id, part, vectors)
                embedded += len(part)
            else:  # the model refused the batch: find the clips it refuses, one by one
                for c, m in zip(part, motions):
                    v = self._embed_or_none(embedder, [m]) if len(part) > 1 else None
                    if v is None:
                        self._mark_unembeddable(model_id, [c])
                    else:
                        self.set_vectors(model_id, [c], v)
                        embedded += 1
            done += len(part)
            if progress:
                progress(motions[-1].provenance.source or f"clip {part[-1]}", done, len(todo))
        return embedded

    @staticmethod
    def _embed_checked(embedder: Embedder, raw, n: int) -> np.ndarray:
        return check_vectors(raw, n, int(embedder.dim), f"model {embedder.model_id}")

    def _embed(self, embedder: Embedder, motions: list[Motion]) -> np.ndarray:
        return self._embed_checked(embedder, embedder.embed_motions(motions), len(motions))

    def _embed_or_none(self, embedder: Embedder, motions: list[Motion]) -> np.ndarray | None:
        """None when the model refuses these motions (ValueError/LampError from the model itself);
        malformed output (wrong shape, NaN) is a broken model and raises."""
        try:
            raw = embedder.embed_motions(motions)
        except (ValueError, LampError):
            return None
        return self._embed_checked(embedder, raw, len(motions))

    def _mark_unembeddable(self, model_id: str, ids: list[int]) -> None:
        with self._write() as con:
            con.executemany("INSERT OR REPLACE INTO embeddings (model_id, clip_id, dim, vector) "
                            "SELECT ?, id, 0, x'' FROM clips WHERE id = ?", ((model_id, c) for c in ids))

    def set_vectors(self, model_id: str, ids, vectors: np.ndarray) -> None:
        """Store vectors computed elsewhere (rows rescaled to unit length), in one transaction."""
        ids = [int(i) for i in ids]
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim != 2:
            raise LampError(f"vectors must be a matrix (N, dim), got shape {v.shape}")
        v = check_vectors(v, len(ids), v.shape[1], "set_vectors")
        with self._write() as con:
            con.execute("DELETE FROM embeddings WHERE model_id = ? AND dim NOT IN (?, 0)", (model_id, v.shape[1]))
            con.executemany("INSERT OR REPLACE INTO embeddings (model_id, clip_id, dim, vector) "
                            "SELECT ?, id, ?, ? FROM clips WHERE id = ?",
                            ((model_id, v.shape[1], vector_blob(row), cid) for cid, row in zip(ids, v)))

    # ------------------------------------------------------------------ search
    def _index(self, model_id: str, dim: int) -> VectorIndex:
        """The model's vectors, loaded once; a LampError if some clips have none from it."""
        with self._lock:
            self._fresh_indexes()
            key = (model_id, dim)
            if key not in self._indexes:
                self._indexes.clear()  # one model in memory at a time
                rows = self._query("SELECT clip_id, vector FROM embeddings WHERE model_id = ? AND dim = ?",
                                   (model_id, dim))
                ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
                try:
                    vectors = vectors_from_blobs((r[1] for r in rows), len(rows), dim)
                except ValueError:
                    raise LampError(f"{self.path}: stored vectors of model {model_id} are damaged; run "
                                    f"`lamp library reembed --force` to compute them again") from None
                refused = self._query("SELECT COUNT(*) FROM embeddings WHERE model_id = ? AND dim = 0",
                                      (model_id,))[0][0]
                self._indexes[key] = (VectorIndex(ids, vectors), refused)
            index, refused = self._indexes[key]
            total = self._clip_count() - refused
            if total > len(index):
                what = (f"{total - len(index):,} of {total:,} clips have" if len(index) else
                        f"none of the {total:,} clips has")
                raise LampError(f"{self.path}: {what} no vector from model {model_id} (dim {dim}); "
                                f"run `lamp library reembed` (or search with auto_embed=True) to embed them")
            return index

    def _ensure_embedded(self, embedder: Embedder, auto_embed: bool) -> None:
        """Before the query meets the model: embed stale clips, or refuse to search without them."""
        stale = self.stale(embedder) if auto_embed or self.read_only else []
        if stale and self.read_only:  # reembedding would write: say which model the file was built for
            built = ", ".join(self.models()) or "none"
            raise LampError(f"{self.path}: {len(stale):,} clips have no vector from model {embedder.model_id} and "
                            f"this library is read-only (it holds vectors of: {built}); search it with that "
                            f"model, or build your own library with `lamp library add`")
        if stale:
            self.reembed(embedder, drop_others=False)
        self._index(str(embedder.model_id), int(embedder.dim))

    def search_vector(self, model_id: str, vector: np.ndarray, top: int = 10,
                      exclude_id: int | None = None) -> list[Hit]:
        """The ``top`` clips whose vectors from ``model_id`` are most similar to ``vector``."""
        if int(top) < 1:
            raise LampError(f"top must be at least 1, got {top}")
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        q = check_vectors(q[None], 1, q.shape[0], "the query")[0]
        with self._lock:
            index = self._index(model_id, q.shape[0])
            ids, scores = index.search(q, int(top) + (exclude_id is not None))
            if exclude_id is not None:
                keep = ids != int(exclude_id)
                ids, scores = ids[keep][:int(top)], scores[keep][:int(top)]
            if not len(ids):
                return []
            rows = self._query(f"SELECT {CLIP_COLUMNS} FROM clips WHERE id IN ({','.join('?' * len(ids))})",
                               [int(i) for i in ids])
        clips = {r[0]: clip_from_row(r) for r in rows}
        return [Hit(clips[int(i)], float(s)) for i, s in zip(ids, scores) if int(i) in clips]

    def search_text(self, embedder: Embedder, text: str, top: int = 10, auto_embed: bool = False) -> list[Hit]:
        """Clips that best match a description (any language the model knows; passed on unchanged)."""
        check_query(text)
        self._ensure_embedded(embedder, auto_embed)
        v = check_vectors(embedder.embed_texts([text]), 1, embedder.dim, f"model {embedder.model_id}")
        return self.search_vector(embedder.model_id, v[0], top)

    def search_motion(self, embedder: Embedder, motion: Motion, top: int = 10, exclude_id: int | None = None,
                      auto_embed: bool = False) -> list[Hit]:
        """Clips most like ``motion``; ``exclude_id`` leaves out the clip the motion came from."""
        if not isinstance(motion, Motion):
            raise LampError(f"search by example needs a Motion, got {type(motion).__name__}")
        self._ensure_embedded(embedder, auto_embed)
        v = check_vectors(embedder.embed_motions([motion]), 1, embedder.dim, f"model {embedder.model_id}")
        return self.search_vector(embedder.model_id, v[0], top, exclude_id)
