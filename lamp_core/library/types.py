"""The values the motion library hands out and the one thing it needs from a model (``Embedder``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import LampError
from ..motion import Motion

MAX_QUERY_CHARS = 2000
"""Longest text query accepted (in characters, i.e. Unicode code points)."""


@runtime_checkable
class Embedder(Protocol):
    """What the library needs from a model that maps texts and motions into one space.

    ``model_id`` must change whenever the weights change: vectors stored under an old id are stale.
    Both methods return (N, dim) float32 rows with unit L2 norm, so a dot product is a cosine."""
    model_id: str
    dim: int

    def embed_motions(self, motions: list[Motion]) -> np.ndarray: ...

    def embed_texts(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class LibraryClip:
    """One clip's catalogue row (the motion itself is ``MotionLibrary.motion(id)``)."""
    id: int
    name: str
    source: str | None
    captions: tuple[str, ...]
    frames: int
    fps: float
    license: str | None
    added: str  # UTC, ISO 8601

    @property
    def duration(self) -> float:
        return self.frames / self.fps


CLIP_COLUMNS = "id, name, source, captions, frames, fps, license, added"


def clip_from_row(row) -> LibraryClip:
    """A LibraryClip from ``SELECT {CLIP_COLUMNS} FROM clips``."""
    return LibraryClip(int(row[0]), row[1], row[2], tuple(json.loads(row[3])), int(row[4]), float(row[5]), row[6],
                       row[7])


@dataclass(frozen=True)
class Hit:
    clip: LibraryClip
    score: float  # cosine similarity, higher is better


@dataclass(frozen=True)
class LibraryItem:
    """One clip to add with ``add_many``; a bare Motion or a dict with these keys work too."""
    motion: Motion
    name: str | None = None
    captions: tuple[str, ...] | list[str] = ()
    source: str | None = None
    license: str | None = None


def check_query(text: str) -> str:
    """A text query as the embedder will get it (unchanged), or a LampError saying what is wrong."""
    if not isinstance(text, str):
        raise LampError(f"a text query must be a string, got {type(text).__name__}")
    if not text.strip():
        raise LampError("empty query: type a description of the motion to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise LampError(f"query too long: {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    return text


def clean_captions(captions) -> tuple[str, ...]:
    """Captions as a tuple of stripped, non-empty strings; a single string is one caption."""
    if captions is None:
        return ()
    if isinstance(captions, str):
        captions = (captions,)
    out = []
    for c in captions:
        if not isinstance(c, str):
            raise LampError(f"captions must be strings, got {type(c).__name__}")
        if c.strip():
            out.append(c.strip())
    return tuple(out)


def check_vectors(vectors, n: int, dim: int, who: str) -> np.ndarray:
    """(n, dim) finite float32 rows rescaled to unit length, or a LampError naming ``who``."""
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim == 1 and n == 1:
        v = v[None]
    if v.shape != (n, dim):
        raise LampError(f"{who} returned vectors of shape {v.shape}, expected ({n}, {dim})")
    if not np.isfinite(v).all():
        raise LampError(f"{who} returned NaN or infinite vectors")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    if (norms < 1e-12).any():
        raise LampError(f"{who} returned an all-zero vector")
    return np.ascontiguousarray(v / norms, dtype=np.float32)
