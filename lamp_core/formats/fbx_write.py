"""FBX out (binary 7.4, our own encoder): the skeleton as LimbNodes under a root Null, one take
with per-joint rotation/translation curves, and optionally the skinned body (Skin + Clusters +
BindPose).

Units: centimetres with ``UnitScaleFactor`` 1, Y up, +Z front, like Mixamo's files, so
Blender (which scales by UnitScaleFactor / 100), Unity, Maya and MotionBuilder all import a
1.7 m person at 1.7 m. Rotations are Euler XYZ (FBX's default order: R = Rz Ry Rx), in degrees,
unwrapped over time; keys are linear, KeyTime in FBX ticks (46186158000 per second).
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from ..motion.motion import Motion
from .atomic import atomic_write_bytes
from .fbx_binary import Arr, Node, cls_name, encode, p70
from .skeleton_export import ExportSkeleton, build, top4, vertex_normals

TICKS_PER_SECOND = 46186158000
CM = 100.0
KEY_LINEAR = 0x4  # eInterpolationLinear
_FPS_MODES = {120: 1, 100: 2, 60: 3, 50: 4, 48: 5, 30: 6, 25: 10, 24: 11, 1000: 12, 96: 15, 72: 16}


def _time_mode(fps: float) -> int:
    return _FPS_MODES.get(round(fps), 14) if abs(fps - round(fps)) < 1e-6 else 14  # 14: custom


def euler_xyz(local: np.ndarray) -> np.ndarray:
    """(T, 3, 3) -> (T, 3) degrees for FBX's eEulerXYZ (R = Rz @ Ry @ Rx), unwrapped over time."""
    e = Rotation.from_matrix(local.reshape(-1, 3, 3)).as_euler("xyz").reshape(local.shape[:-2] + (3,))
    return np.degrees(np.unwrap(e, axis=0))


def _header(fps: float, stop: int) -> list[Node]:
    ext = Node("FBXHeaderExtension")
    ext.add("FBXHeaderVersion", 1003)
    ext.add("FBXVersion", 7400)
    ext.add("Creator", "LaMP Studio")
    gs = Node("GlobalSettings")
    gs.add("Version", 1000)
    gs.children.append(p70(
        ("UpAxis", "int", "Integer", "", 1), ("UpAxisSign", "int", "Integer", "", 1),
        ("FrontAxis", "int", "Integer", "", 2), ("FrontAxisSign", "int", "Integer", "", 1),
        ("CoordAxis", "int", "Integer", "", 0), ("CoordAxisSign", "int", "Integer", "", 1),
        ("OriginalUpAxis", "int", "Integer", "", 1), ("OriginalUpAxisSign", "int", "Integer", "", 1),
        ("UnitScaleFactor", "double", "Number", "", 1.0), ("OriginalUnitScaleFactor", "double", "Number", "", 1.0),
        ("TimeMode", "enum", "", "", _time_mode(fps)), ("CustomFrameRate", "double", "Number", "", float(fps)),
        ("TimeSpanStart", "KTime", "Time", "", ("L", 0)), ("TimeSpanStop", "KTime", "Time", "", ("L", stop))))
    return [ext, gs]


def _model(uid: int, name: str, kind: str, t, r=(0.0, 0.0, 0.0)) -> Node:
    m = Node("Model", [uid, cls_name(name, "Model"), kind])
    m.add("Version", 232)
    m.children.append(p70(("Lcl Translation", "Lcl Translation", "", "A", *map(float, t)),
                          ("Lcl Rotation", "Lcl Rotation", "", "A", *map(float, r)),
                          ("Lcl Scaling", "Lcl Scaling", "", "A", 1.0, 1.0, 1.0),
                          ("DefaultAttributeIndex", "int", "Integer", "", 0),
                          ("InheritType", "enum", "", "", 1)))
    m.add("Shading", ("C", True))
    m.add("Culling", "CullingOff")
    return m


def _curve(uid: int, times: np.ndarray, values: np.ndarray) -> Node:
    c = Node("AnimationCurve", [uid, cls_name("", "AnimCurve"), ""])
    c.add("Default", float(values[0]))
    c.add("KeyVer", 4008)
    c.add("KeyTime", Arr("l", times))
    c.add("KeyValueFloat", Arr("f", values))
    c.add("KeyAttrFlags", Arr("i", [KEY_LINEAR]))
    c.add("KeyAttrDataFloat", Arr("f", [0.0, 0.0, 0.0, 0.0]))
    c.add("KeyAttrRefCount", Arr("i", [len(times)]))
    return c


def _matrix(R: np.ndarray | None = None, t=(0.0, 0.0, 0.0)) -> Arr:
    """A 4x4 transform as FBX stores it: 16 doubles, column-major (translation in the last four)."""
    M = np.eye(4)
    if R is not None:
        M[:3, :3] = R
    M[:3, 3] = t
    return Arr("d", M.T.ravel())


def to_nodes(sk: ExportSkeleton) -> list[Node]:
    """The FBX document (top-level records) for an export skeleton."""
    ids = count(1 << 40)  # past 32 bits, so every id is written as an int64 'L' (Blender asserts it)
    objects, conns = Node("Objects"), Node("Connections")
    link = lambda kind, child, parent, prop=None: conns.add("C", kind, child, parent,
                                                             *([prop] if prop else []))
    root = next(ids)
    objects.children.append(_model(root, "LaMP_Skeleton", "Null", (0.0, 0.0, 0.0)))
    attr = next(ids)
    objects.add("NodeAttribute", attr, cls_name("LaMP_Skeleton", "NodeAttribute"), "Null",
                children=[Node("TypeFlags", ["Null"])])
    link("OO", root, ("L", 0))
    link("OO", attr, root)
    J, T = sk.n_joints, sk.n_frames
    bones = []
    for j in range(J):
        uid, a = next(ids), next(ids)
        bones.append(uid)
        objects.children.append(_model(uid, sk.names[j], "LimbNode", sk.offsets[j] * CM))
        na = objects.add("NodeAttribute", a, cls_name(sk.names[j], "NodeAttribute"), "LimbNode")
        na.add("TypeFlags", "Skeleton")
        na.children.append(p70(("Size", "double", "Number", "", 3.0)))
        link("OO", uid, root if sk.parents[j] < 0 else bones[sk.parents[j]])
        link("OO", a, uid)

    times = np.round(np.arange(T) / sk.fps * TICKS_PER_SECOND).astype(np.int64)
    stack, layer = next(ids), next(ids)
    stop = int(times[-1])
    objects.add("AnimationStack", stack, cls_name("Take 001", "AnimStack"), "", children=[p70(
        ("LocalStart", "KTime", "Time", "", ("L", 0)), ("LocalStop", "KTime", "Time", "", ("L", stop)),
        ("ReferenceStart", "KTime", "Time", "", ("L", 0)), ("ReferenceStop", "KTime", "Time", "", ("L", stop)))])
    objects.add("AnimationLayer", layer, cls_name("BaseLayer", "AnimLayer"), "")
    link("OO", layer, stack)
    euler = euler_xyz(sk.local)                                # (T, J, 3)
    for j in range(J):
        trans = sk.root * CM if sk.parents[j] < 0 else np.broadcast_to(sk.offsets[j] * CM, (T, 3))
        for prop, short, vals in (("Lcl Translation", "T", trans), ("Lcl Rotation", "R", euler[:, j])):
            cn = next(ids)
            objects.add("AnimationCurveNode", cn, cls_name(short, "AnimCurveNode"), "", children=[p70(
                *[(f"d|{ax}", "Number", "", "A", float(vals[0, k])) for k, ax in enumerate("XYZ")])])
            link("OO", cn, layer)
            link("OP", cn, bones[j], prop)
            for k, ax in enumerate("XYZ"):
                cu = next(ids)
                objects.children.append(_curve(cu, times, vals[:, k]))
                link("OP", cu, cn, f"d|{ax}")
    if sk.vertices is not None:
        _add_body(sk, objects, link, ids, bones)
    defs = Node("Definitions")
    defs.add("Version", 100)
    kinds: dict[str, int] = {}
    for o in objects.children:
        kinds[o.name] = kinds.get(o.name, 0) + 1
    defs.add("Count", sum(kinds.values()))
    for k, n in kinds.items():
        defs.add("ObjectType", k, children=[Node("Count", [n])])
    takes = Node("Takes", children=[Node("Current", ["Take 001"])])
    takes.add("Take", "Take 001", children=[Node("FileName", ["Take_001.tak"]),
                                            Node("LocalTime", [("L", 0), ("L", stop)]),
                                            Node("ReferenceTime", [("L", 0), ("L", stop)])])
    docs = Node("Documents", children=[Node("Count", [1])])
    docs.add("Document", next(ids), "Scene", "Scene", children=[p70(), Node("RootNode", [("L", 0)])])
    return _header(sk.fps, stop) + [docs, Node("References"), defs, objects, conns, takes]


def _add_body(sk: ExportSkeleton, objects: Node, link, ids, bones: list[int]) -> None:
    """Mesh + Skin deformer (one Cluster per joint that weighs on any vertex) + BindPose."""
    v = sk.vertices * CM
    faces = np.asarray(sk.faces, dtype=np.int32)
    pvi = faces.copy()
    pvi[:, 2] = -pvi[:, 2] - 1                                   # the last index of a polygon, negated - 1
    geo, mesh, skin, pose = next(ids), next(ids), next(ids), next(ids)
    g = objects.add("Geometry", geo, cls_name("body", "Geometry"), "Mesh")
    g.add("Vertices", Arr("d", v))
    g.add("PolygonVertexIndex", Arr("i", pvi))
    g.add("GeometryVersion", 124)
    ln = g.add("LayerElementNormal", 0)
    ln.add("Version", 101)
    ln.add("Name", "")
    ln.add("MappingInformationType", "ByVertice")
    ln.add("ReferenceInformationType", "Direct")
    ln.add("Normals", Arr("d", vertex_normals(sk.vertices, faces)))
    layer = g.add("Layer", 0)
    layer.add("Version", 100)
    layer.add("LayerElement", children=[Node("Type", ["LayerElementNormal"]), Node("TypedIndex", [0])])
    objects.children.append(_model(mesh, "body", "Mesh", (0.0, 0.0, 0.0)))
    link("OO", mesh, ("L", 0))
    link("OO", geo, mesh)
    sd = objects.add("Deformer", skin, cls_name("Skin", "Deformer"), "Skin")
    sd.add("Version", 101)
    sd.add("Link_DeformAcuracy", 50.0)
    link("OO", skin, geo)
    rest = sk.rest_joints() * CM
    idx, w = top4(sk.weights)
    bp = objects.add("Pose", pose, cls_name("BindPose", "Pose"), "BindPose")
    bp.add("Type", "BindPose")
    bp.add("Version", 100)
    bp.add("NbPoseNodes", len(bones) + 1)
    bp.add("PoseNode", children=[Node("Node", [("L", mesh)]), Node("Matrix", [_matrix()])])
    for j, bone in enumerate(bones):
        bp.add("PoseNode", children=[Node("Node", [("L", bone)]), Node("Matrix", [_matrix(t=rest[j])])])
        rows, cols = np.nonzero(idx == j)
        keep = w[rows, cols] > 0
        if not keep.any():
            continue
        cl = next(ids)
        c = objects.add("Deformer", cl, cls_name(sk.names[j], "SubDeformer"), "Cluster")
        c.add("Version", 100)
        c.add("UserData", "", "")
        c.add("Indexes", Arr("i", rows[keep]))
        c.add("Weights", Arr("d", w[rows, cols][keep]))
        c.add("Transform", _matrix(t=-rest[j]))    # mesh space -> bone space at bind time
        c.add("TransformLink", _matrix(t=rest[j]))  # the bone's world transform at bind time
        link("OO", cl, skin)
        link("OO", bone, cl)


def write(motion: Motion, path: str | Path, fps: float | None = None, in_place: bool = False,
          frame_range: tuple[int, int] | None = None, rest: str = "tpose", names: str = "smpl",
          body: bool = False, **_ignored) -> Path:
    """A binary FBX 7.4: the SMPL-22 skeleton (``rest`` pose, SMPL or Mixamo ``names``), or with
    ``body`` the skinned body on its 24-joint rig."""
    sk = build(motion, fps, in_place, frame_range, rest, names, body=True if body else None)
    return atomic_write_bytes(path, encode(to_nodes(sk)))

