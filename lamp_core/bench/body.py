"""Posing the body for the viewport, in poses per second (median of several runs): a 10 s clip at
20 fps (200 poses) skinned on the generated body, end to end (rotations from the clip, skeleton fit,
skinning), skinning alone, one frame per call as when scrubbing; and the same on a 10,000-vertex mesh (the body's vertex rows tiled) to
hold the bar the viewport needs (>= 200 poses/s at 10k vertices on 2 threads). Skinning is numpy, so
its threads are BLAS's (OMP_NUM_THREADS / OPENBLAS_NUM_THREADS), not ``--threads``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from .common import median_time, row, skipped

CLIP_ROW = "pose 10 s clip @ 20 fps, generated body ({v} vertices)"


def _clip():
    from ..data.synthetic import walking_motion
    return walking_motion(frames=200)


def run(quick: bool = False, bundle: Path | None = None) -> list[dict]:
    from ..body.model import DEFAULT_BODY, load_body

    if not DEFAULT_BODY.exists():
        return [skipped(CLIP_ROW.format(v="?"), f"{DEFAULT_BODY} is absent (run `lamp body build`)")]
    reps = 3 if quick else 7
    body = load_body(DEFAULT_BODY)
    clip = _clip()
    n = clip.n_frames

    def fresh():  # a new Motion each time, so its cached rotations are recomputed too
        return clip.replace(joints=clip.joints.copy())

    rows = [row(CLIP_ROW.format(v=body.n_vertices), median_time(lambda: body.pose(fresh()), reps), n, "poses")]
    rig = body.rig(clip)
    rows.append(row(f"skinning only, {body.n_vertices} vertices", median_time(lambda: body.skin(rig), reps),
                    n, "poses"))
    one = [rig.at(i) for i in range(n)]
    rows.append(row(f"skin one frame at a time (scrubbing), {body.n_vertices} vertices",
                    median_time(lambda: [body.skin(r) for r in one], reps), n, "poses"))
    idx = np.resize(np.arange(body.n_vertices), 10_000)
    big = replace(body, template=body.template[idx], weights=body.weights[idx],
                  j_regressor=body.j_regressor[:, idx] / 2)  # only the counts matter for timing
    rows.append(row("pose 10 s clip @ 20 fps, 10,000 vertices", median_time(lambda: big.pose(fresh()), reps),
                    n, "poses"))
    return rows
