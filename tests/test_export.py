"""lamp_core.export: one call with every writer option, applied in lamp convert's order."""

import numpy as np
import pytest

from lamp_core.errors import LampError
from lamp_core.export import ExportOptions, export_motion, options_for
from lamp_core.formats import read, writable_suffixes


def test_every_writable_format_has_options():
    for s in writable_suffixes():
        assert {"fps", "in_place", "frame_range", "foot_cleanup"} <= set(options_for(s))
    with pytest.raises(LampError, match="supported"):
        options_for(".xyz")


def test_bvh_with_range_fps_and_names(walk, tmp_path):
    out, frames, fps = export_motion(walk, tmp_path / "a.bvh", ExportOptions(fps=40, frame_range=(0, 40),
                                                                              names="mixamo", rest="apose"))
    back = read(out, fps=40)
    assert (frames, fps) == (back.n_frames, 40.0) and frames == 79
    assert "JOINT LeftUpLeg" in out.read_text()


def test_npy_features_and_foot_cleanup(walk, tmp_path):
    out, frames, fps = export_motion(walk, tmp_path / "f.npy", ExportOptions(features=True, foot_cleanup=True))
    arr = np.load(out)
    assert arr.shape == (walk.n_frames - 1, 263) and frames == len(arr) and fps == 20.0


def test_a_whole_clip_range_is_no_range_and_a_bad_range_is_refused(walk, tmp_path):
    _, frames, _ = export_motion(walk, tmp_path / "w.npy", ExportOptions(frame_range=(0, walk.n_frames)))
    assert frames == walk.n_frames
    with pytest.raises(LampError, match="outside"):
        export_motion(walk, tmp_path / "x.npy", ExportOptions(frame_range=(10, 500)))
    with pytest.raises(LampError, match="fps"):
        export_motion(walk, tmp_path / "x.bvh", ExportOptions(fps=0.0001))
