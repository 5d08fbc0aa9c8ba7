"""The hnsw query path: numba beam search over faiss's graph against its NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.vectors import graph

faiss = pytest.importorskip("faiss")


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def clustered() -> np.ndarray:
    """3,000 unit rows in 40 clusters, 24 dims: neighbours are mostly a cluster's."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(40, 24))
    return _unit(centres[rng.integers(0, 40, 3000)] + 0.5 * rng.normal(size=(3000, 24)))


def _searcher(unit: np.ndarray, links: int = 8) -> graph.GraphSearcher:
    native = faiss.IndexHNSWFlat(unit.shape[1], links, faiss.METRIC_INNER_PRODUCT)
    native.hnsw.efConstruction = 40
    native.add(unit)
    codes, scales = graph.quantize([(0, unit)], len(unit), unit.shape[1])
    return graph.GraphSearcher(native, codes, scales)


def test_quantized_records_hold_codes_and_scale_on_one_cache_line(clustered):
    codes, scales = graph.quantize([(0, clustered[:1000]), (1000, clustered[1000:])], 3000, 24)
    assert codes.shape == (3000, 64) and codes.ctypes.data % 64 == 0
    assert np.shares_memory(codes, scales)  # the scale is the record's last 4 bytes
    back = codes[:, :24].astype(np.float32) * scales[:, None]
    assert np.abs(back - clustered).max() <= scales.max() / 2 + 1e-7
    assert (np.abs(codes[:, :24]).max(axis=1) == 127).all()  # each row uses the full range
    wide, _ = graph.quantize([(0, _unit(np.ones((2, 61))))], 2, 61)
    assert wide.shape == (2, 128)  # 61 dims and the scale spill into a second line


def test_kernel_matches_the_reference(clustered):
    s = _searcher(clustered)
    queries = _unit(clustered[::60] + 0.3 * np.random.default_rng(1).normal(size=(50, 24)))
    got = s.search(queries, k=10, ef=24)
    want = graph.search_reference(
        queries, s._codes, s._scales, s.neighbours(), s._entry, ef=24, k=10
    )
    np.testing.assert_array_equal(got, want)
    assert (got >= 0).all() and len(set(got[0])) == 10


def test_walk_finds_the_true_neighbours(clustered):
    s = _searcher(clustered)
    queries = clustered[::30]
    got = s.search(queries, k=10, ef=40)
    exact = np.argsort(-(queries @ clustered.T), axis=1)[:, :10]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, exact)])
    assert recall >= 0.9
    assert (got[:, 0] == np.arange(0, 3000, 30)).mean() >= 0.95  # a row finds itself


def test_fewer_nodes_than_k_pad_with_minus_one_and_empty_graph_answers_nothing():
    unit = _unit(np.random.default_rng(2).normal(size=(5, 8)))
    got = _searcher(unit).search(unit[:2], k=8, ef=8)
    assert sorted(got[0][:5]) == [0, 1, 2, 3, 4] and (got[:, 5:] == -1).all()
    empty = faiss.IndexHNSWFlat(8, 4, faiss.METRIC_INNER_PRODUCT)
    codes, scales = graph.quantize([], 0, 8)
    assert (graph.GraphSearcher(empty, codes, scales).search(unit[:1], k=3, ef=8) == -1).all()
