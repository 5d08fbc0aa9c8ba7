"""The negative-sampling update shared by skip-gram, CBOW and subword (fastText) input.

An update trains a batch of *examples* that share one draw of negatives. Example ``e``
has a bag of input rows ``inputs[offsets[e]:offsets[e + 1]]`` (skip-gram: one context
word; CBOW: the window around a centre; fastText: a word and its character n-grams),
combined by mean or sum into a hidden vector that predicts the output row of
``targets[e]`` (label 1) against the shared negatives (label 0). The split follows
fastText's Model (how input rows combine) and Loss (negative sampling).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from wordvec.train.kernels.tables import sigmoid_and_loss


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def row_dot(a: np.ndarray, i: int, b: np.ndarray, j: int) -> float:
    """Return the float32 dot product of rows ``a[i]`` and ``b[j]`` (the scores of every
    update; one loop, so every caller sums in the same order).

    >>> row_dot(np.ones((2, 3), np.float32), 1, np.full((1, 3), 2, np.float32), 0)
    6.0
    """
    f = np.float32(0.0)
    for d in range(a.shape[1]):
        f += a[i, d] * b[j, d]
    return f


class NSBatch(NamedTuple):
    """Per-thread buffers of one negative-sampling batch (allocated once per thread).

    Shape:
        ``inputs``: ``(max input rows,)`` int32; ``offsets``: ``(max examples + 1,)``
        int64; ``targets``: ``(max examples,)`` int32; ``negs``: ``(negative,)`` int32;
        ``hidden``, ``err``: ``(max examples, dim)`` float32;
        ``grad``: ``(max(max examples * (negative + 1), depth),)`` float32 (also one
        example's dot products: its output rows', or its Huffman path's);
        ``slots``: ``(max examples,)`` int32, ``0, 1, ...`` (example ``e`` reads
        ``hidden[slots[e]]``).
    """

    inputs: np.ndarray
    offsets: np.ndarray
    targets: np.ndarray
    negs: np.ndarray
    hidden: np.ndarray
    err: np.ndarray
    grad: np.ndarray
    slots: np.ndarray


def ns_batch(
    max_examples: int, max_inputs: int, negative: int, dim: int, depth: int = 0
) -> NSBatch:
    """Allocate the buffers of a batch of up to ``max_examples`` examples (``depth``: the
    longest Huffman path, with hierarchical softmax).

    >>> ns_batch(4, 10, 5, 8).grad.shape, ns_batch(2, 2, 0, 8, depth=17).grad.shape
    ((24,), (17,))
    """
    return NSBatch(
        inputs=np.empty(max_inputs, np.int32),
        offsets=np.zeros(max_examples + 1, np.int64),
        targets=np.empty(max_examples, np.int32),
        negs=np.empty(negative, np.int32),
        hidden=np.empty((max_examples, dim), np.float32),
        err=np.empty((max_examples, dim), np.float32),
        grad=np.empty(max(max_examples * (negative + 1), depth), np.float32),
        slots=np.arange(max_examples, dtype=np.int32),
    )


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def combine(
    w_in: np.ndarray, inputs: np.ndarray, lo: int, hi: int, mean: bool, hidden: np.ndarray, e: int
) -> None:
    """Write the mean (or sum) of the input rows ``inputs[lo:hi]`` into ``hidden[e]``."""
    dim = w_in.shape[1]
    r = inputs[lo]
    for d in range(dim):
        hidden[e, d] = w_in[r, d]
    for m in range(lo + 1, hi):
        r = inputs[m]
        for d in range(dim):
            hidden[e, d] += w_in[r, d]
    if mean and hi - lo > 1:
        inv = np.float32(1.0 / (hi - lo))
        for d in range(dim):
            hidden[e, d] *= inv


@njit(cache=True, nogil=True, fastmath=True)
def ns_shared(
    w_in: np.ndarray, w_out: np.ndarray, rows: np.ndarray, n_rows: int, target: int,
    negs: np.ndarray, alpha: float, sig: np.ndarray, logsig: np.ndarray, grad: np.ndarray,
    err: np.ndarray,
) -> float:  # fmt: skip
    """:func:`ns_update` for skip-gram: ``n_rows`` examples of one input row each, all
    predicting the same ``target`` against ``negs``.

    Example ``e`` is the row ``w_in[rows[e]]`` itself (no copy into a hidden buffer).
    It computes what :func:`ns_update` computes for these examples; a job loop calls it
    with the batch's arrays unpacked once per job, since handing a whole
    :class:`NSBatch` to a non-inlined kernel per centre word, and reloading a target
    per example, cost skip-gram about 15%.

    Args:
        w_in, w_out: Float32 input and output weights, updated in place.
        rows: Int32 input rows (the first ``n_rows`` are used).
        n_rows: Examples in the update.
        target: The output row every example predicts (label 1).
        negs: Int32 negatives (label 0; one equal to ``target`` is skipped).
        alpha: Learning rate.
        sig, logsig: Tables from :func:`~wordvec.train.kernels.tables.sigmoid_tables`.
        grad, err: Float32 scratch (``NSBatch.grad`` and ``NSBatch.err``).

    Returns:
        The loss of the update, in float64.

    Shape:
        ``rows``: ``(>= n_rows,)``; ``grad``: ``(>= n_rows * (len(negs) + 1),)``;
        ``err``: ``(>= n_rows, dim)``.
    """
    dim = w_in.shape[1]
    nt = negs.shape[0] + 1
    loss = 0.0
    for e in range(n_rows):
        r = rows[e]
        for k in range(nt):
            t = target if k == 0 else negs[k - 1]
            if k > 0 and t == target:
                grad[e * nt + k] = 0.0
                continue
            f = row_dot(w_in, r, w_out, t)
            label = 1.0 if k == 0 else 0.0
            s, lo_k = sigmoid_and_loss(f, label, sig, logsig)
            loss += lo_k
            grad[e * nt + k] = np.float32((label - s) * alpha)
    for e in range(n_rows):
        for d in range(dim):
            err[e, d] = 0.0
        for k in range(nt):
            t = target if k == 0 else negs[k - 1]
            if k > 0 and t == target:
                continue
            g = grad[e * nt + k]
            for d in range(dim):
                err[e, d] += g * w_out[t, d]
    for k in range(nt):
        t = target if k == 0 else negs[k - 1]
        if k > 0 and t == target:
            continue
        for e in range(n_rows):
            g = grad[e * nt + k]
            r = rows[e]
            for d in range(dim):
                w_out[t, d] += g * w_in[r, d]
    for e in range(n_rows):
        r = rows[e]
        for d in range(dim):
            w_in[r, d] += err[e, d]
    return loss


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def ns_one(
    hid: np.ndarray, w_out: np.ndarray, target: int, negs: np.ndarray, alpha: float,
    sig: np.ndarray, logsig: np.ndarray, err: np.ndarray, dots: np.ndarray,
) -> float:  # fmt: skip
    """One example, ``hid[0]`` predicting ``target`` against ``negs``, as fastText trains
    skip-gram (its examples share one input, which each example changes at once).

    The dot products come first, into ``dots``: they read ``hid[0]``, which changes only
    at the end, so the loads of the output rows (random rows, mostly not cached) overlap
    instead of each waiting for the previous row's update; about 13% of a fastText
    skip-gram fit (RESULTS.md). Then each row in turn gets one pass that adds ``g *
    w_out[t]`` to the error and ``g * hid[0]`` to ``w_out[t]``; a repeated negative
    sees its first update (its dot product is taken again), as in fastText, so the
    result is the row-by-row loop's bit for bit. The error is added to ``hid[0]`` at
    the end.

    Shape:
        ``hid``: ``(>= 1, dim)``; ``err``: ``(dim,)``; ``dots``: ``(>= len(negs) + 1,)``
        float32 scratch.
    """
    dim = w_out.shape[1]
    n = negs.shape[0] + 1
    for k in range(n):  # every dot product first: hid[0] is unchanged until the end
        t = target if k == 0 else negs[k - 1]
        dots[k] = row_dot(hid, 0, w_out, t)
    for d in range(dim):
        err[d] = 0.0
    loss = 0.0
    for k in range(n):
        t = target if k == 0 else negs[k - 1]
        if k > 0 and t == target:
            continue
        f = dots[k]
        for j in range(1, k):  # a repeated negative sees its first update
            if negs[j - 1] == t:
                f = row_dot(hid, 0, w_out, t)
                break
        label = 1.0 if k == 0 else 0.0
        s, lo_k = sigmoid_and_loss(f, label, sig, logsig)
        loss += lo_k
        g = np.float32((label - s) * alpha)
        for d in range(dim):
            err[d] += g * w_out[t, d]
            w_out[t, d] += g * hid[0, d]
    for d in range(dim):
        hid[0, d] += err[d]
    return loss


@njit(cache=True, nogil=True, fastmath=True)
def ns_outputs(
    w_out: np.ndarray, batch: NSBatch, n_examples: int, alpha: float, sig: np.ndarray,
    logsig: np.ndarray,
) -> float:  # fmt: skip
    """:func:`ns_update` of the hidden vectors ``batch.hidden[:n_examples]`` (made by the
    caller): the output rows are updated and each example's error is left in
    ``batch.err[e]`` for the caller to apply to its input rows.

    Returns:
        The loss of the update, in float64.
    """
    loss = _scores(batch.hidden, batch.slots, w_out, batch, n_examples, alpha, sig, logsig)
    _errors(w_out, batch, n_examples)
    apply_outputs(w_out, batch.hidden, batch.slots, batch, n_examples)
    return loss


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _target(targets: np.ndarray, negs: np.ndarray, e: int, k: int) -> int:
    """Output row ``k`` of example ``e``: its target (k = 0), else the ``k``-th negative,
    or -1 when that negative equals the target (skipped for this example)."""
    pos = targets[e]
    if k == 0:
        return pos
    t = negs[k - 1]
    return -1 if t == pos else t


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _scores(
    src: np.ndarray, rows: np.ndarray, w_out: np.ndarray, batch: NSBatch, n_examples: int,
    alpha: float, sig: np.ndarray, logsig: np.ndarray,
) -> float:  # fmt: skip
    """Fill ``batch.grad[e * nt + k]`` with ``(label - sigmoid(src[rows[e]] . w_out[t])) *
    alpha`` for every example and output row; return the loss in float64."""
    grad, nt = batch.grad, batch.negs.shape[0] + 1
    loss = 0.0
    for e in range(n_examples):
        r = rows[e]
        for k in range(nt):
            t = _target(batch.targets, batch.negs, e, k)
            if t < 0:
                grad[e * nt + k] = 0.0
                continue
            f = row_dot(src, r, w_out, t)
            label = 1.0 if k == 0 else 0.0
            s, lo_k = sigmoid_and_loss(f, label, sig, logsig)
            loss += lo_k
            grad[e * nt + k] = np.float32((label - s) * alpha)
    return loss


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _errors(w_out: np.ndarray, batch: NSBatch, n_examples: int) -> None:
    """``err[e] = sum_k grad[e, k] * w_out[t_k]``."""
    grad, err = batch.grad, batch.err
    nt, dim = batch.negs.shape[0] + 1, w_out.shape[1]
    for e in range(n_examples):
        for d in range(dim):
            err[e, d] = 0.0
        for k in range(nt):
            t = _target(batch.targets, batch.negs, e, k)
            if t < 0:
                continue
            g = grad[e * nt + k]
            for d in range(dim):
                err[e, d] += g * w_out[t, d]


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _apply(
    w_in: np.ndarray, w_out: np.ndarray, src: np.ndarray, rows: np.ndarray, batch: NSBatch,
    n_examples: int, mean: bool,
) -> None:  # fmt: skip
    """Add ``grad[e, k] * src[rows[e]]`` to every output row, then each example's error
    to each of its input rows."""
    apply_outputs(w_out, src, rows, batch, n_examples)
    add_errors(w_in, batch, n_examples, mean)


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def apply_outputs(
    w_out: np.ndarray, src: np.ndarray, rows: np.ndarray, batch: NSBatch, n_examples: int
) -> None:
    """Add ``grad[e, k] * src[rows[e]]`` to every output row (after :func:`_errors`)."""
    grad, nt, dim = batch.grad, batch.negs.shape[0] + 1, w_out.shape[1]
    for k in range(nt):
        for e in range(n_examples):
            t = _target(batch.targets, batch.negs, e, k)
            if t < 0:
                continue
            g = grad[e * nt + k]
            r = rows[e]
            for d in range(dim):
                w_out[t, d] += g * src[r, d]


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def add_errors(w_in: np.ndarray, batch: NSBatch, n_examples: int, mean: bool) -> None:
    """Add example ``e``'s error ``batch.err[e]`` to each of its input rows (repeats add
    up), divided by the bag size when the rows were summed (``mean`` False), as gensim's
    CBOW does."""
    err, inputs, offsets = batch.err, batch.inputs, batch.offsets
    dim = w_in.shape[1]
    for e in range(n_examples):
        size = offsets[e + 1] - offsets[e]
        if not mean and size > 1:
            inv = np.float32(1.0 / size)
            for d in range(dim):
                err[e, d] *= inv
        for m in range(offsets[e], offsets[e + 1]):
            r = inputs[m]
            for d in range(dim):
                w_in[r, d] += err[e, d]


@njit(cache=True, nogil=True, fastmath=True)
def ns_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    batch: NSBatch,
    n_examples: int,
    alpha: float,
    mean: bool,
    sig: np.ndarray,
    logsig: np.ndarray,
) -> float:
    """One negative-sampling update of ``n_examples`` examples sharing the negatives.

    Example ``e`` combines the input rows ``batch.inputs[offsets[e]:offsets[e + 1]]``
    (non-empty) into ``hidden[e]`` (mean if ``mean``, else sum), which predicts
    ``batch.targets[e]`` (label 1) against every entry of ``batch.negs`` (label 0; a
    negative equal to the example's target is skipped for that example). All dot
    products use the weights as they were on entry; then every output row gets
    ``g * hidden`` and every input row of an example gets the example's whole error
    (divided by the bag size when summing, as gensim's CBOW does). Repeated rows
    accumulate, like ``np.add.at``. When every example has one input row, the hidden
    vectors are read from ``w_in`` in place, without a copy (skip-gram's job loop calls
    the faster :func:`ns_shared` instead, its examples sharing one target).

    Args:
        w_in, w_out: Float32 input and output weights, updated in place.
        batch: The examples and scratch (:class:`NSBatch`).
        n_examples: Examples in the batch (the first entries of its arrays).
        alpha: Learning rate.
        mean: Average (True) or sum the input rows of an example.
        sig, logsig: Tables from :func:`~wordvec.train.kernels.tables.sigmoid_tables`.

    Returns:
        The loss ``sum(-log sigmoid(+-dot))`` of the update, in float64.

    Shape:
        ``w_in``: ``(input rows, dim)``; ``w_out``: ``(vocab, dim)``.
    """
    offsets = batch.offsets
    if offsets[n_examples] - offsets[0] == n_examples:
        # one input row per example: the hidden vectors are those rows of w_in
        rows = batch.inputs[offsets[0] :]
        loss = _scores(w_in, rows, w_out, batch, n_examples, alpha, sig, logsig)
        _errors(w_out, batch, n_examples)
        _apply(w_in, w_out, w_in, rows, batch, n_examples, mean)
        return loss
    for e in range(n_examples):
        combine(w_in, batch.inputs, offsets[e], offsets[e + 1], mean, batch.hidden, e)
    rows = batch.slots
    loss = _scores(batch.hidden, rows, w_out, batch, n_examples, alpha, sig, logsig)
    _errors(w_out, batch, n_examples)
    _apply(w_in, w_out, batch.hidden, rows, batch, n_examples, mean)
    return loss
