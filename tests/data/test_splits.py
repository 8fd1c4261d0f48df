"""Splits never leak a take or a performer between train and test, hold out whole content x style
combinations for the compositional test, and do not change from run to run."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from lamp_core.data.labels import Labels, Take
from lamp_core.data.splits import SplitConfig, assign_splits
from lamp_core.motion import Motion

_STILL = Motion(np.zeros((50, 22, 3)))


def _take(i: int, source="bandai-namco-2", content="walk", style="normal", actor=None) -> Take:
    return Take(f"{source}/take{i:04d}", source, f"take{i}.bvh", _STILL,
                Labels(source=source, content=content, style=style), "test", actor)


def _corpus() -> tuple[list[Take], dict[str, int]]:
    rng = np.random.default_rng(1)
    contents = ["walk", "run", "kick", "raise-up-both-hands", "wave-left-hand"]
    styles = ["normal", "angry", "elderly", "old", "exhausted", "sad"]
    takes = [_take(i, content=contents[i % 5], style=styles[i % 6]) for i in range(300)]
    takes += [_take(1000 + i, source="cmu", content=None, style=None, actor=f"cmu-{i % 9:02d}") for i in range(60)]
    counts = {t.take_id: int(rng.integers(1, 4)) for t in takes}
    return takes, counts


def test_no_take_or_actor_in_two_splits_and_enough_test():
    takes, counts = _corpus()
    split = assign_splits(counts, takes, SplitConfig())
    assert set(split) == {t.take_id for t in takes}
    actors = defaultdict(set)
    for t in takes:
        if t.actor:
            actors[t.actor].add(split[t.take_id])
    assert all(len(s) == 1 for s in actors.values())
    n = lambda s: sum(counts[t] for t, v in split.items() if v == s)
    total = sum(counts.values())
    assert n("test") >= 0.10 * total and n("val") > 0 and n("train") > 0.6 * total


def test_unseen_combos_are_held_out_under_every_synonym():
    takes, counts = _corpus()
    split = assign_splits(counts, takes, SplitConfig(unseen_combos=(("run", "elderly"),)))
    for t in takes:
        is_combo = t.labels.content == "run" and t.labels.style in ("elderly", "old")
        assert (split[t.take_id] == "unseen") == is_combo


def test_splits_are_reproducible_and_follow_the_seed():
    takes, counts = _corpus()
    a = assign_splits(counts, takes, SplitConfig(seed=0))
    assert a == assign_splits(counts, list(reversed(takes)), SplitConfig(seed=0))
    assert a != assign_splits(counts, takes, SplitConfig(seed=1))


def test_a_source_too_small_to_split_goes_to_train():
    takes = [_take(i, source="folder", content=None) for i in range(2)]
    split = assign_splits({t.take_id: 1 for t in takes}, takes, SplitConfig())
    assert set(split.values()) == {"train"}


def test_takes_without_clips_get_no_split():
    takes, counts = _corpus()
    counts[takes[0].take_id] = 0
    assert takes[0].take_id not in assign_splits(counts, takes, SplitConfig())
