"""Hierarchical softmax: the update and the bag job loops against the NumPy reference,
and Word2Vec(loss="hs") on real text."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from wordvec.text import iter_lines
from wordvec.train import Word2Vec, kernels
from wordvec.train import reference_fasttext as ref
from wordvec.train.bags import huffman_tree
from wordvec.train.corpus import keep_thresholds
from wordvec.train.huffman import huffman_reference
from wordvec.train.kernels.fasttext import bag_scratch, cbow_bag_job, sg_bag_job, word_bags
from wordvec.train.kernels.hs import hs_update

COUNTS = np.array([6, 4, 3, 3, 2, 2, 2, 2], np.int64)


def _weights(rows: int, out_rows: int, dim: int = 8, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    w_in = ((rng.random((rows, dim)) - 0.5) * 0.8).astype(np.float32)
    w_out = ((rng.random((out_rows, dim)) - 0.5) * 0.8).astype(np.float32)
    return w_in, w_out


@pytest.mark.parametrize("depth", [0, 8])  # 8: every path dot products first; 0: those that fit
@pytest.mark.parametrize("mean", [True, False])
@pytest.mark.parametrize(
    ("bags", "targets"),
    [([[1]], [0]), ([[1, 2, 2], [3]], [7, 7]), ([[0, 5], [4, 6, 1], [2]], [3, 0, 6])],
)
def test_hs_update_matches_reference(mean: bool, bags: list, targets: list, depth: int) -> None:
    w_in, w_out = _weights(8, 7)
    r_in, r_out = w_in.copy(), w_out.copy()
    want = ref.hs_update(r_in, r_out, bags, targets, huffman_reference(COUNTS), 0.1, mean)
    batch = kernels.ns_batch(len(bags), sum(map(len, bags)), 0, 8, depth)
    batch.offsets[1:] = np.cumsum([len(b) for b in bags])
    batch.inputs[:] = [r for b in bags for r in b]
    batch.targets[:] = targets
    sig, logsig = kernels.sigmoid_tables()
    got = hs_update(w_in, w_out, batch, len(bags), 0.1, mean, huffman_tree(COUNTS), sig, logsig)
    assert got == pytest.approx(want, rel=1e-2)
    assert not np.allclose(r_out, _weights(8, 7)[1])  # the update changed the nodes
    np.testing.assert_allclose(w_in, r_in, atol=2e-6)
    np.testing.assert_allclose(w_out, r_out, atol=2e-6)


def _job_case(sample: float) -> tuple:
    """A tiny corpus job: 3 sentences over 9 word types, one out of vocabulary (id 8)."""
    ids = np.array(
        [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, -1, 2, 8, 2, 3, 0, -1, 4, 0, 5, 1, 6, 0, 2, 7, 3, 0],
        np.int32,
    )
    remap = np.array([0, 1, 2, 3, 4, 5, 6, 7, -1], np.int32)
    keep = keep_thresholds(COUNTS.astype(np.float64), sample)
    alias = kernels.build_alias(np.power(COUNTS.astype(np.float64), 0.75))
    tables = kernels.Sampling(remap, keep, alias[0], alias[1], *kernels.sigmoid_tables())
    return ids, remap, keep, alias, tables


@pytest.mark.parametrize("depth", [0, 8])  # 8: every path dot products first; 0: those that fit
@pytest.mark.parametrize("arch", ["skipgram", "cbow"])
@pytest.mark.parametrize("sample", [0.0, 0.1])
def test_hs_jobs_match_reference(arch: str, sample: float, depth: int) -> None:
    ids, remap, keep, alias, tables = _job_case(sample)
    w_in, w_out = _weights(8, 7)
    r_in, r_out = w_in.copy(), w_out.copy()
    window, words = 2, 24
    paths = huffman_reference(COUNTS)
    job = kernels.Job(0.05, 0.01, words, 3, 1)
    bags = word_bags(8)
    tree = huffman_tree(COUNTS)
    common = dict(window=window, negative=0, paths=paths, alpha=(0.05, 0.01), job_words=words,
                  seed=3, stream=1)  # fmt: skip
    single = [[w] for w in range(8)]
    if arch == "skipgram":
        want = ref.sg_bag_job(ids, remap, keep, alias, single, r_in, r_out, **common)
        scratch = bag_scratch(len(ids), 2 * window, window, 0, 8, depth=depth)
        got = sg_bag_job(ids, w_in, w_out, tables, bags, tree, True, job, window, scratch)
    else:
        want = ref.cbow_bag_job(ids, remap, keep, alias, single, r_in, r_out, cbow_mean=True,
                                group=2, **common)  # fmt: skip
        scratch = bag_scratch(len(ids), 2, window, 0, 8, pooled=True, depth=depth)
        got = cbow_bag_job(ids, w_in, w_out, tables, bags, tree, True, job, window, True, scratch)
    assert got[1:] == want[1:] and got[2] == words
    assert got[0] == pytest.approx(want[0], rel=1e-2)
    np.testing.assert_allclose(w_in, r_in, atol=2e-6)
    np.testing.assert_allclose(w_out, r_out, atol=2e-6)


# --------------------------------------------------------------------------- real text


@pytest.fixture(scope="module")
def books(shared_data: Path) -> list[str]:
    """About 260k words of raw novel text (the first 5,000 paragraphs)."""
    path = shared_data / "corpus" / "default-books-en.txt.gz"
    return list(itertools.islice(iter_lines(path), 5_000))


PAIRS = [
    ("he", "she"),
    ("man", "woman"),
    ("day", "night"),
    ("his", "her"),
    ("mother", "father"),
    ("brother", "sister"),
]


def related_percentile(wv) -> float:
    """Mean over related pairs (a, b): share of the 3000 most frequent words less similar
    to a than b is."""
    v = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    k = wv.key_to_index
    return float(np.mean([(v[:3000] @ v[k[a]] < v[k[a]] @ v[k[b]]).mean() for a, b in PAIRS]))


@pytest.mark.parametrize("arch", ["skipgram", "cbow"])
def test_hs_learns_as_well_as_ns(arch: str, books: list[str]) -> None:
    common = dict(arch=arch, dim=40, epochs=3, workers=2, seed=5, progress=False)
    hs = Word2Vec(loss="hs", **common)
    wv_hs = hs.fit(books)
    ns = Word2Vec(**common).fit(books)
    assert hs.output_weights.shape == (len(wv_hs) - 1, 40)  # one row per inner node
    assert hs.losses[-1] < hs.losses[0]
    # related words rank near the top of each other's neighbours, as with ns
    got, base = related_percentile(wv_hs), related_percentile(ns)
    assert got > 0.95 and got > base - 0.03, (got, base)


def test_hs_save_load_continue_and_reproducible(tmp_path: Path, books: list[str]) -> None:
    small = books[:1000]
    a = Word2Vec(loss="hs", dim=16, epochs=1, workers=1, seed=2, progress=False)
    b = Word2Vec(loss="hs", dim=16, epochs=1, workers=1, seed=2, progress=False)
    assert np.array_equal(a.fit(small).vectors, b.fit(small).vectors)
    a.save(tmp_path / "m.safetensors")
    c = Word2Vec.load(tmp_path / "m.safetensors")
    assert c.loss == "hs" and np.array_equal(c.output_weights, a.output_weights)
    before = c.output_weights.copy()
    c.fit(books[1000:1500])
    assert c.output_weights.shape == before.shape and not np.array_equal(c.output_weights, before)


def test_hs_rejects_distributed_and_bad_loss() -> None:
    with pytest.raises(ValueError, match="loss='hs' is not supported with distributed"):
        Word2Vec(loss="hs", distributed=True)
    with pytest.raises(ValueError, match="loss"):
        Word2Vec(loss="softmax")
