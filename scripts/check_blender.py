"""Independent check that one of our BVH files imports into Blender as the motion we meant.

Run with Blender's Python module, not the project venv (no lamp_core import here; bpy + numpy only):

    python3 -m venv /work/blender-venv && /work/blender-venv/bin/pip install bpy==5.0.1
    /work/blender-venv/bin/python scripts/check_blender.py --bvh FILE.bvh --expect EXPECTED.npy \
        [--rest tpose|apose] [--out report.json] [--dump got.npy]

EXPECTED.npy holds joint positions (T, J, 3) in metres, Y up, one per BVH joint in the order the
file's hierarchy lists them (ROOT/JOINT lines, depth first). The checker imports the file with
Blender's own BVH importer, reads every pose bone's world head on every frame, converts Blender's
Z-up back to Y-up ((x, y, z) -> (x, z, -y)) and compares. It also checks that the armature stands
upright and, with --rest, that the left upper arm's rest direction is horizontal (tpose) or ~45
degrees down (apose). Exit status 1 when the max error exceeds --tol cm (default 1) or a check fails.
"""

import argparse
import json
import math
import re
import sys

import bpy
import numpy as np

UPPER_ARM_L = ("L_Shoulder", "LeftArm")  # the bone from the left shoulder to the elbow, per naming
HEAD, PELVIS = ("Head",), ("Pelvis", "Hips")


def bvh_joint_names(path):
    with open(path) as f:
        text = f.read().split("MOTION")[0]
    return re.findall(r"^\s*(?:ROOT|JOINT)\s+(\S+)", text, flags=re.M)


def first(names, candidates):
    return next((n for n in candidates if n in names), None)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bvh", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--rest", choices=("tpose", "apose"))
    ap.add_argument("--tol", type=float, default=1.0, help="max allowed error, cm")
    ap.add_argument("--out")
    ap.add_argument("--dump", help="save Blender's positions (T, J, 3), Y up, metres, to this .npy")
    a = ap.parse_args(argv)

    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_anim.bvh(filepath=a.bvh, global_scale=1.0, axis_forward="-Z", axis_up="Y",
                            rotate_mode="NATIVE", frame_start=1, update_scene_fps=True,
                            update_scene_duration=True)
    scene = bpy.context.scene
    arm = next(o for o in scene.objects if o.type == "ARMATURE")
    names = bvh_joint_names(a.bvh)
    expect = np.load(a.expect)
    problems = []
    if expect.shape[1:] != (len(names), 3):
        sys.exit(f"expected array {expect.shape} does not match the file's {len(names)} joints")
    missing = [n for n in names if n not in arm.pose.bones]
    if missing:
        problems.append(f"bones missing in Blender: {missing}")
        names = [n for n in names if n not in missing]
    T = expect.shape[0]
    got = np.zeros((T, len(names), 3))
    for f in range(T):
        scene.frame_set(scene.frame_start + f)
        mw = arm.matrix_world
        for k, n in enumerate(names):
            x, y, z = mw @ arm.pose.bones[n].head
            got[f, k] = (x, z, -y)  # Blender Z-up -> our Y-up
    if a.dump:
        np.save(a.dump, got)
    keep = [bvh_joint_names(a.bvh).index(n) for n in names]
    err = np.linalg.norm(got - expect[:, keep], axis=-1) * 100.0  # cm
    worst = np.unravel_index(np.argmax(err), err.shape)

    # Upright: head above pelvis (Blender Z) on the first frame.
    scene.frame_set(scene.frame_start)
    h, p = first(names, HEAD), first(names, PELVIS)
    upright = bool(h and p and (arm.matrix_world @ arm.pose.bones[h].head).z
                   > (arm.matrix_world @ arm.pose.bones[p].head).z)
    if not upright:
        problems.append("armature is not upright (head not above pelvis in Blender Z)")
    # Rest pose: left upper arm's elevation in the edit-bone rest (armature space, Z up).
    arm_bone, elev = first(names, UPPER_ARM_L), None
    if arm_bone:
        b = arm.data.bones[arm_bone]
        d = (b.tail_local - b.head_local).normalized()  # armature space (Bone.vector is parent-relative)
        elev = math.degrees(math.asin(max(-1.0, min(1.0, d.z))))
        if a.rest:
            want = 0.0 if a.rest == "tpose" else -45.0
            if abs(elev - want) > 10.0:
                problems.append(f"left upper arm rest elevation {elev:.1f} deg, want ~{want:.0f} for {a.rest}")

    keyed = arm.animation_data.action.frame_range
    report = {
        "bvh": a.bvh, "bones": len(arm.data.bones), "frames": T,
        "keyed_frames": int(round(keyed[1] - keyed[0])) + 1,
        "scene_fps": scene.render.fps / scene.render.fps_base,
        "max_cm": float(err.max()), "mean_cm": float(err.mean()),
        "worst": {"frame": int(worst[0]), "joint": names[worst[1]]},
        "upright": upright, "arm_elevation_deg": elev, "problems": problems,
    }
    if report["keyed_frames"] != T:  # (the importer sets scene.frame_end one past the last key)
        problems.append(f"Blender action has {report['keyed_frames']} keyed frames, expected {T}")
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
