"""CMU mocap trial descriptions ("slow walk/stride", "basketball - forward dribble",
"jump up to grab, reach for, tiptoe") -> English predicates ("walks slowly", "dribbles a basketball
while moving forward", "jumps up to grab something, reaches for something, then stands on tiptoe").

Rules, not a model: the csv's 2435 rows are terse notes (glued CamelCase, typos, noun phrases,
"(human subject)", two-person roles), and a small reviewable rule set turns them into grammatical
sentences offline and deterministically. A description parses into events: one event (plus
simultaneous "..., balancing" clauses) is a sustained activity, true of any window of the take;
several are a sequence, which a window cut from the take may not contain. What the rules cannot
read becomes "performs a <phrase> motion", never word salad. Idioms the general rules would get
wrong are rewritten first (REWRITES), as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .caption_phrases import (ACTIVITIES, ATTACH_NOUNS, BODY, CHARACTERS, COUNT_NOUNS, DANCES, DETERMINERS,
                              DIRECTIONS, JUNK, LIGHT, LIMB, MANNER, NO_ARTICLE_BODY, NUMBER_WORDS, POSTNOMINAL,
                              PREPS, PRONOUNS, REWRITES, SIDES, THE_NOUNS, TOOLS, TYPOS)
from .text import VERBS, gerund, third

# ----------------------------------------------------------------------------------- vocabulary

# verbs that head events: the shared verb lexicon minus verbs our parser would misread as nouns
EVENT_VERBS = VERBS - {"face", "head", "land", "lack", "feel", "show", "say", "come", "wear", "repeat", "guide",
                           "hurt"}
# verbs that start a new event inside a run-on part ("Run Dive Over Roll Run")
SEQ_VERBS = set("""walk run jog jump hop leap turn stop start dive roll duck sit stand kick punch spin climb
crawl step sidestep sneak skip fall stumble move break attack throw catch twist get""".split())
LOCOMOTION = set("""walk run jog jump hop leap step sidestep crawl creep sneak march stride stroll wander
hobble limp skip move tiptoe stagger shuffle sprint dive roll slide skate charge""".split())
IRREGULAR = {"ran": "run", "sat": "sit", "stood": "stand", "threw": "throw", "fell": "fall", "bent": "bend"}

_FORMS: dict[str, str] = {v: v for v in EVENT_VERBS}   # every form we read as a verb -> its base
for _v in sorted(EVENT_VERBS):
    _FORMS.setdefault(third(_v), _v)
    _FORMS.setdefault(gerund(_v), _v)
_FORMS.update(IRREGULAR)


def base_verb(word: str) -> str | None:
    """'hopping' -> 'hop', 'ran' -> 'run'; None for a word we do not read as a verb."""
    return _FORMS.get(word.lower())
_ING = {f for f, v in _FORMS.items() if f.endswith("ing") and f != v}
_THIRD = {third(v) for v in EVENT_VERBS}
_GLUE = sorted({k.replace("_", " ") for k in [*ACTIVITIES, *MANNER, *CHARACTERS, *DANCES, *TOOLS, *COUNT_NOUNS]
                if "_" in k} | {"in place", "on a diagonal"}, key=lambda s: -len(s.split()))
VOCAB = set(_FORMS) | COUNT_NOUNS | THE_NOUNS | BODY | DIRECTIONS | PREPS | SIDES | DETERMINERS \
    | {w for k in _GLUE for w in k.split()} | {k for k in [*MANNER, *CHARACTERS, *ACTIVITIES] if "_" not in k} \
    | set("""figure eight small further tight wide tighter super offensive defensive go no sequence man lady teen
    crossover freestyle upside still handed hand foot sidestep two male female extra fancy""".split()) \
    | PRONOUNS | POSTNOMINAL
GERUND_OBJECT = {"avoid", "start", "stop", "keep", "finish", "go"}


def _indef(phrase: str) -> str:
    return "an" if phrase[:1] in "aeiou8" else "a"


def _modifier(w: str | None) -> bool:
    """Can this word sit inside a noun phrase before its noun ("high", "19.5", "flying")?"""
    return bool(w) and w not in DETERMINERS | PREPS | DIRECTIONS | PRONOUNS and w not in ("and", "or") \
        and not (w in _FORMS and w not in _ING | IRREGULAR.keys() | COUNT_NOUNS | BODY) \
        and not w.endswith(("ly", ",")) and w not in ("lying", "standing", "sitting", "getting")


def _continues(w: str | None) -> bool:
    """Does this word continue a noun phrase after a noun ("ball" in "soccer ball", not "relaxing")?"""
    return _modifier(w) and w not in _ING and w not in POSTNOMINAL and not w.endswith(("ed", "own"))


# ----------------------------------------------------------------------------------------- model

@dataclass
class Event:
    verb: str
    rest: str = ""                                    # words after the verb
    alts: tuple[str, ...] = ()                        # alternative verbs ("run/jog")
    manner: list[str] = field(default_factory=list)   # adverbials ("slowly", "with a bounce")
    extras: list[str] = field(default_factory=list)   # "with ..." phrases from later parts
    like: list[str] = field(default_factory=list)     # "like a cat"
    attach: str = "then"      # joins the event before: "then", "and", "with" (simultaneous), "ing" (listed)
    elide: bool = False       # "..., then backward": the verb of the event before, not repeated
    gerund_head: bool = False
    fixed: bool = False       # rest is a set phrase ("jumping jacks"), not a participle clause

    def render(self, form: str = "s", alt: int = 0) -> str:
        verbs = (self.verb,) + self.alts
        v = verbs[alt % len(verbs)]
        head = "" if self.elide else "is " + gerund(v) if form == "prog" else gerund(v) if form == "ing" else third(v)
        words = self.rest.split()
        cut = next((i for i, w in enumerate(words) if w in _ING and not self.fixed and (i or v not in GERUND_OBJECT)
                    and (i == 0 or words[i - 1] not in PREPS | DETERMINERS)), len(words))
        main, clause = " ".join(words[:cut]), " ".join(words[cut:])
        text = " ".join(p for p in [head, main, " and ".join(self.manner), " and ".join(self.extras),
                                    " ".join(self.like)] if p)
        return (text + (", " + clause if clause else "")).replace(" ,", ",").replace(",,", ",")


@dataclass(frozen=True)
class CmuDescription:
    """A parsed description: its events and whether it is one sustained activity."""
    events: tuple[Event, ...]
    partial: bool = False     # a two-person trial where the partner's actions were left out

    @property
    def sustained(self) -> bool:
        return not self.partial and all(e.attach == "with" for e in self.events[1:])

    def predicates(self) -> list[str]:
        """Different third-person predicates ("walks slowly", "is walking slowly", ...)."""
        ev = self.events
        if self.sustained:
            rest = "".join(", " + e.render("ing") for e in ev[1:])
            forms = ("s",) if ev[0].verb in GERUND_OBJECT else ("s", "prog")   # not "is starting walking"
            out = [ev[0].render(f, a) + rest for f in forms for a in range(len(ev[0].alts) + 1)]
        else:
            out = [_join(ev, s) for s in range(3)]
        return list(dict.fromkeys(out))


def _join(ev: tuple[Event, ...], style: int) -> str:
    text = ev[0].render("s")
    seq = [e for e in ev[1:] if e.attach in ("then", "ing")]
    k = 0
    for e in ev[1:]:
        if e.attach == "with":
            text += ", " + e.render("ing")
            continue
        if e.attach == "and":
            text += " and " + e.render("s")
            continue
        k += 1
        last = k == len(seq)
        if e.attach == "ing":
            text += (", and " if last and len(seq) > 1 else ", ") + e.render("ing")
            continue
        if style == 0:
            sep = ", and then " if last and len(seq) > 1 else ", then "
        elif style == 1:
            sep = " and then " if len(seq) == 1 else ", and finally " if last else ", "
        else:
            sep = ", and after that " if len(seq) == 1 else ", and then " if last else ", then "
        text += sep + e.render("s")
    return text


# ---------------------------------------------------------------------------------------- parsing

def parse_description(description: str | None) -> CmuDescription | None:
    """The events a CMU description names, or None when it names no usable motion."""
    text, role, human = _normalise(description or "")
    if text.lower() in JUNK or re.fullmatch(r"[\d.\s]*(lbs?)?|slope ?\d*", text.lower()):
        return None
    events: list[Event] = []
    kept, partial = [], False
    for clause in text.split(";"):
        category, detail = None, clause.strip()
        m = re.match(r"^([A-Za-z ]{3,30}?)\s+-\s+(.+)$", detail)
        if m and len(m[1].split()) <= 3:
            category, detail = m[1].strip().lower(), m[2]
        resolved = _resolve_roles(detail, role)
        partial = partial or resolved.count(",") < detail.count(",") or not resolved
        detail = resolved
        for pat, rep in REWRITES:
            detail = re.sub(pat, rep, detail)
        if not detail:
            continue
        kept.append(detail)
        if category in ("nursery rhyme", "static dance pose"):
            events.append(Event("act", "out a nursery rhyme") if category == "nursery rhyme"
                          else Event("hold", "a static dance pose"))
            continue
        start = len(events)
        parts = _split_parts(detail)
        if human and not events:
            names = category or parts.pop(0)[0]
            names = [n.strip().replace(" ", "_") for n in re.split(r"/| or ", names) if n.strip()]
            events.append(Event("act", "like " + " or ".join(
                CHARACTERS.get(n, f"{_indef(n)} {n.replace('_', ' ')}") for n in names)))
            category = None
        elif category in ("dance", "stretch") and not (parts and parts[0][0].startswith(category[:4])):
            events.append(Event(category))
        for k, (part, join) in enumerate(parts):
            new = _part_events(part, join, events, start, len(parts) == 2 and k == 1)
            if category in ("dance", "stretch") and len(events) > start:
                for e in new:
                    e.attach = "with" if e.attach == "with" or category == "stretch" else "ing"
            if human:
                for e in new:
                    e.attach = "with"                  # "acts like a squirrel, moving robotically"
            events.extend(new)
        if category and len(events) > start:
            _apply_category(category, events[start:])
    events = _merge([e for e in events if e.verb])
    if not events:
        words = " ".join(re.sub(r"[^a-z0-9. ]", " ", " ".join(kept).lower()).split())
        if not re.search(r"[a-z]", words):
            return None
        events = [Event("perform", f"{_indef(words)} {words} motion")]
    return CmuDescription(tuple(events), partial)


def _normalise(s: str) -> tuple[str, str | None, bool]:
    s = s.strip()
    role = None
    m = re.search(r"\((?:\d+ )?subjects? - subject ([AB])\)", s)
    if m:
        role, s = m[1], s[:m.start()] + s[m.end():]
    human = bool(re.search(r"\(human subject\)", s, re.I))
    s = re.sub(r"\(human subject\)", "", s, flags=re.I)
    s = re.sub(r"\(repeated\)", " repeatedly", s)
    s = re.sub(r"\(opposite direction\)", " in the opposite direction", s)
    s = re.sub(r"\([^)]*\)", " ", s)
    s = re.sub(r"(?i)\s*cleaned ?grs", " ", s)
    s = re.sub(r"(?<=[A-Za-z])_?0\d+$", "", s.strip())           # "Cartwheels001", "charleston_01"
    s = re.sub(r"(?i)(walk|mummy) ?(digital)? ?8s?\b", r"\1 figure eight ", s)
    s = re.sub(r"(?i)\b(digital|figure) ?8s?\b|figure8s?", " figure eight ", s)
    s = re.sub(r"(?<=[A-Za-z])\d$", "", s.strip())
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", s).replace("_", " ")
    s = re.sub(r"(\d)\s*(lbs?)\b", r"\1 \2", s)
    s = re.sub(r"(?<=\w)-(?=\w)", " ", s)
    s = re.sub(r"\.\.\.|\"|\.$", " ", s).replace("'s ", "s ").replace("s' ", "s ")
    s = " " + " ".join(s.split()) + " "
    for typo, fix in TYPOS.items():
        s = re.sub(rf"(?i)(?<=\s){re.escape(typo)}(?=[\s,;])", fix, s)
    s = s.strip()
    return (s if role else s.lower()), role, human


def _resolve_roles(clause: str, role: str | None) -> str:
    """Two-person trials: keep what our subject does, call the partner "another person"."""
    if role is None:
        return clause.lower()
    other, actor, out = ("B" if role == "A" else "A"), None, []
    for part in clause.split(","):
        part = part.strip()
        m = re.match(r"^(A|B|both)\b", part)
        if m:
            actor, part = m[1], part[m.end():].strip()
        if actor not in (None, role, "both"):
            continue
        part = re.sub(rf"\b{other}s\b", "the other person's", part)
        part = re.sub(rf"\b{other}\b", "another person" if not out else "the other person", part)
        out.append(re.sub(rf"\b{role}\b", "them", part))
    return ", ".join(out).lower()


def _split_parts(clause: str) -> list[tuple[str, str]]:
    """'jump up to grab, reach for, tiptoe' -> [(part, how it joins the one before)]."""
    out: list[tuple[str, str]] = []
    for piece in clause.split(","):
        piece = re.sub(r"^(and then|and|then)\s+", "", piece.strip())
        if not piece:
            continue
        bits = re.split(r"\s+(and then|then|and)\s+", piece)
        cur, join = bits[0], "then"
        for k in range(1, len(bits), 2):
            word, nxt = bits[k], bits[k + 1]
            first = nxt.split()[0]
            if word != "and" or first in _FORMS and first not in ("back", "over") or first in ACTIVITIES:
                out.append((cur, join))
                cur, join = nxt, "and" if word == "and" else "then"
            else:
                cur += f" {word} {nxt}"
        out.append((cur, join))
    return out


def _tokens(part: str) -> list[str]:
    toks = []
    for w in part.replace("/", " / ").split():
        if w in VOCAB or not w.isalpha() or len(w) < 6:
            toks.append(w)
        else:
            toks.extend(_segment(w) or [w])
    text = " " + " ".join(toks).replace(" / ", "/") + " "
    for mw in _GLUE:
        text = text.replace(f" {mw} ", f" {mw.replace(' ', '_')} ")
    return text.split()


def _segment(word: str) -> list[str] | None:
    """'jumpforward' -> ['jump', 'forward'] when every piece is a content word we know."""
    best: dict[int, list[str]] = {0: []}
    for i in range(1, len(word) + 1):
        for j in range(max(0, i - 12), i - 2):
            piece = word[j:i]
            if j in best and piece in VOCAB and piece not in DETERMINERS | PREPS | PRONOUNS \
                    and (i not in best or len(best[j]) + 1 < len(best[i])):
                best[i] = best[j] + [piece]
    return best[len(word)] if len(best.get(len(word), [])) > 1 else None


def _verbish(tok: str) -> bool:
    return tok.split("/")[0] in _FORMS or tok in ACTIVITIES


def _premod(w: str) -> bool:
    return w not in PREPS | DIRECTIONS | COUNT_NOUNS | THE_NOUNS | BODY | DETERMINERS and not w.endswith("ly") \
        and not _verbish(w)


def _heads(toks: list[str]) -> list[int]:
    """Indices of the verbs that start events in a part ("run dive over roll run": 0, 1, 3, 4)."""
    heads: list[int] = []
    for i, t in enumerate(toks):
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if not _verbish(t) or prev in DETERMINERS or (prev in PREPS and prev != "to") or (prev or "x")[0].isdigit():
            continue
        if not heads:
            if prev == "to" or nxt and _verbish(nxt) and t in MANNER:   # "creeping walk", "stumble walk"
                continue
            heads.append(i)
            continue
        base = t.split("/")[0]
        j = i - 1
        while j > heads[-1] and _premod(toks[j]):
            j -= 1
        if toks[j] in DETERMINERS or prev == "to":
            continue                                                  # "make a tight left turn"
        after_step = base in _THIRD and prev in _THIRD and _FORMS.get(prev or "") in LOCOMOTION  # "jumps kicks"
        if _FORMS.get(base) in SEQ_VERBS and (base == _FORMS[base] or after_step):
            heads.append(i)
    return heads


def _part_events(text: str, join: str, before: list[Event], clause_start: int, second_of_two: bool) -> list[Event]:
    toks = _tokens(text)
    if not toks:
        return []
    heads = _heads(toks)
    if not heads or before and toks[-1] in ATTACH_NOUNS and heads == [len(toks) - 1]:
        return _noun_part(toks, before, join)              # "quail, quick little steps"
    starts = [0]
    for k, h in enumerate(heads[1:], 1):
        j = h
        while j - 1 > heads[k - 1] and _premod(toks[j - 1]) and (h == len(toks) - 1 or toks[j - 1] in MANNER):
            j -= 1                                         # "walk forward 90 degree right turn"
        starts.append(j)
    events = []
    for k, h in enumerate(heads):
        end = starts[k + 1] if k + 1 < len(heads) else len(toks)
        events.append(_build(toks[starts[k]:h], toks[h], toks[h + 1:end]))
    simultaneous = second_of_two and len(before) > clause_start and not before[clause_start].gerund_head \
        and toks[0] in _ING and len(events) == 1 and join == "then"
    events[0].attach = "with" if simultaneous else join    # "walk with arms out, balancing"
    return events


def _build(pre: list[str], head: str, post: list[str]) -> Event:
    if head in ACTIVITIES:
        ev = Event(*ACTIVITIES[head], fixed=True)
    else:
        heads = head.split("/")
        ev = Event(_FORMS.get(heads[0], heads[0]), alts=tuple(_FORMS[h] for h in heads[1:] if h in _FORMS),
                   gerund_head=heads[0] in _ING)
    dirs, mods, very = [], [], False
    for i, p in enumerate(pre):
        if p == "very" and pre[i + 1:i + 2] and pre[i + 1] in MANNER:
            very = True
        elif p in MANNER:
            ev.manner += [("very " if very else "") + MANNER[p]] if MANNER[p] else []
        elif p in CHARACTERS:
            ev.like.append("like " + CHARACTERS[p])
        elif p.endswith("ly") and len(p) > 4:
            ev.manner.append(p)
        elif p in ("forward", "backward", "backwards", "sideways"):
            dirs.append(p)
        else:
            mods.append(NUMBER_WORDS.get(p, p))
    sides = [m for m in mods if m in SIDES]
    limb = LIMB.get(ev.verb) or LIMB.get(head)
    if sides and limb:
        mods = [m for m in mods if m not in SIDES]
        ev.manner.append(f"with the {sides[0]} {limb}")
    elif sides and mods == sides and ev.verb in LOCOMOTION | {"turn", "veer", "spin", "move"}:
        dirs, mods = dirs + sides, []
    if mods and head in _ING and (mods[-1] in COUNT_NOUNS or mods == ["hand"]):
        if mods == ["hand"]:                               # "hand mixing dough" -> "mixes dough by hand"
            ev.manner.append("by hand")
        else:                                              # "bolt tightening" -> "tightens a bolt"
            ev.rest = _object_phrase(mods)
        mods = []
    elif mods:                                             # "high jump" -> "does a high jump"
        noun = ev.rest or (ev.verb if head in _ING else head).replace("_", " ")
        art = noun.split()[0] if noun.split()[0] in ("a", "an", "the") else ""
        noun = noun[len(art):].strip()
        phrase = " ".join(m.replace("_", " ") for m in mods) + " " + noun
        if noun == "dance" and all(m in DANCES for m in mods):
            ev = Event("dance", "the " + phrase[:-6], manner=ev.manner, like=ev.like)
        else:
            plural = noun.endswith("s") and not noun.endswith("ss") or mods[0] in ("two", "three", "four", "five")
            art = "the" if art == "the" else "" if plural else _indef(phrase)
            verb = LIGHT.get(noun, ev.verb if head in ACTIVITIES else "do")
            ev = Event(verb, f"{art} {phrase}".strip(), manner=ev.manner, like=ev.like)
    obj, post_manner = _object_phrase(post, with_manner=True)
    ev.manner += post_manner
    ev.rest = " ".join(w for w in [ev.rest, " ".join(dirs), obj] if w)
    return ev


def _object_phrase(words: list[str], with_manner: bool = False, after: str | None = None):
    """Words after a verb with the articles English needs ("on high stool" -> "on a high stool")."""
    single = len(words) == 1 and words[0] in ("slow", "fast", "quick", "normal", "casual", "careful")
    manner = [MANNER[w] for w in words if w in MANNER and ("_" in w or single) and MANNER[w]]
    words = [w for w in words if not (w in MANNER and ("_" in w or single))]
    inserts: dict[int, str] = {}
    covered = len(words)
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if i >= covered or (i + 1 < len(words) and _continues(words[i + 1])):
            continue
        if not (w in COUNT_NOUNS or w in THE_NOUNS or w in BODY or w in TOOLS):
            continue
        s = i
        while s > 0 and _modifier(words[s - 1]) and not (w in BODY and words[s - 1] in _ING) \
                and words[s - 1] not in BODY | COUNT_NOUNS - {"ball", "coffee"}:
            s -= 1
        covered = s
        prev = words[s - 1] if s else after
        if prev in DETERMINERS | PRONOUNS or (prev or "").endswith("'s") or (words[s][0].isdigit() and w.endswith("s")):
            continue
        if w in THE_NOUNS:
            inserts[s] = "the"
        elif w in BODY:
            unique = w in ("head", "chin", "face", "body", "waist", "forehead")
            if w in NO_ARTICLE_BODY or (s and prev not in PREPS and (prev not in _FORMS or prev == "lying")):
                continue
            if prev == "with" and not unique:
                if not w.endswith("s"):
                    inserts[s] = _indef(words[s])
            else:
                inserts[s] = "the"
        else:
            inserts[s] = _indef(words[s])
    for i in range(len(words)):
        if words[i] in SIDES and i and words[i - 1] == "to":
            inserts[i] = "the"
    out = list(words)
    for i in sorted(inserts, reverse=True):
        out.insert(i, inserts[i])
    text = " ".join(w.replace("_", " ") for w in out)
    text = re.sub(r"\bfrom the (\w+) to the \1\b", r"from \1 to \1", text).replace("side by the side", "side by side")
    return (text, manner) if with_manner else text


def _noun_part(words: list[str], before: list[Event], join: str) -> list[Event]:
    """A part with no verb: 'expressive arms', 'shoulders', 'happy', 'monkey', 'coffee mug', 'backward'."""
    phrase = _object_phrase(words, after="with")
    last = words[-1]
    prev = before[-1] if before else None
    if prev and len(words) == 1 and last in BODY and prev.rest.split()[-1:] and prev.rest.split()[-1] in BODY:
        listed = re.sub(r",? and ", ", ", prev.rest)                        # "rotate head, shoulders, arms"
        prev.rest = f"{listed}{',' if listed != prev.rest else ''} and {phrase}"
        return []
    if prev and last in ATTACH_NOUNS:
        prev.extras.append("with " + phrase)
        return []
    if prev and (words[0] in DIRECTIONS | SIDES or words == ["on_a_diagonal"]):
        return [Event(prev.verb, phrase, elide=True, attach=join)]          # "walk forward, backward"
    if prev and (last in TOOLS or any(w in BODY for w in words)):
        prev.extras.append("with " + phrase)
        return []
    if prev and len(words) == 1 and words[0].isalpha() and "with" in " ".join([prev.rest, *prev.extras]).split():
        if prev.extras:
            prev.extras[-1] += " and " + words[0]
        else:
            prev.rest += " and " + words[0]                                 # "walk with anger, frustration"
        return []
    chars = [w for w in words if w in CHARACTERS]
    manner = [MANNER[w] for w in words if w in MANNER and MANNER[w]]
    if chars and len(chars) == len(words):
        return [Event("act", "like " + CHARACTERS[chars[0]], attach=join)]
    if manner and len(manner) + len(chars) + words.count("very") == len(words):
        return [Event("move", "around", manner=manner, like=["like " + CHARACTERS[c] for c in chars], attach=join)]
    if last in DANCES:
        name = "the " + last.replace("_", " ")
        return [Event("do" if words[0] == "the" else "dance", name, manner=manner, attach=join)]
    if last in LIGHT or last in SIDES and len(words) > 1:
        noun = phrase + (" turn" if last in SIDES else "")
        return [Event(LIGHT.get(last, "make"), noun if noun.endswith("s") else f"{_indef(noun)} {noun}", attach=join)]
    if prev and last in COUNT_NOUNS:
        return [Event("use", phrase, attach=join)]                           # "sweeping, dustpan"
    if prev and all(w.replace("_", "").replace("/", "").isalpha() for w in words):
        phrase = phrase.replace("/", " or ")
        art = "" if last.endswith("s") or phrase.split()[0] in DETERMINERS else _indef(phrase) + " "
        return [Event("do", art + phrase, attach=join)]                      # "pirouette", "the dive"
    return []


def _merge(events: list[Event]) -> list[Event]:
    """'start' + 'walk' -> 'start walking'; objects for verbs that need one ('pick up' -> 'pick something up')."""
    out: list[Event] = []
    for e in events:
        if out and out[-1].verb == "start" and not out[-1].rest and not e.elide:
            out[-1].rest = " ".join(w for w in [gerund(e.verb), e.rest] if w)
            out[-1].manner += e.manner
            out[-1].like += e.like
            continue
        if e.verb == "pick" and e.rest in ("", "up"):
            e.rest = "something up"
        elif e.verb in ("lift", "carry", "grab", "catch") and not e.rest:
            e.rest = "something"
        elif e.verb == "set" and e.rest.startswith("down") and "object" not in e.rest:
            e.rest = ("it " if out else "something ") + e.rest
        elif e.verb == "tiptoe" and not e.rest:
            e.verb, e.rest = "stand", "on tiptoe"
        if re.search(r"(\bto grab|\bfor|\bagainst|\bon|\bat)$", e.rest):
            e.rest += " something"
        out.append(e)
    if out and out[-1].verb == "start" and not out[-1].rest:
        out[-1].rest = "moving"
    return out


def _apply_category(category: str, events: list[Event]) -> None:
    first = events[0]
    if category == "basketball":
        for e in events:
            if e.verb in ("dribble", "shoot", "pass", "bounce") and "basketball" not in e.rest:
                words = e.rest.split()
                dirs = [d for d in ("forward", "backward", "sideways") if d in words]
                rest = " ".join(w for w in words if w not in dirs)
                e.rest = " ".join(w for w in ["a basketball" if e is first or e.verb == "dribble" else "", rest,
                                              f"while moving {dirs[0]}" if dirs else ""] if w)
            elif e.verb == "do" and "dribble" in e.rest:
                e.rest += " with a basketball"
    elif category in ("soccer", "football"):
        ball = "a soccer ball" if category == "soccer" else "the football"
        for e in events:
            e.rest = re.sub(r"\ba ball\b", ball, e.rest)
            if e.verb in ("throw", "catch", "kick", "pass") and e.rest in ("", "something"):
                e.rest = ball
    elif category == "playground":
        first.extras.append("on a playground")
    elif category == "quarrel":
        first.extras.append("while arguing")
