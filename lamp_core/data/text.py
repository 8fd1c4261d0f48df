"""Text utilities for the HumanML3D text format: mirroring left/right, cleaning, POS tokens.

HumanML3D writes ``caption#tokens#start#end`` where tokens are spaCy ``word/POS`` pairs (its
``process_text``). spaCy and its models are not available offline, so a small lexicon tagger
stands in: it knows every word our own captions use (tag and lemma), the closed-class words of
English, and guesses the rest by suffix. The verb list and its inflections live here too, shared
with the CMU description converter, so the words it writes are words the tagger knows.
"""

from __future__ import annotations

import re

__all__ = ["mirror_text", "clean_caption", "tokenize", "lexicon_entry", "VERBS", "third", "gerund"]

# ---------------------------------------------------------------------------------------- mirroring

_SIDE = re.compile(r"(?<![^\W_])(left|Left|LEFT|right|Right|RIGHT)"
                   r"((?:[Ww][Aa][Rr][Dd][Ss]?|[Mm][Oo][Ss][Tt])?)(?![^\W_])")
_SWAP = {"left": "right", "Left": "Right", "LEFT": "RIGHT", "right": "left", "Right": "Left", "RIGHT": "LEFT"}


def mirror_text(text: str) -> str:
    """Swap the words left and right (also in "left-hand", "leftward(s)", "rightmost"), keeping
    their case; nothing else changes, and mirroring twice gives the text back. Only the three
    usual casings (left, Left, LEFT) count as the word, so odd casings stay as they are."""
    return _SIDE.sub(lambda m: _SWAP[m[1]] + m[2], text)


def clean_caption(text: str) -> str:
    """A caption safe for a HumanML3D text line: one line, single spaces, no '#' (the field separator)."""
    return " ".join(str(text).replace("#", "").split())


# ---------------------------------------------------------------------------------------- lexicon

VERBS = frozenset("""act adjust aim answer arch argue attack avoid balance bang bat beckon bend block bob bounce
bow box break breakdance bring brush bunt burst buy call carry cartwheel cast catch charge chop chug clap clean
climb close coil comb come comfort conduct cook crawl creep cross crouch cry curl curtsey dance dangle dash
descend dial dig direct dive do dodge drag dribble drift drink drive drop droop drum duck eat explain face fake
fall feel feign feint fidget fight film finish fish fix flex flip fly fold follow freeze gesture get give go
grab grip guide hammer hang head hide hit hobble hold hop hug hunch hurt idle investigate jog join juggle jump
kick kneel knock lack land laugh lay lead lean leap lie lift limp link look loosen lower lumber lunge make march
meet mix moonwalk mope mop mount move navigate nod open pace paint pass pause pay peek peep perform pick pitch
pivot place plant play point poke pose pound pour pretend pull pump punch push put putt raise rake reach relax
repeat resist respond rest revolve ride rise rock roll rotate row run rush salute saw say scoop scramble screw
search set sew shake shave shelter shift shiver shoot show shrug shuffle sidestep sing sip sit skate skip slap
slash slice slide slip slow smash smoke sneak spin sprint squat stagger stand stare start step stomp stoop stop
stretch strew stride strike stroll stumble swagger sway sweep swim swing swat take talk teach threaten throw
tighten tiptoe toss trip turn twirl twist type unscrew use vacuum veer wait walk wander wash watch wave wear
whip whirl whistle wipe wobble wrestle write yawn""".split())
_DOUBLE = set("""run swim hop step skip drop stop jog dig grip sit hit cut put set chop drag slap spin trip mop
nod pat clap flip sip chug get swat bob rub drum shrug sidestep slip grab hug stab wrap snap whip bat""".split())
_IRREGULAR_PAST = {"ran": "run", "sat": "sit", "stood": "stand", "threw": "throw", "thrown": "throw",
                   "fell": "fall", "fallen": "fall", "bent": "bend", "held": "hold", "took": "take",
                   "taken": "take", "made": "make", "went": "go", "gone": "go", "got": "get", "came": "come",
                   "did": "do", "done": "do", "said": "say", "swung": "swing", "spun": "spin", "hung": "hang",
                   "caught": "catch", "lay": "lie", "brought": "bring", "struck": "strike", "rode": "ride",
                   "wore": "wear", "worn": "wear", "drew": "draw", "rose": "rise", "risen": "rise",
                   "knelt": "kneel", "leapt": "leap", "crept": "creep", "swept": "sweep", "led": "lead",
                   "met": "meet", "paid": "pay", "shook": "shake", "shot": "shoot", "wrote": "write",
                   "ate": "eat", "drank": "drink", "drove": "drive", "flew": "fly", "froze": "freeze"}

_NOUNS = set("""
air angle anger animal ankle ant arabesque arm arrow attacker attitude axis baby backflip backstroke ball
ballerina banana bar baseball basket basketball bat batter beam bear beer bird bluff body bolt bottle bottlecap
box bread breaststroke broom bug bus butterfly button bye cabbage camera cap cartwheel cat chair chalkboard
channel charleston chest chi chicken child chin chipmunk circle coat coffee confidence conversation cou coupe
cow curve day de degree derriere dessous devant devil diagonal dinner dinosaur direction distance dog dough
dress dustpan ear eight elbow elephant en energy face fighter figure finger fish fist flair flamingo flashlight
floor flower folk foot football footwork forearm forehead freestyle friend frisbee frustration gait genie ghost
giant glass glissade goodbye gorilla ground gun hair hand handspring handstand harm hat head headphone heel
height hello helicopter hip hippo hole hopscotch horse hummingbird insect jack jacket jambe jete joy karate kata
key kid knee knife ladder lady lambada laptop layup lb leaf ledge leg line lindy lot macarena man manner mantis
martini mirror mood motion motorcycle mouse movement mug mummy musical nail neck nursery number object obstacle
onion other palm panda panther partner patch path peekaboo peel penguin performer person phone piano picture
pied pilot pirouette place plant platform playground pointe posture pride pullover punk pushup quail rain rex
rhyme ring robot roadrunner rope rosie rotation routine rug salsa salutation sandwich seat series shoulder side
sidewalk signal skirt snake soccer soda soldier somersault soup spell spot spring stage stair stance statue
stepstool stomach stool tiptoe retire rond waist laundry referee airplane alien dragon monkey squirrel
tyrannosaurus pterosaur prairie violin five roundhouse crossover deodorant guard street stroke suitcase sun
superhero sweater sword swordsman sync tai tee teen tendue terrain terre thing thinker thug thumb tiger toe
toolbox tooth tourant traffic tree tv umbrella wall wallet water way weight whale window woman wood wrench wrist
yoga zigzag zombie""".split())
_NOUNS |= set("""walk run jump kick punch turn step dance bow wave gesture squat sprint stride swing spin twist pose
dive rest lunge stop rub whip dribble block sidestep flip catch throw pitch shot fit strike rock limp drink
drop sip motion breakdance hammer saw fly dash answer call fall move slip""".split())
_NOUN_IRREGULAR = {"feet": "foot", "teeth": "tooth", "people": "person", "children": "child", "men": "man",
                   "women": "woman", "mice": "mouse", "knives": "knife", "leaves": "leaf", "series": "series"}
_ADJ = set("""
active aggressive angry awkward bad big blind bouncy brisk broad burly busy careful carefree casual cheerful
childish childlike clumsy cold confident cool crouched cyclic defensive dejected different downcast downward
drooping dragging easy egyptian elderly elegant energetic evasive exaggerated excited exhausted expressive fancy
fast feminine few graceful drunk praying aching further underhand forceful frail free frequent front full
furious gangly grand great happy hard heavy heavyset hesitant high huge hulking hunched hurt idle imaginary
insecure irritated joyful ladylike large last light little lively long low lost lumbering macho manly masculine
medium muscular musical natural normal obvious offensive old open opposite ordinary other outstretched painful
pesky playful proud quasi quick raised ready relaxed repeated rhythmic robotic russian sad scared sexy short shy
slow small smooth sorrowful sprightly static stiff stooped straight strong sudden surprised swaggering
theatrical thuggish tight tighter timid tired uneven unsure upper upright upset various vertical weary wide wild
worn wounded young youthful slight sexy sideways""".split())
_ADV = set("""again ahead apart around away back backward backwards diagonally fast finally forward forwards here
high low often once twice too very quite still straight then together upside inwards outwards sideways sideway
even almost also always never only rather so far later first""".split())
_CLOSED = {
    "DET": "a an the this these those his her its their my your our some any each every all both another no",
    "PRON": """i me you he him she it we us they them someone somebody something anyone anybody anything everyone
               everybody everything nobody nothing himself herself itself themselves myself yourself ourselves
               oneself who whom what""",
    "ADP": """in on at from with without into onto under underneath along through across against off of by for
              near behind above below like about after before during toward towards upon beside between
              among past inside outside within up down out over per""",
    "CCONJ": "and or but nor",
    "SCONJ": "if while because although though whether until unless since",
    "AUX": "is are was were be been being am will would can could should may might must",
    "PART": "not",
    "NUM": "one two three four five six seven eight nine ten twenty ninety hundred thousand",
    "PROPN": "mickey frankenstein",
}
_CLOSED_TAGS: dict[str, dict[str, str]] = {}
for _tag, _words in _CLOSED.items():
    for _w in _words.split():
        _CLOSED_TAGS.setdefault(_w, {})[_tag] = _w
for _w, _tags in {"to": ("PART", "ADP"), "that": ("DET", "PRON", "SCONJ"), "as": ("SCONJ", "ADP"),
                  "around": ("ADP", "ADV"), "do": ("AUX", "VERB"), "does": ("AUX", "VERB"), "did": ("AUX", "VERB"),
                  "has": ("AUX", "VERB"), "have": ("AUX", "VERB"), "had": ("AUX", "VERB")}.items():
    _CLOSED_TAGS[_w] = {t: ("do" if _w in ("does", "did") else "have" if _w in ("has", "had") else _w) for t in _tags}


def third(verb: str) -> str:
    """Third person singular: walk -> walks, catch -> catches, carry -> carries."""
    if verb in ("do", "go"):
        return verb + "es"
    if verb == "have":
        return "has"
    if re.search(r"(s|sh|ch|x|z)$", verb):
        return verb + "es"
    return verb[:-1] + "ies" if re.search(r"[^aeiou]y$", verb) else verb + "s"


def gerund(verb: str) -> str:
    """-ing form: run -> running, dance -> dancing, lie -> lying."""
    if verb in ("lie", "die", "tie"):
        return verb[0] + "ying"
    if verb in _DOUBLE:
        return verb + verb[-1] + "ing"
    return verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) else verb + "ing"


def _past(verb: str) -> str:
    if verb in _DOUBLE:
        return verb + verb[-1] + "ed"
    if verb.endswith("e"):
        return verb + "d"
    return verb[:-1] + "ied" if re.search(r"[^aeiou]y$", verb) else verb + "ed"


_VERB_FORMS: dict[str, str] = dict(_IRREGULAR_PAST)
for _v in sorted(VERBS):
    for _f in (_past(_v), gerund(_v), third(_v), _v):
        _VERB_FORMS[_f] = _v


def _noun_lemma(word: str) -> str | None:
    if word in _NOUNS:
        return word
    if word in _NOUN_IRREGULAR:
        return _NOUN_IRREGULAR[word]
    for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(cut) and word[:-len(cut)] + add in _NOUNS:
            return word[:-len(cut)] + add
    return None


def lexicon_entry(word: str) -> dict[str, str]:
    """What the lexicon knows about a lowercase word: {POS tag: lemma}, empty when unknown."""
    out = dict(_CLOSED_TAGS.get(word, {}))
    if out and word not in ("that", "around", "as", "to", "up", "down", "out", "over", "back"):
        return out
    if word in _ADJ:
        out["ADJ"] = word
    if word in _ADV or (word.endswith("ly") and len(word) > 4 and word not in _ADJ):
        out["ADV"] = word
    noun = _noun_lemma(word)
    if noun:
        out["NOUN"] = noun
    if word in _VERB_FORMS:
        out["VERB"] = _VERB_FORMS[word]
    if word in ("left", "right"):
        out.update({"ADJ": word, "ADV": word, "NOUN": word})
    return out


def _guess(word: str, prev_tag: str | None) -> dict[str, str]:
    """Unknown words: -ly adverbs, -ing / -ed verbs, everything else a noun."""
    if word.endswith("ly"):
        return {"ADV": word}
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        return {"VERB": stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem}
    if word.endswith("ed") and len(word) > 4:
        return {"VERB" if prev_tag in ("NOUN", "PRON", "PROPN") else "ADJ": word[:-2] if prev_tag else word}
    return {"NOUN": word[:-1] if word.endswith("s") and not word.endswith(("ss", "us", "is")) else word}


# ---------------------------------------------------------------------------------------- tagging

_CLITIC = re.compile(r"[a-z]+(?=n't)|n't|'[a-z]+|[a-z]+|[0-9]+(?:\.[0-9]+)?|[^\sa-z0-9]")
_NOMINAL = ("DET", "NOUN", "ADJ", "NUM", "PRON", "PROPN")


def _tag(tokens: list[str]) -> list[tuple[str, str, str]]:
    """(word, tag, lemma) per token, choosing among the lexicon's readings by simple context."""
    entries = [lexicon_entry(t) if t.isalpha() else {} for t in tokens]
    out: list[tuple[str, str, str]] = []
    expect_verb = True                      # at a clause start a verb reading wins; after the verb, nouns
    for i, (w, e) in enumerate(zip(tokens, entries)):
        prev = out[-1][1] if out else None
        if prev == "PUNCT" and len(out) > 1 and out[-2][1] == "ADJ" and "ADJ" in e:
            out.append((w, "ADJ", w))       # "a big, repeated goodbye"
            continue
        nxt = entries[i + 1] if i + 1 < len(entries) else {}
        if not w.isalpha():
            tag, lemma = "PUNCT", w
            if w in ",;:":
                expect_verb = True
        else:
            e = e or _guess(w, prev)
            tag = _choose(w, e, prev, nxt, expect_verb)
            lemma = e.get(tag, w)
            if tag == "VERB":
                expect_verb = False
            elif tag in ("AUX", "CCONJ", "SCONJ", "PART") or (tag == "ADV" and w == "then"):
                expect_verb = True
        out.append((w, tag, lemma))
    return out


def _choose(w: str, e: dict[str, str], prev: str | None, nxt: dict[str, str], expect_verb: bool) -> str:
    if len(e) == 1:
        return next(iter(e))
    nominal_next = any(t in nxt for t in _NOMINAL) and "VERB" not in nxt or ("NOUN" in nxt and "ADP" not in nxt)
    if w in ("left", "right"):
        return "ADJ" if "NOUN" in nxt and not {"ADP", "SCONJ", "ADV"} & nxt.keys() else \
            "NOUN" if prev in ("DET", "ADP", "ADJ") else "ADV"
    if w == "to":
        return "PART" if "VERB" in nxt and nxt.get("VERB") == next(iter(nxt.values())) and "DET" not in nxt else "ADP"
    if w == "as":
        return "SCONJ" if "SCONJ" in nxt or "PRON" in nxt else "ADP"
    if w == "that":
        return "DET" if "NOUN" in nxt and "AUX" not in nxt else "PRON"
    if "AUX" in e:
        return "VERB" if nominal_next else "AUX"
    if "ADP" in e and "ADV" in e:
        return "ADP" if nominal_next else "ADV"
    if "VERB" in e and w.endswith("ing") and prev in ("AUX", "ADP", "PART", None, "PUNCT", "CCONJ", "VERB", "ADV"):
        return "VERB"
    if prev in ("DET", "ADJ", "NUM") or (prev == "ADP" and "VERB" in e and not w.endswith("ing")):
        for tag in ("ADJ", "NOUN") if "NOUN" in nxt else ("NOUN", "ADJ"):
            if tag in e:
                return tag
    if "VERB" in e and expect_verb and prev != "DET":
        return "VERB"
    if "ADJ" in e and ("NOUN" in nxt or prev == "AUX"):
        return "ADJ"
    for tag in ("NOUN", "ADV", "ADJ", "VERB"):
        if tag in e:
            return tag
    return next(iter(e))


def tokenize(caption: str) -> str:
    """HumanML3D's token field for a caption, as its process_text writes it: '-' removed, lowercase,
    space-separated word/POS pairs, non-alphabetic tokens dropped, nouns and verbs lemmatised
    (except the word "left"), e.g. "a man kicks with his left leg." ->
    "a/DET man/NOUN kick/VERB with/ADP his/DET left/ADJ leg/NOUN"."""
    tokens = _CLITIC.findall(caption.replace("-", "").lower())
    words = []
    for w, tag, lemma in _tag(tokens):
        if not w.isalpha():
            continue
        words.append(f"{lemma if tag in ('NOUN', 'VERB') and w != 'left' else w}/{tag}")
    return " ".join(words)
