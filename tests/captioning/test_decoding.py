"""Greedy, beam and sampled decoding over hand-written step functions whose probabilities are known:
greedy follows the argmax, beam search finds the better caption a myopic greedy misses and does not
stop on unlikely early endings while a better beam is still open, n-best lists are sorted and
distinct with the right log-probabilities, sampling repeats with its seed, max_len holds, and the
items of a batch decode independently."""

from __future__ import annotations

import math

import pytest
import torch

from lamp_core.captioning.decoding import beam_search, greedy, sample

BOS, EOS, A, B, C, D = range(6)
V = 6
END = {EOS: 1.0}


class Tree:
    """A step function from per-item tables: prefix (tokens after BOS) -> {token: probability}; a
    prefix not in the table ends for sure. Tokens not listed are impossible (-inf)."""

    def __init__(self, *tables: dict, default: dict = END):
        self.tables = tables
        self.default = default
        self.widths: list[int] = []

    def __call__(self, ids: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        self.widths.append(ids.shape[1])
        out = torch.full((len(ids), V), float("-inf"))
        for i, (seq, row) in enumerate(zip(ids.tolist(), rows.tolist())):
            assert seq[0] == BOS
            for tok, p in self.tables[row].get(tuple(seq[1:]), self.default).items():
                out[i, tok] = math.log(p)
        return out

    def logprob(self, ids: list[int], row: int = 0, ended: bool = True) -> float:
        """The true log-probability of a caption (its end token included when ``ended``)."""
        seq = list(ids) + ([EOS] if ended else [])
        return sum(math.log(self.tables[row].get(tuple(seq[:i]), self.default)[tok]) for i, tok in enumerate(seq))


ARGMAX = {(): {A: .5, B: .3, C: .2}, (A,): {C: .6, B: .4}, (A, C): {EOS: .7, D: .3}, (B,): {D: 1.0}}
# greedy takes A (.6) and then C (.4): .24; B (.4) then C (.9) is .36
MYOPIC = {(): {A: .6, B: .4}, (A,): {C: .4, D: .3, B: .3}, (B,): {C: .9, D: .1}}
# two unlikely endings (B, then B D) turn up while A A A, by far the likeliest, is one step from its end
LATE = {(): {A: .8, B: .2}, (A,): {A: .85, C: .1, EOS: .05}, (B,): {EOS: .5, D: .5}, (A, A): {A: .9, EOS: .1}}
BRANCHY = {(): {A: .4, B: .3, C: .2, D: .1}, (A,): {A: .5, B: .2, EOS: .3}, (B,): {C: .6, EOS: .4},
           (C,): {D: .5, EOS: .5}, (A, A): {EOS: .8, B: .2}, (C, D): {A: .5, EOS: .5}}
UNIFORM = {(): {A: .25, B: .25, C: .25, D: .25}}


def _uniform_for(n: int) -> dict:
    """Four equally likely tokens at each of n steps, then the end."""
    out, frontier = {}, [()]
    for _ in range(n):
        out.update({p: UNIFORM[()] for p in frontier})
        frontier = [p + (t,) for p in frontier for t in (A, B, C, D)]
    return out


def test_greedy_follows_the_argmax():
    tree = Tree(ARGMAX)
    (h,) = greedy(tree, 1, BOS, EOS, max_len=10)
    assert h.ids == [A, C]
    assert h.logprob == pytest.approx(math.log(.5 * .6 * .7))
    assert h.score == pytest.approx(h.logprob / 3)  # two tokens and the end
    (b,) = beam_search(Tree(ARGMAX), 1, BOS, EOS, max_len=10, width=1, alpha=0.0)
    assert b[0].ids == [A, C]  # a beam of one without length normalisation is greedy


def test_beam_search_beats_a_myopic_greedy():
    tree = Tree(MYOPIC)
    (g,) = greedy(tree, 1, BOS, EOS, max_len=10)
    assert g.ids == [A, C]
    (beams,) = beam_search(tree, 1, BOS, EOS, max_len=10, width=2)
    best = beams[0]
    assert best.ids == [B, C]
    assert best.logprob == pytest.approx(math.log(.4 * .9))
    assert best.logprob > g.logprob + 0.3


def test_beam_search_keeps_going_while_a_better_beam_is_open():
    tree = Tree(LATE)
    (g,) = greedy(tree, 1, BOS, EOS, max_len=10)
    (beams,) = beam_search(tree, 1, BOS, EOS, max_len=10, width=2)
    assert g.ids == [A, A, A]
    assert beams[0].ids == [A, A, A]
    assert beams[0].logprob == pytest.approx(g.logprob)


def test_n_best_lists_are_sorted_distinct_and_scored_right():
    tree = Tree(BRANCHY)
    for alpha in (0.0, 1.0):
        (beams,) = beam_search(tree, 1, BOS, EOS, max_len=6, width=4, alpha=alpha)
        assert len(beams) == 4
        scores = [h.score for h in beams]
        assert scores == sorted(scores, reverse=True)
        assert len({tuple(h.ids) for h in beams}) == 4
        for h in beams:
            assert h.logprob == pytest.approx(tree.logprob(h.ids))
            assert h.score == pytest.approx(h.logprob / (len(h.ids) + 1) ** alpha)
    (two,) = beam_search(tree, 1, BOS, EOS, max_len=6, width=4, n_best=2)
    assert len(two) == 2
    # fewer possible captions than beams: the list holds those, never an impossible (-inf) one
    (only,) = beam_search(Tree({(): {A: .7, B: .3}}), 1, BOS, EOS, max_len=6, width=4)
    assert [h.ids for h in only] == [[A], [B]]


def test_sampling_repeats_with_its_seed_and_follows_the_probabilities():
    tree = Tree(_uniform_for(4))
    runs = {seed: sample(tree, 1, BOS, EOS, max_len=10, n_samples=6, seed=seed)[0] for seed in (0, 0, 1)}
    again = sample(tree, 1, BOS, EOS, max_len=10, n_samples=6, seed=0)[0]
    assert again == runs[0]
    assert [h.ids for h in runs[1]] != [h.ids for h in runs[0]]
    for h in runs[0] + runs[1]:
        assert len(h.ids) == 4 and set(h.ids) <= {A, B, C, D}
        assert h.logprob == pytest.approx(4 * math.log(.25))
    # top_k=1 leaves only the argmax: sampling becomes greedy
    (only,) = sample(Tree(ARGMAX), 1, BOS, EOS, max_len=10, n_samples=3, top_k=1, seed=3)
    assert all(h.ids == [A, C] for h in only)
    with pytest.raises(ValueError, match="temperature"):
        sample(tree, 1, BOS, EOS, max_len=10, temperature=0.0)


def test_max_len_is_respected():
    for decode in (lambda t: [greedy(t, 2, BOS, EOS, max_len=5)],
                   lambda t: beam_search(t, 2, BOS, EOS, max_len=5, width=3),
                   lambda t: sample(t, 2, BOS, EOS, max_len=5, n_samples=3, seed=0)):
        tree = Tree({}, {}, default={A: .6, B: .4})  # never ends
        hyps = [h for item in decode(tree) for h in item]
        assert hyps and all(len(h.ids) == 5 for h in hyps)
        assert max(tree.widths) <= 5  # the step never sees a prefix longer than max_len (BOS included)
    (g,) = greedy(Tree(ARGMAX), 1, BOS, EOS, max_len=1)
    assert g.ids == [A]


def test_items_of_a_batch_decode_independently():
    tables = (MYOPIC, ARGMAX, BRANCHY)
    batch_greedy = greedy(Tree(*tables), 3, BOS, EOS, max_len=8)
    batch_beams = beam_search(Tree(*tables), 3, BOS, EOS, max_len=8, width=3)
    for i, table in enumerate(tables):
        assert batch_greedy[i] == greedy(Tree(table), 1, BOS, EOS, max_len=8)[0]
        assert batch_beams[i] == beam_search(Tree(table), 1, BOS, EOS, max_len=8, width=3)[0]
    # sampling: each item's captions come from its own table only
    only_ab = {(): {A: .5, B: .5}, (A,): {A: .5, B: .5}, (B,): {A: .5, B: .5}}
    only_cd = {(): {C: .5, D: .5}, (C,): {C: .5, D: .5}, (D,): {C: .5, D: .5}}
    ab, cd = sample(Tree(only_ab, only_cd), 2, BOS, EOS, max_len=8, n_samples=5, seed=0)
    assert len(ab) == len(cd) == 5
    assert all(len(h.ids) == 2 and set(h.ids) <= {A, B} for h in ab)
    assert all(len(h.ids) == 2 and set(h.ids) <= {C, D} for h in cd)
