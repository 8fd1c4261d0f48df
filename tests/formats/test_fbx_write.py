"""FBX writer: our binary 7.4 re-read by ufbx (an independent FBX reader, run through the guarded
child process of fbx_read because its PyPI bindings crash when used in-process repeatedly)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from lamp_core.formats import write
from lamp_core.formats.bvh import MIXAMO_BVH_NAMES, SMPL_BVH_NAMES, prepare_for_export
from lamp_core.formats.fbx_binary import FOOT_MAGIC, MAGIC
from lamp_core.formats.fbx_read import probe, skeleton_nodes
from lamp_core.formats.skeleton_export import build
from lamp_core.motion.skeleton import PARENTS

pytest.importorskip("ufbx")


def world_of(info, names, frames) -> np.ndarray:
    """(len(frames), len(names), 3) world positions in metres from a probe."""
    idx = [list(info["names"]).index(n) for n in names]
    return info["world"][frames][:, idx] * float(info["unit_meters"])


def test_header_and_footer(walk, tmp_path):
    data = write(walk, tmp_path / "walk.fbx").read_bytes()
    assert data[:23] == MAGIC and struct.unpack("<I", data[23:27])[0] == 7400
    # footer as Blender/FBX SDK write it: version at a 16-byte boundary, 120 zeros, a fixed magic
    assert (len(data) - 140) % 16 == 0 and struct.unpack("<I", data[-140:-136])[0] == 7400
    assert data[-16:] == FOOT_MAGIC


@pytest.mark.parametrize("names", ["smpl", "mixamo"])
def test_skeleton_reads_back_in_ufbx(walk, tmp_path, names):
    path = write(walk, tmp_path / "walk.fbx", names=names)
    info = probe(path, walk.fps)
    label = SMPL_BVH_NAMES if names == "smpl" else MIXAMO_BVH_NAMES
    all_names = [str(n) for n in info["names"]]
    bones = skeleton_nodes(info["parents"], info["is_bone"], info["depth"])
    assert sorted(all_names[b] for b in bones) == sorted(label)
    for j, p in enumerate(PARENTS):
        parent = all_names[info["parents"][all_names.index(label[j])]]
        assert parent == ("LaMP_Skeleton" if p < 0 else label[p])
    assert str(info["up_axis"]) == "POSITIVE_Y" and float(info["unit_meters"]) == pytest.approx(0.01)
    assert float(info["file_fps"]) == 20.0
    assert float(info["end"]) - float(info["begin"]) == pytest.approx((walk.n_frames - 1) / walk.fps, abs=1e-6)
    assert len(info["world"]) == walk.n_frames
    frames = [0, 9, 33, walk.n_frames - 1]
    world = world_of(info, label, frames)
    assert np.linalg.norm(world - walk.joints[frames], axis=-1).max() < 0.01
    # between keys ufbx interpolates Euler angles; still close to the slerped pose
    mid = world_of(probe(path, 2 * walk.fps), label, [21])[0]
    assert np.linalg.norm(mid - walk.joints[10:12].mean(0), axis=-1).max() < 0.03


def test_options_fps_range_in_place(walk, tmp_path):
    path = write(walk, tmp_path / "w.fbx", fps=30.0, in_place=True, frame_range=(5, 45), rest="apose")
    expect = prepare_for_export(walk, 30.0, True, (5, 45), "apose")
    info = probe(path, 30.0)
    assert float(info["file_fps"]) == pytest.approx(30.0)
    assert len(info["world"]) == expect.n_frames
    frames = [0, 17, expect.n_frames - 1]
    world = world_of(info, SMPL_BVH_NAMES, frames)
    assert np.linalg.norm(world - expect.joints[frames], axis=-1).max() < 0.01


def test_skinned_body(walk, tmp_path):
    path = write(walk, tmp_path / "body.fbx", body=True)
    info = probe(path, walk.fps)
    sk = build(walk, body=True)
    assert list(info["mesh_vertices"]) == [len(sk.vertices)] and list(info["mesh_faces"]) == [len(sk.faces)]
    assert len(info["skin_clusters"]) == 1 and info["skin_clusters"][0] >= 22
    frames = [0, 25, 60]
    world = world_of(info, list(sk.names), frames)
    assert np.linalg.norm(world[:, :22] - walk.joints[frames], axis=-1).max() < 0.01


def test_read_back_our_own_fbx(walk, tmp_path):
    from lamp_core.formats import read
    m = read(write(walk, tmp_path / "walk.fbx", names="mixamo"))
    assert m.n_frames == walk.n_frames
    assert np.linalg.norm(m.joints - walk.on_floor().joints, axis=-1).max() < 0.01


def _parse(data: bytes, pos: int, end: int) -> list:
    """A minimal independent FBX 7.4 record parser: [(name, [(type, value)], children)]."""
    import zlib
    out = []
    while pos < end:
        stop, n_props, _ = struct.unpack_from("<3I", data, pos)
        if stop == 0:
            return out
        name_len = data[pos + 12]
        name = data[pos + 13:pos + 13 + name_len].decode()
        p = pos + 13 + name_len
        props = []
        for _ in range(n_props):
            t = chr(data[p])
            p += 1
            if t in "YCIFDL":
                fmt = {"Y": "<h", "C": "<?", "I": "<i", "F": "<f", "D": "<d", "L": "<q"}[t]
                props.append((t, struct.unpack_from(fmt, data, p)[0]))
                p += struct.calcsize(fmt)
            elif t in "SR":
                (n,) = struct.unpack_from("<I", data, p)
                props.append((t, data[p + 4:p + 4 + n]))
                p += 4 + n
            else:
                count, enc, n = struct.unpack_from("<3I", data, p)
                raw = data[p + 12:p + 12 + n]
                raw = zlib.decompress(raw) if enc else raw
                dt = {"f": "<f4", "d": "<f8", "l": "<i8", "i": "<i4", "b": "i1"}[t]
                props.append((t, np.frombuffer(raw, dtype=dt, count=count)))
                p += 12 + n
        out.append((name, props, _parse(data, p, stop) if p < stop else []))
        pos = stop
    return out


def test_independent_parse_ids_are_int64_and_offsets_nest(walk, tmp_path):
    data = write(walk, tmp_path / "body.fbx", body=True).read_bytes()
    top = _parse(data, 27, len(data))
    names = [n for n, _, _ in top]
    assert names[:2] == ["FBXHeaderExtension", "GlobalSettings"] and "Objects" in names and "Connections" in names
    objects = {n: c for n, _, c in top}["Objects"]
    ids = set()
    for name, props, _ in objects:
        assert props[0][0] == "L", f"{name} id must be an int64 (Blender asserts it)"
        ids.add(props[0][1])
    conns = {n: c for n, _, c in top}["Connections"]
    for _, props, _ in conns:
        assert [t for t, _ in props[:3]] == ["S", "L", "L"]
        assert props[1][1] in ids and (props[2][1] in ids or props[2][1] == 0)
    curves = [c for n, _, c in objects if n == "AnimationCurve"]
    key_time = {n: p for n, p, _ in curves[0]}["KeyTime"][0][1]
    assert np.array_equal(key_time, np.round(np.arange(walk.n_frames) / walk.fps * 46186158000).astype(np.int64))
    geo = {n: p for n, p, _ in next(c for n, _, c in objects if n == "Geometry")}
    pvi = geo["PolygonVertexIndex"][0][1]
    assert (pvi[2::3] < 0).all() and (pvi[0::3] >= 0).all()


def test_skinned_fbx_reads_back(walk, tmp_path):
    from lamp_core.formats import read
    m = read(write(walk, tmp_path / "body.fbx", body=True))
    assert m.n_frames == walk.n_frames
    assert np.linalg.norm(m.joints - walk.on_floor().joints, axis=-1).max() < 0.01
