"""Numba kernels of GloVe training: AdaGrad on the weighted least squares, lock-free.

Several Python threads run :func:`train_blocks` at once on the same weights
("Hogwild", as the C tool), each over its own blocks of non-zero entries. An entry
``(i, j, x)`` of a symmetric matrix stands for both ``X[i, j]`` and ``X[j, i]``: it
makes two updates (one when ``i == j``). The slow, readable version of one update is
:func:`wordvec.train.reference_glove.glove_update`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from wordvec.train.kernels.prefetch import prefetch_row
from wordvec.train.kernels.rng import below, next_state, seed_state

_HALF = np.float32(-0.5)


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _update(
    w: np.ndarray,
    c: np.ndarray,
    bw: np.ndarray,
    bc: np.ndarray,
    gw: np.ndarray,
    gc: np.ndarray,
    gbw: np.ndarray,
    gbc: np.ndarray,
    i: int,
    j: int,
    log_x: float,
    weight: float,
    learning_rate: float,
    clip: float,
    old: np.ndarray,
) -> float:
    """One AdaGrad step on word ``i`` and context ``j``; return the entry's cost.

    ``old`` (scratch, ``(dim,)``) keeps the word row from before the step: two loops of
    three rows each vectorize where one loop over all four rows does not.
    """
    dim = w.shape[1]
    dot = np.float32(0.0)
    for k in range(dim):
        dot += w[i, k] * c[j, k]
    diff = dot + bw[i] + bc[j] - log_x
    fdiff = np.float32(weight * diff)
    lr = np.float32(learning_rate)
    lim = np.float32(clip)
    wi, cj, gwi, gcj = w[i], c[j], gw[i], gc[j]
    for k in range(dim):  # the word row first, keeping its old values for the context
        old[k] = wi[k]
        sw = min(max(fdiff * cj[k], -lim), lim) * lr
        wi[k] -= sw * gwi[k] ** _HALF  # x ** -0.5 vectorizes, 1 / sqrt(x) does not
        gwi[k] += sw * sw
    for k in range(dim):
        sc = min(max(fdiff * old[k], -lim), lim) * lr
        cj[k] -= sc * gcj[k] ** _HALF
        gcj[k] += sc * sc
    bw[i] -= fdiff * gbw[i] ** _HALF
    bc[j] -= fdiff * gbc[j] ** _HALF
    gbw[i] += fdiff * fdiff
    gbc[j] += fdiff * fdiff
    return 0.5 * float(fdiff) * float(diff)


@njit(cache=True, nogil=True, fastmath=True)
def train_blocks(
    rows: np.ndarray,
    cols: np.ndarray,
    xs: np.ndarray,
    order: np.ndarray,
    first: int,
    last: int,
    block: int,
    both: bool,
    w: np.ndarray,
    c: np.ndarray,
    bw: np.ndarray,
    bc: np.ndarray,
    gw: np.ndarray,
    gc: np.ndarray,
    gbw: np.ndarray,
    gbc: np.ndarray,
    x_max: float,
    alpha: float,
    learning_rate: float,
    clip: float,
) -> tuple:
    """Train on the entries of blocks ``order[first:last]`` (block ``b`` is entries
    ``b * block`` to ``(b + 1) * block``); return (cost sum, updates made).

    Each entry's weight ``f(x) = min(1, (x / x_max) ** alpha)`` and ``log x`` are
    computed once for its one or two updates (``both``: the entry also stands for
    ``X[j, i]``, trained with ``j`` as the word and ``i`` as the context).

    Shape:
        ``rows``, ``cols``: ``(m,)`` int32; ``xs``: ``(m,)`` float32; ``order``:
        ``(blocks,)`` int64; ``w``, ``c``, ``gw``, ``gc``: ``(vocab, dim)`` float32;
        ``bw``, ``bc``, ``gbw``, ``gbc``: ``(vocab,)`` float32.
    """
    m = rows.shape[0]
    cost = 0.0
    updates = 0
    old = np.empty(w.shape[1], np.float32)
    for ob in range(first, last):
        start = order[ob] * block
        end = min(start + block, m)
        for e in range(start, end):
            if e + 1 < end:  # start loading the next entry's rows
                prefetch_row(w, rows[e + 1])
                prefetch_row(c, cols[e + 1])
                prefetch_row(gw, rows[e + 1])
                prefetch_row(gc, cols[e + 1])
                if both:
                    prefetch_row(w, cols[e + 1])
                    prefetch_row(c, rows[e + 1])
                    prefetch_row(gw, cols[e + 1])
                    prefetch_row(gc, rows[e + 1])
            i, j, x = rows[e], cols[e], xs[e]
            weight = 1.0 if x >= x_max else (x / x_max) ** alpha
            log_x = math.log(x)
            cost += _update(w, c, bw, bc, gw, gc, gbw, gbc, i, j, log_x, weight,
                            learning_rate, clip, old)  # fmt: skip
            updates += 1
            if both and i != j:
                cost += _update(w, c, bw, bc, gw, gc, gbw, gbc, j, i, log_x, weight,
                                learning_rate, clip, old)  # fmt: skip
                updates += 1
    return cost, updates


@njit(cache=True, nogil=True)
def shuffle_entries(rows: np.ndarray, cols: np.ndarray, xs: np.ndarray, seed: int) -> None:
    """Shuffle the aligned entry arrays in place (Fisher-Yates, seeded xorshift64*).

    Shape:
        ``rows``, ``cols``, ``xs``: ``(m,)`` with ``m < 2**32``.
    """
    state = seed_state(seed, 0x61C8)
    for k in range(rows.shape[0] - 1, 0, -1):
        state = next_state(state)
        r = below(state, k + 1)
        rows[k], rows[r] = rows[r], rows[k]
        cols[k], cols[r] = cols[r], cols[k]
        xs[k], xs[r] = xs[r], xs[k]
