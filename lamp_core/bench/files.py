"""Export and import speed of the formats beyond BVH, for a 10 s clip at 30 fps out (issue goal: FBX and
GLB with the body mesh in <= 0.2 s): FBX skeleton and skinned body, GLB with the body, SMPL npz; and
reading each back (FBX through the isolated ufbx child process, so its start-up is included)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..formats import read, write
from .bvh import _synthetic
from .common import median_time, row, skipped

CASES = (("fbx export, skeleton (10 s clip, 30 fps out)", "out.fbx", {"body": False}),
         ("fbx export, skinned body (10 s clip, 30 fps out)", "body.fbx", {"body": True}),
         ("glb export, skinned body (10 s clip, 30 fps out)", "body.glb", {"body": True}),
         ("smpl npz export (10 s clip, 30 fps out)", "out.npz", {}))


def run(quick: bool = False, bundle: Path | None = None) -> list[dict]:
    reps = 3 if quick else 5
    m = _synthetic(10, 20)
    frames = int((m.n_frames - 1) * 30 / 20) + 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, file, options in CASES:
            path = Path(tmp) / file
            try:
                t = median_time(lambda p=path, o=options: write(m, p, fps=30, **o), reps)
            except Exception as e:  # a missing optional dependency must not stop the other rows
                rows.append(skipped(name, f"{type(e).__name__}: {e}"))
                continue
            rows.append(row(name, t, frames, "frames"))
            if file != "out.fbx":
                rows.append(row(f"{file.split('.')[-1]} import of that file", median_time(lambda p=path: read(p),
                                                                                           reps), frames, "frames"))
    return rows
