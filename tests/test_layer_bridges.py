"""Bridges of the layers: torch.nn.Embedding / EmbeddingBag and keras.layers.Embedding give the
same outputs and gradients as wordvec's own layers."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from wordvec._io import open_text
from wordvec.layers import Embedding, EmbeddingBag

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture(scope="module")
def glove_table(shared_data):
    """(201, 50) float32: a zero padding row, then the first 200 GloVe vectors."""
    rows = [np.zeros(50)]
    with open_text(shared_data / "vectors" / "glove.6B.50d.txt.gz") as f:
        for _ in range(200):
            rows.append([float(x) for x in next(f).split(" ")[1:]])
    return np.array(rows, dtype=np.float32)


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 201, size=(8, 12))
    ids[:, 9:] = 0  # padded tails
    grad = rng.standard_normal((8, 12, 50)).astype(np.float32)
    return ids, grad


# --------------------------------------------------------------------------- torch


def test_to_torch_same_outputs_gradients_and_step(glove_table, batch):
    torch = pytest.importorskip("torch")
    ids, grad = batch
    layer = Embedding.from_pretrained(glove_table, freeze=False, padding_idx=0)
    module = layer.to_torch()
    assert isinstance(module, torch.nn.Embedding)
    assert module.padding_idx == 0 and module.weight.requires_grad
    out = module(torch.from_numpy(ids))
    np.testing.assert_array_equal(out.detach().numpy(), layer(ids))
    out.backward(torch.from_numpy(grad))
    ours = layer.backward(ids, grad, dense=True)
    np.testing.assert_allclose(ours, module.weight.grad.numpy(), rtol=1e-5, atol=1e-5)
    assert not ours[0].any()
    torch.optim.SGD(module.parameters(), lr=0.3).step()
    layer.apply_gradients(0.3)
    np.testing.assert_allclose(layer.embeddings, module.weight.detach().numpy(), atol=1e-6)
    module.weight.data[1] = 7.0  # the module holds a copy
    assert layer.embeddings[1, 0] != 7.0


def test_to_torch_freezing_and_max_norm(glove_table, batch):
    torch = pytest.importorskip("torch")
    ids, _ = batch
    layer = Embedding.from_pretrained(glove_table, max_norm=2.0)
    module = layer.to_torch()
    assert not module.weight.requires_grad
    assert module.max_norm == 2.0 and module.norm_type == 2.0
    out = module(torch.from_numpy(ids)).numpy()
    np.testing.assert_allclose(layer(ids), out, rtol=1e-6)
    np.testing.assert_allclose(layer.embeddings, module.weight.numpy(), rtol=1e-6)
    looked_up = np.unique(ids)
    assert np.linalg.norm(layer.embeddings[looked_up], axis=1).max() <= 2.0 + 1e-5


def test_from_torch_round_trip():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = torch.nn.Embedding(30, 6, padding_idx=3, max_norm=1.5, norm_type=1.0)
    module.weight.requires_grad_(False)
    layer = Embedding.from_torch(module)
    np.testing.assert_array_equal(layer.embeddings, module.weight.numpy())
    assert (layer.padding_idx, layer.max_norm, layer.norm_type) == (3, 1.5, 1.0)
    assert not layer.trainable
    double = Embedding.from_torch(torch.nn.Embedding(4, 2).double())
    assert double.dtype == "float64" and double.trainable
    with pytest.raises(TypeError, match=r"torch\.nn\.Embedding, got Linear"):
        Embedding.from_torch(torch.nn.Linear(2, 2))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_bag_to_torch_same_outputs_and_gradients(glove_table, batch, mode):
    torch = pytest.importorskip("torch")
    ids, _ = batch
    bag = EmbeddingBag.from_pretrained(glove_table, freeze=False, mode=mode, padding_idx=0)
    module = bag.to_torch()
    assert isinstance(module, torch.nn.EmbeddingBag) and module.mode == mode
    flat = ids[ids != 0]
    offsets = np.concatenate(([0], np.cumsum((ids != 0).sum(axis=1))[:-1]))
    out = module(torch.from_numpy(flat), torch.from_numpy(offsets))
    np.testing.assert_allclose(bag(flat, offsets), out.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bag(ids), out.detach().numpy(), rtol=1e-5, atol=1e-6)
    grad = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(torch.from_numpy(grad))
    np.testing.assert_allclose(
        bag.backward(grad, dense=True), module.weight.grad.numpy(), rtol=1e-5, atol=1e-6
    )
    back = EmbeddingBag.from_torch(module)
    assert back.mode == mode and back.padding_idx == 0 and back.trainable
    np.testing.assert_array_equal(back.embeddings, glove_table)


# --------------------------------------------------------------------------- keras


def test_to_keras_same_outputs_mask_and_gradients(glove_table, batch):
    keras = pytest.importorskip("keras")
    torch = pytest.importorskip("torch")
    if keras.backend.backend() != "torch":
        pytest.skip("the gradient comparison uses the torch backend")
    ids, grad = batch
    layer = Embedding.from_pretrained(glove_table, freeze=False, mask_zero=True)
    klayer = layer.to_keras()
    assert isinstance(klayer, keras.layers.Embedding)
    assert klayer.mask_zero and klayer.trainable
    out = klayer(ids)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out), layer(ids))
    mask = keras.ops.convert_to_numpy(klayer.compute_mask(ids))
    np.testing.assert_array_equal(mask, layer.compute_mask(ids))
    (out * torch.from_numpy(grad)).sum().backward()
    keras_grad = klayer.embeddings.value.grad.numpy()
    np.testing.assert_allclose(
        layer.backward(ids, grad, dense=True), keras_grad, rtol=1e-5, atol=1e-5
    )


def test_to_keras_frozen_and_dtype():
    pytest.importorskip("keras")
    klayer = Embedding.from_pretrained(np.eye(5)).to_keras()
    klayer.build((None,))
    assert not klayer.trainable and not klayer.trainable_weights
    assert klayer.embeddings.dtype == "float64"


# --------------------------------------------------------------------------- missing frameworks


@pytest.mark.parametrize(
    ("framework", "call"),
    [
        ("torch", lambda: Embedding(3, 2).to_torch()),
        ("torch", lambda: EmbeddingBag(3, 2).to_torch()),
        ("keras", lambda: Embedding(3, 2).to_keras()),
    ],
)
def test_missing_framework_names_the_extra(monkeypatch, framework, call):
    monkeypatch.setitem(sys.modules, framework, None)  # makes `import framework` fail
    with pytest.raises(ImportError, match=rf'pip install "wordvec\[{framework}\]"'):
        call()


def test_conversion_lives_in_the_bridges_and_dispatches_on_the_module():
    torch = pytest.importorskip("torch")
    import wordvec.torch as wt

    bag = wt.from_torch(torch.nn.EmbeddingBag(4, 3, mode="max"))
    assert isinstance(bag, EmbeddingBag) and bag.mode == "max"
    emb = wt.from_torch(torch.nn.Embedding(4, 3, padding_idx=1))
    assert isinstance(emb, Embedding) and emb.padding_idx == 1
    back = wt.to_torch(emb)
    assert isinstance(back, torch.nn.Embedding) and back.padding_idx == 1
    assert np.array_equal(back.weight.detach().numpy(), emb.embeddings)
    with pytest.raises(TypeError, match=r"torch\.nn\.Embedding or torch\.nn\.EmbeddingBag"):
        wt.from_torch(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match=r"must be a torch\.nn\.EmbeddingBag"):
        EmbeddingBag.from_torch(torch.nn.Embedding(4, 3))
    with pytest.raises(TypeError, match=r"wordvec\.layers\.Embedding or EmbeddingBag"):
        wt.to_torch(np.zeros((2, 2)))
