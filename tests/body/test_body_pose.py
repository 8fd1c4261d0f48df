"""Posing a body from a Motion: our linear blend skinning against smplx's, the skeleton fit to a
clip's bone lengths, locality of a joint's influence, and a user's own SMPL folder via smplx.create."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from lamp_core.body import DEFAULT_BODY, ENV_VAR, load_body, smplx_model
from lamp_core.body.model import load_arrays
from lamp_core.data.synthetic import walking_motion
from lamp_core.motion import Motion
from lamp_core.motion.kinematics import forward_kinematics
from lamp_core.motion.rotations import axis_angle_to_matrix
from lamp_core.motion.skeleton import JOINT_INDEX, rest_offsets

pytest.importorskip("smplx")


@pytest.fixture(scope="module")
def body():
    return load_body(DEFAULT_BODY)


def reference_motion(frames: int = 12, seed: int = 0, scale: float = 0.5) -> Motion:
    """Random rotations on the reference skeleton, moving root."""
    rng = np.random.default_rng(seed)
    aa = scale * rng.standard_normal((frames, 22, 3))
    root = np.stack([np.linspace(0, 1, frames), np.full(frames, 0.95), np.linspace(0, -0.5, frames)], -1)
    return Motion(forward_kinematics(axis_angle_to_matrix(aa), root, rest_offsets())[0])


def test_pose_shape_dtype_and_joints_on_the_clip(body):
    m = reference_motion()
    rig = body.rig(m)
    verts = body.skin(rig)
    assert verts.shape == (m.n_frames, body.n_vertices, 3) and verts.dtype == np.float32
    assert np.isfinite(verts).all()
    np.testing.assert_allclose(rig.positions[:, :22], m.joints, atol=1e-4)
    np.testing.assert_allclose(body.pose(m), verts, atol=1e-6)


def test_smplx_poses_the_file_like_our_skinning(body):
    """The issue's check: the body posed through smplx with a Motion's rotations gives our vertices
    (1 mm) and its joints land on the clip's joints, our FK (1 cm)."""
    m = reference_motion(seed=1)
    rig = body.rig(m)
    ours = body.skin(rig)
    model = smplx_model(DEFAULT_BODY)
    with torch.no_grad():
        out = model(**body.smplx_pose(rig))
    assert np.abs(out.vertices.numpy() - ours).max() < 1e-3
    assert np.linalg.norm(out.joints[:, :22].numpy() - m.joints, axis=-1).max() < 0.01


def test_identity_rotations_give_the_rest_mesh_moved_to_the_root(body):
    rest = body.joints[:22][None].repeat(2, 0) + np.array([[0.0, 0.0, 0.0], [0.5, 0.0, -0.2]])[:, None]
    verts = body.pose(Motion(rest))
    np.testing.assert_allclose(verts[0], body.template, atol=2e-4)
    np.testing.assert_allclose(verts[1], body.template + [0.5, 0.0, -0.2], atol=2e-4)


def test_skeleton_fit_follows_another_clips_bone_lengths(body):
    """A clip on a skeleton 10 % taller with 20 % longer forearms: the posed joints are the clip's,
    and the fitted rest mesh still regresses to the fitted rest joints."""
    lengths = np.linalg.norm(rest_offsets(), axis=1) * 1.1
    lengths[[18, 19]] *= 1.2
    offsets = rest_offsets("tpose", lengths)
    aa = 0.4 * np.random.default_rng(2).standard_normal((6, 22, 3))
    root = np.tile([0.0, 1.05, 0.0], (6, 1))
    m = Motion(forward_kinematics(axis_angle_to_matrix(aa), root, offsets)[0])
    rig = body.rig(m)
    assert np.linalg.norm(rig.positions[:, :22] - m.joints, axis=-1).max() < 0.01
    regressed = body.j_regressor.astype(np.float64) @ rig.rest_vertices
    assert np.linalg.norm(regressed - rig.rest_joints, axis=1).max() < 0.01
    assert body.pose(m)[..., 1].max() > 1.1 * body.template[:, 1].max() - 0.05  # grew with the clip
    # fit=False keeps the body's own bone lengths and only follows the directions.
    own = body.rig(m, fit=False)
    bones = np.linalg.norm(own.positions[0, 18] - own.positions[0, 20])
    assert abs(bones - np.linalg.norm(body.joints[18] - body.joints[20])) < 1e-6


def test_bending_the_elbow_moves_only_forearm_and_hand(body):
    aa = np.zeros((1, 22, 3))
    aa[0, JOINT_INDEX["left_elbow"]] = [0.0, -np.pi / 2, 0.0]  # fold the forearm forward
    joints = forward_kinematics(axis_angle_to_matrix(aa), np.array([[0.0, 0.95, 0.0]]), rest_offsets())[0]
    straight = body.pose(Motion(np.repeat(forward_kinematics(np.tile(np.eye(3), (1, 22, 1, 1)),
                                                             np.array([[0.0, 0.95, 0.0]]), rest_offsets())[0], 1, 0)))[0]
    bent = body.pose(Motion(joints))[0]
    shift = np.linalg.norm(bent - straight, axis=1)
    x = body.template[:, 0]
    elbow_x = body.joints[JOINT_INDEX["left_elbow"], 0]
    assert x[shift > 5e-3].min() > elbow_x - 0.08  # the blend reaches under a limb's width up the arm
    assert x[shift > 1e-3].min() > elbow_x - 0.15
    hand = x > body.joints[JOINT_INDEX["left_wrist"], 0]
    assert shift[hand].min() > 0.15  # the hand swings with the forearm
    assert shift[x < elbow_x - 0.15].max() < 1e-3  # shoulder, trunk, head, legs and right arm stay put


def test_toes_bend_instead_of_digging_into_the_floor(body):
    m = walking_motion(frames=40)
    level = body.pose(m)[..., 1].min(1)
    rigid = body.pose(m, level_toes=False)[..., 1].min(1)
    assert np.ptp(level) < 0.012  # the lowest point of the body stays at one height through the gait
    assert rigid.min() < level.min() - 0.02


def test_a_users_smpl_folder_loads_through_smplx_create(body, tmp_path, monkeypatch):
    """A SMPL folder laid out as smplx.create expects (<folder>/smpl/SMPL_NEUTRAL.pkl) with pose
    correctives: our general skinning path (correctives applied) matches smplx."""
    arrays = load_arrays(DEFAULT_BODY)
    rng = np.random.default_rng(0)
    arrays["posedirs"] = (1e-3 * rng.standard_normal(arrays["posedirs"].shape)).astype(np.float32)
    keys = ("v_template", "f", "weights", "J_regressor", "kintree_table", "shapedirs", "posedirs")
    (tmp_path / "smpl").mkdir()
    with open(tmp_path / "smpl" / "SMPL_NEUTRAL.pkl", "wb") as f:  # a stand-in for the user's licensed file
        pickle.dump({k: arrays[k] for k in keys}, f)
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    user = load_body()
    assert user.posedirs is not None and user.source == str(tmp_path)
    m = reference_motion(frames=5, seed=3)
    rig = user.rig(m)
    ours = user.skin(rig)
    with torch.no_grad():
        ref = smplx_model(tmp_path, vertex_ids=dict(zip(map(str, arrays["landmark_names"]),
                                                        arrays["landmark_vertices"].tolist())))
        out = ref(**user.smplx_pose(rig))
    assert np.abs(out.vertices.numpy() - ours).max() < 1e-3
    assert np.abs(ours - body.pose(m)).max() > 1e-3  # the correctives did something


def test_missing_model_says_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_body(tmp_path / "nowhere.npz")
