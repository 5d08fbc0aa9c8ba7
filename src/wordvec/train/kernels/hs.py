"""The hierarchical-softmax update shared by skip-gram, CBOW and subword (fastText) input.

Hierarchical softmax replaces the negatives with the path of the target word in a
Huffman tree (:func:`wordvec.train.huffman.huffman`): at every inner node on the way
from the root, the example's hidden vector predicts the branch taken with a logistic
regression on the node's output row. Label ``1 - code`` as in word2vec's C tool and
gensim (fastText labels ``code``; the tree is symmetric in the two branches, so the
model is the same). The examples come as bags of input rows (offsets, ids), exactly
as for :func:`~wordvec.train.kernels.ns.ns_update`, and use its batch buffers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from wordvec.train.kernels.ns import NSBatch, add_errors, combine, row_dot
from wordvec.train.kernels.tables import sigmoid_and_loss


class Tree(NamedTuple):
    """A Huffman tree as flat paths: word ``w``'s path is ``offsets[w]:offsets[w + 1]``.

    Shape:
        ``codes``: ``(L,)`` uint8 branch bits; ``points``: ``(L,)`` int32 inner-node
        rows (``0 .. vocab - 2``); ``offsets``: ``(vocab + 1,)`` int64.
    """

    codes: np.ndarray
    points: np.ndarray
    offsets: np.ndarray


def empty_tree() -> Tree:
    """A tree with no paths, for job loops trained with negative sampling.

    >>> empty_tree().offsets.tolist()
    [0]
    """
    return Tree(np.zeros(0, np.uint8), np.zeros(0, np.int32), np.zeros(1, np.int64))


@njit(cache=True, nogil=True, fastmath=True)
def hs_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    batch: NSBatch,
    n_examples: int,
    alpha: float,
    mean: bool,
    tree: Tree,
    sig: np.ndarray,
    logsig: np.ndarray,
) -> float:
    """One hierarchical-softmax update of ``n_examples`` examples.

    Example ``e`` combines the input rows ``batch.inputs[offsets[e]:offsets[e + 1]]``
    (non-empty; mean if ``mean``, else sum) into ``hidden[e]``, from the input weights as
    they were on entry. Then, example by example and node by node along the path of
    ``batch.targets[e]``: ``g = (1 - code - sigmoid(hidden . w_out[node])) * alpha``,
    the example's error gains ``g * w_out[node]`` and the node's row gains
    ``g * hidden`` (as in word2vec's C tool, the error uses the row before its update).
    Last, every input row of an example gets the example's error (divided by the bag
    size when summing). ``batch.negs`` is not used.

    Args:
        w_in, w_out: Float32 input weights and inner-node rows, updated in place.
        batch: The examples and scratch (:class:`~wordvec.train.kernels.ns.NSBatch`).
        n_examples: Examples in the batch.
        alpha: Learning rate.
        mean: Average (True) or sum the input rows of an example.
        tree: The Huffman paths of the vocabulary (:class:`Tree`).
        sig, logsig: Tables from :func:`~wordvec.train.kernels.tables.sigmoid_tables`.

    Returns:
        The loss ``sum -log sigmoid(+-dot)`` over the nodes visited, in float64.

    Shape:
        ``w_in``: ``(input rows, dim)``; ``w_out``: ``(vocab - 1, dim)``.
    """
    inputs, offsets = batch.inputs, batch.offsets
    for e in range(n_examples):
        combine(w_in, inputs, offsets[e], offsets[e + 1], mean, batch.hidden, e)
    loss = hs_outputs(w_out, batch, n_examples, alpha, tree, sig, logsig)
    add_errors(w_in, batch, n_examples, mean)
    return loss


@njit(cache=True, nogil=True, fastmath=True)
def hs_outputs(
    w_out: np.ndarray, batch: NSBatch, n_examples: int, alpha: float, tree: Tree,
    sig: np.ndarray, logsig: np.ndarray,
) -> float:  # fmt: skip
    """:func:`hs_update` of the hidden vectors ``batch.hidden[:n_examples]`` (made by the
    caller): the path rows are updated and each example's error is left in
    ``batch.err[e]`` for the caller to apply to its input rows.

    An example's dot products along its path come first, into ``batch.grad`` when the
    path fits there (:func:`~wordvec.train.kernels.ns.ns_batch`'s ``depth``): they read
    the example's hidden vector and distinct nodes, so the same values as node by node,
    with the loads of the nodes' rows overlapping; a longer path goes node by node.

    Returns:
        The loss over the nodes visited, in float64.
    """
    targets, hidden, err, dots = batch.targets, batch.hidden, batch.err, batch.grad
    codes, points, toff = tree.codes, tree.points, tree.offsets
    dim = w_out.shape[1]
    loss = 0.0
    for e in range(n_examples):
        for d in range(dim):
            err[e, d] = 0.0
        t = targets[e]
        lo, hi = toff[t], toff[t + 1]
        first = hi - lo <= dots.shape[0]  # the path's dot products first, if they fit
        if first:  # a path's nodes are distinct, and hidden[e] does not change here
            for p in range(lo, hi):
                dots[p - lo] = row_dot(hidden, e, w_out, points[p])
        for p in range(lo, hi):
            node = points[p]
            f = dots[p - lo] if first else row_dot(hidden, e, w_out, node)
            label = 1.0 - codes[p]
            s, lo_k = sigmoid_and_loss(f, label, sig, logsig)
            loss += lo_k
            g = np.float32((label - s) * alpha)
            for d in range(dim):
                err[e, d] += g * w_out[node, d]
            for d in range(dim):
                w_out[node, d] += g * hidden[e, d]
    return loss


__all__ = ["Tree", "empty_tree", "hs_outputs", "hs_update"]
