"""The seeded, threaded uniform initialization against its one-value-at-a-time reference."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.train import reference as ref
from wordvec.train.kernels.init import BLOCK_ROWS, uniform_matrix


@pytest.mark.parametrize("rows", [0, 1, 5, BLOCK_ROWS + 3])
def test_uniform_matrix_matches_reference(rows: int) -> None:
    want = ref.uniform_matrix(rows, 3, -0.25, 0.25, seed=7)
    got = uniform_matrix(rows, 3, -0.25, 0.25, seed=7)
    np.testing.assert_array_equal(got, want)


def test_uniform_matrix_is_independent_of_threads_and_follows_the_seed() -> None:
    rows = 3 * BLOCK_ROWS + 11
    one = uniform_matrix(rows, 4, -1.0, 1.0, seed=3, workers=1)
    for workers in (2, 3, 8):
        np.testing.assert_array_equal(
            uniform_matrix(rows, 4, -1.0, 1.0, seed=3, workers=workers), one
        )
    assert not np.array_equal(uniform_matrix(rows, 4, -1.0, 1.0, seed=4), one)


def test_uniform_matrix_is_uniform_on_its_interval() -> None:
    a = uniform_matrix(2 * BLOCK_ROWS, 50, -0.01, 0.01, seed=1, workers=2)
    assert a.dtype == np.float32 and a.flags.c_contiguous
    assert a.min() >= -0.01 and a.max() < 0.01
    # a uniform on [-0.01, 0.01): mean 0, sd 0.01 / sqrt(3); ten equal bins equally full
    assert abs(float(a.mean())) < 2e-5
    assert float(a.std()) == pytest.approx(0.01 / np.sqrt(3), rel=1e-3)
    counts = np.histogram(a, bins=10, range=(-0.01, 0.01))[0]
    assert counts.min() / counts.max() > 0.97
    # neighbouring blocks are different streams, not copies
    assert not np.array_equal(a[:BLOCK_ROWS], a[BLOCK_ROWS:])
