"""Shared test fixtures: a synthetic walk (``walking_motion`` lives in lamp_core.data.synthetic and is
re-exported here for older imports), and real files from ../shared (skipped with a reason when that
folder is absent)."""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path

import pytest

from lamp_core.data.synthetic import walking_motion  # noqa: F401  (re-exported for tests)
from lamp_core.cli import main
from lamp_core.motion import Motion

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LAMP_SHARED", REPO.parent / "shared"))
CACHE = Path(tempfile.gettempdir()) / "lamp-test-cache"
# caches the code under test writes (code/condition caches of generator training) stay out of ~/.cache
os.environ["LAMP_CACHE"] = tempfile.mkdtemp(prefix="lamp-test-cache-")


@pytest.fixture
def walk() -> Motion:
    return walking_motion()


def shared_path(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent (real data lives in ../shared beside the repository)")
    return p


def sample_from_archive(archive: str, contains: str, n: int) -> list[Path]:
    """The first ``n`` .bvh members of a shared/data archive whose path contains ``contains``,
    extracted once into a cache folder (streamed: stops reading once it has them)."""
    src = shared_path("data", archive)
    dest = CACHE / archive.replace(".tar.xz", "") / contains.replace("/", "_")
    done = dest / ".done"
    if done.exists():
        return sorted(dest.rglob("*.bvh"))[:n]
    dest.mkdir(parents=True, exist_ok=True)
    got = 0
    with tarfile.open(src, "r|xz") as tar:
        for member in tar:
            if got >= n:
                break
            if member.isfile() and member.name.endswith(".bvh") and contains in member.name:
                f = tar.extractfile(member)
                out = dest / Path(member.name).name
                out.write_bytes(f.read())
                got += 1
    done.touch()
    return sorted(dest.rglob("*.bvh"))[:n]


# ---------------------------------------------------------------- tiny trained models (CLI tests)
# A tiny tokenizer, LaMP (all four losses) and baseline on the synthetic set, and generators conditioned on
# that LaMP put together as a bundle: shared by the model, generate and caption command tests.
def tiny_train(steps: int, warmup: int = 1, **extra) -> str:
    """A [train] table for tiny test runs: batch 8, evaluated and checkpointed once, at the end."""
    lines = [f"max_steps = {steps}", "batch_size = 8", f"warmup_steps = {warmup}", f"eval_every = {steps}",
             f"checkpoint_every = {steps}"] + [f"{k} = {v}" for k, v in extra.items()]
    return "[train]\n" + "\n".join(lines) + "\n"


TINY = tiny_train(3, log_every=1) + """
[model]
max_frames = 64
dropout = 0.0
conv = { width = 32, out_dim = 32, depth = 1 }
"""

TINY_VQ = tiny_train(3) + """
[model]
n_codes = 16
n_quantizers = 2
conv = { width = 32, out_dim = 32, depth = 1 }
"""

TINY_GEN = tiny_train(20, warmup=2) + """
[model]
width = 32
layers = 1
heads = 2
ff = 64
"""


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """The synthetic set; a tiny tokenizer; LaMP trained with it (all four losses) and the baseline."""
    root = tmp_path_factory.mktemp("cli")
    assert main(["data", "synthetic", "--out", str(root / "syn"), "--n", "40", "--quiet"]) == 0
    (root / "tiny.toml").write_text(TINY)
    (root / "vq.toml").write_text(TINY_VQ)
    assert main(["train", "vq", "--data", str(root / "syn"), "--out", str(root / "vq"),
                 "--config", str(root / "vq.toml")]) == 0
    assert main(["train", "lamp", "--data", str(root / "syn"), "--out", str(root / "lamp"),
                 "--config", str(root / "tiny.toml"), "--tokenizer", str(root / "vq" / "model")]) == 0
    assert main(["train", "baseline", "--data", str(root / "syn"), "--out", str(root / "baseline"),
                 "--config", str(root / "tiny.toml")]) == 0
    return root


@pytest.fixture(scope="session")
def tiny_lamp_bundle(tiny_models):
    """Generators (and a text -> key pose model) conditioned on the tiny_models LaMP's text features, put
    together as a bundle."""
    (tiny_models / "gen.toml").write_text(TINY_GEN)
    (tiny_models / "pose.toml").write_text(tiny_train(30, warmup=2) + "[model]\nhidden = 64\nlatent = 8\n")
    for kind, config in (("t2m", "gen"), ("residual", "gen"), ("pose", "pose")):
        assert main(["train", kind, "--data", str(tiny_models / "syn"), "--out", str(tiny_models / kind),
                     "--config", str(tiny_models / f"{config}.toml"), "--tokenizer", str(tiny_models / "vq" / "model"),
                     "--lamp", str(tiny_models / "lamp" / "model")]) == 0
    assert main(["bundle", "--out", str(tiny_models / "bundle"), "--lamp", str(tiny_models / "lamp" / "model"),
                 "--vq", str(tiny_models / "vq" / "model"), "--t2m", str(tiny_models / "t2m" / "model"),
                 "--residual", str(tiny_models / "residual" / "model"), "--pose", str(tiny_models / "pose" / "model")]) == 0
    return tiny_models / "bundle"
