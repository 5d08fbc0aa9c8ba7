"""wordvec.layers.EmbeddingBag on real text: pooling modes, padding, backward, training."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from wordvec._io import open_text
from wordvec.layers import Embedding, EmbeddingBag, SparseGrad
from wordvec.layers import _kernels as K
from wordvec.layers import functional as F

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


# --------------------------------------------------------------------------- per_sample_weights,
# include_last_offset (checked against torch itself)


@pytest.fixture(scope="module")
def weighted(genre):
    """30 paragraphs (one with no known word: an empty bag) as a padded batch and as flat
    ids + offsets, each entry weighted by its word's inverse document frequency."""
    texts = genre[0][:30]
    vocab = [w for w, _ in Counter(w for t in texts for w in t).most_common(400)]
    texts = [*texts[:10], ["zzzz", "qqqq"], *texts[10:]]
    index = {w: i + 1 for i, w in enumerate(vocab)}
    batch, flat, offsets = encode(texts, index, 50)
    docs = np.bincount(np.concatenate([np.unique(row[row != 0]) for row in batch]))
    idf = np.log(len(texts) / np.maximum(docs, 1)).astype(np.float32) + 0.1
    idf = np.pad(idf, (0, len(vocab) + 1 - idf.size), constant_values=1.0)
    return {
        "rows": len(vocab) + 1,
        "batch": batch,
        "batch_weights": idf[batch],
        "flat": flat,
        "offsets": offsets,
        "flat_weights": idf[flat],
    }


def bag_inputs(weighted, form):
    """(ids, offsets, weights, include_last_offset) of one of the three ways to give bags."""
    if form == "padded":
        return weighted["batch"], None, weighted["batch_weights"], False
    offsets = weighted["offsets"]
    if form == "csr":
        offsets = np.append(offsets, weighted["flat"].size)
    return weighted["flat"], offsets, weighted["flat_weights"], form == "csr"


@pytest.mark.parametrize("pad", [None, 0])
@pytest.mark.parametrize("form", ["offsets", "csr", "padded"])
def test_weighted_sum_matches_torch(weighted, form, pad):
    torch = pytest.importorskip("torch")
    ids, offsets, weights, last = bag_inputs(weighted, form)
    bag = EmbeddingBag(
        weighted["rows"], 8, mode="sum", padding_idx=pad, seed=0, include_last_offset=last
    )
    module = bag.to_torch()
    module.weight.requires_grad_(True)
    t_weights = torch.tensor(weights, requires_grad=True)
    t_offsets = None if offsets is None else torch.from_numpy(offsets)
    out = module(torch.from_numpy(ids), t_offsets, per_sample_weights=t_weights)
    caller_weights = weights.copy()
    ours = bag(ids, offsets, per_sample_weights=caller_weights)
    np.testing.assert_allclose(ours, out.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(ours, bag(ids, offsets))  # the weights matter
    ours_again = bag(ids, offsets, per_sample_weights=caller_weights)
    caller_weights *= 3.0  # later edits of the caller's weights do not reach backward

    grad = np.random.default_rng(2).standard_normal(out.shape).astype(np.float32)
    out.backward(torch.from_numpy(grad))
    np.testing.assert_array_equal(ours_again, ours)
    np.testing.assert_allclose(
        bag.backward(grad, dense=True), module.weight.grad.numpy(), rtol=1e-5, atol=1e-6
    )
    sparse = bag.backward(grad)
    if pad is not None:
        assert pad not in sparse.indices
    np.testing.assert_allclose(
        sparse.to_dense(weighted["rows"]), module.weight.grad.numpy(), rtol=1e-5, atol=1e-6
    )
    functional = F.embedding_bag_backward(
        ids,
        grad,
        weighted["rows"],
        offsets,
        mode="sum",
        padding_idx=pad,
        per_sample_weights=weights,
        include_last_offset=last,
        dense=True,
    )
    np.testing.assert_allclose(functional, module.weight.grad.numpy(), rtol=1e-5, atol=1e-6)
    weights_grad = F.embedding_bag_per_sample_weights_backward(
        ids, grad, bag.embeddings, offsets, padding_idx=pad, include_last_offset=last
    )
    assert weights_grad.shape == ids.shape
    np.testing.assert_allclose(weights_grad, t_weights.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_include_last_offset_matches_torch(weighted, mode):
    torch = pytest.importorskip("torch")
    flat, offsets = weighted["flat"], weighted["offsets"]
    csr = np.append(offsets, flat.size)
    assert (np.diff(csr) == 0).any()  # an empty bag
    bag = EmbeddingBag(weighted["rows"], 6, mode=mode, seed=1, include_last_offset=True)
    plain = EmbeddingBag.from_pretrained(bag.embeddings, mode=mode)
    module = bag.to_torch()
    assert module.include_last_offset
    module.weight.requires_grad_(True)
    out = module(torch.from_numpy(flat), torch.from_numpy(csr))
    ours = bag(flat, csr)
    np.testing.assert_allclose(ours, out.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours, plain(flat, offsets))
    grad = np.random.default_rng(3).standard_normal(out.shape).astype(np.float32)
    out.backward(torch.from_numpy(grad))
    np.testing.assert_allclose(
        bag.backward(grad, dense=True), module.weight.grad.numpy(), rtol=1e-5, atol=1e-6
    )
    # padding inside the bags: the CSR form of the padded batch equals the 2-D call
    batch = weighted["batch"]
    padded = EmbeddingBag.from_pretrained(bag.embeddings, mode=mode, padding_idx=0)
    csr_padded = EmbeddingBag.from_pretrained(
        bag.embeddings, mode=mode, padding_idx=0, include_last_offset=True
    )
    starts = np.arange(batch.shape[0] + 1) * batch.shape[1]
    np.testing.assert_array_equal(csr_padded(batch.ravel(), starts), padded(batch))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weighted_kernels_match_references(weighted, dtype):
    ids, offsets = weighted["flat"], weighted["offsets"]
    starts = np.append(offsets, ids.size)
    weights = weighted["flat_weights"].astype(dtype)
    rng = np.random.default_rng(4)
    table = rng.standard_normal((weighted["rows"], 5)).astype(dtype)
    grad = rng.standard_normal((offsets.size, 5)).astype(dtype)
    pad = int(ids[3])  # a real word as padding_idx: some entries are left out
    n_bags = starts.size - 1
    for mode in (K.MODE_SUM, K.MODE_MEAN):
        for w in (weights, np.empty(0, dtype=dtype)):
            out = np.empty((n_bags, 5), dtype=dtype)
            counts = np.empty(n_bags, dtype=np.int64)
            K.bag_forward(table, ids, starts, pad, mode, w, out, counts, np.empty((0, 0), np.int64))
            ref, _ = K.bag_forward_reference(table, ids, starts, pad, mode, w)
            np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(
                counts, [(b != pad).sum() for b in np.split(ids, offsets[1:])]
            )
    got = F.embedding_bag_backward(
        ids, grad, table.shape[0], offsets, mode="sum", padding_idx=pad, per_sample_weights=weights
    )
    ref = K.bag_backward_reference(
        ids, starts, grad, table.shape[0], pad, K.MODE_SUM, None, weights
    )
    np.testing.assert_allclose(got.to_dense(table.shape[0]), ref, rtol=1e-5, atol=1e-6)
    got_w = np.empty(ids.size, dtype=dtype)
    K.bag_weights_grad(table, ids, starts, pad, grad, got_w)
    ref_w = K.bag_weights_grad_reference(table, ids, starts, pad, grad)
    np.testing.assert_allclose(got_w, ref_w, rtol=1e-5, atol=1e-6)
    assert not got_w[ids == pad].any()


def test_weights_and_last_offset_errors_leave_state_unchanged():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    bag = EmbeddingBag.from_pretrained(table, freeze=False, mode="sum", max_norm=1.0)
    first = bag([0, 1, 2], [0, 1], per_sample_weights=[1.0, 2.0, 3.0])
    expected = bag.backward(np.ones((2, 3)), dense=True)
    after_first = bag.embeddings.copy()  # max_norm renormalized rows 0-2 in place
    bad_weights = [
        (ValueError, r"shape of ids \(3,\) \(one weight per id\), got \(2,\)", [1.0, 2.0]),
        (TypeError, "array of floats, got dtype int64", [1, 2, 3]),
        (ValueError, r"finite \(in float32\), got nan at position \(1,\)", [1.0, np.nan, 1.0]),
        (ValueError, r"finite.*inf at position \(2,\)", [1.0, 1.0, np.inf]),
    ]
    for exc, message, weights in bad_weights:
        with pytest.raises(exc, match=message):
            bag([1, 2, 3], [0, 2], per_sample_weights=weights)
    with pytest.raises(ValueError, match=r"shape of ids \(1, 3\).*got \(3,\)"):
        bag([[1, 2, 3]], per_sample_weights=[1.0, 1.0, 1.0])
    for mode in ("mean", "max"):
        other = EmbeddingBag.from_pretrained(table, mode=mode, max_norm=1.0)
        with pytest.raises(ValueError, match=f'only supported with mode="sum".*got mode="{mode}"'):
            other([[0, 1]], per_sample_weights=[[1.0, 1.0]])
        np.testing.assert_array_equal(other.embeddings, table)
        with pytest.raises(ValueError, match='use mode="sum"'):
            F.embedding_bag([[0, 1]], table, mode=mode, per_sample_weights=[[1.0, 1.0]])

    csr = EmbeddingBag.from_pretrained(
        table, freeze=False, mode="sum", max_norm=1.0, include_last_offset=True
    )
    with pytest.raises(ValueError, match="include_last_offset=True needs 1-D ids"):
        csr([[1, 2], [3, 3]])
    with pytest.raises(ValueError, match=r"must equal len\(ids\) = 3, got 2; append 3"):
        csr([1, 2, 3], [0, 1, 2])
    with pytest.raises(ValueError, match=r"<= len\(ids\) = 3, got 4 at position 2"):
        csr([1, 2, 3], [0, 1, 4])
    with pytest.raises(ValueError, match=r"got an empty array.*bags \+ 1 entries"):
        csr([1, 2, 3], [])
    with pytest.raises(TypeError, match="include_last_offset must be True or False"):
        EmbeddingBag(4, 3, include_last_offset=1)
    with pytest.raises(ValueError, match="include_last_offset=True needs 1-D ids"):
        F.embedding_bag_backward([[0]], np.ones((1, 3)), 4, mode="sum", include_last_offset=True)
    np.testing.assert_array_equal(csr.embeddings, table)
    assert csr([], [0]).shape == (0, 3)  # no bags at all, as torch
    np.testing.assert_array_equal(csr([], [0, 0]), np.zeros((1, 3), np.float32))

    np.testing.assert_array_equal(bag.embeddings, after_first)
    np.testing.assert_array_equal(bag.backward(np.ones((2, 3)), dense=True), expected)
    again = bag([0, 1, 2], [0, 1], per_sample_weights=[1.0, 2.0, 3.0])
    np.testing.assert_allclose(again, first, rtol=1e-6)  # renormalized rows may move by 1 ulp


def test_torch_round_trip_keeps_include_last_offset(caplog):
    torch = pytest.importorskip("torch")
    bag = EmbeddingBag(6, 3, mode="max", seed=2, include_last_offset=True)
    assert "include_last_offset=True" in repr(bag)
    module = bag.to_torch()
    assert module.include_last_offset and module.mode == "max"
    back = EmbeddingBag.from_torch(module)
    assert back.include_last_offset and back.mode == "max"
    np.testing.assert_array_equal(back.embeddings, bag.embeddings)
    theirs = torch.nn.EmbeddingBag(6, 3, mode="sum", include_last_offset=True)
    with caplog.at_level("WARNING"):
        ours = EmbeddingBag.from_torch(theirs)
    assert not caplog.records
    ids, csr = np.array([1, 4, 4, 5]), np.array([0, 3, 3, 4])
    weights = np.array([0.5, -1.0, 2.0, 3.0], dtype=np.float32)
    expected = theirs(
        torch.from_numpy(ids), torch.from_numpy(csr), per_sample_weights=torch.from_numpy(weights)
    )
    np.testing.assert_allclose(
        ours(ids, csr, per_sample_weights=weights), expected.detach().numpy(), rtol=1e-6
    )
    plain = EmbeddingBag.from_torch(torch.nn.EmbeddingBag(6, 3))
    assert not plain.include_last_offset and not plain.to_torch().include_last_offset
