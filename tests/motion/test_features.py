import numpy as np
import pytest

from lamp_core.motion import features as F
from lamp_core.motion import rotations as R
from lamp_core.motion.skeleton import REFERENCE_TPOSE, bone_lengths
from tests.conftest import walking_motion


# --- HumanML3D's recover_from_ric, transcribed in its own quaternion terms as an independent reference.
def _qrot(q, v):
    qv = q[..., 1:]
    uv = np.cross(qv, v)
    uuv = np.cross(qv, uv)
    return v + 2 * (q[..., :1] * uv + uuv)


def _qinv(q):
    return q * np.array([1, -1, -1, -1.0])


def reference_recover_from_ric(data, joints_num=22):
    rot_vel = data[..., 0]
    r_rot_ang = np.zeros_like(rot_vel)
    r_rot_ang[..., 1:] = rot_vel[..., :-1]
    r_rot_ang = np.cumsum(r_rot_ang, axis=-1)
    r_rot_quat = np.zeros(data.shape[:-1] + (4,))
    r_rot_quat[..., 0] = np.cos(r_rot_ang)
    r_rot_quat[..., 2] = np.sin(r_rot_ang)
    r_pos = np.zeros(data.shape[:-1] + (3,))
    r_pos[..., 1:, [0, 2]] = data[..., :-1, 1:3]
    r_pos = _qrot(_qinv(r_rot_quat), r_pos)
    r_pos = np.cumsum(r_pos, axis=-2)
    r_pos[..., 1] = data[..., 3]
    positions = data[..., 4:(joints_num - 1) * 3 + 4].reshape(data.shape[:-1] + (-1, 3))
    q = np.broadcast_to(_qinv(r_rot_quat[..., None, :]), positions.shape[:-1] + (4,))
    positions = _qrot(q, positions)
    positions[..., 0] += r_pos[..., 0:1]
    positions[..., 2] += r_pos[..., 2:3]
    return np.concatenate([r_pos[..., None, :], positions], axis=-2)


def test_decoder_is_humanml3d_recover_from_ric_on_arbitrary_feature_arrays():
    # A HumanML3D user's new_joint_vecs/X.npy must decode to their new_joints/X.npy: check against the
    # reference on arbitrary feature values, not only on features we produced ourselves.
    rng = np.random.default_rng(0)
    data = rng.normal(scale=0.3, size=(3, 50, 263))
    assert np.allclose(F.features_to_joints(data), reference_recover_from_ric(data), atol=1e-10)


@pytest.mark.parametrize("heading,turn", [(0.0, 0.0), (np.pi, 0.0), (2.0, 1.5), (-1.0, -2.5)])
def test_joints_features_joints_round_trip_within_1mm(heading, turn):
    m = walking_motion(frames=120, heading=heading, turn_rate=turn)
    feats = F.joints_to_features(m.joints)
    assert feats.shape == (119, 263)
    back = F.features_to_joints(feats)
    expect = F.canonicalize(m.joints)[:-1]
    assert np.abs(back - expect).max() < 1e-3


def test_feature_layout_for_a_straight_walk_along_plus_z():
    m = walking_motion(frames=60, heading=0.0)
    f = F.joints_to_features(m.joints)
    assert np.abs(f[:, 0]).max() < 0.02                       # hardly any turning
    assert np.allclose(f[5:-5, 2], 1.2 / 20, atol=0.01)       # forward speed per frame in the facing frame
    assert np.abs(f[5:-5, 1]).max() < 0.01                     # no sideways drift
    assert np.all((f[:, 3] > 0.85) & (f[:, 3] < 1.0))          # root height
    contacts = f[:, F.FOOT_CONTACT]
    assert set(np.unique(contacts)) <= {0.0, 1.0}
    rot = f[:, F.ROT6D].reshape(-1, 21, 6)
    assert np.allclose(np.linalg.norm(rot[..., :3], axis=-1), 1.0)  # first columns of rotation matrices


def test_canonicalize_puts_the_body_on_the_floor_at_the_origin_facing_plus_z():
    m = walking_motion(frames=30, heading=2.2)
    c = F.canonicalize(m.joints + np.array([3.0, 1.0, -2.0]))
    assert abs(c[..., 1].min()) < 1e-9
    assert np.allclose(c[0, 0, [0, 2]], 0.0)
    fwd = F.facing_directions(c[:1])[0]
    assert np.allclose(fwd, [0, 0, 1], atol=1e-9)


def test_uniform_skeleton_gives_reference_bone_lengths_and_keeps_directions():
    m = walking_motion(frames=20)
    scaled = m.joints * 1.3
    u = F.uniform_skeleton(scaled)
    assert np.allclose(bone_lengths(u)[:, 1:], bone_lengths(REFERENCE_TPOSE)[1:], atol=1e-9)
    d0 = scaled[:, 4] - scaled[:, 1]
    d1 = u[:, 4] - u[:, 1]
    assert np.allclose(d0 / np.linalg.norm(d0, axis=-1, keepdims=True), d1 / np.linalg.norm(d1, axis=-1, keepdims=True))


def test_group_std_averages_within_humanml3d_groups():
    s = F.group_std(np.arange(263, dtype=float))
    for g in F.FEATURE_GROUPS:
        assert np.allclose(s[g], np.arange(263)[g].mean())


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="at least 2 frames"):
        F.joints_to_features(np.zeros((1, 22, 3)))
    with pytest.raises(ValueError, match="NaN"):
        F.joints_to_features(np.full((4, 22, 3), np.nan))
    with pytest.raises(ValueError, match="263"):
        F.features_to_joints(np.zeros((4, 262)))
