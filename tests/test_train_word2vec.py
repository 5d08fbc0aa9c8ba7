"""Word2Vec end to end on real text: quality, reproducibility, save/load, errors."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import numpy as np
import pytest

from wordvec.text import iter_lines
from wordvec.train import Word2Vec
from wordvec.vectors import Vectors

RELATED = [
    ("he", "she"),
    ("man", "woman"),
    ("day", "night"),
    ("mother", "father"),
    ("his", "her"),
    ("brother", "sister"),
    ("days", "weeks"),
    ("first", "second"),
    ("king", "queen"),
]


@pytest.fixture(scope="module")
def books(shared_data: Path) -> list[str]:
    """About 520k words of raw novel text (the first 10,000 paragraphs)."""
    return list(
        itertools.islice(iter_lines(shared_data / "corpus" / "default-books-en.txt.gz"), 10_000)
    )


@pytest.fixture(scope="module")
def small_books(books: list[str]) -> list[str]:
    return books[:1500]


def _quiet(**kw) -> Word2Vec:
    kw.setdefault("progress", False)
    return Word2Vec(**kw)


def _related_percentiles(wv: Vectors) -> list[float]:
    """For each related pair (a, b): share of the 3000 most frequent words less similar to a."""
    v = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    k = wv.key_to_index
    out = []
    for a, b in RELATED:
        sims = v[:3000] @ v[k[a]]
        out.append(float((sims < v[k[a]] @ v[k[b]]).mean()))
    return out


@pytest.mark.parametrize("arch", ["skipgram", "cbow"])
def test_related_words_end_up_close(arch: str, books: list[str]) -> None:
    model = _quiet(arch=arch, dim=50, epochs=3, workers=2, seed=3)
    wv = model.fit(books)
    assert isinstance(wv, Vectors) and wv is model.wv
    assert wv.vectors.dtype == np.float32 and wv.vectors.shape == (len(wv.words), 50)
    # vocabulary sorted by descending count, the most frequent word first
    assert wv.words[0] == "the" and np.all(np.diff(wv.counts) <= 0)
    assert wv.counts.min() >= 5
    pct = _related_percentiles(wv)
    # related words are closer than 95% of frequent words for nearly all pairs (with two
    # threads, CBOW's brother/sister and king/queen sit near 0.95 on this 520k-word slice,
    # before and after the engine refactor alike: allow two misses)
    assert sum(p > 0.95 for p in pct) >= len(RELATED) - 2, pct
    assert np.mean(pct) > 0.97, pct
    # untrained vectors do not pass: the check measures training
    rand = Vectors(wv.words, np.random.default_rng(0).standard_normal(wv.vectors.shape))
    assert np.mean(_related_percentiles(rand)) < 0.8
    assert len(model.losses) == 3 and model.losses[-1] < model.losses[0]
    assert np.all(np.isfinite(model.losses)) and 0.5 < model.losses[-1] < 6 * np.log(2) + 0.5


@pytest.mark.parametrize("arch", ["skipgram", "cbow"])
def test_one_worker_is_bitwise_reproducible(arch: str, small_books: list[str]) -> None:
    runs = [_quiet(arch=arch, dim=20, epochs=2, workers=1, seed=s) for s in (5, 5, 6)]
    a, b, c = (m.fit(small_books) for m in runs)
    assert np.array_equal(a.vectors, b.vectors)
    assert np.array_equal(runs[0].output_weights, runs[1].output_weights)
    assert runs[0].losses == runs[1].losses
    assert not np.array_equal(a.vectors, c.vectors)


def _fit_by_quarter(model: Word2Vec, paragraphs: list[str]) -> np.ndarray:
    """The trained model's loss on the neighbouring word pairs of each quarter of the
    corpus: ``-log s(input[a] . output[b])``, the mean per quarter."""
    from wordvec.text import tokenize

    wv = model.fit(paragraphs)
    k, w_in, w_out = wv.key_to_index, model.input_weights, model.output_weights
    q = len(paragraphs) // 4
    out = []
    for part in range(4):
        ids = [[k[w] for w in tokenize(p) if w in k] for p in paragraphs[part * q : (part + 1) * q]]
        a = np.concatenate([t[:-1] for t in ids if len(t) > 1])
        b = np.concatenate([t[1:] for t in ids if len(t) > 1])
        out.append(np.logaddexp(0, -np.einsum("ij,ij->i", w_in[a], w_out[b])).mean())
    return np.array(out)


def test_shuffled_epochs_fit_the_whole_corpus_evenly(books: list[str]) -> None:
    kw = dict(dim=32, epochs=2, workers=1, min_count=3, seed=1)
    in_order = _fit_by_quarter(_quiet(shuffle=False, **kw), books)
    shuffled = _quiet(**kw)
    assert shuffled.shuffle  # the default
    mixed = _fit_by_quarter(shuffled, books)
    # in corpus order the vectors fit each quarter better than the one before: the
    # last epoch ends on the last quarter
    assert np.all(np.diff(in_order) < 0)
    # in a fresh order each epoch, the quarters are fitted far more evenly
    assert np.ptp(mixed) < 0.5 * np.ptp(in_order)
    assert mixed[0] < in_order[0]


def test_two_workers_train_the_same_vocabulary(small_books: list[str]) -> None:
    one = _quiet(dim=20, epochs=1, workers=1).fit(small_books)
    two = _quiet(dim=20, epochs=1, workers=2).fit(small_books)
    assert one.words == two.words
    assert np.isfinite(two.vectors).all() and np.abs(two.vectors).max() > 0.05


def test_input_output_weights_and_init(small_books: list[str]) -> None:
    model = _quiet(dim=30, epochs=1, workers=1, min_count=3)
    assert model.syn0 is None and model.wv is None
    untrained = _quiet(dim=30, epochs=1, workers=1, min_count=3, alpha=1e-12, min_alpha=0.0)
    untrained.fit(small_books)
    w = untrained.input_weights
    assert np.abs(w).max() <= 0.5 / 30 and np.abs(w).max() > 0.45 / 30
    assert np.abs(untrained.output_weights).max() < 1e-9
    model.fit(small_books)
    assert model.syn0 is model.input_weights and model.syn1neg is model.output_weights
    assert model.output_weights.shape == model.input_weights.shape
    assert np.shares_memory(model.wv.vectors, model.input_weights)


def test_reads_files_directories_and_iterables(tmp_path: Path, small_books: list[str]) -> None:
    (tmp_path / "d").mkdir()
    half = len(small_books) // 2
    with gzip.open(tmp_path / "d" / "a.txt.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(small_books[:half]) + "\n")
    (tmp_path / "d" / "b.txt").write_text("\n".join(small_books[half:]) + "\n", encoding="utf-8")
    kw = {"dim": 10, "epochs": 1, "workers": 1}
    from_dir = _quiet(**kw).fit(tmp_path / "d")
    from_list = _quiet(**kw).fit(small_books)
    from_gen = _quiet(**kw).fit(line for line in small_books)  # one-shot iterator
    assert from_dir.words == from_list.words == from_gen.words
    assert np.array_equal(from_dir.vectors, from_list.vectors)
    assert np.array_equal(from_gen.vectors, from_list.vectors)


def test_max_vocab_and_min_count(small_books: list[str]) -> None:
    wv = _quiet(dim=8, epochs=1, workers=1, min_count=1, max_vocab=100).fit(small_books)
    assert len(wv) == 100
    full = _quiet(dim=8, epochs=1, workers=1, min_count=1).fit(small_books)
    assert full.words[:100] == wv.words and len(full) > 1000


def test_callbacks_receive_each_epoch(small_books: list[str]) -> None:
    seen: list[tuple[int, float]] = []

    class Recorder:
        def __init__(self) -> None:
            self.epochs: list[int] = []

        def on_epoch_end(self, model: Word2Vec, epoch: int, loss: float) -> None:
            self.epochs.append(epoch)

    rec = Recorder()
    model = _quiet(
        dim=8, epochs=3, workers=1, callbacks=[lambda m, e, loss: seen.append((e, loss)), rec]
    )
    model.fit(small_books)
    assert [e for e, _ in seen] == [0, 1, 2] == rec.epochs
    assert [loss for _, loss in seen] == model.losses


def test_progress_bar_only_when_asked(small_books: list[str], capsys) -> None:
    _quiet(dim=8, epochs=1, workers=1).fit(small_books[:200])
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    _quiet(dim=8, epochs=1, workers=1, progress=True).fit(small_books[:200])
    out = capsys.readouterr()
    assert "words/s" in out.err and out.out == ""


def test_save_load_and_continue_training(tmp_path: Path, books: list[str]) -> None:
    first, more = books[:1500], [*books[1500:2500], "zzyzx unknownword " * 10]
    model = _quiet(arch="cbow", dim=16, epochs=2, workers=1, seed=9)
    model.fit(first)
    path = tmp_path / "model.safetensors"
    model.save(path)
    assert not [p for p in tmp_path.iterdir() if p.name != "model.safetensors"]
    loaded = Word2Vec.load(path)
    assert loaded.config() == model.config()
    assert loaded.wv.words == model.wv.words
    assert np.array_equal(loaded.input_weights, model.input_weights)
    assert np.array_equal(loaded.output_weights, model.output_weights)
    assert np.array_equal(loaded.wv.counts, model.wv.counts)
    assert loaded.losses == model.losses

    before = model.wv.vectors.copy()
    words = list(model.wv.words)
    a = model.fit(more)
    b = loaded.fit(more)
    assert a.words == words and "zzyzx" not in a.key_to_index  # vocabulary frozen
    assert not np.array_equal(a.vectors, before)
    assert np.array_equal(a.vectors, b.vectors)  # same state, same continuation
    assert len(model.losses) == 4


def test_save_handles_non_ascii_words(tmp_path: Path) -> None:
    text = ["naïve café über straße ελληνικά 東京"] * 30
    model = _quiet(dim=4, epochs=1, workers=1, min_count=1)
    model.fit(text)
    model.save(tmp_path / "m.safetensors")
    assert Word2Vec.load(tmp_path / "m.safetensors").wv.words == model.wv.words


def test_load_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.safetensors"
    bad.write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match="not a readable safetensors"):
        Word2Vec.load(bad)
    with pytest.raises(FileNotFoundError, match="model file not found"):
        Word2Vec.load(tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="not trained yet"):
        _quiet().save(tmp_path / "y.safetensors")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"window": 0}, ValueError, "window must be >= 1"),
        ({"dim": 0}, ValueError, "dim must be >= 1"),
        ({"negative": 0}, ValueError, "negative must be >= 1"),
        ({"negative": -2}, ValueError, "negative must be >= 1"),
        ({"arch": "sg"}, ValueError, "arch must be one of"),
        ({"epochs": 0}, ValueError, "epochs must be >= 1"),
        ({"alpha": 0.0}, ValueError, "alpha must be greater than 0"),
        ({"min_alpha": 0.1, "alpha": 0.01}, ValueError, "min_alpha must not exceed"),
        ({"sample": -1.0}, ValueError, "sample must be >= 0"),
        ({"workers": 0}, ValueError, "workers must be >= 1"),
        ({"dim": 2.5}, TypeError, "dim must be an integer"),
        ({"progress": "yes"}, ValueError, "progress must be"),
        ({"tokenizer": 3}, TypeError, "tokenizer must be"),
        ({"callbacks": [3]}, TypeError, "each callback"),
    ],
)
def test_bad_parameters_rejected_at_construction(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Word2Vec(**kwargs)


def test_bad_corpora_rejected(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        _quiet().fit(tmp_path / "nope.txt")
    with pytest.raises(ValueError, match="corpus is empty"):
        _quiet().fit(["", "  ...  "])
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ValueError, match="corpus is empty"):
        _quiet().fit(empty)
    with pytest.raises(ValueError, match="at least 2 are needed"):
        _quiet(min_count=5).fit(["a a a a a b c"])
    model = _quiet(min_count=1, dim=4, workers=1)
    model.fit(["a b c"] * 5)
    with pytest.raises(ValueError, match="none of the corpus words"):
        model.fit(["x y z"])
