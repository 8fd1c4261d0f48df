"""The procedural dataset: every clip does what its caption will say, on a rigid body standing on the
floor, reproducibly, fast enough for CI."""

from __future__ import annotations

import time

import numpy as np
import pytest

from lamp_core.data.labels import Take
from lamp_core.data.synthetic import (SYNTHETIC_CONTENTS, SYNTHETIC_STYLES, synthetic_motion, synthetic_takes,
                                      walking_motion)
from lamp_core.motion import features as F
from lamp_core.motion.skeleton import JOINT_INDEX as J_, bone_lengths

FEET = [J_["left_ankle"], J_["left_foot"], J_["right_ankle"], J_["right_foot"]]
SEEDS = (0, 1, 2)
GAITS = ("walk", "run", "walk-back", "walk-turn-left", "walk-turn-right")


def joints(content, style=None, seed=0, seconds=None) -> np.ndarray:
    return synthetic_motion(content, style, seed, seconds).joints.astype(np.float64)


def heading(j: np.ndarray) -> np.ndarray:
    """Unwrapped facing angle per frame (yaw_matrix convention: growing = turning left)."""
    f = F.facing_directions(j, smooth=True)
    return np.unwrap(np.arctan2(f[:, 0], f[:, 2]))


def left_of(j: np.ndarray) -> np.ndarray:
    """(T, 3) unit vector toward the body's left (+X when facing +Z)."""
    f = F.facing_directions(j)
    return np.stack([f[:, 2], np.zeros(len(f)), -f[:, 0]], -1)


def contact_slides(j: np.ndarray, tol: float = 0.01) -> list[float]:
    """Horizontal distance each foot joint travels during each spell on the floor."""
    slides = []
    for k in FEET:
        y, xz = j[:, k, 1], j[:, k][:, [0, 2]]
        on = (y[1:] < y.min() + tol) & (y[:-1] < y.min() + tol)
        step = np.linalg.norm(np.diff(xz, axis=0), axis=-1)
        run = 0.0
        for o, s in zip(on, step):
            run = run + s if o else 0.0
            slides.append(run)
    return slides


# ----------------------------------------------------------------------------- every clip
@pytest.mark.parametrize("style", SYNTHETIC_STYLES)
@pytest.mark.parametrize("content", SYNTHETIC_CONTENTS)
def test_every_clip_is_a_rigid_body_on_the_floor_at_20_fps(content, style):
    m = synthetic_motion(content, style, seed=3)
    j = m.joints.astype(np.float64)
    assert m.fps == 20.0 and np.isfinite(j).all()
    assert 2.5 <= m.duration <= 8.05
    lengths = bone_lengths(j)
    assert np.abs(lengths - lengths[0]).max() < 1e-4                      # bones never stretch
    assert abs(j[:, FEET, 1].min()) < 1e-4                                 # lowest foot joint on the floor
    assert j[..., 1].min() > -1e-4                                         # nothing below it
    assert 1.3 < j[:, J_["head"], 1].max() < 2.0                            # a person-sized body, upright
    assert content in m.provenance.source


def test_same_seed_gives_the_same_clip_and_other_seeds_differ():
    for content in SYNTHETIC_CONTENTS:
        a, b = synthetic_motion(content, "active", 7), synthetic_motion(content, "active", 7)
        assert a.allclose(b, atol=0.0)
        c = synthetic_motion(content, "active", 8)
        assert c.n_frames != a.n_frames or not np.allclose(c.joints, a.joints, atol=1e-3)


def test_seconds_fixes_the_length_and_bad_names_are_refused():
    assert synthetic_motion("walk", seconds=3.0).n_frames == 60
    assert synthetic_motion("jump", seconds=2.0).n_frames == 40
    with pytest.raises(ValueError, match="content"):
        synthetic_motion("moonwalk")
    with pytest.raises(ValueError, match="style"):
        synthetic_motion("walk", "sneaky")


def test_seeds_vary_start_heading_position_and_duration():
    ms = [synthetic_motion("walk", None, s) for s in range(8)]
    starts = np.array([m.joints[0, 0, [0, 2]] for m in ms])
    headings = np.array([heading(m.joints.astype(float))[0] for m in ms])
    assert np.ptp(starts, axis=0).min() > 0.5
    assert np.ptp(np.cos(headings)) > 1.0 and len({m.n_frames for m in ms}) > 4


# ----------------------------------------------------------------------------- locomotion
@pytest.mark.parametrize("style", SYNTHETIC_STYLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_walk_goes_forward_and_walk_back_goes_backward_along_the_facing(seed, style):
    for content, sign in (("walk", 1.0), ("run", 1.0), ("walk-back", -1.0)):
        j = joints(content, style, seed, seconds=3.0 + seed)
        facing = F.facing_directions(j, smooth=True)[0]
        move = j[-1, 0] - j[0, 0]
        along = sign * float(move @ facing)
        assert along > 0.8 if content == "walk-back" else along > 1.0, (content, along)
        assert abs(float(move @ np.array([facing[2], 0, -facing[0]]))) < 0.25 * along   # straight ahead
        turn = np.degrees(heading(j)[-1] - heading(j)[0])
        assert abs(turn) < 20


def test_running_is_faster_than_walking_and_leaves_the_ground():
    for seed in SEEDS:
        walk, run = joints("walk", seed=seed, seconds=4), joints("run", seed=seed, seconds=4)
        speed = [np.linalg.norm(m[-1, 0, [0, 2]] - m[0, 0, [0, 2]]) / 4 for m in (walk, run)]
        assert 0.9 < speed[0] < 1.6 and speed[1] > 1.6 * speed[0]
        lowest = lambda m: m[:, FEET, 1].min(1)   # noqa: E731
        assert lowest(walk).max() < 0.01           # a walker always has a foot down
        assert (lowest(run) > 0.02).mean() > 0.1    # a runner flies between steps


@pytest.mark.parametrize("style", SYNTHETIC_STYLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_turns_change_the_heading_by_about_a_quarter_turn_the_named_way(seed, style):
    for content, sign in (("walk-turn-left", 1.0), ("walk-turn-right", -1.0)):
        j = joints(content, style, seed)
        turn = sign * np.degrees(heading(j)[-1] - heading(j)[0])
        assert 45 < turn < 135, (content, turn)
        # the path bends the same way: the last step heads where the body faces
        step = j[-1, 0] - j[-6, 0]
        assert float(step @ F.facing_directions(j)[-1]) > 0.8 * np.linalg.norm(step[[0, 2]])


@pytest.mark.parametrize("content", GAITS)
def test_planted_feet_do_not_skate(content):
    for style in SYNTHETIC_STYLES:
        for seed in SEEDS:
            assert max(contact_slides(joints(content, style, seed))) < 0.02


def test_walking_pelvis_bobs_a_few_centimetres():
    for seed in SEEDS:
        y = joints("walk", seed=seed, seconds=5)[:, 0, 1]
        assert 0.015 < np.ptp(y) < 0.08


# ----------------------------------------------------------------------------- standing actions
@pytest.mark.parametrize("style", SYNTHETIC_STYLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_jump_leaves_the_floor_with_both_feet_and_lands(seed, style):
    j = joints("jump", style, seed)
    airborne = j[:, FEET, 1].min(1) > 0.03
    assert airborne.any()
    assert j[:, 0, 1].max() - j[0, 0, 1] >= 0.2            # pelvis well above standing height
    assert not airborne[-1] and abs(j[-1, 0, 1] - j[0, 0, 1]) < 0.05
    assert np.linalg.norm(j[-1, 0, [0, 2]] - j[0, 0, [0, 2]]) < 0.2


def wave_check(j: np.ndarray, side: str) -> None:
    wrist, other = (J_["left_wrist"], J_["right_wrist"]) if side == "left" else (J_["right_wrist"], J_["left_wrist"])
    up = j[:, wrist, 1] > j[:, J_["head"], 1]
    assert up.mean() > 0.5, up.mean()
    lateral = ((j[:, wrist] - j[:, 0]) * left_of(j)).sum(-1)[up]
    assert np.ptp(lateral) > 0.1                                              # side to side
    assert (np.diff(np.sign(np.diff(lateral))) != 0).sum() >= 3              # back and forth, repeatedly
    shoulders = j[:, [J_["left_shoulder"], J_["right_shoulder"]], 1].min(1)
    assert (j[:, other, 1] < shoulders).all()                                # the other arm hangs


@pytest.mark.parametrize("style", SYNTHETIC_STYLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_waving_raises_that_hand_above_the_head_and_mirrors_to_the_other(seed, style):
    left = synthetic_motion("wave-left-hand", style, seed)
    wave_check(left.joints.astype(float), "left")
    wave_check(left.mirror().joints.astype(float), "right")
    wave_check(joints("wave-right-hand", style, seed), "right")
    both = joints("wave-both-hands", style, seed)
    for wrist in ("left_wrist", "right_wrist"):
        assert (both[:, J_[wrist], 1] > both[:, J_["head"], 1]).mean() > 0.5


@pytest.mark.parametrize("seed", SEEDS)
def test_raise_up_both_hands_goes_overhead_and_comes_back_down(seed):
    j = joints("raise-up-both-hands", None, seed)
    wrists = j[:, [J_["left_wrist"], J_["right_wrist"]], 1]
    assert (wrists.min(1) > j[:, J_["head"], 1] + 0.1).any()
    assert (wrists[-1] < j[-1, J_["left_shoulder"], 1]).all()


@pytest.mark.parametrize("style", SYNTHETIC_STYLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_squat_drops_the_pelvis_and_stands_back_up_with_feet_planted(seed, style):
    j = joints("squat", style, seed)
    assert j[0, 0, 1] - j[:, 0, 1].min() >= 0.3
    assert abs(j[-1, 0, 1] - j[0, 0, 1]) < 0.05
    assert np.abs(j[:, FEET] - j[:1, FEET]).max() < 1e-4


@pytest.mark.parametrize("style", SYNTHETIC_STYLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_kicks_lift_that_foot_above_the_other_knee_on_one_planted_foot(seed, style):
    for content, kicker, stander in (("kick-left", "left", "right"), ("kick-right", "right", "left")):
        j = joints(content, style, seed)
        foot = j[:, [J_[f"{kicker}_ankle"], J_[f"{kicker}_foot"]], 1].max(1)
        assert (foot > j[:, J_[f"{stander}_knee"], 1]).any(), content
        planted = j[:, [J_[f"{stander}_ankle"], J_[f"{stander}_foot"]]]
        assert np.abs(planted - planted[:1]).max() < 1e-4
        reach = ((j[:, J_[f"{kicker}_foot"]] - j[:, 0]) * F.facing_directions(j)).sum(-1)
        assert reach.max() > 0.4                                             # forward, not sideways


def test_long_clips_repeat_the_action_and_every_repetition_completes():
    def count(flag):
        return int(np.sum(np.diff(flag.astype(int)) == 1)) + int(flag[0])
    kick = joints("kick-right", seconds=8.0)
    assert count(kick[:, J_["right_foot"], 1] > kick[:, J_["left_knee"], 1]) >= 2
    squat = joints("squat", seconds=8.0)
    assert count(squat[:, 0, 1] < squat[0, 0, 1] - 0.25) >= 2
    jump = joints("jump", seconds=8.0)
    assert count(jump[:, FEET, 1].min(1) > 0.03) >= 2
    for m in (kick, squat, jump):
        assert np.abs(m[-1] - m[-2]).max() < 0.01          # back at rest when the clip ends


@pytest.mark.parametrize("style", SYNTHETIC_STYLES)
def test_idle_stands_still_but_is_not_frozen(style):
    for seed in SEEDS:
        j = joints("idle", style, seed)
        drift = np.linalg.norm(j[:, 0, [0, 2]] - j[0, 0, [0, 2]], axis=-1)
        assert drift.max() < 0.2 and np.ptp(j[:, 0, 1]) < 0.05
        assert np.abs(j[:, FEET] - j[:1, FEET]).max() < 1e-4
        assert np.abs(j - j[:1]).max() > 0.01


def test_exhausted_is_slower_and_more_slumped_than_active():
    speed, slump = {}, {}
    for style in ("active", "exhausted"):
        s, h = [], []
        for seed in SEEDS:
            j = joints("walk", style, seed, seconds=4)
            s.append(np.linalg.norm(j[-1, 0, [0, 2]] - j[0, 0, [0, 2]]) / 4)
            h.append(np.mean(j[:, J_["head"], 1] - j[:, 0, 1]))
        speed[style], slump[style] = np.mean(s), np.mean(h)
    assert speed["exhausted"] < 0.7 * speed["active"]
    assert slump["exhausted"] < slump["active"] - 0.02                      # head sits lower over the pelvis


# ----------------------------------------------------------------------------- the take list
def test_64_takes_cover_every_content_and_style_with_unique_ids():
    t0 = time.perf_counter()
    takes = synthetic_takes(64, seed=0)
    elapsed = time.perf_counter() - t0
    assert len(takes) == 64 and all(isinstance(t, Take) for t in takes)
    contents = [t.labels.content for t in takes]
    assert {c: contents.count(c) for c in SYNTHETIC_CONTENTS} == {
        c: 5 if i < 64 % 14 else 4 for i, c in enumerate(SYNTHETIC_CONTENTS)}
    assert {t.labels.style for t in takes} == set(SYNTHETIC_STYLES)
    assert len({t.take_id for t in takes}) == 64
    for i, t in enumerate(takes):
        c, s = t.labels.content, t.labels.style
        assert t.take_id == f"synthetic/{i:04d}_{c}" + (f"_{s}" if s else "")
        assert t.source == t.labels.source == "synthetic" and t.license.startswith("CC0")
        assert t.source_file.startswith(f"procedural:{c}:{s}:")
        assert t.labels.idle == (c == "idle") and not t.labels.is_empty()
        assert t.actor == f"synth-{i % 4}"
    assert elapsed < 5.0   # measured ~0.15 s; generous for slow CI machines


def test_takes_are_deterministic_and_the_seed_changes_them():
    a, b, c = synthetic_takes(16, seed=3), synthetic_takes(16, seed=3), synthetic_takes(16, seed=4)
    assert [t.take_id for t in a] == [t.take_id for t in b] == [t.take_id for t in c]
    assert all(x.motion.allclose(y.motion, atol=0.0) for x, y in zip(a, b))
    assert not any(x.motion.allclose(z.motion) for x, z in zip(a, c))


def test_every_take_converts_to_humanml3d_features():
    for t in synthetic_takes(28, seed=1):
        f = F.joints_to_features(t.motion.joints)
        assert f.shape == (t.motion.n_frames - 1, F.FEATURE_DIM) and np.isfinite(f).all()
        back = F.features_to_joints(f)
        assert np.abs(back - F.canonicalize(t.motion.joints)[:-1]).max() < 2e-3


# ----------------------------------------------------------------------------- the test walker
def test_walking_motion_keeps_its_contract():
    m = walking_motion(frames=60, heading=np.pi / 2)
    j = m.joints.astype(float)
    assert m.n_frames == 60 and m.fps == 20.0
    v = (j[-1, 0] - j[0, 0]) / (59 / 20)
    assert np.allclose(v, [1.2, 0, 0], atol=0.06)                  # heading pi/2 walks toward +X
    assert max(contact_slides(j)) < 0.02
    turning = walking_motion(frames=100, turn_rate=0.5).joints.astype(float)
    f = F.facing_directions(turning)
    rate = np.polyfit(np.arange(100) / 20, np.unwrap(np.arctan2(f[:, 0], f[:, 2])), 1)[0]
    assert rate == pytest.approx(0.5, abs=0.05)                    # turns left at the asked rate
