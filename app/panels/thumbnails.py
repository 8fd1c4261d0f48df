"""Stick-figure thumbnails for library results: a side view of a few frames of a clip, drawn with QPainter.

Why split in two: reading a few hundred motions from the library is slow, so a worker thread does that and
``side_view`` (numpy only); the QPainter drawing, which is quick, runs on the GUI thread. It makes only a
handful of Qt calls per thumbnail: the installed PySide6 6.12 on Python 3.11 drops one reference to None on
every void Qt call, and thousands of them crash the interpreter. The panel caches the pixmaps by
(library, clip id), so a search that lists the same clips again draws nothing."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QLineF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from lamp_core.motion.skeleton import KINEMATIC_CHAINS

WIDTH, HEIGHT = 96, 40
FRAMES = 4
COLOURS = (QColor(230, 90, 70), QColor(70, 140, 230), QColor(200, 200, 200))   # right, left, spine / floor


def side_view(joints: np.ndarray, frames: int = FRAMES) -> np.ndarray:
    """(T, 22, 3) -> (frames, 22, 2) poses seen from the side (forward z right, up y), evenly spaced in
    time, each with its root at x = 0 and the floor of the whole clip at y = 0."""
    j = np.asarray(joints, dtype=np.float64)
    pick = np.linspace(0, len(j) - 1, min(frames, len(j))).round().astype(int)
    poses = j[pick][..., [2, 1]].copy()
    poses[..., 0] -= poses[:, :1, 0]
    poses[..., 1] -= j[..., 1].min()
    return poses


ANIMATION_FRAMES = 16      # poses kept per clip for the selected row's moving thumbnail


def render_thumbnail(joints: np.ndarray, width: int = WIDTH, height: int = HEIGHT) -> QImage:
    return render_poses(side_view(joints), width, height)


def render_poses(poses: np.ndarray, width: int = WIDTH, height: int = HEIGHT) -> QImage:
    """A transparent strip of small stick figures, one slot per sampled frame, left to right in time."""
    img = QImage(width, height, QImage.Format_ARGB32_Premultiplied)
    img.fill(Qt.transparent)
    if not np.isfinite(poses).all() or len(poses) == 0:
        return img
    slot = width / len(poses)
    span = max(float(np.ptp(poses[..., 1])), float(np.abs(poses[..., 0]).max() * 2), 1e-3)
    scale = (height - 4) / span
    xy = np.stack([slot * (np.arange(len(poses))[:, None] + 0.5) + poses[..., 0] * scale,
                   height - 2 - poses[..., 1] * scale], -1)                       # (frames, 22, 2) pixels
    # one drawLines call per colour: few Qt calls per thumbnail (see the module docstring)
    lines: dict[int, list] = {0: [], 1: [], 2: []}
    for chain, colour in zip(KINEMATIC_CHAINS, (0, 1, 2, 0, 1)):
        for a, b in itertools.pairwise(chain):
            lines[colour] += [QLineF(*xy[k, a], *xy[k, b]) for k in range(len(poses))]
    lines[2].append(QLineF(0, height - 2, width, height - 2))
    for k in range(len(poses)):        # a small cross for the head
        hx, hy = xy[k, 15]
        lines[2] += [QLineF(hx - 1.5, hy, hx + 1.5, hy), QLineF(hx, hy - 1.5, hx, hy + 1.5)]
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    for colour, segs in lines.items():
        p.setPen(QPen(COLOURS[colour], 1.4))
        p.drawLines(segs)
    p.end()
    return img
