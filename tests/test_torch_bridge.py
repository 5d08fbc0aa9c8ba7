"""wordvec.torch: pretrained vectors as torch modules, batches of ids, DataLoader collation.

The modules must compute what wordvec's own NumPy layers compute (forward rows and the
scatter-add backward), on real GloVe vectors and real paragraphs of the genre task.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import wordvec
import wordvec.torch as wt
from wordvec._io import open_text
from wordvec.layers import Embedding, EmbeddingBag
from wordvec.vectors import Vectors

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def glove(shared_data) -> Vectors:
    return Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=5000)


@pytest.fixture(scope="module")
def paragraphs(shared_data) -> list[str]:
    """The first 120 training paragraphs of the genre task."""
    texts = []
    with open_text(shared_data / "tasks" / "gutenberg-genre.tsv.gz") as f:
        next(f)
        for line in f:
            split, _, _, text = line.rstrip("\n").split("\t")
            if split == "train":
                texts.append(text)
            if len(texts) == 120:
                break
    return texts


@pytest.fixture(scope="module")
def vocab(paragraphs) -> wordvec.Vocab:
    return wordvec.Vocab.build((wordvec.tokenize(t) for t in paragraphs[:100]), min_count=1)


@pytest.fixture(scope="module")
def batch(paragraphs, vocab):
    """Ids of 16 held-out paragraphs (so some tokens are <unk>), padded at the end."""
    ids, lengths = wt.encode_batch(paragraphs[100:116], vocab, max_len=60)
    return ids, lengths


def upstream(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ------------------------------------------------------------------ parity with wordvec layers


@pytest.mark.parametrize("sparse", [False, True])
def test_embedding_matches_wordvec_layer_forward_and_backward(glove, vocab, batch, sparse):
    ids, _ = batch
    module = wt.embedding(glove, vocab, freeze=False, sparse=sparse, seed=3)
    layer = Embedding.from_vectors(glove, vocab, freeze=False, seed=3, padding_idx=0)
    assert isinstance(module, torch.nn.Embedding)
    assert module.padding_idx == vocab.pad_index and module.sparse is sparse
    np.testing.assert_array_equal(module.weight.detach().numpy(), layer.embeddings)

    out = module(ids)
    np.testing.assert_array_equal(out.detach().numpy(), layer.forward(ids.numpy()))

    grad = upstream(tuple(out.shape))
    out.backward(torch.from_numpy(grad))
    ours = layer.backward(ids.numpy(), grad, dense=True)
    theirs = module.weight.grad
    theirs = theirs.coalesce().to_dense() if sparse else theirs
    np.testing.assert_allclose(theirs.numpy(), ours, rtol=1e-5, atol=1e-5)
    assert not ours[vocab.pad_index].any()  # padding row: no gradient in either
    used = set(np.unique(ids.numpy())) - {vocab.pad_index}
    assert set(np.flatnonzero(np.abs(ours).sum(axis=1))) == used


def test_embedding_bag_matches_wordvec_bag_layer(glove, vocab, batch):
    ids, lengths = batch
    module = wt.embedding_bag(glove, vocab, freeze=False, mode="mean", seed=3)
    table = Embedding.from_vectors(glove, vocab, seed=3).embeddings
    bag = EmbeddingBag.from_pretrained(table, freeze=False, mode="mean", padding_idx=0)
    assert isinstance(module, torch.nn.EmbeddingBag) and module.mode == "mean"

    out = module(ids)
    ours = bag.forward(ids.numpy())
    np.testing.assert_allclose(out.detach().numpy(), ours, rtol=1e-5, atol=1e-6)
    # the masked mean of the real tokens of each paragraph
    rows = table[ids.numpy()]
    expected = np.stack([rows[i, : lengths[i]].mean(axis=0) for i in range(len(rows))])
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-6)

    grad = upstream(tuple(out.shape), seed=1)
    out.backward(torch.from_numpy(grad))
    np.testing.assert_allclose(
        module.weight.grad.numpy(), bag.backward(grad, dense=True), rtol=1e-5, atol=1e-6
    )


def test_embedding_bag_include_last_offset_takes_csr_offsets(glove, vocab, batch):
    ids, lengths = batch
    padded = wt.embedding_bag(glove, vocab, mode="sum", seed=3)
    module = wt.embedding_bag(glove, vocab, mode="sum", seed=3, include_last_offset=True)
    assert module.include_last_offset and not padded.include_last_offset
    flat = ids[ids != vocab.pad_index]
    csr = torch.cat((torch.zeros(1, dtype=torch.long), torch.cumsum(lengths, 0)))
    assert csr[-1] == flat.numel()  # one more offset than bags, the last one = len(ids)
    np.testing.assert_allclose(module(flat, csr).numpy(), padded(ids).numpy(), rtol=1e-5, atol=1e-6)
    layer = EmbeddingBag.from_torch(module)
    assert layer.include_last_offset
    np.testing.assert_allclose(
        layer(flat.numpy(), csr.numpy()), padded(ids).numpy(), rtol=1e-5, atol=1e-6
    )
    with pytest.raises(TypeError, match="include_last_offset must be True or False"):
        wt.embedding_bag(glove, vocab, include_last_offset=1)


def test_vectors_without_vocab_use_their_own_rows(glove):
    module = wt.embedding(glove, padding_idx=None)
    np.testing.assert_array_equal(module.weight.numpy(), glove.vectors)
    assert module.padding_idx is None and not module.weight.requires_grad
    row = glove.index("king")
    np.testing.assert_array_equal(module(torch.tensor([row]))[0].numpy(), glove["king"])


def test_matrix_and_tensor_inputs_are_copied(glove):
    matrix = np.ascontiguousarray(glove.vectors[:300])
    tensor = torch.from_numpy(matrix.copy()).requires_grad_(True)
    for source in (matrix, tensor):
        module = wt.embedding(source, freeze=False)
        np.testing.assert_array_equal(module.weight.detach().numpy(), matrix)
        with torch.no_grad():
            module.weight[5] = 0.0
    assert matrix[5].any() and tensor[5].detach().any()


# ------------------------------------------------------------------ frozen vs fine-tuned


def mean_classifier(embedding: torch.nn.Module, classes: int = 5) -> torch.nn.Module:
    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = embedding
            self.out = torch.nn.Linear(embedding.embedding_dim, classes)

        def forward(self, ids, lengths):
            mask = (ids != 0).unsqueeze(-1).float()
            pooled = (self.embedding(ids) * mask).sum(1) / lengths.clamp(min=1)[:, None]
            return self.out(pooled)

    return Model()


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_frozen_table_is_unchanged_and_fine_tuned_changes_only_used_rows(
    glove, vocab, batch, optimizer
):
    ids, lengths = batch
    labels = torch.arange(len(ids)) % 5
    for freeze in (True, False):
        torch.manual_seed(0)
        model = mean_classifier(wt.embedding(glove, vocab, freeze=freeze, seed=0))
        before = model.embedding.weight.detach().clone()
        params = [p for p in model.parameters() if p.requires_grad]
        opt = (
            torch.optim.Adam(params, lr=0.01)
            if optimizer == "adam"
            else torch.optim.SGD(params, lr=0.5)
        )
        loss = torch.nn.functional.cross_entropy(model(ids, lengths), labels)
        loss.backward()
        opt.step()
        after = model.embedding.weight.detach()
        changed = set(torch.nonzero((after != before).any(dim=1)).flatten().tolist())
        if freeze:
            assert not model.embedding.weight.requires_grad
            assert changed == set()
        else:
            used = set(ids.unique().tolist()) - {vocab.pad_index}
            assert changed == used
            assert len(used) > 100


# ------------------------------------------------------------------ batches


def test_encode_batch_on_real_paragraphs(paragraphs, vocab):
    texts = paragraphs[100:110]
    ids, lengths = wt.encode_batch(texts, vocab, max_len=40)
    assert ids.dtype == torch.int64 and lengths.dtype == torch.int64
    assert ids.shape == (10, 40)
    for row, length, text in zip(ids.numpy(), lengths.tolist(), texts):
        tokens = wordvec.tokenize(text)
        assert length == min(len(tokens), 40)
        assert row[:length].tolist() == vocab.encode(tokens[:40])
        assert (row[length:] == vocab.pad_index).all()
    assert (ids == vocab.unk_index).any()  # held-out paragraphs have unseen words

    pre, pre_lengths = wt.encode_batch(texts, vocab, max_len=40, padding="pre")
    assert pre_lengths.tolist() == lengths.tolist()
    for a, b, n in zip(ids.numpy(), pre.numpy(), lengths.tolist()):
        assert b[40 - n :].tolist() == a[:n].tolist()

    ids_all, lengths_all = wt.encode_batch(texts, vocab)  # pad to the longest
    assert ids_all.shape[1] == int(lengths_all.max()) > 40


def test_encode_batch_tokenizer_option(vocab):
    ids, _ = wt.encode_batch(["The KING", "the king"], vocab, tokenizer="whitespace")
    assert ids[0].tolist() != ids[1].tolist()  # whitespace does not lowercase
    ids, _ = wt.encode_batch(["The KING", "the king"], vocab)
    assert ids[0].tolist() == ids[1].tolist()


def test_collate_with_a_dataloader(paragraphs, vocab):
    from torch.utils.data import DataLoader

    classes = ["drama", "fiction", "history", "philosophy", "poetry"]
    pairs = [(t, classes[i % 5]) for i, t in enumerate(paragraphs[:20])]
    loader = DataLoader(
        pairs, batch_size=8, collate_fn=wt.collate(vocab, max_len=30, labels=classes)
    )
    batches = list(loader)
    assert [len(b[2]) for b in batches] == [8, 8, 4]
    # truncated at max_len, padded only to the longest text of the batch
    short = wt.collate(vocab, max_len=30)([("one two three", 0), ("one two", 1)])[0]
    assert short.shape == (2, 3)
    longest = max(paragraphs[:20], key=lambda t: len(wordvec.tokenize(t)))
    long = wt.collate(vocab, max_len=30)([(longest, 0), ("one two", 1)])[0]
    assert long.shape == (2, 30)
    ids, lengths, labels = batches[0]
    assert ids.shape == (8, int(lengths.max())) and int(lengths.max()) <= 30
    assert labels.tolist() == [i % 5 for i in range(8)]
    expected, expected_lengths = wt.encode_batch(paragraphs[:8], vocab, max_len=30)
    width = ids.shape[1]
    assert ids.tolist() == expected[:, :width].tolist()
    assert lengths.tolist() == expected_lengths.tolist()

    by_vocab = wt.collate(vocab, labels=wordvec.Vocab(classes, pad_token=None, unk_token=None))
    assert by_vocab([("a b", "poetry")])[2].tolist() == [4]
    assert wt.collate(vocab)([("a b", 3)])[2].tolist() == [3]


def test_collate_errors(vocab):
    with pytest.raises(KeyError, match=r"'sonnet'.*not among the 2 classes"):
        wt.collate(vocab, labels=["a", "b"])([("text", "sonnet")])
    with pytest.raises(TypeError, match="not an integer class id"):
        wt.collate(vocab)([("text", "drama")])
    with pytest.raises(TypeError, match=r"\(text, label\) pair"):
        wt.collate(vocab)(["just text"])
    with pytest.raises(TypeError, match="labels must be None"):
        wt.collate(vocab, labels="ab")


def test_encode_batch_errors(vocab):
    with pytest.raises(TypeError, match="single str"):
        wt.encode_batch("one text", vocab)
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str"):
        wt.encode_batch(["ok", 5], vocab)
    with pytest.raises(ValueError, match="max_len must be >= 1"):
        wt.encode_batch(["ok"], vocab, max_len=0)
    with pytest.raises(ValueError, match="padding must be one of"):
        wt.encode_batch(["ok"], vocab, padding="both")
    with pytest.raises(TypeError, match=r"wordvec\.Vocab"):
        wt.encode_batch(["ok"], {"ok": 1})
    no_pad = wordvec.Vocab.build([["a"]], specials=("<unk>",))
    with pytest.raises(ValueError, match="no padding token"):
        wt.encode_batch(["a"], no_pad)


# ------------------------------------------------------------------ validation


def test_invalid_tables_are_rejected_with_clear_errors(glove, vocab):
    good = np.zeros((len(vocab), 50), dtype=np.float32)
    with pytest.raises(TypeError, match="must hold real numbers"):
        wt.embedding(np.zeros((4, 3), dtype=np.complex64))
    with pytest.raises(ValueError, match="2-D"):
        wt.embedding(np.zeros((4, 3, 2), dtype=np.float32))
    nan = good.copy()
    nan[7, 2] = np.nan
    with pytest.raises(ValueError, match=r"finite.*\(7, 2\)"):
        wt.embedding(nan)
    with pytest.raises(ValueError, match=f"{len(vocab) + 1} rows but the vocabulary has"):
        wt.embedding(np.zeros((len(vocab) + 1, 50), dtype=np.float32), vocab)
    with pytest.raises(ValueError, match=r"padding_idx must lie in \[-4, 4\)"):
        wt.embedding(np.zeros((4, 3), dtype=np.float32), padding_idx=4)
    with pytest.raises(ValueError, match="pads with id 0"):
        wt.embedding(good, vocab, padding_idx=1)
    with pytest.raises(ValueError, match="has no padding token"):
        wt.embedding(good[:-1], wordvec.Vocab(vocab.tokens[1:], pad_token=None))
    with pytest.raises(ValueError, match="oov must be one of"):
        wt.embedding(glove, vocab, oov="mean")
    with pytest.raises(ValueError, match="mode must be one of"):
        wt.embedding_bag(good, mode="median")
    with pytest.raises(TypeError, match="freeze must be True or False"):
        wt.embedding(good, freeze=1)
    with pytest.raises(TypeError, match="sparse must be True or False"):
        wt.embedding(good, sparse="yes")
    with pytest.raises(TypeError, match=r"vocab must be a wordvec\.Vocab"):
        wt.embedding(good, vocab=vocab.tokens)
    # a negative padding_idx counts from the end, as in PyTorch
    assert wt.embedding(np.zeros((4, 3), dtype=np.float32), padding_idx=-1).padding_idx == 3


# ------------------------------------------------------------------ optional dependency


def test_missing_torch_names_the_extra(monkeypatch, vocab):
    monkeypatch.setitem(sys.modules, "torch", None)
    matrix = np.zeros((len(vocab), 4), dtype=np.float32)
    for call in (
        lambda: wt.embedding(matrix, vocab),
        lambda: wt.embedding_bag(matrix, vocab),
        lambda: wt.encode_batch(["a"], vocab),
        lambda: wt.collate(vocab)([("a", 0)]),
    ):
        with pytest.raises(ImportError, match=r'pip install "wordvec\[torch\]"'):
            call()


def test_importing_wordvec_does_not_import_the_frameworks():
    code = (
        "import sys, wordvec, wordvec.torch, wordvec.keras; "
        "print('torch' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
