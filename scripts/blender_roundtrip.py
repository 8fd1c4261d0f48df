"""Round-trip real BVH files through our BVH writer and Blender's BVH importer.

Run with the project venv (it calls scripts/check_blender.py with Blender's Python for each export):

    python3 -m venv /work/blender-venv && /work/blender-venv/bin/pip install bpy==5.0.1   # once
    .venv/bin/python scripts/blender_roundtrip.py [--blender-python /work/blender-venv/bin/python] [BVH ...]

Each input is read with lamp_core, written with several option sets (rest, joint names, fps,
in place), and the writer's expected joints (``prepare_for_export(...).joints``, reordered to the
file's joint order) are compared with what Blender shows. The Markdown table goes to stdout and to
reports/blender_check.md; exit status 1 if any check fails. Without BVH arguments it uses the assimp
fixture and a few Bandai-Namco files from /tmp/data (extracted from /work/shared/data if missing).
"""

import argparse
import glob
import itertools
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from lamp_core.formats import read, write
from lamp_core.formats.bvh import JOINT_NAME_SETS, dfs_order, prepare_for_export
from lamp_core.motion.kinematics import forward_kinematics

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "scripts" / "check_blender.py"
BANDAI = ("dataset-1_bow_active_001", "dataset-1_walk_normal_001", "dataset-1_dance-short_normal_001",
          "dataset-2_wave-both-hands_active_034")
# rest, names, fps, in_place
OPTIONS = [(r, n, f, n == "mixamo") for r, n, f in itertools.product(("tpose", "apose"), ("smpl", "mixamo"), (20, 30))]


def default_inputs() -> list[Path]:
    if not Path("/tmp/data/dataset").is_dir():
        with tarfile.open("/work/shared/data/bandai-namco-2.tar.xz") as tar:
            tar.extractall("/tmp/data")
    found = [Path(p) for stem in BANDAI for p in glob.glob(f"/tmp/data/dataset/*/data/{stem}.bvh")]
    return [Path("/work/shared/fixtures/assimp__01_01.bvh"), *found]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bvh", nargs="*", type=Path)
    ap.add_argument("--blender-python", default="/work/blender-venv/bin/python")
    a = ap.parse_args()
    rows = ["| file | rest | names | fps | in place | frames | bones | max cm | mean cm | rig-vs-joints "
            "max cm | Blender-vs-rig max cm | arm elev ° | ok |", "|" + "---|" * 13]
    failed = 0
    order = dfs_order()
    with tempfile.TemporaryDirectory() as tmp:
        for src in a.bvh or default_inputs():
            motion = read(src)
            for rest, names, fps, in_place in OPTIONS:
                stem = f"{src.stem}_{rest}_{names}_{fps}{'_inplace' if in_place else ''}"
                out, exp = Path(tmp, stem + ".bvh"), Path(tmp, stem + ".npy")
                write(motion, out, rest=rest, names=names, fps=fps, in_place=in_place)
                m = prepare_for_export(motion, fps, in_place, rest=rest)
                np.save(exp, m.joints[:, order])  # the file's joint order (depth first)
                # The writer's own rig (IK then FK): how far it is from the joints, and from Blender.
                rig = forward_kinematics(*m.local_rotations(rest))[0]
                ik = np.linalg.norm(rig - m.joints, axis=-1).max()
                got = Path(tmp, stem + "_got.npy")
                proc = subprocess.run([a.blender_python, str(CHECKER), "--bvh", str(out), "--expect", str(exp),
                                       "--rest", rest, "--dump", str(got)], capture_output=True, text=True)
                vs_rig = np.linalg.norm(np.load(got) - rig[:, order], axis=-1).max() if got.exists() else np.nan
                try:
                    r = json.loads(proc.stdout[proc.stdout.index("{"):])
                except ValueError:
                    sys.stderr.write(proc.stdout + proc.stderr)
                    r = {"frames": "?", "bones": "?", "max_cm": float("nan"), "mean_cm": float("nan"),
                         "arm_elevation_deg": None, "ok": False, "problems": ["checker crashed"]}
                failed += proc.returncode != 0
                elev = "-" if r["arm_elevation_deg"] is None else f"{r['arm_elevation_deg']:.1f}"
                ok = "yes" if proc.returncode == 0 else "NO: " + "; ".join(r["problems"])
                rows.append(f"| {src.name} | {rest} | {names} | {fps} | {in_place} | {r['frames']} | {r['bones']} "
                            f"| {r['max_cm']:.4f} | {r['mean_cm']:.4f} | {ik * 100:.4f} | {vs_rig * 100:.4f} "
                            f"| {elev} | {ok} |")
                print(rows[-1], file=sys.stderr, flush=True)
    table = "\n".join(rows) + "\n"
    print(table)
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "blender_check.md").write_text("# Blender BVH import check\n\n" + table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
