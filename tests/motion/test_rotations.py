import numpy as np
import pytest

from lamp_core.motion import rotations as R


@pytest.fixture
def mats():
    rng = np.random.default_rng(1)
    return R.axis_angle_to_matrix(rng.normal(size=(4, 5, 3)))


@pytest.mark.parametrize("order", ["ZXY", "XYZ", "ZYX", "YXZ", "YZX", "XZY"])
def test_euler_round_trip_every_bvh_order(mats, order):
    back = R.euler_to_matrix(R.matrix_to_euler(mats, order), order)
    assert back.shape == mats.shape
    assert np.allclose(back, mats, atol=1e-9)


def test_bvh_euler_is_intrinsic_in_channel_order():
    # "Zrotation Xrotation Yrotation" means Rz @ Rx @ Ry.
    z, x, y = 30.0, 20.0, 10.0
    expect = R.euler_to_matrix(np.array([z, 0, 0]), "ZXY") @ R.euler_to_matrix(np.array([0, x, 0]), "ZXY") \
        @ R.euler_to_matrix(np.array([0, 0, y]), "ZXY")
    assert np.allclose(R.euler_to_matrix(np.array([z, x, y]), "ZXY"), expect)


def test_quaternion_6d_axis_angle_round_trips(mats):
    assert np.allclose(R.quat_to_matrix(R.matrix_to_quat(mats)), mats, atol=1e-9)
    assert np.allclose(R.sixd_to_matrix(R.matrix_to_6d(mats)), mats, atol=1e-9)
    assert np.allclose(R.axis_angle_to_matrix(R.matrix_to_axis_angle(mats)), mats, atol=1e-9)
    assert (R.matrix_to_quat(mats)[..., 0] >= 0).all()


def test_6d_is_first_two_columns_like_humanml3d(mats):
    d6 = R.matrix_to_6d(mats)
    assert np.allclose(d6[..., :3], mats[..., :, 0]) and np.allclose(d6[..., 3:], mats[..., :, 1])


def test_rotation_between_maps_u_to_v_including_opposite_and_zero():
    rng = np.random.default_rng(2)
    u = rng.normal(size=(100, 3))
    v = rng.normal(size=(100, 3))
    v[0] = -u[0]          # opposite
    v[1] = u[1] * 3.0     # parallel
    M = R.rotation_between(u, v)
    un = u / np.linalg.norm(u, axis=-1, keepdims=True)
    vn = v / np.linalg.norm(v, axis=-1, keepdims=True)
    assert np.allclose(np.einsum("nab,nb->na", M, un), vn, atol=1e-9)
    assert np.allclose(np.linalg.det(M), 1.0)
    assert np.allclose(R.rotation_between(np.zeros(3), np.ones(3)), np.eye(3))


def test_broadcasting_and_empty_batches():
    assert R.euler_to_matrix(np.zeros((0, 3)), "XYZ").shape == (0, 3, 3)
    assert R.rotation_between(np.array([0, 0, 1.0]), np.ones((7, 3))).shape == (7, 3, 3)


@pytest.mark.parametrize("fn,bad", [(R.quat_to_matrix, np.zeros((3, 3))), (R.matrix_to_6d, np.zeros((3, 4))),
                                    (R.sixd_to_matrix, np.zeros(5)), (R.euler_to_matrix, np.zeros((2, 2)))])
def test_bad_shapes_raise_clear_value_errors(fn, bad):
    with pytest.raises(ValueError, match="expected shape"):
        fn(bad) if fn is not R.euler_to_matrix else fn(bad, "XYZ")


def test_yaw_and_heading_agree():
    a = np.linspace(-3, 3, 13)
    f = np.einsum("nab,b->na", R.yaw_matrix(a), np.array([0, 0, 1.0]))
    assert np.allclose(R.heading_angle(f), a)


@pytest.mark.parametrize("order", ["ZXY", "XYZ", "ZYX", "YXZ", "YZX", "XZY", "XYX", "ZXZ"])
def test_fast_euler_matches_scipy(order):
    from scipy.spatial.transform import Rotation
    ang = np.random.default_rng(3).uniform(-180, 180, size=(50, 3))
    assert np.allclose(R.euler_to_matrix(ang, order), Rotation.from_euler(order, ang, degrees=True).as_matrix())
