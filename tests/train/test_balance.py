"""Repeat-factor sampling: rare actions are drawn more often, common ones exactly as before, and the
per-epoch index is a plain, reproducible list of clip indices."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.train.balance import repeat_factors, repeated_index


def test_rare_classes_repeat_by_the_square_root_of_their_shortfall():
    classes = ["walk"] * 90 + ["bow"] * 9 + ["kick"] * 1
    f = repeat_factors(classes, threshold=0.09)
    assert np.allclose(f[:90], 1.0) and np.allclose(f[90:99], 1.0)        # at or above the threshold: as is
    assert f[99] == pytest.approx(np.sqrt(0.09 / 0.01))                     # 1% of clips -> 3x
    index = repeated_index(f)
    assert len(index) == 102 and np.count_nonzero(index == 99) == 3 and list(index[:3]) == [0, 1, 2]


def test_threshold_zero_changes_nothing_and_negative_is_an_error():
    assert np.allclose(repeat_factors(["a", "b", "b"], 0.0), 1.0)
    with pytest.raises(ValueError, match="threshold"):
        repeat_factors(["a"], -0.1)
