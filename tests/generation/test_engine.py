"""The Engine on a tiny bundle: seeds reproduce, edits keep what must not move, key poses are hit,
long sequences have no seams, and bad requests get clear errors instead of hangs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lamp_core.engine import Engine
from lamp_core.errors import Cancelled, LampError
from lamp_core.motion.motion import Motion


@pytest.fixture(scope="module")
def engine(tiny_bundle):
    return Engine.load(tiny_bundle)


def _steps(joints: np.ndarray) -> np.ndarray:
    """(T-1,) largest joint displacement between consecutive frames."""
    return np.linalg.norm(np.diff(joints.astype(np.float64), axis=0), axis=-1).max(-1)


def test_same_seed_same_motion_different_seed_different(engine):
    a = engine.generate("a person walks forward", seconds=3.0, seed=7)[0]
    b = engine.generate("a person walks forward", seconds=3.0, seed=7)[0]
    c = engine.generate("a person walks forward", seconds=3.0, seed=8)[0]
    assert np.array_equal(a.joints, b.joints)
    assert not np.allclose(a.joints, c.joints, atol=1e-3)
    assert a.provenance.seed == 7 and a.provenance.prompt == "a person walks forward"


def test_samples_differ_and_durations_follow_the_request(engine):
    ms = engine.generate("someone jumps", seconds=2.0, seed=1, samples=3)
    assert len(ms) == 3 and all(m.n_frames == 40 and m.fps == 20 for m in ms)
    assert not np.allclose(ms[0].joints, ms[1].joints, atol=1e-3)
    auto = engine.generate("someone jumps", seed=1)[0]       # no duration: the length estimator decides
    assert auto.n_frames % 4 == 0 and 8 <= auto.n_frames <= 196
    assert engine.generate("a random seed is recorded")[0].provenance.seed is not None


def test_inpainting_keeps_every_other_frame_exactly_and_joins_smoothly(engine):
    src = engine.generate("a person walks forward", seconds=6.0, seed=3)[0]
    out = engine.inpaint(src, 40, 80, "a person jumps in place", seed=4)
    assert out.n_frames == src.n_frames
    assert np.array_equal(out.joints[:40], src.joints[:40]) and np.array_equal(out.joints[80:], src.joints[80:])
    assert not np.allclose(out.joints[40:80], src.joints[40:80], atol=1e-3)
    inside = max(_steps(src.joints).max(), _steps(out.joints[40:80]).max())
    for j in (40, 80):  # the frame-to-frame step across each join is like the steps inside the motions
        assert np.linalg.norm(out.joints[j] - out.joints[j - 1], axis=-1).max() <= 1.2 * inside + 0.01
    assert "regenerated" in out.provenance.notes[-1]


def test_inpainting_at_the_very_start_and_end(engine):
    src = engine.generate("a person walks forward", seconds=4.0, seed=3)[0]
    head = engine.inpaint(src, 0, 20, "a person waves", seed=1)
    assert np.array_equal(head.joints[20:], src.joints[20:])
    tail = engine.inpaint(src, 60, 80, "a person waves", seed=1)
    assert np.array_equal(tail.joints[:60], src.joints[:60])


def test_continuing_forward_and_backward_keeps_the_given_frames(engine):
    src = engine.generate("a person walks forward", seconds=3.0, seed=5)[0]
    fwd = engine.continue_motion(src, 2.0, "then runs", seed=1)
    assert np.array_equal(fwd.joints[: src.n_frames], src.joints) and fwd.n_frames > src.n_frames + 30
    back = engine.continue_motion(src, 2.0, "a person stands", backward=True, seed=1)
    assert np.array_equal(back.joints[-src.n_frames:], src.joints) and back.n_frames > src.n_frames + 30
    inside = _steps(fwd.joints).max()
    assert np.linalg.norm(fwd.joints[src.n_frames] - fwd.joints[src.n_frames - 1], axis=-1).max() <= inside + 1e-6


def test_key_poses_are_hit_within_two_centimetres(engine):
    ref = engine.generate("a person squats", seconds=4.0, seed=2)[0]
    keys = {10: ref.joints[10], 45: ref.joints[45] + np.array([0.3, 0.0, 0.2], np.float32)}
    out = engine.inbetween(keys, "a person squats", seconds=4.0, seed=3)
    for f, pose in keys.items():
        assert np.linalg.norm(out.joints[f] - pose, axis=-1).max() < 0.02
    assert out.n_frames == 80


def test_text_to_pose_and_the_ohmg_path(engine):
    poses = engine.text_to_pose("raises both arms", seed=1, samples=3)
    assert poses.shape == (3, 22, 3) and np.isfinite(poses).all()
    assert abs(poses[..., 1].min(axis=1)).max() < 1e-6            # feet on the floor
    assert np.array_equal(poses, engine.text_to_pose("raises both arms", seed=1, samples=3))
    assert not np.allclose(poses[0], poses[1])
    m = engine.text_pose_motion("raises both arms", seconds=3.0, seed=1)
    pose = engine.text_to_pose("raises both arms", seed=1)[0]
    mid = m.n_frames // 2
    # the pose is hit at the middle frame (placed on the ground where the motion is)
    assert np.abs((m.joints[mid] - m.joints[mid, :1]) - (pose - pose[:1])).max() < 0.02


def test_a_sequence_has_no_seams(engine):
    segs = [("a person walks forward", 3.0), ("a person jumps", 2.0), ("a person walks back", 3.0)]
    m = engine.sequence(segs, seed=11)
    assert abs(m.n_frames - 160) <= 12
    ends = json.loads(m.provenance.notes[-1].split("frames ")[1])
    speeds = _steps(m.joints)
    seams = [speeds[e - 1] for e in ends[:-1]]
    inner = np.delete(speeds, [e - 1 for e in ends[:-1]])
    assert max(seams) <= inner.max() + 1e-6, (seams, inner.max())


def test_progress_reports_and_cancel_stops_at_the_next_step(engine):
    seen = []
    engine.generate("a person walks", seconds=2.0, seed=1, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 10
    total = engine.sampling.steps + engine.vq.cfg.n_quantizers - 1
    assert engine.residual is not None
    assert max(np.diff([0.0, *seen])) <= 1.0 / total + 1e-9, "the bar moves a step at a time, residual codebooks too"
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        engine.generate("a person walks", seconds=2.0, seed=1, cancel=cancel)
    assert len(calls) == 4


@pytest.mark.parametrize("kwargs, match", [
    (dict(text=""), "empty"),
    (dict(text="   "), "empty"),
    (dict(text="walk", seconds=0), "positive"),
    (dict(text="walk", seconds=-2), "positive"),
    (dict(text="walk", seconds=36000), "chain segments"),
    (dict(text="walk", seconds=float("nan")), "positive"),
    (dict(text="walk", samples=0), "samples"),
    (dict(text="walk", guidance=-1), "guidance"),
])
def test_bad_generation_requests_are_clear_errors(engine, kwargs, match):
    with pytest.raises(LampError, match=match):
        engine.generate(**kwargs)


def test_bad_edits_are_clear_errors(engine):
    src = engine.generate("a person walks forward", seconds=2.0, seed=3)[0]
    with pytest.raises(LampError, match="0 <= start < end"):
        engine.inpaint(src, 30, 90, "jump")
    with pytest.raises(LampError, match="outside"):
        engine.inbetween({500: src.joints[0]}, "walk", seconds=2.0)
    with pytest.raises(LampError, match="22 joints"):
        engine.inbetween({5: np.zeros((3, 3))}, "walk", seconds=2.0)
    with pytest.raises(LampError, match="NaN"):
        engine.inbetween({5: np.full((22, 3), np.nan)}, "walk", seconds=2.0)
    bad = src.joints.copy()
    bad[7, 3] = np.nan
    with pytest.raises(LampError, match="NaN.*frame 7"):
        engine.inpaint(bad, 5, 10, "jump")
    with pytest.raises(LampError, match="segment 2"):
        engine.sequence([("walk", 2.0), ("jump", -1.0)])
    with pytest.raises(LampError, match="limit"):
        engine.sequence([("walk", 9.0)] * 100)
    assert isinstance(src, Motion)


def test_bundle_problems_are_clear_errors(tiny_bundle, tmp_path):
    with pytest.raises(LampError, match="not a model bundle"):
        Engine.load(tmp_path)
    (tmp_path / "bundle.json").write_text(json.dumps({"format": "lamp-bundle", "version": 99, "parts": []}))
    with pytest.raises(LampError, match="newer"):
        Engine.load(tmp_path)


def test_a_float16_bundle_is_half_the_size_and_still_generates(tiny_bundle, tmp_path):
    from lamp_core.generation.bundle import PARTS, make_bundle
    parts = {p: tiny_bundle / p for p in PARTS if (tiny_bundle / p).is_dir()}
    half = make_bundle(tmp_path / "half", parts, half=True)

    def size(folder):
        return sum(f.stat().st_size for f in folder.rglob("*.safetensors"))

    assert size(half) < 0.6 * size(tiny_bundle)
    m = Engine.load(half).generate("a person walks forward", seconds=2.0, seed=1)[0]
    assert m.n_frames == 40 and np.isfinite(m.joints).all()


def test_editing_a_motion_longer_than_one_window(engine):
    long = engine.sequence([("a person walks forward", 8.0), ("a person walks forward", 7.0)], seed=2)
    assert long.n_frames > 250
    out = engine.inpaint(long, 150, 190, "a person jumps", seed=1)
    assert np.array_equal(out.joints[:150], long.joints[:150]) and np.array_equal(out.joints[190:], long.joints[190:])
    more = engine.continue_motion(long, 3.0, "a person stops", seed=1)
    assert np.array_equal(more.joints[: long.n_frames], long.joints)
    with pytest.raises(LampError, match="at most"):
        engine.inpaint(long, 10, 260, "a person jumps")


def test_bridging_two_motions_keeps_both_where_they_are(engine):
    a = engine.generate("a person walks forward", seconds=3.0, seed=1)[0]
    b = engine.generate("a person jumps", seconds=2.0, seed=2)[0].translated([1.0, 0.0, 4.0])
    out = engine.bridge(a, b, 2.0, "a person walks forward", seed=3)
    assert np.array_equal(out.joints[: a.n_frames], a.joints)
    assert np.array_equal(out.joints[-b.n_frames:], b.joints)
    gap = out.n_frames - a.n_frames - b.n_frames
    assert 30 <= gap <= 44
    steps = _steps(out.joints)
    for j in (a.n_frames - 1, out.n_frames - b.n_frames - 1):   # no pop at either join
        assert steps[j] < 0.25


def test_a_bundle_keeps_its_name_and_sampling_defaults(tiny_bundle):
    engine = Engine.load(tiny_bundle)
    assert engine.name == "tiny" and engine.sampling.guidance == 2.0
