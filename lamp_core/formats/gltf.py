"""glTF 2.0 / GLB out: the skinned body (or the skeleton alone) with one animation, Y up, metres.

Why glTF: every engine and Blender import it without plug-ins, and its skinning (4 joints per vertex,
inverse bind matrices, TRS nodes) is exactly our linear blend skinning, so the file plays back the
viewport's body minus the pose correctives. Joint nodes rest with identity rotations at the bind pose;
the animation holds one rotation per joint per frame and the root's translation (LINEAR sampling).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

from ..motion.motion import Motion
from ..motion.rotations import fix_quat_continuity, matrix_to_quat
from .atomic import atomic_write_bytes
from .skeleton_export import ExportSkeleton, build, top4, vertex_normals

_FLOAT, _USHORT, _UINT = 5126, 5123, 5125
_ARRAY, _ELEMENTS = 34962, 34963


class _Blob:
    """One binary buffer; each add() appends a 4-byte aligned bufferView + accessor."""

    def __init__(self, gltf):
        self.g, self.data = gltf, bytearray()

    def add(self, arr: np.ndarray, type_: str, target: int | None = None, minmax: bool = False) -> int:
        import pygltflib as g
        arr = np.ascontiguousarray(arr)
        ctype = {np.dtype(np.float32): _FLOAT, np.dtype(np.uint16): _USHORT, np.dtype(np.uint32): _UINT}[arr.dtype]
        while len(self.data) % 4:
            self.data.append(0)
        view = g.BufferView(buffer=0, byteOffset=len(self.data), byteLength=arr.nbytes, target=target)
        self.data += arr.tobytes()
        self.g.bufferViews.append(view)
        flat = arr.reshape(len(arr), -1)
        acc = g.Accessor(bufferView=len(self.g.bufferViews) - 1, componentType=ctype, count=len(arr), type=type_)
        if minmax:
            acc.min, acc.max = flat.min(0).tolist(), flat.max(0).tolist()
        self.g.accessors.append(acc)
        return len(self.g.accessors) - 1


def to_gltf(sk: ExportSkeleton):
    """A pygltflib.GLTF2 of the skeleton (and mesh, when it has one); its binary blob is attached."""
    import pygltflib as g

    doc = g.GLTF2(asset=g.Asset(generator="LaMP Studio", version="2.0"), scene=0)
    blob = _Blob(doc)
    J = sk.n_joints
    children = [[c for c, p in enumerate(sk.parents) if p == j] for j in range(J)]
    for j in range(J):
        node = g.Node(name=sk.names[j], translation=[float(x) for x in sk.offsets[j]])
        if children[j]:
            node.children = children[j]
        doc.nodes.append(node)
    roots = [j for j, p in enumerate(sk.parents) if p < 0]
    if sk.vertices is not None:
        rest = sk.rest_joints()
        ibm = np.tile(np.eye(4, dtype=np.float32), (J, 1, 1))
        ibm[:, :3, 3] = -rest
        ibm_acc = blob.add(np.ascontiguousarray(ibm.transpose(0, 2, 1)), "MAT4")  # column-major
        doc.skins.append(g.Skin(name="body_skin", joints=list(range(J)), skeleton=roots[0],
                                inverseBindMatrices=ibm_acc))
        v = sk.vertices.astype(np.float32)
        idx, w = top4(sk.weights)
        attrs = g.Attributes(POSITION=blob.add(v, "VEC3", _ARRAY, minmax=True),
                             NORMAL=blob.add(vertex_normals(v, sk.faces).astype(np.float32), "VEC3", _ARRAY),
                             JOINTS_0=blob.add(idx.astype(np.uint16), "VEC4", _ARRAY),
                             WEIGHTS_0=blob.add(w.astype(np.float32), "VEC4", _ARRAY))
        ind = blob.add(np.asarray(sk.faces, dtype=np.uint32).reshape(-1), "SCALAR", _ELEMENTS)
        doc.meshes.append(g.Mesh(name="body", primitives=[g.Primitive(attributes=attrs, indices=ind, mode=4)]))
        doc.nodes.append(g.Node(name="body", mesh=0, skin=0))
        roots.append(len(doc.nodes) - 1)
    else:  # a skin without a mesh still tells importers these nodes are bones, not empties
        doc.skins.append(g.Skin(name="skeleton", joints=list(range(J)), skeleton=roots[0]))
    doc.scenes.append(g.Scene(name="LaMP", nodes=roots))

    times = blob.add((np.arange(sk.n_frames) / sk.fps).astype(np.float32), "SCALAR", minmax=True)
    q = fix_quat_continuity(matrix_to_quat(sk.local))      # (T, J, 4) w, x, y, z
    samplers, channels = [], []
    for j in range(J):
        xyzw = np.concatenate([q[:, j, 1:], q[:, j, :1]], axis=-1).astype(np.float32)
        samplers.append(g.AnimationSampler(input=times, output=blob.add(xyzw, "VEC4"), interpolation="LINEAR"))
        channels.append(g.AnimationChannel(sampler=len(samplers) - 1,
                                           target=g.AnimationChannelTarget(node=j, path="rotation")))
    samplers.append(g.AnimationSampler(input=times, output=blob.add(sk.root.astype(np.float32), "VEC3"),
                                       interpolation="LINEAR"))
    channels.append(g.AnimationChannel(sampler=len(samplers) - 1,
                                       target=g.AnimationChannelTarget(node=roots[0], path="translation")))
    doc.animations.append(g.Animation(name="motion", samplers=samplers, channels=channels))
    doc.buffers.append(g.Buffer(byteLength=len(blob.data)))
    doc.set_binary_blob(bytes(blob.data))
    return doc


def write(motion: Motion, path: str | Path, fps: float | None = None, in_place: bool = False,
          frame_range: tuple[int, int] | None = None, body: bool = True, rest: str = "tpose",
          names: str = "smpl", **_ignored) -> Path:
    """Write .glb (one binary file) or .gltf (JSON with the buffer embedded as a data URI): the body's
    24-joint rig fitted to the clip (its rest is the body's own pose), or with ``body=False`` the
    skeleton alone (SMPL-22 on the clip's bones in the ``rest`` pose)."""
    path = Path(path)
    doc = to_gltf(build(motion, fps, in_place, frame_range, rest, names, body=True if body else None))
    if path.suffix.lower() == ".glb":
        data = b"".join(doc.save_to_bytes())
    else:
        blob = doc.binary_blob()
        doc.buffers[0].uri = "data:application/octet-stream;base64," + base64.b64encode(blob).decode("ascii")
        doc.destroy_binary_blob()
        data = json.dumps(json.loads(doc.to_json()), indent=1).encode("utf-8")
    return atomic_write_bytes(path, data)
