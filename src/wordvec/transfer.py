"""Transfer pretrained vectors to a model's vocabulary: the embedding matrix and its coverage.

:func:`embedding_matrix` builds the ``(len(vocab), dim)`` table an embedding layer starts
from: each vocabulary token takes its pretrained vector (or its lowercase form's), the
padding row is zero, and tokens without a vector get random rows on the scale of the
found ones (or zeros). :func:`coverage` reports how much of the vocabulary, and of its
token occurrences, the vectors cover.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordvec._validation import check_bool, check_choice, check_int
from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

OOV_CHOICES = ("random", "zeros")

__all__ = ["OOV_CHOICES", "Coverage", "coverage", "embedding_matrix"]


@dataclass(frozen=True)
class Coverage:
    """How well vectors cover a vocabulary (special tokens not counted).

    Attributes:
        found: Vocabulary tokens with a vector (directly or through their lowercase form).
        missing: Vocabulary tokens without one.
        vocab_share: ``found / (found + missing)``.
        token_share: Share of the vocabulary's token occurrences (its counts) covered.
        top_missing: The most frequent missing tokens, ``(token, count)``, most frequent
            first.
        from_ngrams: Found tokens outside the vectors' vocabulary whose vector is built
            from character n-grams (:class:`~wordvec.SubwordVectors` only; counted in
            ``found``).
    """

    found: int
    missing: int
    vocab_share: float
    token_share: float
    top_missing: list[tuple[Hashable, int]]
    from_ngrams: int = 0

    def __str__(self) -> str:
        head = ", ".join(f"{t!r} ({c})" for t, c in self.top_missing[:5])
        return (
            f"{self.found}/{self.found + self.missing} vocabulary tokens have vectors "
            f"({100 * self.vocab_share:.1f}%"
            + (f", {self.from_ngrams} built from n-grams" if self.from_ngrams else "")
            + f"), covering {100 * self.token_share:.1f}% of token occurrences; most "
            f"frequent missing: {head or 'none'}"
        )


def _check_vocab(vocab: Any) -> None:
    for attr in ("tokens", "counts", "pad_index", "unk_index"):
        if not hasattr(vocab, attr):
            raise TypeError(
                f"vocab must be a wordvec.Vocab (or expose tokens, counts, pad_index and "
                f"unk_index), got {type(vocab).__name__} without {attr!r}."
            )


def _check_vectors(vectors: Any) -> None:
    if not isinstance(vectors, Vectors):
        raise TypeError(
            f"vectors must be a wordvec.Vectors, got {type(vectors).__name__}; load one with "
            "wordvec.Vectors.load(path)."
        )


def _lookup(
    tokens: list, vectors: Vectors, specials: set[int], lowercase_fallback: bool
) -> np.ndarray:
    """Row of each token in ``vectors`` (-1 if none; specials always -1)."""
    lookup = vectors.key_to_index
    rows = np.full(len(tokens), -1, dtype=np.int64)
    for i, token in enumerate(tokens):
        if i in specials:
            continue
        row = lookup.get(token) if isinstance(token, str) else None
        if row is None and lowercase_fallback and isinstance(token, str):
            row = lookup.get(token.lower())
        if row is not None:
            rows[i] = row
    return rows


def _from_ngrams(
    tokens: list, vectors: Vectors, rows: np.ndarray, specials: set[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Vectors built from n-grams for string tokens without a row (SubwordVectors only):
    ``(matrix, mask)`` over all tokens; specials are never built."""
    mask = np.zeros(len(tokens), dtype=bool)
    todo = [i for i in np.flatnonzero(rows < 0).tolist() if i not in specials]
    todo = [i for i in todo if isinstance(tokens[i], str)]
    if not todo or not hasattr(vectors, "vectors_for"):
        return np.zeros((0, vectors.dim), dtype=np.float32), mask
    built, ok = vectors.vectors_for([tokens[i] for i in todo])
    mask[np.asarray(todo)[ok]] = True
    return built[ok], mask


def _specials(vocab: Any) -> set[int]:
    return {i for i in (vocab.pad_index, vocab.unk_index) if i is not None}


def coverage(
    vocab: Any,
    vectors: Vectors,
    lowercase_fallback: bool = True,
    top_missing: int = 20,
) -> Coverage:
    """Report how much of ``vocab`` has a vector in ``vectors``.

    The padding and unknown tokens are not counted.

    Args:
        vocab (Vocab): The vocabulary (``tokens``, ``counts``, ``pad_index``, ``unk_index``).
        vectors (Vectors): The pretrained vectors.
        lowercase_fallback (bool, default True): A token without a vector counts as found
            if its lowercase form has one.
        top_missing (int, default 20): How many missing tokens to list.

    Returns:
        Coverage: found/missing counts, vocabulary and token-occurrence shares, and the
        most frequent missing tokens.

    Raises:
        TypeError: If ``vocab`` or ``vectors`` has the wrong type.

    >>> from wordvec.vocab import Vocab
    >>> vocab = Vocab.build([["The", "cat", "sat"], ["the", "emu"]])
    >>> vecs = Vectors(["the", "cat", "sat"], np.eye(3))
    >>> c = coverage(vocab, vecs)
    >>> c.found, c.missing, c.top_missing
    (4, 1, [('emu', 1)])
    """
    _check_vocab(vocab)
    _check_vectors(vectors)
    lowercase_fallback = check_bool(lowercase_fallback, "lowercase_fallback")
    top_missing = check_int(top_missing, "top_missing", minimum=0)
    tokens = vocab.tokens
    specials = _specials(vocab)
    rows = _lookup(tokens, vectors, specials, lowercase_fallback)
    counts_by_token = vocab.counts
    counts = np.array([int(counts_by_token.get(t, 0)) for t in tokens], dtype=np.int64)
    regular = np.ones(len(tokens), dtype=bool)
    regular[list(specials)] = False
    _, built = _from_ngrams(tokens, vectors, rows, specials)
    found_mask = regular & ((rows >= 0) | built)
    missing_mask = regular & ~found_mask
    found = int(found_mask.sum())
    missing = int(missing_mask.sum())
    total_count = int(counts[regular].sum())
    miss_idx = np.flatnonzero(missing_mask)
    order = miss_idx[np.argsort(-counts[miss_idx], kind="stable")][:top_missing]
    return Coverage(
        found=found,
        missing=missing,
        vocab_share=found / (found + missing) if found + missing else 0.0,
        token_share=int(counts[found_mask].sum()) / total_count if total_count else 0.0,
        top_missing=[(tokens[i], int(counts[i])) for i in order],
        from_ngrams=int((regular & built).sum()),
    )


def embedding_matrix(
    vocab: Any,
    vectors: Vectors,
    oov: str = "random",
    seed: int | None = None,
    lowercase_fallback: bool = True,
) -> np.ndarray:
    """Build the embedding table for ``vocab`` from pretrained ``vectors``.

    Row ``i`` is the vector of ``vocab.tokens[i]`` (or of its lowercase form if
    ``lowercase_fallback`` and the token itself has none); with
    :class:`~wordvec.SubwordVectors`, a token that is in neither form is built from
    its own character n-grams (as fastText does for unseen words). The padding row
    (``vocab.pad_index``) is zero. Other rows without a vector (the unknown token
    included) are drawn from a normal distribution with the mean and standard
    deviation of the found rows' values (``oov="random"``, seeded) or are zero
    (``oov="zeros"``). The coverage is logged at INFO.

    Args:
        vocab (Vocab): The vocabulary.
        vectors (Vectors): The pretrained vectors.
        oov (str, default "random"): ``"random"`` or ``"zeros"`` for tokens without a vector.
        seed (int | None, default None): Seed of the random rows.
        lowercase_fallback (bool, default True): Try ``token.lower()`` when ``token``
            has no vector.

    Returns:
        np.ndarray: float32 ``(len(vocab), vectors.dim)``.

    Shape:
        ``(len(vocab), dim)``

    Raises:
        TypeError: If ``vocab`` or ``vectors`` has the wrong type.
        ValueError: If ``oov`` is not one of the choices.

    >>> from wordvec.vocab import Vocab
    >>> vocab = Vocab.build([["the", "cat"], ["the", "emu"]])
    >>> vecs = Vectors(["the", "cat"], np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> m = embedding_matrix(vocab, vecs, oov="zeros")
    >>> m.tolist()
    [[0.0, 0.0], [0.0, 0.0], [1.0, 2.0], [3.0, 4.0], [0.0, 0.0]]
    """
    _check_vocab(vocab)
    _check_vectors(vectors)
    oov = check_choice(oov, "oov", OOV_CHOICES)
    seed = check_int(seed, "seed", minimum=0, allow_none=True)
    lowercase_fallback = check_bool(lowercase_fallback, "lowercase_fallback")
    tokens = vocab.tokens
    rows = _lookup(tokens, vectors, set(), lowercase_fallback)
    pad = vocab.pad_index
    if pad is not None:
        rows[pad] = -1
    matrix = np.zeros((len(tokens), vectors.dim), dtype=np.float32)
    hit = rows >= 0
    matrix[hit] = vectors.vectors[rows[hit]]
    built, from_ngrams = _from_ngrams(tokens, vectors, rows, _specials(vocab))
    matrix[from_ngrams] = built
    hit |= from_ngrams
    fill = ~hit
    if pad is not None:
        fill[pad] = False
    if oov == "random" and fill.any():
        sample = matrix[hit] if hit.any() else vectors.vectors[: min(len(vectors), 10000)]
        mean = float(sample.mean()) if sample.size else 0.0
        std = float(sample.std()) if sample.size else 1.0 / np.sqrt(vectors.dim)
        rng = np.random.default_rng(seed)
        matrix[fill] = rng.normal(mean, std, size=(int(fill.sum()), vectors.dim))
    if logger.isEnabledFor(logging.INFO):
        report = coverage(vocab, vectors, lowercase_fallback=lowercase_fallback)
        logger.info("embedding matrix %d x %d: %s", len(tokens), vectors.dim, report)
    return matrix
