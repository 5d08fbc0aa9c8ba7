"""Numba kernels of the rows sync: gather a rank's updates of some rows, apply the
combined ones; each one pass over those rows (NumPy's fancy indexing takes three).

The slow, readable references are the ``*_reference`` functions; the tests compare them.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def gather_updates(table: np.ndarray, base: np.ndarray, rows: np.ndarray, buf: np.ndarray) -> None:
    """``buf[k] = table[rows[k]] - base[rows[k]]``: this rank's updates of those rows.

    Shape:
        ``table``, ``base``: ``(n, dim)``; ``rows``: ``(r,)``; ``buf``: ``(r, dim)``
    """
    for k in range(rows.shape[0]):
        r = rows[k]
        for j in range(table.shape[1]):
            buf[k, j] = table[r, j] - base[r, j]


@njit(cache=True, nogil=True)
def apply_updates(table: np.ndarray, base: np.ndarray, rows: np.ndarray, buf: np.ndarray) -> None:
    """Rows ``rows`` of ``table`` and ``base`` become ``base[rows[k]] + buf[k]`` (the
    combined updates of all ranks on the common state).

    Shape:
        ``table``, ``base``: ``(n, dim)``; ``rows``: ``(r,)``; ``buf``: ``(r, dim)``
    """
    for k in range(rows.shape[0]):
        r = rows[k]
        for j in range(table.shape[1]):
            v = base[r, j] + buf[k, j]
            table[r, j] = v
            base[r, j] = v


def gather_updates_reference(table: np.ndarray, base: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Slow, readable :func:`gather_updates`."""
    return table[rows] - base[rows]


def apply_updates_reference(
    table: np.ndarray, base: np.ndarray, rows: np.ndarray, buf: np.ndarray
) -> None:
    """Slow, readable :func:`apply_updates`."""
    new = base[rows] + buf
    table[rows] = new
    base[rows] = new
