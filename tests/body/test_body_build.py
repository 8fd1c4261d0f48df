"""The body generator: meshing on a known shape, the whole build at a coarse setting, the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.body import mesher
from lamp_core.cli import main

trimesh = pytest.importorskip("trimesh")


def _sphere(p):
    return np.linalg.norm(p, axis=-1) - 0.3


def _sphere_grad(p):
    return p / np.maximum(np.linalg.norm(p, axis=-1, keepdims=True), 1e-12)


def test_surface_nets_decimate_and_relax_keep_a_closed_sphere():
    xs = mesher.axis(-0.4, 0.4, 0.02, fine=((-0.4, -0.2, 0.01),))  # a rectilinear grid, finer on one side
    grid = np.stack(np.meshgrid(xs, xs, xs, indexing="ij"), -1)
    v, f = mesher.surface_nets(_sphere(grid), xs, xs, xs)
    m = trimesh.Trimesh(v, f, process=False)
    assert m.is_watertight and m.is_winding_consistent and m.euler_number == 2 and m.volume > 0
    place = lambda p: mesher.project(p, _sphere, _sphere_grad)
    v = place(v)
    v2, f2 = mesher.decimate(v, f, np.full(len(v), 0.04), place)
    v2 = mesher.relax(v2, f2, _sphere, _sphere_grad)
    m2 = trimesh.Trimesh(v2, f2, process=False)
    assert len(v2) < len(v) / 2
    assert m2.is_watertight and m2.is_winding_consistent and m2.euler_number == 2
    assert np.abs(np.linalg.norm(v2, axis=1) - 0.3).max() < 1e-6  # on the surface
    assert abs(m2.volume / (4 / 3 * np.pi * 0.3 ** 3) - 1) < 0.03


def test_surface_nets_rejects_a_surface_touching_the_grid_border():
    xs = np.linspace(-0.2, 0.2, 9)
    grid = np.stack(np.meshgrid(xs, xs, xs, indexing="ij"), -1)
    with pytest.raises(ValueError, match="border"):
        mesher.surface_nets(_sphere(grid), xs, xs, xs)


@pytest.mark.slow
def test_a_coarse_build_is_a_complete_smpl_format_body(tmp_path):
    from lamp_core.body import load_body
    from lamp_core.body.build import build_body, save_body
    from lamp_core.body.shapes import smpl_joints

    arrays = build_body(step=0.012, density=0.4, log=lambda *_: None)
    path = save_body(arrays, tmp_path / "coarse.npz")
    body = load_body(path)
    assert 2000 < body.n_vertices < 5000
    m = trimesh.Trimesh(body.template, body.faces, process=False)
    assert m.is_watertight and m.euler_number == 2
    assert np.linalg.norm(body.joints - smpl_joints(), axis=1).max() < 1e-3
    np.testing.assert_allclose(body.weights.sum(1), 1.0, atol=1e-5)


def test_body_info_cli(capsys):
    assert main(["body", "info"]) == 0
    out = capsys.readouterr().out
    assert "vertices:" in out and "joints: 24" in out and "rest height: 1.70" in out


def test_body_info_cli_with_a_missing_model(capsys, tmp_path):
    assert main(["body", "info", "--model", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_body_bench_suite_reports_poses_per_second(capsys):
    import json

    assert main(["bench", "--quick", "--json", "--only", "body"]) == 0
    rows = json.loads(capsys.readouterr().out)["results"]
    assert len(rows) == 4 and all(r["suite"] == "body" and r["unit"] == "poses/s" and r["per_s"] > 0 for r in rows)
    assert any("10,000 vertices" in r["name"] for r in rows)
