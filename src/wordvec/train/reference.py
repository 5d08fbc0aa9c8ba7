"""Slow, readable NumPy versions of the word2vec updates, to check the numba kernels.

They compute exactly what :func:`wordvec.train.kernels.ns.ns_update` computes for
skip-gram and CBOW examples, written as small matrix products, and what the job loops
of :mod:`wordvec.train.kernels.word2vec` do with the same generator (:class:`XorShift`):
all dot products use the weights as they were before the update, then the gradients
are added (repeated rows accumulate, as with ``np.add.at``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from wordvec.train.kernels.tables import MAX_EXP, TABLE_SIZE, sigmoid_tables


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


# --------------------------------------------------------------------------- job loops

_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_MULT = 2685821657736338717


class XorShift:
    """The kernels' xorshift64* generator in plain Python integers.

    >>> g = XorShift(1, 0)
    >>> 0 <= g.below(10) < 10
    True
    """

    def __init__(self, seed: int, stream: int) -> None:
        z = (seed * _GOLDEN + stream * _MIX2 + _GOLDEN) & _M64
        z = ((z ^ (z >> 30)) * _MIX1) & _M64
        z = ((z ^ (z >> 27)) * _MIX2) & _M64
        z ^= z >> 31
        self.state = z or _GOLDEN

    def step(self) -> int:
        """Advance the state; return the scrambled 64-bit output ``state * MULT``."""
        s = self.state
        s ^= s >> 12
        s = (s ^ (s << 25)) & _M64
        s ^= s >> 27
        self.state = s
        return (s * _MULT) & _M64

    def below(self, n: int) -> int:
        """Return an integer in ``[0, n)`` from the high 32 bits of the next output."""
        return ((self.step() >> 32) * n) >> 32

    def draw(self, alias_thr: np.ndarray, alias_idx: np.ndarray) -> int:
        """Draw one index from a Walker alias table (thresholds scaled to 2**32)."""
        r = self.step()
        i = ((r >> 32) * len(alias_thr)) >> 32
        return i if (r & 0xFFFFFFFF) < alias_thr[i] else int(alias_idx[i])


def hashed_uniforms(seed: int, stream: int, n: int) -> np.ndarray:
    """:func:`wordvec.train.kernels.rng.hashed_uniforms` in NumPy's uint32 arithmetic
    (which wraps modulo 2**32): the hash of ``key + j * 0x9E3779B9`` for ``j < n``, its
    top 24 bits over 2**24, with ``key`` the low 32 bits of the seeded state.

    >>> bool((hashed_uniforms(1, 0, 3) < 1).all())
    True
    """
    x = np.uint32(XorShift(seed, stream).state & 0xFFFFFFFF) + np.arange(
        n, dtype=np.uint32
    ) * np.uint32(0x9E3779B9)
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return (x >> np.uint32(8)).astype(np.float32) * np.float32(2.0**-24)


def uniform_matrix(rows: int, dim: int, low: float, high: float, seed: int) -> np.ndarray:
    """:func:`wordvec.train.kernels.init.uniform_matrix`, one value at a time.

    Block ``b`` of ``block`` rows draws from ``XorShift(seed, b)``; each value is
    ``low + (high - low) * (top 24 bits of the output) / 2**24``, in float32.

    >>> uniform_matrix(2, 3, 0.0, 1.0, seed=1).shape
    (2, 3)
    """
    from wordvec.train.kernels.init import BLOCK_ROWS

    out = np.empty((rows, dim), dtype=np.float32)
    span, lo = np.float32(high - low), np.float32(low)
    for r in range(rows):
        if r % BLOCK_ROWS == 0:
            gen = XorShift(seed, r // BLOCK_ROWS)
        for d in range(dim):
            u = np.float32(gen.step() >> 40) * np.float32(2.0**-24)
            out[r, d] = lo + span * u
    return out


def _trained_sentences(
    ids: np.ndarray,
    remap: np.ndarray,
    keep: np.ndarray,
    gen: XorShift,
    alpha: tuple[float, float],
    job_words: int,
    done: list[int],
) -> Iterator[tuple[list[int], float]]:
    """Yield ``(sentence, rate)`` for each sentence of at least 2 kept words.

    The rate goes linearly from ``alpha[0]`` to ``alpha[1]`` over ``job_words`` words,
    set at each sentence start; ``done[0]`` counts the in-vocabulary words read.
    """
    for sent, seen in sentences(ids, remap, keep, gen):
        rate = alpha[0] + (alpha[1] - alpha[0]) * (done[0] / max(job_words, 1))
        done[0] += seen
        if len(sent) >= 2:
            yield sent, rate


def _window(gen: XorShift, sent: list[int], i: int, window: int) -> list[int]:
    b = 1 + gen.below(window)
    return [sent[j] for j in range(max(0, i - b), min(len(sent), i + b + 1)) if j != i]


def sg_job(
    ids: np.ndarray,
    remap: np.ndarray,
    keep: np.ndarray,
    alias: tuple[np.ndarray, np.ndarray],
    w_in: np.ndarray,
    w_out: np.ndarray,
    *,
    window: int,
    negative: int,
    alpha: tuple[float, float],
    job_words: int,
    seed: int,
    stream: int,
) -> tuple[float, int, int]:
    """Skip-gram on one job, as the job kernel does it, with :func:`sgns_update`.

    For each kept centre: its window size is drawn, then the negatives of the *next*
    centre (the kernel draws them one centre ahead). The rate goes linearly from
    ``alpha[0]`` to ``alpha[1]`` over ``job_words`` words, set at each sentence start.

    Returns:
        ``(loss, examples, words)`` as the kernel returns them.
    """
    gen = XorShift(seed, stream)
    loss, examples, done = 0.0, 0, [0]
    for sent, rate in _trained_sentences(ids, remap, keep, gen, alpha, job_words, done):
        negs = [gen.draw(*alias) for _ in range(negative)]
        for i, centre in enumerate(sent):
            ctx = _window(gen, sent, i, window)
            current = negs
            if i + 1 < len(sent):
                negs = [gen.draw(*alias) for _ in range(negative)]
            loss += sgns_update(w_in, w_out, ctx, centre, current, rate)
            examples += len(ctx)
    return loss, examples, done[0]


def cbow_job(
    ids: np.ndarray,
    remap: np.ndarray,
    keep: np.ndarray,
    alias: tuple[np.ndarray, np.ndarray],
    w_in: np.ndarray,
    w_out: np.ndarray,
    *,
    window: int,
    negative: int,
    cbow_mean: bool,
    group: int,
    alpha: tuple[float, float],
    job_words: int,
    seed: int,
    stream: int,
) -> tuple[float, int, int]:
    """CBOW on one job, as the job kernel does it, with :func:`cbow_update`.

    Centres go ``group`` at a time; each group's negatives were drawn before the group
    (the first at the sentence start, the next right after each group's windows).

    Returns:
        ``(loss, examples, words)`` as the kernel returns them.
    """
    gen = XorShift(seed, stream)
    loss, examples, done = 0.0, 0, [0]
    for sent, rate in _trained_sentences(ids, remap, keep, gen, alpha, job_words, done):
        negs = [gen.draw(*alias) for _ in range(negative)]
        for start in range(0, len(sent), group):
            centres = sent[start : start + group]
            contexts = [_window(gen, sent, i, window) for i in range(start, start + len(centres))]
            current = negs
            negs = [gen.draw(*alias) for _ in range(negative)]
            loss += cbow_update(w_in, w_out, contexts, centres, current, rate, cbow_mean)
            examples += len(centres)
    return loss, examples, done[0]


def sentences(
    ids: np.ndarray, remap: np.ndarray, keep: np.ndarray, gen: XorShift
) -> Iterator[tuple[list[int], int]]:
    """Yield ``(kept word ids, in-vocabulary words)`` per sentence of a job (ends at -1).

    Words are remapped (``remap < 0`` drops them) and subsampled (kept when the high 32
    bits of a draw are below ``keep[word]``); lazily, so the draws interleave with the
    training draws exactly as in the kernels.
    """
    sent: list[int] = []
    seen = 0
    n = len(ids)
    for pos, tok in enumerate(ids.tolist()):
        if tok >= 0 and remap[tok] >= 0:
            w = int(remap[tok])
            seen += 1
            if keep[w] >= 2**32 or (gen.step() >> 32) < keep[w]:
                sent.append(w)
        if tok < 0 or pos == n - 1:
            yield sent, seen
            sent, seen = [], 0
