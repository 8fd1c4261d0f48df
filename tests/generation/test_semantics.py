"""What anyone can see in a generated motion, checked on a trained bundle (the shipped default model,
or $LAMP_TEST_BUNDLE): walking moves forward on alternating feet, waving the right hand raises the
right wrist over the shoulder again and again while the left stays low, bowing drops the head and
brings it back. Skipped, with the reason, where no trained bundle exists."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from lamp_core.engine import Engine
from lamp_core.motion.skeleton import JOINT_INDEX

REPO = Path(__file__).resolve().parents[2]
BUNDLE = Path(os.environ.get("LAMP_TEST_BUNDLE", REPO / "assets" / "models" / "default"))
SEEDS = (0, 1, 2)

pytestmark = pytest.mark.skipif(not (BUNDLE / "bundle.json").is_file(),
                                reason=f"no trained model bundle at {BUNDLE} (set LAMP_TEST_BUNDLE)")

J = JOINT_INDEX


@pytest.fixture(scope="module")
def engine():
    return Engine.load(BUNDLE)


def _most(checks) -> bool:
    """A sampled model may miss once; two of three seeds must show it."""
    return sum(bool(c) for c in checks) >= 2


def _walks_forward(j: np.ndarray) -> bool:
    travel = np.linalg.norm(j[-1, 0, [0, 2]] - j[0, 0, [0, 2]])
    # alternating feet: which ankle is lower switches several times
    lower_left = j[:, J["left_ankle"], 1] < j[:, J["right_ankle"], 1]
    switches = int(np.count_nonzero(np.diff(lower_left.astype(int))))
    return travel > 1.0 and switches >= 3


def test_walking_moves_forward_on_alternating_feet(engine):
    ms = [engine.generate("a person walks forward", seconds=4.0, seed=s)[0].joints for s in SEEDS]
    assert _most(_walks_forward(j) for j in ms), [float(np.linalg.norm(j[-1, 0, [0, 2]] - j[0, 0, [0, 2]])) for j in ms]


def _waves_right(j: np.ndarray) -> bool:
    up = j[:, J["right_wrist"], 1] > j[:, J["right_shoulder"], 1]
    left_low = (j[:, J["left_wrist"], 1] < j[:, J["left_shoulder"], 1]).mean() > 0.9
    # repeatedly: the raised wrist swings side to side (several turns of its sideways velocity)
    x = j[up, J["right_wrist"]] - j[up, J["right_elbow"]]
    turns = int(np.count_nonzero(np.diff(np.sign(np.diff(x[:, 0]))))) if len(x) > 3 else 0
    return up.mean() > 0.3 and left_low and turns >= 2


def test_waving_the_right_hand_raises_the_right_wrist_repeatedly(engine):
    ms = [engine.generate("a person waves the right hand", seconds=4.0, seed=s)[0].joints for s in SEEDS]
    assert _most(_waves_right(j) for j in ms)


def _bows(j: np.ndarray) -> bool:
    """The head drops by more than 10 cm and rises again by more than 7 cm. Calibrated on the corpus'
    15 real Bandai-Namco bows: their drops run from 7 cm (proud) through 18 cm (normal) to 47 cm
    (childish), and 14 of the 15 pass (15 cm, the first threshold tried, failed 4 of them)."""
    head = j[:, J["head"], 1]  # head height above the floor
    start, low, end = head[:5].mean(), head.min(), head[-5:].mean()
    return start - low > 0.10 and end - low > 0.07


def _bow_drops(engine, guidance=None):
    seeds = range(6)   # a bow is sampled less reliably than a walk: most of six seeds must show it
    ms = [engine.generate("a person bows", seconds=3.0, seed=s, guidance=guidance)[0].joints for s in seeds]
    return sum(_bows(j) for j in ms), [round(float(j[:5, J["head"], 1].mean() - j[:, J["head"], 1].min()), 3)
                                       for j in ms]


def test_bowing_drops_the_head_and_comes_back_with_the_guidance_turned_up(engine):
    """Guidance 3 (the prompt panel's slider) gives full bows; it is not the default because it also
    pulls styled walks ("walks forward happily") into bows."""
    passed, drops = _bow_drops(engine, guidance=3.0)
    assert passed > 3, drops


@pytest.mark.xfail(strict=True, reason="at the shipped guidance (1.5) lamp-studio-cpu-2026-12 bows shallowly: "
                   "the head drops 4-10 cm, under the 10 cm of the real bows (the captioner still calls them bows)")
def test_bowing_drops_the_head_and_comes_back(engine):
    passed, drops = _bow_drops(engine)
    assert passed > 3, drops


def test_only_bowing_passes_the_bow_check(engine):
    for text in ("a person walks forward", "a person waves the right hand", "a person raises both arms"):
        assert not any(_bows(engine.generate(text, seconds=3.0, seed=s)[0].joints) for s in SEEDS), text
