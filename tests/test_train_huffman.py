"""The Huffman tree of hierarchical softmax: kernel vs reference, a valid optimal code."""

from __future__ import annotations

import gzip
import heapq
import itertools
from collections import Counter

import numpy as np
import pytest

from wordvec.text import tokenize
from wordvec.train.huffman import huffman, huffman_reference


@pytest.fixture(scope="module")
def counts(shared_data) -> np.ndarray:
    """Word counts of 2,000 paragraphs of the bundled novels, falling (many ties at 1)."""
    counter: Counter = Counter()
    with gzip.open(shared_data / "corpus" / "default-books-en.txt.gz", "rt") as f:
        for _, line in zip(range(2000), f):
            counter.update(tokenize(line))
    got = np.array(sorted(counter.values(), reverse=True), dtype=np.int64)
    assert got.size > 5000 and (got == 1).sum() > 1000
    return got


def _split(codes, points, offsets):
    return (
        [codes[offsets[i] : offsets[i + 1]].tolist() for i in range(len(offsets) - 1)],
        [points[offsets[i] : offsets[i + 1]].tolist() for i in range(len(offsets) - 1)],
    )


def _optimal_cost(counts: np.ndarray) -> int:
    """Summed count x code length of any Huffman code (textbook heap construction)."""
    heap = [int(c) for c in counts]
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


def test_kernel_matches_reference(counts: np.ndarray) -> None:
    codes, points = huffman_reference(counts)
    assert _split(*huffman(counts)) == (codes, points)
    few = counts[::97]
    assert _split(*huffman(few)) == huffman_reference(few)


def test_codes_are_a_valid_optimal_prefix_code(counts: np.ndarray) -> None:
    codes, points, offsets = huffman(counts)
    n = counts.size
    lengths = np.diff(offsets)
    assert sum(2.0 ** -int(k) for k in lengths) == pytest.approx(1.0)  # Kraft: full tree
    words = {"".join(map(str, codes[offsets[i] : offsets[i + 1]])) for i in range(n)}
    assert len(words) == n  # distinct
    ordered = sorted(words)
    assert not any(b.startswith(a) for a, b in itertools.pairwise(ordered))  # prefix-free
    assert int((counts * lengths).sum()) == _optimal_cost(counts)
    assert np.all(points[offsets[:-1]] == n - 2)  # every path starts at the root
    assert set(points.tolist()) == set(range(n - 1))  # every inner node is used
    # a more frequent word never has a longer code than a rarer one
    values = np.unique(counts)[::-1]
    longest = [lengths[counts == v].max() for v in values]
    shortest = [lengths[counts == v].min() for v in values]
    assert all(a <= b for a, b in zip(longest[:-1], shortest[1:]))


def test_small_trees_by_hand() -> None:
    assert huffman_reference([5, 3, 2, 1]) == (
        [[0], [1, 1], [1, 0, 1], [1, 0, 0]],
        [[2], [2, 1], [2, 1, 0], [2, 1, 0]],
    )
    codes, points, offsets = huffman([7])
    assert (codes.tolist(), points.tolist(), offsets.tolist()) == ([0], [0], [0, 1])
    assert huffman_reference([7]) == ([[0]], [[0]])
    # zero counts are allowed (a word kept by a fixed vocabulary)
    assert _split(*huffman([3, 0, 0])) == huffman_reference([3, 0, 0])


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        ([], ValueError, "non-empty"),
        ([1, 2], ValueError, "must not increase"),
        ([2, -1], ValueError, ">= 0"),
        ([2.5, 1.0], TypeError, "integers"),
        ([[1, 2]], ValueError, "1-D"),
    ],
)
def test_bad_counts_are_refused(bad, error, match) -> None:
    with pytest.raises(error, match=match):
        huffman(bad)
    with pytest.raises(error, match=match):
        huffman_reference(bad)
