"""Seeded uniform initialization of weight matrices, filled by threads in numba.

fastText's input matrix has ``vocab + bucket`` rows (2M+ x dim): NumPy's generator fills
it in one thread, then two more passes scale and shift it, seconds of a fit. Here rows go
in fixed blocks, each drawn from its own xorshift64* stream ``(seed, block)`` of
:mod:`~wordvec.train.kernels.rng` and scaled in the same pass, so the matrix depends on
the seed alone, never on the number of threads.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from wordvec.train.kernels.rng import high32, next_state, seed_state

#: Rows per block: one stream each.
BLOCK_ROWS = 8192


@njit(cache=True, nogil=True)
def fill_uniform(
    out: np.ndarray, start: int, stop: int, low: float, high: float, seed: int
) -> None:
    """Fill rows ``start:stop`` of ``out`` (whole blocks, or up to the end) with uniform
    floats in ``[low, high)``, block ``b`` from stream ``(seed, b)``.

    Each value is ``low + (high - low) * u`` with ``u`` the top 24 bits of a scrambled
    xorshift64* output times ``2**-24``, row-major within the block.

    Shape:
        ``out``: ``(rows, dim)`` float32, C-contiguous.
    """
    dim = out.shape[1]
    span = np.float32(high - low)
    lo = np.float32(low)
    scale = np.float32(1.0 / 16777216.0)
    for b0 in range(start, stop, BLOCK_ROWS):
        state = seed_state(seed, b0 // BLOCK_ROWS)
        for r in range(b0, min(b0 + BLOCK_ROWS, stop)):
            for d in range(dim):
                state = next_state(state)
                u = np.float32(high32(state) >> 8) * scale  # its top 24 bits
                out[r, d] = lo + span * u


def uniform_matrix(
    rows: int, dim: int, low: float, high: float, seed: int, workers: int = 1
) -> np.ndarray:
    """A float32 ``(rows, dim)`` matrix uniform in ``[low, high)``, seeded.

    Blocks of :data:`BLOCK_ROWS` rows are split among ``workers`` threads; the values
    depend on ``seed`` only.

    Args:
        rows, dim (int): The shape.
        low, high (float): The interval.
        seed (int): The seed (non-negative).
        workers (int, default 1): Threads that fill it.

    Returns:
        The matrix.

    Shape:
        ``(rows, dim)`` float32.

    >>> a = uniform_matrix(3, 4, -0.5, 0.5, seed=1)
    >>> a.shape, bool((a >= -0.5).all() and (a < 0.5).all())
    ((3, 4), True)
    >>> bool((uniform_matrix(3, 4, -0.5, 0.5, seed=1, workers=2) == a).all())
    True
    """
    out = np.empty((rows, dim), dtype=np.float32)
    blocks = -(-rows // BLOCK_ROWS)
    parts = max(1, min(workers, blocks))
    if parts == 1 or rows == 0:
        fill_uniform(out, 0, rows, low, high, seed)
        return out
    cuts = [min(rows, (blocks * k // parts) * BLOCK_ROWS) for k in range(parts + 1)]
    with ThreadPoolExecutor(max_workers=parts) as pool:
        list(pool.map(lambda k: fill_uniform(out, cuts[k], cuts[k + 1], low, high, seed),
                      range(parts)))  # fmt: skip
    return out


__all__ = ["BLOCK_ROWS", "fill_uniform", "uniform_matrix"]
