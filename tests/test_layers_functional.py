"""wordvec.layers.functional and its numba kernels, against NumPy references and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from wordvec.layers import _kernels as K
from wordvec.layers import functional as F

SETTINGS = settings(max_examples=50, deadline=None)


def one_hot(ids: np.ndarray, num_rows: int) -> np.ndarray:
    return np.eye(num_rows)[ids]


@st.composite
def lookups(draw):
    """A table, ids of a random shape (0-3 dims) into it, and a gradient for the output."""
    rows = draw(st.integers(1, 12))
    dim = draw(st.integers(1, 6))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    ids = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, rows - 1)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    weight = rng.standard_normal((rows, dim))
    grad = rng.standard_normal((*shape, dim))
    return ids, weight, grad


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(lookups())
def test_forward_is_one_hot_matmul(case):
    ids, weight, _ = case
    out = F.embedding(ids, weight)
    assert out.shape == (*ids.shape, weight.shape[1])
    np.testing.assert_allclose(out, one_hot(ids, weight.shape[0]) @ weight, atol=1e-12)


@SETTINGS
@given(lookups(), st.booleans())
def test_backward_is_one_hot_transpose_matmul(case, dense):
    ids, weight, grad = case
    rows, dim = weight.shape
    expected = one_hot(ids, rows).reshape(-1, rows).T @ grad.reshape(-1, dim)
    got = F.embedding_backward(ids, grad, rows, dense=dense)
    if not dense:
        np.testing.assert_array_equal(got.indices, np.unique(ids))
        got = got.to_dense(rows)
    np.testing.assert_allclose(got, expected, atol=1e-12)


@SETTINGS
@given(lookups(), st.integers(0, 11))
def test_padding_row_gets_no_gradient(case, pad):
    ids, weight, grad = case
    rows = weight.shape[0]
    pad = pad % rows
    sparse = F.embedding_backward(ids, grad, rows, padding_idx=pad)
    dense = F.embedding_backward(ids, grad, rows, padding_idx=pad, dense=True)
    assert pad not in sparse.indices
    assert not dense[pad].any()
    full = F.embedding_backward(ids, grad, rows, dense=True)
    full[pad] = 0
    np.testing.assert_allclose(dense, full)
    np.testing.assert_allclose(sparse.to_dense(rows), full)


def test_finite_difference_gradient():
    """d/dW of L = sum(tanh(embedding(ids, W)) * C) matches central differences."""
    rng = np.random.default_rng(3)
    weight = rng.standard_normal((6, 3))
    ids = np.array([[0, 2, 2], [5, 0, 1]])
    coef = rng.standard_normal((2, 3, 3))

    def loss(w):
        return float(np.sum(np.tanh(F.embedding(ids, w)) * coef))

    out = F.embedding(ids, weight)
    grad_out = (1 - np.tanh(out) ** 2) * coef
    analytic = F.embedding_backward(ids, grad_out, 6, dense=True)
    numeric = np.zeros_like(weight)
    eps = 1e-6
    for i in range(6):
        for j in range(3):
            w1, w2 = weight.copy(), weight.copy()
            w1[i, j] += eps
            w2[i, j] -= eps
            numeric[i, j] = (loss(w1) - loss(w2)) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    assert not analytic[[3, 4]].any()  # rows never looked up


# --------------------------------------------------------------------------- kernels vs references


@pytest.mark.parametrize("num_rows", [50, 100_000])  # counting sort / argsort paths
def test_group_ids_matches_reference(num_rows):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, num_rows, size=3000).astype(np.int64)
    ids[:100] = 7  # a heavy group
    got = K.group_ids(ids, num_rows)
    want = K.group_ids_reference(ids)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_rows", [300, 1_000_000])
def test_backward_matches_add_at(dtype, num_rows):
    rng = np.random.default_rng(1)
    ids = rng.zipf(1.3, size=(40, 25)) % num_rows  # skewed like word ids
    grad = rng.standard_normal((40, 25, 16)).astype(dtype)
    ref = K.scatter_add_reference(ids.ravel(), grad.reshape(-1, 16), num_rows)
    dense = F.embedding_backward(ids, grad, num_rows, dense=True)
    sparse = F.embedding_backward(ids, grad, num_rows)
    assert dense.dtype == dtype and sparse.values.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(dense, ref, rtol=tol, atol=tol)
    np.testing.assert_array_equal(sparse.indices, np.flatnonzero(np.bincount(ids.ravel())))
    np.testing.assert_allclose(sparse.values, ref[sparse.indices], rtol=tol, atol=tol)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0])
def test_max_norm_renormalizes_looked_up_rows_in_place(norm_type):
    rng = np.random.default_rng(2)
    weight = (rng.standard_normal((30, 5)) * 3).astype(np.float32)
    ids = np.array([[1, 4, 4], [29, 0, 1]])
    expected = weight.copy()
    K.renorm_rows_reference(expected, ids.ravel(), 1.5, norm_type)
    before = weight.copy()
    out = F.embedding(ids, weight, max_norm=1.5, norm_type=norm_type)
    np.testing.assert_allclose(weight, expected, rtol=1e-6)
    np.testing.assert_array_equal(out, weight[ids])
    untouched = np.setdiff1d(np.arange(30), ids)
    np.testing.assert_array_equal(weight[untouched], before[untouched])
    norms = np.sum(np.abs(weight[ids.ravel()]) ** norm_type, axis=1) ** (1 / norm_type)
    assert (norms <= 1.5 + 1e-5).all()
    assert (norms > 1.4).all()  # scaled to the bound, not below it


def test_sgd_rows_matches_reference():
    rng = np.random.default_rng(4)
    weight = rng.standard_normal((20, 4))
    idx = np.array([0, 3, 19])
    values = rng.standard_normal((3, 4))
    a, b = weight.copy(), weight.copy()
    K.sgd_rows(a, idx, values, 0.1, False)
    K.sgd_rows_reference(b, idx, values, 0.1, False)
    np.testing.assert_allclose(a, b)
    dense = np.zeros((20, 4))
    dense[idx] = values
    c = weight.copy()
    K.sgd_rows(c, idx, dense, 0.1, True)
    np.testing.assert_allclose(c, b)


# --------------------------------------------------------------------------- bags


@st.composite
def bag_cases(draw):
    rows = draw(st.integers(2, 10))
    dim = draw(st.integers(1, 5))
    n = draw(st.integers(0, 20))
    ids = draw(hnp.arrays(np.int64, n, elements=st.integers(0, rows - 1)))
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=0, max_size=5)))
    offsets = np.array([0, *cuts], dtype=np.int64)
    mode = draw(st.sampled_from(F.BAG_MODES))
    pad = draw(st.none() | st.integers(0, rows - 1))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    weight = rng.standard_normal((rows, dim))
    grad = rng.standard_normal((offsets.size, dim))
    return ids, offsets, weight, grad, mode, pad


@SETTINGS
@given(bag_cases())
def test_bag_matches_reference(case):
    ids, offsets, weight, grad, mode, pad = case
    starts = np.append(offsets, ids.size)
    code = K.MODE_CODES[mode]
    pad_code = -1 if pad is None else pad
    out, max_idx = F.embedding_bag(
        ids, weight, offsets, mode=mode, padding_idx=pad, return_max_indices=True
    )
    ref_out, ref_idx = K.bag_forward_reference(weight, ids, starts, pad_code, code)
    np.testing.assert_allclose(out, ref_out, atol=1e-12)
    if mode == "max":
        np.testing.assert_array_equal(max_idx, ref_idx)
    else:
        assert max_idx is None
    ref_grad = K.bag_backward_reference(ids, starts, grad, weight.shape[0], pad_code, code, ref_idx)
    got = F.embedding_bag_backward(
        ids, grad, weight.shape[0], offsets, mode=mode, padding_idx=pad, max_indices=max_idx
    )
    np.testing.assert_allclose(got.to_dense(weight.shape[0]), ref_grad, atol=1e-12)
    dense = F.embedding_bag_backward(
        ids,
        grad,
        weight.shape[0],
        offsets,
        mode=mode,
        padding_idx=pad,
        max_indices=max_idx,
        dense=True,
    )
    np.testing.assert_allclose(dense, ref_grad, atol=1e-12)


def test_bag_2d_padded_batch_equals_offsets_form():
    rng = np.random.default_rng(5)
    weight = rng.standard_normal((9, 4))
    batch = np.array([[3, 4, 0, 0], [0, 0, 0, 0], [1, 2, 8, 0]])
    flat_ids = np.array([3, 4, 1, 2, 8])
    offsets = np.array([0, 2, 2])
    for mode in F.BAG_MODES:
        padded = F.embedding_bag(batch, weight, mode=mode, padding_idx=0)
        cut = F.embedding_bag(flat_ids, weight, offsets, mode=mode)
        np.testing.assert_allclose(padded, cut)
    mean = F.embedding_bag(batch, weight, mode="mean", padding_idx=0)
    np.testing.assert_allclose(mean[0], weight[[3, 4]].mean(axis=0))
    assert not mean[1].any()  # an all-padding bag is zeros


@pytest.mark.parametrize("mode", F.BAG_MODES)
@pytest.mark.parametrize("pad", [None, 2])
def test_bag_matches_torch(mode, pad):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    weight = rng.standard_normal((40, 7)).astype(np.float32)
    ids = rng.integers(0, 40, size=60)
    ids[::5] = 2
    offsets = np.array([0, 10, 10, 25, 59])  # includes an empty bag and a 1-entry bag
    out, max_idx = F.embedding_bag(
        ids, weight, offsets, mode=mode, padding_idx=pad, return_max_indices=True
    )
    w = torch.tensor(weight, requires_grad=True)
    t_out = torch.nn.functional.embedding_bag(
        torch.tensor(ids), w, torch.tensor(offsets), mode=mode, padding_idx=pad
    )
    grad = rng.standard_normal(out.shape).astype(np.float32)
    t_out.backward(torch.tensor(grad))
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    ours = F.embedding_bag_backward(
        ids, grad, 40, offsets, mode=mode, padding_idx=pad, max_indices=max_idx, dense=True
    )
    np.testing.assert_allclose(ours, w.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_embedding_matches_torch_with_max_norm():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    weight = (rng.standard_normal((25, 6)) * 2).astype(np.float32)
    ids = rng.integers(0, 25, size=(4, 9))
    ours = weight.copy()
    theirs = torch.tensor(weight)
    out = F.embedding(ids, ours, max_norm=1.0)
    t_out = torch.nn.functional.embedding(torch.tensor(ids), theirs, max_norm=1.0)
    np.testing.assert_allclose(out, t_out.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)


# --------------------------------------------------------------------------- bad input


def test_bad_ids_raise_and_leave_weight_unchanged():
    weight = np.ones((5, 2), dtype=np.float32) * 3
    before = weight.copy()
    with pytest.raises(IndexError, match=r"got 5 at position \(1, 0\)"):
        F.embedding([[0, 1], [5, 2]], weight, max_norm=1.0)
    with pytest.raises(IndexError, match="got -1"):
        F.embedding([-1], weight, max_norm=1.0)
    with pytest.raises(TypeError, match="integers"):
        F.embedding([0.0, 1.0], weight, max_norm=1.0)
    np.testing.assert_array_equal(weight, before)


def test_bad_weight_and_options():
    with pytest.raises(TypeError, match="float32 or float64"):
        F.embedding([0], np.ones((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="2-D"):
        F.embedding([0], np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="max_norm"):
        F.embedding([0], np.ones((2, 2)), max_norm=0.0)
    with pytest.raises(ValueError, match="writable C-contiguous"):
        F.embedding([0], np.ones((2, 4))[:, ::2], max_norm=1.0)
    with pytest.raises(ValueError, match="padding_idx"):
        F.embedding([0], np.ones((2, 2)), padding_idx=2)


def test_bad_grad_shape():
    with pytest.raises(ValueError, match=r"grad_out must have shape \(2, 3, 'output_dim'\)"):
        F.embedding_backward(np.zeros((2, 3), np.int64), np.zeros((2, 4, 5)), 4)
    with pytest.raises(TypeError, match="float"):
        F.embedding_backward([0, 1], np.zeros((2, 5), np.int64), 4)


def test_bad_offsets():
    w = np.ones((4, 2))
    with pytest.raises(ValueError, match="offsets is required"):
        F.embedding_bag([0, 1], w)
    with pytest.raises(ValueError, match="offsets must be None"):
        F.embedding_bag([[0, 1]], w, offsets=[0])
    with pytest.raises(ValueError, match="start with 0, got 1 at position 0"):
        F.embedding_bag([0, 1], w, offsets=[1])
    with pytest.raises(ValueError, match="non-decreasing, got 1 at position 2"):
        F.embedding_bag([0, 1, 2], w, offsets=[0, 2, 1])
    with pytest.raises(ValueError, match=r"<= len\(ids\) = 2, got 3 at position 1"):
        F.embedding_bag([0, 1], w, offsets=[0, 3])
    with pytest.raises(ValueError, match="mode must be one of"):
        F.embedding_bag([[0]], w, mode="median")
    with pytest.raises(ValueError, match="needs max_indices"):
        F.embedding_bag_backward([[0]], np.ones((1, 2)), 4, mode="max")
