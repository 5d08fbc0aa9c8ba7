"""Beam search over an HNSW graph, navigating on 8-bit rows: the hnsw index's query path.

faiss builds and stores the graph; wordvec searches it here. A query walks the graph
(greedy on the upper levels, a beam of ``ef`` nodes on the bottom one) scoring each
visited node against an 8-bit copy of the unit rows (one byte a dimension and a float32
scale per row). A 50-dimensional row is then one cache line instead of four, and the
walk, which is bound by memory latency, answers about 1.3x faster than faiss's own
search over float32 rows at the same recall (``benchmarks/RESULTS.md``). The candidates
are re-scored exactly against the stored rows afterwards, so the 8-bit scores only
steer the walk.

The slow, readable reference is :func:`search_reference`; the tests compare the two.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
from numba import njit


def quantize(
    blocks: Iterable[tuple[int, np.ndarray]], n: int, dim: int
) -> tuple[np.ndarray, np.ndarray]:
    """8-bit codes of unit rows, one scale per row: ``row ~= codes[:dim] * scale``.

    Each row's codes and its float32 scale share one record of a multiple of 64 bytes,
    aligned to 64: at up to 60 dimensions a node costs the walk one cache line.

    Args:
        blocks (Iterable[tuple[int, np.ndarray]]): ``(first_row, unit rows)`` blocks
            covering ``n`` rows in order.
        n (int): Rows.
        dim (int): Dimensions.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``codes`` (int8 records, the first ``dim`` bytes
        the codes) and ``scales`` (float32, a view of each record's last 4 bytes).

    Shape:
        blocks of ``(b, dim)`` -> ``(n, stride)``, ``(n,)``; ``stride`` is ``dim + 4``
        rounded up to 64.

    >>> codes, scales = quantize([(0, np.array([[0.6, -0.8]], np.float32))], 1, 2)
    >>> codes.shape, codes[0, :2].tolist(), round(float(scales[0] * 127), 3)
    ((1, 64), [95, -127], 0.8)
    """
    stride = -(-(dim + 4) // 64) * 64
    raw = np.zeros(n * stride + 64, dtype=np.int8)
    skip = -raw.ctypes.data % 64  # the first record starts on a cache line
    codes = raw[skip : skip + n * stride].reshape(n, stride)
    scales = codes.view(np.float32)[:, -1]
    for b0, block in blocks:
        top = np.abs(block).max(axis=1) if dim else np.zeros(len(block), np.float32)
        scale = np.where(top > 0, top / 127.0, 1.0).astype(np.float32)
        codes[b0 : b0 + len(block), :dim] = np.rint(block / scale[:, None]).astype(np.int8)
        scales[b0 : b0 + len(block)] = scale
    return codes, scales


@njit(cache=True, nogil=True, fastmath=True)
def _score(q: np.ndarray, codes: np.ndarray, scales: np.ndarray, row: int) -> float:
    acc = np.float32(0.0)
    for j in range(q.shape[0]):  # the first dim bytes of the record
        acc += q[j] * np.float32(codes[row, j])
    return acc * scales[row]


@njit(cache=True, nogil=True)
def _descend(q, codes, scales, nbrs, offsets, cum, entry, max_level):  # type: ignore[no-untyped-def]
    """Greedy walk down the upper levels: the bottom level's entry node and score."""
    cur = entry
    cur_s = _score(q, codes, scales, cur)
    for level in range(max_level, 0, -1):
        moved = True
        while moved:
            moved = False
            for p in range(offsets[cur] + cum[level], offsets[cur] + cum[level + 1]):
                nb = nbrs[p]
                if nb < 0:
                    break
                s = _score(q, codes, scales, nb)
                if s > cur_s:
                    cur, cur_s, moved = nb, s, True
    return cur, cur_s


@njit(cache=True, nogil=True)
def _heap_push(ids, scores, size, node, score):  # type: ignore[no-untyped-def]
    """Push onto a max-heap of ``size`` entries; returns the new size."""
    i = size
    while i > 0:
        parent = (i - 1) // 2
        if scores[parent] >= score:
            break
        ids[i], scores[i] = ids[parent], scores[parent]
        i = parent
    ids[i], scores[i] = node, score
    return size + 1


@njit(cache=True, nogil=True)
def _heap_pop(ids, scores, size):  # type: ignore[no-untyped-def]
    """Remove the top of a max-heap (read it first); returns the new size."""
    size -= 1
    last_id, last_s = ids[size], scores[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and scores[child + 1] > scores[child]:
            child += 1
        if scores[child] <= last_s:
            break
        ids[i], scores[i] = ids[child], scores[child]
        i = child
    if size > 0:
        ids[i], scores[i] = last_id, last_s
    return size


@njit(cache=True, nogil=True)
def _keep(res_ids, res_s, count, ef, node, score):  # type: ignore[no-untyped-def]
    """Insert into the ``ef`` best (sorted, best first); returns the new count."""
    pos = count if count < ef else ef - 1
    while pos > 0 and res_s[pos - 1] < score:
        if pos < ef:
            res_ids[pos], res_s[pos] = res_ids[pos - 1], res_s[pos - 1]
        pos -= 1
    res_ids[pos], res_s[pos] = node, score
    return count + 1 if count < ef else count


@njit(cache=True, nogil=True)
def search_graph(
    queries: np.ndarray,
    codes: np.ndarray,
    scales: np.ndarray,
    nbrs: np.ndarray,
    offsets: np.ndarray,
    cum: np.ndarray,
    entry: int,
    max_level: int,
    visited: np.ndarray,
    ef: int,
    k: int,
    out: np.ndarray,
) -> None:
    """The ``k`` best nodes of each query by 8-bit score, best first, into ``out``.

    ``visited`` is a bit set of the nodes (``ceil(n / 64)`` uint64 words, cleared per
    query): 50 KB at 400k nodes, it stays in cache while a table of bytes would not.

    Shape:
        ``queries (q, dim)``, ``codes (n, stride)`` -> ``out (q, k)`` (-1 pads)
    """
    out[:] = -1
    if entry < 0:
        return
    width = cum[1] - cum[0]
    cand_ids = np.empty(ef * width + 1, np.int64)
    cand_s = np.empty(ef * width + 1, np.float32)
    res_ids = np.empty(ef, np.int64)
    res_s = np.empty(ef, np.float32)
    fresh = np.empty(width, np.int64)
    fresh_s = np.empty(width, np.float32)
    for qi in range(queries.shape[0]):
        q = queries[qi]
        start, start_s = _descend(q, codes, scales, nbrs, offsets, cum, entry, max_level)
        visited[:] = 0
        visited[start >> 6] |= np.uint64(1) << np.uint64(start & 63)
        nc = _heap_push(cand_ids, cand_s, 0, start, start_s)
        nr = _keep(res_ids, res_s, 0, ef, start, start_s)
        while nc > 0:
            node, score = cand_ids[0], cand_s[0]
            nc = _heap_pop(cand_ids, cand_s, nc)
            if nr == ef and score < res_s[nr - 1]:
                break
            nu = 0  # unvisited neighbours first, then their scores: the loads overlap
            for p in range(offsets[node] + cum[0], offsets[node] + cum[1]):
                nb = nbrs[p]
                if nb < 0:
                    break
                bit = np.uint64(1) << np.uint64(nb & 63)
                if not visited[nb >> 6] & bit:
                    visited[nb >> 6] |= bit
                    fresh[nu] = nb
                    nu += 1
            for u in range(nu):
                fresh_s[u] = _score(q, codes, scales, fresh[u])
            for u in range(nu):
                s = fresh_s[u]
                if nr < ef or s > res_s[nr - 1]:
                    if nc == cand_ids.shape[0]:  # rare: grow the frontier
                        cand_ids = np.concatenate((cand_ids, np.empty_like(cand_ids)))
                        cand_s = np.concatenate((cand_s, np.empty_like(cand_s)))
                    nc = _heap_push(cand_ids, cand_s, nc, fresh[u], s)
                    nr = _keep(res_ids, res_s, nr, ef, fresh[u], s)
        m = min(k, nr)
        out[qi, :m] = res_ids[:m]


def search_reference(
    queries: np.ndarray,
    codes: np.ndarray,
    scales: np.ndarray,
    neighbours: list[list[list[int]]],
    entry: int,
    ef: int,
    k: int,
) -> np.ndarray:
    """Slow, readable :func:`search_graph`: ``neighbours[node][level]`` lists the links.

    Shape:
        ``queries (q, dim)`` -> ``(q, k)`` (-1 pads)
    """
    out = np.full((len(queries), k), -1, dtype=np.int64)
    if entry < 0:
        return out

    def score(q: np.ndarray, node: int) -> float:
        return float((codes[node, : len(q)].astype(np.float32) @ q) * scales[node])

    top = len(neighbours[entry]) - 1
    for qi, q in enumerate(queries):
        cur, cur_s = entry, score(q, entry)
        for level in range(top, 0, -1):  # greedy: move to a better neighbour while one exists
            moved = True
            while moved:
                moved = False
                for nb in neighbours[cur][level]:
                    s = score(q, nb)
                    if s > cur_s:
                        cur, cur_s, moved = nb, s, True
        visited = {cur}
        frontier = [(-cur_s, cur)]  # best first
        best = [(cur_s, cur)]  # the ef best seen
        while frontier:
            neg, node = heapq.heappop(frontier)
            if len(best) == ef and -neg < min(best)[0]:
                break
            for nb in neighbours[node][0]:
                if nb in visited:
                    continue
                visited.add(nb)
                s = score(q, nb)
                if len(best) < ef or s > min(best)[0]:
                    heapq.heappush(frontier, (-s, nb))
                    best.append((s, nb))
                    best.sort(key=lambda t: -t[0])
                    del best[ef:]
        found = [node for _, node in best[:k]]
        out[qi, : len(found)] = found
    return out


class GraphSearcher:
    """Searches a faiss HNSW graph (read in place, no copy) with 8-bit rows.

    Thread-safe: concurrent queries take turns on the one visited set.
    """

    def __init__(self, native: Any, codes: np.ndarray, scales: np.ndarray) -> None:
        import faiss

        hnsw = native.hnsw
        self._native = native  # keeps the graph that the views below read alive
        if hnsw.neighbors.size():  # views of the graph, read in place
            self._nbrs = faiss.rev_swig_ptr(hnsw.neighbors.data(), hnsw.neighbors.size())
            offsets = faiss.rev_swig_ptr(hnsw.offsets.data(), hnsw.offsets.size())
            self._offsets = offsets.view(np.int64)  # size_t; int64 keeps the maths integral
        else:  # an empty graph (faiss hands back no typed view of an empty vector)
            self._nbrs = np.zeros(0, dtype=np.int32)
            self._offsets = np.zeros(1, dtype=np.int64)
        self._cum = faiss.vector_to_array(hnsw.cum_nneighbor_per_level).astype(np.int64)
        self._entry = int(hnsw.entry_point)
        self._max_level = int(hnsw.max_level)
        self._codes, self._scales = codes, scales
        self._visited = np.zeros((len(codes) + 63) // 64, dtype=np.uint64)
        self._lock = threading.Lock()

    def neighbours(self) -> list[list[list[int]]]:
        """The graph as ``[node][level] -> links`` lists (for :func:`search_reference`)."""
        import faiss

        levels = faiss.vector_to_array(self._native.hnsw.levels)  # levels of each node
        out = []
        for node in range(len(self._codes)):
            base = int(self._offsets[node])
            per_level = []
            for level in range(int(levels[node])):
                links = self._nbrs[base + self._cum[level] : base + self._cum[level + 1]]
                per_level.append(links[links >= 0].tolist())
            out.append(per_level)
        return out

    def search(self, queries: np.ndarray, k: int, ef: int) -> np.ndarray:
        """The ``k`` best candidates of each unit query, best first (-1 pads).

        Shape:
            ``(q, dim) -> (q, k)``
        """
        out = np.empty((len(queries), k), dtype=np.int64)
        q = np.ascontiguousarray(queries, dtype=np.float32)
        with self._lock:
            search_graph(
                q,
                self._codes,
                self._scales,
                self._nbrs,
                self._offsets,
                self._cum,
                self._entry,
                self._max_level,
                self._visited,
                max(ef, k),
                k,
                out,
            )
        return out
