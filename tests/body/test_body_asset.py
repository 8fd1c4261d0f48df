"""The shipped generated body (assets/body/lamp_body_neutral.npz): SMPL's keys, loadable by smplx,
a closed human-shaped mesh, sound skinning weights and joint regressor."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lamp_core.body import DEFAULT_BODY, load_body, smplx_model
from lamp_core.body.shapes import smpl_joints

smplx = pytest.importorskip("smplx")
trimesh = pytest.importorskip("trimesh")


@pytest.fixture(scope="module")
def arrays():
    with np.load(DEFAULT_BODY, allow_pickle=False) as z:  # no pickled objects in the file
        return {k: z[k] for k in z.files}


@pytest.fixture(scope="module")
def body():
    return load_body(DEFAULT_BODY)


def test_file_is_small_and_has_smpl_keys(arrays):
    assert DEFAULT_BODY.stat().st_size < 3e6
    V = len(arrays["v_template"])
    assert arrays["v_template"].shape == (V, 3) and arrays["v_template"].dtype == np.float32
    assert arrays["weights"].shape == (V, 24)
    assert arrays["J_regressor"].shape == (24, V)
    assert arrays["shapedirs"].shape == (V, 3, 10)
    assert arrays["posedirs"].shape == (V, 3, 207) and not arrays["posedirs"].any()
    assert arrays["kintree_table"].shape == (2, 24)
    assert arrays["f"].ndim == 2 and arrays["f"].shape[1] == 3 and arrays["f"].max() == V - 1
    assert "no SMPL" in str(arrays["license"])


def test_loads_through_smplx_and_zero_pose_gives_the_template(arrays):
    from smplx.utils import Struct

    names = [str(n) for n in arrays["landmark_names"]]
    model = smplx.SMPL(model_path=str(DEFAULT_BODY), data_struct=Struct(**arrays),
                       vertex_ids=dict(zip(names, arrays["landmark_vertices"].tolist())))
    with torch.no_grad():
        out = model()  # zero betas, zero pose, zero translation
    np.testing.assert_allclose(out.vertices[0].numpy(), arrays["v_template"], atol=1e-6)
    assert out.joints.shape[1] == 24 + 21  # SMPL's 24 and smplx's face, feet and fingertip points
    np.testing.assert_allclose(out.joints[0, :24].numpy(), smpl_joints(), atol=1e-3)
    np.testing.assert_array_equal(model.faces, arrays["f"])
    # The same through the project's helper.
    with torch.no_grad():
        np.testing.assert_allclose(smplx_model(DEFAULT_BODY)().vertices[0].numpy(), arrays["v_template"], atol=1e-6)


def test_mesh_is_closed_outward_and_sized_like_an_smpl_mesh(body):
    m = trimesh.Trimesh(body.template, body.faces, process=False)
    assert 5000 <= body.n_vertices <= 10000
    assert m.is_watertight and m.is_winding_consistent and m.euler_number == 2
    assert len(m.split(only_watertight=False)) == 1
    assert 0.05 < m.volume < 0.08  # m^3: a 55-80 kg adult at about the density of water
    angles = np.degrees(trimesh.triangles.angles(m.triangles).min(1))
    assert np.percentile(angles, 1) > 20  # no slivers to speak of


def test_human_proportions_in_t_pose(body):
    v = body.template
    assert 1.65 < v[:, 1].max() < 1.75 and abs(v[:, 1].min()) < 2e-3  # stands on y = 0, ~1.70 m
    span, depth = np.ptp(v[:, 0]), np.ptp(v[:, 2])
    assert 1.6 < span < 1.9 and depth < 0.35  # T-pose: arms out along x, thin in z
    hands = v[np.abs(v[:, 0]) > 0.75]
    assert len(hands) and np.all(np.abs(hands[:, 1] - 1.40) < 0.05)  # hands at shoulder height
    soles = v[v[:, 1] < 0.02]
    assert (soles[:, 0] > 0.05).any() and (soles[:, 0] < -0.05).any()  # two feet apart
    assert np.all(np.abs(soles[:, 0]) > 0.04) and np.all(np.abs(soles[:, 0]) < 0.18)
    head = v[v[:, 1] > 1.55]
    assert np.ptp(head[:, 0]) < 0.2  # the head is narrow, not the top of a blob
    # The mesh lies on the designed (left-right symmetric) surface, and so does its mirror image.
    from lamp_core.body.shapes import body_sdf
    assert np.abs(body_sdf(v)).max() < 1e-3 and np.abs(body_sdf(v * [-1, 1, 1])).max() < 1e-3


def test_weights_are_a_smooth_partition_of_unity(body):
    w = body.weights
    assert (w >= 0).all()
    np.testing.assert_allclose(w.sum(1), 1.0, atol=1e-5)
    assert (w > 0).sum(1).max() <= 4
    assert (w > 0).any(0).all()  # every joint drives some of the mesh
    edges = trimesh.Trimesh(body.template, body.faces, process=False).edges_unique
    jump = np.abs(w[edges[:, 0]] - w[edges[:, 1]]).max(1)
    assert jump.max() < 0.5 and np.percentile(jump, 99) < 0.3  # joints blend over several edges
    # The head is the head's, the left hand the left wrist's and hand's.
    top = np.argmax(body.template[:, 1])
    assert np.argmax(w[top]) == 15
    tip = np.argmax(body.template[:, 0])
    assert np.argmax(w[tip]) in (20, 22)


def test_joint_regressor_reproduces_the_template_joints(body, arrays):
    R = arrays["J_regressor"].astype(np.float64)
    assert (R >= 0).all() and np.allclose(R.sum(1), 1.0, atol=1e-5)
    assert ((R > 0).sum(1) <= 400).all()  # sparse: a ring of vertices per joint
    J = R @ arrays["v_template"].astype(np.float64)
    assert np.linalg.norm(J - smpl_joints(), axis=1).max() < 0.01
    assert np.linalg.norm(J - smpl_joints(), axis=1).max() < 1e-3  # in fact well under a millimetre


def test_shape_directions_change_height_and_build(body):
    taller = body.shaped([1.0])
    shorter = body.shaped([-1.0])
    assert taller.height - body.height > 0.05 and body.height - shorter.height > 0.05
    assert abs(taller.template[:, 1].min()) < 2e-3  # still on the floor
    assert np.linalg.norm(taller.joints[15] - body.joints[15]) > 0.04  # the skeleton grows too
    broad = body.shaped([0.0, 1.0])
    vol = lambda b: trimesh.Trimesh(b.template, b.faces, process=False).volume
    assert vol(broad) > 1.15 * vol(body)
    assert abs(broad.height - body.height) < 0.01
    assert np.linalg.norm(broad.joints - body.joints, axis=1).max() < 0.015
