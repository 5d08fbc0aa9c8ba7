"""The rows sync's numba kernels against their NumPy references (no torch needed)."""

from __future__ import annotations

import numpy as np

from wordvec.train.distributed import _kernels as K
from wordvec.train.kernels.rng import hashed_uniforms


def _tables(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(500, 37)).astype(np.float32)
    table = base.copy()
    rows = np.sort(rng.choice(500, 120, replace=False))
    table[rows] += rng.normal(scale=0.01, size=(120, 37)).astype(np.float32)
    return table, base, rows


def test_take_is_the_rows_and_their_updates_bit_for_bit():
    table, base, rows = _tables()
    snap = np.empty((rows.size, 37), np.float32)
    delta = np.empty((rows.size, 37), np.float32)
    K.take_updates(table, base, rows, snap, delta)
    want_snap, want_delta = K.take_updates_reference(table, base, rows)
    np.testing.assert_array_equal(snap, want_snap)
    np.testing.assert_array_equal(delta, want_delta)
    assert np.abs(delta).min(axis=1).max() > 0  # the changed rows' updates, not zeros


def test_apply_adds_the_combined_updates_and_keeps_later_training():
    table, base, rows = _tables(1)
    rng = np.random.default_rng(2)
    snap, delta = K.take_updates_reference(table, base, rows)
    union = np.union1d(rows, rng.choice(500, 40, replace=False))  # another rank's rows too
    sums = rng.normal(scale=0.01, size=(union.size, 37)).astype(np.float32)
    sums[np.searchsorted(union, rows)] += delta
    later = rows[::3]  # trained while the sync was reduced
    table[later] += rng.normal(scale=0.01, size=(later.size, 37)).astype(np.float32)
    start_t, start_b = table.copy(), base.copy()
    want_t, want_b = table.copy(), base.copy()
    K.apply_combined_reference(want_t, want_b, union, sums, rows, snap)
    K.apply_combined(table, base, union, sums, rows, snap)
    np.testing.assert_array_equal(table, want_t)
    np.testing.assert_array_equal(base, want_b)
    np.testing.assert_allclose(base[union], start_b[union] + sums, rtol=1e-6)
    # rows left alone since the snapshot equal the new common state bit for bit
    alone = np.setdiff1d(union, later)
    np.testing.assert_array_equal(table[alone], base[alone])
    np.testing.assert_allclose(table[later] - base[later], start_t[later] - snap[::3], atol=1e-6)
    outside = np.setdiff1d(np.arange(500), union)
    np.testing.assert_array_equal(table[outside], start_t[outside])
    np.testing.assert_array_equal(base[outside], start_b[outside])


def test_changed_mask_reads_a_rows_first_columns():
    table, base, rows = _tables(3)
    every = np.arange(500)
    out = np.empty(500, np.uint8)
    K.changed_mask(table, base, every, out)
    np.testing.assert_array_equal(out, K.changed_mask_reference(table, base, every))
    assert np.flatnonzero(out).tolist() == rows.tolist()  # a trained row changes everywhere
    assert 7 not in rows
    table[7, K.MASK_COLUMNS :] += 1.0  # changed past the first columns only: left to a
    K.changed_mask(table, base, every, out)  # full sync
    assert out[7] == 0
    some = np.union1d(rows[::2], [7, 8, 499])  # the hot rows only: the mask is over them
    part = np.empty(some.size, np.uint8)
    K.changed_mask(table, base, some, part)
    np.testing.assert_array_equal(part, K.changed_mask_reference(table, base, some))
    assert some[part == 1].tolist() == np.intersect1d(some, rows).tolist()


def _quantized(table, base, rows, step, levels, key):
    q = np.zeros((rows.size, table.shape[1]), np.int8)
    K.quantize_rows(table, base, rows, np.arange(rows.size), step, levels, key, q)
    return q


def test_quantize_matches_its_reference_and_stays_within_a_step():
    table, base, rows = _tables(4)
    step = np.zeros(rows.size, np.float32)
    K.row_maxabs(table, base, rows, np.arange(rows.size), step)
    np.testing.assert_array_equal(step, np.abs(table[rows] - base[rows]).max(axis=1))
    step /= np.float32(63)
    step[5] = 0  # a zero step gives zeros
    q = _quantized(table, base, rows, step, 63, key=11)
    draws = np.stack([hashed_uniforms(11, p, 37) for p in range(rows.size)])
    np.testing.assert_array_equal(q, K.quantize_rows_reference(table, base, rows, step, 63, draws))
    assert np.abs(q).max() == 63 and not q[5].any()
    err = np.abs(q * step[:, None] - (table[rows] - base[rows]))
    keep = np.arange(rows.size) != 5
    assert (err[keep] < step[keep, None]).all()  # below one step


def test_taken_updates_give_the_same_steps_and_int8_as_the_tables():
    # an overlapped sync reads the updates it took (the tables train on meanwhile): the
    # same maxima and the same int8, bit for bit, as a sync that reads the tables, also
    # for a row whose update is not finite and for rows placed anywhere in the union
    table, base, rows = _tables(9)
    table[rows[4], 2] = np.inf
    rng = np.random.default_rng(9)
    pos = np.sort(rng.choice(300, rows.size, replace=False))
    _, delta = K.take_updates_reference(table, base, rows)
    want, got = np.zeros(300, np.float32), np.zeros(300, np.float32)
    K.row_maxabs(table, base, rows, pos, want)
    K.row_maxabs(delta, None, np.arange(rows.size), pos, got)
    np.testing.assert_array_equal(got, want)
    assert np.isinf(got[pos[4]]) and np.count_nonzero(got) == rows.size
    step = want / np.float32(63)
    step[pos[7]] = 0
    want_q, got_q = np.zeros((300, 37), np.int8), np.zeros((300, 37), np.int8)
    K.quantize_rows(table, base, rows, pos, step, 63, 5, want_q)
    K.quantize_rows(delta, None, np.arange(rows.size), pos, step, 63, 5, got_q)
    np.testing.assert_array_equal(got_q, want_q)
    assert np.abs(got_q).max() == 63 and not got_q[pos[[4, 7]]].any()
    table[rows] += np.float32(1.0)  # training after the take changes nothing taken
    again = np.zeros((300, 37), np.int8)
    K.quantize_rows(delta, None, np.arange(rows.size), pos, step, 63, 5, again)
    np.testing.assert_array_equal(again, want_q)


def test_stochastic_rounding_is_unbiased():
    table, base, rows = _tables(5)
    step = np.abs(table[rows] - base[rows]).max(axis=1) / np.float32(3)  # coarse: 3 levels
    delta = (table[rows] - base[rows]).astype(np.float64)
    mean = np.mean([_quantized(table, base, rows, step, 3, key=k) for k in range(400)], axis=0)
    bias = mean * step[:, None] - delta
    # 400 draws of a rounding whose error is below one step: the mean error is within
    # a few standard errors (step / 2 / sqrt(400)) of zero. Rounding to nearest, the same
    # every time, would fail this bound: its errors reach 0.4 step and more here
    assert np.abs(bias / step[:, None]).max() < 0.125
    nearest = np.round(delta / step[:, None]) * step[:, None] - delta
    assert np.abs(nearest / step[:, None]).max() > 0.4


def test_apply_quantized_is_apply_combined_with_the_dequantized_sums():
    rng = np.random.default_rng(6)
    for keep in (True, False):
        table, base, rows = _tables(7)
        union = np.union1d(rows, rng.choice(500, 40, replace=False))
        q = rng.integers(-127, 128, size=(union.size, 37)).astype(np.int8)
        step = rng.random(union.size).astype(np.float32) / 100
        snap = table[rows].copy() if keep else np.empty((0, 37), np.float32)
        if keep:  # trained while the sync was reduced
            table[rows[::3]] += rng.normal(scale=0.01, size=(rows[::3].size, 37)).astype(np.float32)
        want_t, want_b = table.copy(), base.copy()
        sums = q.astype(np.float32) * step[:, None]
        K.apply_combined_reference(
            want_t, want_b, union, sums, rows, table[rows] if not keep else snap
        )
        K.apply_quantized(table, base, union, q, step, rows, snap)
        np.testing.assert_array_equal(base, want_b)
        np.testing.assert_allclose(table, want_t, rtol=0, atol=1e-6)
        if not keep:
            np.testing.assert_array_equal(table[rows], base[rows])  # the common state


def test_a_diverged_update_makes_its_row_nan_on_every_rank_as_float32_would():
    # rank 0 updated row 3 to NaN and row 9 to inf; the max all-reduce of the steps (max
    # here) must carry the news, rounding must not cast NaN to int8, and applying must
    # leave the rows NaN, so the fit ends with a diverged run's error, not finite garbage
    table0, base, rows = _tables(8)
    table1 = base.copy()
    table1[rows] += np.float32(0.02)
    bad = rows[[3, 9]]
    table0[bad[0], 5] = np.nan
    table0[bad[1], 0] = np.inf
    steps = []
    for table in (table0, table1):
        s = np.zeros(rows.size, np.float32)
        K.row_maxabs(table, base, rows, np.arange(rows.size), s)
        steps.append(s)
    assert np.isinf(steps[0][[3, 9]]).all() and np.isfinite(np.delete(steps[0], [3, 9])).all()
    step = np.maximum(steps[0], steps[1]) / np.float32(63)
    q = sum(_quantized(t, base, rows, step, 63, 3).astype(np.int16) for t in (table0, table1))
    assert not q[[3, 9]].any()  # zeros, not a cast of NaN
    draws = np.stack([hashed_uniforms(3, p, 37) for p in range(rows.size)])
    np.testing.assert_array_equal(
        _quantized(table0, base, rows, step, 63, key=3),
        K.quantize_rows_reference(table0, base, rows, step, 63, draws),
    )
    for table in (table0, table1):
        b = base.copy()
        none = np.empty((0, 37), np.float32)
        K.apply_quantized(table, b, rows, q.astype(np.int8), step, rows, none)
        assert np.isnan(table[bad]).all() and np.isnan(b[bad]).all()
        good = np.delete(rows, [3, 9])
        assert np.isfinite(table[good]).all() and np.isfinite(b[good]).all()
