"""Sampling tables of the training kernels: the sigmoid tables and Walker alias tables.

``sigmoid_tables`` tabulates the logistic function and its log on [-MAX_EXP, MAX_EXP]
as the C tool does; ``sigmoid_and_loss`` reads them. ``build_alias`` makes the alias
table from which :func:`draw` samples negatives in O(1) per draw.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from wordvec.train.kernels.rng import next_state, split_draw

#: Dot products beyond +-MAX_EXP saturate the sigmoid (as in the C tool).
MAX_EXP = 6.0
#: Entries of the precomputed sigmoid and log-sigmoid tables.
TABLE_SIZE = 1000


def sigmoid_tables() -> tuple[np.ndarray, np.ndarray]:
    """Return the float32 tables of ``sigmoid(x)`` and ``log(sigmoid(x))`` on [-MAX_EXP, MAX_EXP].

    Entry ``i`` holds the value at the centre of bin ``i`` of ``TABLE_SIZE`` equal bins.

    Shape:
        Both tables have shape ``(TABLE_SIZE,)``.

    >>> sig, logsig = sigmoid_tables()
    >>> bool(abs(sig[TABLE_SIZE // 2] - 0.5) < 0.01)
    True
    """
    x = (np.arange(TABLE_SIZE, dtype=np.float64) + 0.5) / TABLE_SIZE * 2.0 * MAX_EXP - MAX_EXP
    sig = 1.0 / (1.0 + np.exp(-x))
    return sig.astype(np.float32), np.log(sig).astype(np.float32)


@njit(cache=True, nogil=True, inline="always")
def sigmoid_and_loss(f: float, label: float, sig: np.ndarray, logsig: np.ndarray) -> tuple:
    """Return ``(sigmoid(f), -log(sigmoid(f if label else -f)))`` via the tables."""
    if f >= MAX_EXP:
        s = np.float32(1.0)
        loss = 0.0 if label > 0.5 else f + math.log1p(math.exp(-f))
    elif f <= -MAX_EXP:
        s = np.float32(0.0)
        loss = -f + math.log1p(math.exp(f)) if label > 0.5 else 0.0
    else:
        scale = TABLE_SIZE / (2.0 * MAX_EXP)
        s = sig[int((f + MAX_EXP) * scale)]
        if label > 0.5:
            loss = -logsig[int((f + MAX_EXP) * scale)]
        else:
            j = int((MAX_EXP - f) * scale)
            if j >= TABLE_SIZE:
                j = TABLE_SIZE - 1
            loss = -logsig[j]
    return s, loss


@njit(cache=True, nogil=True)
def build_alias(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Build a Walker/Vose alias table to draw index ``i`` with probability ``weights[i]/sum``.

    Args:
        weights: Non-negative float64 weights, at least one positive.

    Returns:
        ``(thresholds, alias)``: int64 thresholds scaled to ``2**32`` and int32 alias
        indices. Draw ``i`` uniformly, then keep ``i`` if a uniform 32-bit integer is
        below ``thresholds[i]``, else take ``alias[i]``.

    Shape:
        ``weights``: ``(n,)``; both outputs ``(n,)``.

    >>> thr, alias = build_alias(np.array([1.0, 0.0]))
    >>> int(alias[1]), int(thr[0]) == 2**32
    (0, True)
    """
    n = weights.shape[0]
    total = weights.sum()
    prob = weights * (n / total)
    alias = np.arange(n).astype(np.int32)
    thr = np.empty(n, dtype=np.int64)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    ns = 0
    nl = 0
    for i in range(n):
        if prob[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s = small[ns]
        g = large[nl - 1]
        alias[s] = g
        thr[s] = np.int64(prob[s] * 4294967296.0)
        prob[g] = (prob[g] + prob[s]) - 1.0
        if prob[g] < 1.0:
            nl -= 1
            small[ns] = g
            ns += 1
    for k in range(nl):
        thr[large[k]] = np.int64(4294967296)
    for k in range(ns):
        thr[small[k]] = np.int64(4294967296)
    return thr, alias


@njit(cache=True, nogil=True, inline="always")
def draw(state: np.uint64, alias_thr: np.ndarray, alias_idx: np.ndarray) -> tuple:
    """Draw one index from the alias table; return ``(index, new state)``."""
    state = next_state(state)
    i, u = split_draw(state, alias_thr.shape[0])
    if u < alias_thr[i]:
        return i, state
    return alias_idx[i], state
