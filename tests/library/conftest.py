"""Fixtures for the motion library tests: a stand-in embedder, small motions, a fresh library."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from lamp_core.data.synthetic import SYNTHETIC_CONTENTS, synthetic_motion
from lamp_core.library import MotionLibrary

# Words the stand-in understands, and the synthetic content each one means.
_WORDS = {"walk": "walk", "run": "run", "jump": "jump", "wave": "wave-right-hand", "squat": "squat",
          "kick": "kick-left"}


class StandInEmbedder:
    """A stand-in for a trained LaMP model, so the library's storage and search logic is tested
    without one (an integration test with the real model lives elsewhere).

    Motions: mean and spread of the HumanML3D features, standardised against a fixed set of
    synthetic clips and pushed through a fixed random projection. Texts: for each word that starts
    with a known action ("walks", "jumping"), the vector of a reference synthetic clip of that action,
    plus a small hashed bag of words for the rest. Both L2-normalised; deterministic for a given
    ``seed``, and a different ``model_id``/``seed`` stands for retrained weights."""

    def __init__(self, model_id: str = "stand-in-v1", dim: int = 64, seed: int = 0):
        self.model_id, self.dim = model_id, dim
        rng = np.random.default_rng(seed)
        self._proj = rng.standard_normal((2 * 263, dim)).astype(np.float32)
        ref = self._stats([synthetic_motion(c, seed=100) for c in SYNTHETIC_CONTENTS])
        self._mu, self._sd = ref.mean(0), ref.std(0) + 1e-3
        self._protos = {w: self._project([synthetic_motion(c, seed=100)])[0] for w, c in _WORDS.items()}
        self.motion_calls = 0  # motions embedded so far (tests check what gets re-embedded)

    @staticmethod
    def _stats(motions) -> np.ndarray:
        return np.stack([np.concatenate([m.features.mean(0), m.features.std(0)]) for m in motions])

    @staticmethod
    def _unit(x: np.ndarray) -> np.ndarray:
        return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)

    def _project(self, motions) -> np.ndarray:
        return self._unit(((self._stats(motions) - self._mu) / self._sd) @ self._proj)

    def embed_motions(self, motions) -> np.ndarray:
        self.motion_calls += len(motions)
        return self._project(motions)

    def embed_texts(self, texts) -> np.ndarray:
        out = []
        for text in texts:
            v = np.zeros(self.dim, dtype=np.float32)
            for word in re.findall(r"\w+", text.casefold()) or [text]:
                known = [p for w, p in self._protos.items() if word.startswith(w)]
                if known:
                    v += known[0]
                else:
                    h = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
                    v += 0.2 * self._unit(np.random.default_rng(h).standard_normal(self.dim))
            out.append(self._unit(v))
        return np.stack(out)


@pytest.fixture(scope="session")
def make_embedder() -> type[StandInEmbedder]:
    """The stand-in class: ``make_embedder(model_id, dim, seed)``, or subclass it."""
    return StandInEmbedder


@pytest.fixture(scope="session")
def stand_in() -> StandInEmbedder:
    return StandInEmbedder()


@pytest.fixture
def embedder() -> StandInEmbedder:
    """A fresh stand-in (its call counter starts at zero)."""
    return StandInEmbedder()


@pytest.fixture
def lib(tmp_path):
    with MotionLibrary.open(tmp_path / "motions.lamplib") as library:
        yield library


@pytest.fixture(scope="session")
def actions() -> list:
    """Two synthetic clips of each of six actions: [(action word, motion), ...]."""
    return [(w, synthetic_motion(c, seed=s)) for w, c in _WORDS.items() for s in (1, 2)]
