"""Co-occurrence counting on real text: the numba tables against the NumPy reference,
identical counts with and without spilling shards, and the building blocks."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from wordvec.text import iter_lines
from wordvec.train.cooccur import count_cooccurrences, dense_layout, distance_weights
from wordvec.train.corpus import build_vocab, encode_corpus
from wordvec.train.kernels import cooccur as kernels
from wordvec.train.reference_glove import count_cooccurrences as reference_counts


@pytest.fixture(scope="module")
def novel(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """The first 1,500 paragraphs of the bundled novels (about 80k tokens), encoded,
    with a min_count 3 vocabulary (words below it are dropped, as in training)."""
    lines = list(
        itertools.islice(iter_lines(shared_data / "corpus" / "default-books-en.txt.gz"), 1500)
    )
    tmp = tmp_path_factory.mktemp("cooccur")
    enc = encode_corpus(lines, tmp, job_words=5000)
    words, _, remap = build_vocab(enc.words, enc.counts, min_count=3, max_vocab=None)
    ids = np.fromfile(enc.path, dtype=np.int32)
    sentences, current = [], []
    for i in ids:
        if i < 0:
            sentences.append(current)
            current = []
        elif remap[i] >= 0:
            current.append(int(remap[i]))
    return enc, remap, len(words), sentences, tmp


@pytest.mark.parametrize(
    ("window", "symmetric", "weighting"), [(5, True, True), (3, False, True), (4, True, False)]
)
def test_counts_match_the_reference(novel, window, symmetric, weighting) -> None:
    enc, remap, vocab, sentences, tmp = novel
    got = count_cooccurrences(
        enc, remap, vocab, tmp, window=window, symmetric=symmetric,
        distance_weighting=weighting, memory=0.01,
    )  # fmt: skip
    want = reference_counts(
        sentences, vocab, window=window, symmetric=symmetric, distance_weighting=weighting
    )
    dense = got.to_dense()
    assert got.shards == 0
    np.testing.assert_allclose(dense, want, rtol=1e-6)
    assert got.nnz == np.count_nonzero(want)
    keys = got.rows.astype(np.int64) * vocab + got.cols
    assert np.all(np.diff(keys) > 0)  # sorted, each pair once
    if symmetric:
        assert np.all(got.rows <= got.cols)


def test_spilling_gives_identical_counts(novel) -> None:
    enc, remap, vocab, _, tmp = novel
    kept = count_cooccurrences(enc, remap, vocab, tmp / "kept", window=10, memory=1.0)
    (tmp / "spill").mkdir()
    spilled = count_cooccurrences(enc, remap, vocab, tmp / "spill", window=10, memory=2e-5)
    assert kept.shards == 0 and spilled.shards > 3
    np.testing.assert_array_equal(spilled.rows, kept.rows)
    np.testing.assert_array_equal(spilled.cols, kept.cols)
    np.testing.assert_array_equal(spilled.counts, kept.counts)  # bitwise: integer sums


def test_distance_weights_are_exact_fractions() -> None:
    w, scale = distance_weights(10)
    assert scale == 2520
    np.testing.assert_array_equal(w[1:] * np.arange(1, 11), np.full(10, 2520))
    w, scale = distance_weights(30)  # lcm(1..30) is too large: 1/d rounded at 2**24
    assert scale == 1 << 24
    np.testing.assert_allclose(w[1:] / scale, 1 / np.arange(1, 31), rtol=30 / 2**25)
    assert distance_weights(3, False)[0].tolist() == [1, 1, 1, 1]


def test_dense_layout_is_hyperbolic_and_fits() -> None:
    offset, lo, hi, cells = dense_layout(1000, 20_000, True)
    assert cells <= 20_000
    assert np.all(hi >= lo) and np.all(np.diff(hi[hi > lo]) <= 0)
    sizes = hi - lo
    starts = offset + lo
    assert np.all(starts[1:][sizes[1:] > 0] == np.cumsum(sizes)[:-1][sizes[1:] > 0])
    assert dense_layout(10, 0, False)[3] == 0


def test_hash_table_and_sort_kernels() -> None:
    rng = np.random.default_rng(3)
    keys = np.full(1024, -1, np.int64)
    vals = np.zeros(1024, np.int64)
    draws = rng.integers(0, 300, 600)
    new = sum(kernels.hash_add(keys, vals, np.int64(k), np.int64(2)) for k in draws)
    assert new == np.unique(draws).shape[0]
    n = kernels.compact(keys, vals)
    kernels.sort_pairs(keys[:n], vals[:n])
    uniq, cnt = np.unique(draws, return_counts=True)
    np.testing.assert_array_equal(keys[:n], uniq)
    np.testing.assert_array_equal(vals[:n], 2 * cnt)


def test_merge_runs_sums_equal_keys() -> None:
    keys = np.array([1, 5, 9, 5, 6, 0, 9])  # runs [1, 5, 9], [5, 6], [], [0, 9]
    vals = np.array([1, 2, 3, 10, 20, 7, 8])
    starts = np.array([0, 3, 5, 5, 7])
    e32 = np.zeros(0, np.int32)
    m = kernels.merge_runs(keys, vals, starts, 4, 2.0, e32, e32, np.zeros(0, np.float32))
    rows, cols, xs = np.empty(m, np.int32), np.empty(m, np.int32), np.empty(m, np.float32)
    kernels.merge_runs(keys, vals, starts, 4, 2.0, rows, cols, xs)
    assert (rows * 4 + cols).tolist() == [0, 1, 5, 6, 9]
    assert xs.tolist() == [3.5, 0.5, 6.0, 10.0, 5.5]


def test_map_ids_drops_unknown_words_and_repeated_ends() -> None:
    out = np.empty(8, np.int32)
    m = kernels.map_ids(
        np.array([-1, 0, 1, -1, 1, -1, 2], np.int32), np.array([3, -1, 0], np.int32), out
    )
    assert out[:m].tolist() == [3, -1, 0]
