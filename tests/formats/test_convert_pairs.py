"""`lamp convert` between every readable and every writable format, and export_motion's options."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.cli import main
from lamp_core.export import ExportOptions, export_motion, options_for
from lamp_core.formats import read, readable_suffixes, writable_suffixes, write

pytest.importorskip("ufbx")
pytest.importorskip("pygltflib")


def test_registry_covers_the_new_formats():
    assert {".fbx", ".npz", ".glb", ".gltf", ".bvh", ".npy"} <= set(readable_suffixes())
    assert {".fbx", ".npz", ".glb", ".gltf", ".bvh", ".npy"} <= set(writable_suffixes())
    for s in writable_suffixes():
        assert {"fps", "in_place", "frame_range"} <= set(options_for(s))


@pytest.mark.parametrize("src", [".bvh", ".npy", ".npz", ".fbx", ".glb"])
def test_convert_every_pair(walk, tmp_path, src, capsys):
    source = write(walk, tmp_path / f"in{src}")
    for dst in writable_suffixes():
        out = tmp_path / f"out_{src[1:]}{dst}"
        assert main(["convert", str(source), str(out), "--fps", "30", "--range", "0:40"]) == 0, capsys.readouterr()
        assert out.stat().st_size > 0
        if dst in readable_suffixes():
            back = read(out)
            if dst != ".npy":  # .npy holds no frame rate: its 30 fps frames read back as 20 fps ones
                assert back.fps == 20.0 and abs(back.duration - 39 / 20) < 0.11
            assert abs(back.stature - walk.stature) < 0.1


def test_convert_body_flags(walk, tmp_path):
    src = write(walk, tmp_path / "in.bvh")
    assert main(["convert", str(src), str(tmp_path / "b.fbx"), "--body", "--names", "mixamo"]) == 0
    assert main(["convert", str(src), str(tmp_path / "s.glb"), "--no-body"]) == 0
    assert (tmp_path / "b.fbx").stat().st_size > 10 * (tmp_path / "s.glb").stat().st_size


def test_export_motion_rig_formats(walk, tmp_path):
    for suffix, n_expect in ((".fbx", 59), (".glb", 59), (".npz", 59)):
        out, n, fps = export_motion(walk, tmp_path / f"e{suffix}",
                                    ExportOptions(fps=30, frame_range=(10, 50), in_place=True, names="mixamo"))
        assert (n, fps) == (n_expect, 30.0) and out.exists()
    back = read(tmp_path / "e.npz", fps=30)
    assert back.n_frames == 59
    drift = np.linalg.norm(back.joints[-1, 0, [0, 2]] - back.joints[0, 0, [0, 2]])
    assert drift < 0.05
