"""Clips of different lengths as one zero-padded batch, each cut to a whole number of motion tokens."""

from __future__ import annotations

import numpy as np


def pad_batch(clips: list[np.ndarray], unit: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(B, T, D) float32 zero-padded clips and their (B,) lengths; a clip is cut to a multiple of
    ``unit`` frames (at least one unit: a shorter clip is padded up to it)."""
    cut = [np.asarray(c, np.float32)[: max(unit, len(c) // unit * unit)] for c in clips]
    lengths = np.array([max(unit, len(c)) for c in cut])
    x = np.zeros((len(cut), int(lengths.max()), cut[0].shape[1]), np.float32)
    for i, c in enumerate(cut):
        x[i, : len(c)] = c
    return x, lengths
