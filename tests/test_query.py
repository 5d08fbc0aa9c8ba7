"""Queries on the real GloVe vectors, with gensim as the oracle; the batched top-k."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wordvec.vectors import Vectors
from wordvec.vectors import query as Q
from wordvec.vectors._kernels import topk_reference, update_topk

GLOVE = Path("vectors", "glove.6B.50d.txt.gz")
LIMIT = 50_000  # covers every word used below (kitten is #34698)

PROBES = [
    "king",
    "paris",
    "computer",
    "cat",
    "good",
    "run",
    "france",
    "music",
    "water",
    "january",
    "red",
    "science",
    "city",
    "three",
    "apple",
    "love",
    "war",
    "obama",
    "football",
    "money",
]


@pytest.fixture(scope="module")
def glove(shared_data: Path) -> Vectors:
    return Vectors.load(shared_data / GLOVE, limit=LIMIT)


@pytest.fixture(scope="module")
def kv(glove: Vectors):
    gensim = pytest.importorskip("gensim")
    kv = gensim.models.KeyedVectors(glove.dim)
    kv.add_vectors(glove.words, np.array(glove.vectors))
    return kv


def _same_ranking(ours: list, theirs: list, tol: float = 1e-5) -> None:
    """Same words in the same order, except swaps between scores equal within ``tol``."""
    assert len(ours) == len(theirs)
    for (w1, s1), (w2, s2) in zip(ours, theirs):
        assert s1 == pytest.approx(s2, abs=tol)
        if w1 != w2:
            assert abs(s1 - s2) < tol
    assert {w for w, _ in ours} ^ {w for w, _ in theirs} <= {ours[-1][0], theirs[-1][0]}


def test_king_man_woman_is_queen(glove: Vectors, kv) -> None:
    ours = glove.most_similar(positive=["king", "woman"], negative=["man"], topn=10)
    theirs = kv.most_similar(positive=["king", "woman"], negative=["man"], topn=10)
    assert ours[0][0] == "queen"
    _same_ranking(ours, theirs)
    word, score = glove.analogy("man", "king", "woman")
    assert word == "queen" and score == pytest.approx(theirs[0][1], abs=1e-5)


def test_cat_similarities_as_gensim(glove: Vectors, kv) -> None:
    sims = {w: glove.similarity("cat", w) for w in ("dog", "kitten", "house")}
    for w, s in sims.items():
        assert s == pytest.approx(float(kv.similarity("cat", w)), abs=1e-6)
    # what the vectors say: a cat is nearer to a dog than to a kitten, and far from a house
    assert sims["dog"] > sims["kitten"] > sims["house"]


@pytest.mark.parametrize("restrict_vocab", [None, 10_000])
def test_most_similar_matches_gensim(glove: Vectors, kv, restrict_vocab) -> None:
    for word in PROBES:
        ours = glove.most_similar(word, topn=10, restrict_vocab=restrict_vocab)
        theirs = kv.most_similar(word, topn=10, restrict_vocab=restrict_vocab)
        _same_ranking(ours, theirs)
    ours = glove.most_similar(positive=["paris", ("germany", 2.0)], negative=["france"], topn=5)
    theirs = kv.most_similar(positive=["paris", ("germany", 2.0)], negative=["france"], topn=5)
    _same_ranking(ours, theirs)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cosmul_matches_gensim(glove: Vectors, kv) -> None:
    for pos, neg in (
        (["king", "woman"], ["man"]),
        (["paris", "germany"], ["france"]),
        (["cat"], []),
    ):
        ours = glove.most_similar_cosmul(positive=pos, negative=neg, topn=10)
        theirs = kv.most_similar_cosmul(positive=pos, negative=neg, topn=10)
        _same_ranking(ours, theirs)


def test_similar_by_vector_and_doesnt_match(glove: Vectors, kv) -> None:
    vec = np.array(glove["water"]) + np.array(glove["frozen"])
    _same_ranking(glove.similar_by_vector(vec, topn=10), kv.similar_by_vector(vec, topn=10))
    for words in (["breakfast", "cereal", "dinner", "lunch"], ["cat", "dog", "car", "mouse"]):
        assert glove.doesnt_match(words) == kv.doesnt_match(words)
    assert glove.n_similarity(["sushi", "shop"], ["japanese", "restaurant"]) == pytest.approx(
        float(kv.n_similarity(["sushi", "shop"], ["japanese", "restaurant"])), abs=1e-6
    )


def test_nearest_batch_equals_one_by_one(glove: Vectors) -> None:
    rows = np.array([glove.index(w) for w in PROBES])
    idx, scores = glove.nearest(glove.vectors[rows], topn=10, exclude=rows[:, None])
    for r, word in enumerate(PROBES):
        single = glove.most_similar(word, topn=10)
        assert [glove.words[i] for i in idx[r]] == [w for w, _ in single]
        assert scores[r].tolist() == pytest.approx([s for _, s in single], abs=1e-6)
    # chunking changes nothing
    for chunk in (1, 7, 10_000):
        idx2, scores2 = glove.nearest(
            glove.vectors[rows], topn=10, exclude=rows[:, None], chunk_size=chunk
        )
        assert np.array_equal(idx2, idx) and np.allclose(scores2, scores, atol=1e-6)


def test_nearest_matches_brute_force(glove: Vectors) -> None:
    rng = np.random.default_rng(0)
    queries = rng.standard_normal((25, glove.dim)).astype(np.float32)
    exclude = rng.integers(0, 5000, size=(25, 3))
    idx, scores = Q.nearest(glove.unit, queries, topn=7, exclude=exclude, restrict_vocab=5000)
    full = Q.unit_vector(queries) @ glove.unit[:5000].T
    ref_idx, ref_scores = topk_reference(full, 7, exclude)
    assert np.array_equal(idx, ref_idx)
    assert np.allclose(scores, ref_scores, atol=1e-6)


def test_topk_kernel_matches_reference_with_ties() -> None:
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 20, size=(6, 300)).astype(np.float32)  # many ties
    exclude = np.full((6, 4), -1, dtype=np.int64)
    exclude[:, :2] = rng.integers(0, 300, size=(6, 2))
    top_s = np.full((6, 15), -np.inf, np.float32)
    top_i = np.full((6, 15), -1, np.int64)
    for start in range(0, 300, 64):  # in blocks, as nearest() feeds it
        update_topk(scores[:, start : start + 64], start, top_s, top_i, exclude)
    ref_i, ref_s = topk_reference(scores, 15, exclude)
    assert np.array_equal(top_i, ref_i) and np.array_equal(top_s, ref_s)


def test_top_k_helper() -> None:
    idx, vals = Q.top_k(np.array([0.1, 0.9, 0.5, 0.7, 0.9]), 3, exclude=[4])
    assert idx.tolist() == [1, 3, 2] and vals.tolist() == [0.9, 0.7, 0.5]


def test_query_errors(glove: Vectors) -> None:
    with pytest.raises(ValueError, match="topn"):
        glove.most_similar("king", topn=0)
    with pytest.raises(KeyError, match="Kingg"):
        glove.most_similar("Kingg")
    with pytest.raises(ValueError, match="at least one"):
        glove.most_similar()
    with pytest.raises(ValueError, match=r"shape \(50,\)"):
        glove.similar_by_vector(np.ones(3))
    with pytest.raises(ValueError, match=r"one row per query|one sequence"):
        glove.nearest(np.ones((2, 50)), exclude=[[1]])
    with pytest.raises(ValueError, match=r"\(q, 50\)"):
        glove.nearest(np.ones((2, 3)))
