import subprocess
import sys

import numpy as np

from lamp_core.cli import main
from lamp_core.formats import read, write


def test_convert_bvh_to_npy_and_back(walk, tmp_path, capsys):
    src = write(walk, tmp_path / "walk.bvh")
    assert main(["convert", str(src), str(tmp_path / "walk.npy")]) == 0
    arr = np.load(tmp_path / "walk.npy")
    assert arr.shape == (walk.n_frames, 22, 3) and arr.dtype == np.float32
    assert main(["convert", str(tmp_path / "walk.npy"), str(tmp_path / "back.bvh"), "--fps", "30",
                 "--in-place", "--rest", "apose", "--names", "mixamo"]) == 0
    text = (tmp_path / "back.bvh").read_text()
    assert "LeftUpLeg" in text and "Frame Time: 0.0333" in text
    back = read(tmp_path / "back.bvh")
    assert np.abs(back.joints[:, 0, [0, 2]] - back.joints[0, 0, [0, 2]]).max() < 1e-3  # in place


def test_convert_features_npy(walk, tmp_path):
    write(walk, tmp_path / "w.bvh")
    assert main(["convert", str(tmp_path / "w.bvh"), str(tmp_path / "f.npy"), "--features"]) == 0
    assert np.load(tmp_path / "f.npy").shape == (walk.n_frames - 1, 263)
    assert main(["convert", str(tmp_path / "f.npy"), str(tmp_path / "f.bvh")]) == 0


def test_failures_exit_non_zero_with_one_line(tmp_path):
    bad = tmp_path / "bad.bvh"
    bad.write_text("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 zero\n")
    r = subprocess.run([sys.executable, "-m", "lamp_core.cli", "convert", str(bad), str(tmp_path / "o.bvh")],
                       capture_output=True, text=True)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.bvh:4" in lines[0] and "number" in lines[0]
    r = subprocess.run([sys.executable, "-m", "lamp_core.cli", "convert", str(bad), str(tmp_path / "o.xyz")],
                       capture_output=True, text=True)
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1
