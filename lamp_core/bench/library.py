"""Motion library speed: top-10 search and importing BVH files (medians of several runs).

Search: ``search_vector`` on libraries of 1k, 10k and 100k clips holding random unit vectors of 256
and 512 dimensions, vectors already in memory; the time covers vector in -> hits out, including the
database lookup of the hit rows, not the text encoder. Each size runs on both back ends (numpy and
faiss IndexFlatIP) so the choice of ``FAISS_MIN_CLIPS`` can be checked; "first search" is the one-off
load of 100k vectors from the file after a change. Import: ``add_files`` of 1,000 short BVH walks
(3 s at 20 fps) into a fresh library, without a model and with the test suite's stand-in embedder.
``quick``: 1k and 10k clips, 100 files, fewer repeats.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from ..data.synthetic import walking_motion
from ..formats import write
from ..library import MotionLibrary
from ..library import index as index_module
from .common import median_time, row

SIZES = (1_000, 10_000, 100_000)
DIMS = (256, 512)
N_FILES, FILE_FRAMES = 1_000, 60


def build(path: Path, n: int, dims=DIMS, seed: int = 0) -> MotionLibrary:
    """A library of ``n`` one-frame clips with random unit vectors for models "random-<dim>": one
    transaction for the clips and one per model (seconds for 100k)."""
    lib = MotionLibrary.open(path)
    still = walking_motion(1)
    ids = lib.add_many((still for _ in range(n)), batch=n)
    rng = np.random.default_rng(seed)
    for dim in dims:
        lib.set_vectors(f"random-{dim}", ids, rng.standard_normal((n, dim)).astype(np.float32))
    return lib


def _search_rows(tmp: Path, sizes: tuple[int, ...], reps: int) -> list[dict]:
    rows = []
    rng = np.random.default_rng(1)
    for n in sizes:
        t0 = time.perf_counter()
        lib = build(tmp / f"lib{n}.lamplib", n)
        built = time.perf_counter() - t0
        if n == max(sizes):
            rows.append(row(f"library build ({n:,} clips, vectors {'+'.join(map(str, DIMS))}-d)", built, n, "clips"))
        for dim in DIMS:
            queries = [q / np.linalg.norm(q) for q in rng.standard_normal((16, dim)).astype(np.float32)]
            it = iter(range(10 ** 9))
            for backend, threshold in (("numpy", n + 1), ("faiss", 0)):
                saved = index_module.FAISS_MIN_CLIPS
                index_module.FAISS_MIN_CLIPS = threshold
                try:
                    lib._indexes.clear()  # the next search loads the vectors again, into this back end
                    model = f"random-{dim}"
                    if n == max(sizes) and backend == "numpy":
                        t0 = time.perf_counter()
                        lib.search_vector(model, queries[0])
                        load = time.perf_counter() - t0
                        rows.append(row(f"first search, loads vectors ({n:,} x {dim}-d)", load, n, "clips"))

                    def once(lib=lib, model=model, queries=queries, it=it):
                        return lib.search_vector(model, queries[next(it) % 16], top=10)
                    t = median_time(once, repeats=reps, warmup=3)
                finally:
                    index_module.FAISS_MIN_CLIPS = saved
                rows.append(row(f"search top-10 ({n:,} clips x {dim}-d, {backend})", t, n, "clips"))
            if dim == 256:
                rows.append(_text_query_row(lib, n, reps))
        lib.close()
    return rows


_ENCODER = []


def _text_query_row(lib: MotionLibrary, n: int, reps: int) -> dict:
    """A whole text query as the app runs it: LaMP's text transformer (MiniLM, 6 layers; untrained
    heads, same cost) encodes the prompt, then the top-10 search over ``n`` 256-d vectors."""
    from ..models.lamp import LaMP, LaMPConfig
    from ..retrieval import LaMPEncoder
    if not _ENCODER:
        _ENCODER.append(LaMPEncoder(LaMP(LaMPConfig()), np.zeros(263), np.ones(263), model_id="random-256"))
    enc = _ENCODER[0]
    texts = iter(["a person walks forward slowly", "someone jumps and waves the left hand",
                  "a man kicks with his right leg, then turns around"] * 100)
    t = median_time(lambda: lib.search_vector("random-256", enc.embed_texts([next(texts)])[0], top=10),
                    repeats=reps, warmup=3)
    return row(f"text query: encode + search top-10 ({n:,} clips x 256-d)", t, 1, "queries")


def _stand_in():
    """The tests' stand-in embedder (a model's cost without a model); only found in a source checkout."""
    try:
        from tests.library.conftest import StandInEmbedder
    except ImportError:  # running outside the repository root, or without pytest
        return None
    return StandInEmbedder()


def _import_rows(tmp: Path, n_files: int, reps: int) -> list[dict]:
    folder = tmp / "bvh"
    folder.mkdir()
    files = [write(walking_motion(FILE_FRAMES, heading=0.01 * i, seed=i), folder / f"walk_{i:04d}.bvh")
             for i in range(n_files)]
    rows = []
    for label, model in (("no model", None), ("stand-in embedder", _stand_in())):
        if label != "no model" and model is None:
            continue
        runs = iter(range(100))

        def once(runs=runs, model=model) -> None:
            with MotionLibrary.open(tmp / f"import{next(runs)}.lamplib") as lib:
                ids, failed = lib.add_files(files, embedder=model)
                assert len(ids) == n_files and not failed, failed[:3]

        t = median_time(once, repeats=reps, warmup=0)
        rows.append(row(f"add_files {n_files:,} BVH ({FILE_FRAMES} frames each, {label})", t, n_files, "files"))
    return rows


def run(quick: bool = False, bundle: Path | None = None) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if quick:
            return _search_rows(tmp, SIZES[:2], 7) + _import_rows(tmp, N_FILES // 10, 1)
        return _search_rows(tmp, SIZES, 31) + _import_rows(tmp, N_FILES, 3)
