import numpy as np
import pytest

from lamp_core.motion import Motion, Provenance
from lamp_core.motion.skeleton import JOINT_INDEX
from tests.conftest import walking_motion


def test_motion_is_immutable_and_validated(walk):
    with pytest.raises(ValueError):
        walk.joints[0, 0, 0] = 1.0
    with pytest.raises(ValueError, match=r"\(T, 22, 3\)"):
        Motion(np.zeros((10, 21, 3)))
    with pytest.raises(ValueError, match="NaN"):
        Motion(np.full((3, 22, 3), np.nan))
    with pytest.raises(ValueError, match="fps"):
        Motion(walk.joints, fps=0)


def test_resample_keeps_span_and_positions(walk):
    m60 = walk.resample(60)
    assert m60.n_frames == (walk.n_frames - 1) * 3 + 1
    assert np.allclose(m60.joints[::3], walk.joints, atol=1e-6)
    assert m60.resample(20).allclose(walk, atol=1e-5)


def test_trim_and_concatenate_continue_the_path(walk):
    a, b = walk.trim(0, 40), walk.trim(40)
    assert a.n_frames == 40 and b.n_frames == walk.n_frames - 40
    joined = a.concatenate(b.translated([5.0, 0.0, 5.0]))
    assert joined.n_frames == walk.n_frames
    step = np.linalg.norm(joined.joints[40, 0, [0, 2]] - joined.joints[39, 0, [0, 2]])
    assert step < 1e-6  # the second clip starts where the first one ended
    with pytest.raises(ValueError, match="leaves no frames"):
        walk.trim(50, 10)


def test_mirror_swaps_left_and_right_and_is_its_own_inverse(walk):
    m = walk.mirror()
    assert np.allclose(m.joints[:, JOINT_INDEX["left_wrist"], 0], -walk.joints[:, JOINT_INDEX["right_wrist"], 0])
    assert m.mirror().allclose(walk)


def test_in_place_removes_ground_travel_only(walk):
    ip = walk.in_place()
    assert np.allclose(ip.joints[:, 0, [0, 2]], walk.joints[0, 0, [0, 2]], atol=1e-6)
    assert np.allclose(ip.joints[:, :, 1], walk.joints[:, :, 1])


def test_derived_views(walk):
    assert walk.features.shape == (walk.n_frames - 1, 263)
    assert walk.features is walk.features  # computed once
    assert walk.foot_contacts.shape == (walk.n_frames, 4)
    assert 1.6 < walk.stature < 1.8
    rots, root, offsets = walk.local_rotations("tpose")
    assert rots.shape == (walk.n_frames, 22, 3, 3) and offsets.shape == (22, 3)


def test_features_round_trip_through_motion(walk):
    back = Motion.from_features(walk.features)
    assert np.abs(back.joints - walk.canonical().joints[:-1]).max() < 1e-3


def test_provenance_round_trips_through_a_dict():
    p = Provenance(source="a.bvh", prompt="a person walks", seed=3, notes=("x",))
    assert Provenance.from_dict(p.to_dict()) == p


def test_foot_contacts_are_fps_independent():
    m = walking_motion(frames=80)
    c20 = m.foot_contacts
    c60 = m.resample(60).foot_contacts[::3]
    assert (c20 == c60).mean() > 0.9
