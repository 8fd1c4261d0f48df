"""BVH import and export speed, in source frames per second (median of several runs).

Import: the CMU cgspeed fixture (31 joints, 120 fps, 2,752 frames) when ../shared is present, and a
synthetic 120 fps SMPL-22 take always. Export: a 10 s clip and a 2-minute clip at 30 fps output.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..formats import read, write
from ..motion import Motion
from .common import median_time, row, skipped

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(os.environ.get("LAMP_SHARED", REPO.parent / "shared")) / "fixtures" / "assimp__01_01.bvh"
FIXTURE_ROW = "bvh import (CMU cgspeed 31 joints, 120 fps)"


def _synthetic(seconds: float, fps: float) -> Motion:
    from ..motion.kinematics import forward_kinematics
    from ..motion.rotations import axis_angle_to_matrix
    from ..motion.skeleton import rest_offsets

    n = int(seconds * fps)
    t = np.arange(n) / fps
    rng = np.random.default_rng(0)
    aa = 0.3 * np.sin(2 * np.pi * t[:, None, None] * rng.uniform(0.3, 1.5, size=(1, 22, 3)))
    root = np.stack([0.5 * t, 0.9 + 0 * t, 0 * t], -1)
    P, _ = forward_kinematics(axis_angle_to_matrix(aa), root, rest_offsets())
    return Motion(P, fps)


def run(quick: bool = False, bundle: Path | None = None) -> list[dict]:
    reps = 3 if quick else 7
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if FIXTURE.exists():
            rows.append(row(FIXTURE_ROW, median_time(lambda: read(FIXTURE), reps), 2752, "frames"))
        else:
            rows.append(skipped(FIXTURE_ROW, f"{FIXTURE} is absent"))
        m120 = _synthetic(60, 120)
        src = write(m120, tmp / "synthetic120.bvh")
        rows.append(row("bvh import (SMPL-22, 120 fps, 60 s)", median_time(lambda: read(src), reps),
                        m120.n_frames, "frames"))
        for secs in (10, 120):
            m = _synthetic(secs, 20)
            out_frames = int((m.n_frames - 1) * 30 / 20) + 1
            t = median_time(lambda m=m: write(m, tmp / "out.bvh", fps=30), min(reps, 5))
            rows.append(row(f"bvh export ({secs} s clip, 30 fps out)", t, out_frames, "frames"))
    return rows
