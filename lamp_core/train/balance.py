"""Repeat-factor sampling (Gupta et al., LVIS 2019) for the generators.

The shared corpus has 28 bows and 4 kicks among 5,082 training clips, beside ~400 of each walk or
hand-raise variant: drawn uniformly, a generator barely learns the rare actions. Each clip of a class
whose share of the split is f is repeated max(1, sqrt(t / f)) times per epoch, so rare classes are seen
more often without the common ones being thinned out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..data.manifest import action_class, rows_for


def repeat_factors(classes: list[str], threshold: float) -> np.ndarray:
    """Per-clip repeat factor for a class share below ``threshold``; 1 for every clip when it is 0."""
    if threshold < 0:
        raise ValueError(f"repeat threshold must be at least 0, got {threshold}")
    _, inverse, counts = np.unique(np.asarray(classes, dtype=object).astype(str), return_inverse=True,
                                   return_counts=True)
    share = counts[inverse] / len(classes)
    return np.maximum(1.0, np.sqrt(threshold / share))


def repeated_index(factors: np.ndarray) -> np.ndarray:
    """Clip indices with clip i appearing round(factors[i]) times (at least once), in order."""
    times = np.maximum(1, np.rint(factors).astype(np.int64))
    return np.repeat(np.arange(len(factors)), times)


def balanced_index(threshold: float, data_dir: Path, names: list[str]) -> np.ndarray | None:
    """Repeat-factor sampling over the manifest's action labels ([data] repeat_threshold); folders
    without a manifest (HumanML3D, KIT-ML) train on the plain order, and say so."""
    if threshold <= 0:
        return None
    rows = rows_for(data_dir, names)
    if rows is None:
        print(f"{data_dir}: no manifest.csv labels for these clips, so no repeat-factor sampling")
        return None
    index = repeated_index(repeat_factors([action_class(r) for r in rows], threshold))
    print(f"repeat-factor sampling (threshold {threshold}): {len(names)} clips -> {len(index)} per epoch")
    return index
