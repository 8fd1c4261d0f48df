"""SMPL parameter .npz: round trip, agreement with smplx, clear errors on bad files."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.errors import LampError
from lamp_core.formats import read, write
from lamp_core.formats.smpl_npz import Y_TO_Z, params_to_joints, to_params


def test_round_trip(walk, tmp_path):
    path = write(walk, tmp_path / "walk.npz")
    with np.load(path, allow_pickle=False) as z:
        assert z["poses"].shape == (walk.n_frames, 72) and z["trans"].shape == (walk.n_frames, 3)
        assert z["betas"].shape == (10,) and float(z["mocap_framerate"]) == walk.fps
        assert str(z["gender"]) == "neutral"
    back = read(path)
    assert back.n_frames == walk.n_frames and back.fps == 20.0
    # the clip now lives on the body's bones (the reference skeleton is close to the neutral body)
    a = walk.on_floor().joints
    assert np.linalg.norm(back.joints - a, axis=-1).mean() < 0.03
    again = read(write(back, tmp_path / "again.npz"))
    assert np.linalg.norm(again.joints - back.joints, axis=-1).max() < 0.01


@pytest.mark.parametrize("scale", [0.85, 1.1])
def test_betas_carry_the_clips_proportions(walk, tmp_path, scale):
    small = walk.replace(joints=walk.joints * scale)
    path = write(small, tmp_path / "s.npz")
    with np.load(path, allow_pickle=False) as z:
        assert abs(z["betas"]).max() > 1.0   # not the mean shape
    back = read(path)
    assert abs(back.stature - small.stature) < 0.01
    assert np.linalg.norm(back.joints - small.on_floor().joints, axis=-1).max() < 0.01


@pytest.mark.parametrize("scale", [1.0, 0.9])
def test_smplx_poses_the_same_joints(walk, tmp_path, scale):
    walk = walk.replace(joints=walk.joints * scale)
    torch = pytest.importorskip("torch")
    pytest.importorskip("smplx")
    from lamp_core.body.model import load_body, smplx_model
    path = write(walk, tmp_path / "walk.npz")
    with np.load(path, allow_pickle=False) as z:
        poses, trans, betas = z["poses"], z["trans"], z["betas"]
    model = smplx_model()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    with torch.no_grad():
        out = model(betas=f(betas[None]).expand(len(poses), -1), global_orient=f(poses[:, :3]),
                    body_pose=f(poses[:, 3:72]), transl=f(trans))
    smplx_joints = out.joints[:, :22].numpy()
    ours = params_to_joints(poses, trans, load_body(betas=betas))
    assert np.linalg.norm(smplx_joints - ours, axis=-1).max() < 0.01
    # the file is Z up: the head is above the pelvis along +Z
    assert (ours[:, 15, 2] - ours[:, 0, 2]).min() > 0.3


def test_amass_style_smplh_at_120fps(walk, tmp_path):
    p = to_params(walk.resample(60.0), up="z")
    poses = np.concatenate([p["poses"][:, :66], np.zeros((len(p["poses"]), 90))], axis=1)  # SMPL+H (T, 156)
    np.savez(tmp_path / "amass.npz", poses=poses, trans=p["trans"], betas=np.full(16, 0.5),
             mocap_framerate=np.array(60.0), gender=np.array("male"))
    m = read(tmp_path / "amass.npz")
    assert m.fps == 20.0 and abs(m.n_frames - walk.n_frames) <= 1
    assert (m.joints[:, 15, 1] - m.joints[:, 0, 1]).min() > 0.3  # turned to Y up
    assert any("betas ignored" in n for n in m.provenance.notes)   # SMPL's shape space, not our body's


@pytest.mark.parametrize("arrays,field", [
    ({"trans": np.zeros((5, 3))}, "poses"),
    ({"poses": np.zeros((5, 70)), "trans": np.zeros((5, 3))}, "poses"),
    ({"poses": np.zeros((5, 72))}, "trans"),
    ({"poses": np.zeros((5, 72)), "trans": np.zeros((4, 3))}, "trans"),
    ({"poses": np.zeros((5, 72)), "trans": np.zeros((5, 3)), "mocap_framerate": np.array(-1.0)}, "mocap_framerate"),
    ({"poses": np.full((5, 72), np.nan), "trans": np.zeros((5, 3))}, "poses"),
    ({"poses": np.array([None] * 5, dtype=object), "trans": np.zeros((5, 3))}, "poses"),
])
def test_bad_files_name_file_and_field(tmp_path, arrays, field):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(LampError, match=rf"bad\.npz.*'{field}'"):
        read(path)


def test_not_an_archive(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LampError, match="junk.npz"):
        read(path)


def test_y_to_z_is_a_rotation():
    assert np.allclose(Y_TO_Z @ Y_TO_Z.T, np.eye(3)) and np.allclose(Y_TO_Z @ [0, 1, 0], [0, 0, 1])


@pytest.mark.parametrize("data,why", [(b"garbage", "not a zip archive"), (b"", "not a zip archive"),
                                      (b"\x93NUMPY\x01\x00", "single .npy array")])
def test_not_npz_never_suggests_unpickling(tmp_path, data, why):
    path = tmp_path / "odd.npz"
    path.write_bytes(data)
    with pytest.raises(LampError, match=rf"odd\.npz.*{why}") as e:
        read(path)
    assert "pickle" not in str(e.value)
