"""The training recipes in configs/ that the README and the model card tell people to run: each one must
load as a run config of its model kind, and the CPU and GPU recipe folders must cover every stage of
`lamp train all`, so a retrain does not stop on a typo hours in."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamp_core.train.all_stages import STAGE_NAMES
from lamp_core.train.run_config import KINDS, load_run

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
SHIPPED = sorted(CONFIGS.rglob("*.toml"))


def kind_of(path: Path) -> str:
    """`lamp-cpu.toml` and `captioner-final.toml` are recipes for the lamp and captioner kinds."""
    name = path.stem
    for suffix in ("-cpu", "-final"):
        name = name.removesuffix(suffix)
    return name


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(CONFIGS)))
def test_every_shipped_recipe_loads_as_its_kind(path):
    kind = kind_of(path)
    assert kind in KINDS, f"{path.name}: no model kind {kind!r}"
    run = load_run(kind, path)
    assert run.train.max_steps > 0 and run.train.batch_size > 0


@pytest.mark.parametrize("folder", ["cpu", "gpu"])
def test_train_all_recipes_cover_every_stage(folder):
    missing = [s for s in STAGE_NAMES if not (CONFIGS / folder / f"{s}.toml").is_file()]
    assert not missing, f"configs/{folder} has no recipe for {missing}"
