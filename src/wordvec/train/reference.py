"""Slow, readable NumPy versions of the word2vec updates, to check the numba kernels.

They compute exactly what :func:`wordvec.train.kernels.sg_update` and
:func:`wordvec.train.kernels.cbow_update` compute, written as small matrix products:
all dot products use the weights as they were before the update, then the gradients
are added (repeated rows accumulate, as with ``np.add.at``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wordvec.train.kernels import MAX_EXP, TABLE_SIZE, sigmoid_tables


def table_sigmoid(x: np.ndarray) -> np.ndarray:
    """Sigmoid as the kernels compute it: table lookup inside +-MAX_EXP, 0 or 1 outside.

    Shape:
        Any shape; returns the same shape, float32.

    >>> table_sigmoid(np.array([-10.0, 10.0])).tolist()
    [0.0, 1.0]
    """
    sig, _ = sigmoid_tables()
    x = np.asarray(x, dtype=np.float64)
    idx = ((x + MAX_EXP) * (TABLE_SIZE / (2 * MAX_EXP))).astype(np.int64)
    idx = np.clip(idx, 0, TABLE_SIZE - 1)
    out = sig[idx].astype(np.float32)
    out[x >= MAX_EXP] = 1.0
    out[x <= -MAX_EXP] = 0.0
    return out


def sgns_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    context: Sequence[int],
    centre: int,
    negatives: Sequence[int],
    alpha: float,
) -> float:
    """One skip-gram negative-sampling update of a centre word with shared negatives.

    Every context word's input row predicts the centre word's output row (label 1)
    and the negatives' output rows (label 0); negatives equal to the centre are
    skipped. Updates ``w_in`` and ``w_out`` in place.

    Args:
        w_in, w_out: float32 weights ``(vocab, dim)``.
        context: Ids of the context words.
        centre: Id of the centre word.
        negatives: Ids of the negative words.
        alpha: Learning rate.

    Returns:
        The loss ``sum -log sigmoid(+-dot)`` (exact, not tabulated).

    Shape:
        ``w_in``, ``w_out``: ``(vocab, dim)``.

    >>> w_in = np.full((3, 2), 0.1, np.float32); w_out = np.zeros((3, 2), np.float32)
    >>> round(sgns_update(w_in, w_out, [1], 0, [2], 0.1), 4)
    1.3863
    """
    context = np.asarray(context, dtype=np.int64)
    targets = np.asarray([centre] + [n for n in negatives if n != centre], dtype=np.int64)
    labels = np.zeros(len(targets), dtype=np.float32)
    labels[0] = 1.0
    m = w_in[context]  # (c, dim)
    o = w_out[targets]  # (k + 1, dim)
    scores = m @ o.T  # (c, k + 1)
    g = ((labels[None, :] - table_sigmoid(scores)) * np.float32(alpha)).astype(np.float32)
    signs = np.where(labels > 0, 1.0, -1.0)
    loss = float(np.logaddexp(0.0, -signs[None, :] * scores.astype(np.float64)).sum())
    np.add.at(w_out, targets, g.T @ m)
    np.add.at(w_in, context, g @ o)
    return loss


def cbow_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    contexts: Sequence[Sequence[int]],
    centres: Sequence[int],
    negatives: Sequence[int],
    alpha: float,
    cbow_mean: bool = True,
) -> float:
    """One CBOW negative-sampling update of a group of centre words sharing negatives.

    Centre ``c`` is predicted from the mean (``cbow_mean``) or sum of the input rows
    of ``contexts[c]``; each context row receives the centre's full error (divided by
    the context size when summing, as gensim does). Updates weights in place.

    Args:
        w_in, w_out: float32 weights ``(vocab, dim)``.
        contexts: One non-empty list of context ids per centre word.
        centres: The centre word ids.
        negatives: Negative ids shared by all centres (skipped for an equal centre).
        alpha: Learning rate.
        cbow_mean (bool, default True): Average (True) or sum the context rows.

    Returns:
        The exact loss of the update.

    Shape:
        ``w_in``, ``w_out``: ``(vocab, dim)``.

    >>> w_in = np.full((3, 2), 0.1, np.float32); w_out = np.zeros((3, 2), np.float32)
    >>> round(cbow_update(w_in, w_out, [[1, 2]], [0], [2], 0.1), 4)
    1.3863
    """
    negatives = np.asarray(negatives, dtype=np.int64)
    hidden = np.stack(
        [
            w_in[np.asarray(c)].mean(axis=0) if cbow_mean else w_in[np.asarray(c)].sum(axis=0)
            for c in contexts
        ]
    ).astype(np.float32)  # (n, dim)
    old_out = w_out.copy()
    loss = 0.0
    errors = []
    for c, centre in enumerate(centres):
        targets = np.concatenate([[centre], negatives[negatives != centre]])
        labels = np.zeros(len(targets), dtype=np.float32)
        labels[0] = 1.0
        o = old_out[targets]
        scores = o @ hidden[c]
        g = ((labels - table_sigmoid(scores)) * np.float32(alpha)).astype(np.float32)
        signs = np.where(labels > 0, 1.0, -1.0)
        loss += float(np.logaddexp(0.0, -signs * scores.astype(np.float64)).sum())
        np.add.at(w_out, targets, g[:, None] * hidden[c][None, :])
        err = g @ o
        if not cbow_mean:
            err = err / np.float32(len(contexts[c]))
        errors.append(err)
    for c, ctx in enumerate(contexts):
        np.add.at(w_in, np.asarray(ctx, dtype=np.int64), np.tile(errors[c], (len(ctx), 1)))
    return loss
