"""Round-trip real clips through our BVH, FBX and GLB writers and Blender's importers.

Run with the project venv (it calls scripts/check_blender.py with Blender's Python for each export):

    python3 -m venv /work/blender-venv && /work/blender-venv/bin/pip install bpy==5.0.1   # once
    .venv/bin/python scripts/blender_roundtrip.py [--blender-python /work/blender-venv/bin/python] \
        [--formats bvh,fbx,fbx-body,glb-body] [--fps 20,30] [--names smpl,mixamo] [CLIP ...]

Each clip (any file lamp_core reads) is written, for every joint-name set and fps, as a BVH (T-pose
with SMPL names; A-pose, in place with Mixamo names), an FBX skeleton, an FBX with the skinned body
and a GLB with the skinned body. The expected joints are the writers' own: for the BVH
``prepare_for_export(...).joints`` in the file's joint order, for FBX / GLB
``skeleton_export.build(...).world()`` (22 joints, or the body rig's 24). check_blender.py imports
each file with Blender's importer and compares every joint's world position on every frame (1 cm
tolerance); for the body files it also checks the skin (Armature modifier, weighted vertex groups)
and that the posed mesh is upright and follows the feet. The Markdown table goes to stdout and to
reports/blender_check.md; exit status 1 if any check fails. Without clip arguments it uses the
assimp fixture and a Bandai-Namco walk and wave from /tmp/data (extracted from /work/shared/data if
missing; skipped if that archive is absent).
"""

import argparse
import glob
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

from lamp_core.formats import read, write
from lamp_core.formats.bvh import JOINT_NAME_SETS, dfs_order, prepare_for_export
from lamp_core.formats.skeleton_export import build

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "scripts" / "check_blender.py"
BANDAI = ("dataset-1_walk_normal_001", "dataset-2_wave-both-hands_active_034")
BANDAI_TAR = Path("/work/shared/data/bandai-namco-2.tar.xz")
FORMATS = ("bvh", "fbx", "fbx-body", "glb-body")


def default_inputs() -> list[Path]:
    if not Path("/tmp/data/dataset").is_dir() and BANDAI_TAR.exists():
        with tarfile.open(BANDAI_TAR) as tar:
            tar.extractall("/tmp/data")
    found = [Path(p) for stem in BANDAI for p in glob.glob(f"/tmp/data/dataset/*/data/{stem}.bvh")]
    return [Path("/work/shared/fixtures/assimp__01_01.bvh"), *found]


def export(motion, fmt: str, names: str, fps: float, out_dir: Path, stem: str):
    """Write one file; return (path, expected (T, J, 3), joint names, checker options, the clip's own
    joints (at the clip's fps) in the same order as the first 22 expected columns, and those joints
    lerped onto fps)."""
    if fmt == "bvh":
        rest, in_place = ("tpose", False) if names == "smpl" else ("apose", True)
        path = write(motion, out_dir / f"{stem}.bvh", rest=rest, names=names, fps=fps, in_place=in_place)
        order = dfs_order()
        exp = prepare_for_export(motion, fps, in_place, rest=rest).joints[:, order]
        clip = motion.in_place() if in_place else motion
        return (Path(path), exp, [JOINT_NAME_SETS[names][j] for j in order], ["--rest", rest, "--fps", str(fps)],
                clip.joints[:, order], clip.resample(fps).joints[:, order])
    body = fmt.endswith("-body")
    ext = ".glb" if fmt.startswith("glb") else ".fbx"
    path = write(motion, out_dir / f"{stem}{ext}", fps=fps, names=names, body=body, rest="tpose")
    sk = build(motion, fps, False, None, "tpose", names, body=True if body else None)
    opts = ["--fps", str(fps)] + (["--body"] if body else ["--rest", "tpose"])
    source = motion.joints  # the clip's own joints, at its own fps (SMPL-22 order)
    return Path(path), sk.world(), list(sk.names), opts, source, motion.resample(fps).joints


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("clips", nargs="*", type=Path)
    ap.add_argument("--blender-python", default="/work/blender-venv/bin/python")
    ap.add_argument("--formats", default=",".join(FORMATS), help=f"comma separated, of {', '.join(FORMATS)}")
    ap.add_argument("--fps", default="20,30")
    ap.add_argument("--names", default="smpl,mixamo")
    ap.add_argument("--keep", type=Path, help="keep the exports and reports in this folder")
    a = ap.parse_args()
    formats = a.formats.split(",")
    rows = [("| file | format | names | fps | frames | joints | max cm | mean cm | vs clip on clip frames max cm "
             "| vs clip lerped, all frames, max cm | skinned | skin drift cm | upright | s | ok |"), "|" + "---|" * 15]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = a.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for src in a.clips or default_inputs():
            motion = read(src)
            for names in a.names.split(","):
                for fps in (float(f) for f in a.fps.split(",")):
                    for fmt in formats:
                        stem = f"{src.stem}_{fmt}_{names}_{fps:g}"
                        path, exp, jnames, opts, source, source_lerp = export(motion, fmt, names, fps, out_dir, stem)
                        e, nj, rep = out_dir / f"{stem}.npy", out_dir / f"{stem}.names.json", out_dir / f"{stem}.json"
                        got = out_dir / f"{stem}_got.npy"
                        got.unlink(missing_ok=True)
                        np.save(e, exp)
                        nj.write_text(json.dumps(jnames))
                        t0 = time.time()
                        proc = subprocess.run([a.blender_python, str(CHECKER), "--file", str(path), "--expect", str(e),
                                               "--names", str(nj), "--out", str(rep), "--dump", str(got), *opts],
                                              capture_output=True, text=True, check=False)
                        dt = time.time() - t0
                        try:
                            r = json.loads(rep.read_text())
                        except (OSError, ValueError):
                            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
                            r = {"frames": "?", "bones": "?", "max_cm": float("nan"), "mean_cm": float("nan"),
                                 "upright": False, "ok": False, "problems": ["checker crashed"]}
                        failed += proc.returncode != 0
                        # Blender vs the clip itself (the 22 SMPL joints; the body rig is refitted to the
                        # body's proportions, so its joints sit a few cm off the clip's by design).
                        # Only on the export frames that fall on a clip frame: in between, the writers
                        # slerp rotations where the clip would lerp positions (tens of cm apart where
                        # the clip jumps between two frames).
                        src_cm = lerp_cm = float("nan")
                        if got.exists():
                            g = np.load(got)
                            if g.shape[0] == len(source_lerp):
                                lerp_cm = np.linalg.norm(g[:, :22] - source_lerp[:, :22], axis=-1).max() * 100
                            i = np.arange(len(g)) * motion.fps / fps
                            on = np.abs(i - np.round(i)) < 1e-6
                            i = np.round(i[on]).astype(int)
                            if len(i) and i.max() < len(source) and g.shape[1] >= 22:
                                src_cm = np.linalg.norm(g[on, :22] - source[i, :22], axis=-1).max() * 100
                        d = r.get("mesh", {}).get("bone_drift_max_cm")
                        drift = "-" if d is None else f"{d:.2f}"
                        skinned = {True: "yes", False: "NO"}.get(r.get("skinned"), "-")
                        ok = "yes" if proc.returncode == 0 else "NO: " + "; ".join(r["problems"])
                        rows.append(f"| {src.name} | {fmt} | {names} | {fps:g} | {r['frames']} | {len(jnames)} "
                                    f"| {r['max_cm']:.4f} | {r['mean_cm']:.4f} | {src_cm:.2f} | {lerp_cm:.2f} "
                                    f"| {skinned} | {drift} "
                                    f"| {'yes' if r['upright'] else 'NO'} | {dt:.0f} | {ok} |")
                        print(rows[-1], file=sys.stderr, flush=True)
    table = "\n".join(rows) + "\n"
    print(table)
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "blender_check.md").write_text(
        "# Blender import check (BVH, FBX, GLB)\n\nscripts/blender_roundtrip.py with bpy "
        "(scripts/check_blender.py); errors are world joint positions, Blender vs the writer, every frame.\n\n"
        + table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
