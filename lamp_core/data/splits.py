"""Train/val/test splits that cannot leak: whole groups (an actor when the source names one, else a
take) go to one split, so no test clip shares a take, or a performer, with training. A few
content x style combinations are held out entirely for a compositional test. Every action that
has clips at all has some in training: a model cannot learn, and a test cannot fairly ask for, an
action it never saw (the CMU jumps once all fell into val and test by subject).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .cmu_descriptions import GERUND_OBJECT, LOCOMOTION, SEQ_VERBS, base_verb, parse_description
from .labels import Take

# Styles that mean the same thing in Bandai-Namco datasets 1 and 2: a combination held out under one
# name must not be trained under the other.
STYLE_SYNONYMS = {"old": "elderly", "tired": "exhausted", "masculinity": "masculine"}

# (content, style) pairs never seen in training; symmetric contents only, since a mirrored
# "wave-left-hand" would teach "wave-right-hand".
DEFAULT_UNSEEN_COMBOS: tuple[tuple[str, str], ...] = (
    ("walk", "angry"), ("run", "elderly"), ("raise-up-both-hands", "exhausted"), ("kick", "sad"),
)


@dataclass(frozen=True)
class SplitConfig:
    seed: int = 0
    test_fraction: float = 0.12     # aimed for per source, so the whole test split stays >= 10%
    val_fraction: float = 0.06
    unseen_combos: tuple[tuple[str, str], ...] = DEFAULT_UNSEEN_COMBOS


def combo_of(take: Take) -> tuple[str, str] | None:
    lab = take.labels
    if not lab.content or not lab.style:
        return None
    return lab.content, STYLE_SYNONYMS.get(lab.style, lab.style)


def action_of(take: Take) -> str | None:
    """The take's action: its content label, "idle", or the first motion verb of a CMU description
    ("jump, balance" -> "jump", "Start Hop Stop" -> "hop")."""
    lab = take.labels
    if lab.content:
        return lab.content
    if lab.idle:
        return "idle"
    parsed = parse_description(lab.description) if lab.description else None
    for event in parsed.events if parsed else ():
        for word in (event.verb, *event.rest.split()):
            if (verb := base_verb(word) or word) in (LOCOMOTION | SEQ_VERBS) - GERUND_OBJECT:
                return verb
    return None


def group_of(take: Take) -> str:
    """What must stay together: the performer if known, else the take."""
    return f"{take.source}:actor:{take.actor}" if take.actor else f"{take.source}:take:{take.take_id}"


def _stable_seed(seed: int, text: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{text}".encode()).digest()[:8], "little")


def assign_splits(clip_counts: dict[str, int], takes: list[Take], cfg: SplitConfig) -> dict[str, str]:
    """take_id -> "train" | "val" | "test" | "unseen" for every take that has clips.

    Per source, groups are shuffled with a fixed seed and dealt to test until it holds
    ``test_fraction`` of that source's clips, then to val, the rest to train. A source with fewer
    than three groups cannot be split without sharing a group and goes to train whole.
    """
    unseen = {(c, STYLE_SYNONYMS.get(s, s)) for c, s in cfg.unseen_combos}
    out: dict[str, str] = {}
    groups_by_source: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in takes:
        if clip_counts.get(t.take_id, 0) == 0:
            continue
        if combo_of(t) in unseen:
            out[t.take_id] = "unseen"
            continue
        groups_by_source[t.source][group_of(t)].append(t.take_id)
    for source in sorted(groups_by_source):
        groups = groups_by_source[source]
        names = sorted(groups)
        if len(names) < 3:
            for g in names:
                for tid in groups[g]:
                    out[tid] = "train"
            continue
        rng = np.random.default_rng(_stable_seed(cfg.seed, source))
        order = [names[i] for i in rng.permutation(len(names))]
        total = sum(clip_counts[tid] for g in names for tid in groups[g])
        want = {"test": cfg.test_fraction * total, "val": cfg.val_fraction * total}
        got = {"test": 0, "val": 0}
        for g in order:
            n = sum(clip_counts[tid] for tid in groups[g])
            split = next((s for s in ("test", "val") if got[s] < want[s]), "train")
            if split != "train":
                got[split] += n
            for tid in groups[g]:
                out[tid] = split
    _cover_every_action(out, clip_counts, takes)
    return out


def _cover_every_action(split_of: dict[str, str], clip_counts: dict[str, int], takes: list[Take]) -> None:
    """Move, for each action with no training clip, the smallest group that has it (val before test)
    into train. Moves whole groups, so nothing leaks; rare actions are the only thing that moves."""
    members: dict[str, list[Take]] = defaultdict(list)     # held-out combos never move
    for t in takes:
        if split_of.get(t.take_id) in ("train", "val", "test"):
            members[group_of(t)].append(t)
    action = {t.take_id: action_of(t) for ts in members.values() for t in ts}
    for _ in range(len(members)):
        trained = {action[t] for t, s in split_of.items() if s == "train" and t in action}
        missing = sorted({a for t, s in split_of.items() if s in ("val", "test") and t in action
                          and (a := action[t]) is not None and a not in trained})
        if not missing:
            return
        candidates = [g for g, ts in members.items()
                      if any(action[t.take_id] == missing[0] and split_of[t.take_id] != "train" for t in ts)]
        rank = lambda g: ({"val": 0, "test": 1}[split_of[members[g][0].take_id]],
                          sum(clip_counts.get(t.take_id, 0) for t in members[g]), g)
        for t in members[min(candidates, key=rank)]:
            split_of[t.take_id] = "train"
