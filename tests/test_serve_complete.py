"""Completion and close matches of the explorer, against a linear scan on real words."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec import Vectors
from wordvec.serve.complete import Completer


@pytest.fixture(scope="module")
def glove_words(shared_data) -> list[str]:
    return Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=30_000).words


def reference_complete(words: list[str], ranks: np.ndarray, prefix: str, k: int) -> list[str]:
    """A slow, readable scan: exact matches (up to case) first, then by frequency rank."""
    key = prefix.casefold()
    hits = [i for i, w in enumerate(words) if w.casefold().startswith(key)]
    hits.sort(key=lambda i: (words[i].casefold() != key, ranks[i]))
    return [words[i] for i in hits[:k]]


@pytest.mark.parametrize("prefix", ["", "s", "th", "king", "19", "qu", "zzzz", "the", "é"])
def test_complete_matches_a_linear_scan(glove_words, prefix):
    completer = Completer(glove_words)
    ranks = np.arange(len(glove_words))
    for k in (1, 7, 50):
        assert completer.complete(prefix, k=k) == reference_complete(glove_words, ranks, prefix, k)


def test_complete_uses_the_given_ranks_and_ignores_case(glove_words):
    rng = np.random.default_rng(0)
    words = [*glove_words[:5000], "King", "KING"]
    ranks = rng.permutation(len(words))
    completer = Completer(words, ranks)
    for prefix in ("kin", "KIN", "a", "mo"):
        assert completer.complete(prefix, k=12) == reference_complete(words, ranks, prefix, 12)
    assert set(completer.complete("king", k=3)) == {"king", "King", "KING"}


def test_prefix_range_is_the_block_of_matching_words(glove_words):
    completer = Completer(glove_words)
    lo, hi = completer.prefix_range("wh")
    assert hi - lo == sum(w.startswith("wh") for w in glove_words)


def test_close_matches_suggest_the_real_word(glove_words):
    completer = Completer(glove_words)
    assert completer.close_matches("kng")[0] == "king"
    assert completer.close_matches("qeen")[0] == "queen"
    assert completer.close_matches("Paris")[0] == "paris"
    assert "london" in completer.close_matches("londn")
    assert "the" not in completer.close_matches("the")
    assert completer.close_matches("qqqqqqqqqqqq") == []


def test_bad_arguments_are_refused(glove_words):
    with pytest.raises(ValueError, match="one rank per word"):
        Completer(["a", "b"], ranks=[0])
    with pytest.raises(ValueError, match="k must be >= 1"):
        Completer(["a"]).complete("a", k=0)
