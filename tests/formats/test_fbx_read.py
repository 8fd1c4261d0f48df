"""FBX reader: the two real fixtures, our own files, and broken input (always a LampError naming the file)."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.errors import LampError
from lamp_core.formats import read, write
from lamp_core.formats.fbx_binary import MAGIC
from tests.conftest import shared_path

pytest.importorskip("ufbx")


def test_cmu_skeleton_only_fixture():
    m = read(shared_path("fixtures", "isaacgymenvs__07_01_cmu.fbx"))
    assert m.fps == 20.0 and m.n_frames == 52          # 2.63 s take sampled at 20 fps, T-pose frame dropped
    assert any("rest-pose frame" in n for n in m.provenance.notes)
    step = np.linalg.norm(np.diff(m.joints, axis=0), axis=-1).max(axis=1)
    assert step.max() < 0.4                             # no jump out of a T-pose
    assert any("mixamo-cgspeed" in n for n in m.provenance.notes)
    assert 1.5 < m.stature < 1.9
    head_up = m.joints[:, 15, 1] - m.joints[:, 0, 1]
    assert head_up.min() > 0.3                          # Y up
    travel = np.linalg.norm(m.joints[-1, 0, [0, 2]] - m.joints[0, 0, [0, 2]])
    assert 2.0 < travel < 6.0                           # CMU 07_01 is a walk
    feet = m.joints[:, [7, 8, 10, 11], 1].min(axis=1)
    assert feet.max() < 0.15 and m.joints[..., 1].min() == pytest.approx(0.0, abs=1e-6)


def test_blender_fixture_has_no_humanoid():
    path = shared_path("fixtures", "assimp__animation_with_skeleton.fbx")
    with pytest.raises(LampError, match=r"animation_with_skeleton\.fbx.*no humanoid skeleton"):
        read(path)


def test_still_pose_has_no_animation(walk, tmp_path):
    path = write(walk.trim(0, 1), tmp_path / "still.fbx")
    with pytest.raises(LampError, match="still.fbx.*no animation"):
        read(path)


@pytest.mark.parametrize("data,why", [
    (b"", "not an FBX"),
    (b"hello world, not a model", "not an FBX"),
    (MAGIC + (7400).to_bytes(4, "little"), "truncated"),
    (MAGIC + (9900).to_bytes(4, "little") + b"\x00" * 64, "version 9900"),
    (MAGIC + (7400).to_bytes(4, "little") + bytes(range(256)) * 8, "cannot read as FBX"),
])
def test_broken_files(tmp_path, data, why):
    path = tmp_path / "broken.fbx"
    path.write_bytes(data)
    with pytest.raises(LampError, match=rf"broken\.fbx.*{why}"):
        read(path)


def test_truncated_real_file(tmp_path, walk):
    data = write(walk, tmp_path / "w.fbx").read_bytes()
    path = tmp_path / "cut.fbx"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(LampError, match="cut.fbx"):
        read(path)


def test_skeleton_of_plain_nulls(walk, tmp_path):
    """Some exporters build the skeleton from Null nodes, not LimbNodes: still read."""
    from lamp_core.formats.fbx_binary import encode
    from lamp_core.formats.fbx_write import to_nodes
    from lamp_core.formats.skeleton_export import build
    nodes = to_nodes(build(walk))
    objects = next(n for n in nodes if n.name == "Objects")
    for o in objects.children:
        if o.name in ("Model", "NodeAttribute") and o.props[2] == "LimbNode":
            o.props[2] = "Null"
    path = tmp_path / "nulls.fbx"
    path.write_bytes(encode(nodes))
    m = read(path)
    assert np.linalg.norm(m.joints - walk.on_floor().joints, axis=-1).max() < 0.01


def test_namespaced_names_and_a_turned_armature(walk, tmp_path):
    """Mixamo-style 'mixamorig:' names under a root turned Z up (as Blender armatures often are)."""
    from lamp_core.formats.fbx_binary import encode
    from lamp_core.formats.fbx_write import to_nodes
    from lamp_core.formats.skeleton_export import build
    nodes = to_nodes(build(walk, names="mixamo"))
    objects = next(n for n in nodes if n.name == "Objects")
    for o in objects.children:
        if o.name == "Model" and o.props[2] == "LimbNode":
            o.props[1] = "mixamorig:" + o.props[1]
        if o.name == "Model" and o.props[2] == "Null":
            p70 = next(c for c in o.children if c.name == "Properties70")
            rot = next(c for c in p70.children if c.props[0] == "Lcl Rotation")
            rot.props[4:7] = [90.0, 0.0, 0.0]   # +Y -> +Z: the file's content now stands on Z
    path = tmp_path / "turned.fbx"
    path.write_bytes(encode(nodes))
    m = read(path)
    assert any("turned to +Y" in n for n in m.provenance.notes)
    assert any("mixamo" in n for n in m.provenance.notes)
    assert abs(m.stature - walk.stature) < 0.01
    assert (m.joints[:, 15, 1] - m.joints[:, 0, 1]).min() > 0.3
