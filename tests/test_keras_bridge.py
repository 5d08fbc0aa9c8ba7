"""wordvec.keras: pretrained vectors as a keras.layers.Embedding (on the torch backend).

The layer must compute what wordvec's own NumPy layer computes (rows forward, the
scatter-add backward), on real GloVe vectors and real paragraphs of the genre task.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import wordvec
import wordvec.keras as wk
import wordvec.torch as wt
from wordvec._io import open_text
from wordvec.layers import Embedding
from wordvec.vectors import Vectors

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
if keras.backend.backend() != "torch":  # pragma: no cover
    pytest.skip("these tests drive gradients through the torch backend", allow_module_level=True)


@pytest.fixture(scope="module")
def glove(shared_data) -> Vectors:
    return Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=5000)


@pytest.fixture(scope="module")
def paragraphs(shared_data) -> list[str]:
    """The first 120 test paragraphs of the genre task."""
    texts = []
    with open_text(shared_data / "tasks" / "gutenberg-genre.tsv.gz") as f:
        next(f)
        for line in f:
            split, _, _, text = line.rstrip("\n").split("\t")
            if split == "test":
                texts.append(text)
            if len(texts) == 120:
                break
    return texts


@pytest.fixture(scope="module")
def vocab(paragraphs) -> wordvec.Vocab:
    return wordvec.Vocab.build((wordvec.tokenize(t) for t in paragraphs[:100]), min_count=1)


@pytest.fixture(scope="module")
def ids(paragraphs, vocab) -> np.ndarray:
    """Ids of 16 held-out paragraphs, padded with 0 at the end to 60 tokens."""
    return wt.encode_batch(paragraphs[100:116], vocab, max_len=60)[0].numpy()


def test_layer_matches_wordvec_layer_forward_mask_and_backward(glove, vocab, ids):
    layer = wk.embedding(glove, vocab, trainable=True, seed=5)
    ours = Embedding.from_vectors(glove, vocab, freeze=False, seed=5, mask_zero=True)
    assert isinstance(layer, keras.layers.Embedding)
    assert layer.trainable and layer.mask_zero

    out = layer(torch.from_numpy(ids))
    np.testing.assert_array_equal(layer.embeddings.value.detach().numpy(), ours.embeddings)
    np.testing.assert_array_equal(out.detach().numpy(), ours.forward(ids))
    mask = layer.compute_mask(torch.from_numpy(ids))
    np.testing.assert_array_equal(mask.numpy(), ours.compute_mask(ids))
    assert not mask.numpy().all()  # the batch has padding

    grad = np.random.default_rng(0).standard_normal(out.shape).astype(np.float32)
    (out * torch.from_numpy(grad)).sum().backward()
    theirs = layer.embeddings.value.grad.numpy()
    # Keras has no padding_idx: the pad row gets gradient like any row, as it does in
    # wordvec's layer without padding_idx (downstream masking is what keeps it at zero).
    np.testing.assert_allclose(theirs, ours.backward(ids, grad, dense=True), rtol=1e-5, atol=1e-5)
    assert theirs[0].any()


def test_matrix_input_and_float64(glove):
    matrix = glove.vectors[:200].astype(np.float64)
    layer = wk.embedding(matrix, mask_zero=False)
    out = layer(np.array([[3, 199]]))
    assert layer.dtype == "float64" and not layer.trainable and not layer.mask_zero
    np.testing.assert_array_equal(out.detach().numpy()[0], matrix[[3, 199]])


def mean_model(embedding):
    inputs = keras.Input(shape=(60,), dtype="int64")
    pooled = keras.layers.GlobalAveragePooling1D()(embedding(inputs))
    model = keras.Model(inputs, keras.layers.Dense(5)(pooled))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def test_frozen_is_unchanged_and_fine_tuned_changes_only_used_rows(glove, vocab, ids):
    labels = np.arange(len(ids)) % 5
    used = set(np.unique(ids).tolist()) - {0}
    for trainable in (False, True):
        keras.utils.set_random_seed(0)
        layer = wk.embedding(glove, vocab, trainable=trainable, seed=0)
        model = mean_model(layer)
        before = layer.embeddings.value.detach().numpy().copy()
        model.train_on_batch(ids, labels)
        after = layer.embeddings.value.detach().numpy()
        changed = set(np.flatnonzero((after != before).any(axis=1)).tolist())
        if trainable:
            # the masked mean gives the pad row no gradient, so Adam leaves it alone
            assert changed == used and len(used) > 100
        else:
            assert changed == set()
            assert len(layer.trainable_weights) == 0


def test_invalid_inputs_are_rejected_with_clear_errors(glove, vocab):
    with pytest.raises(TypeError, match="must hold real numbers"):
        wk.embedding(np.ones((4, 3), dtype=bool))
    with pytest.raises(ValueError, match="2-D"):
        wk.embedding(np.ones(4, dtype=np.float32))
    with pytest.raises(ValueError, match="rows but the vocabulary has"):
        wk.embedding(np.zeros((len(vocab) - 1, 8), dtype=np.float32), vocab)
    pad_last = wordvec.Vocab(["<unk>", "a", "<pad>"])
    with pytest.raises(ValueError, match=r"mask_zero=True masks id 0.*pads with id 2"):
        wk.embedding(np.zeros((3, 4), dtype=np.float32), pad_last)
    layer = wk.embedding(np.zeros((3, 4), dtype=np.float32), pad_last, mask_zero=False)
    assert not layer.mask_zero
    with pytest.raises(TypeError, match="trainable must be True or False"):
        wk.embedding(glove, vocab, trainable="no")
    with pytest.raises(ValueError, match="oov must be one of"):
        wk.embedding(glove, vocab, oov="unk")


def test_missing_keras_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)
    with pytest.raises(ImportError, match=r'pip install "wordvec\[keras\]"'):
        wk.embedding(np.zeros((3, 2), dtype=np.float32))


def test_backend_defaults_to_torch_only_when_unset(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    wk.embedding(np.zeros((3, 2), dtype=np.float32))
    assert os.environ["KERAS_BACKEND"] == "torch"
    monkeypatch.setenv("KERAS_BACKEND", "jax")  # a choice of the user is kept
    wk.embedding(np.zeros((3, 2), dtype=np.float32))
    assert os.environ["KERAS_BACKEND"] == "jax"
