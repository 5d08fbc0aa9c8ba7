"""The numba word2vec kernels against the NumPy reference, and their helpers."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.train import kernels, reference
from wordvec.train.corpus import keep_thresholds


def _weights(vocab: int = 12, dim: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    w_in = ((rng.random((vocab, dim)) - 0.5) * 0.8).astype(np.float32)
    w_out = ((rng.random((vocab, dim)) - 0.5) * 0.8).astype(np.float32)
    return w_in, w_out


@pytest.mark.parametrize(
    ("context", "centre", "negatives"),
    [
        ([1, 2, 3, 4], 0, [5, 6, 7]),
        ([1, 1, 2], 3, [3, 4, 4, 9]),  # repeated context row, negative == centre, repeats
        ([11], 10, [0]),
    ],
)
@pytest.mark.parametrize("kernel", ["ns_update", "ns_shared"])
def test_ns_update_as_skipgram_matches_reference(
    context: list, centre: int, negatives: list, kernel: str
) -> None:
    w_in, w_out = _weights()
    r_in, r_out = w_in.copy(), w_out.copy()
    ref_loss = reference.sgns_update(r_in, r_out, context, centre, negatives, 0.05)

    sig, logsig = kernels.sigmoid_tables()
    batch = kernels.ns_batch(len(context), len(context), len(negatives), w_in.shape[1])
    batch.inputs[:] = context
    batch.offsets[:] = np.arange(len(context) + 1)
    batch.targets[:] = centre
    batch.negs[:] = negatives
    if kernel == "ns_update":
        loss = kernels.ns_update(w_in, w_out, batch, len(context), 0.05, True, sig, logsig)
    else:
        loss = kernels.ns_shared(
            w_in, w_out, batch.inputs, len(context), centre, batch.negs, 0.05, sig, logsig,
            batch.grad, batch.err,
        )  # fmt: skip
    assert not np.array_equal(w_in, _weights()[0])  # the update changed something
    np.testing.assert_allclose(w_in, r_in, atol=1e-6)
    np.testing.assert_allclose(w_out, r_out, atol=1e-6)
    assert loss == pytest.approx(ref_loss, rel=1e-2)


@pytest.mark.parametrize(
    ("cbow_mean", "contexts"),
    [
        (True, [[1, 2, 3], [0, 2, 3, 4], [2, 4], [4, 4, 6]]),
        (False, [[1, 2, 3], [0, 2, 3, 4], [2, 4], [4, 4, 6]]),
        (True, [[1], [2], [2], [6]]),  # one row each, other targets: the in-place path
    ],
)
def test_ns_update_as_cbow_matches_reference(cbow_mean: bool, contexts: list) -> None:
    centres = [0, 3, 5, 7]
    negatives = [8, 9, 5, 8]  # 5 equals a centre; 8 repeats
    w_in, w_out = _weights()
    r_in, r_out = w_in.copy(), w_out.copy()
    ref_loss = reference.cbow_update(r_in, r_out, contexts, centres, negatives, 0.05, cbow_mean)

    sig, logsig = kernels.sigmoid_tables()
    flat = [w for c in contexts for w in c]
    batch = kernels.ns_batch(len(centres), len(flat), len(negatives), w_in.shape[1])
    batch.inputs[:] = flat
    batch.offsets[:] = np.cumsum([0] + [len(c) for c in contexts])
    batch.targets[:] = centres
    batch.negs[:] = negatives
    loss = kernels.ns_update(w_in, w_out, batch, len(centres), 0.05, cbow_mean, sig, logsig)
    np.testing.assert_allclose(w_in, r_in, atol=1e-6)
    np.testing.assert_allclose(w_out, r_out, atol=1e-6)
    assert loss == pytest.approx(ref_loss, rel=1e-2)


def test_sigmoid_tables_close_to_exact() -> None:
    x = np.linspace(-5.9, 5.9, 2001)
    exact = 1.0 / (1.0 + np.exp(-x))
    assert np.max(np.abs(reference.table_sigmoid(x) - exact)) < 0.01


def test_alias_table_draws_follow_weights() -> None:
    weights = np.array([50.0, 20.0, 20.0, 9.0, 1.0, 0.0])
    thr, alias = kernels.build_alias(weights)
    rng = np.random.default_rng(3)
    n = 200_000
    i = rng.integers(0, len(weights), n)
    u = rng.integers(0, 2**32, n)
    drawn = np.where(u < thr[i], i, alias[i])
    freq = np.bincount(drawn, minlength=len(weights)) / n
    np.testing.assert_allclose(freq, weights / weights.sum(), atol=0.005)
    assert freq[-1] == 0.0


def test_keep_thresholds_follow_word2vec_formula() -> None:
    counts = np.array([100_000, 1_000, 10, 1])
    sample = 1e-3
    thr = keep_thresholds(counts, sample)
    t = sample * counts.sum()
    expected = np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1.0)
    np.testing.assert_allclose(thr / 2**32, expected, atol=1e-9)
    assert np.all(keep_thresholds(counts, 0.0) == 2**32)


def test_count_job_words_counts_known_words() -> None:
    ids = np.array([0, 1, 2, -1, 2, 2, -1, 3, -1], np.int32)
    remap = np.array([0, -1, 1, 2], np.int32)
    bounds = np.array([0, 4, 9])
    assert kernels.count_job_words(ids, remap, bounds).tolist() == [2, 3]


def _tables(remap: np.ndarray, keep: np.ndarray, alias: tuple) -> kernels.Sampling:
    return kernels.Sampling(remap, keep, alias[0], alias[1], *kernels.sigmoid_tables())


def test_sg_job_is_deterministic_and_counts_words() -> None:
    ids = np.array([0, 1, 2, 3, 4, -1, 4, 3, 2, -1], np.int32)
    tables = _tables(
        np.arange(5, dtype=np.int32), np.full(5, 2**32, np.int64), kernels.build_alias(np.ones(5))
    )
    results = []
    for _ in range(2):
        w_in, w_out = _weights(5, 8)
        scratch = kernels.job_scratch(10, 4, 4, 3, 8)
        out = kernels.sg_job(ids, w_in, w_out, tables, kernels.Job(0.05, 0.01, 8, 7, 0), 2, scratch)
        results.append((out, w_in, w_out))
    (a, in_a, out_a), (b, in_b, out_b) = results
    assert a == b and a[2] == 8 and a[1] > 0
    assert np.array_equal(in_a, in_b) and np.array_equal(out_a, out_b)


# --------------------------------------------------------------------------- whole jobs


def _job_case(sample: float) -> tuple:
    """A tiny corpus job: 3 sentences over 9 word types, one out of vocabulary (id 8)."""
    ids = np.array(
        [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, -1, 2, 8, 2, 3, 0, -1, 4, 0, 5, 1, 6, 0, 2, 7, 3, 0],
        np.int32,
    )
    remap = np.array([0, 1, 2, 3, 4, 5, 6, 7, -1], np.int32)
    counts = np.array([6, 3, 4, 3, 2, 2, 2, 2], np.float64)
    keep = keep_thresholds(counts, sample)
    alias = kernels.build_alias(np.power(counts, 0.75))
    return ids, remap, keep, alias


@pytest.mark.parametrize("sample", [0.0, 0.1])
@pytest.mark.parametrize("stream", [0, 5])
def test_sg_job_matches_reference(sample: float, stream: int) -> None:
    ids, remap, keep, alias = _job_case(sample)
    w_in, w_out = _weights(8, 8)
    r_in, r_out = w_in.copy(), w_out.copy()
    window, negative, job_words = 3, 4, 24
    want = reference.sg_job(
        ids, remap, keep, alias, r_in, r_out, window=window, negative=negative,
        alpha=(0.05, 0.01), job_words=job_words, seed=11, stream=stream,
    )  # fmt: skip
    job = kernels.Job(0.05, 0.01, job_words, 11, stream)
    scratch = kernels.job_scratch(len(ids), 2 * window, 2 * window, negative, 8)
    got = kernels.sg_job(ids, w_in, w_out, _tables(remap, keep, alias), job, window, scratch)
    assert got[1:] == want[1:] and got[2] == 24
    assert got[0] == pytest.approx(want[0], rel=1e-2)
    assert not np.allclose(r_in, _weights(8, 8)[0], atol=1e-3)  # the job trained
    np.testing.assert_allclose(w_in, r_in, atol=2e-6)
    np.testing.assert_allclose(w_out, r_out, atol=2e-6)


@pytest.mark.parametrize("cbow_mean", [True, False])
@pytest.mark.parametrize("sample", [0.0, 0.1])
@pytest.mark.parametrize("group", [1, 2, 3])
def test_cbow_job_matches_reference(cbow_mean: bool, sample: float, group: int) -> None:
    ids, remap, keep, alias = _job_case(sample)
    w_in, w_out = _weights(8, 8)
    r_in, r_out = w_in.copy(), w_out.copy()
    window, negative, job_words = 2, 3, 24
    want = reference.cbow_job(
        ids, remap, keep, alias, r_in, r_out, window=window, negative=negative,
        cbow_mean=cbow_mean, group=group, alpha=(0.05, 0.01), job_words=job_words, seed=4,
        stream=2,
    )  # fmt: skip
    job = kernels.Job(0.05, 0.01, job_words, 4, 2)
    scratch = kernels.job_scratch(len(ids), group, 2 * window * group, negative, 8)
    tables = _tables(remap, keep, alias)
    got = kernels.cbow_job(ids, w_in, w_out, tables, job, window, cbow_mean, scratch)
    assert got[1:] == want[1:] and got[2] == 24
    assert got[0] == pytest.approx(want[0], rel=1e-2)
    assert not np.allclose(r_in, _weights(8, 8)[0], atol=1e-3)
    np.testing.assert_allclose(w_in, r_in, atol=2e-6)
    np.testing.assert_allclose(w_out, r_out, atol=2e-6)


def test_reference_generator_matches_kernel_seed() -> None:
    for seed, stream in [(0, 0), (1, 7), (2**40 + 3, 123456)]:
        assert reference.XorShift(seed, stream).state == int(kernels.seed_state(seed, stream))


def test_hashed_uniforms_match_their_reference_and_look_uniform() -> None:
    for seed, stream in [(0, 0), (11, 5), (2**40 + 3, 123456)]:
        got = kernels.rng.hashed_uniforms(seed, stream, 1000)
        np.testing.assert_array_equal(got, reference.hashed_uniforms(seed, stream, 1000))
    u = kernels.rng.hashed_uniforms(7, 3, 200_000).astype(np.float64)
    assert 0 <= u.min() and u.max() < 1
    # a uniform's mean and variance, within a few standard errors; counts per tenth
    assert abs(u.mean() - 0.5) < 0.003 and abs(u.var() - 1 / 12) < 0.001
    np.testing.assert_allclose(np.histogram(u, bins=10, range=(0, 1))[0], 20_000, rtol=0.03)
    # neighbouring streams (rows of one sync) are not shifted copies of each other
    a, b = kernels.rng.hashed_uniforms(7, 3, 1000), kernels.rng.hashed_uniforms(7, 4, 1000)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.1
