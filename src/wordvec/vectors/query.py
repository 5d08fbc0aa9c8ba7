"""Similarity queries as pure functions over arrays; :class:`wordvec.Vectors` wraps them.

Everything follows gensim's ``KeyedVectors`` conventions, so results agree with it:
``most_similar`` averages the unit vectors of the query words (weight +1 for positive,
-1 for negative, divided by the total absolute weight), normalises the mean, ranks all
rows by cosine and drops the query words; ``most_similar_cosmul`` is 3CosMul (Levy &
Goldberg 2014) with cosines shifted to [0, 1]. The batched :func:`nearest` answers many
queries with blocked matrix products and a numba top-k, in bounded memory.
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from wordvec._validation import check_int
from wordvec.vectors import compact
from wordvec.vectors._kernels import update_topk

_BLOCK_SCORES = 512 * 1024  # floats per block of scores (2 MB: stays in cache)
_PARALLEL_SCORES = 50_000_000  # below this many scores, one thread is as fast


def _workers(q: int, n: int) -> int:
    """Worker threads for ``q`` queries against ``n`` rows (1 unless the batch is big and
    the optional ``threadpoolctl`` can pin BLAS to one thread per worker)."""
    if q < 2 or q * n < _PARALLEL_SCORES:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    if cores < 2 or importlib.util.find_spec("threadpoolctl") is None:
        return 1
    return min(cores, q)


def row_norms(matrix: np.ndarray) -> np.ndarray:
    """Return the Euclidean norm of each row, float32.

    Shape:
        ``(n, dim) -> (n,)``

    >>> row_norms(np.array([[3.0, 4.0]], dtype=np.float32)).tolist()
    [5.0]
    """
    return np.linalg.norm(matrix, axis=1).astype(np.float32, copy=False)


def unit_rows(matrix: np.ndarray, norms: np.ndarray | None = None) -> np.ndarray:
    """Return the rows scaled to unit length (zero rows stay zero), float32.

    Shape:
        ``(n, dim) -> (n, dim)``

    >>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    if norms is None:
        norms = row_norms(matrix)
    safe = np.where(norms > 0, norms, np.float32(1.0)).astype(np.float32, copy=False)
    return (matrix / safe[:, None]).astype(np.float32, copy=False)


def unit_vector(vector: np.ndarray) -> np.ndarray:
    """Return ``vector`` scaled to unit length (computed in float64), float32.

    Shape:
        ``(dim,) -> (dim,)``; also ``(q, dim) -> (q, dim)`` row by row.

    >>> unit_vector(np.array([0.0, 2.0])).tolist()
    [0.0, 1.0]
    """
    v = np.asarray(vector, dtype=np.float64)
    if v.ndim == 1:  # one vector (every single query): a dot product, not a reduction
        norm = math.sqrt(float(np.dot(v, v)))
        return (v / norm if norm > 0 else v).astype(np.float32)
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return (v / np.where(norm > 0, norm, 1.0)).astype(np.float32)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Return the cosine similarity of two vectors (0.0 if one is zero).

    >>> round(cosine(np.array([1.0, 0.0]), np.array([1.0, 1.0])), 6)
    0.707107
    """
    return float(np.dot(unit_vector(a), unit_vector(b)))


def mean_direction(vectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return the normalised weighted mean of (unit) vectors, as gensim's ``most_similar``.

    The weighted sum is accumulated in float32, divided by the total absolute weight
    and normalised in float64.

    Shape:
        ``vectors (m, dim)``, ``weights (m,)`` -> ``(dim,)``

    >>> m = mean_direction(np.eye(2, dtype=np.float32), np.array([1.0, -1.0]))
    >>> m.astype(float).round(4).tolist()
    [0.7071, -0.7071]
    """
    weights = np.asarray(weights, dtype=np.float64)
    if len(weights) == 1 and weights[0] > 0:  # one word: its own direction (same bits)
        return unit_vector(vectors[0])
    mean = np.zeros(vectors.shape[1], dtype=np.float32)
    for w, v in zip(weights, vectors):
        mean += w * v
    total = float(np.abs(weights).sum())
    m64 = mean / total if total > 0 else mean.astype(np.float64)
    return unit_vector(m64)


def analogy_queries(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Return the 3CosAdd query direction ``b - a + c`` for many analogies at once.

    Equal to :func:`mean_direction` of ``[unit[b], unit[c], unit[a]]`` with weights
    ``[1, 1, -1]``, row by row.

    Shape:
        ``unit (n, dim)``, ``a, b, c (q,)`` -> ``(q, dim)``

    >>> u = np.eye(3, dtype=np.float32)
    >>> q = analogy_queries(u, np.array([0]), np.array([1]), np.array([2]))
    >>> q.astype(float).round(4).tolist()
    [[-0.5774, 0.5774, 0.5774]]
    """
    summed = (unit[b] + unit[c]) - unit[a]
    return unit_vector(summed.astype(np.float64) / 3.0)


def top_k(
    scores: np.ndarray, k: int, exclude: Sequence[int] | np.ndarray = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Return the indices and values of the ``k`` largest scores, best first.

    Ties keep the lower index first; indices in ``exclude`` are skipped.

    Shape:
        ``(n,) -> (min(k, n - excluded),), (same,)``

    >>> top_k(np.array([0.1, 0.9, 0.5, 0.7]), 2, exclude=[1])
    (array([3, 2]), array([0.7, 0.5]))
    """
    scores = np.asarray(scores)
    excl = np.unique(np.asarray(exclude, dtype=np.int64))
    excl = excl[(excl >= 0) & (excl < scores.size)]
    want = min(k + excl.size, scores.size)
    if want <= 0:
        return np.zeros(0, np.int64), scores[:0]
    if want < scores.size:
        cand = np.argpartition(-scores, want - 1)[:want]
    else:
        cand = np.arange(scores.size)
    order = cand[np.lexsort((cand, -scores[cand]))]
    if excl.size:
        order = order[~np.isin(order, excl)]
    order = order[:k]
    return order.astype(np.int64), scores[order]


def _exclude_matrix(exclude: object, q: int) -> np.ndarray:
    """Turn ``exclude`` (None, a (q, e) int array, or q sequences) into a padded array."""
    if exclude is None:
        return np.full((q, 1), -1, dtype=np.int64)
    if isinstance(exclude, np.ndarray) and exclude.ndim == 2:
        if exclude.shape[0] != q or not np.issubdtype(exclude.dtype, np.integer):
            raise ValueError(
                f"exclude must be an integer array with one row per query ({q}), got dtype "
                f"{exclude.dtype} and shape {exclude.shape}; pad short rows with -1."
            )
        return np.ascontiguousarray(exclude, dtype=np.int64)
    rows = list(exclude)  # type: ignore[call-overload]
    if len(rows) != q:
        raise ValueError(
            f"exclude must hold one sequence of row indices per query: {q} queries, got "
            f"{len(rows)}."
        )
    width = max([len(r) for r in rows] + [1])
    out = np.full((q, width), -1, dtype=np.int64)
    for i, r in enumerate(rows):
        if len(r):
            out[i, : len(r)] = np.asarray(r, dtype=np.int64)
    return out


def nearest(
    unit: np.ndarray,
    queries: np.ndarray,
    *,
    topn: int = 10,
    exclude: object = None,
    restrict_vocab: int | None = None,
    chunk_size: int | None = None,
    normalize: bool = True,
    norms: np.ndarray | None = None,
    scales: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``topn`` rows of ``unit`` most similar (cosine) to each query, batched.

    Scores come from blocked matrix products (``chunk_size`` queries against a block of
    rows at a time, about 2 MB of scores) merged by a numba top-k, so memory stays
    bounded whatever the number of queries. Big batches are split between one thread
    per core, each with a single-threaded BLAS (if the optional ``threadpoolctl`` is
    installed; otherwise one thread and BLAS's own threads).

    With ``norms``, ``unit`` holds the stored rows as they are (float32, float16 or
    int8 with ``scales``, possibly memory-mapped): each block of about 16 MB is decoded
    to float32 and its scores divided by the rows' norms, so no normalised copy of the
    matrix is ever made, and the pages of a mapped file are released block by block.

    Args:
        unit (np.ndarray): Unit-normalised rows, float32, ``(n, dim)``.
        queries (np.ndarray): Query vectors ``(q, dim)`` (or one ``(dim,)`` vector).
        topn (int, default 10): Results per query.
        exclude (None | np.ndarray | Sequence[Sequence[int]], default None): Row indices
            never returned, per query: a ``(q, e)`` int array padded with -1, or ``q``
            sequences.
        restrict_vocab (int | None, default None): Search only the first rows.
        chunk_size (int | None, default None): Queries per matrix product (default
            256).
        normalize (bool, default True): Scale the queries to unit length first.
        norms (np.ndarray | None, default None): Row norms ``(n,)``; given, ``unit`` is
            the raw stored matrix (see above).
        scales (np.ndarray | None, default None): Row scales ``(n,)`` of an int8 matrix.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``indices`` (int64) and ``scores`` (float32), each
        ``(q, topn)``, best first; if fewer rows than ``topn`` are eligible the tail holds
        ``-1`` and ``-inf``.

    Shape:
        ``unit (n, dim)``, ``queries (q, dim)`` -> ``(q, topn)``, ``(q, topn)``

    Raises:
        ValueError: If the query dimension differs from the rows', or ``exclude`` does
            not match the queries.

    >>> u = np.eye(3, dtype=np.float32)
    >>> idx, sc = nearest(u, np.array([[1.0, 0.9, 0.0]]), topn=2)
    >>> idx.tolist(), sc.astype(float).round(3).tolist()
    ([[0, 1]], [[0.743, 0.669]])
    """
    topn = check_int(topn, "topn", minimum=1)
    chunk_size = check_int(chunk_size, "chunk_size", minimum=1, allow_none=True) or 256
    restrict_vocab = check_int(restrict_vocab, "restrict_vocab", minimum=1, allow_none=True)
    q_arr = np.asarray(queries, dtype=np.float32)
    if q_arr.ndim == 1:
        q_arr = q_arr[None, :]
    if q_arr.ndim != 2 or q_arr.shape[1] != unit.shape[1]:
        raise ValueError(
            f"queries must have shape (q, {unit.shape[1]}) to match the vectors, got "
            f"{np.shape(queries)}."
        )
    if normalize:
        q_arr = unit_vector(q_arr)
    q = q_arr.shape[0]
    n = unit.shape[0] if restrict_vocab is None else min(restrict_vocab, unit.shape[0])
    excl = _exclude_matrix(exclude, q)
    top_s = np.full((q, topn), -np.inf, dtype=np.float32)
    top_i = np.full((q, topn), -1, dtype=np.int64)
    if n == 0 or q == 0:
        return top_i, top_s
    block = max(256, _BLOCK_SCORES // min(chunk_size, q))
    if norms is not None:
        return _nearest_stored(unit, scales, norms, q_arr, n, (top_i, top_s), excl, chunk_size)

    def run(q_start: int, q_stop: int) -> None:
        for q0 in range(q_start, q_stop, chunk_size):
            q1 = min(q_stop, q0 + chunk_size)
            qc = q_arr[q0:q1]
            for b0 in range(0, n, block):
                b1 = min(n, b0 + block)
                scores = qc @ unit[b0:b1].T
                update_topk(scores, b0, top_s[q0:q1], top_i[q0:q1], excl[q0:q1])

    workers = _workers(q, n)
    if workers == 1:
        run(0, q)
        return top_i, top_s
    from threadpoolctl import threadpool_limits

    # one BLAS thread per worker: each worker runs its own products and top-k on one
    # core, so no core idles during the top-k and BLAS threads never wait for each other
    step = -(-q // workers)
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(run, s, min(q, s + step)) for s in range(0, q, step)]
        for future in futures:
            future.result()
    return top_i, top_s


def _nearest_stored(
    data: np.ndarray,
    scales: np.ndarray | None,
    norms: np.ndarray,
    queries: np.ndarray,
    n: int,
    top: tuple[np.ndarray, np.ndarray],
    excl: np.ndarray,
    chunk_size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`nearest` over stored rows: one pass over the matrix, decoded block by block,
    every chunk of queries scored against each block (so a mapped file is read once)."""
    top_i, top_s = top
    inv = np.float32(1.0) / np.where(norms > 0, norms, np.float32(1.0)).astype(np.float32)
    rows = compact.block_rows(data.shape[1])
    for b0, block in compact.iter_blocks(data, scales, stop=n, rows=rows):
        b1 = b0 + len(block)
        for q0 in range(0, len(queries), chunk_size):
            q1 = min(len(queries), q0 + chunk_size)
            for s0 in range(b0, b1, max(256, _BLOCK_SCORES // (q1 - q0))):
                s1 = min(b1, s0 + max(256, _BLOCK_SCORES // (q1 - q0)))
                scores = queries[q0:q1] @ block[s0 - b0 : s1 - b0].T
                scores *= inv[s0:s1]
                update_topk(scores, s0, top_s[q0:q1], top_i[q0:q1], excl[q0:q1])
    return top_i, top_s


def cosmul_scores(unit: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """Return 3CosMul scores of every row: ``prod(pos) / (prod(neg) + 1e-6)``.

    Cosines are shifted to ``[0, 1]`` by ``(1 + cos) / 2`` (Levy & Goldberg 2014,
    footnote 7), as gensim's ``most_similar_cosmul``.

    Shape:
        ``unit (n, dim)``, ``positive (p, dim)``, ``negative (m, dim)`` -> ``(n,)``

    >>> u = np.eye(2, dtype=np.float32)
    >>> cosmul_scores(u, u[:1], u[1:]).astype(float).round(3).tolist()
    [2.0, 0.5]
    """
    pos = (1.0 + unit @ np.asarray(positive, dtype=np.float32).T) / 2.0
    scores = np.prod(pos, axis=1)
    if len(negative):
        neg = (1.0 + unit @ np.asarray(negative, dtype=np.float32).T) / 2.0
        scores = scores / (np.prod(neg, axis=1) + 0.000001)
    else:
        scores = scores / (1.0 + 0.000001)
    return scores


def rank_by_centrality(unit_vectors: np.ndarray) -> np.ndarray:
    """Return the cosine of each (unit) vector to the normalised mean, as gensim.

    Shape:
        ``(m, dim) -> (m,)``

    >>> rank_by_centrality(np.eye(2, dtype=np.float32)).astype(float).round(4).tolist()
    [0.7071, 0.7071]
    """
    mean = mean_direction(unit_vectors, np.ones(len(unit_vectors)))
    return unit_vectors @ mean
