"""Searching the library: by example, by text, after a model change, and the same answers from
the numpy and faiss back ends."""

from __future__ import annotations

import numpy as np
import pytest

from lamp_core.errors import LampError
from lamp_core.library import MAX_QUERY_CHARS, MotionLibrary, VectorIndex
from lamp_core.library import index as index_module
from tests.conftest import walking_motion


@pytest.fixture
def filled(lib, actions, stand_in):
    """The library holding two clips of each of six actions, embedded by the stand-in."""
    ids = lib.add_many([{"motion": m, "name": f"{word} {i % 2}", "captions": [f"someone does a {word}"]}
                        for i, (word, m) in enumerate(actions)], embedder=stand_in, batch=5)
    return lib, dict(zip(ids, (w for w, _ in actions)))


def test_search_motion_finds_the_clip_itself_first(filled, stand_in):
    lib, words = filled
    for cid in words:
        hits = lib.search_motion(stand_in, lib.motion(cid), top=3)
        assert hits[0].clip.id == cid and hits[0].score == pytest.approx(1.0, abs=1e-3)  # stored at 0.05 mm
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        others = lib.search_motion(stand_in, lib.motion(cid), top=3, exclude_id=cid)
        assert cid not in [h.clip.id for h in others] and len(others) == 3
        assert words[others[0].clip.id] == words[cid]  # the other take of the same action comes next


def test_search_text_ranks_the_described_action_first(filled, stand_in):
    lib, words = filled
    for query, word in [("a person jumps up", "jump"), ("someone is walking forward", "walk"),
                        ("squatting down slowly", "squat"), ("kicks with the left leg", "kick")]:
        hits = lib.search_text(stand_in, query, top=4)
        assert [words[h.clip.id] for h in hits[:2]] == [word, word], query
        assert hits[0].score > hits[2].score
    hits = lib.search_text(stand_in, "wave", top=100)
    assert len(hits) == len(lib)  # top beyond the library: every clip once
    assert len({h.clip.id for h in hits}) == len(lib)


def test_text_queries_are_checked(filled, make_embedder):
    lib, _ = filled
    seen = []

    class Recording(make_embedder):
        def embed_texts(self, texts):
            seen.extend(texts)
            return super().embed_texts(texts)

    rec = Recording()
    lib.reembed(rec)
    for bad in ["", "   \n\t"]:
        with pytest.raises(LampError, match="empty query"):
            lib.search_text(rec, bad)
    with pytest.raises(LampError, match=f"{MAX_QUERY_CHARS:,}"):
        lib.search_text(rec, "walk " * 401)
    assert seen == []  # refused before reaching the model
    for ok in ["jemand springt hoch", "人が歩いている", "🕺 dance!", " walk ", "w" * MAX_QUERY_CHARS]:
        assert len(lib.search_text(rec, ok, top=2)) == 2
    assert seen[-5:-1] == ["jemand springt hoch", "人が歩いている", "🕺 dance!", " walk "]  # passed on as is


def test_model_change_makes_vectors_stale_until_reembedded(filled, stand_in, make_embedder):
    lib, words = filled
    retrained = make_embedder(model_id="stand-in-v2", seed=1)
    assert lib.stale(stand_in) == []
    assert lib.stale(retrained) == sorted(words)
    with pytest.raises(LampError, match="lamp library reembed"):
        lib.search_text(retrained, "a person walks")
    new = lib.add(walking_motion(40), embedder=stand_in)
    assert lib.stale(retrained) == sorted(words) + [new]
    seen = []
    assert lib.reembed(retrained, progress=lambda what, done, total: seen.append((done, total))) == len(lib)
    assert seen[-1] == (len(lib), len(lib))
    assert lib.stale(retrained) == [] and lib.models() == {"stand-in-v2": len(lib)}  # old vectors dropped
    assert lib.search_motion(retrained, lib.motion(new), top=1)[0].clip.id == new
    assert retrained.motion_calls == len(lib) + 1
    assert lib.reembed(retrained) == 0 and retrained.motion_calls == len(lib) + 1  # nothing stale: nothing done


def test_auto_embed_fills_in_stale_clips_before_searching(lib, actions, embedder):
    ids = lib.add_many([m for _, m in actions[:4]])  # added without a model
    with pytest.raises(LampError, match="none of the 4 clips"):
        lib.search_motion(embedder, actions[0][1])
    hits = lib.search_motion(embedder, actions[0][1], top=1, auto_embed=True)
    assert hits[0].clip.id == ids[0] and lib.stale(embedder) == []
    lib.add(actions[5][1])
    assert lib.search_text(embedder, "run", top=1, auto_embed=True)[0].clip.id in ids[2:4]
    assert embedder.motion_calls == 6  # each clip embedded once, plus the query motion


def test_search_sees_added_and_removed_clips(filled, stand_in):
    lib, words = filled
    query = walking_motion(60, seed=9)
    before = lib.search_motion(stand_in, query, top=1)[0].clip.id
    new = lib.add(query, embedder=stand_in)
    assert lib.search_motion(stand_in, query, top=1)[0].clip.id == new
    lib.remove(new)
    assert lib.search_motion(stand_in, query, top=1)[0].clip.id == before


def test_changes_from_another_process_are_seen(filled, stand_in):
    lib, words = filled
    query = walking_motion(60, seed=9)
    lib.search_motion(stand_in, query)  # vectors now cached in memory
    with MotionLibrary.open(lib.path) as other:  # another connection (as another process would be)
        new = other.add(query, embedder=stand_in)
    assert lib.search_motion(stand_in, query, top=1)[0].clip.id == new


def test_search_vector_checks_its_input(filled, stand_in):
    lib, _ = filled
    with pytest.raises(LampError, match="dim 3"):
        lib.search_vector(stand_in.model_id, np.ones(3))
    with pytest.raises(LampError, match="zero"):
        lib.search_vector(stand_in.model_id, np.zeros(stand_in.dim))
    with pytest.raises(LampError, match="top"):
        lib.search_vector(stand_in.model_id, np.ones(stand_in.dim), top=0)
    with pytest.raises(LampError, match="none of the 12 clips"):
        lib.search_vector("another-model", np.ones(4))


def test_empty_library_searches_return_nothing(lib, stand_in):
    assert lib.search_text(stand_in, "walk") == []
    assert lib.search_motion(stand_in, walking_motion(20)) == []


def test_numpy_and_faiss_agree_on_a_25k_library(tmp_path, monkeypatch):
    pytest.importorskip("faiss")
    n, dim = 25_000, 256
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    still = walking_motion(1)
    with MotionLibrary.open(tmp_path / "big.lamplib") as lib:
        ids = lib.add_many(still for _ in range(n))
        lib.set_vectors("random", ids, vectors)
        queries = [vectors[123], vectors[n - 1], rng.standard_normal(dim)]
        results = {}
        for backend, threshold in [("numpy", n + 1), ("faiss", 1)]:
            monkeypatch.setattr(index_module, "FAISS_MIN_CLIPS", threshold)
            lib.remove(lib.add(still))  # any change drops the cached index; the next search builds it anew
            assert lib._index("random", dim).backend == backend
            results[backend] = [lib.search_vector("random", q, top=10) for q in queries]
        for a, b in zip(results["numpy"], results["faiss"]):
            assert [h.clip.id for h in a] == [h.clip.id for h in b]
            assert np.allclose([h.score for h in a], [h.score for h in b], atol=1e-5)
        assert results["numpy"][0][0].clip.id == ids[123] and results["numpy"][1][0].clip.id == ids[-1]
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        q = queries[2] / np.linalg.norm(queries[2])
        expect = np.argsort(-(unit @ q))[:10]
        assert [h.clip.id for h in results["faiss"][2]] == [ids[i] for i in expect]


def test_vector_index_breaks_ties_by_id_in_both_back_ends():
    pytest.importorskip("faiss")
    v = np.zeros((50, 8), dtype=np.float32)
    v[:, 0] = 1.0  # every vector the same: the order must still be defined
    ids = np.arange(1000, 1050)[::-1]
    for backend in ("numpy", "faiss"):
        got, scores = VectorIndex(ids, v, backend=backend).search(v[0], 5)
        assert list(got) == [1000, 1001, 1002, 1003, 1004] and np.allclose(scores, 1.0)


def test_a_clip_the_model_cannot_embed_does_not_block_search(lib, embedder):
    ids = lib.add_many([walking_motion(40, seed=1), walking_motion(1), walking_motion(40, seed=2)])
    assert lib.reembed(embedder) == 2  # the one-frame pose is too short for the (stand-in) model
    assert lib.unembeddable(embedder.model_id) == [ids[1]] and lib.stale(embedder) == []
    hits = lib.search_motion(embedder, walking_motion(40, seed=1), top=5)
    assert [h.clip.id for h in hits] == [ids[0], ids[2]]
    assert lib.models() == {embedder.model_id: 2}


def test_a_model_returning_malformed_vectors_is_an_error_not_a_refusal(lib, make_embedder):
    class WrongShape(make_embedder):
        def embed_motions(self, motions):
            return super().embed_motions(motions)[:, :10]

    lib.add_many([walking_motion(40, seed=s) for s in range(3)])
    with pytest.raises(LampError, match="shape"):
        lib.reembed(WrongShape())
    assert lib.unembeddable("stand-in-v1") == [] and len(lib.stale("stand-in-v1")) == 3
