"""The motion library as a store: what goes in comes back out, survives reopening, and can be
renamed, re-captioned, filtered and removed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from lamp_core.errors import LampError
from lamp_core.formats import write
from lamp_core.library import LibraryItem, MotionLibrary
from lamp_core.library.codec import decode_motion, encode_motion
from lamp_core.motion import Motion
from tests.conftest import walking_motion


def test_add_get_round_trip(lib):
    walk = walking_motion(120, heading=0.7, turn_rate=0.3, fps=30.0, seed=4)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    cid = lib.add(walk, name="Park walk", captions=["a person walks in a curve", "  "], source="/mocap/walk.bvh",
                  license="CC-BY-4.0")
    clip = lib.get(cid)
    assert (clip.name, clip.source, clip.license) == ("Park walk", "/mocap/walk.bvh", "CC-BY-4.0")
    assert clip.captions == ("a person walks in a curve",)  # blank captions dropped
    assert (clip.frames, clip.fps) == (120, 30.0)
    added = datetime.fromisoformat(clip.added)
    assert added.utcoffset() == timedelta(0) and before <= added <= datetime.now(timezone.utc)
    back = lib.motion(cid)
    assert back.fps == 30.0 and back.joints.shape == walk.joints.shape
    assert np.abs(back.joints - walk.joints).max() < 1e-3  # float16-level tolerance (the codec keeps 0.05 mm)
    assert back.provenance.source == "/mocap/walk.bvh" and back.provenance.license == "CC-BY-4.0"
    assert back.provenance.caption == "a person walks in a curve"


def test_library_survives_reopening(tmp_path):
    path = tmp_path / "lib.lamplib"
    with MotionLibrary.open(path) as lib:
        ids = [lib.add(walking_motion(40, seed=s), name=f"walk {s}", captions=[f"take {s}"]) for s in range(3)]
        clips = lib.list()
    with MotionLibrary.open(path, create=False) as lib:
        assert len(lib) == 3 and lib.list() == clips
        assert np.abs(lib.motion(ids[2]).joints - walking_motion(40, seed=2).joints).max() < 1e-3


def test_default_names_come_from_the_source_or_the_id(lib):
    a = lib.add(walking_motion(20), source="/data/clips/Jog_Forward.bvh")
    b = lib.add(Motion(walking_motion(20).joints))  # no provenance at all
    c = lib.add(walking_motion(20), name="   ")
    assert lib.get(a).name == "Jog_Forward"
    assert lib.get(b).name == f"clip {b}"
    assert lib.get(c).name == "walking_motion"  # the motion's own provenance source
    lib.add(walking_motion(20), name="dup")
    lib.add(walking_motion(20), name="dup")  # names need not be unique
    assert [c.name for c in lib.list("dup")] == ["dup", "dup"]


def test_rename_captions_and_remove(lib):
    ids = lib.add_many([walking_motion(20, seed=s) for s in range(4)])
    lib.rename(ids[0], "  Hero walk ")
    lib.set_captions(ids[1], "one caption given as a string")
    lib.set_captions(ids[2], ["first", "second"])
    assert lib.get(ids[0]).name == "Hero walk"
    assert lib.get(ids[1]).captions == ("one caption given as a string",)
    assert lib.get(ids[2]).captions == ("first", "second")
    assert lib.remove([ids[1], ids[3], 9999]) == 2
    assert [c.id for c in lib.list()] == [ids[0], ids[2]] and len(lib) == 2
    with pytest.raises(LampError, match="no clip with id"):
        lib.get(ids[1])
    with pytest.raises(LampError, match="no clip with id"):
        lib.motion(ids[3])
    with pytest.raises(LampError, match="no clip with id"):
        lib.rename(ids[3], "gone")
    with pytest.raises(LampError, match="empty"):
        lib.rename(ids[0], " ")
    assert lib.remove(ids[0]) == 1 and lib.check() == []


def test_list_filters_by_name_or_caption_ignoring_case(lib):
    lib.add(walking_motion(20), name="Zombie shuffle", captions=["A slow walk"])
    lib.add(walking_motion(20), name="Sprint", captions=["someone runs fast", "Läufer rennt"])
    lib.add(walking_motion(20), name="Idle", captions=['says "hello" 👋'])
    assert [c.name for c in lib.list("WALK")] == ["Zombie shuffle"]
    assert [c.name for c in lib.list("zombie")] == ["Zombie shuffle"]
    assert [c.name for c in lib.list("LÄUFER")] == ["Sprint"]
    assert [c.name for c in lib.list('"hello" 👋')] == ["Idle"]
    assert [c.name for c in lib.list("%")] == []  # no SQL wildcards
    assert len(lib.list()) == len(lib.list("  ")) == 3
    assert [c.name for c in lib.list(limit=2)] == ["Zombie shuffle", "Sprint"]


def test_add_many_accepts_motions_items_and_dicts(lib):
    ids = lib.add_many([walking_motion(20), LibraryItem(walking_motion(20), name="item", captions=("x",)),
                        {"motion": walking_motion(20), "name": "dict", "license": "CC0"}], batch=2)
    assert [lib.get(i).name for i in ids[1:]] == ["item", "dict"] and lib.get(ids[2]).license == "CC0"
    with pytest.raises(LampError, match="motion"):
        lib.add_many([{"name": "no motion"}])
    with pytest.raises(LampError, match="expected a Motion"):
        lib.add_many(["not a motion"])
    assert len(lib) == 3


def test_add_files_reports_unreadable_files_and_adds_the_rest(lib, tmp_path, embedder):
    files = [write(walking_motion(30, seed=s), tmp_path / f"walk_{s}.bvh") for s in range(3)]
    (tmp_path / "broken.bvh").write_text("HIERARCHY\nROOT Hips\n{\n")
    (tmp_path / "notes.txt").write_text("not motion")
    seen = []
    ids, failed = lib.add_files([files[0], tmp_path / "broken.bvh", tmp_path / "missing.bvh", files[1], files[2]],
                                embedder=embedder, progress=lambda what, done, total: seen.append((done, total)))
    assert [lib.get(i).name for i in ids] == ["walk_0", "walk_1", "walk_2"]
    assert [p for p, _ in failed] == [str(tmp_path / "broken.bvh"), str(tmp_path / "missing.bvh")]
    assert all(reason for _, reason in failed)
    assert seen[-1] == (5, 5) and lib.stale(embedder) == []
    assert lib.get(ids[0]).source == str(files[0])
    # a folder: its readable files, sorted (the .txt is skipped, the broken file reported)
    more, failed = lib.add_files(tmp_path)
    assert len(more) == 3 and [p for p, _ in failed] == [str(tmp_path / "broken.bvh")]


def test_add_files_with_a_model_reports_clips_it_cannot_embed(lib, tmp_path, embedder):
    good = write(walking_motion(30), tmp_path / "good.npy")
    one_frame = tmp_path / "still.npy"
    np.save(one_frame, walking_motion(1).joints)  # readable, but too short for HumanML3D features
    ids, failed = lib.add_files([good, one_frame], embedder=embedder)
    assert len(ids) == 1 and failed[0][0] == str(one_frame) and "embed" in failed[0][1]
    ids, failed = lib.add_files(one_frame, embedder=embedder)  # alone in its batch
    assert ids == [] and [f for f, _ in failed] == [str(one_frame)]
    assert len(lib) == 1 and lib.stale(embedder) == []


@pytest.mark.parametrize("reach", [0.5, 10.0])  # within the fixed-point range of q16d, and beyond (f32z)
def test_motion_codec_is_compact_and_precise(reach):
    rng = np.random.default_rng(0)
    j = np.cumsum(rng.normal(0, 0.01, (300, 22, 3)), axis=0).astype(np.float32)
    j[:, 0] += np.linspace(0, 200, 300)[:, None]  # far from the origin
    j[:, 1:] = j[:, :1] + np.clip(j[:, 1:] - j[:, :1], -reach, reach)
    codec, blob = encode_motion(j)
    back = decode_motion(codec, blob, 300)
    assert codec == ("q16d" if reach < 3 else "f32z")
    assert back.dtype == np.float32 and np.abs(back - j).max() < 1e-4
    assert len(blob) < j.nbytes
    with pytest.raises(ValueError):
        decode_motion(codec, blob, 299)


def test_closed_library_says_so(tmp_path):
    lib = MotionLibrary.open(tmp_path / "a.lamplib")
    lib.close()
    with pytest.raises(LampError, match="closed"):
        len(lib)
