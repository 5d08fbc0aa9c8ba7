"""wordvec.layers.Embedding: init, lookup, mask, padding, max_norm, backward, SGD, errors."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec._io import open_text
from wordvec.layers import Embedding, SparseGrad
from wordvec.vectors import Vectors


@pytest.fixture(scope="module")
def glove(shared_data):
    """The first 300 GloVe 6B 50d words and their float32 vectors."""
    words, rows = [], []
    with open_text(shared_data / "vectors" / "glove.6B.50d.txt.gz") as f:
        for _ in range(300):
            parts = next(f).rstrip("\n").split(" ")
            words.append(parts[0])
            rows.append([float(x) for x in parts[1:]])
    return words, np.array(rows, dtype=np.float32)


# --------------------------------------------------------------------------- construction


def test_defaults_and_seed():
    layer = Embedding(1000, 16, seed=3)
    assert layer.embeddings.shape == (1000, 16)
    assert layer.embeddings.dtype == np.float32
    assert (layer.input_dim, layer.output_dim, layer.dtype) == (1000, 16, "float32")
    assert np.abs(layer.embeddings).max() <= 0.05
    assert layer.trainable and layer.grad is None and layer.compute_mask([1]) is None
    np.testing.assert_array_equal(Embedding(1000, 16, seed=3).embeddings, layer.embeddings)
    assert not np.array_equal(Embedding(1000, 16, seed=4).embeddings, layer.embeddings)
    normal = Embedding(1000, 16, "normal", seed=0, dtype="float64").embeddings
    assert normal.dtype == np.float64 and 0.95 < normal.std() < 1.05


def test_callable_initializer_and_padding_zeroed():
    layer = Embedding(5, 3, lambda shape, rng: np.full(shape, 2.0), padding_idx=-1)
    assert layer.padding_idx == 4  # negative counts from the end, like PyTorch
    assert not layer.embeddings[4].any()
    assert (layer.embeddings[:4] == 2.0).all()


def test_from_pretrained_glove(glove):
    words, matrix = glove
    layer = Embedding.from_pretrained(matrix)
    assert not layer.trainable
    ids = np.array([[words.index("the"), words.index("of")], [words.index("and"), 0]])
    out = layer(ids)
    np.testing.assert_array_equal(out, matrix[ids])
    assert out[0, 0, 0] == np.float32(0.418)  # published first value of "the"
    layer.embeddings[0] = 0  # the layer owns a copy
    assert matrix[0, 0] == np.float32(0.418)
    assert Embedding.from_pretrained(matrix.astype(np.float64)).dtype == "float64"
    assert Embedding.from_pretrained(matrix, freeze=False).trainable
    # A pretrained padding row is kept as given (like torch.nn.Embedding.from_pretrained).
    np.testing.assert_array_equal(
        Embedding.from_pretrained(matrix, padding_idx=2).embeddings[2], matrix[2]
    )


def test_from_vectors_uses_the_vectors_rows(glove):
    words, matrix = glove
    vectors = Vectors(words, matrix)
    layer = Embedding.from_vectors(vectors, mask_zero=True)
    np.testing.assert_array_equal(layer.embeddings, matrix)
    assert not layer.trainable and layer.mask_zero
    assert Embedding.from_vectors(vectors, freeze=False).trainable
    with pytest.raises(TypeError, match=r"wordvec\.Vectors"):
        Embedding.from_vectors(matrix)


def test_bad_construction():
    with pytest.raises(ValueError, match=r"shape \(4, 3\).*got \(3, 3\)"):
        Embedding(4, 3, embeddings_initializer=np.eye(3))
    with pytest.raises(TypeError, match=r"real numbers .*got dtype bool"):
        Embedding.from_pretrained(np.ones((3, 2), dtype=bool))
    assert Embedding.from_pretrained(np.ones((3, 2), dtype=np.int64)).embeddings.dtype == np.float32
    nan = np.ones((3, 2))
    nan[1, 1] = np.nan
    with pytest.raises(ValueError, match=r"got nan at position \(1, 1\)"):
        Embedding.from_pretrained(nan)
    with pytest.raises(ValueError, match="input_dim must be >= 1"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match="dtype must be one of"):
        Embedding(3, 3, dtype="int8")
    with pytest.raises(ValueError, match="padding_idx must be <= 2"):
        Embedding(3, 3, padding_idx=3)
    with pytest.raises(TypeError, match="mask_zero must be True or False"):
        Embedding(3, 3, mask_zero=1)
    with pytest.raises(ValueError, match="shape"):
        Embedding(3, 3, lambda shape, rng: np.ones((2, 2)))


def test_embeddings_setter_validates():
    layer = Embedding(3, 2)
    layer.embeddings = np.eye(3, 2)
    assert layer.embeddings.dtype == np.float32
    with pytest.raises(ValueError, match=r"shape \(3, 2\)"):
        layer.embeddings = np.eye(2)
    np.testing.assert_array_equal(layer.embeddings, np.eye(3, 2))


# --------------------------------------------------------------------------- forward


def test_forward_shapes_and_mask():
    layer = Embedding(10, 4, mask_zero=True, seed=0)
    assert layer(3).shape == (4,)
    assert layer(np.zeros((2, 0), np.int32)).shape == (2, 0, 4)
    ids = np.array([[[1, 0], [9, 2]]], dtype=np.uint16)
    np.testing.assert_array_equal(layer.forward(ids), layer.embeddings[ids])
    np.testing.assert_array_equal(layer.compute_mask(ids), ids != 0)


def test_max_norm_renorms_in_place_even_when_frozen():
    table = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    layer = Embedding.from_pretrained(table, max_norm=1.0)
    out = layer([0, 1])
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(layer.embeddings[0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_array_equal(layer.embeddings[2], [6.0, 8.0])  # not looked up


def test_bad_ids_leave_the_table_unchanged():
    layer = Embedding(6, 3, seed=0, max_norm=0.01)
    before = layer.embeddings.copy()
    with pytest.raises(IndexError, match=r"got 6 at position \(0, 2\)"):
        layer([[0, 1, 6]])
    with pytest.raises(IndexError, match=r"got -2 at position \(1,\)"):
        layer([1, -2])
    with pytest.raises(TypeError, match="integers, got dtype float64"):
        layer([1.0])
    with pytest.raises(TypeError, match="integers"):
        layer([True])
    np.testing.assert_array_equal(layer.embeddings, before)


# --------------------------------------------------------------------------- backward / SGD


def test_backward_sparse_dense_and_sgd_step():
    layer = Embedding(8, 3, seed=1)
    before = layer.embeddings.copy()
    ids = np.array([[1, 5, 1], [7, 5, 5]])
    grad = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    sparse = layer.backward(ids, grad)
    assert isinstance(sparse, SparseGrad) and layer.grad is sparse
    np.testing.assert_array_equal(sparse.indices, [1, 5, 7])
    np.testing.assert_array_equal(sparse.values[0], grad[0, 0] + grad[0, 2])
    np.testing.assert_array_equal(sparse.values[1], grad[0, 1] + grad[1, 1] + grad[1, 2])
    dense = layer.backward(ids, grad, dense=True)
    np.testing.assert_array_equal(dense, sparse.to_dense(8))
    layer.apply_gradients(lr=0.1)
    expected = before.copy()
    expected[[1, 5, 7]] -= 0.1 * sparse.values
    np.testing.assert_allclose(layer.embeddings, expected, rtol=1e-6)
    untouched = [0, 2, 3, 4, 6]
    np.testing.assert_array_equal(layer.embeddings[untouched], before[untouched])
    assert layer.grad is None
    with pytest.raises(RuntimeError, match="call backward"):
        layer.apply_gradients(lr=0.1)


def test_sparse_and_dense_steps_agree():
    a, b = Embedding(20, 4, seed=2), Embedding(20, 4, seed=2)
    ids = np.array([3, 3, 19, 0])
    grad = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32)
    a.backward(ids, grad)
    b.backward(ids, grad, dense=True)
    a.apply_gradients(0.5)
    b.apply_gradients(0.5)
    np.testing.assert_array_equal(a.embeddings, b.embeddings)


def test_padding_row_is_never_updated():
    layer = Embedding(6, 2, "normal", padding_idx=0, seed=0)
    ids = np.array([[0, 0, 3], [2, 0, 0]])
    for _ in range(3):
        out = layer(ids)
        layer.backward(ids, 2 * out + 1)
        layer.apply_gradients(0.1)
    assert not layer.embeddings[0].any()
    assert 0 not in layer.backward(ids, np.ones((2, 3, 2), np.float32)).indices


def test_frozen_layer_computes_but_cannot_apply():
    layer = Embedding.from_pretrained(np.eye(4, dtype=np.float32))
    grad = layer.backward([2], np.ones((1, 4), np.float32))
    np.testing.assert_array_equal(grad.indices, [2])
    with pytest.raises(RuntimeError, match="frozen"):
        layer.apply_gradients(0.1)
    np.testing.assert_array_equal(layer.embeddings, np.eye(4))
    layer.trainable = True
    layer.apply_gradients(1.0)
    np.testing.assert_array_equal(layer.embeddings[2], [-1, -1, 0, -1])


def test_bad_backward_input_changes_nothing():
    layer = Embedding(5, 3, seed=0)
    before = layer.embeddings.copy()
    good = layer.backward([1], np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"grad_out must have shape \(2, 3\).*got \(2, 4\)"):
        layer.backward([1, 2], np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*got \(3,\)"):
        layer.backward([1, 2], np.ones(3, np.float32))
    with pytest.raises(IndexError, match="got 9 at position"):
        layer.backward([1, 9], np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match="grad_out must be a float array"):
        layer.backward([1], np.ones((1, 3), np.int64))
    with pytest.raises(ValueError, match="lr must be greater than 0"):
        layer.apply_gradients(0.0)
    assert layer.grad is good
    np.testing.assert_array_equal(layer.embeddings, before)


def test_training_with_a_softmax_head_lowers_the_loss():
    """Ids 0..59 labelled by id % 3: the embedding must learn to separate the classes."""
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 60, size=(64, 5))
    labels = ids % 3
    layer = Embedding(60, 8, "normal", seed=0)
    head = rng.standard_normal((8, 3)) * 0.1
    losses = []
    for _ in range(150):
        h = layer(ids)  # (64, 5, 8)
        logits = h @ head
        logits -= logits.max(axis=-1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=-1, keepdims=True)
        n = labels.size
        losses.append(-np.log(np.take_along_axis(p, labels[..., None], -1)).sum() / n)
        d_logits = p.copy()  # softmax cross-entropy: (p - one_hot(labels)) / n
        picked = np.take_along_axis(p, labels[..., None], -1)
        np.put_along_axis(d_logits, labels[..., None], picked - 1, -1)
        d_logits /= n
        d_head = h.reshape(-1, 8).T @ d_logits.reshape(-1, 3)
        layer.backward(ids, (d_logits @ head.T).astype(np.float32))
        layer.apply_gradients(lr=5.0)
        head -= 5.0 * d_head
    assert losses[0] > 0.9  # near log(3) at the start
    assert losses[-1] < 0.1 * losses[0]
    accuracy = ((layer(ids) @ head).argmax(-1) == labels).mean()
    assert accuracy == 1.0
