"""The word2vec job loops: read a job's sentences, build examples, call the NS update.

A *job* is a block of raw word ids with -1 between sentences. A job loop remaps and
subsamples each sentence, draws each centre's window size, gathers the examples of
skip-gram (one per context word) or CBOW (one per centre) into an
:class:`~wordvec.train.kernels.ns.NSBatch` and hands them to
:func:`~wordvec.train.kernels.ns.ns_update` (skip-gram, whose examples share their
target, to its special case :func:`~wordvec.train.kernels.ns.ns_shared`). Negatives
are drawn one step ahead and their output rows prefetched, so the random row fetches
overlap the arithmetic.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from wordvec.train.kernels.ns import NSBatch, ns_batch, ns_shared, ns_update
from wordvec.train.kernels.prefetch import prefetch_row
from wordvec.train.kernels.rng import ONE32, below, high32, next_state, seed_state
from wordvec.train.kernels.tables import draw


class Sampling(NamedTuple):
    """The tables of one fit that every job reads.

    Shape:
        ``remap``: ``(provisional ids,)`` int32 (vocabulary id or -1);
        ``keep``: ``(vocab,)`` int64 subsampling thresholds (``2**32``: always kept);
        ``alias_thr``, ``alias_idx``: ``(vocab,)`` negative-sampling alias table;
        ``sig``, ``logsig``: ``(TABLE_SIZE,)`` float32 sigmoid tables.
    """

    remap: np.ndarray
    keep: np.ndarray
    alias_thr: np.ndarray
    alias_idx: np.ndarray
    sig: np.ndarray
    logsig: np.ndarray


class Job(NamedTuple):
    """One work item: its rate at start and end, in-vocabulary words, and its seed.

    The rate goes linearly from ``rate_start`` to ``rate_end`` over the job's ``words``;
    the draws come from the generator seeded with ``(seed, stream)``.
    """

    rate_start: float
    rate_end: float
    words: int
    seed: int
    stream: int


class Scratch(NamedTuple):
    """Per-thread buffers of a job loop: the sentence, the next negatives, the batch."""

    sent: np.ndarray
    nxt: np.ndarray
    batch: NSBatch


def job_scratch(sentence: int, examples: int, inputs: int, negative: int, dim: int) -> Scratch:
    """Allocate a job loop's buffers (done per thread, outside the hot loop).

    >>> job_scratch(100, 10, 10, 5, 8).sent.shape
    (100,)
    """
    return Scratch(
        np.empty(sentence, np.int32),
        np.empty(negative, np.int32),
        ns_batch(examples, inputs, negative, dim),
    )


@njit(cache=True, nogil=True)
def read_sentence(
    ids: np.ndarray, pos: int, remap: np.ndarray, keep: np.ndarray, state: np.uint64,
    sent: np.ndarray,
) -> tuple:  # fmt: skip
    """Read one sentence from ``ids[pos:]`` (ends at a -1 or the end of the array).

    Word ids are remapped (``remap[id] < 0`` drops a word) and subsampled (kept when a
    uniform 32-bit integer is below ``keep[word]``). Returns
    ``(next position, sentence length, in-vocabulary words read, state)``.
    """
    n = ids.shape[0]
    slen = 0
    seen = 0
    while pos < n:
        tok = ids[pos]
        pos += 1
        if tok < 0:
            break
        w = remap[tok]
        if w < 0:
            continue
        seen += 1
        k = keep[w]
        if k < ONE32:
            state = next_state(state)
            if high32(state) >= k:
                continue
        sent[slen] = w
        slen += 1
    return pos, slen, seen, state


@njit(cache=True, nogil=True, inline="always")
def _span(slen: int, i: int, window: int, state: np.uint64) -> tuple:
    """Draw centre ``i``'s window size ``b`` in 1..window; return ``(lo, hi, state)``, the
    positions ``lo:hi`` it covers (the centre included), clipped to the sentence."""
    state = next_state(state)
    b = 1 + below(state, window)
    return max(0, i - b), min(slen, i + b + 1), state


@njit(cache=True, nogil=True, inline="always")
def _context(
    sent: np.ndarray, slen: int, i: int, window: int, state: np.uint64, out: np.ndarray, n: int
) -> tuple:
    """Append the context of centre ``i`` (window size drawn in 1..window) to ``out[n:]``;
    return ``(new n, state)``."""
    lo, hi, state = _span(slen, i, window, state)
    for j in range(lo, hi):
        if j != i:
            out[n] = sent[j]
            n += 1
    return n, state


@njit(cache=True, nogil=True, inline="always")
def _draw_ahead(
    state: np.uint64, tables: Sampling, nxt: np.ndarray, w_out: np.ndarray
) -> np.uint64:
    """Draw the next negatives into ``nxt`` and prefetch their output rows; return state."""
    for k in range(nxt.shape[0]):
        t, state = draw(state, tables.alias_thr, tables.alias_idx)
        nxt[k] = t
        prefetch_row(w_out, t)
    return state


@njit(cache=True, nogil=True, inline="always")
def _copy(src: np.ndarray, dst: np.ndarray) -> None:
    """Copy ``src`` into ``dst`` element by element (a slice copy would allocate)."""
    for k in range(src.shape[0]):
        dst[k] = src[k]


@njit(cache=True, nogil=True)
def sg_job(
    ids: np.ndarray, w_in: np.ndarray, w_out: np.ndarray, tables: Sampling, job: Job,
    window: int, scratch: Scratch,
) -> tuple:  # fmt: skip
    """Train skip-gram on one job.

    For each kept centre word a window size ``b`` is drawn in ``1..window``; each of
    its ``<= 2b`` context words is one example predicting the centre, all against the
    same ``negative`` negatives (``scratch.nxt.shape[0]``).

    Returns:
        ``(loss, examples, words)``: float64 loss sum, (centre, context) pairs
        trained, in-vocabulary words read.

    Shape:
        ``ids``: ``(n,)`` int32; scratch from :func:`job_scratch` with at least
        ``2 * window`` examples and inputs.
    """
    sent, nxt, batch = scratch
    # unpacked once: handing the batch to the update per centre word costs ~15%
    ctx, negs, grad, err = batch.inputs, batch.negs, batch.grad, batch.err
    sig, logsig = tables.sig, tables.logsig
    state = seed_state(job.seed, job.stream)
    pos, done, loss, examples = 0, 0, 0.0, 0
    while pos < ids.shape[0]:
        pos, slen, seen, state = read_sentence(ids, pos, tables.remap, tables.keep, state, sent)
        alpha = job.rate_start + (job.rate_end - job.rate_start) * (done / max(job.words, 1))
        done += seen
        if slen < 2:
            continue
        state = _draw_ahead(state, tables, nxt, w_out)
        prefetch_row(w_out, sent[0])
        for i in range(slen):
            n_ctx, state = _context(sent, slen, i, window, state, ctx, 0)
            _copy(nxt, negs)
            if i + 1 < slen:
                prefetch_row(w_out, sent[i + 1])
                state = _draw_ahead(state, tables, nxt, w_out)
            if i + window + 1 < slen:
                prefetch_row(w_in, sent[i + window + 1])
            loss += ns_shared(w_in, w_out, ctx, n_ctx, sent[i], negs, alpha, sig, logsig, grad, err)
            examples += n_ctx
    return loss, examples, done


@njit(cache=True, nogil=True)
def cbow_job(
    ids: np.ndarray, w_in: np.ndarray, w_out: np.ndarray, tables: Sampling, job: Job,
    window: int, cbow_mean: bool, scratch: Scratch,
) -> tuple:  # fmt: skip
    """Train CBOW on one job; neighbouring centre words share their negatives.

    Centres are taken ``group`` at a time along each sentence, ``group`` being the
    batch size of ``scratch`` (``targets.shape[0]``); each centre is one example whose
    input rows are its window, averaged (``cbow_mean``) or summed.

    Returns:
        ``(loss, examples, words)``: float64 loss sum, centre words trained,
        in-vocabulary words read.

    Shape:
        scratch from :func:`job_scratch` with ``group`` examples and
        ``group * 2 * window`` inputs.
    """
    sent, nxt, batch = scratch
    group = batch.targets.shape[0]
    state = seed_state(job.seed, job.stream)
    pos, done, loss, examples = 0, 0, 0.0, 0
    while pos < ids.shape[0]:
        pos, slen, seen, state = read_sentence(ids, pos, tables.remap, tables.keep, state, sent)
        alpha = job.rate_start + (job.rate_end - job.rate_start) * (done / max(job.words, 1))
        done += seen
        if slen < 2:
            continue
        state = _draw_ahead(state, tables, nxt, w_out)
        for start in range(0, slen, group):
            n_c = min(group, slen - start)
            n_in = 0
            for c in range(n_c):
                n_in, state = _context(sent, slen, start + c, window, state, batch.inputs, n_in)
                batch.targets[c] = sent[start + c]
                batch.offsets[c + 1] = n_in
            _copy(nxt, batch.negs)
            state = _draw_ahead(state, tables, nxt, w_out)
            for q in range(start + group, min(start + 2 * group, slen)):
                prefetch_row(w_out, sent[q])
            for q in range(start + group + window, min(start + 2 * group + window, slen)):
                prefetch_row(w_in, sent[q])
            loss += ns_update(w_in, w_out, batch, n_c, alpha, cbow_mean, tables.sig, tables.logsig)
            examples += n_c
    return loss, examples, done


@njit(cache=True, nogil=True)
def count_job_words(ids: np.ndarray, remap: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Count the in-vocabulary words (``remap[id] >= 0``) of each job ``bounds[j]:bounds[j+1]``.

    Shape:
        ``ids``: ``(n,)``; ``bounds``: ``(jobs + 1,)``; returns ``(jobs,)`` int64.

    >>> count_job_words(np.array([0, 1, -1, 2]), np.array([0, -1, 1]), np.array([0, 4])).tolist()
    [2]
    """
    out = np.zeros(bounds.shape[0] - 1, dtype=np.int64)
    for j in range(bounds.shape[0] - 1):
        c = 0
        for p in range(bounds[j], bounds[j + 1]):
            t = ids[p]
            if t >= 0 and remap[t] >= 0:
                c += 1
        out[j] = c
    return out


__all__ = ["Job", "Sampling", "Scratch", "cbow_job", "count_job_words", "job_scratch", "sg_job"]
