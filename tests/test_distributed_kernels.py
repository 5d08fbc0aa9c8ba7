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


def test_gather_is_the_rows_updates_bit_for_bit():
    table, base, rows = _tables()
    buf = np.empty((rows.size, 37), np.float32)
    K.gather_updates(table, base, rows, buf)
    np.testing.assert_array_equal(buf, K.gather_updates_reference(table, base, rows))
    assert np.abs(buf).min(axis=1).max() > 0  # the changed rows' updates, not zeros


def test_apply_sets_table_and_base_to_the_combined_state():
    table, base, rows = _tables(1)
    other = np.random.default_rng(2).normal(scale=0.01, size=(rows.size, 37)).astype(np.float32)
    summed = K.gather_updates_reference(table, base, rows) + other  # two ranks' updates
    want_t, want_b = table.copy(), base.copy()
    K.apply_updates_reference(want_t, want_b, rows, summed)
    K.apply_updates(table, base, rows, summed)
    np.testing.assert_array_equal(table, want_t)
    np.testing.assert_array_equal(base, want_b)
    np.testing.assert_array_equal(table, base)  # the new common state
    untouched = np.setdiff1d(np.arange(500), rows)
    np.testing.assert_array_equal(base[untouched], _tables(1)[1][untouched])
