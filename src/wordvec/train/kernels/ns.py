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


class NSBatch(NamedTuple):
    """Per-thread buffers of one negative-sampling batch (allocated once per thread).

    Shape:
        ``inputs``: ``(max input rows,)`` int32; ``offsets``: ``(max examples + 1,)``
        int64; ``targets``: ``(max examples,)`` int32; ``negs``: ``(negative,)`` int32;
        ``hidden``, ``err``: ``(max examples, dim)`` float32;
        ``grad``: ``(max examples * (negative + 1),)`` float32.
    """

    inputs: np.ndarray
    offsets: np.ndarray
    targets: np.ndarray
    negs: np.ndarray
    hidden: np.ndarray
    err: np.ndarray
    grad: np.ndarray


def ns_batch(max_examples: int, max_inputs: int, negative: int, dim: int) -> NSBatch:
    """Allocate the buffers of a batch of up to ``max_examples`` examples.

    >>> ns_batch(4, 10, 5, 8).grad.shape
    (24,)
    """
    return NSBatch(
        inputs=np.empty(max_inputs, np.int32),
        offsets=np.zeros(max_examples + 1, np.int64),
        targets=np.empty(max_examples, np.int32),
        negs=np.empty(negative, np.int32),
        hidden=np.empty((max_examples, dim), np.float32),
        err=np.empty((max_examples, dim), np.float32),
        grad=np.empty(max_examples * (negative + 1), np.float32),
    )


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _combine(
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
    accumulate, like ``np.add.at``.

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
    inputs, offsets, targets, negs = batch.inputs, batch.offsets, batch.targets, batch.negs
    hidden, err, grad = batch.hidden, batch.err, batch.grad
    dim = w_in.shape[1]
    nt = negs.shape[0] + 1
    # one input row per example (skip-gram): the hidden vectors are those rows, in place
    single = offsets[n_examples] - offsets[0] == n_examples
    src = w_in if single else hidden
    loss = 0.0
    for e in range(n_examples):
        lo, hi = offsets[e], offsets[e + 1]
        if not single:
            _combine(w_in, inputs, lo, hi, mean, hidden, e)
        row = inputs[lo] if single else e
        pos = targets[e]
        for k in range(nt):
            t = pos if k == 0 else negs[k - 1]
            if k > 0 and t == pos:
                grad[e * nt + k] = 0.0
                continue
            f = np.float32(0.0)
            for d in range(dim):
                f += src[row, d] * w_out[t, d]
            label = 1.0 if k == 0 else 0.0
            s, lo_k = sigmoid_and_loss(f, label, sig, logsig)
            loss += lo_k
            grad[e * nt + k] = np.float32((label - s) * alpha)
    for e in range(n_examples):
        lo, hi = offsets[e], offsets[e + 1]
        for d in range(dim):
            err[e, d] = 0.0
        pos = targets[e]
        for k in range(nt):
            t = pos if k == 0 else negs[k - 1]
            if k > 0 and t == pos:
                continue
            g = grad[e * nt + k]
            for d in range(dim):
                err[e, d] += g * w_out[t, d]
        if not mean and hi - lo > 1:
            inv = np.float32(1.0 / (hi - lo))
            for d in range(dim):
                err[e, d] *= inv
    for k in range(nt):
        for e in range(n_examples):
            pos = targets[e]
            t = pos if k == 0 else negs[k - 1]
            if k > 0 and t == pos:
                continue
            g = grad[e * nt + k]
            row = inputs[offsets[e]] if single else e
            for d in range(dim):
                w_out[t, d] += g * src[row, d]
    for e in range(n_examples):
        for m in range(offsets[e], offsets[e + 1]):
            r = inputs[m]
            for d in range(dim):
                w_in[r, d] += err[e, d]
    return loss
