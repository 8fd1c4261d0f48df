"""Splicing generated motion: rigid placement lands a pose on another's heading and ground position,
warping meets fixed frames at both ends without popping, and key poses are hit exactly."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.data.synthetic import walking_motion
from lamp_core.generation.warp import place, placement, warp_between, warp_to_keys
from lamp_core.motion.features import facing_directions
from lamp_core.motion.rotations import yaw_matrix


@pytest.fixture(scope="module")
def walk() -> np.ndarray:
    return walking_motion(frames=80).joints.astype(np.float64)


@pytest.mark.parametrize("angle", [0.0, 0.7, -2.5, np.pi])
def test_placement_puts_a_pose_on_the_targets_heading_and_ground_spot(walk, angle):
    target = walk[30] @ yaw_matrix(angle).T + np.array([2.0, 0.0, -1.0])
    R, t = placement(walk[30], target)
    placed = place(walk[30], R, t)
    np.testing.assert_allclose(placed, target, atol=1e-9)          # same pose: lands exactly
    other = place(walk[10], R, t)
    assert np.allclose(facing_directions(other[None])[0],
                       facing_directions((walk[10] @ yaw_matrix(angle).T)[None])[0], atol=1e-9)


def test_warp_between_meets_both_fixed_frames_smoothly(walk):
    before, middle, after = walk[19], walk[20:60] + np.array([0.3, 0.05, -0.2]), walk[60]
    out = warp_between(middle, before, after)
    step_in = np.linalg.norm(out[0] - before, axis=-1).max()
    step_out = np.linalg.norm(after - out[-1], axis=-1).max()
    natural = np.linalg.norm(np.diff(walk, axis=0), axis=-1).max()
    assert step_in <= natural + 1e-6 and step_out <= natural + 1e-6
    assert np.linalg.norm(np.diff(out, axis=0), axis=-1).max() < natural + 0.03   # the offset is spread out


def test_warp_with_one_free_end_leaves_that_end_alone(walk):
    middle = walk[20:60] + 0.25
    out = warp_between(middle, walk[19], None)
    np.testing.assert_allclose(out[-1], middle[-1], atol=1e-9)
    np.testing.assert_allclose(out[0] - walk[19], middle[1] - middle[0], atol=1e-9)  # continues by its own step


def test_keys_are_hit_exactly_and_the_rest_moves_smoothly(walk):
    keys = {10: walk[10] + 0.2, 50: walk[50] - np.array([0.0, 0.0, 0.4])}
    out = warp_to_keys(walk, keys)
    for f, pose in keys.items():
        np.testing.assert_array_equal(out[f], pose)
    natural = np.linalg.norm(np.diff(walk, axis=0), axis=-1).max()
    assert np.linalg.norm(np.diff(out, axis=0), axis=-1).max() < natural + 0.06
    np.testing.assert_allclose(out[-1], walk[-1], atol=1e-9)   # far from every key: untouched
