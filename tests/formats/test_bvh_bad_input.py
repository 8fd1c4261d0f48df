"""Hostile BVH input: every bad file gives exactly one MotionFormatError naming the file, the line
(where one is known) and what was expected; never another exception, a hang or a big allocation.
Valid files with CRLF, tabs and mixed whitespace still read."""

from __future__ import annotations

import io
import re
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamp_core.errors import MotionFormatError
from lamp_core.formats import read, write
from lamp_core.formats.bvh_parse import parse
from lamp_core.motion import Motion
from lamp_core.motion.skeleton import REFERENCE_TPOSE

N_FRAMES = 12
N_CHANNELS = 6 + 21 * 3


# ------------------------------------------------------------------------------------ helpers

def sample_motion(frames: int = N_FRAMES) -> Motion:
    """The reference T-pose swaying, bobbing, walking forward and waving its forearms a little."""
    t = np.arange(frames) / 20.0
    j = np.repeat(REFERENCE_TPOSE[None], frames, 0).astype(np.float64)
    j[:, :, 0] += 0.03 * np.sin(2 * np.pi * t)[:, None]
    j[:, :, 1] += 0.02 * np.sin(4 * np.pi * t)[:, None]
    j[:, :, 2] += 0.5 * t[:, None]
    j[:, 18:22, 1] += 0.05 * np.sin(2 * np.pi * t)[:, None]
    return Motion(j, fps=20)


_VALID: dict[str, str] = {}


def valid_bvh_text(names: str = "smpl") -> str:
    """A valid 22-joint BVH written by our writer (cached; the tests mutate copies)."""
    if names not in _VALID:
        with tempfile.TemporaryDirectory() as d:
            _VALID[names] = write(sample_motion(), Path(d) / "valid.bvh", names=names).read_text()
    return _VALID[names]


def line_of(text: str, pattern: str, nth: int = 0) -> int:
    """1-based number of the nth line containing ``pattern``."""
    hits = [k + 1 for k, line in enumerate(text.split("\n")) if pattern in line]
    return hits[nth]


def first_data_line(text: str) -> int:
    return line_of(text, "Frame Time:") + 1


def set_line(text: str, lineno: int, new: str) -> str:
    lines = text.split("\n")
    lines[lineno - 1] = new
    return "\n".join(lines)


def put(tmp_path: Path, content: str | bytes, name: str = "take.bvh") -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_bytes(content.encode("utf-8"))
    return p


def read_error(path: Path) -> MotionFormatError:
    """Read ``path`` expecting exactly one MotionFormatError that names the file."""
    with pytest.raises(MotionFormatError) as info:
        read(path)
    err = info.value
    assert type(err) is MotionFormatError
    assert err.path == str(path)
    assert str(err).startswith(str(path))
    if err.line is not None:
        assert str(err).startswith(f"{path}:{err.line}: ")
    return err


def expect_error(tmp_path: Path, content, line: int | None, *words: str, name: str = "take.bvh") -> MotionFormatError:
    err = read_error(put(tmp_path, content, name))
    if line is not None:
        assert err.line == line, str(err)
    msg = str(err).lower()
    for w in words:
        assert w.lower() in msg, f"{w!r} not in {str(err)!r}"
    return err


def test_the_base_text_is_valid(tmp_path):
    text = valid_bvh_text()
    m = read(put(tmp_path, text))
    assert m.joints.shape == (N_FRAMES, 22, 3)
    data = parse(text)
    assert data.frames.shape == (N_FRAMES, N_CHANNELS)


# ------------------------------------------------------------------------------------ truncation

def test_cut_inside_the_hierarchy(tmp_path):
    text = valid_bvh_text()
    cut = text[: text.index("JOINT L_Knee") + len("JOINT L_Knee\n")]
    expect_error(tmp_path, cut, cut.count("\n"), "ends inside the hierarchy")


def test_cut_inside_an_offset_line(tmp_path):
    text = valid_bvh_text()
    k = text.index("OFFSET", text.index("JOINT L_Knee"))
    cut = text[: k + len("OFFSET 0.0099")]
    expect_error(tmp_path, cut, cut.count("\n") + 1, "OFFSET needs 3 numbers", "found 1")


def test_cut_after_the_hierarchy(tmp_path):
    text = valid_bvh_text()
    cut = text[: text.index("MOTION")]
    expect_error(tmp_path, cut, None, "no MOTION section", "truncated")


def test_cut_before_the_frame_time(tmp_path):
    text = valid_bvh_text()
    cut = text[: text.index("Frame Time")]
    expect_error(tmp_path, cut, None, "Frame Time")


def test_cut_mid_row(tmp_path):
    text = valid_bvh_text()
    lines = text.rstrip("\n").split("\n")
    last = lines[-1]
    cut = "\n".join(lines[:-1] + [last[: len(last) // 2]])
    err = expect_error(tmp_path, cut, len(lines), "truncated", f"expected {N_CHANNELS} numbers per frame")
    assert "last row has" in str(err)


def test_fewer_rows_than_frames_says(tmp_path):
    text = valid_bvh_text()
    lines = text.rstrip("\n").split("\n")
    cut = "\n".join(lines[:-3]) + "\n"
    expect_error(tmp_path, cut, len(lines) - 3, "truncated", f"Frames says {N_FRAMES}", f"only {N_FRAMES - 3} rows")


def test_no_rows_at_all(tmp_path):
    text = valid_bvh_text()
    cut = text[: text.index("\n", text.index("Frame Time")) + 1]
    expect_error(tmp_path, cut, None, f"Frames says {N_FRAMES}", "no motion data")


# ------------------------------------------------------------------------------------ channel counts

def test_channels_count_disagrees_with_names(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "CHANNELS 3", 0)
    bad = text.replace("CHANNELS 3 Zrotation Xrotation Yrotation",
                       "CHANNELS 3 Zrotation Xrotation Yrotation Xposition", 1)
    expect_error(tmp_path, bad, ln, "CHANNELS says 3 but lists 4")


def test_channels_count_not_a_number(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "CHANNELS 3", 2)
    lines = text.split("\n")
    bad = set_line(text, ln, lines[ln - 1].replace("CHANNELS 3", "CHANNELS three"))
    expect_error(tmp_path, bad, ln, "channel count", "'three'")


def test_unknown_channel_name(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "CHANNELS 3", 1)
    lines = text.split("\n")
    bad = set_line(text, ln, lines[ln - 1].replace("Yrotation", "Wrotation"))
    expect_error(tmp_path, bad, ln, "unknown channel", "Wrotation")


@pytest.mark.parametrize("delta", [-1, +1])
def test_data_row_with_wrong_value_count(tmp_path, delta):
    text = valid_bvh_text()
    ln = first_data_line(text) + 4
    vals = text.split("\n")[ln - 1].split()
    vals = vals[:delta] if delta < 0 else vals + ["0.0"]
    bad = set_line(text, ln, " ".join(vals))
    err = expect_error(tmp_path, bad, ln, f"expected {N_CHANNELS} numbers per frame", f"found {N_CHANNELS + delta}")
    assert "truncated" not in str(err)


# ------------------------------------------------------------------------------------ text in numbers

def test_text_in_offset(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "OFFSET", 3)
    lines = text.split("\n")
    bad = set_line(text, ln, re.sub(r"OFFSET (\S+)", "OFFSET abc", lines[ln - 1]))
    expect_error(tmp_path, bad, ln, "expected a number for OFFSET", "'abc'")


def test_text_in_frame_time(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "Frame Time:")
    bad = set_line(text, ln, "Frame Time: fast")
    expect_error(tmp_path, bad, ln, "expected a number for Frame Time", "'fast'")


@pytest.mark.parametrize("value", ["0", "-0.05", "100"])
def test_implausible_frame_time(tmp_path, value):
    text = valid_bvh_text()
    ln = line_of(text, "Frame Time:")
    expect_error(tmp_path, set_line(text, ln, f"Frame Time: {value}"), ln, "Frame Time", "plausible")


def test_text_in_frames(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "Frames:")
    expect_error(tmp_path, set_line(text, ln, "Frames: many"), ln, "whole number of frames", "'many'")


@pytest.mark.parametrize("row", [0, 5, N_FRAMES - 1])
def test_text_in_a_data_row(tmp_path, row):
    text = valid_bvh_text()
    ln = first_data_line(text) + row
    vals = text.split("\n")[ln - 1].split()
    vals[10] = "oops"
    bad = set_line(text, ln, " ".join(vals))
    expect_error(tmp_path, bad, ln, "expected a number for a channel value", "'oops'")


def test_text_in_a_data_row_after_blank_lines(tmp_path):
    """Interior blank lines are tolerated; the reported line is still the real one."""
    text = valid_bvh_text()
    start = first_data_line(text)
    lines = text.split("\n")
    lines[start + 1: start + 1] = ["", "   ", ""]
    ln = start + 3 + 6
    vals = lines[ln - 1].split()
    vals[-1] = "1.2.3"
    lines[ln - 1] = " ".join(vals)
    expect_error(tmp_path, "\n".join(lines), ln, "channel value", "'1.2.3'")


# ------------------------------------------------------------------------------------ NaN / inf

@pytest.mark.parametrize("token", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_non_finite_in_a_data_row(tmp_path, token):
    text = valid_bvh_text()
    ln = first_data_line(text) + 7
    vals = text.split("\n")[ln - 1].split()
    vals[20] = token
    bad = set_line(text, ln, " ".join(vals))
    expect_error(tmp_path, bad, ln, "channel value", "finite number")


def with_offset_y(text: str, nth: int, token: str) -> tuple[str, int]:
    """The text with the Y of the nth OFFSET line replaced by ``token``, and that line's number."""
    ln = line_of(text, "OFFSET", nth)
    line = text.split("\n")[ln - 1]
    return set_line(text, ln, re.sub(r"OFFSET (\S+) (\S+)", rf"OFFSET \1 {token}", line)), ln


@pytest.mark.parametrize("token", ["nan", "inf", "-inf"])
def test_non_finite_in_offset(tmp_path, token):
    bad, ln = with_offset_y(valid_bvh_text(), 5, token)
    expect_error(tmp_path, bad, ln, "OFFSET", "finite number")


def test_non_finite_frame_time(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "Frame Time:")
    expect_error(tmp_path, set_line(text, ln, "Frame Time: nan"), ln, "Frame Time", "finite")


def test_absurdly_large_finite_values(tmp_path):
    """Finite in float64 but far beyond float32 after FK: still a MotionFormatError, not ValueError."""
    text = valid_bvh_text()
    ln = first_data_line(text) + 3
    vals = text.split("\n")[ln - 1].split()
    vals[0:3] = ["1e300"] * 3
    expect_error(tmp_path, set_line(text, ln, " ".join(vals)), None, "joint positions")


def test_absurdly_large_offset(tmp_path):
    """A finite OFFSET so large the retargeting maths would overflow (SVD failed to converge)."""
    bad, _ = with_offset_y(valid_bvh_text(), 1, "6.2e157")
    expect_error(tmp_path, bad, None, "joint positions", "corrupt")


def _read_with_offset(tmp_path, joint: str, offset: str):
    """Read the valid file with ``joint``'s OFFSET line replaced."""
    text = valid_bvh_text()
    k = text.index("OFFSET", text.index(f"JOINT {joint}"))
    line = text[k: text.index("\n", k)]
    m = read(put(tmp_path, text.replace(line, offset, 1)))
    assert m.joints.shape == (N_FRAMES, 22, 3) and np.isfinite(m.joints).all()
    return m


def test_upside_down_skeleton_reads(tmp_path):
    """Head below the pelvis: turning it upright used to crash (rotation_between on one vector)."""
    _read_with_offset(tmp_path, "Spine1", "OFFSET 0.000000 -1 0.000000")


def test_zero_length_limb_bone_reads(tmp_path):
    """A knee sitting exactly on its hip (a duplicated zero OFFSET) used to give NaN in rigidify."""
    _read_with_offset(tmp_path, "L_Knee", "OFFSET 0 0 0")


# ------------------------------------------------------------------------------------ frame counts

@pytest.mark.parametrize("count", [0, -1, -1000])
def test_zero_or_negative_frames(tmp_path, count):
    text = valid_bvh_text()
    ln = line_of(text, "Frames:")
    expect_error(tmp_path, set_line(text, ln, f"Frames: {count}"), ln, f"has {count} frames", "at least 1")


def read_error_measuring_memory(path):
    """The reader's error for ``path`` and the peak memory (bytes) the failed read allocated."""
    tracemalloc.start()
    try:
        err = read_error(path)
        return err, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_billion_frames_with_two_rows_fails_fast_without_allocating(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "Frames:")
    lines = text.split("\n")
    start = first_data_line(text)
    bad = "\n".join(lines[: ln - 1] + ["Frames: 1000000000"] + lines[ln: start + 1]) + "\n"
    path = put(tmp_path, bad)
    err, peak = read_error_measuring_memory(path)
    assert "truncated" in str(err) and "1000000000" in str(err) and "only 2 rows" in str(err)
    assert err.line == start + 1
    assert peak < 50e6, f"peak {peak / 1e6:.0f} MB"


def test_billion_frames_without_channels_does_not_allocate(tmp_path):
    """A hierarchy without CHANNELS has no motion; the header's frame count must not size anything."""
    header = valid_bvh_text().split("MOTION")[0]
    header = re.sub(r"CHANNELS \d[^\n]*", "CHANNELS 0", header)
    text = header + "MOTION\nFrames: 1000000000\nFrame Time: 0.05\n\n\n"
    path = put(tmp_path, text)
    err, peak = read_error_measuring_memory(path)
    assert "no CHANNELS" in str(err)
    assert peak < 50e6


# ------------------------------------------------------------------------------------ not a BVH at all

def test_random_bytes(tmp_path):
    rng = np.random.default_rng(7)
    expect_error(tmp_path, rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(), 1)


def test_random_bytes_without_nul(tmp_path):
    rng = np.random.default_rng(8)
    expect_error(tmp_path, rng.integers(1, 256, 4096, dtype=np.uint8).tobytes(), None, "HIERARCHY")


def test_png_header(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    expect_error(tmp_path, png, 1, "binary")


def test_zip_file(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("take.bvh", valid_bvh_text())
    expect_error(tmp_path, buf.getvalue(), 1, "binary")


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\r\n"])
def test_empty_or_blank_file(tmp_path, content):
    err = expect_error(tmp_path, content, None, "HIERARCHY")
    if not content:
        assert "empty" in str(err)


def test_plain_text_that_is_not_bvh(tmp_path):
    expect_error(tmp_path, "hello world\nthis is not motion\n", 1, "HIERARCHY")


def test_hierarchy_without_root(tmp_path):
    expect_error(tmp_path, "HIERARCHY\nMOTION\nFrames: 1\nFrame Time: 0.05\n0 0 0\n", None, "no ROOT")


def test_folder_path(tmp_path):
    folder = tmp_path / "take.bvh"
    folder.mkdir()
    err = read_error(folder)
    assert "folder" in str(err)


def test_missing_file(tmp_path):
    err = read_error(tmp_path / "nowhere.bvh")
    assert "not found" in str(err)


def test_unknown_suffix(tmp_path):
    p = put(tmp_path, valid_bvh_text(), name="take.txt")
    err = read_error(p)
    assert ".bvh" in str(err)


# ------------------------------------------------------------------------------------ hierarchy structure

def test_unbalanced_closing_brace(tmp_path):
    text = valid_bvh_text()
    ln = line_of(text, "MOTION")
    bad = text.replace("MOTION", "}\nMOTION", 1)
    expect_error(tmp_path, bad, ln, "unbalanced '}'")


def test_two_roots(tmp_path):
    text = valid_bvh_text()
    header = text.split("MOTION")[0]
    ln = header.count("\n") + 1
    bad = header + header.split("\n", 1)[1] + "MOTION" + text.split("MOTION")[1]
    expect_error(tmp_path, bad, ln, "more than one ROOT")


def test_end_site_with_channels(tmp_path):
    text = valid_bvh_text()
    k = text.index("End Site")
    k = text.index("OFFSET", k)
    k = text.index("\n", k) + 1
    bad = text[:k] + "CHANNELS 1 Xrotation\n" + text[k:]
    expect_error(tmp_path, bad, bad[:k].count("\n") + 1, "End Site cannot have CHANNELS")


def _chain_bvh(n: int, nested: bool = True) -> str:
    out = ["HIERARCHY"]
    for i in range(n):
        out += [f"{'ROOT' if i == 0 else 'JOINT'} seg{i}", "{", "OFFSET 0 0 10",
                "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation" if i == 0
                else "CHANNELS 3 Zrotation Xrotation Yrotation"]
    out += ["End Site", "{", "OFFSET 0 0 5", "}"] + ["}"] * n
    C = 6 + 3 * (n - 1)
    out += ["MOTION", "Frames: 3", "Frame Time: 0.0333333"]
    out += [" ".join(f"{10 * np.sin(f + c):.3f}" for c in range(C)) for f in range(3)]
    return "\n".join(out) + "\n"


def test_absurdly_deep_nesting(tmp_path):
    text = _chain_bvh(600)
    expect_error(tmp_path, text, None, "nested more than")


def test_deep_but_allowed_chain_is_not_a_humanoid(tmp_path):
    expect_error(tmp_path, _chain_bvh(250), None, "not a humanoid")


# ------------------------------------------------------------------------------------ non-human skeletons

def test_snake_is_not_a_humanoid(tmp_path):
    err = expect_error(tmp_path, _chain_bvh(4), None, "not a humanoid", "lacks")
    assert err.line is None
    assert "pelvis" in str(err) or "legs" in str(err)


def _tree_bvh(tree: dict[str, tuple[tuple[float, float, float], list[str]]], root: str) -> str:
    out = ["HIERARCHY"]
    order: list[str] = []

    def emit(name: str, depth: int) -> None:
        order.append(name)
        pad = "  " * depth
        off, kids = tree[name]
        out.append(f"{pad}{'ROOT' if depth == 0 else 'JOINT'} {name}")
        out.append(f"{pad}{{")
        out.append(f"{pad}  OFFSET {off[0]} {off[1]} {off[2]}")
        out.append(f"{pad}  CHANNELS " + ("6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"
                                          if depth == 0 else "3 Zrotation Xrotation Yrotation"))
        for k in kids:
            emit(k, depth + 1)
        if not kids:
            out.extend([f"{pad}  End Site", f"{pad}  {{", f"{pad}    OFFSET 0 -2 0", f"{pad}  }}"])
        out.append(f"{pad}}}")

    emit(root, 0)
    C = 6 + 3 * (len(order) - 1)
    out += ["MOTION", "Frames: 4", "Frame Time: 0.0333333"]
    out += [" ".join(["0", "60", "0"] + [f"{3 * np.sin(f + c):.3f}" for c in range(C - 3)]) for f in range(4)]
    return "\n".join(out) + "\n"


def test_armless_quadruped_is_not_a_humanoid(tmp_path):
    tree = {
        "Hips": ((0, 0, 0), ["BackLegL1", "BackLegR1", "Spine1"]),
        "BackLegL1": ((10, -5, 0), ["BackLegL2"]), "BackLegL2": ((0, -25, 0), ["BackLegL3"]),
        "BackLegL3": ((0, -25, 0), []),
        "BackLegR1": ((-10, -5, 0), ["BackLegR2"]), "BackLegR2": ((0, -25, 0), ["BackLegR3"]),
        "BackLegR3": ((0, -25, 0), []),
        "Spine1": ((0, 0, 20), ["Spine2"]), "Spine2": ((0, 0, 20), ["Spine3"]),
        "Spine3": ((0, 0, 20), ["Neck"]), "Neck": ((0, 10, 10), ["Skull"]), "Skull": ((0, 5, 10), []),
        # no front legs / arms, plus a tail hanging off the hips would be a 4th branch; keep it simple
    }
    err = expect_error(tmp_path, _tree_bvh(tree, "Hips"), None, "not a humanoid")
    msg = str(err).lower()
    assert "arm" in msg or "chest" in msg


def test_human_with_missing_arm_names_what_is_missing(tmp_path):
    """Mixamo names with the left arm cut off: the message lists what is missing."""
    text = valid_bvh_text("mixamo")
    start = text.index("JOINT LeftShoulder")
    indent = text[text.rindex("\n", 0, start) + 1: start]
    end = text.index("\n" + indent + "}", start) + len(indent) + 2
    header = text[:start].rstrip(" \t") + text[end + 1:].split("MOTION")[0]
    n_chan = header.count("CHANNELS 3") * 3 + 6
    rows = "\n".join(" ".join(["0.0", "0.9", "0.0"] + ["1.0"] * (n_chan - 3)) for _ in range(3))
    bad = header + f"MOTION\nFrames: 3\nFrame Time: 0.05\n{rows}\n"
    assert parse(bad).skeleton.channel_count == n_chan
    err = expect_error(tmp_path, bad, None, "not a humanoid", "lacks")
    assert "LeftArm" in str(err) or "left_shoulder" in str(err) or "arm" in str(err).lower()


# ------------------------------------------------------------------------------------ positive controls

def _check_same_motion(a: Motion, b: Motion) -> None:
    assert a.joints.shape == b.joints.shape
    assert np.allclose(a.joints, b.joints, atol=1e-5)


def test_crlf_file_reads_the_same(tmp_path):
    text = valid_bvh_text()
    ref = read(put(tmp_path, text, "lf.bvh"))
    got = read(put(tmp_path, text.replace("\n", "\r\n"), "crlf.bvh"))
    _check_same_motion(ref, got)


def test_tabs_and_mixed_whitespace_read_the_same(tmp_path):
    text = valid_bvh_text()
    ref = read(put(tmp_path, text, "plain.bvh"))
    rng = np.random.default_rng(3)
    seps = [" ", "\t", "  ", " \t ", "\t\t"]
    lines = []
    for line in text.split("\n"):
        toks = line.split()
        lead = seps[rng.integers(len(seps))] if toks else ""
        trail = seps[rng.integers(len(seps))] if toks else " \t"
        lines.append(lead + "".join(t + seps[rng.integers(len(seps))] for t in toks[:-1])
                     + (toks[-1] if toks else "") + trail)
    messy = "\r\n".join(lines)
    messy = messy.replace("Frame Time:", "Frame Time :", 1).replace("Frames:", "Frames:\t", 1)
    got = read(put(tmp_path, "\ufeff" + messy, "messy.bvh"))
    _check_same_motion(ref, got)


def test_braces_on_the_name_line_and_blank_lines_read_the_same(tmp_path):
    text = valid_bvh_text()
    ref = read(put(tmp_path, text, "plain.bvh"))
    compact = re.sub(r"\n\s*\{", " {", text)
    compact = compact.replace("MOTION", "\n\nMOTION\n").replace("Frames:", "\nFrames:", 1)
    got = read(put(tmp_path, compact, "compact.bvh"))
    _check_same_motion(ref, got)


def test_fewer_than_three_rotation_channels(tmp_path):
    """Legal BVH: joints with 1 or 2 rotation channels (the missing axes turn by 0 degrees)."""
    text = valid_bvh_text()
    frames = parse(text).frames.copy()
    reduced_channels = {0: ("ZXY", [0, 1, 2]), 1: ("ZX", [0, 1]), 2: ("X", [1])}  # kept, columns kept
    keep = list(range(6))
    header_lines = []
    q = 0
    for line in text.split("MOTION")[0].split("\n"):
        if "CHANNELS 3" in line:
            order, kept = reduced_channels[q % 3]
            names = " ".join(f"{a}rotation" for a in order)
            line = line.replace("CHANNELS 3 Zrotation Xrotation Yrotation", f"CHANNELS {len(order)} {names}")
            col = 6 + 3 * q
            frames[:, [col + k for k in range(3) if k not in kept]] = 0.0  # what the reduced file drops
            keep += [col + k for k in kept]
            q += 1
        header_lines.append(line)
    assert q == 21
    motion = f"MOTION\nFrames: {N_FRAMES}\nFrame Time: 0.05\n"
    full = text.split("MOTION")[0] + motion + "\n".join(" ".join(f"{v:.5f}" for v in r) for r in frames) + "\n"
    reduced = ("\n".join(header_lines) + motion
               + "\n".join(" ".join(f"{v:.5f}" for v in r[keep]) for r in frames) + "\n")
    assert parse(reduced).skeleton.channel_count == len(keep) == 6 + 7 * 6
    _check_same_motion(read(put(tmp_path, full, "full.bvh")), read(put(tmp_path, reduced, "reduced.bvh")))


# ------------------------------------------------------------------------------------ property-based

_BASE = valid_bvh_text().encode()
_TOKEN = re.compile(rb"\S+")
_TOKENS = [m.span() for m in _TOKEN.finditer(_BASE)]

_settings = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _read_is_motion_or_format_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "mutant.bvh"
        path.write_bytes(content)
        try:
            m = read(path)
        except MotionFormatError as e:
            assert str(e).startswith(str(path)), str(e)
            assert e.line is None or e.line >= 1
            return
        assert isinstance(m, Motion)
        assert m.joints.ndim == 3 and m.joints.shape[1:] == (22, 3) and m.joints.shape[0] >= 1
        assert np.isfinite(m.joints).all()


@st.composite
def _delete_span(draw):
    a = draw(st.integers(0, len(_BASE) - 1))
    b = draw(st.integers(a + 1, min(len(_BASE), a + 400)))
    return _BASE[:a] + _BASE[b:]


@st.composite
def _duplicate_line(draw):
    lines = _BASE.split(b"\n")
    k = draw(st.integers(0, len(lines) - 1))
    at = draw(st.integers(0, len(lines)))
    lines.insert(at, lines[k])
    return b"\n".join(lines)


_replacement = st.one_of(
    st.text(min_size=0, max_size=12).map(lambda s: s.encode("utf-8")),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda x: repr(x).encode()),
    st.integers(-10**12, 10**12).map(lambda x: str(x).encode()),
    st.sampled_from([b"{", b"}", b"ROOT", b"JOINT", b"End Site", b"MOTION", b"CHANNELS", b"OFFSET",
                     b"Frames:", b"1e308", b"-1e308", b"nan", b"0", b"-0", b"1000000000", b"\x00", b"\r"]),
)


@st.composite
def _replace_token(draw):
    a, b = _TOKENS[draw(st.integers(0, len(_TOKENS) - 1))]
    return _BASE[:a] + draw(_replacement) + _BASE[b:]


@st.composite
def _truncate(draw):
    return _BASE[: draw(st.integers(0, len(_BASE) - 1))]


@st.composite
def _flip_bytes(draw):
    buf = bytearray(_BASE)
    for _ in range(draw(st.integers(1, 8))):
        buf[draw(st.integers(0, len(buf) - 1))] = draw(st.integers(0, 255))
    return bytes(buf)


@pytest.mark.parametrize("mutation", [_delete_span, _duplicate_line, _replace_token, _truncate, _flip_bytes],
                         ids=lambda f: f.__name__.strip("_"))
def test_mutated_files_read_or_raise_motion_format_error(mutation):
    @_settings
    @given(mutation())
    def check(content: bytes) -> None:
        _read_is_motion_or_format_error(content)

    check()
