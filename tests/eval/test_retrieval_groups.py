"""Retrieval on templated captions: a hit on a clip whose captions mean the same counts in the
same-meaning protocol, and the ceiling of the plain protocol is what a perfect model can reach."""

from __future__ import annotations

import numpy as np

from lamp_core.eval.retrieval import evaluate, ranks
from lamp_core.eval.retrieval_eval import oracle_similarity


def test_a_same_meaning_clip_ranked_first_is_a_hit_only_when_groups_are_given():
    sim = np.array([[0.5, 0.9, 0.1],     # motion 0: its own text 0 loses to text 1 (same meaning)
                    [0.9, 0.5, 0.1],
                    [0.1, 0.1, 0.9]])
    plain_t2m, plain_m2t = ranks(sim)
    assert plain_m2t[0] == 2 and plain_t2m[0] == 2
    t2m, m2t = ranks(sim, np.array([7, 7, 3]))
    assert list(t2m) == [1, 1, 1] and list(m2t) == [1, 1, 1]
    t2m, m2t = ranks(sim, np.array([7, 8, 3]))       # different meanings: the plain ranks again
    assert list(t2m) == list(plain_t2m) and list(m2t) == list(plain_m2t)


def test_the_ceiling_is_one_over_the_group_size():
    groups = np.repeat(np.arange(250), 4)             # 1,000 clips, every caption shared by 4 clips
    rep = evaluate(oracle_similarity(groups), batch=32, repeats=5)
    assert abs(rep.full["t2m"]["R@1"] - 25.0) < 4.0    # random tie-break: 1 in 4 on average
    assert rep.full["t2m"]["R@5"] == 100.0
    grouped = evaluate(oracle_similarity(groups), batch=32, repeats=5, groups=groups)
    assert grouped.full["t2m"]["R@1"] == 100.0 and grouped.full["m2t"]["R@1"] == 100.0
