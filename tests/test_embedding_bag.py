"""wordvec.layers.EmbeddingBag on real text: pooling modes, padding, backward, training."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from wordvec._io import open_text
from wordvec.layers import Embedding, EmbeddingBag, SparseGrad
from wordvec.layers import _kernels as K

WORD = re.compile(r"[a-z]+")


@pytest.fixture(scope="module")
def genre(shared_data):
    """Labelled Gutenberg paragraphs: (train texts, train labels, test texts, test labels)."""
    rows = {"train": ([], []), "test": ([], [])}
    with open_text(shared_data / "tasks" / "gutenberg-genre.tsv.gz") as f:
        next(f)
        for line in f:
            split, label, _book, text = line.rstrip("\n").split("\t")
            rows[split][0].append(WORD.findall(text.lower()))
            rows[split][1].append(label)
    return rows["train"] + rows["test"]


def encode(texts, index, max_len):
    """Padded (n, max_len) ids (0 = padding / unknown word) and the flat form + offsets."""
    batch = np.zeros((len(texts), max_len), dtype=np.int64)
    for i, words in enumerate(texts):
        ids = [index[w] for w in words if w in index][:max_len]
        batch[i, : len(ids)] = ids
    lengths = (batch != 0).sum(axis=1)
    flat = batch[batch != 0]
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return batch, flat, offsets


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_padded_batch_and_offsets_agree_with_manual_pooling(genre, mode):
    texts = genre[0][:40]
    vocab = [w for w, _ in Counter(w for t in texts for w in t).most_common(300)]
    index = {w: i + 1 for i, w in enumerate(vocab)}
    batch, flat, offsets = encode(texts, index, 60)
    bag = EmbeddingBag(len(vocab) + 1, 12, mode=mode, padding_idx=0, seed=0)
    padded = bag(batch)
    cut = bag(flat, offsets)
    np.testing.assert_allclose(padded, cut, rtol=1e-6)
    pool = {"sum": np.sum, "mean": np.mean, "max": np.max}[mode]
    for i in range(len(texts)):
        ids = batch[i][batch[i] != 0]
        expected = pool(bag.embeddings[ids], axis=0) if ids.size else np.zeros(12)
        np.testing.assert_allclose(padded[i], expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_backward_matches_reference(mode):
    rng = np.random.default_rng(0)
    bag = EmbeddingBag(30, 5, mode=mode, padding_idx=4, seed=1, dtype="float64")
    ids = rng.integers(0, 30, size=(6, 7))
    ids[1] = 4  # an all-padding bag
    bag(ids)
    grad = rng.standard_normal((6, 5))
    sparse = bag.backward(grad)
    assert isinstance(sparse, SparseGrad) and 4 not in sparse.indices
    _, max_idx = K.bag_forward_reference(
        bag.embeddings, ids.ravel(), np.arange(7) * 7, 4, K.MODE_CODES[mode]
    )
    ref = K.bag_backward_reference(
        ids.ravel(), np.arange(7) * 7, grad, 30, 4, K.MODE_CODES[mode], max_idx
    )
    np.testing.assert_allclose(sparse.to_dense(30), ref, atol=1e-12)
    np.testing.assert_allclose(bag.backward(grad, dense=True), ref, atol=1e-12)


def test_max_gradient_goes_to_the_argmax_row():
    table = np.array([[0.0, 0.0], [1.0, -1.0], [-1.0, 1.0], [0.5, 0.5]])
    bag = EmbeddingBag.from_pretrained(table, freeze=False, mode="max")
    np.testing.assert_array_equal(bag([[1, 2, 3]]), [[1.0, 1.0]])
    grad = bag.backward(np.array([[10.0, 20.0]]), dense=True)
    np.testing.assert_array_equal(grad, [[0, 0], [10, 0], [0, 20], [0, 0]])


def test_backward_uses_the_ids_of_the_forward_call():
    bag = EmbeddingBag(5, 2, mode="sum", seed=0)
    ids = np.array([[1, 2]])
    bag(ids)
    ids[0, 0] = 3  # later edits of the caller's array do not leak in
    np.testing.assert_array_equal(bag.backward(np.ones((1, 2))).indices, [1, 2])


def test_errors_leave_state_unchanged():
    bag = EmbeddingBag(5, 2, seed=0)
    with pytest.raises(RuntimeError, match="call forward"):
        bag.backward(np.ones((1, 2)))
    before = bag.embeddings.copy()
    bag([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match=r"grad_out must have shape \(2, 2\).*got \(3, 2\)"):
        bag.backward(np.ones((3, 2)))
    with pytest.raises(IndexError, match=r"got 5 at position \(2,\)"):
        bag([0, 1, 5], [0])
    with pytest.raises(ValueError, match="mode must be one of"):
        EmbeddingBag(5, 2, mode="median")
    assert bag.backward(np.ones((2, 2))).indices.tolist() == [1, 2, 3, 4]
    frozen = EmbeddingBag.from_pretrained(before)
    frozen([[1]])
    frozen.backward(np.ones((1, 2)))
    with pytest.raises(RuntimeError, match="frozen"):
        frozen.apply_gradients(0.1)
    np.testing.assert_array_equal(bag.embeddings, before)
    np.testing.assert_array_equal(frozen.embeddings, before)


def softmax_loss(logits, labels):
    """Mean cross-entropy and its gradient with respect to the logits."""
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = -np.log(p[rows, labels]).mean()
    p[rows, labels] -= 1
    return loss, p / len(labels)


def test_genre_classifier_trains(genre):
    """Mean-of-word-vectors + softmax head on 5 Gutenberg genres, sparse SGD on mini-batches:
    the training loss falls clearly and held-out books are classified well above chance."""
    train_texts, train_labels, test_texts, test_labels = genre
    train_texts, train_labels = train_texts[::3], train_labels[::3]  # 2,500 paragraphs
    names = sorted(set(train_labels))
    counts = Counter(w for t in train_texts for w in t)
    index = {w: i + 1 for i, (w, _) in enumerate(counts.most_common(4000))}
    x_train, _, _ = encode(train_texts, index, 100)
    x_test, _, _ = encode(test_texts, index, 100)
    y_train = np.array([names.index(y) for y in train_labels])
    y_test = np.array([names.index(y) for y in test_labels])

    rng = np.random.default_rng(0)
    bag = EmbeddingBag(len(index) + 1, 16, mode="mean", padding_idx=0, seed=0)
    head = rng.standard_normal((16, len(names))) * 0.1
    first, _ = softmax_loss(bag(x_train) @ head, y_train)
    for _ in range(3):
        order = rng.permutation(len(y_train))
        for start in range(0, len(order), 50):
            batch = order[start : start + 50]
            h = bag(x_train[batch])
            _, d_logits = softmax_loss(h @ head, y_train[batch])
            bag.backward(d_logits @ head.T)
            bag.apply_gradients(lr=30.0)
            head -= 1.0 * (h.T @ d_logits)
    last, _ = softmax_loss(bag(x_train) @ head, y_train)
    assert first == pytest.approx(np.log(5), abs=0.02)
    assert last < 0.8 * first
    assert not bag.embeddings[0].any()  # padding row untouched by training
    accuracy = ((bag(x_test) @ head).argmax(axis=1) == y_test).mean()
    assert accuracy > 0.4  # 5 classes from books never seen in training: chance is ~0.2


def test_bag_equals_mean_of_embedding_rows():
    emb = Embedding(50, 6, "normal", seed=5)
    bag = EmbeddingBag.from_pretrained(emb.embeddings, mode="mean")
    ids = np.random.default_rng(1).integers(0, 50, size=(4, 9))
    np.testing.assert_allclose(bag(ids), emb(ids).mean(axis=1), rtol=1e-5, atol=1e-7)
