"""Numba kernels of the rows sync: take a rank's updates of some rows, apply the
combined ones; each one pass over those rows (NumPy's fancy indexing takes three).

The slow, readable references are the ``*_reference`` functions; the tests compare them.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def take_updates(
    table: np.ndarray, base: np.ndarray, rows: np.ndarray, snap: np.ndarray, delta: np.ndarray
) -> None:
    """``snap[k] = table[rows[k]]`` and ``delta[k] = snap[k] - base[rows[k]]``: the rows
    as they are now and this rank's updates of them since the common state.

    Shape:
        ``table``, ``base``: ``(n, dim)``; ``rows``: ``(r,)``; ``snap``, ``delta``: ``(r, dim)``
    """
    for k in range(rows.shape[0]):
        r = rows[k]
        for j in range(table.shape[1]):
            v = table[r, j]
            snap[k, j] = v
            delta[k, j] = v - base[r, j]


@njit(cache=True, nogil=True)
def apply_combined(
    table: np.ndarray, base: np.ndarray, union: np.ndarray, sums: np.ndarray,
    rows: np.ndarray, snap: np.ndarray,
) -> None:  # fmt: skip
    """Add the combined updates ``sums`` of rows ``union`` to the common state ``base``
    and rebuild ``table`` on it, keeping what this rank changed since it took its own
    updates: ``table[r] = base[r] + (table[r] - ref)``, ``ref`` the snapshot of ``r`` if
    ``r`` is one of this rank's ``rows``, else its old base. A row left alone since
    equals its new base bit for bit.

    Shape:
        ``table``, ``base``: ``(n, dim)``; ``union``: ``(u,)`` sorted; ``sums``: ``(u, dim)``;
        ``rows``: ``(r,)`` sorted, a subset of ``union``; ``snap``: ``(r, dim)``
    """
    p = 0
    for k in range(union.shape[0]):
        r = union[k]
        mine = p < rows.shape[0] and rows[p] == r
        for j in range(table.shape[1]):
            ref = snap[p, j] if mine else base[r, j]
            local = table[r, j] - ref
            b = base[r, j] + sums[k, j]
            base[r, j] = b
            table[r, j] = b + local
        if mine:
            p += 1


def take_updates_reference(
    table: np.ndarray, base: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Slow, readable :func:`take_updates`: returns ``(snap, delta)``."""
    snap = table[rows].copy()
    return snap, snap - base[rows]


def apply_combined_reference(
    table: np.ndarray, base: np.ndarray, union: np.ndarray, sums: np.ndarray,
    rows: np.ndarray, snap: np.ndarray,
) -> None:  # fmt: skip
    """Slow, readable :func:`apply_combined`."""
    ref = base[union].copy()
    ref[np.searchsorted(union, rows)] = snap
    local = table[union] - ref
    base[union] += sums
    table[union] = base[union] + local
