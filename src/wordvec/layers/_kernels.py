"""Numba kernels of the embedding layers, each beside its slow, readable NumPy reference.

Kernels know arrays, not objects: they take contiguous arrays and scalars, never
validate (the public functions in :mod:`wordvec.layers.functional` do), and write
into preallocated outputs. Ids are always ``int64`` here so every kernel compiles
once per float dtype.

The backward pass is a scatter-add. Instead of adding rows one by one into the
table (``np.add.at``, serial and slow), the entries are first *grouped* by id with a
counting sort (or a stable argsort when the table is much larger than the batch),
then each group is summed by one thread: no two threads ever write the same row,
so the sum runs in a ``prange`` loop without locks or atomics.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# Mode codes used inside the bag kernels (the public API takes the strings).
MODE_SUM = 0
MODE_MEAN = 1
MODE_MAX = 2
MODE_CODES = {"sum": MODE_SUM, "mean": MODE_MEAN, "max": MODE_MAX}

# Counting sort needs two int64 arrays of ``num_rows`` entries; past this many rows
# per id in the batch, a stable argsort of the ids is cheaper.
_COUNTING_ROWS_PER_ID = 8


# --------------------------------------------------------------------------- grouping


@njit(cache=True, nogil=True)
def _group_counting(ids: np.ndarray, num_rows: int):  # pragma: no cover
    """Counting sort of ``ids`` (values in ``[0, num_rows)``).

    Returns ``(unique, starts, order)``: ``unique`` the sorted distinct ids,
    ``order[starts[k]:starts[k + 1]]`` the positions in ``ids`` holding ``unique[k]``
    (in increasing position order).
    """
    n = ids.shape[0]
    counts = np.zeros(num_rows, dtype=np.int64)
    for i in range(n):
        counts[ids[i]] += 1
    n_unique = 0
    for r in range(num_rows):
        if counts[r] > 0:
            n_unique += 1
    unique = np.empty(n_unique, dtype=np.int64)
    starts = np.empty(n_unique + 1, dtype=np.int64)
    # ``counts`` is reused as the next free position of each row's group.
    k = 0
    pos = 0
    for r in range(num_rows):
        c = counts[r]
        if c > 0:
            unique[k] = r
            starts[k] = pos
            counts[r] = pos
            pos += c
            k += 1
    starts[n_unique] = pos
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        r = ids[i]
        order[counts[r]] = i
        counts[r] += 1
    return unique, starts, order


def _group_sorting(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Same contract as :func:`_group_counting`, by a stable argsort (any ``num_rows``)."""
    order = np.argsort(ids, kind="stable").astype(np.int64, copy=False)
    sorted_ids = ids[order]
    if sorted_ids.size == 0:
        return sorted_ids, np.zeros(1, dtype=np.int64), order
    boundaries = np.flatnonzero(sorted_ids[1:] != sorted_ids[:-1]) + 1
    starts = np.concatenate(([0], boundaries, [sorted_ids.size])).astype(np.int64)
    return sorted_ids[starts[:-1]], starts, order


def group_ids(ids: np.ndarray, num_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group the positions of flat int64 ``ids`` by id.

    Returns ``(unique, starts, order)`` with ``unique`` sorted ascending and
    ``order[starts[k]:starts[k + 1]]`` the positions of ``unique[k]`` in ``ids``.
    Uses a counting sort when the table is not much larger than the batch,
    else a stable argsort.
    """
    if num_rows <= _COUNTING_ROWS_PER_ID * ids.shape[0] + 1024:
        return _group_counting(ids, num_rows)
    return _group_sorting(ids)


def group_ids_reference(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference of :func:`group_ids` built from ``np.unique``."""
    unique, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)))
    return unique.astype(np.int64), starts.astype(np.int64), order.astype(np.int64)


# --------------------------------------------------------------------------- scatter-add


@njit(cache=True, nogil=True, parallel=True)
def segment_sum(
    src: np.ndarray,
    rows: np.ndarray,
    scale: np.ndarray,
    starts: np.ndarray,
    dest: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover
    """Sum the groups of rows of ``src`` into rows of ``out``.

    ``out[dest[k]] = sum(scale[j] * src[rows[j]] for j in range(starts[k], starts[k + 1]))``
    for every non-empty group ``k``. A ``dest`` of length 0 means ``dest[k] = k``
    (compact sparse output); a ``scale`` of length 0 means every scale is 1. Each
    group is owned by one ``prange`` iteration, so with distinct ``dest`` no two
    threads write the same row. The first row of a group is assigned, not added, so
    ``out`` need not be zeroed at the rows written.
    """
    n_groups = starts.shape[0] - 1
    dim = src.shape[1]
    scaled = scale.shape[0] > 0
    compact = dest.shape[0] == 0
    for k in prange(n_groups):
        acc = out[k] if compact else out[dest[k]]
        j0 = starts[k]
        first = src[rows[j0]]
        if scaled:
            s0 = scale[j0]
            for d in range(dim):
                acc[d] = s0 * first[d]
            for j in range(j0 + 1, starts[k + 1]):
                row = src[rows[j]]
                s = scale[j]
                for d in range(dim):
                    acc[d] += s * row[d]
        else:
            for d in range(dim):
                acc[d] = first[d]
            for j in range(j0 + 1, starts[k + 1]):
                row = src[rows[j]]
                for d in range(dim):
                    acc[d] += row[d]


def scatter_add_reference(ids: np.ndarray, grad: np.ndarray, num_rows: int) -> np.ndarray:
    """Reference of the embedding backward: dense ``np.add.at`` into a zero table.

    Shape:
        ids ``(n,)``, grad ``(n, dim)`` -> ``(num_rows, dim)``.
    """
    out = np.zeros((num_rows, grad.shape[1]), dtype=grad.dtype)
    np.add.at(out, ids, grad)
    return out


@njit(cache=True, nogil=True, parallel=True)
def scatter_rows(
    values: np.ndarray, indices: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover
    """``out[indices[k]] = values[k]`` for distinct ``indices`` (sparse to dense)."""
    for k in prange(indices.shape[0]):
        out[indices[k], :] = values[k, :]


@njit(cache=True, nogil=True, parallel=True)
def sgd_rows(
    weight: np.ndarray, indices: np.ndarray, values: np.ndarray, lr: float, dense: bool
) -> None:  # pragma: no cover
    """``weight[indices[k]] -= lr * values[k]`` for distinct ``indices``; with ``dense``,
    ``values`` is a full gradient table and row ``indices[k]`` of it is used."""
    dim = weight.shape[1]
    for k in prange(indices.shape[0]):
        i = indices[k]
        row = weight[i]
        val = values[i] if dense else values[k]
        for d in range(dim):
            row[d] -= lr * val[d]


def sgd_rows_reference(
    weight: np.ndarray, indices: np.ndarray, values: np.ndarray, lr: float, dense: bool
) -> None:
    """Reference of :func:`sgd_rows`: NumPy fancy-index update."""
    rows = values[indices] if dense else values
    weight[indices] -= (lr * rows).astype(weight.dtype)


# --------------------------------------------------------------------------- max_norm


@njit(cache=True, nogil=True, parallel=True)
def renorm_rows(
    weight: np.ndarray, unique: np.ndarray, max_norm: float, norm_type: float
) -> None:  # pragma: no cover
    """Scale each row ``weight[unique[k]]`` whose p-norm exceeds ``max_norm`` to
    ``max_norm / (norm + 1e-7)`` times itself, like ``torch.embedding_renorm_``.
    ``unique`` must hold distinct ids."""
    dim = weight.shape[1]
    for k in prange(unique.shape[0]):
        row = weight[unique[k]]
        total = 0.0
        if norm_type == 2.0:
            for d in range(dim):
                total += float(row[d]) * float(row[d])
            norm = np.sqrt(total)
        elif norm_type == 1.0:
            for d in range(dim):
                total += abs(float(row[d]))
            norm = total
        else:
            for d in range(dim):
                total += abs(float(row[d])) ** norm_type
            norm = total ** (1.0 / norm_type)
        if norm > max_norm:
            factor = max_norm / (norm + 1e-7)
            for d in range(dim):
                row[d] = row[d] * factor


def renorm_rows_reference(
    weight: np.ndarray, ids: np.ndarray, max_norm: float, norm_type: float
) -> None:
    """Reference of :func:`renorm_rows` (accepts repeated ids)."""
    unique = np.unique(ids)
    rows = weight[unique].astype(np.float64)
    norms = np.sum(np.abs(rows) ** norm_type, axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    factors = max_norm / (norms[big] + 1e-7)
    weight[unique[big]] = (rows[big] * factors[:, None]).astype(weight.dtype)


# --------------------------------------------------------------------------- bags


@njit(cache=True, nogil=True, parallel=True)
def bag_forward(
    weight: np.ndarray,
    ids: np.ndarray,
    starts: np.ndarray,
    padding_idx: int,
    mode: int,
    per_sample_weights: np.ndarray,
    out: np.ndarray,
    counts: np.ndarray,
    max_indices: np.ndarray,
) -> None:  # pragma: no cover
    """Reduce the bags ``ids[starts[b]:starts[b + 1]]`` of rows of ``weight`` into ``out[b]``.

    Entries equal to ``padding_idx`` (``-1`` for none) are skipped; ``counts[b]`` gets
    the number of entries kept. ``mode`` is 0 (sum), 1 (mean) or 2 (max); for max,
    ``max_indices[b, d]`` gets the row id holding the maximum (first one on ties),
    ``-1`` for an empty bag. Empty bags give zeros. ``per_sample_weights`` (same dtype
    as ``weight``) scales row ``j`` by ``per_sample_weights[j]`` before it is added
    (sum/mean only); length 0 means unweighted, which keeps the plain-add inner loop.
    """
    n_bags = starts.shape[0] - 1
    dim = weight.shape[1]
    weighted = per_sample_weights.shape[0] > 0
    for b in prange(n_bags):
        acc = out[b]
        acc[:] = 0
        c = 0
        for j in range(starts[b], starts[b + 1]):
            r = ids[j]
            if r == padding_idx:
                continue
            row = weight[r]
            if mode == 2:
                if c == 0:
                    for d in range(dim):
                        acc[d] = row[d]
                        max_indices[b, d] = r
                else:
                    for d in range(dim):
                        if row[d] > acc[d]:
                            acc[d] = row[d]
                            max_indices[b, d] = r
            elif weighted:
                s = per_sample_weights[j]
                for d in range(dim):
                    acc[d] += s * row[d]
            else:
                for d in range(dim):
                    acc[d] += row[d]
            c += 1
        counts[b] = c
        if mode == 2 and c == 0:
            for d in range(dim):
                max_indices[b, d] = -1
        if mode == 1 and c > 0:
            for d in range(dim):
                acc[d] = acc[d] / c


def bag_forward_reference(
    weight: np.ndarray,
    ids: np.ndarray,
    starts: np.ndarray,
    padding_idx: int,
    mode: int,
    per_sample_weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Reference of :func:`bag_forward`, one bag at a time; returns ``(out, max_indices)``.

    ``per_sample_weights`` None (or length 0) means unweighted.
    """
    n_bags = starts.shape[0] - 1
    weighted = per_sample_weights is not None and per_sample_weights.size > 0
    out = np.zeros((n_bags, weight.shape[1]), dtype=weight.dtype)
    max_indices = np.full((n_bags, weight.shape[1]), -1, dtype=np.int64)
    for b in range(n_bags):
        bag = ids[starts[b] : starts[b + 1]]
        keep = bag != padding_idx
        bag = bag[keep]
        if bag.size == 0:
            continue
        rows = weight[bag]
        if weighted and mode != MODE_MAX:
            scale = per_sample_weights[starts[b] : starts[b + 1]][keep]
            rows = rows * scale[:, None].astype(weight.dtype)
        if mode == MODE_SUM:
            out[b] = rows.sum(axis=0)
        elif mode == MODE_MEAN:
            out[b] = rows.mean(axis=0)
        else:
            arg = rows.argmax(axis=0)
            out[b] = rows[arg, np.arange(rows.shape[1])]
            max_indices[b] = bag[arg]
    return out, max_indices


@njit(cache=True, nogil=True, parallel=True)
def bag_weights_grad(
    weight: np.ndarray,
    ids: np.ndarray,
    starts: np.ndarray,
    padding_idx: int,
    grad_out: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover
    """Gradient of a weighted ``"sum"`` bag with respect to its per-sample weights.

    ``out[j] = dot(weight[ids[j]], grad_out[b])`` for every entry ``j`` of bag ``b``
    (``ids[starts[b]:starts[b + 1]]``), ``0`` for entries equal to ``padding_idx``.
    """
    n_bags = starts.shape[0] - 1
    dim = weight.shape[1]
    for b in prange(n_bags):
        g = grad_out[b]
        for j in range(starts[b], starts[b + 1]):
            r = ids[j]
            total = 0.0
            if r != padding_idx:
                row = weight[r]
                for d in range(dim):
                    total += row[d] * g[d]
            out[j] = total


def bag_weights_grad_reference(
    weight: np.ndarray,
    ids: np.ndarray,
    starts: np.ndarray,
    padding_idx: int,
    grad_out: np.ndarray,
) -> np.ndarray:
    """Reference of :func:`bag_weights_grad`: a row-wise dot product of gathered rows."""
    entry_bag = np.repeat(np.arange(starts.shape[0] - 1), np.diff(starts))
    out = np.einsum("ij,ij->i", weight[ids], grad_out[entry_bag])
    out[ids == padding_idx] = 0
    return out


@njit(cache=True, nogil=True, parallel=True)
def max_scatter(
    grad_out: np.ndarray, slots: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover
    """``out[slots[b, d], d] += grad_out[b, d]`` where ``slots[b, d] >= 0``.

    Parallel over the columns ``d``, so no two threads write the same cell.
    """
    n_bags, dim = grad_out.shape
    for d in prange(dim):
        for b in range(n_bags):
            s = slots[b, d]
            if s >= 0:
                out[s, d] += grad_out[b, d]


def bag_backward_reference(
    ids: np.ndarray,
    starts: np.ndarray,
    grad_out: np.ndarray,
    num_rows: int,
    padding_idx: int,
    mode: int,
    max_indices: np.ndarray | None,
    per_sample_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Reference of the bag backward: dense ``(num_rows, dim)`` gradient, bag by bag.

    With ``per_sample_weights`` (``"sum"`` only) entry ``j`` of bag ``b`` gets
    ``per_sample_weights[j] * grad_out[b]``.
    """
    out = np.zeros((num_rows, grad_out.shape[1]), dtype=grad_out.dtype)
    for b in range(starts.shape[0] - 1):
        if mode == MODE_MAX:
            for d in range(grad_out.shape[1]):
                r = max_indices[b, d]
                if r >= 0:
                    out[r, d] += grad_out[b, d]
            continue
        bag = ids[starts[b] : starts[b + 1]]
        keep = bag != padding_idx
        bag = bag[keep]
        if bag.size == 0:
            continue
        g = grad_out[b] / bag.size if mode == MODE_MEAN else grad_out[b]
        rows = np.broadcast_to(g, (bag.size, grad_out.shape[1]))
        if per_sample_weights is not None:
            scale = per_sample_weights[starts[b] : starts[b + 1]][keep]
            rows = rows * scale[:, None].astype(grad_out.dtype)
        np.add.at(out, bag, rows)
    return out
