"""Our BVH writer checked by an independent reader (the PyPI package ``bvhio``): same joint names and
hierarchy, same frame count and frame time, and the same world positions per frame within 1 mm."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.formats import write
from lamp_core.formats.bvh import JOINT_NAME_SETS, dfs_order, prepare_for_export
from lamp_core.motion.skeleton import PARENTS
from tests.conftest import walking_motion

bvhio = pytest.importorskip("bvhio")


@pytest.fixture(scope="module")
def motion():
    # A rigid body walking and turning, so every joint rotates and the root travels and turns.
    return walking_motion(frames=30, turn_rate=0.6, seed=1)


def _bvhio_parents(root) -> dict[str, str | None]:
    out: dict[str, str | None] = {root.Name: None}
    stack = [root]
    while stack:
        j = stack.pop()
        for c in j.Children:
            out[c.Name] = j.Name
            stack.append(c)
    return out


@pytest.mark.parametrize("fps", [20, 30])
@pytest.mark.parametrize("rest", ["tpose", "apose"])
@pytest.mark.parametrize("names", ["smpl", "mixamo"])
def test_bvhio_reads_what_we_write(motion, tmp_path, names, rest, fps):
    path = write(motion, tmp_path / "take.bvh", fps=fps, rest=rest, names=names)
    expected = prepare_for_export(motion, fps=fps, rest=rest)
    label = JOINT_NAME_SETS[names]

    # Hierarchy: names in file (depth-first) order and each joint's parent.
    bvh = bvhio.readAsBvh(str(path))
    layout = [j.Name for j, _, _ in bvh.Root.layout()]
    assert layout == [label[j] for j in dfs_order()]
    want_parents = {label[j]: (label[PARENTS[j]] if PARENTS[j] >= 0 else None) for j in range(22)}
    assert _bvhio_parents(bvh.Root) == want_parents

    # Frames and timing.
    assert bvh.FrameCount == expected.n_frames
    assert len(bvh.Root.Keyframes) == expected.n_frames
    assert bvh.FrameTime == pytest.approx(1.0 / fps, rel=1e-6)

    # World positions per frame (bvhio's own forward kinematics), metres as written.
    root = bvhio.readAsHierarchy(str(path))
    joints = {j.Name: j for j, _, _ in root.layout()}
    assert set(joints) == set(label)
    got = np.empty((expected.n_frames, 22, 3))
    for f in range(expected.n_frames):
        root.loadPose(f, recursive=True)
        for k in range(22):
            got[f, k] = tuple(joints[label[k]].PositionWorld)
    err = np.abs(got - expected.joints).max()
    assert err < 1e-3, f"bvhio positions differ by up to {err * 1000:.2f} mm"
    # and the motion really moves (the comparison is not trivially of a static pose)
    assert np.ptp(got[:, 20], axis=0).max() > 0.05
