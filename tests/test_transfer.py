"""embedding_matrix and coverage: a real corpus vocabulary against real GloVe vectors."""

from __future__ import annotations

import gzip
import itertools
import logging
import re
from pathlib import Path

import numpy as np
import pytest

from wordvec.transfer import Coverage, coverage, embedding_matrix
from wordvec.vectors import Vectors

vocab_module = pytest.importorskip("wordvec.vocab")
Vocab = vocab_module.Vocab

GLOVE = Path("vectors", "glove.6B.50d.txt.gz")
BOOKS = Path("corpus", "default-books-en.txt.gz")


@pytest.fixture(scope="module")
def glove(shared_data: Path) -> Vectors:
    return Vectors.load(shared_data / GLOVE, limit=20_000)


@pytest.fixture(scope="module")
def vocab(shared_data: Path):
    """Case-preserving tokens of the first paragraphs of the bundled novels."""
    with gzip.open(shared_data / BOOKS, "rt", encoding="utf-8") as f:
        lines = list(itertools.islice(f, 3000))
    return Vocab.build(re.findall(r"[A-Za-z']+", line) for line in lines)


def test_rows_come_from_the_vectors(vocab, glove: Vectors) -> None:
    m = embedding_matrix(vocab, glove, seed=0)
    assert m.shape == (len(vocab), glove.dim) and m.dtype == np.float32
    assert vocab.pad_index == 0 and not m[0].any()
    tokens = vocab.tokens
    checked = 0
    for i, token in enumerate(tokens):
        if token in glove:
            assert np.array_equal(m[i], glove[token])
            checked += 1
        elif token.lower() in glove and i != vocab.pad_index:
            assert np.array_equal(m[i], glove[token.lower()])  # the lowercase fallback
            checked += 1
    assert checked > 0.5 * len(vocab)
    assert "The" in tokens and np.array_equal(m[vocab.index("The")], glove["the"])


def test_without_fallback_capitalised_words_are_oov(vocab, glove: Vectors) -> None:
    m = embedding_matrix(vocab, glove, oov="zeros", lowercase_fallback=False)
    assert not m[vocab.index("The")].any()
    assert np.array_equal(m[vocab.index("the")], glove["the"])


def test_random_oov_rows_are_seeded_and_on_scale(vocab, glove: Vectors) -> None:
    a = embedding_matrix(vocab, glove, seed=1)
    b = embedding_matrix(vocab, glove, seed=1)
    c = embedding_matrix(vocab, glove, seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    rows = np.array(
        [
            i
            for i, t in enumerate(vocab.tokens)
            if t not in glove and t.lower() not in glove and i != vocab.pad_index
        ]
    )
    found = np.array([i for i, t in enumerate(vocab.tokens) if t in glove or t.lower() in glove])
    assert rows.size > 50
    oov_values, found_values = a[rows].ravel(), a[found].ravel()
    # float(): pytest >= 9.2 refuses NumPy scalars as tolerances
    oov_std, found_std = float(oov_values.std()), float(found_values.std())
    assert oov_std == pytest.approx(found_std, rel=0.1)
    assert float(oov_values.mean()) == pytest.approx(
        float(found_values.mean()), abs=0.1 * found_std
    )
    z = embedding_matrix(vocab, glove, oov="zeros")
    assert not z[rows].any() and np.array_equal(z[found], a[found])


def test_coverage_counts(vocab, glove: Vectors) -> None:
    cov = coverage(vocab, glove)
    assert isinstance(cov, Coverage)
    specials = {vocab.pad_index, vocab.unk_index}
    regular = [t for i, t in enumerate(vocab.tokens) if i not in specials]
    hit = [t for t in regular if t in glove or t.lower() in glove]
    counts = vocab.counts
    assert cov.found == len(hit) and cov.missing == len(regular) - len(hit)
    assert cov.vocab_share == pytest.approx(len(hit) / len(regular))
    total = sum(counts[t] for t in regular)
    assert cov.token_share == pytest.approx(sum(counts[t] for t in hit) / total)
    assert cov.token_share > cov.vocab_share  # frequent words are the covered ones
    missing_counts = [c for _, c in cov.top_missing]
    assert missing_counts == sorted(missing_counts, reverse=True) and len(cov.top_missing) == 20
    assert all(t not in glove and t.lower() not in glove for t, _ in cov.top_missing)
    strict = coverage(vocab, glove, lowercase_fallback=False, top_missing=3)
    assert strict.found < cov.found and len(strict.top_missing) == 3
    assert "vocabulary tokens have vectors" in str(cov)


def test_embedding_matrix_logs_coverage(vocab, glove: Vectors, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="wordvec.transfer"):
        embedding_matrix(vocab, glove, seed=0)
    assert any("vocabulary tokens have vectors" in r.getMessage() for r in caplog.records)


def test_transfer_errors(vocab, glove: Vectors) -> None:
    with pytest.raises(ValueError, match="oov"):
        embedding_matrix(vocab, glove, oov="mean")
    with pytest.raises(TypeError, match="Vectors"):
        embedding_matrix(vocab, np.zeros((3, 2)))
    with pytest.raises(TypeError, match="vocab"):
        coverage(["a", "b"], glove)
