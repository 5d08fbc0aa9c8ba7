"""GloVe: the AdaGrad kernel against the NumPy reference, then the trainer end to end on
real text (quality, reproducibility, save/load, continued training, errors)."""

from __future__ import annotations

import numpy as np

from wordvec.train.kernels import glove as kernels
from wordvec.train.reference_glove import glove_update


def _tables(vocab: int, dim: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    w = (rng.random((vocab, dim), dtype=np.float32) - 0.5) / dim
    c = (rng.random((vocab, dim), dtype=np.float32) - 0.5) / dim
    bw = (rng.random(vocab, dtype=np.float32) - 0.5) / dim
    bc = (rng.random(vocab, dtype=np.float32) - 0.5) / dim
    gw = 1 + rng.random((vocab, dim), dtype=np.float32)
    gc = 1 + rng.random((vocab, dim), dtype=np.float32)
    gbw = 1 + rng.random(vocab, dtype=np.float32)
    gbc = 1 + rng.random(vocab, dtype=np.float32)
    return [w, c, bw, bc, gw, gc, gbw, gbc]


def test_kernel_matches_the_reference_update_by_update() -> None:
    """Entries (with repeats and a diagonal one) in blocks; the symmetric entries make
    two updates each; the reference applies the same updates one by one in float64."""
    vocab, dim = 30, 37  # an odd dim exercises the vector loops' remainders
    rng = np.random.default_rng(5)
    rows = rng.integers(0, vocab, 200).astype(np.int32)
    cols = rng.integers(0, vocab, 200).astype(np.int32)
    cols[7] = rows[7]
    xs = rng.choice([0.1, 0.5, 1.0, 3.0, 40.0, 250.0], 200).astype(np.float32)
    for both in (True, False):
        got = _tables(vocab, dim, 1)
        want = [t.astype(np.float64) for t in got]
        order = np.array([2, 0, 3, 1], np.int64)  # blocks of 50, out of order
        cost, updates = kernels.train_blocks(
            rows, cols, xs, order, 0, 4, 50, both, *got, 10.0, 0.75, 0.05, 100.0
        )
        want_cost, want_updates = 0.0, 0
        for b in order:
            for e in range(b * 50, b * 50 + 50):
                pairs = [(rows[e], cols[e])]
                if both and rows[e] != cols[e]:
                    pairs.append((cols[e], rows[e]))
                for i, j in pairs:
                    want_cost += glove_update(
                        *want, i, j, float(xs[e]), x_max=10.0, alpha=0.75, learning_rate=0.05
                    )
                    want_updates += 1
        assert updates == want_updates
        assert abs(cost - want_cost) <= 1e-4 * want_cost
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=2e-4, atol=1e-6)


def test_kernel_clips_large_gradients() -> None:
    vocab, dim = 2, 4
    got = _tables(vocab, dim, 2)
    got[0][:] = 1e4  # w . c is huge: every component of fdiff * row exceeds the clip
    got[1][:] = 1e4
    want = [t.astype(np.float64) for t in got]
    one = np.zeros(1, np.int64)
    ids, x = np.array([0], np.int32), np.array([5.0], np.float32)
    kernels.train_blocks(ids, ids + 1, x, one, 0, 1, 1, False, *got, 10.0, 0.75, 0.05, 100.0)
    glove_update(*want, 0, 1, 5.0, x_max=10.0, alpha=0.75, learning_rate=0.05)
    step = 1e4 - got[0][0, 0]
    assert abs(step - 100 * 0.05 / np.sqrt(want[4][0, 0] - 25.0)) < 1e-3 * step
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5)


def test_shuffle_entries_is_a_seeded_permutation() -> None:
    rows = np.arange(1000, dtype=np.int32)
    cols, xs = rows + 7, rows.astype(np.float32) * 0.5
    a = [rows.copy(), cols.copy(), xs.copy()]
    b = [rows.copy(), cols.copy(), xs.copy()]
    kernels.shuffle_entries(*a, 3)
    kernels.shuffle_entries(*b, 3)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], rows)
    np.testing.assert_array_equal(np.sort(a[0]), rows)
    np.testing.assert_array_equal(a[1], a[0] + 7)  # rows stay aligned
    np.testing.assert_array_equal(a[2], a[0] * 0.5)
