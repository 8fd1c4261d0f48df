"""Real BVH files from ../shared: every skeleton family imports as a plausible human, and round trips
through our writer and our IK are exact."""

import numpy as np
import pytest

from lamp_core.formats import read, write
from lamp_core.motion.kinematics import forward_kinematics
from lamp_core.motion.rotations import yaw_matrix
from tests.conftest import sample_from_archive, shared_path

FAMILIES = {
    "bandai-namco-1": ("bandai-namco-1.tar.xz", "Motiondataset-1/data/", 3),
    "bandai-namco-2": ("bandai-namco-2.tar.xz", "Motiondataset-2/data/", 3),
    "cmu-daz": ("cmu-subset.tar.xz", "daz-friendly/", 3),
    "cmu-max": ("cmu-subset.tar.xz", "max-friendly/", 2),
    "reactidle": ("reactidle.tar.xz", "reactidle/", 2),
}


def _family_files(name):
    archive, contains, n = FAMILIES[name]
    files = sample_from_archive(archive, contains, n)
    assert files, f"no BVH found in {archive} under {contains}"
    return files


@pytest.fixture(scope="module", params=sorted(FAMILIES) + ["fixture-cmu-cgspeed"])
def real_motions(request):
    if request.param == "fixture-cmu-cgspeed":
        files = [shared_path("fixtures", "assimp__01_01.bvh")]
    else:
        files = _family_files(request.param)
    return [(f, read(f)) for f in files]


def test_every_family_imports_as_a_plausible_human(real_motions):
    for path, m in real_motions:
        assert m.fps == 20.0
        assert m.joints.shape[1:] == (22, 3) and m.n_frames > 5
        assert np.isfinite(m.joints).all()
        assert 1.4 <= m.stature <= 2.1, f"{path.name}: stature {m.stature:.2f} m"
        assert abs(m.joints[..., 1].min()) < 1e-6, f"{path.name}: not on the floor"
        # feet, not hands or the head, are what touches the floor; the head is above the pelvis
        lowest = np.unravel_index(np.argmin(m.joints[..., 1]), m.joints.shape[:2])[1]
        assert lowest in (7, 8, 10, 11), f"{path.name}: joint {lowest} is the lowest"
        assert (m.joints[:, 15, 1] > m.joints[:, 0, 1]).mean() > 0.9, f"{path.name}: not upright"


def test_cgspeed_tpose_lead_in_is_dropped():
    m = read(shared_path("fixtures", "assimp__01_01.bvh"))
    assert any("T-pose" in n for n in m.provenance.notes)
    # 2,752 frames at 120 fps less the T-pose frame -> 20 fps
    assert m.n_frames == (2751 - 1) // 6 + 1


def test_joints_bvh_joints_round_trip_within_1mm(real_motions, tmp_path):
    for path, m in real_motions:
        for names, rest in (("smpl", "tpose"), ("mixamo", "apose")):
            out = write(m, tmp_path / f"{path.stem}.bvh", names=names, rest=rest)
            back = read(out)
            assert back.n_frames == m.n_frames
            err = np.abs(back.joints - m.joints).max()
            assert err < 1e-3, f"{path.name} {names}/{rest}: {err * 1000:.2f} mm"


def test_ik_fk_reproduces_real_clips_in_every_facing_direction(real_motions):
    for path, m in real_motions[:1]:
        for yaw in np.linspace(0, 2 * np.pi, 8, endpoint=False):
            turned = m.replace(joints=m.joints.astype(float) @ yaw_matrix(yaw).T)
            rots, root, offsets = turned.local_rotations()
            P, _ = forward_kinematics(rots, root, offsets)
            assert np.abs(P - turned.joints).max() < 1e-3, f"{path.name} at yaw {yaw:.2f}"


def test_real_clip_features_decode_back_within_1mm(real_motions):
    from lamp_core.motion.features import canonicalize, features_to_joints
    for path, m in real_motions[:1]:
        back = features_to_joints(m.features)
        assert np.abs(back - canonicalize(m.joints)[:-1]).max() < 1e-3, path.name


def test_export_at_another_fps_keeps_bone_lengths_and_plays_back_exactly(real_motions, tmp_path):
    from lamp_core.formats.bvh import prepare_for_export
    from lamp_core.motion.skeleton import bone_lengths
    path, m = real_motions[0]
    out = write(m, tmp_path / "m30.bvh", fps=30)
    back = read(out, fps=30, on_floor=False)
    expect = prepare_for_export(m, fps=30)
    assert back.n_frames == expect.n_frames
    assert np.abs(back.joints - expect.joints).max() < 1e-3
    lengths = bone_lengths(expect.joints)[:, 1:]
    assert (lengths.max(0) - lengths.min(0)).max() < 1e-4  # no bone shrinks on in-between frames
    # frames that fall on original ones are the original poses
    assert np.abs(expect.joints[::3] - m.on_floor().joints[::2][: len(expect.joints[::3])]).max() < 1e-3
