"""The example library in assets/library: it opens read-only with vectors of the shipped model, `lamp
retrieve` and `lamp library list` search it while the user has no library, and nothing ever writes
to it (not searching, not `lamp library add`, which creates the user's own library instead)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lamp_core.cli import main
from lamp_core.errors import LampError
from lamp_core.library import MotionLibrary
from lamp_core.model_commands import DEFAULT_MODEL, SHIPPED_LIBRARY, default_library, library_to_read
from tests.conftest import walking_motion

pytestmark = pytest.mark.skipif(not (DEFAULT_MODEL / "model.json").is_file(), reason="no shipped LaMP model")


@pytest.fixture(scope="module")
def encoder():
    from lamp_core.retrieval import LaMPEncoder
    return LaMPEncoder.load(DEFAULT_MODEL)


@pytest.fixture
def no_user_library(tmp_path, monkeypatch):
    """A fresh install: XDG_DATA_HOME is an empty folder and LAMP_LIBRARY is unset."""
    monkeypatch.delenv("LAMP_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert not default_library().exists()
    return tmp_path


def _snapshot() -> tuple:
    """Everything that would show a write: the folder's files, the file's bytes, size and mtime."""
    st = SHIPPED_LIBRARY.stat()
    digest = hashlib.sha256(SHIPPED_LIBRARY.read_bytes()).hexdigest()
    return sorted(p.name for p in SHIPPED_LIBRARY.parent.iterdir()), digest, st.st_size, st.st_mtime_ns


def test_the_shipped_library_is_small_whole_and_embedded_by_the_shipped_model(encoder):
    assert SHIPPED_LIBRARY.stat().st_size <= 4_000_000
    assert SHIPPED_LIBRARY.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: an immutable reader sees all
    with MotionLibrary.open(SHIPPED_LIBRARY, read_only=True) as lib:
        n = len(lib)
        assert 250 <= n <= 500 and lib.check() == []
        assert lib.models() == {encoder.model_id: n} and lib.stale(encoder) == []
        clips = lib.list()
        assert all(c.captions and c.license and c.source for c in clips)
        names = {c.name for c in clips}
        assert names == set((SHIPPED_LIBRARY.parent / "ids.txt").read_text().split())
        assert not any(name.startswith("M") for name in names)  # no mirrored copies
        assert {n.split("_")[0] for n in names} >= {"bn1", "bn2", "cmu", "idle"}  # every source
        some = clips[:: max(1, n // 6)]
        fresh = encoder.embed_motions([lib.motion(c.id) for c in some])
        for c, v in zip(some, fresh):  # the stored vectors are this model's: each clip finds itself
            hit = lib.search_vector(encoder.model_id, v, top=1)[0]
            assert hit.clip.id == c.id and hit.score == pytest.approx(1.0, abs=1e-3)


def test_the_shipped_library_refuses_changes_and_other_models(make_embedder):
    before = _snapshot()
    with MotionLibrary.open(SHIPPED_LIBRARY, read_only=True) as lib:
        for change in (lambda: lib.add(walking_motion(20)), lambda: lib.rename(1, "x"), lambda: lib.remove(1)):
            with pytest.raises(LampError, match="read-only"):
                change()
        with pytest.raises(LampError, match="read-only.*lamp library add"):  # re-embedding would write
            lib.search_text(make_embedder(), "a person walks", auto_embed=True)
    assert _snapshot() == before


def test_retrieve_without_a_library_searches_the_shipped_one_untouched(no_user_library, capsys):
    assert library_to_read(None) == (SHIPPED_LIBRARY, True)
    before = _snapshot()
    assert main(["retrieve", "a person bows", "--top", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"searched {SHIPPED_LIBRARY}") and "read-only" in out[0]
    assert sum("bow" in line for line in out[1:6]) >= 2, out
    assert main(["retrieve", "a person bows", "--top", "5", "--json"]) == 0
    captured = capsys.readouterr()
    hits = json.loads(captured.out)  # the note about which library goes to stderr
    assert str(SHIPPED_LIBRARY) in captured.err and any("bow" in h["captions"][0] for h in hits)
    assert main(["library", "list", "bow"]) == 0
    assert str(SHIPPED_LIBRARY) in capsys.readouterr().out
    assert _snapshot() == before
    assert not (no_user_library / "data").exists()  # reading created nothing for the user either


def test_library_add_creates_the_users_library_and_leaves_the_shipped_file(no_user_library, monkeypatch, capsys):
    from lamp_core.formats import write
    clip = write(walking_motion(60), no_user_library / "my walk.bvh")
    with MotionLibrary.open(SHIPPED_LIBRARY, read_only=True) as lib:
        shipped = len(lib)
    before = _snapshot()
    assert main(["library", "add", str(clip)]) == 0
    assert "as a copy of the shipped example library" in capsys.readouterr().out
    mine = default_library()
    with MotionLibrary.open(mine, create=False) as lib:
        assert len(lib) == shipped + 1 and lib.stale(lib.models().popitem()[0]) == []
    assert main(["retrieve", "a person walks", "--top", "3"]) == 0
    assert capsys.readouterr().out.startswith(f"searched {mine} ({shipped + 1} clips)")
    monkeypatch.setenv("LAMP_LIBRARY", str(no_user_library / "other" / "empty.sqlite"))
    assert main(["library", "add", "--empty", str(clip)]) == 0
    with MotionLibrary.open(default_library(), create=False) as lib:
        assert [c.name for c in lib.list()] == ["my walk"]
    assert _snapshot() == before


def test_an_explicit_library_never_falls_back(no_user_library):
    missing = no_user_library / "none.sqlite"
    assert library_to_read(str(missing)) == (Path(missing), False)
    assert main(["retrieve", "walk", "--library", str(missing)]) == 1
