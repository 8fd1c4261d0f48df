"""Motion library speed: top-10 search and importing BVH files (medians of several runs).

Search: ``search_vector`` on libraries of 1k, 10k and 100k clips holding random unit vectors of 256
and 512 dimensions, vectors already in memory; the time covers vector in -> hits out, including the
database lookup of the hit rows, not the text encoder. Each size runs on both back ends (numpy and
faiss IndexFlatIP) so the choice of ``FAISS_MIN_CLIPS`` can be checked; "first search" is the one-off
load of 100k vectors from the file after a change. Import: ``add_files`` of 1,000 short BVH walks
(3 s at 20 fps) into a fresh library, without a model and with the test suite's stand-in embedder.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from lamp_core.data.synthetic import walking_motion
from lamp_core.formats import write
from lamp_core.library import MotionLibrary
from lamp_core.library import index as index_module

from .common import median_time

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


def _search_rows(tmp: Path) -> list[dict]:
    rows = []
    rng = np.random.default_rng(1)
    for n in SIZES:
        t0 = time.perf_counter()
        lib = build(tmp / f"lib{n}.lamplib", n)
        built = time.perf_counter() - t0
        if n == max(SIZES):
            rows.append({"name": f"library build ({n:,} clips, vectors {'+'.join(map(str, DIMS))}-d)",
                         "seconds": built, "per_s": n / built, "unit": "clips/s"})
        for dim in DIMS:
            queries = [q / np.linalg.norm(q) for q in rng.standard_normal((16, dim)).astype(np.float32)]
            it = iter(range(10 ** 9))
            for backend, threshold in (("numpy", n + 1), ("faiss", 0)):
                saved = index_module.FAISS_MIN_CLIPS
                index_module.FAISS_MIN_CLIPS = threshold
                try:
                    lib._indexes.clear()  # the next search loads the vectors again, into this back end
                    model = f"random-{dim}"
                    if n == max(SIZES) and backend == "numpy":
                        t0 = time.perf_counter()
                        lib.search_vector(model, queries[0])
                        load = time.perf_counter() - t0
                        rows.append({"name": f"first search, loads vectors ({n:,} x {dim}-d)", "seconds": load,
                                     "per_s": n / load, "unit": "clips/s"})
                    t = median_time(lambda: lib.search_vector(model, queries[next(it) % 16], top=10), repeats=31,
                                    warmup=3)
                finally:
                    index_module.FAISS_MIN_CLIPS = saved
                rows.append({"name": f"search top-10 ({n:,} clips x {dim}-d, {backend})", "seconds": t,
                             "per_s": n / t, "unit": "clips/s"})
            if dim == 256:
                rows.append(_text_query_row(lib, n))
        lib.close()
    return rows


_ENCODER = []


def _text_query_row(lib: MotionLibrary, n: int) -> dict:
    """A whole text query as the app runs it: LaMP's text transformer (MiniLM, 6 layers; untrained
    heads, same cost) encodes the prompt, then the top-10 search over ``n`` 256-d vectors."""
    from lamp_core.models.lamp import LaMP, LaMPConfig
    from lamp_core.retrieval import LaMPEncoder
    if not _ENCODER:
        _ENCODER.append(LaMPEncoder(LaMP(LaMPConfig()), np.zeros(263), np.ones(263), model_id="random-256"))
    enc = _ENCODER[0]
    texts = iter(["a person walks forward slowly", "someone jumps and waves the left hand",
                  "a man kicks with his right leg, then turns around"] * 100)
    t = median_time(lambda: lib.search_vector("random-256", enc.embed_texts([next(texts)])[0], top=10),
                    repeats=31, warmup=3)
    return {"name": f"text query: encode + search top-10 ({n:,} clips x 256-d)", "seconds": t,
            "per_s": 1 / t, "unit": "queries/s"}


def _stand_in():
    try:
        from tests.library.conftest import StandInEmbedder
    except ImportError:  # running outside the repository root, or without pytest
        return None
    return StandInEmbedder()


def _import_rows(tmp: Path) -> list[dict]:
    folder = tmp / "bvh"
    folder.mkdir()
    files = [write(walking_motion(FILE_FRAMES, heading=0.01 * i, seed=i), folder / f"walk_{i:04d}.bvh")
             for i in range(N_FILES)]
    rows = []
    for label, model in (("no model", None), ("stand-in embedder", _stand_in())):
        if label != "no model" and model is None:
            continue
        runs = iter(range(100))

        def once() -> None:
            with MotionLibrary.open(tmp / f"import{next(runs)}.lamplib") as lib:
                ids, failed = lib.add_files(files, embedder=model)
                assert len(ids) == N_FILES and not failed, failed[:3]

        t = median_time(once, repeats=3, warmup=0)
        rows.append({"name": f"add_files {N_FILES:,} BVH ({FILE_FRAMES} frames each, {label})", "seconds": t,
                     "per_s": N_FILES / t, "unit": "files/s"})
    return rows


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        return _search_rows(tmp) + _import_rows(tmp)


if __name__ == "__main__":
    for r in run():
        print(f"{r['name']}: {r['seconds'] * 1000:.2f} ms ({r['per_s']:,.0f} {r['unit']})")
