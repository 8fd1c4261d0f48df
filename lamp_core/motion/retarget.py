"""Map any humanoid skeleton's joint positions onto the 22 SMPL joints.

Name tables cover the skeleton families people actually have; a skeleton no table fits is mapped
by topology (pelvis = first joint with three long branches, chest = where the arms branch off,
thigh/shin and upper arm/forearm = the two longest consecutive bones of each limb) with sides from
names or, failing that, from geometry. SMPL's spine1/spine2 are placed along the source spine at
the reference body's proportions, so skeletons with one, two or five spine joints all map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import RetargetError
from .skeleton import JOINT_INDEX, NUM_JOINTS, REFERENCE_TPOSE

END = "/End"

# Tables: SMPL joint -> candidate source names (first present wins; case-insensitive, namespace
# prefixes like "mixamorig:" ignored). spine1/spine2 are always interpolated; spine3 (the chest) is
# the joint both collars hang from unless a table names it.
_SIDES = ("left", "right")


def _sided(left: tuple[str, ...], right: tuple[str, ...]) -> dict:
    return {"left": left, "right": right}


FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {}


def _family(name: str, center: dict[str, tuple[str, ...]], limbs: dict[str, dict]) -> None:
    table = dict(center)
    for part, sides in limbs.items():
        for side in _SIDES:
            table[f"{side}_{part}"] = sides[side]
    FAMILIES[name] = table


_family("smpl", {"pelvis": ("Pelvis", "m_avg_Pelvis", "pelvis"), "neck": ("Neck", "m_avg_Neck", "neck"),
                 "head": ("Head", "m_avg_Head", "head"), "spine3": ("Spine3", "m_avg_Spine3", "spine3")},
        {"hip": _sided(("L_Hip", "m_avg_L_Hip", "left_hip"), ("R_Hip", "m_avg_R_Hip", "right_hip")),
         "knee": _sided(("L_Knee", "m_avg_L_Knee", "left_knee"), ("R_Knee", "m_avg_R_Knee", "right_knee")),
         "ankle": _sided(("L_Ankle", "m_avg_L_Ankle", "left_ankle"), ("R_Ankle", "m_avg_R_Ankle", "right_ankle")),
         "foot": _sided(("L_Foot", "m_avg_L_Foot", "left_foot", "L_Ankle" + END, "left_ankle" + END),
                        ("R_Foot", "m_avg_R_Foot", "right_foot", "R_Ankle" + END, "right_ankle" + END)),
         "collar": _sided(("L_Collar", "m_avg_L_Collar", "left_collar"), ("R_Collar", "m_avg_R_Collar", "right_collar")),
         "shoulder": _sided(("L_Shoulder", "m_avg_L_Shoulder", "left_shoulder"),
                            ("R_Shoulder", "m_avg_R_Shoulder", "right_shoulder")),
         "elbow": _sided(("L_Elbow", "m_avg_L_Elbow", "left_elbow"), ("R_Elbow", "m_avg_R_Elbow", "right_elbow")),
         "wrist": _sided(("L_Wrist", "m_avg_L_Wrist", "left_wrist"), ("R_Wrist", "m_avg_R_Wrist", "right_wrist"))})

# Mixamo, MotionBuilder/HumanIK and the CMU "cgspeed" conversion share these names.
_family("mixamo-cgspeed", {"pelvis": ("Hips",), "neck": ("Neck1", "Neck"), "head": ("Head",)},
        {"hip": _sided(("LeftUpLeg",), ("RightUpLeg",)), "knee": _sided(("LeftLeg",), ("RightLeg",)),
         "ankle": _sided(("LeftFoot",), ("RightFoot",)),
         "foot": _sided(("LeftToeBase", "LeftToe", "LeftFoot" + END), ("RightToeBase", "RightToe", "RightFoot" + END)),
         "collar": _sided(("LeftShoulder",), ("RightShoulder",)), "shoulder": _sided(("LeftArm",), ("RightArm",)),
         "elbow": _sided(("LeftForeArm",), ("RightForeArm",)), "wrist": _sided(("LeftHand",), ("RightHand",))})

# Biovision and the CMU "3dsMax-friendly" conversion.
_family("biovision-max", {"pelvis": ("Hips",), "neck": ("Neck",), "head": ("Head",)},
        {"hip": _sided(("LeftHip",), ("RightHip",)), "knee": _sided(("LeftKnee",), ("RightKnee",)),
         "ankle": _sided(("LeftAnkle",), ("RightAnkle",)),
         "foot": _sided(("LeftToe", "LeftAnkle" + END), ("RightToe", "RightAnkle" + END)),
         "collar": _sided(("LeftCollar",), ("RightCollar",)), "shoulder": _sided(("LeftShoulder",), ("RightShoulder",)),
         "elbow": _sided(("LeftElbow",), ("RightElbow",)), "wrist": _sided(("LeftWrist",), ("RightWrist",))})

# CMU "Daz-friendly" conversion (43 joints).
_family("daz", {"pelvis": ("hip",), "neck": ("neck",), "head": ("head",)},
        {"hip": _sided(("lThigh",), ("rThigh",)), "knee": _sided(("lShin",), ("rShin",)),
         "ankle": _sided(("lFoot",), ("rFoot",)), "foot": _sided(("lToe", "lFoot" + END), ("rToe", "rFoot" + END)),
         "collar": _sided(("lCollar",), ("rCollar",)), "shoulder": _sided(("lShldr",), ("rShldr",)),
         "elbow": _sided(("lForeArm",), ("rForeArm",)), "wrist": _sided(("lHand",), ("rHand",))})

_family("bandai-namco", {"pelvis": ("Hips",), "neck": ("Neck",), "head": ("Head",)},
        {"hip": _sided(("UpperLeg_L",), ("UpperLeg_R",)), "knee": _sided(("LowerLeg_L",), ("LowerLeg_R",)),
         "ankle": _sided(("Foot_L",), ("Foot_R",)), "foot": _sided(("Toes_L", "Foot_L" + END), ("Toes_R", "Foot_R" + END)),
         "collar": _sided(("Shoulder_L",), ("Shoulder_R",)), "shoulder": _sided(("UpperArm_L",), ("UpperArm_R",)),
         "elbow": _sided(("LowerArm_L",), ("LowerArm_R",)), "wrist": _sided(("Hand_L",), ("Hand_R",))})

# ReActIdle (Blender rigify-style names; wrists and toes are End Sites).
_family("rigify-reactidle", {"pelvis": ("pelvis", "hips"), "neck": ("neck",), "head": ("face", "head")},
        {"hip": _sided(("thigh.L",), ("thigh.R",)), "knee": _sided(("shin.L",), ("shin.R",)),
         "ankle": _sided(("foot.L",), ("foot.R",)), "foot": _sided(("toe.L", "foot.L" + END), ("toe.R", "foot.R" + END)),
         "collar": _sided(("shoulder.L",), ("shoulder.R",)), "shoulder": _sided(("upper_arm.L",), ("upper_arm.R",)),
         "elbow": _sided(("forearm.L",), ("forearm.R",)), "wrist": _sided(("hand.L", "forearm.L" + END),
                                                                        ("hand.R", "forearm.R" + END))})

# Where SMPL's spine1 and spine2 lie along the pelvis-to-chest path of the reference body.
_ref = REFERENCE_TPOSE
_seg = [np.linalg.norm(_ref[3] - _ref[0]), np.linalg.norm(_ref[6] - _ref[3]), np.linalg.norm(_ref[9] - _ref[6])]
SPINE_FRACTIONS = (_seg[0] / sum(_seg), (_seg[0] + _seg[1]) / sum(_seg))


@dataclass(frozen=True)
class JointMap:
    """How each SMPL joint is read from the source: a source index, or a point along a path."""
    family: str
    sources: tuple[int, ...]            # source index per SMPL joint (-1 where interpolated)
    spine_path: tuple[int, ...]         # source indices pelvis .. chest (inclusive)
    collar_fallback: tuple[bool, bool]  # collars interpolated chest->shoulder (left, right)

    def apply(self, positions: np.ndarray) -> np.ndarray:
        """(F, J_src, 3) source positions -> (F, 22, 3)."""
        P = np.asarray(positions, dtype=np.float64)
        out = np.empty(P.shape[:-2] + (NUM_JOINTS, 3))
        for k, s in enumerate(self.sources):
            if s >= 0:
                out[..., k, :] = P[..., s, :]
        path = P[..., list(self.spine_path), :]
        for k, frac in zip((3, 6), SPINE_FRACTIONS):
            out[..., k, :] = _along_path(path, frac)
        for side, flag in zip(_SIDES, self.collar_fallback):
            if flag:
                c = JOINT_INDEX[f"{side}_collar"]
                out[..., c, :] = 0.55 * out[..., 9, :] + 0.45 * out[..., JOINT_INDEX[f"{side}_shoulder"], :]
        return out


def _along_path(path: np.ndarray, frac: float) -> np.ndarray:
    """Point at arc-length fraction ``frac`` of a polyline (..., K, 3), per frame."""
    seg = np.linalg.norm(np.diff(path, axis=-2), axis=-1)  # (..., K-1)
    if seg.shape[-1] == 0:
        return path[..., 0, :]
    cum = np.concatenate([np.zeros(seg.shape[:-1] + (1,)), np.cumsum(seg, axis=-1)], axis=-1)
    target = cum[..., -1:] * frac
    k = np.clip((cum[..., 1:] < target).sum(-1), 0, seg.shape[-1] - 1)  # segment index
    k_ = k[..., None]
    a = np.take_along_axis(cum, k_, -1)[..., 0]
    length = np.maximum(np.take_along_axis(seg, k_, -1)[..., 0], 1e-12)
    w = np.clip((target[..., 0] - a) / length, 0.0, 1.0)[..., None]
    p0 = np.take_along_axis(path, k_[..., None].repeat(3, -1), -2)[..., 0, :]
    p1 = np.take_along_axis(path, (k_ + 1)[..., None].repeat(3, -1), -2)[..., 0, :]
    return p0 * (1 - w) + p1 * w


def _norm(name: str) -> str:
    return name.split(":")[-1].strip().lower()


def _ancestors(parents: list[int], j: int) -> list[int]:
    out = []
    while j >= 0:
        out.append(j)
        j = parents[j]
    return out


def _spine_path(parents: list[int], pelvis: int, chest: int) -> tuple[int, ...]:
    up = _ancestors(parents, chest)
    if pelvis not in up:
        raise RetargetError("the chest joint is not below the pelvis")
    return tuple(reversed(up[: up.index(pelvis) + 1]))


def _lowest_common_ancestor(parents: list[int], a: int, b: int) -> int:
    aa = _ancestors(parents, a)
    for j in _ancestors(parents, b):
        if j in aa:
            return j
    return -1


def map_by_names(names: list[str], parents: list[int]) -> tuple[JointMap | None, dict[str, list[str]]]:
    """Try every family table; return the first full match, else None and each family's missing joints."""
    lookup: dict[str, int] = {}
    for i, n in enumerate(names):
        lookup.setdefault(_norm(n), i)
    missing_by_family: dict[str, list[str]] = {}
    for fam, table in FAMILIES.items():
        found: dict[str, int] = {}
        missing = []
        for joint, cands in table.items():
            idx = next((lookup[_norm(c)] for c in cands if _norm(c) in lookup), None)
            if idx is None:
                if joint != "spine3":
                    missing.append(f"{joint} ({' or '.join(cands)})")
            else:
                found[joint] = idx
        if missing:
            missing_by_family[fam] = missing
            continue
        if "spine3" not in found:
            found["spine3"] = _lowest_common_ancestor(parents, found["left_collar"], found["right_collar"])
        try:
            return _build_map(fam, found, parents, collars=(True, True)), {}
        except RetargetError as e:
            missing_by_family[fam] = [str(e)]
    return None, missing_by_family


def _build_map(family: str, found: dict[str, int], parents: list[int], collars=(True, True)) -> JointMap:
    sources = [-1] * NUM_JOINTS
    for joint, idx in found.items():
        sources[JOINT_INDEX[joint]] = idx
    fallback = []
    for side in _SIDES:
        has = f"{side}_collar" in found and found[f"{side}_collar"] != found.get("spine3")
        fallback.append(not has)
        if not has:
            sources[JOINT_INDEX[f"{side}_collar"]] = -1
    path = _spine_path(parents, found["pelvis"], found["spine3"])
    return JointMap(family, tuple(sources), path, (fallback[0], fallback[1]))


# ---------------------------------------------------------------- topology fallback

def _name_side(name: str) -> str | None:
    n = name.split(":")[-1]
    n = n.replace(END, "")
    left = bool(re.match(r"^(l(?=[A-Z_.\-])|left)", n) or re.search(r"([_.\-\s](l|left))$", n, re.I)
                or n.lower().startswith("left"))
    right = bool(re.match(r"^(r(?=[A-Z_.\-])|right)", n) or re.search(r"([_.\-\s](r|right))$", n, re.I)
                 or n.lower().startswith("right"))
    if left and not right:
        return "left"
    if right and not left:
        return "right"
    return None


def map_by_topology(names: list[str], parents: list[int], rest: np.ndarray) -> JointMap:
    """Map a humanoid whose names no table knows, from the hierarchy and one pose (J, 3)."""
    J = len(parents)
    children = {j: [c for c in range(J) if parents[c] == j] for j in range(J)}
    depth_below: dict[int, int] = {}

    def depth(j: int) -> int:
        if j not in depth_below:
            depth_below[j] = 1 + max((depth(c) for c in children[j]), default=0)
        return depth_below[j]

    def leaves(j: int) -> int:
        return 1 if not children[j] else sum(leaves(c) for c in children[j])

    pelvis = next((j for j in range(J) if sum(depth(c) >= 3 for c in children[j]) >= 3), None)
    if pelvis is None:
        raise RetargetError("no joint with two legs and a spine below it (expected a humanoid: a pelvis "
                            "with three chains of at least three joints)")
    branches = [c for c in children[pelvis] if depth(c) >= 3]
    spine_root = max(branches, key=leaves)
    legs = [c for c in branches if c != spine_root]
    if len(legs) < 2:
        raise RetargetError("found fewer than two legs below the pelvis")

    def main_path(j: int) -> list[int]:
        path = [j]
        while children[j]:
            j = max(children[j], key=depth)
            path.append(j)
        return path

    def chest_of(j: int) -> int | None:
        while True:
            big = [c for c in children[j] if depth(c) >= 2]
            if len(big) >= 3:
                return j
            if not big:
                return None
            j = max(big, key=leaves)

    chest = chest_of(spine_root)
    if chest is None:
        raise RetargetError("no chest joint with two arms and a neck (expected three branches above the spine)")
    up_branches = [c for c in children[chest] if depth(c) >= 2]

    def chain_length(j: int) -> float:
        p = main_path(j)
        return float(sum(np.linalg.norm(rest[b] - rest[a]) for a, b in zip([chest] + p[:-1], p)))

    head_branch = min(up_branches, key=chain_length)
    arms = sorted((c for c in up_branches if c != head_branch), key=chain_length)[-2:]
    if len(arms) < 2:
        raise RetargetError("found fewer than two arms at the chest")

    def two_longest(path: list[int]) -> int:
        """Index i in path where bones (i-1->i) and (i->i+1) are the longest consecutive pair."""
        lens = [np.linalg.norm(rest[path[k + 1]] - rest[path[k]]) for k in range(len(path) - 1)]
        best = max(range(len(lens) - 1), key=lambda k: lens[k] + lens[k + 1])
        return best + 1

    def limb(start: int, parent_joint: int, is_leg: bool) -> dict[str, int]:
        path = [parent_joint] + main_path(start)
        if len(path) < 4:
            raise RetargetError(f"limb starting at {names[start]!r} is too short")
        mid = two_longest(path)
        out = {"upper": path[mid - 1], "mid": path[mid], "lower": path[mid + 1]}
        out["before"] = path[mid - 2] if mid - 2 >= 1 else -1
        out["after"] = path[mid + 2] if mid + 2 < len(path) else path[-1]
        return out

    leg_info = [limb(l, pelvis, True) for l in legs[:2]]
    arm_info = [limb(a, chest, False) for a in arms]

    # Sides: names first, else geometry (left = cross(up, forward), forward from the toes).
    def side_of(info) -> str | None:
        for key in ("mid", "lower", "upper"):
            s = _name_side(names[info[key]])
            if s:
                return s
        return None

    up = rest[chest] - rest[pelvis]
    up /= max(np.linalg.norm(up), 1e-9)
    fwd = sum(rest[i["after"]] - rest[i["lower"]] for i in leg_info)
    fwd = fwd - (fwd @ up) * up
    left_dir = np.cross(up, fwd)

    def order(infos):
        sides = [side_of(i) for i in infos]
        if sides[0] and sides[1] and sides[0] != sides[1]:
            return (infos[0], infos[1]) if sides[0] == "left" else (infos[1], infos[0])
        if np.linalg.norm(left_dir) < 1e-9:
            raise RetargetError("cannot tell left from right: no side in the joint names and no clear facing")
        a, b = (rest[i["upper"]] @ left_dir for i in infos)
        return (infos[0], infos[1]) if a > b else (infos[1], infos[0])

    found: dict[str, int] = {"pelvis": pelvis, "spine3": chest}
    head_path = main_path(head_branch)
    found["neck"] = head_path[0]
    found["head"] = head_path[1] if len(head_path) > 1 else head_path[0]
    for side, info in zip(_SIDES, order(leg_info)):
        found[f"{side}_hip"], found[f"{side}_knee"] = info["upper"], info["mid"]
        found[f"{side}_ankle"], found[f"{side}_foot"] = info["lower"], info["after"]
    for side, info in zip(_SIDES, order(arm_info)):
        found[f"{side}_shoulder"], found[f"{side}_elbow"], found[f"{side}_wrist"] = info["upper"], info["mid"], info["lower"]
        if info["before"] >= 0 and info["before"] != chest:
            found[f"{side}_collar"] = info["before"]
    return _build_map("topology", found, parents)


def build_joint_map(names: list[str], parents: list[int], pose: np.ndarray) -> JointMap:
    """Name tables first, then topology; an unmappable skeleton gets an error naming what is missing."""
    jm, missing = map_by_names(names, parents)
    if jm is not None:
        return jm
    try:
        return map_by_topology(names, parents, np.asarray(pose, dtype=np.float64))
    except RetargetError as e:
        closest = min(missing.items(), key=lambda kv: len(kv[1])) if missing else ("", [])
        raise RetargetError(
            f"not a humanoid skeleton this tool can map: {e}. Closest known family "
            f"'{closest[0]}' lacks: {', '.join(closest[1][:8])}") from None
