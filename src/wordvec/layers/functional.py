"""Pure forward and backward math of the embedding layers (NumPy in, NumPy out).

The functions here hold no state: the table is an argument, the gradient a return
value. :class:`~wordvec.layers.Embedding` and :class:`~wordvec.layers.EmbeddingBag`
are thin classes around them. The semantics follow ``torch.nn.functional``:

* :func:`embedding` gathers rows; ``max_norm`` renormalizes the looked-up rows of
  the table **in place** first, like ``torch.embedding_renorm_``.
* :func:`embedding_backward` is the scatter-add of the output gradient into the
  rows, returned sparse as :class:`SparseGrad` (distinct sorted row ids and their
  summed gradients); rows of ``padding_idx`` are dropped.
* :func:`embedding_bag` / :func:`embedding_bag_backward` reduce bags of rows by
  ``"sum"``, ``"mean"`` or ``"max"``, bags given as 1-D ids + offsets or as a 2-D
  padded batch.

The hot loops are numba kernels in :mod:`wordvec.layers._kernels`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from wordvec._validation import check_bool, check_choice, check_float, check_ids, check_int
from wordvec.layers import _kernels as K

__all__ = [
    "BAG_MODES",
    "SparseGrad",
    "embedding",
    "embedding_backward",
    "embedding_bag",
    "embedding_bag_backward",
    "embedding_bag_per_sample_weights_backward",
]

BAG_MODES = ("sum", "mean", "max")


class SparseGrad(NamedTuple):
    """A row-sparse gradient of a ``(num_rows, dim)`` table.

    Attributes:
        indices: ``(k,)`` int64, distinct row ids in increasing order.
        values: ``(k, dim)`` float, the gradient of each of those rows.

    >>> g = SparseGrad(np.array([1]), np.array([[2.0, 3.0]]))
    >>> g.to_dense(3)
    array([[0., 0.],
           [2., 3.],
           [0., 0.]])
    """

    indices: np.ndarray
    values: np.ndarray

    def to_dense(self, num_rows: int) -> np.ndarray:
        """Return the dense ``(num_rows, dim)`` gradient (zeros outside ``indices``).

        Args:
            num_rows (int): Rows of the table; must exceed every index.

        Shape:
            ``(num_rows, dim)``.

        Raises:
            ValueError: If an index does not fit in ``num_rows`` rows.
        """
        num_rows = check_int(num_rows, "num_rows", minimum=0)
        if self.indices.size and int(self.indices[-1]) >= num_rows:
            raise ValueError(
                f"num_rows must exceed the largest gradient row {int(self.indices[-1])}, "
                f"got {num_rows}; pass the table's input_dim."
            )
        out = np.zeros((num_rows, self.values.shape[1]), dtype=self.values.dtype)
        if self.indices.size:
            K.scatter_rows(self.values, self.indices, out)
        return out


# --------------------------------------------------------------------------- validation


def _check_weight(weight: Any, *, writable: bool = False, name: str = "weight") -> np.ndarray:
    """Return ``weight`` if it is a 2-D float32/float64 ndarray, else raise."""
    if not isinstance(weight, np.ndarray):
        raise TypeError(
            f"{name} must be a 2-D numpy array of floats, got {type(weight).__name__}; "
            f"convert with np.asarray({name}, dtype=np.float32)."
        )
    if weight.ndim != 2:
        raise ValueError(f"{name} must be 2-D (input_dim, output_dim), got shape {weight.shape}.")
    if weight.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"{name} must have dtype float32 or float64, got {weight.dtype}; "
            f"convert with {name}.astype(np.float32)."
        )
    if writable and not (weight.flags.c_contiguous and weight.flags.writeable):
        raise ValueError(
            f"{name} must be a writable C-contiguous array because max_norm renormalizes "
            f"it in place; pass np.ascontiguousarray({name}) and keep that array."
        )
    return weight


def _check_padding_idx(padding_idx: Any, num_rows: int) -> int | None:
    """Return ``padding_idx`` normalized to ``[0, num_rows)`` (negatives count from the end)."""
    if padding_idx is None:
        return None
    padding_idx = check_int(padding_idx, "padding_idx", minimum=-num_rows, maximum=num_rows - 1)
    return padding_idx + num_rows if padding_idx < 0 else padding_idx


def _check_max_norm(max_norm: Any, norm_type: Any) -> tuple[float | None, float]:
    max_norm = check_float(
        max_norm, "max_norm", minimum=0.0, exclusive_minimum=True, allow_none=True
    )
    norm_type = check_float(norm_type, "norm_type", minimum=0.0, exclusive_minimum=True)
    return max_norm, norm_type


def _check_grad(grad_out: Any, lead: tuple[int, ...], dim: int | None = None) -> np.ndarray:
    """Return ``grad_out`` as a C-contiguous float array of shape ``lead + (dim,)``.

    ``dim`` None accepts any size for the last axis.
    """
    grad = np.asarray(grad_out)
    if not np.issubdtype(grad.dtype, np.floating):
        raise TypeError(
            f"grad_out must be a float array, got dtype {grad.dtype}; "
            "convert with np.asarray(grad_out, dtype=np.float32)."
        )
    ok = grad.ndim == len(lead) + 1 and grad.shape[:-1] == lead
    if not ok or (dim is not None and grad.shape[-1] != dim):
        expected = (*lead, dim) if dim is not None else f"{(*lead, 'output_dim')}"
        raise ValueError(
            f"grad_out must have shape {expected} (the shape of this call's output), "
            f"got {grad.shape}; pass the gradient of the loss with respect to that output."
        )
    if grad.dtype not in (np.float32, np.float64):
        grad = grad.astype(np.float32)
    return np.ascontiguousarray(grad)


def _as_int64(ids: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)


def _drop_group(
    unique: np.ndarray, starts: np.ndarray, order: np.ndarray, row: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remove the group of ``row`` (if present) from a grouping."""
    if row is None or unique.size == 0:
        return unique, starts, order
    k = int(np.searchsorted(unique, row))
    if k == unique.size or unique[k] != row:
        return unique, starts, order
    lo, hi = int(starts[k]), int(starts[k + 1])
    order = np.concatenate((order[:lo], order[hi:]))
    starts = np.concatenate((starts[:k], starts[k + 1 :] - (hi - lo)))
    return np.delete(unique, k), starts, order


def _renorm(weight: np.ndarray, flat_ids: np.ndarray, max_norm: float, norm_type: float) -> None:
    if flat_ids.size == 0:
        return
    unique, _, _ = K.group_ids(flat_ids, weight.shape[0])
    K.renorm_rows(weight, unique, max_norm, norm_type)


# --------------------------------------------------------------------------- embedding


def embedding(
    ids: Any,
    weight: np.ndarray,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
) -> np.ndarray:
    """Look up the rows ``weight[ids]``.

    Args:
        ids (array-like of int): Row ids of any shape, each in ``[0, input_dim)``.
        weight (np.ndarray): The float32/float64 table ``(input_dim, output_dim)``.
        padding_idx (int | None, default None): Accepted for parity with
            ``torch.nn.functional.embedding``; it only matters in the backward
            pass (validated here, the output is unaffected).
        max_norm (float | None, default None): If set, every looked-up row whose
            ``norm_type``-norm exceeds it is rescaled **in place** in ``weight`` to
            norm ``max_norm`` (factor ``max_norm / (norm + 1e-7)``) before the lookup.
        norm_type (float, default 2.0): The p of the p-norm used with ``max_norm``.

    Shape:
        ids ``(*)``, weight ``(input_dim, output_dim)`` -> ``(*, output_dim)``.

    Raises:
        TypeError: If ids are not integers or ``weight`` is not a float array.
        IndexError: If an id is outside ``[0, input_dim)`` (message names it and its
            position); ``weight`` is then left unchanged.
        ValueError: If ``max_norm``/``norm_type`` are not positive or ``padding_idx``
            is out of range.

    >>> w = np.arange(6, dtype=np.float32).reshape(3, 2)
    >>> embedding([[2, 0]], w)
    array([[[4., 5.],
            [0., 1.]]], dtype=float32)
    """
    max_norm, norm_type = _check_max_norm(max_norm, norm_type)
    weight = _check_weight(weight, writable=max_norm is not None)
    num_rows, dim = weight.shape
    _check_padding_idx(padding_idx, num_rows)
    ids = check_ids(ids, num_rows)
    flat = _as_int64(ids)
    if max_norm is not None:
        _renorm(weight, flat, max_norm, norm_type)
    # np.take is a tight memcpy per row and already as fast as memory allows here; a numba
    # parallel gather measured no faster on 2 cores (benchmarks/layer.py).
    return np.take(weight, flat, axis=0).reshape((*ids.shape, dim))


def embedding_backward(
    ids: Any,
    grad_out: Any,
    num_rows: int,
    padding_idx: int | None = None,
    dense: bool = False,
) -> SparseGrad | np.ndarray:
    """Gradient of :func:`embedding` with respect to the table, as a row-sparse pair.

    Row ``r`` of the gradient is the sum of ``grad_out[i]`` over every position ``i``
    with ``ids[i] == r``; rows never looked up are absent, and so is ``padding_idx``.

    Args:
        ids (array-like of int): The ids given to the forward pass, shape ``(*)``.
        grad_out (array-like of float): Gradient of the loss with respect to the
            output, shape ``(*, output_dim)``.
        num_rows (int): ``input_dim``, the number of rows of the table.
        padding_idx (int | None, default None): A row that never receives gradient.
        dense (bool, default False): Return the dense ``(num_rows, output_dim)`` matrix
            (computed directly, not through the sparse pair) instead of a ``SparseGrad``.

    Shape:
        ids ``(*)``, grad_out ``(*, dim)`` -> ``SparseGrad(indices (k,), values (k, dim))``
        or ``(num_rows, dim)`` when ``dense``.

    Raises:
        TypeError: If ids are not integers or ``grad_out`` is not a float array.
        IndexError: If an id is outside ``[0, num_rows)``.
        ValueError: If ``grad_out`` does not have shape ``ids.shape + (dim,)``.

    >>> g = embedding_backward([1, 2, 1], np.ones((3, 2), np.float32), num_rows=4)
    >>> g.indices, g.values
    (array([1, 2]), array([[2., 2.],
           [1., 1.]], dtype=float32))
    """
    num_rows = check_int(num_rows, "num_rows", minimum=1)
    padding_idx = _check_padding_idx(padding_idx, num_rows)
    dense = check_bool(dense, "dense")
    ids = check_ids(ids, num_rows)
    grad = _check_grad(grad_out, ids.shape)
    unique, result = _embedding_backward(_as_int64(ids), grad, num_rows, padding_idx, dense)
    return result if dense else SparseGrad(unique, result)


def _embedding_backward(
    flat: np.ndarray, grad: np.ndarray, num_rows: int, padding_idx: int | None, dense: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Validated core of :func:`embedding_backward`: ``(rows touched, values or dense)``."""
    dim = grad.shape[-1]
    grad2d = grad.reshape(flat.size, dim)
    unique, starts, order = _drop_group(*K.group_ids(flat, num_rows), padding_idx)
    return unique, _sum_groups(
        grad2d, order, _NO_SCALE[grad.dtype], starts, unique, num_rows, dense
    )


_NO_SCALE = {np.dtype(t): np.empty(0, dtype=t) for t in (np.float32, np.float64)}


def _sum_groups(
    src: np.ndarray,
    rows: np.ndarray,
    scale: np.ndarray,
    starts: np.ndarray,
    unique: np.ndarray,
    num_rows: int,
    dense: bool,
) -> np.ndarray:
    """Run :func:`K.segment_sum` into a compact ``(k, dim)`` or a dense ``(num_rows, dim)``."""
    dim = src.shape[1]
    if dense:
        out = np.zeros((num_rows, dim), dtype=src.dtype)
        dest = unique
    else:
        out = np.empty((unique.size, dim), dtype=src.dtype)
        dest = unique[:0]
    if unique.size:
        K.segment_sum(src, rows, scale, starts, dest, out)
    return out


# --------------------------------------------------------------------------- bags


def _bags(
    ids: Any,
    offsets: Any,
    num_rows: int,
    *,
    include_last_offset: bool = False,
    per_sample_weights: Any = None,
    mode: str = "sum",
    dtype: Any = np.float64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Validate bags: ``(flat int64 ids, starts, flat weights or None)``.

    Bag ``b`` is ``flat[starts[b]:starts[b + 1]]``; the weights (one per entry of
    ``ids``) are cast to ``dtype``.
    """
    ids = check_ids(ids, num_rows)
    if ids.ndim == 2:
        if include_last_offset:
            raise ValueError(
                "include_last_offset=True needs 1-D ids cut by offsets, got a 2-D padded "
                f"batch of shape {ids.shape}; use include_last_offset=False for padded "
                "batches, or flatten ids and pass offsets ending with len(ids)."
            )
        if offsets is not None:
            raise ValueError(
                "offsets must be None when ids is a 2-D padded batch (one bag per row), "
                f"got offsets of length {len(np.atleast_1d(offsets))}; flatten ids to 1-D "
                "to use offsets."
            )
        n_bags, length = ids.shape
        starts = np.arange(n_bags + 1, dtype=np.int64) * length
    elif ids.ndim == 1:
        starts = _check_offsets(offsets, ids.size, include_last_offset)
    else:
        raise ValueError(
            f"ids must be 1-D (with offsets) or a 2-D padded batch, got shape {ids.shape}."
        )
    weights = _check_per_sample_weights(per_sample_weights, ids.shape, mode, dtype)
    return _as_int64(ids), starts, weights


def _check_offsets(offsets: Any, n: int, include_last_offset: bool) -> np.ndarray:
    """Return the ``(bags + 1,)`` int64 bag boundaries of 1-D ids of length ``n``."""
    if offsets is None:
        raise ValueError(
            "offsets is required when ids is 1-D: pass the start of each bag in ids "
            "(e.g. offsets=[0, 3, 5]), or pass a 2-D padded batch instead."
        )
    off = np.asarray(offsets)
    if off.ndim == 1 and off.size == 0:
        off = off.astype(np.int64)  # ``[]`` is float64 to NumPy; report it as empty below
    if off.ndim != 1 or not np.issubdtype(off.dtype, np.integer):
        raise TypeError(
            f"offsets must be a 1-D array of integers, got dtype {off.dtype} and shape {off.shape}."
        )
    if off.size == 0 or off[0] != 0:
        got = "an empty array" if off.size == 0 else f"{int(off[0])} at position 0"
        hint = (
            " (with include_last_offset=True offsets holds bags + 1 entries: the start of "
            "each bag, then len(ids))"
            if include_last_offset
            else ""
        )
        raise ValueError(f"offsets must start with 0, got {got}; the first bag starts at 0{hint}.")
    steps = np.diff(off)
    if (steps < 0).any():
        pos = int(np.argmax(steps < 0)) + 1
        raise ValueError(
            f"offsets must be non-decreasing, got {int(off[pos])} at position {pos} after "
            f"{int(off[pos - 1])}."
        )
    if off[-1] > n:
        pos = int(np.argmax(off > n))
        raise ValueError(
            f"offsets must be <= len(ids) = {n}, got {int(off[pos])} at position {pos}."
        )
    off = off.astype(np.int64)
    if not include_last_offset:
        return np.concatenate((off, [n]))
    if off[-1] != n:
        # PyTorch silently drops ids[offsets[-1]:] from the sum/max but still counts them
        # in the mean and in the gradients; a clear error is safer than copying that.
        raise ValueError(
            f"with include_last_offset=True the last offset closes the last bag and must "
            f"equal len(ids) = {n}, got {int(off[-1])}; append {n} to offsets, or pass "
            f"ids[:{int(off[-1])}] if the ids after it are not meant to be in any bag."
        )
    return off


def _check_per_sample_weights(
    weights: Any, shape: tuple[int, ...], mode: str, dtype: Any
) -> np.ndarray | None:
    """Return ``weights`` as a flat C-contiguous copy of dtype ``dtype``, or None."""
    if weights is None:
        return None
    if mode != "sum":
        raise ValueError(
            f'per_sample_weights is only supported with mode="sum" (as in PyTorch), got '
            f'mode="{mode}"; use mode="sum" (for a weighted mean, divide the weights of '
            "each bag by their sum) or pass per_sample_weights=None."
        )
    arr = np.asarray(weights)
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(
            f"per_sample_weights must be an array of floats, got dtype {arr.dtype}; "
            "convert with np.asarray(per_sample_weights, dtype=np.float32)."
        )
    if arr.shape != shape:
        raise ValueError(
            f"per_sample_weights must have the shape of ids {shape} (one weight per id), "
            f"got {arr.shape}."
        )
    arr = np.array(arr, dtype=dtype, order="C").reshape(-1)  # a copy: later edits can't leak
    bad = ~np.isfinite(arr)
    if bad.any():
        pos = np.unravel_index(int(np.argmax(bad)), shape)
        raise ValueError(
            f"per_sample_weights must be finite (in {np.dtype(dtype).name}), got "
            f"{arr[int(np.argmax(bad))]} at position {tuple(int(i) for i in pos)}."
        )
    return arr


def embedding_bag(
    ids: Any,
    weight: np.ndarray,
    offsets: Any = None,
    mode: str = "mean",
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    return_max_indices: bool = False,
    *,
    per_sample_weights: Any = None,
    include_last_offset: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray | None]:
    """Reduce bags of table rows to one vector per bag, like ``torch.nn.functional.embedding_bag``.

    Bags are either 1-D ``ids`` cut by ``offsets`` (bag ``b`` is
    ``ids[offsets[b]:offsets[b + 1]]``, the last bag runs to the end) or the rows of
    a 2-D padded batch. Entries equal to ``padding_idx`` are left out of their bag
    (the mean divides by the entries kept); an empty bag gives zeros. With
    ``per_sample_weights`` (``mode="sum"`` only) each entry's row is scaled by its
    weight before the sum.

    Args:
        ids (array-like of int): 1-D ids with ``offsets``, or a 2-D ``(bags, length)`` batch.
        weight (np.ndarray): The float table ``(input_dim, output_dim)``.
        offsets (array-like of int | None, default None): Start of each bag in 1-D ids,
            beginning with 0 and non-decreasing; must be None for 2-D ids.
        mode (str, default "mean"): ``"sum"``, ``"mean"`` or ``"max"`` (per dimension).
        padding_idx (int | None, default None): An id excluded from every bag.
        max_norm (float | None, default None): Renormalize the looked-up rows of
            ``weight`` in place first, as in :func:`embedding`.
        norm_type (float, default 2.0): The p of the p-norm used with ``max_norm``.
        return_max_indices (bool, default False): Also return the ``(bags, output_dim)``
            row id that gave each maximum (``-1`` for an empty bag; None unless
            ``mode="max"``), which :func:`embedding_bag_backward` needs for ``"max"``.
        per_sample_weights (array-like of float | None, default None): One finite weight
            per entry of ``ids`` (same shape), cast to ``weight``'s dtype; only with
            ``mode="sum"``. Entries equal to ``padding_idx`` stay left out.
        include_last_offset (bool, default False): As in PyTorch, ``offsets`` has one
            extra final entry equal to ``len(ids)`` (CSR style: bag ``b`` is
            ``ids[offsets[b]:offsets[b + 1]]`` for ``b < len(offsets) - 1``). 1-D ids only.

    Shape:
        ids ``(n,)`` + offsets ``(bags,)`` (``(bags + 1,)`` with ``include_last_offset``),
        or ids ``(bags, length)``; per_sample_weights like ids -> ``(bags, output_dim)``.

    Raises:
        TypeError: If ids/offsets are not integers, ``weight`` is not a float array or
            ``per_sample_weights`` does not hold floats.
        IndexError: If an id is outside ``[0, input_dim)``.
        ValueError: For a bad ``mode``; bad offsets; offsets given with 2-D ids;
            ``include_last_offset`` with 2-D ids or a last offset other than ``len(ids)``;
            ``per_sample_weights`` with a mode other than ``"sum"``, of another shape
            than ids, or not finite. ``weight`` is unchanged after any of these.

    >>> w = np.arange(6, dtype=np.float32).reshape(3, 2)
    >>> embedding_bag([0, 2, 1], w, offsets=[0, 2], mode="sum")
    array([[4., 6.],
           [2., 3.]], dtype=float32)
    >>> embedding_bag([0, 2, 1], w, offsets=[0, 2, 3], mode="sum",
    ...               per_sample_weights=[1.0, 0.5, 2.0], include_last_offset=True)
    array([[2. , 3.5],
           [4. , 6. ]], dtype=float32)
    """
    mode = check_choice(mode, "mode", BAG_MODES)
    max_norm, norm_type = _check_max_norm(max_norm, norm_type)
    weight = _check_weight(weight, writable=max_norm is not None)
    pad = _check_padding_idx(padding_idx, weight.shape[0])
    return_max_indices = check_bool(return_max_indices, "return_max_indices")
    include_last_offset = check_bool(include_last_offset, "include_last_offset")
    flat, starts, weights = _bags(
        ids,
        offsets,
        weight.shape[0],
        include_last_offset=include_last_offset,
        per_sample_weights=per_sample_weights,
        mode=mode,
        dtype=weight.dtype,
    )
    out, max_indices = _embedding_bag(flat, starts, weight, mode, pad, max_norm, norm_type, weights)
    return (out, max_indices) if return_max_indices else out


def _embedding_bag(
    flat: np.ndarray,
    starts: np.ndarray,
    weight: np.ndarray,
    mode: str,
    pad: int | None,
    max_norm: float | None,
    norm_type: float,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Validated core of :func:`embedding_bag`: ``(out, max_indices or None)``.

    ``weights`` are the flat per-sample weights in ``weight``'s dtype (or None).
    """
    if max_norm is not None:
        _renorm(weight, flat, max_norm, norm_type)
    n_bags = starts.size - 1
    dim = weight.shape[1]
    out = np.empty((n_bags, dim), dtype=weight.dtype)
    counts = np.empty(n_bags, dtype=np.int64)
    is_max = mode == "max"
    max_indices = np.empty((n_bags, dim) if is_max else (0, 0), dtype=np.int64)
    if n_bags:
        K.bag_forward(
            np.ascontiguousarray(weight),
            flat,
            starts,
            -1 if pad is None else pad,
            K.MODE_CODES[mode],
            _NO_SCALE[weight.dtype] if weights is None else weights,
            out,
            counts,
            max_indices,
        )
    return out, (max_indices if is_max else None)


def embedding_bag_backward(
    ids: Any,
    grad_out: Any,
    num_rows: int,
    offsets: Any = None,
    mode: str = "mean",
    padding_idx: int | None = None,
    max_indices: np.ndarray | None = None,
    dense: bool = False,
    *,
    per_sample_weights: Any = None,
    include_last_offset: bool = False,
) -> SparseGrad | np.ndarray:
    """Gradient of :func:`embedding_bag` with respect to the table, row-sparse.

    ``"sum"`` sends each bag's gradient to every kept entry (entry ``j`` gets
    ``per_sample_weights[j] * grad_out[bag(j)]`` when weighted), ``"mean"`` sends it
    divided by the bag's kept size, ``"max"`` sends ``grad_out[b, d]`` to the row
    ``max_indices[b, d]`` only. ``padding_idx`` never receives gradient.

    Args:
        ids (array-like of int): The ids given to the forward pass.
        grad_out (array-like of float): Gradient with respect to the output, ``(bags, dim)``.
        num_rows (int): ``input_dim``, the rows of the table.
        offsets (array-like of int | None, default None): As in the forward pass.
        mode (str, default "mean"): ``"sum"``, ``"mean"`` or ``"max"``.
        padding_idx (int | None, default None): As in the forward pass.
        max_indices (np.ndarray | None, default None): Required for ``"max"``: the
            second value of ``embedding_bag(..., return_max_indices=True)``.
        dense (bool, default False): Return the dense ``(num_rows, dim)`` matrix.
        per_sample_weights (array-like of float | None, default None): As in the
            forward pass (``mode="sum"`` only).
        include_last_offset (bool, default False): As in the forward pass.

    Shape:
        grad_out ``(bags, dim)`` -> ``SparseGrad(indices (k,), values (k, dim))`` or
        ``(num_rows, dim)`` when ``dense``.

    Raises:
        TypeError: If ids/offsets are not integers, or ``grad_out`` or
            ``per_sample_weights`` is not a float array.
        IndexError: If an id is outside ``[0, num_rows)``.
        ValueError: If ``grad_out`` or ``max_indices`` has the wrong shape,
            ``max_indices`` is missing for ``"max"``, or offsets/``per_sample_weights``
            are bad (as in :func:`embedding_bag`).

    >>> g = embedding_bag_backward([0, 2, 2], np.ones((1, 2)), 3, offsets=[0], mode="mean")
    >>> g.indices, g.values.round(3)
    (array([0, 2]), array([[0.333, 0.333],
           [0.667, 0.667]]))
    >>> g = embedding_bag_backward([0, 2, 2], np.ones((1, 2)), 3, offsets=[0], mode="sum",
    ...                            per_sample_weights=[0.5, 1.0, 2.0])
    >>> g.values
    array([[0.5, 0.5],
           [3. , 3. ]])
    """
    mode = check_choice(mode, "mode", BAG_MODES)
    num_rows = check_int(num_rows, "num_rows", minimum=1)
    pad = _check_padding_idx(padding_idx, num_rows)
    dense = check_bool(dense, "dense")
    include_last_offset = check_bool(include_last_offset, "include_last_offset")
    flat, starts, weights = _bags(
        ids,
        offsets,
        num_rows,
        include_last_offset=include_last_offset,
        per_sample_weights=per_sample_weights,
        mode=mode,
    )
    grad = _check_grad(grad_out, (starts.size - 1,))
    unique, result = _embedding_bag_backward(
        flat, starts, grad, num_rows, mode, pad, max_indices, dense, weights
    )
    return result if dense else SparseGrad(unique, result)


def _embedding_bag_backward(
    flat: np.ndarray,
    starts: np.ndarray,
    grad: np.ndarray,
    num_rows: int,
    mode: str,
    pad: int | None,
    max_indices: Any,
    dense: bool,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Validated core of :func:`embedding_bag_backward`: ``(rows touched, values or dense)``."""
    if mode == "max":
        return _max_backward(grad, max_indices, num_rows, dense)
    n_bags = starts.size - 1
    entry_bag = np.repeat(np.arange(n_bags, dtype=np.int64), np.diff(starts))
    if pad is not None:
        keep = flat != pad
        flat, entry_bag = flat[keep], entry_bag[keep]
        if weights is not None:
            weights = weights[keep]
    unique, gstarts, order = K.group_ids(flat, num_rows)
    rows = entry_bag[order]
    if mode == "mean":
        kept = np.bincount(entry_bag, minlength=n_bags)
        scale = (1.0 / np.maximum(kept, 1)).astype(grad.dtype)[rows]
    elif weights is not None:
        # Entry j of the sorted groups is entry order[j] of the (kept) bags.
        scale = weights.astype(grad.dtype, copy=False)[order]
    else:
        scale = _NO_SCALE[grad.dtype]
    return unique, _sum_groups(grad, rows, scale, gstarts, unique, num_rows, dense)


def embedding_bag_per_sample_weights_backward(
    ids: Any,
    grad_out: Any,
    weight: np.ndarray,
    offsets: Any = None,
    padding_idx: int | None = None,
    *,
    include_last_offset: bool = False,
) -> np.ndarray:
    """Gradient of a weighted ``mode="sum"`` :func:`embedding_bag` with respect to its
    ``per_sample_weights``.

    Entry ``j`` of bag ``b`` gets ``dot(weight[ids[j]], grad_out[b])``; entries equal to
    ``padding_idx`` get 0 (they are left out of the forward sum). This is what PyTorch
    puts in ``per_sample_weights.grad``. Pass the table as used by the forward pass
    (after any ``max_norm`` renormalization, i.e. before applying the update).

    Args:
        ids (array-like of int): The ids given to the forward pass.
        grad_out (array-like of float): Gradient with respect to the output, ``(bags, dim)``.
        weight (np.ndarray): The float table ``(input_dim, output_dim)``.
        offsets (array-like of int | None, default None): As in the forward pass.
        padding_idx (int | None, default None): As in the forward pass.
        include_last_offset (bool, default False): As in the forward pass.

    Shape:
        ids ``(n,)`` or ``(bags, length)``, grad_out ``(bags, dim)`` -> the shape of ids.

    Raises:
        TypeError: If ids/offsets are not integers or ``weight``/``grad_out`` are not floats.
        IndexError: If an id is outside ``[0, input_dim)``.
        ValueError: For bad offsets or a ``grad_out`` not of shape ``(bags, dim)``.

    >>> w = np.arange(6, dtype=np.float32).reshape(3, 2)
    >>> embedding_bag_per_sample_weights_backward([0, 2, 1], np.ones((2, 2)), w, offsets=[0, 2])
    array([1., 9., 5.], dtype=float32)
    """
    weight = _check_weight(weight)
    num_rows, dim = weight.shape
    pad = _check_padding_idx(padding_idx, num_rows)
    include_last_offset = check_bool(include_last_offset, "include_last_offset")
    flat, starts, _ = _bags(ids, offsets, num_rows, include_last_offset=include_last_offset)
    grad = _check_grad(grad_out, (starts.size - 1,), dim)
    out = np.zeros(flat.size, dtype=weight.dtype)
    if starts.size > 1:
        K.bag_weights_grad(
            np.ascontiguousarray(weight),
            flat,
            starts,
            -1 if pad is None else pad,
            grad.astype(weight.dtype, copy=False),
            out,
        )
    return out.reshape(np.shape(ids))  # ids are valid here, so np.shape is safe


def _max_backward(
    grad: np.ndarray, max_indices: Any, num_rows: int, dense: bool
) -> tuple[np.ndarray, np.ndarray]:
    if max_indices is None:
        raise ValueError(
            'mode="max" needs max_indices: call embedding_bag(..., mode="max", '
            "return_max_indices=True) and pass its second value."
        )
    idx = np.asarray(max_indices)
    if idx.shape != grad.shape or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(
            f"max_indices must be an integer array of shape {grad.shape} like grad_out, "
            f"got dtype {idx.dtype} and shape {idx.shape}."
        )
    bad = (idx < -1) | (idx >= num_rows)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        raise IndexError(
            f"max_indices must lie in [-1, {num_rows}), got {int(idx[pos])} at position {pos}."
        )
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    valid = idx >= 0
    unique = np.unique(idx[valid])
    if dense:
        out = np.zeros((num_rows, grad.shape[1]), dtype=grad.dtype)
        slots = idx
    else:
        out = np.zeros((unique.size, grad.shape[1]), dtype=grad.dtype)
        slots = np.where(valid, np.searchsorted(unique, idx), -1).astype(np.int64)
    if unique.size:
        K.max_scatter(grad, slots, out)
    return unique, out
