"""What the trained captioner says about clips anyone can recognise, on the shipped default model (or
$LAMP_TEST_BUNDLE): a CMU take from a skeleton it never trained on (assimp's copy of CMU 01_01, forward
jumps), and generated walking. Skipped, with the reason, where no trained bundle or shared file exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lamp_core.captioning.captioner import Captioner, DecodeOptions
from tests.conftest import shared_path

REPO = Path(__file__).resolve().parents[2]
BUNDLE = Path(os.environ.get("LAMP_TEST_BUNDLE", REPO / "assets" / "models" / "default"))

pytestmark = pytest.mark.skipif(not (BUNDLE / "captioner" / "model.json").is_file(),
                                reason=f"no trained captioner in {BUNDLE} (set LAMP_TEST_BUNDLE)")


@pytest.fixture(scope="module")
def captioner():
    return Captioner.load(BUNDLE)


def test_cmu_jumps_from_an_unseen_skeleton_are_called_jumps(captioner):
    timed = captioner.caption_file(shared_path("fixtures", "assimp__01_01.bvh"), DecodeOptions(n_best=3))
    tops = [t.captions[0].text for t in timed]
    jumping = [t for t in tops if "jump" in t or "hop" in t]
    assert len(timed) >= 4, "a 23 s take is captioned in several timed windows"
    assert len(jumping) * 2 > len(tops) and any("jump" in t for t in tops), tops


def test_a_generated_walk_is_called_a_walk(captioner):
    from lamp_core.engine import Engine
    walk = Engine.load(BUNDLE).generate("a person walks forward", seconds=4.0, seed=0)[0]
    assert "walk" in captioner.caption(walk)[0].text
