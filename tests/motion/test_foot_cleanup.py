"""Foot cleanup: planted feet stop skating, and nothing an animator would notice breaks."""

import numpy as np
import pytest

from lamp_core.data.synthetic import synthetic_motion, walking_motion
from lamp_core.motion import Motion, Provenance
from lamp_core.motion.foot_cleanup import (
    FOOT_JOINTS,
    FootCleanupConfig,
    cleanup_feet,
    detect_contacts,
    lock_feet,
    two_bone_ik,
)
from lamp_core.motion.skeleton import bone_lengths

LEG_JOINTS = (4, 5, 7, 8, 10, 11)                      # knees, ankles, toes: all cleanup may move
UPPER = [i for i in range(22) if i not in LEG_JOINTS]  # pelvis, hips, spine, head, arms
LEGS = ((1, 4, 7, 10), (2, 5, 8, 11))                  # hip, knee, ankle, toe


def _runs(mask):
    m = np.concatenate([[False], mask, [False]])
    e = np.flatnonzero(m[1:] != m[:-1])
    return list(zip(e[::2], e[1::2]))


def skated_walk(slide=0.01, direction=(0.0, 0.0, 1.0), seed=0, frames=100) -> Motion:
    """A clean synthetic walk whose planted feet slide ``slide`` m per frame along ``direction``
    (centred on each stance, so the clean foot position is the stance average); legs re-solved so
    the input itself has exact bone lengths."""
    clean = walking_motion(frames, seed=seed)
    j = clean.joints.astype(np.float64).copy()
    u = np.asarray(direction, dtype=np.float64)
    u /= np.linalg.norm(u)
    for hip, knee, ankle, toe in LEGS:
        step = np.linalg.norm(np.diff(j[:, [ankle, toe]][..., [0, 2]], axis=0), axis=-1).min(1)
        planted = np.r_[step < 1e-3, False] & (j[:, toe, 1] < 0.02)
        knots, values = [], []
        for s, e in _runs(planted):
            half = slide * (e - 1 - s) / 2
            knots += [s, e - 1]
            values += [-half, half]
        drift = np.interp(np.arange(len(j)), knots, values)[:, None] * u
        k2, a2 = two_bone_ik(j[:, hip], j[:, knee], j[:, ankle], j[:, ankle] + drift)
        j[:, toe] += a2 - j[:, ankle]
        j[:, knee], j[:, ankle] = k2, a2
    return Motion(j, clean.fps, Provenance(prompt="a person walks (skating)"))


def planted_drift(joints, contacts) -> float:
    """Largest horizontal distance a foot joint travels from where a contact began, over all contacts."""
    worst = 0.0
    for k, jn in enumerate(FOOT_JOINTS):
        for s, e in _runs(contacts[:, k]):
            xz = joints[s:e, jn][:, [0, 2]].astype(np.float64)
            worst = max(worst, float(np.linalg.norm(xz - xz[0], axis=-1).max()))
    return worst


def max_step(joints) -> np.ndarray:
    """(22,) largest frame-to-frame move of each joint."""
    return np.linalg.norm(np.diff(joints.astype(np.float64), axis=0), axis=-1).max(0)


# ----------------------------------------------------------------------------- detection
def test_clean_walk_contacts_agree_with_humanml3d_rule():
    for seed in range(3):
        walk = walking_motion(120, seed=seed)
        ours, hml = detect_contacts(walk.joints, walk.fps), walk.foot_contacts
        foot_ours = ours[:, [0, 2]] | ours[:, [1, 3]]   # is the foot down (heel or toe)?
        foot_hml = hml[:, [0, 2]] | hml[:, [1, 3]]
        assert (foot_ours == foot_hml).mean() >= 0.8
        assert (ours[:, [1, 3]] == hml[:, [1, 3]]).mean() >= 0.8   # toes
        # What we call planted, HumanML3D does too; it additionally counts a heel that peels off the
        # floor (its rule is speed only), so ankle columns alone agree less (~75%).
        assert hml[ours].mean() >= 0.95
        assert ours.any(0).all()


def test_jump_has_no_contacts_in_the_air():
    for seed in range(3):
        jump = synthetic_motion("jump", seed=seed)
        c = detect_contacts(jump.joints, jump.fps)
        y = jump.joints[:, FOOT_JOINTS, 1]
        airborne = y > y.min(0) + 0.1
        assert airborne.any()
        assert not (c & airborne).any()
        assert c[0].all() and c[-1].all()   # standing before and after


def _thrown(pose, t):
    """A pose thrown straight up at 3.4 m/s from 0.5 m, sampled at times ``t``."""
    lift = 0.5 + 3.4 * t - 9.81 / 2 * t ** 2
    return pose[None] + np.stack([np.zeros_like(t), lift, np.zeros_like(t)], -1)[:, None]


def test_motion_entirely_in_the_air_has_no_contacts():
    pose = synthetic_motion("idle", seed=0).joints[0].astype(np.float64)
    for fps in (20.0, 60.0):
        hop = _thrown(pose, np.arange(int(0.7 * fps)) / fps)
        assert not detect_contacts(hop, fps).any()
        m = Motion(hop, fps)
        assert cleanup_feet(m) is m
    # Only the top of the arc: every frame is near this clip's "floor" and the feet are still for an
    # instant at the apex, which is too short to be a contact.
    apex = _thrown(pose, np.arange(5, 9) / 20.0)
    assert detect_contacts(apex, 20.0, min_frames=1).any()
    assert not detect_contacts(apex, 20.0).any()


def test_raised_floor_still_gets_contacts():
    walk = walking_motion(100)
    raised = walk.translated([0.0, 0.3, 0.0])
    c = detect_contacts(raised.joints, raised.fps)
    assert c.any(0).all()
    assert np.array_equal(c, detect_contacts(walk.joints, walk.fps))
    skating = skated_walk().translated([0.0, 0.3, 0.0])
    out = cleanup_feet(skating)
    assert planted_drift(out.joints, detect_contacts(skating.joints, skating.fps)) < 0.01


def test_detection_does_not_depend_on_frame_rate():
    walk = walking_motion(100)
    c20 = detect_contacts(walk.joints, walk.fps)
    w60 = walk.resample(60)
    c60 = detect_contacts(w60.joints, w60.fps)[::3]
    assert (c20 == c60).mean() >= 0.9


# ----------------------------------------------------------------------------- locking
def test_clean_walk_is_left_alone():
    walk = walking_motion(100)
    out = cleanup_feet(walk)
    assert np.abs(out.joints - walk.joints).max() < 1e-3


@pytest.mark.parametrize("seed,direction", [(0, (0, 0, 1)), (1, (1, 0, 0)), (2, (1, 0, -1))])
def test_skating_feet_are_planted(seed, direction):
    skating = skated_walk(0.01, direction, seed)
    contacts = detect_contacts(skating.joints, skating.fps)
    assert contacts.any(0).all()
    assert planted_drift(skating.joints, contacts) > 0.05     # the input visibly skates...
    out = cleanup_feet(skating)
    assert planted_drift(out.joints, contacts) < 0.01          # ...the cleaned one does not


def test_cleanup_keeps_bones_upper_body_and_smoothness():
    skating = skated_walk(0.01, (1, 0, 1), seed=3)
    out = cleanup_feet(skating)
    assert np.isfinite(out.joints).all()
    assert np.abs(bone_lengths(out.joints) - bone_lengths(skating.joints)).max() < 1e-3
    assert np.array_equal(out.joints[:, UPPER], skating.joints[:, UPPER])
    assert (max_step(out.joints) <= max_step(skating.joints) + 0.01).all()   # no pops
    correction = out.joints.astype(np.float64) - skating.joints
    assert max_step(correction).max() < 0.05   # the fix itself eases in: no knee snapping straight
    assert not np.array_equal(out.joints, skating.joints)


def test_input_motion_is_unchanged_and_provenance_noted():
    skating = skated_walk()
    before = skating.joints.copy()
    out = cleanup_feet(skating)
    assert np.array_equal(skating.joints, before)
    assert skating.provenance.notes == ()
    assert out.provenance.notes == ("foot contacts locked",)
    assert out.provenance.prompt == skating.provenance.prompt and out.fps == skating.fps
    raw = skating.joints.astype(np.float64)
    raw_before = raw.copy()
    lock_feet(raw, detect_contacts(raw, skating.fps), skating.fps)
    assert np.array_equal(raw, raw_before)


def test_config_switches_cleanup_off_and_validates():
    skating = skated_walk()
    assert cleanup_feet(skating, FootCleanupConfig(enabled=False)) is skating
    assert cleanup_feet(skating, enabled=False) is skating
    assert cleanup_feet(skating, FootCleanupConfig(height_tol=0.0, speed_tol=0.0)) is skating  # nothing found
    with pytest.raises(ValueError):
        FootCleanupConfig(speed_tol=-1.0)
    with pytest.raises(TypeError):
        cleanup_feet(skating, no_such_option=1)


def test_unreachable_targets_straighten_the_leg_without_nan():
    walk = walking_motion(60)
    j = walk.joints.astype(np.float64)
    # Every frame "planted": the feet are held at one spot while the body walks 3 m away.
    out = lock_feet(j, np.ones((len(j), 4), dtype=bool), walk.fps)
    assert np.isfinite(out).all()
    assert np.abs(bone_lengths(out) - bone_lengths(j)).max() < 1e-6
    assert np.array_equal(out[:, UPPER], j[:, UPPER])
    hip, knee, ankle = j[:, 1], j[:, 4], j[:, 7]
    for target in (hip + [0.0, -5.0, 3.0], hip.copy()):   # far out of reach, and at the hip itself
        k2, a2 = two_bone_ik(hip, knee, ankle, target)
        assert np.isfinite(k2).all() and np.isfinite(a2).all()
        assert np.allclose(np.linalg.norm(k2 - hip, axis=-1), np.linalg.norm(knee - hip, axis=-1), atol=1e-9)
        assert np.allclose(np.linalg.norm(a2 - k2, axis=-1), np.linalg.norm(ankle - knee, axis=-1), atol=1e-9)
    # Soft reach: a target just out of reach leaves the knee slightly bent (it straightens gradually
    # instead of snapping); one the leg already reaches is hit exactly.
    length = np.linalg.norm(knee - hip, axis=-1) + np.linalg.norm(ankle - knee, axis=-1)
    along = (ankle - hip) / np.linalg.norm(ankle - hip, axis=-1, keepdims=True)
    k2, a2 = two_bone_ik(hip, knee, ankle, hip + 1.01 * length[:, None] * along, soft=0.97)
    reach = np.linalg.norm(a2 - hip, axis=-1) / length
    assert np.isfinite(k2).all() and (reach < 0.9999).all() and (reach > 0.98).all()
    _, a2 = two_bone_ik(hip, knee, ankle, ankle, soft=0.97)
    assert np.allclose(a2, ankle, atol=1e-9)


def test_knee_bends_in_its_original_plane_and_direction():
    walk = walking_motion(60)
    j = walk.joints.astype(np.float64)
    hip, knee, ankle = j[:, 1], j[:, 4], j[:, 7]
    target = hip + 0.9 * (ankle - hip) + np.array([0.03, 0.0, -0.02])   # nearer the hip, turned: in reach
    k2, a2 = two_bone_ik(hip, knee, ankle, target)
    assert np.allclose(a2, target, atol=1e-9)   # reachable: hit exactly
    u0 = (ankle - hip) / np.linalg.norm(ankle - hip, axis=-1, keepdims=True)
    pole = (knee - hip) - np.sum((knee - hip) * u0, -1, keepdims=True) * u0   # where the knee pointed
    normal = np.cross(a2 - hip, pole)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    assert np.abs(np.sum((k2 - hip) * normal, -1)).max() < 1e-9        # in the plane of the leg and old bend
    u = (a2 - hip) / np.linalg.norm(a2 - hip, axis=-1, keepdims=True)
    new_pole = (k2 - hip) - np.sum((k2 - hip) * u, -1, keepdims=True) * u
    assert (np.sum(new_pole * pole, -1) > 0).all()                       # and still bends the same way
