"""The rows sync's numba kernels against their NumPy references (no torch needed)."""

from __future__ import annotations

import numpy as np

from wordvec.train.distributed import _kernels as K


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
