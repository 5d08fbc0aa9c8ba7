"""Numba kernels of GloVe co-occurrence counting: window pairs into a dense table or a hash.

Counts are exact integers: a pair at distance ``d`` adds ``weights[d]`` (``scale / d``
for 1/distance weighting, see :func:`wordvec.train.cooccur.distance_weights`), so the
totals do not depend on the order in which partial sums meet, and counting with or
without spilling shards to disk gives the same numbers.

A pair ``(a, b)`` of final word ids (``a <= b`` when symmetric) lives in one of two
places, as in the C tool: the *dense* region holds the pairs of frequent words, row
``a`` covering columns ``lo[a] <= b < hi[a]`` at ``dense[offset[a] + b]``; every other
pair goes to an open-addressing hash table (linear probing) keyed ``a * vocab + b``,
``-1`` marking an empty slot. The caller grows the table or spills it to a sorted shard
when :func:`count_pairs` stops at its ``limit``.

The slow, readable version of the counting is
:func:`wordvec.train.reference_glove.count_cooccurrences`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_EMPTY = -1
_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, nogil=True)
def map_ids(ids: np.ndarray, remap: np.ndarray, out: np.ndarray) -> int:
    """Map provisional ids to final ids, dropping words outside the vocabulary.

    Sentence ends (``-1``) are kept (once, never twice in a row) so windows stop at them.
    Returns the number of ids written to ``out``.

    Shape:
        ``ids``: ``(n,)`` int32, ``remap``: ``(p,)`` int32, ``out``: ``(>= n,)`` int32.
    """
    m = 0
    for k in range(ids.shape[0]):
        i = ids[k]
        if i < 0:
            if m > 0 and out[m - 1] >= 0:
                out[m] = -1
                m += 1
            continue
        w = remap[i]
        if w >= 0:
            out[m] = w
            m += 1
    return m


@njit(cache=True, nogil=True, inline="always")
def _slot(key: np.int64, mask: np.int64) -> np.int64:
    h = np.uint64(key) * _HASH_MULT
    return np.int64(h >> np.uint64(32)) & mask


@njit(cache=True, nogil=True)
def hash_add(keys: np.ndarray, vals: np.ndarray, key: np.int64, value: np.int64) -> int:
    """Add ``value`` to ``key`` in the table; return 1 if the key was new, else 0.

    The table (a power-of-two length) must have a free slot.
    """
    mask = np.int64(keys.shape[0] - 1)
    s = _slot(key, mask)
    while True:
        k = keys[s]
        if k == key:
            vals[s] += value
            return 0
        if k == _EMPTY:
            keys[s] = key
            vals[s] = value
            return 1
        s = (s + 1) & mask


@njit(cache=True, nogil=True)
def count_pairs(
    tokens: np.ndarray,
    start: int,
    window: int,
    symmetric: bool,
    weights: np.ndarray,
    vocab: int,
    dense: np.ndarray,
    offset: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    keys: np.ndarray,
    vals: np.ndarray,
    used: np.ndarray,
    limit: int,
) -> int:
    """Count the window pairs of ``tokens[start:]``; stop early once the hash is full.

    Each token pairs with up to ``window`` earlier tokens of its sentence (``-1`` ends a
    sentence). A pair ``(left, right)`` at distance ``d`` adds ``weights[d]`` to
    ``(left, right)``; symmetric counting stores it once as ``(min, max)``, and a word
    paired with itself adds twice (once per direction, as the C tool). ``used[0]``
    counts the occupied hash slots.

    Returns:
        The position to resume from: ``tokens.shape[0]`` when done, less when
        ``used[0]`` reached ``limit`` (the caller grows or spills the table, then calls
        again from there).

    Shape:
        ``tokens``: ``(n,)`` int32 final ids; ``weights``: ``(window + 1,)`` int64;
        ``offset``, ``lo``, ``hi``: ``(vocab,)`` int64; ``keys``, ``vals``: ``(2**k,)``.
    """
    n = tokens.shape[0]
    for k in range(start, n):
        right = tokens[k]
        if right < 0:
            continue
        first = max(k - window, 0)
        for j in range(k - 1, first - 1, -1):
            left = tokens[j]
            if left < 0:
                break
            w = weights[k - j]
            a, b = left, right
            if symmetric:
                if a > b:
                    a, b = b, a
                elif a == b:
                    w += w
            if b >= lo[a] and b < hi[a]:
                dense[offset[a] + b] += w
            else:
                used[0] += hash_add(keys, vals, np.int64(a) * vocab + b, w)
        if used[0] >= limit:
            return k + 1
    return n


@njit(cache=True, nogil=True)
def rehash(keys: np.ndarray, vals: np.ndarray, new_keys: np.ndarray, new_vals: np.ndarray) -> None:
    """Insert every entry of one table into another (empty, larger) table."""
    for s in range(keys.shape[0]):
        if keys[s] != _EMPTY:
            hash_add(new_keys, new_vals, keys[s], vals[s])


@njit(cache=True, nogil=True)
def compact(keys: np.ndarray, vals: np.ndarray) -> int:
    """Move the occupied slots to the front of both arrays (in place); return their number.

    The table is no longer a valid hash afterwards.
    """
    m = 0
    for s in range(keys.shape[0]):
        if keys[s] != _EMPTY:
            keys[m] = keys[s]
            vals[m] = vals[s]
            m += 1
    return m


@njit(cache=True, nogil=True)
def dense_entries(
    dense: np.ndarray, offset: np.ndarray, lo: np.ndarray, hi: np.ndarray, vocab: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the non-zero cells of the dense region as sorted keys and their counts.

    Shape:
        Returns ``(m,)`` int64 keys ``a * vocab + b`` (ascending) and ``(m,)`` int64 counts.
    """
    m = 0
    for c in range(dense.shape[0]):
        if dense[c] != 0:
            m += 1
    keys = np.empty(m, np.int64)
    vals = np.empty(m, np.int64)
    m = 0
    for a in range(offset.shape[0]):
        for b in range(lo[a], hi[a]):
            v = dense[offset[a] + b]
            if v != 0:
                keys[m] = np.int64(a) * vocab + b
                vals[m] = v
                m += 1
    return keys, vals


@njit(cache=True, nogil=True)
def _heap_down(heap: np.ndarray, head: np.ndarray, i: int, size: int) -> None:
    while True:
        c = 2 * i + 1
        if c >= size:
            return
        if c + 1 < size and head[heap[c + 1]] < head[heap[c]]:
            c += 1
        if head[heap[i]] <= head[heap[c]]:
            return
        heap[i], heap[c] = heap[c], heap[i]
        i = c


@njit(cache=True, nogil=True)
def merge_runs(
    keys: np.ndarray,
    vals: np.ndarray,
    starts: np.ndarray,
    vocab: int,
    scale: float,
    rows: np.ndarray,
    cols: np.ndarray,
    xs: np.ndarray,
) -> int:
    """Merge sorted runs of (key, count), summing equal keys; return the entries written.

    Run ``r`` is ``keys[starts[r]:starts[r + 1]]`` (with its counts in ``vals``): ascending,
    distinct keys ``a * vocab + b``. The merged entries are
    written as int32 ``rows`` (``a``), int32 ``cols`` (``b``) and float32 ``xs``
    (``count / scale``). With ``rows`` empty (length 0) nothing is written and the
    number of distinct keys is returned, so a caller can size the output first.

    Shape:
        ``keys``, ``vals``: ``(n,)`` int64; ``starts``: ``(runs + 1,)``; ``rows``, ``cols``, ``xs``:
        ``(m,)`` or ``(0,)``.
    """
    runs = starts.shape[0] - 1
    pos = starts[:-1].copy()
    head = np.empty(runs, np.int64)
    heap = np.empty(runs, np.int64)
    size = 0
    for r in range(runs):
        if pos[r] < starts[r + 1]:
            head[r] = keys[pos[r]]
            heap[size] = r
            size += 1
    for i in range(size // 2 - 1, -1, -1):
        _heap_down(heap, head, i, size)
    write = rows.shape[0] > 0
    inv = 1.0 / scale
    m = 0
    last = np.int64(-1)
    total = np.int64(0)
    while size > 0:
        r = heap[0]
        key = head[r]
        if key != last:
            if write and m > 0:
                xs[m - 1] = total * inv
            if write:
                a = key // vocab
                rows[m] = a
                cols[m] = key - a * vocab
            total = 0
            m += 1
            last = key
        total += vals[pos[r]]
        pos[r] += 1
        if pos[r] < starts[r + 1]:
            head[r] = keys[pos[r]]
        else:
            size -= 1
            heap[0] = heap[size]
        _heap_down(heap, head, 0, size)
    if write and m > 0:
        xs[m - 1] = total * inv
    return m


@njit(cache=True, nogil=True)
def sort_pairs(keys: np.ndarray, vals: np.ndarray) -> None:
    """Sort ``keys`` ascending in place, moving ``vals`` along (iterative quicksort).

    No extra memory beyond a small stack: the hash table's arrays are sorted where they
    are, so a spill never holds a second copy of the table.

    Shape:
        ``keys``, ``vals``: ``(n,)`` int64.
    """
    stack = np.empty(128, np.int64)
    top = 0
    stack[0], stack[1] = 0, keys.shape[0] - 1
    top = 2
    while top > 0:
        top -= 2
        lo_, hi_ = stack[top], stack[top + 1]
        while hi_ - lo_ > 16:
            mid = (lo_ + hi_) // 2
            # median of three to the middle
            if keys[mid] < keys[lo_]:
                _swap(keys, vals, mid, lo_)
            if keys[hi_] < keys[lo_]:
                _swap(keys, vals, hi_, lo_)
            if keys[hi_] < keys[mid]:
                _swap(keys, vals, hi_, mid)
            pivot = keys[mid]
            i, j = lo_, hi_
            while i <= j:
                while keys[i] < pivot:
                    i += 1
                while keys[j] > pivot:
                    j -= 1
                if i <= j:
                    _swap(keys, vals, i, j)
                    i += 1
                    j -= 1
            # push the larger side, loop on the smaller (stack depth <= log2 n)
            if j - lo_ > hi_ - i:
                stack[top], stack[top + 1] = lo_, j
                lo_ = i
            else:
                stack[top], stack[top + 1] = i, hi_
                hi_ = j
            top += 2
        for i in range(lo_ + 1, hi_ + 1):  # insertion sort of the short rest
            k, v = keys[i], vals[i]
            j = i - 1
            while j >= lo_ and keys[j] > k:
                keys[j + 1] = keys[j]
                vals[j + 1] = vals[j]
                j -= 1
            keys[j + 1] = k
            vals[j + 1] = v


@njit(cache=True, nogil=True, inline="always")
def _swap(keys: np.ndarray, vals: np.ndarray, i: int, j: int) -> None:
    keys[i], keys[j] = keys[j], keys[i]
    vals[i], vals[j] = vals[j], vals[i]
