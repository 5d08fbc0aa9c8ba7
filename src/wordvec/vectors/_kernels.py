"""Numba kernels for the queries: a running top-k over blocks of scores.

The slow, readable reference is :func:`topk_reference`; the tests compare the two.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_BLOCK = 32


@njit(cache=True, nogil=True, fastmath=True)
def _block_max(row: np.ndarray, start: int, stop: int) -> float:
    m = row[start]
    for j in range(start + 1, stop):
        v = row[j]
        m = v if v > m else m
    return m


@njit(cache=True, nogil=True)
def update_topk(
    scores: np.ndarray,
    offset: int,
    top_scores: np.ndarray,
    top_index: np.ndarray,
    exclude: np.ndarray,
) -> None:
    """Merge a block of scores into running top-k lists, in place.

    Args:
        scores: ``(q, m)`` float32 scores of ``q`` queries against rows
            ``offset .. offset + m`` of the matrix.
        offset: Row index of ``scores[:, 0]``.
        top_scores: ``(q, k)`` best scores so far, descending (start at ``-inf``).
        top_index: ``(q, k)`` their row indices (start at ``-1``).
        exclude: ``(q, e)`` row indices never to return (``-1`` pads).

    Equal scores keep the lower row index first. Scores must not be NaN.
    """
    q, m = scores.shape
    k = top_scores.shape[1]
    ne = exclude.shape[1]
    for r in range(q):
        ts = top_scores[r]
        ti = top_index[r]
        thr = ts[k - 1]
        row = scores[r]
        for b0 in range(0, m, _BLOCK):
            b1 = min(b0 + _BLOCK, m)
            if not (_block_max(row, b0, b1) > thr):
                continue
            for j in range(b0, b1):
                s = row[j]
                if s > thr:
                    idx = j + offset
                    skip = False
                    for e in range(ne):
                        if exclude[r, e] == idx:
                            skip = True
                            break
                    if skip:
                        continue
                    p = k - 1
                    while p > 0 and ts[p - 1] < s:
                        ts[p] = ts[p - 1]
                        ti[p] = ti[p - 1]
                        p -= 1
                    ts[p] = s
                    ti[p] = idx
                    thr = ts[k - 1]


def topk_reference(
    scores: np.ndarray, k: int, exclude: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Slow reference of the top-k: full sort per query (descending score, then index).

    Returns:
        ``(indices, scores)``, each ``(q, k)``; missing entries are ``-1`` / ``-inf``.
    """
    q, m = scores.shape
    out_i = np.full((q, k), -1, dtype=np.int64)
    out_s = np.full((q, k), -np.inf, dtype=np.float32)
    for r in range(q):
        order = np.lexsort((np.arange(m), -scores[r].astype(np.float64)))
        banned = set(int(x) for x in exclude[r] if x >= 0)
        picked = [int(i) for i in order if int(i) not in banned][:k]
        out_i[r, : len(picked)] = picked
        out_s[r, : len(picked)] = scores[r, picked]
    return out_i, out_s
