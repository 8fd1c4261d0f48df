"""A big BVH read on a worker thread leaves the GIL free: the reader decodes and parses the motion rows in
pieces of about a megabyte, so another Python thread (the UI thread, in the app) keeps running while a
long take is read. The pieces give the same frames as the plain text."""

from __future__ import annotations

import threading
import time

import numpy as np

from lamp_core.data.synthetic import walking_motion
from lamp_core.formats import write
from lamp_core.formats.bvh_parse import parse, read_pieces, read_text

FRAMES = 80_000          # ~45 MB of text: ~0.4 s to read on a 2-core test machine


def _big_bvh(tmp_path, frames: int = FRAMES):
    """A long BVH, fast: a short written take whose motion rows are repeated."""
    small = write(walking_motion(frames=100), tmp_path / "small.bvh").read_text()
    head, _, rest = small.partition("MOTION\n")
    lines = rest.splitlines()
    rows = lines[2:]
    body = "\n".join(rows * (frames // len(rows)))
    path = tmp_path / "long take.bvh"
    path.write_text(f"{head}MOTION\nFrames: {frames}\n{lines[1]}\n{body}\n")
    return path, np.loadtxt(rows)


def test_parsing_a_big_bvh_on_a_thread_lets_other_threads_run(tmp_path):
    path, rows = _big_bvh(tmp_path)
    result = {}

    def work():
        t0 = time.perf_counter()
        result["data"] = parse(read_pieces(path), path)
        result["seconds"] = time.perf_counter() - t0

    ticks = [time.perf_counter()]
    worker = threading.Thread(target=work)
    worker.start()
    while worker.is_alive():      # this thread plays the UI thread: it wants to run every 2 ms
        time.sleep(0.002)
        ticks.append(time.perf_counter())
    worker.join()
    gaps = np.diff(ticks)
    print(f"read + parse {result['seconds']:.3f} s, {len(ticks)} ticks, longest pause {gaps.max() * 1000:.0f} ms")
    assert gaps.max() < 0.1, f"another thread waited {gaps.max():.3f} s for the GIL while the BVH was parsed"
    frames = result["data"].frames
    assert frames.shape == (FRAMES, rows.shape[1])
    np.testing.assert_array_equal(frames[: len(rows)], rows)
    np.testing.assert_array_equal(frames[-len(rows):], rows)


def test_pieces_and_text_parse_the_same(tmp_path):
    path, _ = _big_bvh(tmp_path, frames=12_000)     # ~7 MB: more than one decoded piece
    pieces = read_pieces(path)
    assert len(pieces) > 1 and "".join(pieces) == read_text(path)
    a, b = parse(pieces, path), parse(read_text(path), path)
    np.testing.assert_array_equal(a.frames, b.frames)
    assert a.skeleton == b.skeleton and a.frame_time == b.frame_time
