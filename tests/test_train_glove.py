"""GloVe: the AdaGrad kernel against the NumPy reference, then the trainer end to end on
real text (quality, reproducibility, save/load, continued training, errors)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from wordvec.evaluate import evaluate_similarity
from wordvec.text import iter_lines
from wordvec.train.glove import GloVe
from wordvec.train.kernels import glove as kernels
from wordvec.train.reference_glove import glove_update

SIMILARITY = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "eval" / "wordsim353.tsv"
)


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


# --- the trainer end to end -------------------------------------------------------------


@pytest.fixture(scope="module")
def books(shared_data: Path) -> list[str]:
    """About 260k words of raw novel text (the first 5,000 paragraphs)."""
    path = shared_data / "corpus" / "default-books-en.txt.gz"
    return list(itertools.islice(iter_lines(path), 5000))


@pytest.fixture(scope="module")
def trained(books: list[str]) -> tuple[GloVe, list]:
    seen: list = []
    model = GloVe(dim=32, window=8, min_count=5, x_max=10.0, epochs=10, workers=2,
                  progress=False, callbacks=[lambda m, e, c: seen.append((e, c))])  # fmt: skip
    model.fit(books)
    return model, seen


def test_learns_related_words_and_the_cost_falls(trained) -> None:
    model, seen = trained
    wv = model.wv
    assert [e for e, _ in seen] == list(range(10))
    assert [c for _, c in seen] == model.costs
    assert all(b < a for a, b in itertools.pairwise(model.costs))
    assert model.costs[-1] < 0.6 * model.costs[0]
    v = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    top = v[:3000]
    pairs = [("he", "she"), ("his", "her"), ("man", "woman"), ("day", "night"),
             ("mother", "father"), ("first", "second"), ("king", "queen")]  # fmt: skip
    ranks = []
    for a, b in pairs:
        sims = top @ v[wv.key_to_index[a]]
        ranks.append(float(np.mean(sims < sims[wv.key_to_index[b]])))
    assert np.median(ranks) > 0.97, ranks  # the partner beats 97% of the frequent words
    rho = evaluate_similarity(wv, SIMILARITY).spearman
    assert rho > 0.1


def test_nnz_and_output_choices(trained, books) -> None:
    model, _ = trained
    np.testing.assert_allclose(model.wv.vectors, model.word_vectors + model.context_vectors)
    assert model.nnz > 10 * len(model.wv)
    words = GloVe(dim=8, min_count=5, epochs=1, workers=1, output_vectors="word", progress=False)
    wv = words.fit(books[:300])
    np.testing.assert_array_equal(wv.vectors, words.word_vectors)
    assert set(model.timings) == {"read", "count", "shuffle", "train", "total"}


def test_reproducible_with_one_worker(books) -> None:
    runs = [GloVe(dim=16, min_count=3, epochs=2, workers=1, seed=7, progress=False).fit(books[:800])
            for _ in range(2)]  # fmt: skip
    np.testing.assert_array_equal(runs[0].vectors, runs[1].vectors)
    other = GloVe(dim=16, min_count=3, epochs=2, workers=1, seed=8, progress=False).fit(books[:800])
    assert not np.array_equal(runs[0].vectors, other.vectors)


def test_save_load_and_continue_training(books, tmp_path: Path) -> None:
    kw = dict(dim=12, min_count=3, epochs=2, workers=1, progress=False)
    straight = GloVe(**kw)
    straight.fit(books[:600])
    first = GloVe(**kw)
    first.fit(books[:600])
    path = tmp_path / "glove.safetensors"
    first.save(path)
    loaded = GloVe.load(path)
    for name in ("word_vectors", "context_vectors", "word_biases", "context_biases"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(first, name))
        np.testing.assert_array_equal(loaded.adagrad[name], first.adagrad[name])
    assert loaded.config() == first.config() and loaded.costs == first.costs
    assert loaded.wv.words == first.wv.words
    # continuing after a save/load is the same as continuing in memory
    straight.fit(books[600:900])
    loaded.fit(books[600:900])
    np.testing.assert_array_equal(loaded.wv.vectors, straight.wv.vectors)
    assert len(loaded.costs) == 4 and loaded.wv.words == first.wv.words
    other = tmp_path / "other.safetensors"
    save_file({"x": np.zeros(2, np.float32)}, str(other), metadata={"format": "wordvec.word2vec"})
    with pytest.raises(ValueError, match="not a wordvec GloVe model"):
        GloVe.load(other)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x_max": 0.0}, ValueError, "x_max"),
        ({"window": 0}, ValueError, "window"),
        ({"output_vectors": "both"}, ValueError, "output_vectors"),
        ({"memory": -1.0}, ValueError, "memory"),
        ({"learning_rate": "fast"}, TypeError, "learning_rate"),
        ({"symmetric": 1}, TypeError, "symmetric"),
    ],
)
def test_bad_parameters_are_rejected(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        GloVe(**kwargs)


def test_bad_corpora_fail_before_any_work(tmp_path: Path) -> None:
    model = GloVe(dim=4, min_count=1, epochs=1, workers=1, progress=False)
    with pytest.raises(FileNotFoundError):
        model.fit(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="empty"):
        model.fit(["", "   "])
    with pytest.raises(ValueError, match="min_count"):
        GloVe(min_count=5, progress=False).fit(["a b c"])
    with pytest.raises(ValueError, match="no two vocabulary words"):
        model.fit(["a", "b"])
    with pytest.raises(ValueError, match="not trained"):
        model.save(tmp_path / "m.safetensors")


def test_cli_trains_glove_and_rejects_foreign_flags(books, tmp_path: Path, capsys) -> None:
    from wordvec.cli import main
    from wordvec.vectors import Vectors

    corpus = tmp_path / "books.txt"
    corpus.write_text("\n".join(books[:1500]), encoding="utf-8")
    out = tmp_path / "glove.vec"
    args = ["train", str(corpus), "--model", "glove", "--dim", "16", "--epochs", "2",
            "--x-max", "10", "--workers", "1", "-o", str(out), "--json", "-q"]  # fmt: skip
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["config"]["x_max"] == 10.0 and report["config"]["window"] == 10  # GloVe's
    assert report["entries_per_second"] > 0 and report["words_per_second"] is None
    assert set(report["timings"]) >= {"read", "count", "shuffle", "train"}
    assert Vectors.load(out).dim == 16
    bad = ["train", str(corpus), "--model", "glove", "--negative", "3", "-o", str(out)]
    assert main(bad) != 0
    assert "--negative is not a parameter of --model glove" in capsys.readouterr().err
    assert main(["train", str(corpus), "--model", "glove", "--x-max", "0", "-o", str(out)]) != 0
    assert "x_max must be greater than 0" in capsys.readouterr().err
