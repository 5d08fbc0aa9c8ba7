"""SubwordVectors: a :class:`Vectors` whose lookups compose any word from its n-grams."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wordvec._validation import check_choice, check_int
from wordvec.vectors import query as Q
from wordvec.vectors import subword as S
from wordvec.vectors.store import _SAVE_FORMATS, Vectors, _readonly

__all__ = ["SubwordVectors"]


class SubwordVectors(Vectors):
    """Word vectors with fastText's character n-grams: every word gets a vector.

    A word's vector is the mean of its own row (if it is in the vocabulary) and the rows
    of its n-grams (:mod:`wordvec.vectors.subword`), as fastText's ``get_word_vector``.
    ``vectors`` holds the composed vectors of the vocabulary words, which the queries
    search; ``vectors_vocab`` and ``vectors_ngrams`` are the raw rows a model learns.

    Two questions have two answers: ``word in vectors`` (and :meth:`index`) is about
    the vocabulary; :meth:`has_vector` says whether a vector can be built (any word with
    at least one n-gram). ``vectors[word]``, :meth:`get_vector`, :meth:`similarity`,
    :meth:`most_similar` and the analogies take unseen words; neighbours are always
    vocabulary words. :meth:`subset` and :meth:`most_frequent` return plain
    :class:`Vectors` of composed vectors (a selection of words has no n-gram model).

    Args:
        words (Sequence[str]): The vocabulary, unique, in row order.
        vectors_vocab (array-like): The words' own rows, ``(len(words), dim)``.
        vectors_ngrams (array-like): The n-gram rows, ``(bucket, dim)``; ``bucket`` is
            its length.
        minn (int, default 3): Shortest n-gram, in characters.
        maxn (int, default 6): Longest n-gram, in characters (0: no n-grams).
        counts (array-like | None, default None): Corpus counts, one per word.

    Raises:
        TypeError, ValueError: As :class:`Vectors`, or if the n-gram rows do not match
            the dimension, ``minn``/``maxn`` are out of range, or n-grams are asked for
            without n-gram rows.

    >>> rng = np.random.default_rng(0)
    >>> sv = SubwordVectors(["walk", "talk"], rng.normal(size=(2, 4)),
    ...                     rng.normal(size=(50, 4)), minn=3, maxn=4)
    >>> "walked" in sv, sv.has_vector("walked"), sv["walked"].shape
    (False, True, (4,))
    >>> round(sv.similarity("walk", "walked"), 3) == round(
    ...     float(np.dot(sv["walk"], sv["walked"])
    ...           / np.linalg.norm(sv["walk"]) / np.linalg.norm(sv["walked"])), 3)
    True
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors_vocab: np.ndarray | Sequence[Sequence[float]],
        vectors_ngrams: np.ndarray | Sequence[Sequence[float]],
        minn: int = 3,
        maxn: int = 6,
        counts: np.ndarray | Sequence[int] | None = None,
    ) -> None:
        super().__init__(words, vectors_vocab, counts)
        vocab = self._vectors
        ngrams = np.asarray(vectors_ngrams)
        if ngrams.ndim == 2 and ngrams.shape[0] == 0:
            ngrams = np.zeros((0, vocab.shape[1]), dtype=np.float32)
        else:
            ngrams = self._check_matrix(ngrams, len(ngrams))
        if ngrams.shape[1] != vocab.shape[1]:
            raise ValueError(
                f"vectors_ngrams has {ngrams.shape[1]} columns but the word rows have "
                f"{vocab.shape[1]}; both must have the same dimension."
            )
        self._init_subword(vocab, ngrams, minn, maxn, None)

    def _init_subword(
        self,
        vocab: np.ndarray,
        ngrams: np.ndarray,
        minn: int,
        maxn: int,
        composed: np.ndarray | None,
        info: dict | None = None,
    ) -> None:
        minn = check_int(minn, "minn", minimum=0)
        maxn = check_int(maxn, "maxn", minimum=0)
        if maxn and (minn < 1 or minn > maxn):
            raise ValueError(
                f"minn and maxn must satisfy 1 <= minn <= maxn (or maxn=0 for no n-grams), "
                f"got minn={minn}, maxn={maxn}."
            )
        if maxn and len(ngrams) == 0:
            raise ValueError(
                f"maxn={maxn} asks for n-grams but there are no n-gram rows (bucket 0); "
                "pass vectors_ngrams with at least one row, or maxn=0."
            )
        self._vocab_rows = _readonly(vocab)
        self._ngram_rows = _readonly(ngrams)
        self.minn, self.maxn = minn, maxn
        self.info = dict(info or {})
        if composed is None:
            rows = np.arange(len(self._words), dtype=np.int64)
            composed = S.compose(self._words, rows, vocab, ngrams, minn, maxn)
        self._vectors = _readonly(composed)

    @classmethod
    def _trusted_parts(
        cls, words: list[str], vocab: np.ndarray, ngrams: np.ndarray, minn: int, maxn: int,
        composed: np.ndarray, counts: np.ndarray | None,
    ) -> SubwordVectors:  # fmt: skip
        """Build from a trainer's own rows and the words' vectors it already composed
        from them (and checked): no second composition, no copy."""
        self = cls.__new__(cls)
        self._set(words, composed, None)
        self._counts = counts
        self._init_subword(vocab, ngrams, minn, maxn, composed)
        return self

    @classmethod
    def _from_loaded(cls, got: Any) -> SubwordVectors:
        """Wrap a :class:`~wordvec.vectors.formats._subword.LoadedSubword` (trusted parts)."""
        self = cls.__new__(cls)
        self._set(got.words, got.vectors, got.key_to_index)
        self._counts = got.counts
        self._init_subword(
            got.vectors_vocab, got.vectors_ngrams, got.minn, got.maxn, got.vectors, got.info
        )
        return self

    # -- state -----------------------------------------------------------------------------

    @property
    def vectors(self) -> np.ndarray:
        """The composed vectors of the vocabulary words, ``(n, dim)`` float32, read-only."""
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        raise AttributeError(
            "the vectors of SubwordVectors are composed from vectors_vocab and "
            "vectors_ngrams; build a new SubwordVectors from changed rows instead."
        )

    @property
    def vectors_vocab(self) -> np.ndarray:
        """The words' own rows (before the n-grams are averaged in), read-only."""
        return self._vocab_rows

    @property
    def vectors_ngrams(self) -> np.ndarray:
        """The ``(bucket, dim)`` n-gram rows, read-only."""
        return self._ngram_rows

    @property
    def bucket(self) -> int:
        """Number of n-gram rows (the hash modulus)."""
        return len(self._ngram_rows)

    def __repr__(self) -> str:
        head = ", ".join(repr(w) for w in self._words[:3])
        more = ", ..." if len(self) > 3 else ""
        return (
            f"SubwordVectors({len(self)} words x {self.dim} dims, n-grams {self.minn}-"
            f"{self.maxn} in {self.bucket} buckets: [{head}{more}])"
        )

    # -- vectors for any word ----------------------------------------------------------------

    def ngrams(self, word: str) -> list[str]:
        """Return the n-grams of ``word`` (wrapped in ``<`` ``>``), in fastText's order.

        >>> SubwordVectors(["a"], np.ones((1, 2)), np.ones((5, 2)), 3, 3).ngrams("cat")
        ['<ca', 'cat', 'at>']
        """
        return S.ngrams(word, self.minn, self.maxn) if self.maxn and self.bucket else []

    def has_vector(self, word: object) -> bool:
        """Return True if ``word`` is in the vocabulary or has at least one n-gram.

        >>> sv = SubwordVectors(["a"], np.ones((1, 2)), np.ones((5, 2)), 3, 3)
        >>> sv.has_vector("zebra"), "zebra" in sv, sv.has_vector("")
        (True, False, False)
        """
        if not isinstance(word, str):
            return False
        return word in self or bool(self.ngrams(word))

    def _compose(self, word: str) -> np.ndarray:
        """The vector of a word outside the vocabulary (zeros never: KeyError instead)."""
        if not isinstance(word, str):
            raise self._missing(word)
        ids = S.ngram_ids(word, self.minn, self.maxn, self.bucket) if self.maxn else []
        if not ids:
            raise KeyError(
                f"the word {word!r} is not in these vectors ({len(self)} words) and has no "
                f"character n-grams of {self.minn}-{self.maxn} characters to build a vector "
                "from; check `vectors.has_vector(word)` first."
            )
        return S.compose(
            [word], np.array([-1]), self._vocab_rows, self._ngram_rows, self.minn, self.maxn
        )[0]

    def vectors_for(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return the vectors of many words at once (numba), and which words have one.

        Args:
            words (Sequence[str]): Words, seen or not.

        Returns:
            tuple[np.ndarray, np.ndarray]: float32 ``(len(words), dim)`` (zeros for a word
            without any vector) and a bool mask of the words that have one.

        Shape:
            ``-> (len(words), dim), (len(words),)``

        >>> sv = SubwordVectors(["a"], np.ones((1, 2)), np.full((5, 2), 3.0), 3, 3)
        >>> m, ok = sv.vectors_for(["a", "zz", ""])
        >>> m.tolist(), ok.tolist()
        ([[2.0, 2.0], [3.0, 3.0], [0.0, 0.0]], [True, True, False])
        """
        words = list(words)
        for w in words:
            if not isinstance(w, str):
                raise TypeError(f"words are strings, got {w!r} of type {type(w).__name__}.")
        lookup = self.key_to_index
        rows = np.array([lookup.get(w, -1) for w in words], dtype=np.int64)
        maxn = self.maxn if self.bucket else 0
        out = np.empty((len(words), self.dim), dtype=np.float32)
        ok = rows >= 0
        out[ok] = self._vectors[rows[ok]]
        unseen = np.flatnonzero(~ok)
        if len(unseen):
            todo = [words[i] for i in unseen]
            ids, offsets = S.bulk_ngram_ids(todo, self.minn, maxn, self.bucket)
            composed = np.empty((len(todo), self.dim), dtype=np.float32)
            S.compose_csr(rows[unseen], self._vocab_rows, ids, offsets, self._ngram_rows, composed)
            out[unseen] = composed
            ok[unseen] = np.diff(offsets) > 0
        return out, ok

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """Return the vector of any word: its composed row, or built from its n-grams.

        Args:
            word (str): The word (in the vocabulary or not).
            norm (bool, default False): Return the unit-length vector.

        Shape:
            ``(dim,)``

        Raises:
            KeyError: If ``word`` is unseen and has no n-gram.

        >>> sv = SubwordVectors(["a"], np.ones((1, 2)), np.full((5, 2), 3.0), 3, 3)
        >>> sv.get_vector("a").tolist(), sv.get_vector("zz").tolist()
        ([2.0, 2.0], [3.0, 3.0])
        """
        i = self.key_to_index.get(word) if isinstance(word, str) else None
        if i is not None:
            return self.unit[i] if norm else self._vectors[i]
        vec = self._compose(word)
        return Q.unit_rows(vec[None, :], Q.row_norms(vec[None, :]))[0] if norm else vec

    def __getitem__(self, word: str | Sequence[str]) -> np.ndarray:
        """Return the vector of a word (composed from n-grams if unseen), or ``(k, dim)``.

        Raises:
            KeyError: If a word is unseen and has no n-gram.
            TypeError: If ``word`` is neither a string nor a list of strings.

        >>> sv = SubwordVectors(["a"], np.ones((1, 2)), np.ones((5, 2)), 3, 3)
        >>> sv[["a", "bcd"]].shape
        (2, 2)
        """
        if isinstance(word, (list, tuple)):
            matrix, ok = self.vectors_for(word)
            if not ok.all():
                self._compose(word[int(np.argmin(ok))])  # raises the KeyError naming it
            return _readonly(matrix)
        if isinstance(word, str):
            return self.get_vector(word)
        return super().__getitem__(word)

    def get(self, word: str, default: Any = None) -> np.ndarray | Any:
        """Return the vector of ``word`` (composed if unseen), or ``default`` if none.

        >>> SubwordVectors(["a"], np.ones((1, 2)), np.ones((5, 2)), 3, 3).get("") is None
        True
        """
        return self.get_vector(word) if self.has_vector(word) else default

    def unit_vector(self, word: str) -> np.ndarray:
        """Return the unit-length vector of any word (see :meth:`get_vector`)."""
        return self.get_vector(word, norm=True)

    # -- queries: unseen words are composed --------------------------------------------------

    def _query_vector(self, item: Any) -> tuple[np.ndarray, int | None]:
        if isinstance(item, str) and item not in self:
            return self.get_vector(item, norm=True), None
        return super()._query_vector(item)

    def similarity(self, a: str, b: str) -> float:
        """Return the cosine similarity of two words, seen or not.

        >>> sv = SubwordVectors(["a"], np.ones((1, 2)), np.ones((5, 2)), 3, 3)
        >>> round(sv.similarity("a", "unseen"), 4)
        1.0
        """
        return float(np.dot(self.get_vector(a, norm=True), self.get_vector(b, norm=True)))

    def n_similarity(self, words_a: Sequence[str], words_b: Sequence[str]) -> float:
        """Return the cosine between the means of two word sets (unseen words composed)."""
        if not len(words_a) or not len(words_b):
            raise ValueError("n_similarity needs two non-empty lists of words.")
        return Q.cosine(self[list(words_a)].mean(axis=0), self[list(words_b)].mean(axis=0))

    def doesnt_match(self, words: Sequence[str]) -> str:
        """Return the word furthest from the normalised mean of ``words`` (unseen words
        composed; words without any vector are ignored with a log warning)."""
        used = [w for w in words if self.has_vector(w)]
        if len(used) != len(words):
            return super().doesnt_match(words)  # logs and handles the missing ones
        units = np.stack([self.get_vector(w, norm=True) for w in used])
        sims = Q.rank_by_centrality(units)
        return sorted(zip(sims.tolist(), used), reverse=True)[-1][1]

    # -- files -------------------------------------------------------------------------------

    def save(self, path: str | Path, format: str = "native", dtype: str | None = None) -> None:
        """Write the vectors to ``path`` atomically.

        Args:
            path (str | Path): Destination.
            format (str, default "native"): ``"native"`` (safetensors with the word rows,
                n-gram rows, ``minn``/``maxn``/``bucket`` and counts: a plain wordvec reader
                still loads its composed vectors), ``"fasttext-bin"`` (Facebook's ``.bin``,
                loadable by fastText and gensim), or a text/binary word format
                (``"fasttext"`` writes the ``.vec`` fastText writes: words only).
            dtype (str | None, default None): ``None`` or ``"float32"``: subword files
                keep float32 rows (compact storage is for plain :class:`Vectors`).

        Raises:
            ValueError: For an unknown format, a compact dtype, or a word the format
                cannot hold.

        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "sv.safetensors"
        >>> sv = SubwordVectors(["a"], np.ones((1, 2)), np.ones((5, 2)), 3, 3)
        >>> sv.save(p)
        >>> type(Vectors.load(p)).__name__
        'SubwordVectors'
        """
        check_choice(format, "format", _SAVE_FORMATS)
        if dtype not in (None, "float32"):
            raise ValueError(
                f"dtype={dtype!r}: subword vectors are saved as float32 (their n-gram rows "
                "are summed, which compact storage would blur); drop dtype, or save "
                "Vectors(sv.words, sv.vectors) to store the composed words compactly."
            )
        if format == "native":
            from wordvec.vectors.formats import native_subword

            native_subword.write(path, self)
            self._save_index_beside(path)  # the index of the word rows
        elif format == "fasttext-bin":
            from wordvec.vectors.formats import fasttext_bin

            fasttext_bin.write_model(
                path,
                self._words,
                self._vocab_rows,
                self._ngram_rows,
                minn=self.minn,
                maxn=self.maxn,
                counts=self._counts,
                info=self.info,
            )
        else:
            super().save(path, format=format)
