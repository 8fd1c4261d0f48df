import numpy as np
import pytest

from lamp_core.motion import rotations as R
from lamp_core.motion.kinematics import forward_kinematics, inverse_kinematics, rigidify
from lamp_core.motion.skeleton import REFERENCE_TPOSE, rest_offsets


def _random_pose(n, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    return R.axis_angle_to_matrix(rng.normal(scale=scale, size=(n, 22, 3))), rng.normal(size=(n, 3))


@pytest.mark.parametrize("rest", ["tpose", "apose"])
def test_ik_then_fk_reproduces_positions_for_random_poses(rest):
    off = rest_offsets(rest)
    L, root = _random_pose(64)
    P, _ = forward_kinematics(L, root, off)
    L2, root2 = inverse_kinematics(P, off)
    P2, _ = forward_kinematics(L2, root2, off)
    assert np.abs(P2 - P).max() < 1e-9


@pytest.mark.parametrize("yaw", np.linspace(0, 2 * np.pi, 9))
def test_ik_is_correct_whatever_way_the_body_faces(walk, yaw):
    # MoMask #76: IK broke when the body faced away. Turn the whole clip and compare local rotations.
    turned = walk.joints.astype(float) @ R.yaw_matrix(yaw).T
    off = rest_offsets("tpose", walk.bone_lengths)
    L0, _ = inverse_kinematics(walk.joints, off)
    L1, root = inverse_kinematics(turned, off)
    assert np.allclose(L1[:, 1:], L0[:, 1:], atol=1e-6), "joint rotations must not depend on facing"
    P, _ = forward_kinematics(L1, root, off)
    assert np.abs(P - turned).max() < 1e-3


def test_rest_pose_gives_identity_rotations():
    off = rest_offsets("tpose")
    L, root = inverse_kinematics(REFERENCE_TPOSE, off)
    assert np.allclose(L, np.eye(3), atol=1e-9)
    assert np.allclose(root, REFERENCE_TPOSE[0])


def test_knee_bend_is_recovered_as_a_hinge_rotation():
    off = rest_offsets("tpose")
    L = np.broadcast_to(np.eye(3), (22, 3, 3)).copy()
    L[0] = R.yaw_matrix(np.array(2.5))
    L[1] = R.axis_angle_to_matrix(np.array([-0.8, 0.0, 0.2]))
    L[4] = R.axis_angle_to_matrix(np.array([1.2, 0.0, 0.0]))
    P, _ = forward_kinematics(L[None], np.array([[0, 0.9, 0]]), off)
    L2, _ = inverse_kinematics(P, off)
    knee = R.matrix_to_axis_angle(L2[0, 4])
    assert abs(knee[0] - 1.2) < 0.02 and np.abs(knee[1:]).max() < 0.05, knee


def test_rigidify_keeps_rigid_motion_and_fixes_stretch(walk):
    assert np.abs(rigidify(walk.joints) - walk.joints).max() < 1e-5
    rng = np.random.default_rng(0)
    stretched = walk.joints + rng.normal(scale=0.005, size=walk.joints.shape)
    fixed = rigidify(stretched)
    lengths = np.linalg.norm(fixed[:, 4] - fixed[:, 1], axis=-1)
    assert lengths.std() < 1e-9


def test_shape_errors_name_the_expected_shape():
    with pytest.raises(ValueError, match=r"\(\.\.\., 22, 3\)"):
        inverse_kinematics(np.zeros((5, 21, 3)), rest_offsets())
    with pytest.raises(ValueError, match="offsets"):
        forward_kinematics(np.broadcast_to(np.eye(3), (2, 22, 3, 3)), np.zeros((2, 3)), np.zeros((21, 3)))
