"""Numba kernels for word2vec training with negative sampling.

Kernels know arrays, not objects: every function here takes plain NumPy arrays and
scalars, allocates nothing in its hot loop (the caller passes per-thread scratch
buffers) and releases the GIL, so several Python threads can run them at once on the
same weight matrices (lock-free "Hogwild" updates, as in the C tool and gensim).

The slow, readable NumPy versions of the two updates live in
:mod:`wordvec.train.reference`; the tests compare both on fixed cases.

Random numbers come from a xorshift64* generator whose 64-bit state is threaded
through the kernels explicitly (never numba's global ``np.random``), so a job seeded
with the same value always makes the same draws.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: Dot products beyond +-MAX_EXP saturate the sigmoid (as in the C tool).
MAX_EXP = 6.0
#: Entries of the precomputed sigmoid and log-sigmoid tables.
TABLE_SIZE = 1000

_U32 = np.uint64(0xFFFFFFFF)
_S12 = np.uint64(12)
_S25 = np.uint64(25)
_S27 = np.uint64(27)
_S32 = np.uint64(32)
_MULT = np.uint64(2685821657736338717)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27b = np.uint64(27)
_S31 = np.uint64(31)


@intrinsic
def prefetch_row(typingctx, arr, row):  # type: ignore[no-untyped-def]
    """Ask the CPU to start loading row ``row`` of the C-contiguous 2-D array ``arr``.

    An LLVM ``prefetch`` hint on each 64-byte line of the row (up to 1 KiB); it never
    faults and changes no value, it only hides the latency of the random row fetches
    that bound word2vec training.
    """
    sig = types.void(arr, row)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        aryty, rowty = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        shape = cgutils.unpack_tuple(builder, ary.shape)
        strides = cgutils.unpack_tuple(builder, ary.strides)
        r = context.cast(builder, args[1], rowty, types.intp)
        zero = context.get_constant(types.intp, 0)
        ptr = cgutils.get_item_pointer2(
            context, builder, ary.data, shape, strides, aryty.layout, [r, zero]
        )
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        base = builder.bitcast(ptr, i8p)
        nbytes = builder.mul(shape[1], context.get_constant(types.intp, aryty.dtype.bitwidth // 8))
        for offset in range(0, 1024, 64):
            off = context.get_constant(types.intp, offset)
            with builder.if_then(builder.icmp_signed("<", off, nbytes)):
                line = builder.gep(base, [off])
                builder.call(fn, [line, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


def sigmoid_tables() -> tuple[np.ndarray, np.ndarray]:
    """Return the float32 tables of ``sigmoid(x)`` and ``log(sigmoid(x))`` on [-MAX_EXP, MAX_EXP].

    Entry ``i`` holds the value at the centre of bin ``i`` of ``TABLE_SIZE`` equal bins.

    Shape:
        Both tables have shape ``(TABLE_SIZE,)``.

    >>> sig, logsig = sigmoid_tables()
    >>> bool(abs(sig[TABLE_SIZE // 2] - 0.5) < 0.01)
    True
    """
    x = (np.arange(TABLE_SIZE, dtype=np.float64) + 0.5) / TABLE_SIZE * 2.0 * MAX_EXP - MAX_EXP
    sig = 1.0 / (1.0 + np.exp(-x))
    return sig.astype(np.float32), np.log(sig).astype(np.float32)


@njit(cache=True, nogil=True)
def seed_state(seed: int, stream: int) -> np.uint64:
    """Return a non-zero xorshift64* state for ``(seed, stream)`` (splitmix64 mixing)."""
    z = np.uint64(seed) * _GOLDEN + np.uint64(stream) * _MIX2 + _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27b)) * _MIX2
    z = z ^ (z >> _S31)
    if z == np.uint64(0):
        z = _GOLDEN
    return z


@njit(cache=True, nogil=True, inline="always")
def _next(state: np.uint64) -> np.uint64:
    state ^= state >> _S12
    state ^= state << _S25
    state ^= state >> _S27
    return state


@njit(cache=True, nogil=True, inline="always")
def _below(r: np.uint64, n: int) -> int:
    """Map the high 32 bits of a random word to an integer in [0, n)."""
    return int(((r * _MULT) >> _S32) * np.uint64(n) >> _S32)


@njit(cache=True, nogil=True, inline="always")
def _draw(state: np.uint64, alias_thr: np.ndarray, alias_idx: np.ndarray) -> tuple:
    """Draw one word from the alias table; return (word, new state)."""
    state = _next(state)
    r = state * _MULT
    i = int(((r >> _S32) * np.uint64(alias_thr.shape[0])) >> _S32)
    if np.int64(r & _U32) < alias_thr[i]:
        return i, state
    return alias_idx[i], state


@njit(cache=True, nogil=True)
def build_alias(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Build a Walker/Vose alias table to draw index ``i`` with probability ``weights[i]/sum``.

    Args:
        weights: Non-negative float64 weights, at least one positive.

    Returns:
        ``(thresholds, alias)``: int64 thresholds scaled to ``2**32`` and int32 alias
        indices. Draw ``i`` uniformly, then keep ``i`` if a uniform 32-bit integer is
        below ``thresholds[i]``, else take ``alias[i]``.

    Shape:
        ``weights``: ``(n,)``; both outputs ``(n,)``.
    """
    n = weights.shape[0]
    total = weights.sum()
    prob = weights * (n / total)
    alias = np.arange(n).astype(np.int32)
    thr = np.empty(n, dtype=np.int64)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    ns = 0
    nl = 0
    for i in range(n):
        if prob[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s = small[ns]
        g = large[nl - 1]
        alias[s] = g
        thr[s] = np.int64(prob[s] * 4294967296.0)
        prob[g] = (prob[g] + prob[s]) - 1.0
        if prob[g] < 1.0:
            nl -= 1
            small[ns] = g
            ns += 1
    for k in range(nl):
        thr[large[k]] = np.int64(4294967296)
    for k in range(ns):
        thr[small[k]] = np.int64(4294967296)
    return thr, alias


@njit(cache=True, nogil=True, inline="always")
def _sigmoid_and_loss(f: float, label: float, sig: np.ndarray, logsig: np.ndarray) -> tuple:
    """Return ``(sigmoid(f), -log(sigmoid(f if label else -f)))`` via the tables."""
    if f >= MAX_EXP:
        s = np.float32(1.0)
        loss = 0.0 if label > 0.5 else f + math.log1p(math.exp(-f))
    elif f <= -MAX_EXP:
        s = np.float32(0.0)
        loss = -f + math.log1p(math.exp(f)) if label > 0.5 else 0.0
    else:
        scale = TABLE_SIZE / (2.0 * MAX_EXP)
        s = sig[int((f + MAX_EXP) * scale)]
        if label > 0.5:
            loss = -logsig[int((f + MAX_EXP) * scale)]
        else:
            j = int((MAX_EXP - f) * scale)
            if j >= TABLE_SIZE:
                j = TABLE_SIZE - 1
            loss = -logsig[j]
    return s, loss


@njit(cache=True, nogil=True, fastmath=True)
def sg_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    ctx: np.ndarray,
    n_ctx: int,
    targets: np.ndarray,
    n_targets: int,
    alpha: float,
    sig: np.ndarray,
    logsig: np.ndarray,
    grad: np.ndarray,
    dctx: np.ndarray,
) -> float:
    """One skip-gram update for a centre word, negatives shared across its window.

    The input rows of the ``n_ctx`` context words each predict ``targets[0]`` (the
    centre word, label 1) against ``targets[1:n_targets]`` (negatives, label 0;
    entries < 0 are skipped). All dot products use the weights as they were on entry;
    the gradients are then added, so repeated rows accumulate (like ``np.add.at``).

    Args:
        w_in, w_out: Float32 input and output weights, updated in place.
        ctx: Int32 context word ids (first ``n_ctx`` used).
        targets: Int32 ids: centre word then negatives (first ``n_targets`` used).
        alpha: Learning rate.
        sig, logsig: Tables from :func:`sigmoid_tables`.
        grad: Float32 scratch of at least ``n_ctx * n_targets`` entries.
        dctx: Float32 scratch of shape at least ``(n_ctx, dim)``.

    Returns:
        The loss ``sum(-log sigmoid(+-dot))`` of the update, in float64.

    Shape:
        ``w_in``: ``(vocab, dim)``; ``w_out``: ``(vocab, dim)``.
    """
    dim = w_in.shape[1]
    loss = 0.0
    for a in range(n_ctx):
        ra = ctx[a]
        for k in range(n_targets):
            t = targets[k]
            if t < 0:
                grad[a * n_targets + k] = 0.0
                continue
            f = np.float32(0.0)
            for d in range(dim):
                f += w_in[ra, d] * w_out[t, d]
            label = 1.0 if k == 0 else 0.0
            s, lo = _sigmoid_and_loss(f, label, sig, logsig)
            loss += lo
            grad[a * n_targets + k] = np.float32((label - s) * alpha)
    for a in range(n_ctx):
        for d in range(dim):
            dctx[a, d] = 0.0
        for k in range(n_targets):
            t = targets[k]
            if t < 0:
                continue
            g = grad[a * n_targets + k]
            for d in range(dim):
                dctx[a, d] += g * w_out[t, d]
    for k in range(n_targets):
        t = targets[k]
        if t < 0:
            continue
        for a in range(n_ctx):
            g = grad[a * n_targets + k]
            ra = ctx[a]
            for d in range(dim):
                w_out[t, d] += g * w_in[ra, d]
    for a in range(n_ctx):
        ra = ctx[a]
        for d in range(dim):
            w_in[ra, d] += dctx[a, d]
    return loss


@njit(cache=True, nogil=True, fastmath=True)
def cbow_update(
    w_in: np.ndarray,
    w_out: np.ndarray,
    ctx: np.ndarray,
    ctx_start: np.ndarray,
    centres: np.ndarray,
    n_centres: int,
    negs: np.ndarray,
    n_negs: int,
    alpha: float,
    cbow_mean: bool,
    sig: np.ndarray,
    logsig: np.ndarray,
    hidden: np.ndarray,
    err: np.ndarray,
    grad: np.ndarray,
) -> float:
    """One CBOW update for a group of centre words sharing the same negatives.

    Centre ``c`` has the context ids ``ctx[ctx_start[c]:ctx_start[c + 1]]`` (non-empty);
    their input rows are averaged (``cbow_mean``) or summed into ``hidden[c]``, which
    predicts ``centres[c]`` (label 1) against ``negs[:n_negs]`` (label 0; a negative
    equal to the centre is skipped for that centre). Dot products use the weights as
    they were on entry; then the output rows get ``g * hidden`` and every context row
    gets the full error of its centre (divided by the context size when summing, as
    gensim does).

    Args:
        w_in, w_out: Float32 weights, updated in place.
        ctx, ctx_start: Int32 context ids and int64 offsets (``n_centres + 1`` used).
        centres: Int32 centre ids; ``negs``: int32 shared negative ids.
        alpha: Learning rate. ``cbow_mean``: average (True) or sum the context rows.
        sig, logsig: Tables from :func:`sigmoid_tables`.
        hidden, err: Float32 scratch of shape at least ``(n_centres, dim)``.
        grad: Float32 scratch of at least ``n_centres * (n_negs + 1)`` entries.

    Returns:
        The loss of the update, in float64.

    Shape:
        ``w_in``: ``(vocab, dim)``; ``w_out``: ``(vocab, dim)``.
    """
    dim = w_in.shape[1]
    nt = n_negs + 1
    loss = 0.0
    for c in range(n_centres):
        lo_c = ctx_start[c]
        hi_c = ctx_start[c + 1]
        for d in range(dim):
            hidden[c, d] = 0.0
        for m in range(lo_c, hi_c):
            r = ctx[m]
            for d in range(dim):
                hidden[c, d] += w_in[r, d]
        if cbow_mean:
            inv = np.float32(1.0 / (hi_c - lo_c))
            for d in range(dim):
                hidden[c, d] *= inv
        for d in range(dim):
            err[c, d] = 0.0
        w = centres[c]
        for k in range(nt):
            t = w if k == 0 else negs[k - 1]
            if k > 0 and t == w:
                grad[c * nt + k] = 0.0
                continue
            f = np.float32(0.0)
            for d in range(dim):
                f += hidden[c, d] * w_out[t, d]
            label = 1.0 if k == 0 else 0.0
            s, lo = _sigmoid_and_loss(f, label, sig, logsig)
            loss += lo
            g = np.float32((label - s) * alpha)
            grad[c * nt + k] = g
            for d in range(dim):
                err[c, d] += g * w_out[t, d]
        if not cbow_mean:
            inv = np.float32(1.0 / (hi_c - lo_c))
            for d in range(dim):
                err[c, d] *= inv
    for c in range(n_centres):
        w = centres[c]
        g = grad[c * nt]
        for d in range(dim):
            w_out[w, d] += g * hidden[c, d]
    for k in range(1, nt):
        t = negs[k - 1]
        for c in range(n_centres):
            g = grad[c * nt + k]
            if g == 0.0:
                continue
            for d in range(dim):
                w_out[t, d] += g * hidden[c, d]
    for c in range(n_centres):
        for m in range(ctx_start[c], ctx_start[c + 1]):
            r = ctx[m]
            for d in range(dim):
                w_in[r, d] += err[c, d]
    return loss


@njit(cache=True, nogil=True)
def _read_sentence(
    ids: np.ndarray,
    pos: int,
    remap: np.ndarray,
    keep: np.ndarray,
    state: np.uint64,
    sent: np.ndarray,
) -> tuple:
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
        if k < np.int64(4294967296):
            state = _next(state)
            if np.int64((state * _MULT) >> _S32) >= k:
                continue
        sent[slen] = w
        slen += 1
    return pos, slen, seen, state


@njit(cache=True, nogil=True)
def train_sg_job(
    ids: np.ndarray,
    remap: np.ndarray,
    keep: np.ndarray,
    alias_thr: np.ndarray,
    alias_idx: np.ndarray,
    w_in: np.ndarray,
    w_out: np.ndarray,
    window: int,
    negative: int,
    alpha_start: float,
    alpha_end: float,
    job_words: int,
    seed: int,
    stream: int,
    sig: np.ndarray,
    logsig: np.ndarray,
    sent: np.ndarray,
    ctx: np.ndarray,
    targets: np.ndarray,
    grad: np.ndarray,
    dctx: np.ndarray,
) -> tuple:
    """Train skip-gram on one job: a block of raw word ids with -1 between sentences.

    The learning rate goes linearly from ``alpha_start`` to ``alpha_end`` over the
    ``job_words`` in-vocabulary words of the job. For each kept centre word a window
    size ``b`` is drawn in ``1..window``, ``negative`` negatives are drawn once, and
    :func:`sg_update` trains the ``<= 2b`` context words against them. The negatives
    of the next centre are drawn one step ahead and their output rows prefetched, with
    the next centre's output row and the input row entering the window, so the random
    row fetches overlap the arithmetic.

    Returns:
        ``(loss, examples, words)``: float64 loss sum, number of (centre, context)
        pairs trained, in-vocabulary words read.

    Shape:
        ``ids``: ``(n,)`` int32; ``sent``: ``(max sentence length,)``;
        ``ctx``: ``(2 * window,)``; ``targets``: ``(negative + 1,)``;
        ``grad``: ``(2 * window * (negative + 1),)``; ``dctx``: ``(2 * window, dim)``.
    """
    state = seed_state(seed, stream)
    pos = 0
    n = ids.shape[0]
    done = 0
    loss = 0.0
    examples = 0
    nt = negative + 1
    denom = max(job_words, 1)
    nxt = np.empty(nt, np.int32)
    while pos < n:
        pos, slen, seen, state = _read_sentence(ids, pos, remap, keep, state, sent)
        alpha = alpha_start + (alpha_end - alpha_start) * (done / denom)
        done += seen
        if slen < 2:
            continue
        for k in range(1, nt):
            t, state = _draw(state, alias_thr, alias_idx)
            nxt[k] = t
            prefetch_row(w_out, t)
        prefetch_row(w_out, sent[0])
        for i in range(slen):
            state = _next(state)
            b = 1 + _below(state, window)
            lo = max(0, i - b)
            hi = min(slen, i + b + 1)
            n_ctx = 0
            for j in range(lo, hi):
                if j != i:
                    ctx[n_ctx] = sent[j]
                    n_ctx += 1
            centre = sent[i]
            targets[0] = centre
            for k in range(1, nt):
                t = nxt[k]
                targets[k] = -1 if t == centre else t
            if i + 1 < slen:
                prefetch_row(w_out, sent[i + 1])
                for k in range(1, nt):
                    t, state = _draw(state, alias_thr, alias_idx)
                    nxt[k] = t
                    prefetch_row(w_out, t)
            if i + window + 1 < slen:
                prefetch_row(w_in, sent[i + window + 1])
            loss += sg_update(w_in, w_out, ctx, n_ctx, targets, nt, alpha, sig, logsig, grad, dctx)
            examples += n_ctx
    return loss, examples, done


@njit(cache=True, nogil=True)
def train_cbow_job(
    ids: np.ndarray,
    remap: np.ndarray,
    keep: np.ndarray,
    alias_thr: np.ndarray,
    alias_idx: np.ndarray,
    w_in: np.ndarray,
    w_out: np.ndarray,
    window: int,
    negative: int,
    cbow_mean: bool,
    group: int,
    alpha_start: float,
    alpha_end: float,
    job_words: int,
    seed: int,
    stream: int,
    sig: np.ndarray,
    logsig: np.ndarray,
    sent: np.ndarray,
    ctx: np.ndarray,
    ctx_start: np.ndarray,
    centres: np.ndarray,
    negs: np.ndarray,
    hidden: np.ndarray,
    err: np.ndarray,
    grad: np.ndarray,
) -> tuple:
    """Train CBOW on one job; ``group`` neighbouring centre words share their negatives.

    Centres are taken ``group`` at a time along each sentence (window size drawn per
    centre in ``1..window``); one draw of ``negative`` negatives serves the whole group
    in :func:`cbow_update`. The next group's negatives are drawn one step ahead and
    their rows prefetched, as are the next centres' output rows.

    Returns:
        ``(loss, examples, words)``: float64 loss sum, centre words trained,
        in-vocabulary words read.

    Shape:
        ``ctx``: ``(group * 2 * window,)``; ``ctx_start``: ``(group + 1,)``;
        ``centres``: ``(group,)``; ``negs``: ``(negative,)``;
        ``hidden``, ``err``: ``(group, dim)``; ``grad``: ``(group * (negative + 1),)``.
    """
    state = seed_state(seed, stream)
    pos = 0
    n = ids.shape[0]
    done = 0
    loss = 0.0
    examples = 0
    denom = max(job_words, 1)
    nxt = np.empty(negative, np.int32)
    while pos < n:
        pos, slen, seen, state = _read_sentence(ids, pos, remap, keep, state, sent)
        alpha = alpha_start + (alpha_end - alpha_start) * (done / denom)
        done += seen
        if slen < 2:
            continue
        for k in range(negative):
            t, state = _draw(state, alias_thr, alias_idx)
            nxt[k] = t
        i = 0
        while i < slen:
            n_c = 0
            n_ctx = 0
            ctx_start[0] = 0
            while n_c < group and i < slen:
                state = _next(state)
                b = 1 + _below(state, window)
                lo = max(0, i - b)
                hi = min(slen, i + b + 1)
                for j in range(lo, hi):
                    if j != i:
                        ctx[n_ctx] = sent[j]
                        n_ctx += 1
                centres[n_c] = sent[i]
                n_c += 1
                ctx_start[n_c] = n_ctx
                i += 1
            for k in range(negative):
                negs[k] = nxt[k]
            for k in range(negative):
                t, state = _draw(state, alias_thr, alias_idx)
                nxt[k] = t
                prefetch_row(w_out, t)
            for q in range(i, min(i + group, slen)):
                prefetch_row(w_out, sent[q])
            for q in range(i + window, min(i + window + group, slen)):
                prefetch_row(w_in, sent[q])
            loss += cbow_update(
                w_in,
                w_out,
                ctx,
                ctx_start,
                centres,
                n_c,
                negs,
                negative,
                alpha,
                cbow_mean,
                sig,
                logsig,
                hidden,
                err,
                grad,
            )
            examples += n_c
    return loss, examples, done


@njit(cache=True, nogil=True)
def count_job_words(ids: np.ndarray, remap: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Count the in-vocabulary words (``remap[id] >= 0``) of each job ``bounds[j]:bounds[j+1]``.

    Shape:
        ``ids``: ``(n,)``; ``bounds``: ``(jobs + 1,)``; returns ``(jobs,)`` int64.
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
