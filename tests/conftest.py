"""Shared test fixtures: synthetic motions built by FK, and real files from ../shared (skipped with a
reason when that folder is absent)."""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import pytest

from lamp_core.motion import Motion
from lamp_core.motion.kinematics import forward_kinematics
from lamp_core.motion.rotations import axis_angle_to_matrix, yaw_matrix
from lamp_core.motion.skeleton import rest_offsets

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LAMP_SHARED", REPO.parent / "shared"))
CACHE = Path(tempfile.gettempdir()) / "lamp-test-cache"


def walking_motion(frames: int = 80, heading: float = 0.0, turn_rate: float = 0.0, fps: float = 20.0,
                   seed: int = 0) -> Motion:
    """A rigid SMPL-22 body walking (legs and arms swinging) along a heading, optionally turning."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / fps
    L = np.broadcast_to(np.eye(3), (frames, 22, 3, 3)).copy()
    yaw = heading + turn_rate * t
    L[:, 0] = yaw_matrix(yaw)
    swing = 0.5 * np.sin(2 * np.pi * 1.0 * t)
    zeros = np.zeros_like(t)
    L[:, 1] = axis_angle_to_matrix(np.stack([swing, zeros, zeros], -1))
    L[:, 2] = axis_angle_to_matrix(np.stack([-swing, zeros, zeros], -1))
    knee = 0.4 + 0.4 * np.sin(2 * np.pi * t + 1.0)
    L[:, 4] = axis_angle_to_matrix(np.stack([np.maximum(knee, 0.05), zeros, zeros], -1))
    L[:, 5] = axis_angle_to_matrix(np.stack([np.maximum(-knee + 0.8, 0.05), zeros, zeros], -1))
    L[:, 16] = axis_angle_to_matrix(np.stack([-swing, zeros, 1.2 + zeros], -1))
    L[:, 17] = axis_angle_to_matrix(np.stack([swing, zeros, -1.2 + zeros], -1))
    L[:, 18] = axis_angle_to_matrix(np.stack([zeros, -0.3 + zeros, zeros], -1))
    L[:, 6] = axis_angle_to_matrix(rng.normal(scale=0.05, size=(frames, 3)))
    speed = 1.2
    dist = np.cumsum(np.full(frames, speed / fps)) - speed / fps
    if turn_rate:
        x = np.cumsum(np.sin(yaw)) * speed / fps
        z = np.cumsum(np.cos(yaw)) * speed / fps
    else:
        x, z = np.sin(heading) * dist, np.cos(heading) * dist
    root = np.stack([x, 0.92 + 0.02 * np.sin(4 * np.pi * t), z], -1)
    P, _ = forward_kinematics(L, root, rest_offsets("tpose"))
    return Motion(P, fps)


@pytest.fixture
def walk() -> Motion:
    return walking_motion()


def shared_path(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent (real data lives in ../shared beside the repository)")
    return p


def sample_from_archive(archive: str, contains: str, n: int) -> list[Path]:
    """The first ``n`` .bvh members of a shared/data archive whose path contains ``contains``,
    extracted once into a cache folder (streamed: stops reading once it has them)."""
    src = shared_path("data", archive)
    dest = CACHE / archive.replace(".tar.xz", "") / contains.replace("/", "_")
    done = dest / ".done"
    if done.exists():
        return sorted(dest.rglob("*.bvh"))[:n]
    dest.mkdir(parents=True, exist_ok=True)
    got = 0
    with tarfile.open(src, "r|xz") as tar:
        for member in tar:
            if got >= n:
                break
            if member.isfile() and member.name.endswith(".bvh") and contains in member.name:
                f = tar.extractfile(member)
                out = dest / Path(member.name).name
                out.write_bytes(f.read())
                got += 1
    done.touch()
    return sorted(dest.rglob("*.bvh"))[:n]
