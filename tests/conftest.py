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
