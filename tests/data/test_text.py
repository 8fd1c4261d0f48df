"""HumanML3D text utilities: left/right mirroring (exact and reversible), caption cleaning, and the
POS token field our lexicon tagger writes in place of spaCy's."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamp_core.data import caption_phrases as P
from lamp_core.data.captions import captions_for
from lamp_core.data.labels import Labels
from lamp_core.data.text import clean_caption, lexicon_entry, mirror_text, tokenize

TAGS = {"DET", "NOUN", "VERB", "ADJ", "ADV", "ADP", "PRON", "CCONJ", "SCONJ", "PART", "NUM", "AUX", "PROPN"}


def all_label_captions():
    """Every caption our tables can write for Bandai, synthetic and idle labels (many keys, large n)."""
    out = []
    for source, contents, styles in (("bandai-namco-1", P.BANDAI1_CONTENTS, P.BANDAI1_STYLES),
                                     ("bandai-namco-2", P.BANDAI2_CONTENTS, P.BANDAI2_STYLES),
                                     ("synthetic", P.SYNTHETIC_CONTENTS, P.SYNTHETIC_STYLES)):
        for c in contents:
            for s in styles:
                out += captions_for(Labels(source, content=c, style=s), f"{c}/{s}", n=1000)
    return out + captions_for(Labels("reactidle", idle=True), "idle", n=1000)


# --------------------------------------------------------------------------------------- mirroring

@pytest.mark.parametrize("text,mirrored", [
    ("a person waves the left hand.", "a person waves the right hand."),
    ("Left foot forward, right arm up; LEFT turn", "Right foot forward, left arm up; RIGHT turn"),
    ("a left-hand wave, then a right-handed throw", "a right-hand wave, then a left-handed throw"),
    ("drifts leftward, then rightwards to the leftmost spot", "drifts rightward, then leftwards to the rightmost spot"),
    ("turns clockwise; the wright brothers; all right? lefty, bright",
     "turns clockwise; the wright brothers; all left? lefty, bright"),
    ("leftist, lefty, left_hand", "leftist, lefty, right_hand"),
])
def test_mirror_text_swaps_left_and_right_words_only(text, mirrored):
    assert mirror_text(text) == mirrored
    assert mirror_text(mirrored) == text


_NO_SIDES = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80).filter(
    lambda s: not re.search(r"left|right", s, re.I))


@given(_NO_SIDES)
@settings(max_examples=300)
def test_mirror_text_leaves_text_without_left_or_right_unchanged(text):
    assert mirror_text(text) == text


@given(st.lists(st.one_of(st.sampled_from(["left", "Right", "LEFT", "rightward", "left-hand", "lEfT", "leftist",
                                            "bright", "a", "-", " ", ",", "\n", "wards"]), _NO_SIDES), max_size=20))
@settings(max_examples=300)
def test_mirror_text_is_an_involution(pieces):
    text = "".join(pieces)
    assert mirror_text(mirror_text(text)) == text


def test_mirrored_captions_of_left_contents_match_the_right_contents_wording():
    for content in ("wave-left-hand", "walk-turn-left", "raise-up-left-hand", "walk-left"):
        left = captions_for(Labels("bandai-namco-2", content=content, style="normal"), "k", 30)
        twin = content.replace("left", "right")
        right = captions_for(Labels("bandai-namco-2", content=twin, style="normal"), "k", 30)
        assert {mirror_text(c) for c in left} == set(right)


# ---------------------------------------------------------------------------------------- cleaning

def test_clean_caption_makes_one_safe_line():
    assert clean_caption("  a man\n walks #forward\t quickly. ") == "a man walks forward quickly."
    assert clean_caption("###") == ""


# -------------------------------------------------------------------------------------- tokenizing

def test_tokenize_matches_the_humanml3d_example():
    assert tokenize("a man kicks something or someone with his left leg.") == \
        "a/DET man/NOUN kick/VERB something/PRON or/CCONJ someone/PRON with/ADP his/DET left/ADJ leg/NOUN"


@pytest.mark.parametrize("caption,tokens", [
    ("A person walks forward happily.", "a/DET person/NOUN walk/VERB forward/ADV happily/ADV"),
    ("someone is walking and turns to the left.",
     "someone/PRON is/AUX walk/VERB and/CCONJ turn/VERB to/ADP the/DET left/NOUN"),
    ("a figure takes a few steps forward.", "a/DET figure/NOUN take/VERB a/DET few/ADJ step/NOUN forward/ADV"),
    ("a person raises the left hand high to respond.",
     "a/DET person/NOUN raise/VERB the/DET left/ADJ hand/NOUN high/ADV to/PART respond/VERB"),
    ("a person does a squat.", "a/DET person/NOUN do/VERB a/DET squat/NOUN"),
    ("a well-known man's 2 feet", "a/DET wellknown/NOUN man/NOUN foot/NOUN"),
])
def test_tokenize_tags_and_lemmatises_like_process_text(caption, tokens):
    assert tokenize(caption) == tokens


def test_tokenize_guesses_unknown_words_by_suffix():
    assert tokenize("a zorp quickly blorfing") == "a/DET zorp/NOUN quickly/ADV blorf/VERB"


def test_every_word_of_our_captions_is_in_the_lexicon_and_tokens_are_clean():
    caps = all_label_captions()
    assert len(caps) > 5000
    unknown = {w for c in caps for w in re.findall(r"[a-z]+", c.lower()) if not lexicon_entry(w)}
    assert not unknown
    for c in caps[::7]:
        toks = tokenize(c).split()
        assert toks and all(re.fullmatch(r"[a-z]+/[A-Z]+", t) and t.split("/")[1] in TAGS for t in toks), c
        assert len(toks) == len(re.findall(r"[a-z]+", c.lower())), c   # no word lost, no punctuation kept
