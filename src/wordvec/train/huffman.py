"""The Huffman tree of hierarchical softmax, built as word2vec's C tool and fastText do.

Words sorted by falling count are the leaves ``0 .. n - 1``; inner nodes ``n .. 2n - 2``
are made in order by joining the two smallest of (the next unused leaf from the rare
end, the next unused inner node), a leaf winning only if strictly smaller
(``CreateBinaryTree`` in word2vec.c, ``HierarchicalSoftmaxLoss::buildTree`` in
fastText). The second node joined is the ``1`` branch. The root is node ``2n - 2``.

A word's path is returned root first, as word2vec's ``point``/``code`` arrays: the
inner nodes on the way (numbered ``0 .. n - 2``, the rows of the output matrix, root
``n - 2``) and the branch bits. fastText walks the same nodes leaf first; the pairs
are the same. (gensim builds its tree with a heap, which breaks ties between equal
counts differently: same code lengths in total, other codes.)

:func:`huffman_reference` is the readable version; :func:`huffman` runs the same steps
in numba, for vocabularies of millions of words.

>>> codes, points, offsets = huffman([5, 3, 2, 1])
>>> [codes[offsets[i]:offsets[i + 1]].tolist() for i in range(4)]
[[0], [1, 1], [1, 0, 1], [1, 0, 0]]
>>> [points[offsets[i]:offsets[i + 1]].tolist() for i in range(4)]
[[2], [2, 1], [2, 1, 0], [2, 1, 0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

__all__ = ["huffman", "huffman_reference"]

_NO_NODE = 10**15  # the count of inner nodes not made yet (word2vec's 1e15)


def _check_counts(counts: Sequence[int] | np.ndarray) -> np.ndarray:
    arr = np.asarray(counts)
    if arr.ndim != 1 or arr.size < 1:
        raise ValueError(f"counts must be a non-empty 1-D sequence, got shape {arr.shape}.")
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"counts must be integers, got dtype {arr.dtype}.")
    arr = arr.astype(np.int64)
    if arr.min() < 0:
        raise ValueError(f"counts must be >= 0, got {arr.min()} at row {int(arr.argmin())}.")
    if np.any(np.diff(arr) > 0):
        row = int(np.flatnonzero(np.diff(arr) > 0)[0]) + 1
        raise ValueError(
            f"counts must not increase (words sorted by falling count, as the vocabulary "
            f"is), but row {row} has {arr[row]} after {arr[row - 1]}; sort the words first."
        )
    return arr


def huffman_reference(counts: Sequence[int]) -> tuple[list[list[int]], list[list[int]]]:
    """Return each word's branch bits and inner nodes, root first (readable version).

    Args:
        counts (Sequence[int]): Word counts, not increasing.

    Returns:
        tuple[list[list[int]], list[list[int]]]: ``codes[i]`` and ``points[i]`` of word ``i``.

    Raises:
        ValueError: If ``counts`` is empty, negative or increasing somewhere.

    >>> huffman_reference([1, 1])
    ([[1], [0]], [[0], [0]])
    """
    counts = _check_counts(counts).tolist()
    n = len(counts)
    count = counts + [_NO_NODE] * (n - 1)
    parent = [-1] * (2 * n - 1)
    bit = [0] * (2 * n - 1)
    leaf, node = n - 1, n
    for new in range(n, 2 * n - 1):
        pair = []
        for _ in range(2):
            if leaf >= 0 and count[leaf] < count[node]:
                pair.append(leaf)
                leaf -= 1
            else:
                pair.append(node)
                node += 1
        count[new] = count[pair[0]] + count[pair[1]]
        parent[pair[0]] = parent[pair[1]] = new
        bit[pair[1]] = 1
    codes, points = [], []
    for i in range(n):
        code, point, j = [], [], i
        while parent[j] != -1:
            code.append(bit[j])
            point.append(parent[j] - n)
            j = parent[j]
        codes.append(code[::-1])
        points.append(point[::-1])
    if n == 1:  # a lone word: one step off the root (word2vec's codelen 1)
        codes, points = [[0]], [[0]]
    return codes, points


@njit(cache=True, nogil=True)
def _tree(counts):  # pragma: no cover - numba
    n = counts.shape[0]
    count = np.full(2 * n - 1, _NO_NODE, dtype=np.int64)
    count[:n] = counts
    parent = np.full(2 * n - 1, -1, dtype=np.int64)
    bit = np.zeros(2 * n - 1, dtype=np.uint8)
    leaf = n - 1
    node = n
    for new in range(n, 2 * n - 1):
        total = 0
        for k in range(2):
            if leaf >= 0 and count[leaf] < count[node]:
                pick = leaf
                leaf -= 1
            else:
                pick = node
                node += 1
            total += count[pick]
            parent[pick] = new
            if k == 1:
                bit[pick] = 1
        count[new] = total
    return parent, bit


@njit(cache=True, nogil=True)
def _paths(parent, bit, n):  # pragma: no cover - numba
    offsets = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        depth = 0
        j = i
        while parent[j] != -1:
            depth += 1
            j = parent[j]
        offsets[i + 1] = offsets[i] + depth
    codes = np.empty(offsets[n], dtype=np.uint8)
    points = np.empty(offsets[n], dtype=np.int32)
    for i in range(n):
        pos = offsets[i + 1] - 1  # fill leaf first, from the end: root first in the end
        j = i
        while parent[j] != -1:
            codes[pos] = bit[j]
            points[pos] = parent[j] - n
            pos -= 1
            j = parent[j]
    return codes, points, offsets


def huffman(counts: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the Huffman codes of the words, root first, as flat arrays (numba).

    Args:
        counts (Sequence[int] | np.ndarray): Word counts, not increasing (the
            vocabulary's order).

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: ``codes`` (uint8 branch bits),
        ``points`` (int32 inner-node rows, ``0 .. n - 2``) and ``offsets`` (int64,
        ``n + 1``): word ``i`` has ``codes[offsets[i]:offsets[i + 1]]``. A single word
        gets the one-step code ``[0]`` at node 0.

    Shape:
        ``(n,) -> (L,), (L,), (n + 1,)`` with ``L`` the summed code lengths.

    Raises:
        ValueError: If ``counts`` is empty, negative or increasing somewhere.
        TypeError: If ``counts`` are not integers.

    >>> codes, points, offsets = huffman(np.array([4, 4]))
    >>> codes.tolist(), points.tolist(), offsets.tolist()
    ([1, 0], [0, 0], [0, 1, 2])
    """
    arr = _check_counts(counts)
    if arr.size == 1:
        return np.zeros(1, np.uint8), np.zeros(1, np.int32), np.array([0, 1], np.int64)
    parent, bit = _tree(arr)
    return _paths(parent, bit, arr.size)
