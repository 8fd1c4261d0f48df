"""What ships in assets/: a default model that loads with no argument and generates, an example library
embedded by that model, an evaluator for comparable numbers, a model card, and all of it within budget."""

from __future__ import annotations

import json

import pytest

from lamp_core.assets import ASSETS, DEFAULT_BUNDLE, SHIPPED_LIBRARY
from lamp_core.engine import Engine
from lamp_core.generation.bundle import read_bundle

pytestmark = pytest.mark.skipif(not (DEFAULT_BUNDLE / "bundle.json").is_file(), reason="no shipped model")


def test_assets_stay_within_the_40_mb_budget():
    size = sum(p.stat().st_size for p in ASSETS.rglob("*") if p.is_file())
    assert size <= 40e6, f"assets/ holds {size / 1e6:.1f} MB"


def test_engine_load_with_no_argument_is_the_shipped_model():
    engine = Engine.load()
    meta = json.loads((DEFAULT_BUNDLE / "bundle.json").read_text())
    assert engine.name == meta["name"]
    motion = engine.generate("a person walks forward", seconds=2.0, seed=0)[0]
    assert motion.joints.shape[1:] == (22, 3) and motion.n_frames >= 38


def test_the_bundle_carries_captioners_and_its_own_evaluator():
    _, parts = read_bundle(DEFAULT_BUNDLE)
    assert {"lamp", "vq", "t2m", "residual", "length", "pose", "captioner", "caption-baseline",
            "evaluator"} <= set(parts)


def test_model_card_says_non_commercial_with_attribution():
    card = (DEFAULT_BUNDLE / "MODEL_CARD.md").read_text()
    assert "non-commercial" in card and "Bandai Namco" in card and "CC BY-NC 4.0" in card
    assert "lamp eval" in card


def test_the_example_library_ships_beside_the_model():
    assert SHIPPED_LIBRARY.is_file()
