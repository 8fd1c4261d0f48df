"""glTF 2.0 / GLB in: a humanoid skin's joints (or, without a skin, every node) animated by the
file's longest animation, sampled at the output frame rate and retargeted like BVH and FBX.

Why pure Python (pygltflib + numpy): glTF is JSON plus typed arrays, so there is no native code to
guard; accessors are decoded here (strides, normalised integers, data URIs, .bin files beside the
file, CUBICSPLINE's value triples). glTF is metres and Y up by definition.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from ..errors import MotionFormatError
from ..motion.motion import HML3D_FPS, Motion
from .fbx_read import skeleton_to_motion

_DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}


def _load(path: Path):
    import pygltflib
    if not path.is_file():
        raise MotionFormatError(path, "file not found" if not path.exists() else "is not a file")
    with open(path, "rb") as f:
        head = f.read(4)
    if path.suffix.lower() == ".glb" and head != b"glTF":
        raise MotionFormatError(path, "not a GLB file (no 'glTF' magic)")
    if path.suffix.lower() == ".gltf" and not head.lstrip().startswith(b"{"):
        raise MotionFormatError(path, "not a glTF file (expected JSON)")
    try:
        doc = pygltflib.GLTF2().load(str(path))
    except Exception as e:  # noqa: BLE001  pygltflib raises assorted errors for broken JSON / chunks
        raise MotionFormatError(path, f"cannot read as glTF: {e}") from None
    if doc is None:
        raise MotionFormatError(path, "cannot read as glTF")
    return doc


def _buffer(doc, path: Path, i: int, cache: dict) -> bytes:
    if i not in cache:
        uri = doc.buffers[i].uri
        if uri is None:
            cache[i] = doc.binary_blob() or b""
        elif uri.startswith("data:"):
            cache[i] = base64.b64decode(uri.split(",", 1)[1])
        else:
            f = (path.parent / uri).resolve()
            if not f.is_file():
                raise MotionFormatError(path, f"buffer file {uri} is missing")
            cache[i] = f.read_bytes()
    return cache[i]


def accessor(doc, path: Path, i: int, cache: dict) -> np.ndarray:
    """(count, width) float64 values of accessor ``i``."""
    acc = doc.accessors[i]
    dt, width = np.dtype(_DTYPES[acc.componentType]), _WIDTH[acc.type]
    if acc.bufferView is None:
        return np.zeros((acc.count, width))
    view = doc.bufferViews[acc.bufferView]
    data = _buffer(doc, path, view.buffer, cache)
    start = (view.byteOffset or 0) + (acc.byteOffset or 0)
    stride = view.byteStride or dt.itemsize * width
    need = start + stride * (acc.count - 1) + dt.itemsize * width if acc.count else start
    if need > len(data):
        raise MotionFormatError(path, f"accessor {i} reaches past the end of its buffer")
    rows = np.ndarray((acc.count, width), dtype=dt, buffer=data, offset=start, strides=(stride, dt.itemsize))
    out = rows.astype(np.float64)
    if acc.normalized and dt.kind in "iu":
        out = np.maximum(out / np.iinfo(dt).max, -1.0)
    return out


def _sample(times: np.ndarray, keys: np.ndarray, values: np.ndarray, interp: str, rotation: bool) -> np.ndarray:
    if interp == "CUBICSPLINE":  # (in-tangent, value, out-tangent) per key: keep the values
        values = values.reshape(len(keys), 3, -1)[:, 1]
    if len(keys) == 1:
        return np.repeat(values[:1], len(times), axis=0)
    if interp == "STEP":
        return values[np.clip(np.searchsorted(keys, times, side="right") - 1, 0, len(keys) - 1)]
    t = np.clip(times, keys[0], keys[-1])
    if rotation:
        from scipy.spatial.transform import Slerp
        return Slerp(keys, Rotation.from_quat(values))(t).as_quat()
    return np.stack([np.interp(t, keys, values[:, k]) for k in range(values.shape[1])], axis=-1)


def read(path: str | Path, fps: float = HML3D_FPS, units: str = "auto", on_floor: bool = True,
         rigid: bool = True, animation: int | None = None) -> Motion:
    """Read a glTF/GLB humanoid animation as a Motion on SMPL-22 at ``fps`` (``animation`` picks one
    by index; default the longest)."""
    path = Path(path)
    doc = _load(path)
    cache: dict = {}
    N = len(doc.nodes)
    parents = [-1] * N
    for i, n in enumerate(doc.nodes):
        for c in n.children or []:
            parents[c] = i
    if doc.skins:
        skin = max(doc.skins, key=lambda s: len(s.joints))
        members = list(skin.joints)
    else:
        members = list(range(N))
    if len(members) < 5:
        raise MotionFormatError(path, f"no skeleton: {len(members)} joints")
    if not doc.animations:
        raise MotionFormatError(path, "no animation: the file has a skeleton but no animation")
    try:
        spans = []
        for a in doc.animations:
            ins = [doc.accessors[s.input] for s in a.samplers]
            spans.append((min(x.min[0] for x in ins if x.min), max(x.max[0] for x in ins if x.max)))
    except (ValueError, TypeError, IndexError):
        spans = [(0.0, float(accessor(doc, path, a.samplers[0].input, cache).max())) for a in doc.animations]
    k = animation if animation is not None else int(np.argmax([b - a for a, b in spans]))
    begin, end = spans[k]
    if not end > begin:
        raise MotionFormatError(path, "no animation: the animation has no duration")
    n = int(np.floor((end - begin) * fps + 1e-6)) + 1
    times = begin + np.arange(n) / fps
    T = np.zeros((N, n, 3))
    R = np.zeros((N, n, 4))
    S = np.ones((N, n, 3))
    for i, node in enumerate(doc.nodes):
        if node.matrix and node.matrix != [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]:
            M = np.array(node.matrix, dtype=np.float64).reshape(4, 4).T
            S[i] = np.linalg.norm(M[:3, :3], axis=0)
            R[i] = Rotation.from_matrix(M[:3, :3] / S[i][0]).as_quat()
            T[i] = M[:3, 3]
        else:
            T[i] = node.translation or (0.0, 0.0, 0.0)
            R[i] = node.rotation or (0.0, 0.0, 0.0, 1.0)
            S[i] = node.scale or (1.0, 1.0, 1.0)
    anim = doc.animations[k]
    for ch in anim.channels:
        node, what = ch.target.node, ch.target.path
        if node is None or what not in ("translation", "rotation", "scale"):
            continue
        s = anim.samplers[ch.sampler]
        keys = accessor(doc, path, s.input, cache)[:, 0]
        vals = accessor(doc, path, s.output, cache)
        got = _sample(times, keys, vals, s.interpolation or "LINEAR", what == "rotation")
        {"translation": T, "rotation": R, "scale": S}[what][node] = got
    world = np.zeros((n, N, 4, 4))
    done = [False] * N
    for m in members:
        chain, i = [], m
        while i >= 0 and not done[i]:  # the node and its not yet placed ancestors, child first
            if len(chain) > N:
                raise MotionFormatError(path, "the node hierarchy has a cycle")
            chain.append(i)
            i = parents[i]
        for i in reversed(chain):
            L = np.zeros((n, 4, 4))
            L[:, :3, :3] = Rotation.from_quat(R[i]).as_matrix() * S[i][:, None, :]
            L[:, :3, 3], L[:, 3, 3] = T[i], 1.0
            world[:, i], done[i] = (L if parents[i] < 0 else world[:, parents[i]] @ L), True
    index = {m: j for j, m in enumerate(members)}
    names = [doc.nodes[m].name or f"node{m}" for m in members]
    par = [index.get(parents[m], -1) for m in members]
    return skeleton_to_motion(path, names, par, world[:, members][..., :3, 3], fps, 1.0, units, on_floor, rigid,
                              "auto", [f"glTF animation {anim.name or k!r}"])
