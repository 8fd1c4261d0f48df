"""Labels -> several natural English captions, HumanML3D style ("a person walks forward happily.").

A text-to-motion model learns wording from the captions it sees, so each clip gets n different
sentences: the subject, the verb phrasing and the style wording vary, while the meaning (what the
motion is, which hand, which way) stays exact. Everything is seeded from a stable hash of the
clip key, so a rebuild on any machine writes the same captions.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from itertools import product

from . import caption_phrases as P
from .cmu_descriptions import parse_description
from .labels import Labels
from .text import clean_caption, mirror_text

__all__ = ["captions_for", "describe_labels"]


def captions_for(labels: Labels, key: str, n: int = 4, windowed: bool = False) -> list[str]:
    """``n`` different captions for a clip of a take with these labels (fewer when the labels cannot
    support n distinct ones; [] when nothing usable is known).

    ``windowed``: the clip is a window cut from a longer take, so only what holds for the whole take
    may be said; a CMU description of an event sequence ("jump, balance") then gives [].
    """
    if n <= 0:
        return []
    user = _user_captions(labels.captions, n)
    if user:
        return user
    rng = random.Random(int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big"))
    content = _norm(labels.content)
    style = _style(labels.style)
    if labels.idle or content == "idle":
        return _compose(rng, P.IDLE, P.GESTURE, style, n)
    if content:
        kind, verbs = _content_phrases(content)
        return _compose(rng, verbs, kind, style, n)
    if labels.description:
        desc = parse_description(labels.description)
        if desc is None or (windowed and not desc.sustained):
            return []
        return _compose(rng, desc.predicates(), P.ACTION, None, n)
    return []


def describe_labels(labels: Labels) -> str:
    """One short line of the raw labels, e.g. ``bandai-namco-2: content=walk-turn-left style=elderly``."""
    parts = []
    if labels.content:
        parts.append(f"content={labels.content}")
    if labels.style:
        parts.append(f"style={labels.style}")
    if labels.description is not None:
        parts.append(f"description={labels.description.strip()!r}")
    if labels.idle:
        parts.append("idle")
    if labels.captions:
        k = len(labels.captions)
        parts.append(f"{k} user caption{'s' if k != 1 else ''}")
    return f"{labels.source}: {' '.join(parts) if parts else '(no labels)'}"


# ------------------------------------------------------------------------------------------ helpers

def _norm(tag: str | None) -> str:
    return "-".join((tag or "").strip().lower().replace("_", " ").split())


def _user_captions(captions: tuple[str, ...], n: int) -> list[str]:
    out: list[str] = []
    for c in captions:
        c = clean_caption(c)
        if c and c not in out:
            out.append(c)
    return out[:n]


def _content_phrases(content: str) -> tuple[str, tuple[str, ...]]:
    if content in P.CONTENTS:
        return P.CONTENTS[content]
    if content in P.MIRRORED:
        kind, verbs = P.CONTENTS[P.MIRRORED[content]]
        return kind, tuple(mirror_text(v) for v in verbs)
    words = " ".join(w for w in content.split("-") if w.isalpha())  # a tag we have no wording for
    return P.ACTION, (f"performs a {words} motion",) if words else ("moves",)


def _style(tag: str | None) -> dict[str, tuple[str, ...]] | None:
    s = _norm(tag)
    if not s or s == "none":
        return None
    s = P.STYLE_ALIASES.get(s, s)
    if s in P.STYLES:
        return P.STYLES[s]
    words = " ".join(w for w in s.split("-") if w.isalpha())  # unknown style: still say it plainly
    return dict(adj=(), adv=(f"in a {words} way",), gait=(), manner=(), lead=()) if words else None


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _candidates(verbs, kind: str, style) -> list[tuple[str, str, str, str]]:
    """Every (subject, verb phrase, style form, style phrase) sentence, as (text, subject, verb, form)."""
    forms: list[tuple[str, str]] = []
    if style is None:
        forms.append(("plain", ""))
    else:
        after = style["adv"] + (style["gait"] if kind == P.GAIT else style["manner"])
        forms += [("after", a) for a in after] + [("adj", a) for a in style["adj"]]
        forms += [("lead", a) for a in style["lead"]]
        if not style["adj"] and not style["lead"]:  # "normal": saying nothing is fine too
            forms.append(("plain", ""))
    out = []
    for subject, verb, (form, phrase) in product(P.SUBJECTS, verbs, forms):
        if subject.split()[-1] in verb.split():  # "someone calls someone over"
            continue
        if form == "adj":
            if subject.split()[-1] not in P.NOUN_SUBJECTS:
                continue
            text = f"{_article(phrase)} {phrase} {subject.split()[-1]} {verb}"
        elif form == "lead":
            text = f"{phrase} {subject} {verb}"
        elif form == "after":
            text = f"{subject} {verb} {phrase}"
        else:
            text = f"{subject} {verb}"
        out.append((text + ".", subject, verb, form + ":" + phrase))
    return out


def _compose(rng: random.Random, verbs, kind: str, style, n: int) -> list[str]:
    """Pick n distinct sentences, each time the one sharing the fewest parts with those already
    picked (ties broken by the seeded shuffle), so subject, verb and style wording all rotate."""
    cands = list(dict.fromkeys(_candidates(tuple(verbs), kind, style)))
    rng.shuffle(cands)
    used: Counter[tuple[int, str]] = Counter()     # (part index, part) -> times picked so far
    chosen: list[str] = []
    while cands and len(chosen) < n:
        costs = [used[1, c[1]] + used[2, c[2]] + used[3, c[3].split(":")[0]] + 2 * used[4, c[3]] for c in cands]
        best = cands.pop(costs.index(min(costs)))
        if best[0] in chosen:
            continue
        chosen.append(best[0])
        used.update([(1, best[1]), (2, best[2]), (3, best[3].split(":")[0]), (4, best[3])])
    return chosen
