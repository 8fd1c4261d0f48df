"""Independent check that our BVH, FBX and GLB files import into Blender as the motion we meant.

Run with Blender's Python module, not the project venv (no lamp_core import here; bpy + numpy only):

    python3 -m venv /work/blender-venv && /work/blender-venv/bin/pip install bpy==5.0.1
    /work/blender-venv/bin/python scripts/check_blender.py --file FILE.bvh|FILE.fbx|FILE.glb \
        --expect EXPECTED.npy [--names NAMES.json | --names Pelvis,L_Hip,...] [--fps 30] \
        [--body] [--rest tpose|apose] [--out report.json] [--dump got.npy]

(``--bvh FILE`` still works and means ``--file FILE``.)

EXPECTED.npy holds joint positions (T, J, 3) in metres, Y up, one per name in --names (a JSON list,
or comma separated); for a BVH without --names, one per BVH joint in the order the file's hierarchy
lists them (ROOT/JOINT lines, depth first). The checker sets the scene frame rate to --fps before
importing, so the glTF importer (which maps key times with the scene's fps) puts one key on each frame;
the BVH and FBX importers set the scene's rate from the file, and the checker fails if that differs
from --fps. It imports the file with Blender's own importer (BVH: import_anim.bvh;
FBX: import_scene.fbx, global scale 1 so the file's own UnitScaleFactor decides centimetres, no
automatic bone orientation; glTF: import_scene.gltf), reads every named pose bone's world head on
every keyed frame, converts Blender's Z-up back to Y-up ((x, y, z) -> (x, z, -y)) and compares.
It also checks that the armature stands upright (head above pelvis) and, with --rest, that the left
upper arm's rest direction (shoulder head to elbow head) is horizontal (tpose) or ~45 degrees down
(apose). With --body it also checks the skin: a mesh object with an Armature modifier pointing at
the armature, vertex groups named after the joints carrying non-zero weight, and, evaluated through
the depsgraph at the first, middle and last frame, a posed mesh that is upright (1.4-2.0 m tall
along Blender Z on the first frame, lowest point near Z=0) and follows the skeleton: the vertices
bound to one joint with weight >= 0.95 keep their place relative to that bone within 2 cm and lie
within 35 cm of its head, the lowest vertex stays a few cm below the lowest foot joint and the
horizontal centre near the pelvis. Exit status 1 when the max error exceeds
--tol cm (default 1) or a check fails.
"""

import argparse
import json
import math
import re
import sys
from pathlib import Path

import bpy
import numpy as np

UPPER_ARM_L = ("L_Shoulder", "LeftArm")  # the bone from the left shoulder to the elbow, per naming
HEAD, PELVIS = ("Head",), ("Pelvis", "Hips")
FEET = ("L_Ankle", "R_Ankle", "L_Foot", "R_Foot", "LeftFoot", "RightFoot", "LeftToeBase", "RightToeBase")


def bvh_joint_names(path):
    with open(path) as f:
        text = f.read().split("MOTION")[0]
    return re.findall(r"^\s*(?:ROOT|JOINT)\s+(\S+)", text, flags=re.MULTILINE)


def first(names, candidates):
    return next((n for n in candidates if n in names), None)


def parse_names(arg):
    if arg is None:
        return None
    if Path(arg).is_file():
        return list(json.loads(Path(arg).read_text()))
    return [n for n in arg.split(",") if n]


def import_file(path, fps):
    """Import into an empty scene; return the armature object."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    if fps:  # the FBX and glTF importers turn key times into frames with the scene's fps
        scene.render.fps, scene.render.fps_base = round(fps), round(fps) / fps
    ext = Path(path).suffix.lower()
    if ext == ".bvh":
        bpy.ops.import_anim.bvh(filepath=path, global_scale=1.0, axis_forward="-Z", axis_up="Y",
                                rotate_mode="NATIVE", frame_start=1, update_scene_fps=True,
                                update_scene_duration=True)
    elif ext == ".fbx":
        bpy.ops.import_scene.fbx(filepath=path, global_scale=1.0, automatic_bone_orientation=False,
                                 ignore_leaf_bones=False, force_connect_children=False, use_anim=True,
                                 anim_offset=1.0, use_prepost_rot=True, axis_forward="-Z", axis_up="Y")
    elif ext in (".glb", ".gltf"):
        bpy.ops.import_scene.gltf(filepath=path, guess_original_bind_pose=False, import_shading="NORMALS",
                                  disable_bone_shape=True)
    else:
        sys.exit(f"unsupported file type {ext!r} (want .bvh, .fbx, .glb or .gltf)")
    arms = [o for o in scene.objects if o.type == "ARMATURE"]
    if len(arms) != 1:
        sys.exit(f"expected one armature in the imported scene, found {len(arms)}")
    return arms[0]


def keyed_range(arm):
    """(first, last) keyed frame of the armature's action (Blender 5 slotted actions included)."""
    ad = arm.animation_data
    if ad is None or ad.action is None:
        return None
    lo, hi = ad.action.frame_range
    return round(lo), round(hi)


def mesh_checks(scene, arm, mesh_objs, names, expect, frames, problems):
    """Skin and posed-mesh checks; returns a dict for the report."""
    rep = {"mesh_objects": [m.name for m in mesh_objs]}
    skinned = [m for m in mesh_objs
               if any(md.type == "ARMATURE" and md.object == arm for md in m.modifiers)]
    rep["armature_modifier"] = bool(skinned)
    if not skinned:
        problems.append("no mesh with an Armature modifier pointing at the armature")
        rep["skinned"] = False
        return rep
    mo = skinned[0]
    totals, rigid = {}, {}  # rigid: vertices that follow one joint with weight >= 0.95
    idx_name = {g.index: g.name for g in mo.vertex_groups}
    for v in mo.data.vertices:
        for ge in v.groups:
            if ge.weight > 0:
                n = idx_name[ge.group]
                totals[n] = totals.get(n, 0.0) + ge.weight
                if ge.weight >= 0.95:
                    rigid.setdefault(n, []).append(v.index)
    rigid = {n: np.array(ix) for n, ix in rigid.items() if n in names and n in arm.pose.bones and len(ix) >= 10}
    weighted = [n for n in names if totals.get(n, 0.0) > 0]
    no_group = [n for n in names if n not in idx_name.values()]
    rep["vertex_groups"] = len(mo.vertex_groups)
    rep["joints_with_weights"] = len(weighted)
    unweighted_verts = sum(1 for v in mo.data.vertices if not any(ge.weight > 0 for ge in v.groups))
    rep["vertices"], rep["unweighted_vertices"] = len(mo.data.vertices), unweighted_verts
    if no_group:
        problems.append(f"joints without a vertex group: {no_group}")
    # The hand joints of a 24-joint rig may carry little weight; every one of the 22 body joints must.
    if len(weighted) < min(len(names), 22):
        problems.append(f"only {len(weighted)} of {len(names)} joints carry skin weights")
    if unweighted_verts:
        problems.append(f"{unweighted_verts} vertices have no skin weight")
    rep["skinned"] = not no_group and len(weighted) >= min(len(names), 22) and not unweighted_verts

    feet = [k for k, n in enumerate(names) if n in FEET]
    pel = first(names, PELVIS)
    posed, local = [], {n: [] for n in rigid}
    for f in frames:
        scene.frame_set(f)
        dg = bpy.context.evaluated_depsgraph_get()
        ev = mo.evaluated_get(dg)
        me = ev.to_mesh()
        co = np.empty(len(me.vertices) * 3)
        me.vertices.foreach_get("co", co)
        ev.to_mesh_clear()
        co = co.reshape(-1, 3)
        M = np.array(mo.matrix_world)
        w = co @ M[:3, :3].T + M[:3, 3]
        lo, hi = w.min(0), w.max(0)
        # Each joint's rigidly bound vertices, seen from that bone: they must not move relative to it.
        for n, ix in rigid.items():
            B = np.array(arm.matrix_world @ arm.pose.bones[n].matrix)
            R = B[:3, :3] / np.linalg.norm(B[:3, :3], axis=0)  # without the armature's scale (FBX: 0.01)
            local[n].append(R.T @ (w[ix].mean(0) - B[:3, 3]))  # metres, in the bone's axes
        k = f - frames[0]
        foot_z = float(expect[k, feet, 1].min()) if feet else float("nan")  # Y up = Blender Z
        pz = (arm.matrix_world @ arm.pose.bones[pel].head) if pel else None
        posed.append({"frame": f, "z_min": float(lo[2]), "z_max": float(hi[2]),
                      "height": float(hi[2] - lo[2]), "extent_xy": [float(x) for x in (hi - lo)[:2]],
                      "lowest_foot_joint_z": float(foot_z),
                      "centre_to_pelvis_xy": (float(np.hypot(*((lo + hi)[:2] / 2 - np.array(pz[:2]))))
                                              if pz is not None else None)})
    rep["posed"] = posed
    drift = {n: float(np.ptp(np.array(v), axis=0).max() * 100) for n, v in local.items()}
    rep["rigid_joints"] = len(drift)
    rep["bone_drift_max_cm"] = max(drift.values()) if drift else None
    # ... and sit on that bone (a group bound to the wrong bone would follow it rigidly but far away).
    reach = {n: float(np.linalg.norm(np.array(v), axis=1).max() * 100) for n, v in local.items()}
    rep["bound_vertices_to_bone_head_max_cm"] = max(reach.values()) if reach else None
    far = {n: round(d, 1) for n, d in reach.items() if d > 35.0}
    if far:
        problems.append(f"vertices bound to these joints lie far from them (cm): {far}")
    if not drift:
        problems.append("no joint has rigidly bound vertices to follow")
    elif rep["bone_drift_max_cm"] > 2.0:
        worst = max(drift, key=drift.get)
        problems.append(f"mesh does not follow bone {worst}: its vertices drift {drift[worst]:.2f} cm "
                        f"relative to it between frames {frames}")
    p0 = posed[0]
    upright = 1.4 <= p0["height"] <= 2.0 and p0["height"] >= max(p0["extent_xy"]) and abs(p0["z_min"]) < 0.10
    rep["mesh_upright"] = upright
    if not upright:
        problems.append(f"mesh not upright on frame {p0['frame']}: height {p0['height']:.3f} m along Z, "
                        f"xy extent {p0['extent_xy'][0]:.2f}x{p0['extent_xy'][1]:.2f} m, lowest Z {p0['z_min']:.3f} m")
    for p in posed:
        gap = p["lowest_foot_joint_z"] - p["z_min"]  # sole below the ankle/toe joints: a few cm
        if not (-0.02 <= gap <= 0.15) or (p["centre_to_pelvis_xy"] is not None and p["centre_to_pelvis_xy"] > 0.5):
            problems.append(f"mesh does not follow the skeleton on frame {p['frame']}: lowest vertex "
                            f"{p['z_min']:.3f} m vs lowest foot joint {p['lowest_foot_joint_z']:.3f} m, "
                            f"bbox centre {p['centre_to_pelvis_xy']:.3f} m from the pelvis")
    return rep


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--file", help=".bvh, .fbx, .glb or .gltf")
    src.add_argument("--bvh", help="same as --file (kept for old callers)")
    ap.add_argument("--expect", required=True)
    ap.add_argument("--names", help="joint names of EXPECTED's columns: a JSON list file or comma separated")
    ap.add_argument("--fps", type=float, help="the file's frame rate (required for FBX/glTF; checked "
                    "against what Blender reads from a BVH or FBX)")
    ap.add_argument("--body", action="store_true", help="the file has the skinned body: check the skin")
    ap.add_argument("--rest", choices=("tpose", "apose"))
    ap.add_argument("--tol", type=float, default=1.0, help="max allowed error, cm")
    ap.add_argument("--out")
    ap.add_argument("--dump", help="save Blender's positions (T, J, 3), Y up, metres, to this .npy")
    a = ap.parse_args(argv)
    path = a.file or a.bvh
    ext = Path(path).suffix.lower()
    names_all = parse_names(a.names) or (bvh_joint_names(path) if ext == ".bvh" else None)
    if names_all is None:
        sys.exit("--names is required for FBX and glTF files")
    if ext != ".bvh" and not a.fps:
        sys.exit("--fps is required for FBX and glTF files")

    arm = import_file(path, a.fps if ext != ".bvh" else None)
    scene = bpy.context.scene
    expect = np.load(a.expect)
    problems = []
    scene_fps = scene.render.fps / scene.render.fps_base
    # The BVH and FBX importers set the scene's rate from the file (Frame Time; TimeMode/CustomFrameRate);
    # glTF has none, so there it is the --fps we set.
    if a.fps and abs(scene_fps - a.fps) > 1e-3:
        problems.append(f"Blender reads the file at {scene_fps:g} fps, expected {a.fps:g}")
    if expect.shape[1:] != (len(names_all), 3):
        sys.exit(f"expected array {expect.shape} does not match the {len(names_all)} joint names")
    missing = [n for n in names_all if n not in arm.pose.bones]
    if missing:
        problems.append(f"bones missing in Blender: {missing}")
    names = [n for n in names_all if n not in missing]
    keep = [names_all.index(n) for n in names]
    expect = expect[:, keep]
    T = expect.shape[0]
    kr = keyed_range(arm)
    start = kr[0] if kr else 1
    # BVH (frame_start=1) and FBX (anim_offset=1) key from frame 1; Blender's glTF importer keys t=0 on frame 0.
    if start != (0 if ext in (".glb", ".gltf") else 1):
        problems.append(f"keys start on frame {start}, not 1")
    got = np.zeros((T, len(names), 3))
    for f in range(T):
        scene.frame_set(start + f)
        mw = arm.matrix_world
        for k, n in enumerate(names):
            x, y, z = mw @ arm.pose.bones[n].head
            got[f, k] = (x, z, -y)  # Blender Z-up -> our Y-up
    if a.dump:
        np.save(a.dump, got)
    err = np.linalg.norm(got - expect, axis=-1) * 100.0  # cm
    worst = np.unravel_index(np.argmax(err), err.shape)

    # Upright: head above pelvis (Blender Z) on the first frame.
    scene.frame_set(start)
    h, p = first(names, HEAD), first(names, PELVIS)
    upright = bool(h and p and (arm.matrix_world @ arm.pose.bones[h].head).z
                   > (arm.matrix_world @ arm.pose.bones[p].head).z)
    if not upright:
        problems.append("armature is not upright (head not above pelvis in Blender Z)")
    # Rest pose: left upper arm's elevation in the edit-bone rest (armature space, Z up).
    arm_bone, elev = first(names, UPPER_ARM_L), None
    if arm_bone:
        # Shoulder-to-elbow from the bones' rest heads (the tail is not the elbow in FBX/glTF imports:
        # without automatic bone orientation a bone points along its own local Y).
        b = arm.data.bones[arm_bone]
        tip = b.children[0].head_local if b.children else b.tail_local
        d = (arm.matrix_world.to_3x3() @ (tip - b.head_local)).normalized()  # world, Z up
        elev = math.degrees(math.asin(max(-1.0, min(1.0, d.z))))
        if a.rest:
            want = 0.0 if a.rest == "tpose" else -45.0
            if abs(elev - want) > 10.0:
                problems.append(f"left upper arm rest elevation {elev:.1f} deg, want ~{want:.0f} for {a.rest}")

    keyed = (kr[1] - kr[0] + 1) if kr else 0
    report = {
        "file": path, "format": ext[1:], "bones": len(arm.data.bones), "frames": T,
        "keyed_frames": keyed, "first_key": start,
        "scene_fps": scene_fps,
        "max_cm": float(err.max()), "mean_cm": float(err.mean()),
        "worst": {"frame": int(worst[0]), "joint": names[worst[1]]},
        "upright": upright, "arm_elevation_deg": elev, "problems": problems,
    }
    meshes = [o for o in scene.objects if o.type == "MESH"]
    if a.body:
        frames = sorted({start, start + T // 2, start + T - 1})
        report["mesh"] = mesh_checks(scene, arm, meshes, names, expect, frames, problems)
        report["skinned"] = report["mesh"]["skinned"]
        report["upright"] = upright and report["mesh"].get("mesh_upright", False)
    elif meshes:
        report["mesh_objects"] = [m.name for m in meshes]
    if keyed != T:  # (the BVH importer sets scene.frame_end one past the last key)
        problems.append(f"Blender action has {keyed} keyed frames, expected {T}")
    if report["max_cm"] > a.tol:
        problems.append(f"max error {report['max_cm']:.3f} cm > {a.tol} cm")
    report["ok"] = not problems
    text = json.dumps(report, indent=1)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else None))
