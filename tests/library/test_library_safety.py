"""The library never loses or half-writes a clip, and refuses files that are not libraries (or are
from a newer version) without touching them."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from lamp_core.errors import LampError
from lamp_core.library import MotionLibrary
from lamp_core.library import schema as schema_module
from tests.conftest import walking_motion

REPO = Path(__file__).resolve().parents[2]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_whole(path: Path, model_id: str | None = None) -> int:
    """Open the library and check every clip is complete; returns how many there are."""
    with MotionLibrary.open(path, create=False) as lib:
        assert lib.check() == []
        for clip in lib.list():
            m = lib.motion(clip.id)
            assert m.n_frames == clip.frames and np.isfinite(m.joints).all()
        if model_id:
            assert lib.stale(model_id) == []
        return len(lib)


def test_a_failing_model_keeps_the_batches_already_committed(lib, make_embedder):
    class FailsOnSecondBatch(make_embedder):
        calls = 0

        def embed_motions(self, motions):
            self.calls += 1
            if self.calls == 2:
                raise RuntimeError("GPU fell over")
            return super().embed_motions(motions)

    model = FailsOnSecondBatch()
    with pytest.raises(RuntimeError, match="GPU fell over"):
        lib.add_many((walking_motion(30, seed=s) for s in range(10)), embedder=model, batch=4)
    assert len(lib) == 4 and lib.stale(model) == []
    lib.close()
    assert _assert_whole(lib.path, model.model_id) == 4


def test_a_failing_batch_leaves_nothing_behind(lib):
    lib.add(walking_motion(20))
    with pytest.raises(LampError):
        lib.add_many([walking_motion(20), walking_motion(20), "oops"], batch=10)
    assert len(lib) == 1 and lib.check() == []


_CHILD = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {repo!r})
    from lamp_core.library import MotionLibrary
    from lamp_core.data.synthetic import walking_motion
    from tests.library.conftest import StandInEmbedder

    die_in_batch = int(sys.argv[2])  # 0: never (the parent kills us instead)
    lib = MotionLibrary.open(sys.argv[1])
    model = StandInEmbedder()
    for i in range(10_000):
        if i + 1 == die_in_batch:
            con = lib._con  # die in the middle of an INSERT, inside the batch's transaction
            con.set_progress_handler(lambda: os._exit(3) if con.in_transaction else 0, 200)
        lib.add_many([walking_motion(30, seed=i * 5 + k) for k in range(5)], embedder=model, batch=5)
        print(len(lib), flush=True)
""")


def _child(tmp_path: Path, die_in_batch: int) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(_CHILD.format(repo=str(REPO)))
    return subprocess.Popen([sys.executable, str(script), str(tmp_path / "lib.lamplib"), str(die_in_batch)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_process_dying_inside_a_transaction_keeps_only_whole_clips(tmp_path):
    proc = _child(tmp_path, die_in_batch=3)  # 2 batches of 5 committed, dies writing the 3rd
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err
    assert out.split() == ["5", "10"]
    assert _assert_whole(tmp_path / "lib.lamplib", "stand-in-v1") == 10


def test_process_killed_mid_add_keeps_only_whole_clips(tmp_path):
    proc = _child(tmp_path, die_in_batch=0)
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 15 and time.monotonic() < deadline:  # let it commit a few batches first
        seen = int(proc.stdout.readline() or 0)
    time.sleep(0.05)  # then kill it at an arbitrary point, most likely mid-batch
    proc.kill()
    proc.wait()
    n = _assert_whole(tmp_path / "lib.lamplib", "stand-in-v1")
    assert n >= 15 and n % 5 == 0  # whole batches only


def _library_file(tmp_path: Path) -> Path:
    path = tmp_path / "real.lamplib"
    with MotionLibrary.open(path) as lib:
        lib.add_many([walking_motion(40, seed=s) for s in range(20)])
    return path


def _truncated(tmp_path: Path) -> Path:
    path = _library_file(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


def _foreign(tmp_path: Path) -> Path:
    path = tmp_path / "bookmarks.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE bookmarks (url TEXT, title TEXT)")
    con.execute("INSERT INTO bookmarks VALUES ('https://example.org', 'Example')")
    con.commit()
    con.close()
    return path


def _foreign_wal(tmp_path: Path) -> Path:
    path = _foreign(tmp_path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
    return path


def _newer(tmp_path: Path) -> Path:
    path = _library_file(tmp_path)
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {schema_module.SCHEMA_VERSION + 1}")
    con.close()
    return path


def _random(tmp_path: Path) -> Path:
    path = tmp_path / "noise.lamplib"
    path.write_bytes(np.random.default_rng(0).bytes(50_000))
    return path


def _header_only(tmp_path: Path) -> Path:
    path = tmp_path / "short.lamplib"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20)
    return path


@pytest.mark.parametrize("make, message", [
    (_random, "not an SQLite database"),
    (_header_only, "damaged"),
    (_truncated, "damaged"),
    (_foreign, "another program"),
    (_foreign_wal, "another program"),
    (_newer, "made by a newer LaMP Studio"),
])
def test_files_that_are_not_our_libraries_are_refused_untouched(tmp_path, make, message):
    path = make(tmp_path)
    before = _digest(path)
    for create in (True, False):
        with pytest.raises(LampError, match=message) as e:
            MotionLibrary.open(path, create=create)
        assert str(path) in str(e.value)
    assert _digest(path) == before


def test_an_empty_file_becomes_a_library(tmp_path):
    path = tmp_path / "new.lamplib"
    path.touch()
    with MotionLibrary.open(path) as lib:
        lib.add(walking_motion(20))
    assert _assert_whole(path) == 1


def test_missing_library_without_create(tmp_path):
    with pytest.raises(LampError, match="no motion library") as e:
        MotionLibrary.open(tmp_path / "nope.lamplib", create=False)
    assert "nope.lamplib" in str(e.value) and not (tmp_path / "nope.lamplib").exists()
    with pytest.raises(LampError, match="does not exist"):
        MotionLibrary.open(tmp_path / "no" / "folder.lamplib")
    with pytest.raises(LampError, match="is a folder"):
        MotionLibrary.open(tmp_path)


def test_read_only_locations_are_refused_with_the_reason(tmp_path, monkeypatch):
    existing = _library_file(tmp_path)
    real_access = os.access
    monkeypatch.setattr(schema_module.os, "access",  # root ignores permissions, so pretend
                        lambda p, mode: False if mode & os.W_OK else real_access(p, mode))
    with pytest.raises(LampError, match="cannot create a library there.*read-only") as e:
        MotionLibrary.open(tmp_path / "new.lamplib")
    assert "new.lamplib" in str(e.value) and not (tmp_path / "new.lamplib").exists()
    with pytest.raises(LampError, match="read-only"):
        MotionLibrary.open(existing)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_folder_for_real(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(LampError, match="read-only"):
            MotionLibrary.open(folder / "new.lamplib")
    finally:
        folder.chmod(0o755)
