"""BVH in (any humanoid skeleton -> Motion on SMPL-22) and out (SMPL-22 with a chosen rest pose)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import MotionFormatError, RetargetError
from ..motion.kinematics import rigidify
from ..motion.motion import HML3D_FPS, Motion, Provenance, sample_times
from ..motion.retarget import build_joint_map
from ..motion.rig import export_rig
from ..motion.rotations import matrix_to_euler, rotation_between
from ..motion.skeleton import NUM_JOINTS, PARENTS, REFERENCE_STATURE, stature
from .atomic import atomic_write_text
from .bvh_parse import BvhData, parse, read_pieces, world_positions

# Candidate unit sizes (metres per file unit); a skeleton whose stature fits none is scaled to a
# standard adult height instead (CMU "cgspeed" files use ~0.056 m units).
_UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001, "inch": 0.0254, "dm": 0.1, "ft": 0.3048}
PLAUSIBLE_STATURE = (1.2, 2.3)
MAX_COORD = 1e6   # metres; anything farther is corrupt data (and would overflow Motion's float32)
MAX_FILE_COORD = 1e9   # file units (>= 1000 km in mm); beyond it the retargeting maths overflows


def rest_lead_in(data: BvhData) -> int:
    """How many leading frames are an added rest pose (cgspeed CMU files start with a T-pose frame,
    the Daz-friendly ones blend out of it over a few frames); 0 when the take starts in motion."""
    fr = data.frames
    if fr.shape[0] < 4:
        return 0
    rot_cols = []
    col = 0
    for j, chans in enumerate(data.skeleton.channels):
        for c in chans:
            if c in "XYZ" and data.skeleton.parents[j] >= 0:
                rot_cols.append(col)
            col += 1
    if not rot_cols:
        return 0
    rot = fr[:, rot_cols]
    limit = min(len(rot) - 2, max(2, int(round(0.1 * data.fps))))  # a lead-in lasts at most 0.1 s
    rest_like = np.mean(np.abs(rot[0]) < 0.5)
    if rest_like < 0.6 or rest_like - np.mean(np.abs(rot[limit]) < 0.5) < 0.15:
        return 0  # frame 0 is not a zero-rotation pose the take then leaves
    steps = np.abs(np.diff(rot[: min(len(rot), 240)], axis=0)).mean(axis=1)
    typical = float(np.median(steps[limit:])) if len(steps) > limit else float(np.median(steps))
    for k in range(1, limit + 1):
        if steps[k] < 3.0 * typical:
            return k
    return 1


def _up_axis_fix(j: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Rotate Z-up (or X-up, or upside-down) takes to Y-up, judged from the pelvis->head direction."""
    up = (j[:, 15] - j[:, 0]).mean(0)
    axis = int(np.argmax(np.abs(up)))
    sign = np.sign(up[axis])
    if axis == 1 and sign > 0:
        return j, None
    target = np.zeros(3)
    target[axis] = sign
    R = rotation_between(target, np.array([0.0, 1.0, 0.0]))
    return j @ R.T, f"up axis was {'+' if sign > 0 else '-'}{'XYZ'[axis]}, turned to +Y"


def upright_metric(path, joints: np.ndarray, rigid: bool, units: str, notes: list[str],
                   file_unit: float | None = None) -> tuple[np.ndarray, str]:
    """Mapped SMPL-22 joints in file units -> Y-up metres: bones made rigid if asked, the up axis fixed
    (noted), and a scale that gives a human height — ``file_unit`` (metres per unit, when the file says)
    if plausible, else the closest standard unit. Returns the joints and the unit's description."""
    if rigid:
        joints = rigidify(joints)
    joints, up_note = _up_axis_fix(joints)
    if up_note:
        notes.append(up_note)
    st = stature(joints)
    if not np.isfinite(st) or st <= 0:
        raise MotionFormatError(path, "the skeleton has zero size (all joints at one point)")
    if file_unit and units == "auto" and PLAUSIBLE_STATURE[0] <= st * file_unit <= PLAUSIBLE_STATURE[1]:
        return joints * file_unit, f"{file_unit:g} m per unit (the file's own)"
    scale, unit_name = _choose_scale(st, units)
    return joints * scale, unit_name


def _choose_scale(st: float, units: str) -> tuple[float, str]:
    if units != "auto":
        if units not in _UNITS:
            raise ValueError(f"units must be 'auto' or one of {sorted(_UNITS)}, got {units!r}")
        return _UNITS[units], units
    fits = [(abs(st * s - 1.7), name, s) for name, s in _UNITS.items()
            if PLAUSIBLE_STATURE[0] <= st * s <= PLAUSIBLE_STATURE[1]]
    if fits:
        _, name, s = min(fits)
        return s, name
    return REFERENCE_STATURE / st, f"scaled to {REFERENCE_STATURE} m (no standard unit gives a human height)"


def read(path: str | Path, fps: float = HML3D_FPS, units: str = "auto", drop_rest_frame: str | bool = "auto",
         on_floor: bool = True, rigid: bool = True, source_fps: float | None = None) -> Motion:
    """Read any humanoid BVH as a Motion on the SMPL-22 skeleton, in metres, Y up, at ``fps``.

    With ``rigid`` (the default) the mapped joints are projected onto a rigid SMPL-22 skeleton, so
    exporting and re-importing the motion reproduces it exactly. ``source_fps`` overrides the
    header's Frame Time (CMU headers say 120 fps for trials captured at 60)."""
    path = Path(path)
    return from_text(read_pieces(path), path, fps, units, drop_rest_frame, on_floor, rigid, source_fps)


def from_text(text: str | Sequence[str], path: str | Path = "<text>", fps: float = HML3D_FPS, units: str = "auto",
              drop_rest_frame: str | bool = "auto", on_floor: bool = True, rigid: bool = True,
              source_fps: float | None = None) -> Motion:
    """``read`` for BVH text already in memory (e.g. a member of a tar archive); ``path`` names it in errors.
    ``text`` may also be pieces that join to the text (``bvh_parse.read_pieces``), so a big file is never
    copied into one string."""
    data = parse(text, path)
    if source_fps is not None:
        data = replace(data, frame_time=1.0 / source_fps)
    skel = data.skeleton
    notes: list[str] = []
    first = 0
    if drop_rest_frame is True or drop_rest_frame == "auto":
        first = rest_lead_in(data) or (1 if drop_rest_frame is True else 0)
        if first:
            notes.append(f"dropped {first} leading T-pose frame{'s' if first > 1 else ''}")
    n_src = data.frames.shape[0] - first
    i0, i1, w = sample_times(n_src, data.fps, fps)
    needed = np.unique(np.concatenate([i0, i1]))
    src = world_positions(data, needed + first)
    if not np.isfinite(src).all() or np.abs(src).max() > MAX_FILE_COORD:
        raise MotionFormatError(path, f"joint positions reach {np.abs(src).max():.3g} file units after forward "
                                      "kinematics; the OFFSETs or position channels are corrupt")
    try:
        jmap = build_joint_map(skel.names, skel.parents, src[len(src) // 2])
    except RetargetError as e:
        raise MotionFormatError(path, str(e)) from None
    mapped = jmap.apply(src)  # (len(needed), 22, 3)
    pos = np.searchsorted(needed, i0), np.searchsorted(needed, i1)
    joints = mapped[pos[0]] * (1 - w)[:, None, None] + mapped[pos[1]] * w[:, None, None]
    joints, unit_name = upright_metric(path, joints, rigid, units, notes)
    notes.append(f"skeleton family: {jmap.family}; units: {unit_name}")
    if on_floor:
        joints[..., 1] -= joints[..., 1].min()
    if not np.isfinite(joints).all() or np.abs(joints).max() > MAX_COORD:
        raise MotionFormatError(path, "the motion has NaN, infinite or absurd (beyond 1000 km) joint positions "
                                      "after forward kinematics")
    return Motion(joints, fps, Provenance(source=str(path), notes=tuple(notes)))


# ---------------------------------------------------------------------------- writing

SMPL_BVH_NAMES = ("Pelvis", "L_Hip", "R_Hip", "Spine1", "L_Knee", "R_Knee", "Spine2", "L_Ankle", "R_Ankle",
                  "Spine3", "L_Foot", "R_Foot", "Neck", "L_Collar", "R_Collar", "Head", "L_Shoulder",
                  "R_Shoulder", "L_Elbow", "R_Elbow", "L_Wrist", "R_Wrist")
MIXAMO_BVH_NAMES = ("Hips", "LeftUpLeg", "RightUpLeg", "Spine", "LeftLeg", "RightLeg", "Spine1", "LeftFoot",
                    "RightFoot", "Spine2", "LeftToeBase", "RightToeBase", "Neck", "LeftShoulder",
                    "RightShoulder", "Head", "LeftArm", "RightArm", "LeftForeArm", "RightForeArm", "LeftHand",
                    "RightHand")
JOINT_NAME_SETS = {"smpl": SMPL_BVH_NAMES, "mixamo": MIXAMO_BVH_NAMES}
ROTATION_ORDER = "ZXY"

_CHILDREN = {j: [c for c, p in enumerate(PARENTS) if p == j] for j in range(NUM_JOINTS)}


def dfs_order() -> list[int]:
    """SMPL joints in the order a BVH hierarchy lists them (depth first)."""
    out: list[int] = []

    def visit(j: int) -> None:
        out.append(j)
        for c in _CHILDREN[j]:
            visit(c)

    visit(0)
    return out


def end_site_offsets(offsets: np.ndarray, size: float) -> dict[int, np.ndarray]:
    """End Sites for the leaf joints, in the rest pose: head top, hand length past the wrist along
    the forearm, toe tip ahead of the toe joint. ``size`` is stature / 1.70 m."""
    ends = {15: np.array([0.0, 0.17, 0.02]) * size}
    for wrist in (20, 21):
        d = offsets[wrist] / max(np.linalg.norm(offsets[wrist]), 1e-9)
        ends[wrist] = d * 0.09 * size
    for toe in (10, 11):
        ends[toe] = np.array([0.0, -0.01, 0.06]) * size
    return ends


def prepare_for_export(motion: Motion, fps: float | None = None, in_place: bool = False,
                       frame_range: tuple[int, int] | None = None, rest: str = "tpose") -> Motion:
    """The exact joint positions an export with these options plays back (the rest pose matters
    only between original frames, where rotations are interpolated relative to it)."""
    return export_rig(motion, fps, rest, in_place, frame_range).to_motion()


def write(motion: Motion, path: str | Path, fps: float | None = None, rest: str = "tpose", in_place: bool = False,
          names: str = "smpl", units: str = "m", frame_range: tuple[int, int] | None = None) -> Path:
    """Write an SMPL-22 BVH: ZXY rotations, root positions, the chosen rest pose and joint names."""
    if names not in JOINT_NAME_SETS:
        raise ValueError(f"names must be one of {sorted(JOINT_NAME_SETS)}, got {names!r}")
    if units not in ("m", "cm"):
        raise ValueError(f"units must be 'm' or 'cm', got {units!r}")
    rig = export_rig(motion, fps, rest, in_place, frame_range)
    rots, root, offsets = rig.rotations, rig.root, rig.offsets
    scale = 100.0 if units == "cm" else 1.0
    euler = matrix_to_euler(rots, ROTATION_ORDER)            # (T, 22, 3) degrees
    euler = np.degrees(np.unwrap(np.radians(euler), axis=0))  # no 360-degree jumps between frames
    label = JOINT_NAME_SETS[names]
    ends = end_site_offsets(offsets, motion.stature / REFERENCE_STATURE)
    order = dfs_order()

    out = io.StringIO()
    out.write("HIERARCHY\n")

    def emit(j: int, depth: int) -> None:
        pad = "\t" * depth
        kind = "ROOT" if PARENTS[j] < 0 else "JOINT"
        off = np.zeros(3) if PARENTS[j] < 0 else offsets[j] * scale
        out.write(f"{pad}{kind} {label[j]}\n{pad}{{\n")
        out.write(f"{pad}\tOFFSET {off[0]:.6f} {off[1]:.6f} {off[2]:.6f}\n")
        rot = " ".join(f"{a}rotation" for a in ROTATION_ORDER)
        if PARENTS[j] < 0:
            out.write(f"{pad}\tCHANNELS 6 Xposition Yposition Zposition {rot}\n")
        else:
            out.write(f"{pad}\tCHANNELS 3 {rot}\n")
        for c in _CHILDREN[j]:
            emit(c, depth + 1)
        if j in ends:
            e = ends[j] * scale
            out.write(f"{pad}\tEnd Site\n{pad}\t{{\n{pad}\t\tOFFSET {e[0]:.6f} {e[1]:.6f} {e[2]:.6f}\n{pad}\t}}\n")
        out.write(f"{pad}}}\n")

    emit(0, 0)
    out.write(f"MOTION\nFrames: {rig.n_frames}\nFrame Time: {1.0 / rig.fps:.10f}\n")
    cols = [root * scale] + [euler[:, j] for j in order]
    table = np.concatenate(cols, axis=1)
    np.savetxt(out, table, fmt="%.5f", delimiter=" ")
    return atomic_write_text(path, out.getvalue())
