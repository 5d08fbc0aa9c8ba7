"""The job loops of bag inputs: fastText's subwords, and word2vec with hierarchical softmax.

A word's input is a *bag* of input rows: for fastText its own row and the rows of its
character n-grams (``vocab + bucket`` rows in one matrix, as fastText's ``input``
matrix); for word2vec the word's row alone. The loops read and subsample sentences and
draw windows with the word2vec pieces (:mod:`~wordvec.train.kernels.word2vec`), build
the examples as fastText does, and hand them to the negative-sampling update
(:func:`~wordvec.train.kernels.ns.ns_update`; skip-gram's one example at a time,
:func:`~wordvec.train.kernels.ns.ns_one`) or the hierarchical-softmax one
(:func:`~wordvec.train.kernels.hs.hs_update`):

- skip-gram: the bag of each centre word predicts every word of its window (one example
  per context word, each against its own negatives, one after the other);
- CBOW: the bags of the window words, pooled and averaged (or summed) together, predict
  the centre word; neighbouring centres share their negatives.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from wordvec.train.kernels.hs import Tree, hs_outputs, hs_update
from wordvec.train.kernels.ns import NSBatch, ns_batch, ns_one, ns_outputs
from wordvec.train.kernels.prefetch import prefetch_row
from wordvec.train.kernels.rng import seed_state
from wordvec.train.kernels.word2vec import (
    Job,
    Sampling,
    _context,
    _copy,
    _draw_ahead,
    _span,
    read_sentence,
)


class Bags(NamedTuple):
    """The input rows of every vocabulary word: word ``w`` has ``ids[offsets[w]:offsets[w+1]]``.

    Shape:
        ``ids``: ``(L,)`` int32 rows of the input matrix (the word's own row first);
        ``offsets``: ``(vocab + 1,)`` int64.
    """

    ids: np.ndarray
    offsets: np.ndarray


def word_bags(vocab: int) -> Bags:
    """Bags of one row each (word ``w``: row ``w``), word2vec's input.

    >>> word_bags(3).ids.tolist()
    [0, 1, 2]
    """
    return Bags(np.arange(vocab, dtype=np.int32), np.arange(vocab + 1, dtype=np.int64))


class BagScratch(NamedTuple):
    """Per-thread buffers of a bag job loop: the sentence, the next negatives, one
    window's words, the update's batch, and a centre's hidden vector (skip-gram: row 0
    is trained, row 1 keeps its value before the update); for CBOW, a ring of the
    sentence positions in reach of the current centres: each one's bag sum, its
    pending change and its bag size, and each centre's window ``[lo, hi)`` and pool size.

    Shape:
        ``hid``: ``(2, dim)`` float32; ``sums``, ``pending``: ``(ring, dim)`` float32;
        ``sizes``: ``(ring,)`` int64; ``spans``: ``(group, 3)`` int64.
    """

    sent: np.ndarray
    nxt: np.ndarray
    ctx: np.ndarray
    batch: NSBatch
    hid: np.ndarray
    sums: np.ndarray
    pending: np.ndarray
    sizes: np.ndarray
    spans: np.ndarray


def bag_scratch(
    sentence: int, examples: int, window: int, negative: int, dim: int, pooled: bool = False,
    depth: int = 0,
) -> BagScratch:  # fmt: skip
    """Allocate a bag job loop's buffers (per thread, outside the hot loop).

    ``examples`` is ``2 * window`` for skip-gram and the CBOW group size for CBOW;
    with ``pooled`` (CBOW) the ring holds the ``examples + 2 * window + 1`` positions a
    group of centres can reach; skip-gram trains one input row per example (the
    centre's hidden vector). ``negative`` is 0 for hierarchical softmax, and ``depth``
    its longest Huffman path (an example's path takes its dot products first when it
    fits, :func:`~wordvec.train.kernels.hs.hs_outputs`).

    >>> bag_scratch(100, 2, 5, 5, 8, pooled=True).sums.shape
    (13, 8)
    """
    ring = examples + 2 * window + 1 if pooled else 0
    return BagScratch(
        np.empty(sentence, np.int32),
        np.empty(negative, np.int32),
        np.empty(2 * window, np.int32),
        ns_batch(examples, examples, negative, dim, depth),
        np.zeros((2, dim), np.float32),
        np.zeros((ring, dim), np.float32),
        np.zeros((ring, dim), np.float32),
        np.zeros(ring, np.int64),
        np.zeros((examples, 3), np.int64),
    )


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _bag_sum(w_in: np.ndarray, bags: Bags, w: int, out: np.ndarray) -> int:
    """Write the sum of word ``w``'s bag rows into ``out`` (a row); return the bag's size."""
    lo, hi = bags.offsets[w], bags.offsets[w + 1]
    for d in range(w_in.shape[1]):
        out[d] = 0.0
    for m in range(lo, hi):
        r = bags.ids[m]
        for d in range(w_in.shape[1]):
            out[d] += w_in[r, d]
    return hi - lo


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _bag_add(w_in: np.ndarray, bags: Bags, w: int, change: np.ndarray) -> None:
    """Add ``change`` (a row) to every row of word ``w``'s bag."""
    for m in range(bags.offsets[w], bags.offsets[w + 1]):
        r = bags.ids[m]
        for d in range(w_in.shape[1]):
            w_in[r, d] += change[d]


@njit(cache=True, nogil=True, inline="always")
def _prefetch_bag(w_in: np.ndarray, bags: Bags, w: int) -> None:
    """Start loading the rows of word ``w``'s bag (the next centre's, ahead of its mean)."""
    for m in range(bags.offsets[w], bags.offsets[w + 1]):
        prefetch_row(w_in, bags.ids[m])


@njit(cache=True, nogil=True, fastmath=True)
def sg_bag_job(
    ids: np.ndarray, w_in: np.ndarray, w_out: np.ndarray, tables: Sampling, bags: Bags,
    tree: Tree, hs: bool, job: Job, window: int, scratch: BagScratch,
) -> tuple:  # fmt: skip
    """Train skip-gram with bag inputs on one job.

    For each kept centre word a window size ``b`` is drawn in ``1..window``; each of its
    ``<= 2b`` context words is one example, predicted by the mean of the centre's bag,
    one after the other, as fastText does: each against its own negatives (drawn one
    example ahead) or along its Huffman path (``hs``), each seeing the centre's input
    as the examples before it left it. The bag's mean is computed once per centre and
    trained as a one-row input matrix; its change (every example's error) is added to
    each row of the bag once: fastText's sums (it adds each example's error to every
    row and recomputes the mean), in ``1/(2b)`` of the row traffic. The next centre's
    bag rows are prefetched while this centre's examples train (they are random rows of
    a large n-gram table). ``batch.grad`` holds an example's dot products.

    Sharing one draw of negatives among a centre's examples (word2vec's skip-gram loop
    does, where the examples have different inputs) pushes the one shared input ``2b``
    times against the same few words: on bench-en it cost 15 analogy points against
    fastText (RESULTS.md).

    Returns:
        ``(loss, examples, words)``: float64 loss sum, (centre, context) pairs trained,
        in-vocabulary words read.

    Shape:
        ``ids``: ``(n,)`` int32; ``w_in``: ``(rows of the bags, dim)``; scratch from
        :func:`bag_scratch` with ``2 * window`` examples.
    """
    sent, nxt, ctx, batch, hid = scratch[:5]
    negs, err, sig, logsig = batch.negs, batch.err[0], tables.sig, tables.logsig
    dim = w_in.shape[1]
    state = seed_state(job.seed, job.stream)
    batch.inputs[0] = 0  # one example at a time: row 0 of hid
    batch.offsets[0] = 0
    batch.offsets[1] = 1
    pos, done, loss, examples = 0, 0, 0.0, 0
    while pos < ids.shape[0]:
        pos, slen, seen, state = read_sentence(ids, pos, tables.remap, tables.keep, state, sent)
        alpha = job.rate_start + (job.rate_end - job.rate_start) * (done / max(job.words, 1))
        done += seen
        if slen < 2:
            continue
        state = _draw_ahead(state, tables, nxt, w_out)
        for i in range(slen):
            n_ctx, state = _context(sent, slen, i, window, state, ctx, 0)
            inv = np.float32(1.0 / _bag_sum(w_in, bags, sent[i], hid[0]))
            for d in range(dim):  # the bag's mean, trained; row 1 keeps it as it starts
                hid[0, d] *= inv
                hid[1, d] = hid[0, d]
            if i + 1 < slen:
                _prefetch_bag(w_in, bags, sent[i + 1])
            for c in range(n_ctx):
                if hs:
                    batch.targets[0] = ctx[c]
                    loss += hs_update(hid, w_out, batch, 1, alpha, True, tree, sig, logsig)
                    continue
                _copy(nxt, negs)
                if i + 1 < slen or c + 1 < n_ctx:
                    state = _draw_ahead(state, tables, nxt, w_out)
                loss += ns_one(hid, w_out, ctx[c], negs, alpha, sig, logsig, err, batch.grad)
            for d in range(dim):  # the mean's change: every example's error
                hid[1, d] = hid[0, d] - hid[1, d]
            _bag_add(w_in, bags, sent[i], hid[1])
            examples += n_ctx
    return loss, examples, done


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _pool(sums, sizes, spans, c: int, i: int, mean: bool, hidden) -> None:
    """Centre ``c`` (position ``i``): ``hidden[c]`` = the sum (or mean) of the rows of its
    window ``spans[c, 0]:spans[c, 1]`` from the positions' bag sums; its pool's size into
    ``spans[c, 2]``."""
    ring, dim = sums.shape[0], sums.shape[1]
    n_in = 0
    for d in range(dim):
        hidden[c, d] = 0.0
    for p in range(spans[c, 0], spans[c, 1]):
        if p != i:
            n_in += sizes[p % ring]
            for d in range(dim):
                hidden[c, d] += sums[p % ring, d]
    if mean:
        inv = np.float32(1.0 / n_in)
        for d in range(dim):
            hidden[c, d] *= inv
    spans[c, 2] = n_in


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _spread(err, sums, pending, sizes, spans, c: int, i: int, mean: bool) -> None:
    """Centre ``c``'s error (divided by its pool's size when summing) becomes pending for
    every row of its window's positions; their bag sums grow by it once per row."""
    ring, dim = sums.shape[0], sums.shape[1]
    scale = np.float32(1.0) if mean else np.float32(1.0 / spans[c, 2])
    for p in range(spans[c, 0], spans[c, 1]):
        if p != i:
            q = p % ring
            grow = np.float32(sizes[q]) * scale
            for d in range(dim):
                pending[q, d] += scale * err[c, d]
                sums[q, d] += grow * err[c, d]


@njit(cache=True, nogil=True, fastmath=True)
def cbow_bag_job(
    ids: np.ndarray, w_in: np.ndarray, w_out: np.ndarray, tables: Sampling, bags: Bags,
    tree: Tree, hs: bool, job: Job, window: int, cbow_mean: bool, scratch: BagScratch,
) -> tuple:  # fmt: skip
    """Train CBOW with bag inputs on one job; neighbouring centres share their negatives.

    Centres go ``group`` at a time (``group``: the batch's ``targets.shape[0]``); each
    centre is one example whose input is the rows of the bags of its window words,
    pooled and averaged (``cbow_mean``, fastText's CBOW) or summed. Every row of the pool
    then gains the example's error (divided by the pool's size when summing).

    A window word's bag is read once, not once per centre that sees it: each sentence
    position in reach of the current centres keeps its bag's sum, kept current as the
    examples change its rows, and its pending change, added to its rows once, when the
    position goes out of reach (``window`` positions behind the next centre). Rows that
    two positions in reach share (a repeated word, a common n-gram) see each other's
    changes only then. This is 1/(2b) of the row traffic of pooling every window again.
    The bag rows of the next group's newcomers (random rows of a large n-gram table) and
    the output rows of its centres are prefetched while the current group trains (10%
    and 7% of a fit's time, RESULTS.md).

    Returns:
        ``(loss, examples, words)``: float64 loss sum, centre words trained,
        in-vocabulary words read.
    """
    sent, nxt, batch = scratch.sent, scratch.nxt, scratch.batch
    sums, pending, sizes, spans = scratch.sums, scratch.pending, scratch.sizes, scratch.spans
    group, ring = batch.targets.shape[0], sums.shape[0]
    hidden, err, sig, logsig = batch.hidden, batch.err, tables.sig, tables.logsig
    state = seed_state(job.seed, job.stream)
    pos, done, loss, examples = 0, 0, 0.0, 0
    while pos < ids.shape[0]:
        pos, slen, seen, state = read_sentence(ids, pos, tables.remap, tables.keep, state, sent)
        alpha = job.rate_start + (job.rate_end - job.rate_start) * (done / max(job.words, 1))
        done += seen
        if slen < 2:
            continue
        state = _draw_ahead(state, tables, nxt, w_out)
        entered, left = 0, 0
        for start in range(0, slen, group):
            n_c = min(group, slen - start)
            for c in range(n_c):
                spans[c, 0], spans[c, 1], state = _span(slen, start + c, window, state)
                batch.targets[c] = sent[start + c]
            while entered < min(slen, start + n_c + window):
                q = entered % ring  # a position comes in reach: its bag's sum, nothing pending
                sizes[q] = _bag_sum(w_in, bags, sent[entered], sums[q])
                pending[q, :] = 0.0
                entered += 1
            for p in range(entered, min(slen, entered + group)):  # the next group's newcomers
                _prefetch_bag(w_in, bags, sent[p])
            for p in range(start + n_c, min(slen, start + n_c + group)):  # next targets
                prefetch_row(w_out, sent[p])
            for c in range(n_c):
                _pool(sums, sizes, spans, c, start + c, cbow_mean, hidden)
            if hs:
                loss += hs_outputs(w_out, batch, n_c, alpha, tree, sig, logsig)
            else:
                _copy(nxt, batch.negs)
                state = _draw_ahead(state, tables, nxt, w_out)
                loss += ns_outputs(w_out, batch, n_c, alpha, sig, logsig)
            for c in range(n_c):
                _spread(err, sums, pending, sizes, spans, c, start + c, cbow_mean)
            while left < min(entered, start + n_c - window):
                _bag_add(w_in, bags, sent[left], pending[left % ring])  # out of reach
                left += 1
            examples += n_c
        while left < entered:
            _bag_add(w_in, bags, sent[left], pending[left % ring])
            left += 1
    return loss, examples, done


__all__ = ["BagScratch", "Bags", "bag_scratch", "cbow_bag_job", "sg_bag_job", "word_bags"]
