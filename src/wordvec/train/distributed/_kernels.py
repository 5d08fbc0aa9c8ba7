"""Numba kernels of the rows sync: find the changed rows, take a rank's updates of
them, quantize them to int8, apply the combined ones; each one pass over those rows
(NumPy's fancy indexing takes three).

The slow, readable references are the ``*_reference`` functions; the tests compare them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from wordvec.train.kernels.prefetch import prefetch_row
from wordvec.train.kernels.rng import hashed_uniform, stream_key

#: Columns :func:`changed_mask` compares: a trained row changes in every column (its
#: update is a dense vector), so its first few tell; a row missed waits for a full sync.
MASK_COLUMNS = 4

#: Rows ahead whose loads the row passes start (the changed rows are scattered over
#: tables larger than the cache).
AHEAD = 2


@njit(cache=True, nogil=True)
def changed_mask(table: np.ndarray, base: np.ndarray, rows: np.ndarray, out: np.ndarray) -> None:
    """``out[k] = 1`` if row ``rows[k]`` of ``table`` differs from ``base`` in one of its
    first :data:`MASK_COLUMNS` columns, else 0.

    Shape:
        ``table``, ``base``: ``(n, dim)``; ``rows``, ``out``: ``(r,)``, ``out`` uint8
    """
    cols = min(MASK_COLUMNS, table.shape[1])
    for k in range(rows.shape[0]):
        r = rows[k]
        changed = 0
        for j in range(cols):
            if table[r, j] != base[r, j]:
                changed = 1
        out[k] = changed


@njit(cache=True, nogil=True, inline="always")
def update(table: np.ndarray, base: np.ndarray | None, r: int, j: int) -> float:
    """This rank's update ``table[r, j] - base[r, j]``; with ``base`` None, ``table``
    holds the updates themselves (taken by :func:`take_updates`: an overlapped sync,
    whose tables train on while it reduces). numba compiles each case apart."""
    return table[r, j] if base is None else table[r, j] - base[r, j]


@njit(cache=True, nogil=True, fastmath={"reassoc", "nsz"})
def row_maxabs(
    table: np.ndarray, base: np.ndarray | None, rows: np.ndarray, pos: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """``out[pos[k]]`` = the largest ``|table[r, j] - base[r, j]|`` of row ``r = rows[k]``
    (:func:`update`; ``base`` None: of ``table[r, j]``): this rank's largest update of
    it (the other entries of ``out`` are left as they are). An update that is not
    finite gives ``inf``, which a max all-reduce carries to every rank (where NaN's
    place in the order is undefined). The maximum is exact in any order, so the loop
    may be vectorized (``reassoc``; NaN and inf keep their meaning).

    Shape:
        ``table``, ``base``: ``(n, dim)``; ``rows``, ``pos``: ``(r,)``; ``out``: ``(u,)``
    """
    for k in range(rows.shape[0]):
        r = rows[k]
        if k + AHEAD < rows.shape[0]:
            prefetch_row(table, rows[k + AHEAD])
            if base is not None:
                prefetch_row(base, rows[k + AHEAD])
        m = np.float32(0.0)
        total = np.float32(0.0)  # NaN or inf if an update is not finite
        for j in range(table.shape[1]):
            a = abs(update(table, base, r, j))
            m = max(m, a)
            total += a
        out[pos[k]] = m if total < np.inf else np.float32(np.inf)


@njit(cache=True, nogil=True)
def quantize_rows(
    table: np.ndarray, base: np.ndarray | None, rows: np.ndarray, pos: np.ndarray,
    step: np.ndarray, levels: int, key: int, q: np.ndarray,
) -> None:  # fmt: skip
    """Round this rank's update of row ``r = rows[k]`` over its step,
    ``(table[r, j] - base[r, j]) * (1 / step[pos[k]])`` in float32 (:func:`update`;
    ``base`` None: ``table[r, j]`` is the update), stochastically to an integer in
    ``[-levels, levels]`` into ``q[pos[k], j]``: ``floor(x + u)``, ``u`` uniform, rounds
    down or up with the probabilities that make the rounding unbiased. The draws are
    :func:`~wordvec.train.kernels.rng.hashed_uniforms` of the stream ``(key, pos[k])``,
    counter-based, so a row's loop runs 8 values at a time. A zero step gives zeros,
    and so does an infinite one (some rank's update was not finite:
    :func:`apply_quantized` then makes the row NaN). The next rows are prefetched
    (random rows of tables larger than the cache).

    Shape:
        ``table``, ``base``: ``(n, dim)``; ``rows``, ``pos``: ``(r,)``; ``step``: ``(u,)``;
        ``q``: ``(u, dim)`` int8
    """
    top = np.float32(levels)
    for k in range(rows.shape[0]):
        r, p = rows[k], pos[k]
        if k + AHEAD < rows.shape[0]:
            prefetch_row(table, rows[k + AHEAD])
            if base is not None:
                prefetch_row(base, rows[k + AHEAD])
        s = step[p]
        if not (s > 0 and s < np.inf):
            q[p, :] = 0
            continue
        inv = np.float32(1.0) / s
        stream = stream_key(key, p)
        for j in range(table.shape[1]):
            x = np.floor(update(table, base, r, j) * inv + hashed_uniform(stream, j))
            q[p, j] = np.int8(min(max(x, -top), top))  # float rounding at the maximum


@njit(cache=True, nogil=True)
def apply_quantized(
    table: np.ndarray, base: np.ndarray, union: np.ndarray, q: np.ndarray, step: np.ndarray,
    rows: np.ndarray, snap: np.ndarray,
) -> None:  # fmt: skip
    """:func:`apply_combined` with the combined updates ``sums[k] = step[k] * q[k]``
    (summed int8 updates and their row's step), never made as a float array. ``snap``
    without rows: this rank's rows did not change since they were quantized (they
    become the new common state). An infinite step (a rank's update was not finite)
    makes the row NaN on every rank (``inf * 0``), as the float32 sum would: the fit
    then ends with the error of a diverged run instead of finite garbage.

    Shape:
        ``table``, ``base``: ``(n, dim)``; ``union``: ``(u,)`` sorted; ``q``: ``(u, dim)``;
        ``step``: ``(u,)``; ``rows``: ``(r,)`` sorted, a subset of ``union``; ``snap``:
        ``(r, dim)`` or ``(0, dim)``
    """
    kept = snap.shape[0] > 0
    p = 0
    for k in range(union.shape[0]):
        r = union[k]
        if k + AHEAD < union.shape[0]:
            prefetch_row(table, union[k + AHEAD])
            prefetch_row(base, union[k + AHEAD])
        mine = p < rows.shape[0] and rows[p] == r
        s = step[k]
        for j in range(table.shape[1]):
            b = base[r, j] + s * np.float32(q[k, j])
            if not mine:
                local = table[r, j] - base[r, j]
            elif kept:
                local = table[r, j] - snap[p, j]
            else:
                local = np.float32(0.0)
            base[r, j] = b
            table[r, j] = b + local
        if mine:
            p += 1


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


def changed_mask_reference(table: np.ndarray, base: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Slow, readable :func:`changed_mask`: returns the mask."""
    cols = slice(0, MASK_COLUMNS)
    return (table[rows, cols] != base[rows, cols]).any(axis=1).astype(np.uint8)


def quantize_rows_reference(
    table: np.ndarray, base: np.ndarray, rows: np.ndarray, step: np.ndarray, levels: int,
    draws: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Slow, readable :func:`quantize_rows` for ``pos = arange(r)``, given the uniform
    ``draws`` (shape ``(r, dim)``, float32): returns ``q``."""
    step = step.astype(np.float32)[:, None]
    finite = (step > 0) & np.isfinite(step)
    with np.errstate(divide="ignore", invalid="ignore"):  # zero or infinite steps give 0
        x = np.floor((table[rows] - base[rows]) * (np.float32(1) / step) + draws)
        x = np.where(finite, x, np.float32(0))
    return np.clip(x, -levels, levels).astype(np.int8)
