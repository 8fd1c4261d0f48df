"""Splits never leak a take or a performer between train and test, hold out whole content x style
combinations for the compositional test, and do not change from run to run."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from lamp_core.data.labels import Labels, Take
from lamp_core.data.splits import SplitConfig, action_of, assign_splits
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


def _cmu(i: int, actor: str, description: str) -> Take:
    return Take(f"cmu/{i:03d}", "cmu", f"{i}.bvh", _STILL, Labels(source="cmu", description=description), "test", actor)


def test_every_action_with_clips_has_training_clips():
    """Once all 13 CMU jump takes fell into val/test by subject, and no model could learn to jump."""
    takes, counts = _corpus()
    for seed in range(6):
        jumps = [_cmu(500 + i, f"cmu-j{i}", "forward jump" if i % 2 else "Start Hop Stop") for i in range(4)]
        walks = [_cmu(600 + i, f"cmu-w{i % 5}", "walk") for i in range(20)]
        all_takes = takes + jumps + walks
        all_counts = {**counts, **{t.take_id: 2 for t in jumps + walks}}
        split = assign_splits(all_counts, all_takes, SplitConfig(seed=seed, unseen_combos=(("kick", "sad"),)))
        by_action = defaultdict(set)
        for t in all_takes:
            by_action[action_of(t)].add(split[t.take_id])
        assert by_action["jump"] >= {"train"} and by_action["hop"] >= {"train"}
        assert all("train" in s for a, s in by_action.items() if s & {"val", "test"})
        assert all(split[t.take_id] == "unseen" for t in takes if (t.labels.content, t.labels.style) == ("kick", "sad"))


def test_action_of_reads_labels_and_cmu_descriptions():
    assert action_of(_take(1, content="wave-left-hand")) == "wave-left-hand"
    assert action_of(_cmu(1, "cmu-01", "jump, balance")) == "jump"
    assert action_of(_cmu(2, "cmu-01", "Start Hop Stop")) == "hop"
    assert action_of(_cmu(3, "cmu-01", "slow walk/stride")) == "walk"
