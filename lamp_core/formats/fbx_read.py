"""FBX in (any humanoid skeleton -> Motion on SMPL-22) through ufbx, retargeted like BVH.

Why the guards: ufbx is native code and its PyPI bindings (0.0.5) free element wrappers unsafely,
so the file's header and size are checked here and ufbx runs in a child process (fbx_probe.py):
a crash, an error or a hang there becomes a MotionFormatError naming the file, never a dead app.
The skeleton is the largest tree of bone nodes; its world positions are sampled straight at the
output frame rate from ufbx's curve evaluation, then mapped, made rigid, turned Y up and scaled.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..errors import MotionFormatError, RetargetError
from ..motion.motion import HML3D_FPS, Motion, Provenance
from ..motion.retarget import build_joint_map
from .bvh import MAX_COORD, upright_metric

BINARY_MAGIC = b"Kaydara FBX Binary  \x00"
MAX_BYTES = 2 * 1024 ** 3
PROBE_TIMEOUT = 300.0  # seconds


def check_header(path: Path) -> str:
    """'binary' or 'ascii'; raises MotionFormatError for anything else before native code reads it."""
    if not path.is_file():
        raise MotionFormatError(path, "file not found" if not path.exists() else "is not a file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise MotionFormatError(path, f"{size / 1024 ** 3:.1f} GiB is too large for a motion FBX")
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(BINARY_MAGIC):
        if size < 27 + 13:
            raise MotionFormatError(path, "truncated FBX (the file ends inside its header)")
        version = int.from_bytes(head[23:27], "little")
        if not 6100 <= version <= 7700:
            raise MotionFormatError(path, f"FBX version {version} is not supported (6.1-7.7 are)")
        return "binary"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b";") and b"FBX" in head:
        return "ascii"
    raise MotionFormatError(path, "not an FBX file (no 'Kaydara FBX Binary' header or ASCII FBX comment)")


def probe(path: str | Path, fps: float = HML3D_FPS, take: str | None = None) -> dict:
    """Names, parents, bone flags, depths and world positions (frames, nodes, 3; file units) of every
    node, sampled at ``fps`` over the longest (or the named) take, by ufbx in a child process."""
    path = Path(path)
    check_header(path)
    with tempfile.TemporaryDirectory(prefix="lamp-fbx-") as tmp:
        out = Path(tmp) / "probe.npz"
        cmd = [sys.executable, str(Path(__file__).with_name("fbx_probe.py")), str(path), str(out), repr(float(fps))]
        if take is not None:
            cmd.append(take)
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=PROBE_TIMEOUT, check=False,
                               env={**os.environ, "OMP_NUM_THREADS": "1"})
        except subprocess.TimeoutExpired:
            raise MotionFormatError(path, f"reading took over {PROBE_TIMEOUT:g} s; gave up") from None
        if r.returncode != 0 or not out.exists():
            why = (r.stderr.strip().splitlines() or [""])[-1]
            if r.returncode < 0:
                why = f"the FBX reader crashed on it (signal {-r.returncode})"
            raise MotionFormatError(path, f"cannot read as FBX: {why or 'no result'}")
        with np.load(out, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}


def skeleton_nodes(parents, is_bone, depth) -> list[int]:
    """Node indices of the largest connected tree of bone nodes, parents first."""
    members: dict[int, list[int]] = {}
    for i in sorted(range(len(parents)), key=lambda i: int(depth[i])):
        if not is_bone[i]:
            continue
        r = i
        while parents[r] >= 0 and is_bone[parents[r]]:
            r = int(parents[r])
        members.setdefault(r, []).append(i)
    return max(members.values(), key=len) if members else []


def rest_lead_in(joints: np.ndarray) -> int:
    """1 when the first frame is an added rest pose the take jumps out of (CMU conversions start
    with a T-pose frame), judged from the first step against the typical one; else 0."""
    if len(joints) < 4:
        return 0
    steps = np.linalg.norm(np.diff(joints, axis=0), axis=-1).max(axis=1)
    return int(steps[0] > 3.0 * np.median(steps[1:]) + 0.05)


def read(path: str | Path, fps: float = HML3D_FPS, units: str = "auto", on_floor: bool = True,
         rigid: bool = True, take: str | None = None, drop_rest_frame: str | bool = "auto") -> Motion:
    """Read a humanoid FBX animation as a Motion on the SMPL-22 skeleton, metres, Y up, at ``fps``.
    ``take`` picks an animation stack by name (default: the longest)."""
    path = Path(path)
    info = probe(path, fps, take)
    all_names, all_parents = [str(n) for n in info["names"]], info["parents"]
    bones = skeleton_nodes(all_parents, info["is_bone"], info["depth"])
    if len(bones) < 5:  # some exporters build skeletons from plain nulls: try every empty node
        empties = np.array([k in ("EMPTY", "BONE") for k in info["kind"]]) & (info["parents"] >= 0)
        bones = skeleton_nodes(all_parents, empties, info["depth"])
    if len(bones) < 5:
        raise MotionFormatError(path, f"no skeleton: {len(bones)} bone nodes among its {len(all_names)} nodes")
    if info["world"].shape[0] == 0:
        raise MotionFormatError(path, f"no animation take named {take!r}" if take else
                                "no animation: the file has a skeleton but no animated take")
    index = {b: k for k, b in enumerate(bones)}
    names = [all_names[b] for b in bones]
    parents = [index.get(int(all_parents[b]), -1) for b in bones]
    return skeleton_to_motion(path, names, parents, info["world"][:, bones], fps, float(info["unit_meters"]) or 0.01,
                              units, on_floor, rigid, drop_rest_frame, [f"FBX take '{info['take']}'"])


def skeleton_to_motion(path: Path, names: list[str], parents: list[int], src: np.ndarray, fps: float,
                       unit: float, units: str = "auto", on_floor: bool = True, rigid: bool = True,
                       drop_rest_frame: str | bool = "auto", notes: list[str] | None = None) -> Motion:
    """World positions (frames, joints, 3) of any named skeleton, in file units of ``unit`` metres
    -> a Motion on SMPL-22: mapped by names (or topology), rigid, Y up, in metres, on the floor."""
    notes = list(notes or [])
    if not np.isfinite(src).all() or np.abs(src).max() > 1e9:
        raise MotionFormatError(path, "the animation evaluates to NaN, infinite or absurd positions")
    try:
        jmap = build_joint_map(names, parents, src[len(src) // 2])
    except RetargetError as e:
        shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
        raise MotionFormatError(path, f"no humanoid skeleton among its {len(names)} bones ({shown}): {e}") from None
    notes.append(f"skeleton family: {jmap.family}")
    joints, unit_name = upright_metric(path, jmap.apply(src), rigid, units, notes, file_unit=unit)
    notes.append(f"units: {unit_name}")
    if drop_rest_frame is True or (drop_rest_frame == "auto" and rest_lead_in(joints)):
        joints = joints[1:]
        notes.append("dropped a leading rest-pose frame")
    if on_floor:
        joints[..., 1] -= joints[..., 1].min()
    if np.abs(joints).max() > MAX_COORD:
        raise MotionFormatError(path, "the motion has absurd (beyond 1000 km) joint positions")
    return Motion(joints, fps, Provenance(source=str(path), notes=tuple(notes)))
