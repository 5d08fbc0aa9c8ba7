"""Slow, readable NumPy versions of the bag job loops and hierarchical softmax.

They compute what :func:`wordvec.train.kernels.hs.hs_update` and the job loops of
:mod:`wordvec.train.kernels.fasttext` compute, with the generator and sentence reader
of :mod:`wordvec.train.reference` (so the draws interleave as in the kernels): one
skip-gram example at a time (:func:`ns_example`), and CBOW's group update on the
output side (:func:`outputs_update`, negative sampling as
:func:`wordvec.train.reference.cbow_update` computes it) with the input side kept per
sentence position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wordvec.train.reference import (
    XorShift,
    _trained_sentences,
    _window,
    table_sigmoid,
)


def hs_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    bags: Sequence[Sequence[int]],
    targets: Sequence[int],
    paths: tuple[Sequence[Sequence[int]], Sequence[Sequence[int]]],
    alpha: float,
    mean: bool = True,
) -> float:
    """Hierarchical softmax: each bag's mean (or sum) predicts its target's Huffman path.

    Hidden vectors come from ``w_in`` as on entry; along the path of each target in
    turn, node by node, ``g = (1 - code - sigmoid(h . o)) * alpha``, the error gains
    ``g * o`` and the node row ``o`` gains ``g * h``; the input rows of a bag get its
    error at the end (divided by the bag size when summing).

    Args:
        w_in, w_out: float32 input rows and inner-node rows, updated in place.
        bags: One non-empty list of input rows per example.
        targets: The target word of each example.
        paths: ``(codes, points)`` per word, root first (as
            :func:`~wordvec.train.huffman.huffman_reference` returns them).
        alpha: Learning rate.
        mean (bool, default True): Average (True) or sum the rows of a bag.

    Returns:
        The exact loss ``sum -log sigmoid(+-dot)`` over the nodes.

    Shape:
        ``w_in``: ``(rows, dim)``; ``w_out``: ``(vocab - 1, dim)``.

    >>> w_in = np.full((2, 2), 0.5, np.float32); w_out = np.zeros((1, 2), np.float32)
    >>> round(hs_update(w_in, w_out, [[0]], [1], ([[1], [0]], [[0], [0]]), 0.1), 4)
    0.6931
    """
    codes, points = paths
    rows = [np.asarray(b, dtype=np.int64) for b in bags]
    hidden = [w_in[r].mean(axis=0) if mean else w_in[r].sum(axis=0) for r in rows]
    loss = 0.0
    errors = []
    for h, t in zip(hidden, targets):
        err = np.zeros_like(h)
        for code, node in zip(codes[t], points[t]):
            f = np.float32(h @ w_out[node])
            label = 1.0 - code
            g = np.float32((label - table_sigmoid(np.array([f]))[0]) * alpha)
            loss += float(np.logaddexp(0.0, -(2 * label - 1) * float(f)))
            err += g * w_out[node]
            w_out[node] += g * h
        errors.append(err if mean else err / np.float32(len(rows[len(errors)])))
    for r, err in zip(rows, errors):
        np.add.at(w_in, r, np.tile(err, (len(r), 1)))
    return loss


def ns_example(
    hidden: np.ndarray, w_out: np.ndarray, target: int, negs: Sequence[int], alpha: float
) -> float:
    """One skip-gram example as fastText trains it: ``hidden[0]`` predicts ``target``
    against ``negs``, one output row after the other.

    For each row ``o`` in turn (the target, then each negative not equal to it)
    ``g = (label - sigmoid(h . o)) * alpha``; the error gains ``g * o`` and ``o`` gains
    ``g * h`` at once (a repeated negative sees its first update); ``hidden[0]`` gains
    the error at the end.

    Returns:
        The exact loss ``sum -log sigmoid(+-dot)``.

    >>> h = np.full((1, 2), 0.5, np.float32); w_out = np.zeros((2, 2), np.float32)
    >>> round(ns_example(h, w_out, 0, [1], 0.1), 4)
    1.3863
    """
    h = hidden[0].copy()
    err = np.zeros_like(h)
    loss = 0.0
    for k, t in enumerate([target, *negs]):
        if k > 0 and t == target:
            continue
        label = 1.0 if k == 0 else 0.0
        f = np.float32(h @ w_out[t])
        g = np.float32((label - table_sigmoid(np.array([f]))[0]) * alpha)
        loss += float(np.logaddexp(0.0, -(2 * label - 1) * float(f)))
        err += g * w_out[t]
        w_out[t] += g * h
    hidden[0] += err
    return loss


def sg_bag_job(
    ids: np.ndarray,
    remap: np.ndarray,
    keep: np.ndarray,
    alias: tuple[np.ndarray, np.ndarray],
    bags: Sequence[Sequence[int]],
    w_in: np.ndarray,
    w_out: np.ndarray,
    *,
    window: int,
    negative: int,
    paths: tuple | None = None,
    alpha: tuple[float, float],
    job_words: int,
    seed: int,
    stream: int,
) -> tuple[float, int, int]:
    """Skip-gram with bag inputs on one job, as :func:`~wordvec.train.kernels.fasttext.sg_bag_job`.

    For each kept centre: its window is drawn and its bag's mean taken; each window word
    in turn is an example predicted by that mean, which each update changes at once
    (the next example sees it), against negatives drawn one example ahead
    (:func:`ns_example`; none with ``paths``, hierarchical softmax); the mean's total
    change is then added to every row of ``bags[centre]`` (a repeated row once per
    repeat).

    Returns:
        ``(loss, examples, words)`` as the kernel returns them.
    """
    gen = XorShift(seed, stream)
    k = 0 if paths is not None else negative
    loss, examples, done = 0.0, 0, [0]
    for sent, rate in _trained_sentences(ids, remap, keep, gen, alpha, job_words, done):
        negs = [gen.draw(*alias) for _ in range(k)]
        for i, centre in enumerate(sent):
            ctx = _window(gen, sent, i, window)
            rows = list(bags[centre])
            hidden = w_in[rows].mean(axis=0, keepdims=True)  # a one-row input matrix
            start = hidden.copy()
            for c, target in enumerate(ctx):
                current = negs
                if i + 1 < len(sent) or c + 1 < len(ctx):
                    negs = [gen.draw(*alias) for _ in range(k)]
                if paths is not None:
                    loss += hs_update(hidden, w_out, [[0]], [target], paths, rate)
                else:
                    loss += ns_example(hidden, w_out, target, current, rate)
            for r in rows:
                w_in[r] += hidden[0] - start[0]
            examples += len(ctx)
    return loss, examples, done[0]


def outputs_update(
    hidden: np.ndarray,
    w_out: np.ndarray,
    targets: Sequence[int],
    negs: Sequence[int],
    alpha: float,
    paths: tuple | None = None,
) -> tuple[float, np.ndarray]:
    """The output side of a group's update, for hidden vectors given by the caller.

    Negative sampling (``paths`` None) as :func:`~wordvec.train.reference.cbow_update`:
    every score from the output rows as on entry, the group sharing ``negs``;
    hierarchical softmax as :func:`hs_update`, node by node. The input rows are left
    to the caller.

    Returns:
        ``(loss, errors)``: the exact loss and each example's error, ``(n, dim)``.
    """
    errors = np.zeros_like(hidden)
    loss = 0.0
    if paths is not None:
        codes, points = paths
        for e, t in enumerate(targets):
            for code, node in zip(codes[t], points[t]):
                f = np.float32(hidden[e] @ w_out[node])
                label = 1.0 - code
                g = np.float32((label - table_sigmoid(np.array([f]))[0]) * alpha)
                loss += float(np.logaddexp(0.0, -(2 * label - 1) * float(f)))
                errors[e] += g * w_out[node]
                w_out[node] += g * hidden[e]
        return loss, errors
    negs = np.asarray(negs, dtype=np.int64)
    old_out = w_out.copy()
    for e, centre in enumerate(targets):
        rows = np.concatenate([[centre], negs[negs != centre]])
        labels = np.zeros(len(rows), dtype=np.float32)
        labels[0] = 1.0
        scores = old_out[rows] @ hidden[e]
        g = ((labels - table_sigmoid(scores)) * np.float32(alpha)).astype(np.float32)
        signs = np.where(labels > 0, 1.0, -1.0)
        loss += float(np.logaddexp(0.0, -signs * scores.astype(np.float64)).sum())
        np.add.at(w_out, rows, g[:, None] * hidden[e][None, :])
        errors[e] = g @ old_out[rows]
    return loss, errors


def _leave(w_in, bags, sent, sums, pending, p):  # type: ignore[no-untyped-def]
    """Position ``p`` goes out of reach: its rows get its pending change."""
    for r in bags[sent[p]]:
        w_in[r] += pending[p]
    del sums[p], pending[p]


def cbow_bag_job(
    ids: np.ndarray,
    remap: np.ndarray,
    keep: np.ndarray,
    alias: tuple[np.ndarray, np.ndarray],
    bags: Sequence[Sequence[int]],
    w_in: np.ndarray,
    w_out: np.ndarray,
    *,
    window: int,
    negative: int,
    cbow_mean: bool,
    group: int,
    paths: tuple | None = None,
    alpha: tuple[float, float],
    job_words: int,
    seed: int,
    stream: int,
) -> tuple[float, int, int]:
    """CBOW with bag inputs on one job, as :func:`~wordvec.train.kernels.fasttext.cbow_bag_job`.

    Centres go ``group`` at a time; a centre's input is the rows of its window words'
    bags pooled together (mean or sum), and every pooled row gains the centre's error
    (divided by the pool's size when summing). A position's bag sum is read when the
    position comes in reach (``window`` positions ahead of the group's last centre) and
    kept current by the errors of the centres that see it; its rows get those errors
    when it goes out of reach (``window`` positions behind the next group).

    Returns:
        ``(loss, examples, words)`` as the kernel returns them.
    """
    gen = XorShift(seed, stream)
    k = 0 if paths is not None else negative
    loss, examples, done = 0.0, 0, [0]
    for sent, rate in _trained_sentences(ids, remap, keep, gen, alpha, job_words, done):
        negs = [gen.draw(*alias) for _ in range(k)]
        sums: dict[int, np.ndarray] = {}  # position -> its bag's sum, kept current
        pending: dict[int, np.ndarray] = {}  # position -> the change its rows will get

        entered = 0
        for start in range(0, len(sent), group):
            centres = sent[start : start + group]
            spans = []
            for i in range(start, start + len(centres)):
                b = 1 + gen.below(window)
                spans.append([j for j in range(max(0, i - b), min(len(sent), i + b + 1)) if j != i])
            while entered < min(len(sent), start + len(centres) + window):
                sums[entered] = w_in[list(bags[sent[entered]])].sum(axis=0)
                pending[entered] = np.zeros(w_in.shape[1], np.float32)
                entered += 1
            sizes = [sum(len(bags[sent[p]]) for p in span) for span in spans]
            hidden = np.stack([sum(sums[p] for p in span) for span in spans]).astype(np.float32)
            if cbow_mean:
                hidden /= np.asarray(sizes, np.float32)[:, None]
            current = negs
            negs = [gen.draw(*alias) for _ in range(k)]
            lo_k, errors = outputs_update(hidden, w_out, centres, current, rate, paths)
            loss += lo_k
            for span, size, err in zip(spans, sizes, errors):
                change = err if cbow_mean else err / np.float32(size)
                for p in span:
                    pending[p] += change
                    sums[p] += len(bags[sent[p]]) * change
            for p in sorted(q for q in sums if q < start + len(centres) - window):
                _leave(w_in, bags, sent, sums, pending, p)
            examples += len(centres)
        for p in sorted(sums):
            _leave(w_in, bags, sent, sums, pending, p)
    return loss, examples, done[0]
