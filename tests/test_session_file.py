"""lamp_core.session_file: a session round-trips exactly, is written atomically, and a hostile or damaged
file is a LampError (never unpickled)."""

import io
import json
import zipfile

import numpy as np
import pytest

from lamp_core.errors import LampError
from lamp_core.motion import Motion
from lamp_core.motion.motion import Provenance
from lamp_core.session_file import SessionClip, SessionData, load_session, save_session


def test_round_trip_is_exact(walk, tmp_path):
    m2 = Motion(walk.joints[:30] + 1.0, 30.0, Provenance(prompt="jump", seed=5, model="m", notes=("a", "b")))
    caps = ({"start": 0.0, "end": 1.0, "captions": [{"text": "a person jumps.", "score": -0.25}]},)
    data = SessionData((SessionClip("walk", walk), SessionClip("jump", m2, caps, "g1")), {"current": 1, "prompt": "x"})
    out = save_session(tmp_path / "s.lampsession", data)
    back = load_session(out)
    assert back.state == data.state
    for a, b in zip(data.clips, back.clips):
        assert (a.name, a.captions, a.group) == (b.name, b.captions, b.group)
        assert np.array_equal(a.motion.joints, b.motion.joints) and a.motion.fps == b.motion.fps
        assert a.motion.provenance == b.motion.provenance


def test_saving_over_a_file_is_atomic(walk, tmp_path, monkeypatch):
    path = save_session(tmp_path / "s.lampsession", SessionData((SessionClip("walk", walk),)))
    good = path.read_bytes()
    monkeypatch.setattr("lamp_core.formats.atomic.os.replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        save_session(path, SessionData(()))
    assert path.read_bytes() == good and [p.name for p in tmp_path.iterdir()] == ["s.lampsession"]


def _with_member(tmp_path, walk, name, payload):
    path = save_session(tmp_path / "s.lampsession", SessionData((SessionClip("walk", walk),)))
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members[name] = payload
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    return path


@pytest.mark.parametrize("case", ["pickle", "wrong shape", "nan", "bad json", "wrong format", "newer"])
def test_bad_files_are_lamp_errors(walk, tmp_path, case):
    if case == "pickle":
        buf = io.BytesIO()
        np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
        path = _with_member(tmp_path, walk, "motions/00000.npy", buf.getvalue())
    elif case in ("wrong shape", "nan"):
        arr = np.zeros((5, 3), np.float32) if case == "wrong shape" else np.full((5, 22, 3), np.nan, np.float32)
        buf = io.BytesIO()
        np.save(buf, arr)
        path = _with_member(tmp_path, walk, "motions/00000.npy", buf.getvalue())
    elif case == "bad json":
        path = _with_member(tmp_path, walk, "session.json", b"{not json")
    else:
        meta = {"format": "other" if case == "wrong format" else "lamp-session", "version": 99, "clips": []}
        path = _with_member(tmp_path, walk, "session.json", json.dumps(meta).encode())
    with pytest.raises(LampError, match="s.lampsession"):
        load_session(path)


def test_not_a_file(tmp_path):
    with pytest.raises(LampError, match="folder"):
        load_session(tmp_path)
    with pytest.raises(LampError, match="no such"):
        load_session(tmp_path / "missing.lampsession")
