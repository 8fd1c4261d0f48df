"""Captions from labels: deterministic, varied, and right about what the motion is (which hand,
which way, what the style looks like), for every label the corpus sources can produce."""

import csv
import io
import os
import re
import subprocess
import sys
import tarfile

import pytest

from lamp_core.data import caption_phrases as P
from lamp_core.data.captions import captions_for, describe_labels
from lamp_core.data.cmu_descriptions import parse_description
from lamp_core.data.labels import Labels
from tests.conftest import CACHE, shared_path

BANDAI = [("bandai-namco-1", c, s) for c in P.BANDAI1_CONTENTS for s in P.BANDAI1_STYLES] + \
         [("bandai-namco-2", c, s) for c in P.BANDAI2_CONTENTS for s in P.BANDAI2_STYLES]
SYNTHETIC = [("synthetic", c, s) for c in P.SYNTHETIC_CONTENTS for s in P.SYNTHETIC_STYLES]
SUBJECTS = ("person", "someone", "man", "woman", "figure")


def caps(content=None, style=None, key="take-1", n=4, source="bandai-namco-1", **kw):
    return captions_for(Labels(source, content=content, style=style, **kw), key, n)


def cmu(description, key="cmu-01_01", n=4, windowed=False):
    return captions_for(Labels("cmu", description=description), key, n, windowed=windowed)


def words(text):
    return set(re.findall(r"[a-z]+", text.lower()))


def subject(caption):
    return next(w for w in re.findall(r"[a-z]+", caption) if w in SUBJECTS)


# ------------------------------------------------------------------------------------- determinism

def test_same_key_gives_the_same_captions_in_a_fresh_interpreter_with_another_hash_seed():
    here = [caps("walk-turn-left", "elderly", key="bn2-walk-00042"), cmu("slow walk/stride", key="cmu-08_03")]
    code = ("from lamp_core.data.captions import captions_for; from lamp_core.data.labels import Labels\n"
            "print(repr([captions_for(Labels('bandai-namco-1', content='walk-turn-left', style='elderly'), "
            "'bn2-walk-00042'), captions_for(Labels('cmu', description='slow walk/stride'), 'cmu-08_03')]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == repr(here)
    assert caps("walk-turn-left", "elderly", key="bn2-walk-00042") == here[0]


def test_different_keys_usually_give_different_captions():
    lists = {tuple(caps("run", "happy", key=f"clip-{i}")) for i in range(20)}
    assert len(lists) >= 12


# ------------------------------------------------------------------------------------------ variety

@pytest.mark.parametrize("source,content,style", BANDAI + SYNTHETIC)
def test_every_label_combination_gets_n_distinct_well_formed_captions(source, content, style):
    out = caps(content, style, key=f"{source}-{content}-{style}", source=source)
    assert len(out) == 4 and len(set(out)) == 4
    for c in out:
        assert c.endswith(".") and c == " ".join(c.split()) and "#" not in c
        assert c[0].islower() and not re.search(r"\b(a|an|the) (a|an|the)\b", c)


def test_subjects_vary_across_clips_and_within_a_clip():
    firsts = {subject(caps("walk", "sad", key=f"k{i}")[0]) for i in range(30)}
    assert len(firsts) >= 4
    for i in range(10):
        assert len({subject(c) for c in caps("bow", "sad", key=f"k{i}")}) == 4


def test_style_wording_varies_between_adverb_adjective_and_leading_phrase():
    out = [c for i in range(6) for c in caps("walk", "happy", key=f"k{i}")]
    assert any(re.match(r"(a|an) (happy|cheerful|joyful) ", c) for c in out)            # adjective before
    assert any(re.match(r"(in a happy mood|full of joy|cheerfully), ", c) for c in out)  # leading phrase
    assert any(re.search(r" (happily|cheerfully|in a happy mood)\.$", c) for c in out)    # adverb after


def test_asking_for_more_captions_than_wordings_exist_gives_fewer_not_duplicates():
    out = caps("kick", None, n=500)
    assert 10 < len(out) < 500 and len(set(out)) == len(out)
    assert caps("walk", "happy", n=0) == []


# ----------------------------------------------------------------------------------- left and right

@pytest.mark.parametrize("style", [None, *P.BANDAI2_STYLES])
def test_hand_and_direction_sides_are_right(style):
    for k in range(5):
        key = f"k{k}"
        for c in caps("wave-left-hand", style, key):
            assert "left" in words(c) and "right" not in words(c)
        for c in caps("wave-right-hand", style, key) + caps("raise-up-right-hand", style, key):
            assert "right" in words(c) and "left" not in words(c)
        for c in caps("walk-turn-right", style, key):
            assert "right" in words(c) and "left" not in words(c) and "turn" in c
        for c in caps("kick-left", style, key, source="synthetic"):
            assert "left" in words(c) and "right" not in words(c)


@pytest.mark.parametrize("style", P.BANDAI1_STYLES)
def test_walk_left_is_a_diagonal_forward_walk_not_a_sidestep_or_turn(style):
    for k in range(5):
        for c in caps("walk-left", style, f"k{k}"):
            assert "left" in words(c) and "right" not in words(c)
            assert not {"sideways", "sidestep", "sidesteps", "turns"} & words(c)
        for c in caps("walk-right", style, f"k{k}"):
            assert "right" in words(c) and "left" not in words(c)


def test_bye_is_the_right_hand_and_respond_the_left():
    assert all("right hand" in c for c in caps("bye", "normal"))
    assert all("left hand" in c for c in caps("respond", "normal"))
    assert all("both" in c for c in caps("byebye", "normal"))


# ------------------------------------------------------------------------------------------- styles

def test_style_meaning_shows_up():
    for k in range(8):
        for content in ("walk", "bow", "punch", "dance-long"):
            assert all(re.search(r"swagger|thug", c) for c in caps(content, "chimpira", f"k{k}"))
        assert all(re.search(r"lumbering|heavy", c) for c in caps("walk", "giant", f"k{k}"))
        assert all(re.search(r"slow|stiff|hunched|old|elderly", c) for c in caps("run", "old", f"k{k}"))
        assert all(re.search(r"timid|hesitant|insecure|confidence|unsure", c)
                   for c in caps("walk", "not-confident", f"k{k}"))


def test_gait_words_only_for_locomotion():
    gait = re.compile(r"\b(steps|gait|stride)\b")
    for k in range(8):
        for content in ("bow", "bye", "punch", "wave-both-hands", "dance-short"):
            for style in ("giant", "chimpira", "tired", "old", "proud"):
                assert not any(gait.search(c) for c in caps(content, style, f"k{k}")), (content, style)
    assert any(gait.search(c) for k in range(8) for c in caps("walk", "giant", f"k{k}"))


def test_aliases_mean_the_same_style():
    assert caps("walk", "masculinity") == caps("walk", "masculine")
    assert caps("walk", "elderly") == caps("walk", "old")


# -------------------------------------------------------------------------- user captions and idle

def test_user_captions_are_kept_verbatim_minus_the_field_separator():
    labels = Labels("folder", captions=("A man #walks\n  forward.", "  second caption ", "", "A man #walks forward."))
    assert captions_for(labels, "x", 4) == ["A man walks forward.", "second caption"]
    assert captions_for(labels, "x", 1, windowed=True) == ["A man walks forward."]


def test_idle_captions_say_standing_idle_and_hold_for_windows():
    out = captions_for(Labels("reactidle", idle=True), "reactidle-p1-003", 4, windowed=True)
    assert len(set(out)) == 4
    assert all(re.search(r"\b(stands|waits|idles)\b", c) for c in out)


def test_nothing_usable_gives_no_captions():
    assert captions_for(Labels("cmu"), "k") == []
    assert cmu("") == [] and cmu("   ") == []
    assert cmu("Range of Motion") == [] and cmu("clean") == [] and cmu("19.5lb") == []


def test_describe_labels_is_one_readable_line():
    assert describe_labels(Labels("bandai-namco-2", content="walk-turn-left", style="elderly")) == \
        "bandai-namco-2: content=walk-turn-left style=elderly"
    assert describe_labels(Labels("cmu", description="slow walk")) == "cmu: description='slow walk'"
    assert describe_labels(Labels("reactidle", idle=True)) == "reactidle: idle"
    assert "\n" not in describe_labels(Labels("folder", captions=("a\nb",)))


# ------------------------------------------------------------------------------------ CMU converter

EXAMPLES = {   # description -> a predicate one of its captions must contain
    "walk": "walks", "run/jog": "jogs", "slow walk": "walks slowly", "brisk walk": "walks briskly",
    "walk/stride": "strides", "walk, exaggerated stride": "walks with an exaggerated stride",
    "slow walk/stride": "strides slowly", "forward jump": "jumps forward", "jumpforward": "jumps forward",
    "normalwalk": "walks normally", "JumpForward": "jumps forward", "walk on uneven terrain": "walks on uneven terrain",
    "basketball - forward dribble": "dribbles a basketball while moving forward", "salsa dance": "dances the salsa",
    "monkey (human subject)": "acts like a monkey", "Start Walk Stop": "starts walking, then stops",
    "jump up to grab, reach for, tiptoe": "jumps up to grab something", "climb 3 steps": "climbs 3 steps",
    "sit on stepstool": "sits on a stepstool", "boxing": "boxes", "jumping jacks": "does jumping jacks",
    "walk with arms out": "walks with arms out", "cartwheel": "cartwheels", "wash windows": "washes windows",
    "marching": "marches", "walking": "walks", "walk and turn (repeated)": "walks and turns repeatedly",
    "carry 19.5lb suitcase": "carries a 19.5 lb suitcase", "run duck underneath": "runs, then ducks underneath",
    "motorcycle pose": "pretends to ride a motorcycle", "looking around": "looks around", "laugh": "laughs",
    "yoga": "does yoga", "mickey sneaking walk": "walks sneakily like mickey mouse",
    "direct traffic": "directs traffic", "conversation": "has a conversation",
    "walk backwards and turn": "walks backwards and turns", "Start Hop Stop": "starts hopping, then stops",
    "walk sideways and turn (opposite direction)": "turns in the opposite direction",
    "dance - expressive arms, pirouette": "dances with expressive arms, doing a pirouette",
    "playground - forward jumps, turn around": "jumps forward on a playground, then turns around",
    "jump, balance": "jumps, then balances", "zorbling quux": "performs a zorbling quux motion",
}


@pytest.mark.parametrize("description,predicate", sorted(EXAMPLES.items()))
def test_cmu_descriptions_become_plain_english(description, predicate):
    out = cmu(description, n=8)
    assert out and any(predicate + "." in c or predicate + "," in c or predicate + " " in c for c in out), out
    assert all(c.split(" ", 1)[0] in ("a", "someone") for c in out)


@pytest.mark.parametrize("description", ["walk", "run/jog", "slow walk", "walk on uneven terrain", "salsa dance",
                                         "basketball - forward dribble", "monkey (human subject)",
                                         "Walk With Arms Out, balancing"])
def test_sustained_cmu_activities_hold_for_a_window(description):
    assert parse_description(description).sustained
    assert len(cmu(description, windowed=True)) == 4


@pytest.mark.parametrize("description", ["jump, balance", "Start Walk Stop", "jump up to grab, reach for, tiptoe",
                                         "walk, veer left", "Run Jump Stop Run",
                                         "walk; B catches keys thrown by A (2 subjects - subject A)"])
def test_cmu_event_sequences_are_not_said_of_a_window(description):
    assert cmu(description, windowed=False)
    assert cmu(description, windowed=True) == []


def test_two_person_trials_describe_only_our_subject():
    a = cmu("A pulls B; B resists (2 subjects - subject A)")
    b = cmu("A pulls B; B resists (2 subjects - subject B)")
    assert all("pulls another person" in c and "resists" not in c for c in a)
    assert all("resists" in c and "pulls" not in c for c in b)
    assert cmu("A stumbles into B (2 subjects - subject B)") == []


@pytest.fixture(scope="module")
def cmu_descriptions():
    src = shared_path("data", "cmu-subset.tar.xz")
    out = CACHE / "cmu-descriptions.csv"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(src, "r|xz") as tar:
            for member in tar:
                if member.name.endswith("cmu-descriptions.csv"):
                    out.write_bytes(tar.extractfile(member).read())
                    break
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))[1:]
    return sorted({r[2] for r in rows if len(r) > 2})


@pytest.mark.shared
def test_every_cmu_description_converts_to_clean_sentences(cmu_descriptions):
    from lamp_core.data.text import lexicon_entry
    assert len(cmu_descriptions) > 1000
    unknown = set()
    for d in cmu_descriptions:
        out = cmu(d, key=d)
        assert out == cmu(d, key=d)
        for c in out:
            assert re.fullmatch(r"[a-z][a-z0-9 ,.']*\.", c), (d, c)
            assert not re.search(r"  | ,|,,|\b(a|an|the) (a|an|the)\b|\b(\w+) \3\b", c), (d, c)
            unknown |= {w for w in re.findall(r"[a-z]+", c) if not lexicon_entry(w) and w != "s"}
    assert not unknown
