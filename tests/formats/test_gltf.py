"""glTF/GLB writer: re-read with pygltflib and trimesh, recompute world joints from the node TRS."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from lamp_core.formats import read, write
from lamp_core.formats.bvh import SMPL_BVH_NAMES, prepare_for_export
from lamp_core.motion.rotations import quat_to_matrix

pygltflib = pytest.importorskip("pygltflib")


def _accessor(doc, i: int) -> np.ndarray:
    acc = doc.accessors[i]
    view = doc.bufferViews[acc.bufferView]
    dtype = {5126: np.float32, 5123: np.uint16, 5125: np.uint32, 5121: np.uint8}[acc.componentType]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}[acc.type]
    blob = doc.binary_blob()
    if blob is None:  # .gltf: the buffer is a base64 data URI
        blob = base64.b64decode(doc.buffers[0].uri.split(",", 1)[1])
    raw = blob[view.byteOffset + (acc.byteOffset or 0):][:acc.count * width * np.dtype(dtype).itemsize]
    return np.frombuffer(raw, dtype=dtype).reshape(acc.count, width)


def _animation(doc) -> tuple[dict, dict, dict]:
    """Per node: rotation keys, translation keys; and each node's parent."""
    anim = doc.animations[0]
    rot, trans = {}, {}
    for ch in anim.channels:
        out = _accessor(doc, anim.samplers[ch.sampler].output)
        (rot if ch.target.path == "rotation" else trans)[ch.target.node] = out
    return rot, trans, {c: i for i, n in enumerate(doc.nodes) for c in (n.children or [])}


def world_from_gltf(doc, frames) -> tuple[list[str], np.ndarray]:
    """Joint names and (len(frames), J, 3) world positions from node TRS + the animation's keys."""
    skin = doc.skins[0]
    rot, trans, parent = _animation(doc)
    out = np.zeros((len(frames), len(skin.joints), 3))
    for k, f in enumerate(frames):
        G, P = {}, {}
        for col, n in enumerate(skin.joints):  # joints are listed parents first
            node = doc.nodes[n]
            t = trans[n][f] if n in trans else np.array(node.translation or [0, 0, 0])
            R = quat_to_matrix(rot[n][f][[3, 0, 1, 2]]) if n in rot else np.eye(3)
            if n in parent:
                p = parent[n]
                G[n], P[n] = G[p] @ R, P[p] + G[p] @ t
            else:
                G[n], P[n] = R, t
            out[k, col] = P[n]
    return [doc.nodes[n].name for n in skin.joints], out


@pytest.mark.parametrize("suffix", [".glb", ".gltf"])
def test_skinned_glb_round_trip(walk, tmp_path, suffix):
    path = write(walk, tmp_path / f"walk{suffix}")
    doc = pygltflib.GLTF2().load(str(path))
    names, world = world_from_gltf(doc, [0, 17, 40, walk.n_frames - 1])
    assert names[:22] == list(SMPL_BVH_NAMES) and len(names) == 24
    assert len(doc.animations) == 1 and len(doc.meshes) == 1
    anim = doc.animations[0]
    assert len(anim.channels) == 25  # 24 rotations + root translation
    times = doc.accessors[anim.samplers[0].input]
    assert times.count == walk.n_frames and times.max[0] == pytest.approx((walk.n_frames - 1) / walk.fps)
    prim = doc.meshes[0].primitives[0]
    assert doc.accessors[prim.attributes.POSITION].count == doc.accessors[prim.attributes.JOINTS_0].count
    assert doc.accessors[doc.skins[0].inverseBindMatrices].count == 24
    err = np.linalg.norm(world[:, :22] - walk.joints[[0, 17, 40, walk.n_frames - 1]], axis=-1).max()
    assert err < 0.01
    w = _accessor(doc, prim.attributes.WEIGHTS_0)
    assert np.allclose(w.sum(1), 1.0, atol=1e-5)


def test_trimesh_sees_the_skinned_mesh(walk, tmp_path):
    trimesh = pytest.importorskip("trimesh")
    path = write(walk, tmp_path / "walk.glb")
    scene = trimesh.load(str(path), force="scene")
    meshes = list(scene.geometry.values())
    assert len(meshes) == 1 and len(meshes[0].vertices) > 1000 and len(meshes[0].faces) > 1000
    assert 1.5 < np.ptp(meshes[0].vertices[:, 1]) < 2.0  # a person, in metres, Y up


def test_skeleton_only_options(walk, tmp_path):
    opts = {"fps": 30.0, "in_place": True, "frame_range": (10, 50)}
    path = write(walk, tmp_path / "bones.glb", body=False, **opts)
    doc = pygltflib.GLTF2().load(str(path))
    assert not doc.meshes and len(doc.nodes) == 22
    expect = prepare_for_export(walk, 30.0, True, (10, 50))
    n = doc.accessors[doc.animations[0].samplers[0].input].count
    assert n == expect.n_frames == 59
    frames = [0, 13, n - 1]
    _, world = world_from_gltf(doc, frames)
    assert np.linalg.norm(world - expect.joints[frames], axis=-1).max() < 0.01


@pytest.mark.parametrize("suffix,body", [(".glb", True), (".glb", False), (".gltf", True)])
def test_read_back(walk, tmp_path, suffix, body):
    from lamp_core.formats import readable_suffixes, writable_suffixes
    assert suffix in readable_suffixes() and suffix in writable_suffixes()
    back = read(write(walk, tmp_path / f"w{suffix}", body=body, names="mixamo"))
    assert back.n_frames == walk.n_frames
    assert np.linalg.norm(back.joints - walk.on_floor().joints, axis=-1).max() < 0.01


@pytest.mark.parametrize("name,data,why", [
    ("a.glb", b"", "not a GLB"),
    ("a.glb", b"glTF\x02\x00\x00\x00garbage", "cannot read as glTF"),
    ("a.gltf", b"not json", "not a glTF"),
    ("a.gltf", b'{"asset": {"version": "2.0"}, "nodes": []}', "no skeleton"),
])
def test_read_broken(tmp_path, name, data, why):
    from lamp_core.errors import LampError
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LampError, match=rf"{name}.*{why}"):
        read(path)


def test_skinning_data_poses_the_body(walk, tmp_path):
    """Linear blend skinning from the file alone (IBMs, JOINTS_0/WEIGHTS_0, animated nodes) gives the
    body the viewport draws, up to its pose correctives."""
    from dataclasses import replace

    from lamp_core.body.model import load_body
    from lamp_core.motion.rotations import quat_to_matrix as q2m
    doc = pygltflib.GLTF2().load(str(write(walk, tmp_path / "w.glb")))
    prim = doc.meshes[0].primitives[0]
    V = _accessor(doc, prim.attributes.POSITION).astype(np.float64)
    Jn = _accessor(doc, prim.attributes.JOINTS_0).astype(int)
    W = _accessor(doc, prim.attributes.WEIGHTS_0).astype(np.float64)
    ibm = _accessor(doc, doc.skins[0].inverseBindMatrices).reshape(-1, 4, 4).transpose(0, 2, 1)
    rot, trans, parent = _animation(doc)
    f = 30
    G = {}
    for n in doc.skins[0].joints:
        M = np.eye(4)
        M[:3, :3] = q2m(rot[n][f][[3, 0, 1, 2]])
        M[:3, 3] = trans[n][f] if n in trans else doc.nodes[n].translation
        G[n] = G[parent[n]] @ M if n in parent else M
    skin = np.stack([G[n] @ ibm[k] for k, n in enumerate(doc.skins[0].joints)])   # (J, 4, 4)
    Vh = np.concatenate([V, np.ones((len(V), 1))], axis=1)
    posed = np.einsum("vk,vkab,vb->va", W, skin[Jn], Vh)[:, :3]
    body = load_body()
    plain = replace(body, posedirs=None)
    ours = plain.skin(plain.rig(walk).at(f))[0]
    assert np.abs(posed - ours).max() < 1e-3
    assert np.abs(posed - body.pose(walk)[f]).max() < 0.05   # the correctives move a few cm at most
