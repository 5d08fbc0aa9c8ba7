"""Vectors: words and their float32 matrix, index-aligned, with lookups, queries and files."""

from __future__ import annotations

import logging
import numbers
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wordvec._validation import check_choice, check_int, check_matrix
from wordvec.vectors import compact as C
from wordvec.vectors import query as Q

logger = logging.getLogger(__name__)

_SAVE_FORMATS = ("native", "glove", "word2vec", "word2vec-binary", "fasttext", "fasttext-bin")


def _readonly(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view


class Vectors:
    """Word vectors: ``words[i]`` has the row ``vectors[i]``.

    The matrix is float32 and read-only (assign a new matrix to ``vectors`` to change
    it); unit-normalised rows are computed on first use and cached until the matrix is
    replaced.

    Args:
        words (Sequence[str]): The words, unique, in row order.
        vectors (array-like): Float matrix of shape ``(len(words), dim)``, stored as float32.
        counts (array-like | None, default None): Corpus counts, one non-negative integer
            per word.

    Raises:
        TypeError: If a word is not a string or the matrix is not numeric.
        ValueError: If the matrix is not 2-D, its rows do not match the words, a word
            repeats, a value is NaN or infinite, or the counts do not fit.

    >>> import numpy as np
    >>> v = Vectors(["king", "queen"], np.array([[1.0, 0.0], [0.8, 0.6]]))
    >>> len(v), v.dim, "king" in v, v.index("queen")
    (2, 2, True, 1)
    >>> v["queen"].tolist()
    [0.800000011920929, 0.6000000238418579]
    >>> round(v.similarity("king", "queen"), 3)
    0.8
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray | Sequence[Sequence[float]],
        counts: np.ndarray | Sequence[int] | None = None,
    ) -> None:
        words = list(words)
        for i, w in enumerate(words):
            if not isinstance(w, str):
                raise TypeError(
                    f"words must be strings, got {w!r} of type {type(w).__name__} at "
                    f"position {i}; convert the words with str() first."
                )
        key_to_index = dict(zip(words, range(len(words))))
        if len(key_to_index) != len(words):
            seen: dict[str, int] = {}
            for i, w in enumerate(words):
                if w in seen:
                    raise ValueError(
                        f"the word {w!r} appears twice (rows {seen[w]} and {i}); words must "
                        "be unique: drop or merge the repeats first."
                    )
                seen[w] = i
        self._set(words, self._check_matrix(vectors, len(words)), key_to_index)
        self.counts = counts

    @classmethod
    def _trusted(
        cls,
        words: list[str],
        vectors: np.ndarray,
        counts: np.ndarray | None,
        key_to_index: dict[str, int] | None,
        scales: np.ndarray | None = None,
    ) -> Vectors:
        """Build from parts that were already checked (by a reader or another Vectors).

        With ``key_to_index=None`` the lookup is built (and uniqueness checked) on first use.
        ``vectors`` may be stored compact (float16, or int8 with ``scales``).
        """
        self = cls.__new__(cls)
        self._set(words, vectors, key_to_index, scales)
        self._counts = counts
        return self

    def _set(
        self,
        words: list[str],
        vectors: np.ndarray,
        key_to_index: dict[str, int] | None,
        scales: np.ndarray | None = None,
    ) -> None:
        self._words = words
        self._key_to_index = key_to_index
        self._vectors = _readonly(vectors)  # the stored matrix: float32, float16 or int8
        self._scales = None if scales is None else _readonly(scales)
        self._version = 0
        self._cache: dict[str, Any] = {}
        self._neighbor_index: Any = None

    @staticmethod
    def _check_matrix(vectors: Any, n: int) -> np.ndarray:
        arr = np.asarray(vectors)
        if arr.ndim == 2 and arr.shape[0] != n:
            raise ValueError(
                f"vectors has {arr.shape[0]} rows but there are {n} words; pass one row per "
                "word, in the same order."
            )
        arr = check_matrix(arr, "vectors", dtype=np.float32, what="(n_words, dim)")
        return np.ascontiguousarray(arr)

    # -- files -----------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: str | Path,
        format: str = "auto",
        limit: int | None = None,
        encoding: str = "utf-8",
        unicode_errors: str = "strict",
        duplicates: str = "warn",
        mmap: bool = True,
        index: str = "auto",
    ) -> Vectors:
        """Load vectors from a file in any supported format.

        A native file may store its matrix as float16 or 8-bit (see :meth:`save`); it is
        memory-mapped as stored and queries decode it block by block.

        Args:
            path (str | Path): The file; ``.gz``/``.bz2``/``.xz`` text and binary files
                are decompressed on the fly.
            format (str, default "auto"): ``"auto"`` (detect), ``"glove"``,
                ``"word2vec"``, ``"word2vec-binary"``, ``"fasttext"``, ``"fasttext-bin"``
                (Facebook ``.bin`` models) or ``"native"``.
            limit (int | None, default None): Read only the first ``limit`` words.
            encoding (str, default "utf-8"): Encoding of the words (ASCII-compatible).
            unicode_errors (str, default "strict"): What to do with undecodable words:
                ``"strict"`` (error), ``"replace"``, ``"ignore"``...
            duplicates (str, default "warn"): A repeated word: ``"warn"`` keeps the first
                occurrence with a warning, ``"error"`` raises.
            mmap (bool, default True): Map a native file's matrix read-only from disk
                instead of reading it (other formats are always parsed).
            index (str, default "auto"): The approximate-neighbour index saved beside the
                file (``path + ".ann"``, see :meth:`build_index`): ``"auto"`` loads it if
                present (a stale one, built for other vectors, is not used: a warning is
                logged and ``approximate=True`` queries raise), ``"require"`` raises if it
                is missing or stale, ``"ignore"`` skips it.

        Returns:
            Vectors: The words in file order; a :class:`~wordvec.SubwordVectors` for a
            fastText ``.bin`` or a native subword file.

        Raises:
            FileNotFoundError: If there is no file at ``path``.
            ValueError: For a bad option or a malformed file (the message names the file
                and the line or byte offset).

        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
        >>> _ = p.write_text("the 0.418 0.24968\\nof 0.70853 0.57088\\n")
        >>> Vectors.load(p).words
        ['the', 'of']
        """
        from wordvec.vectors.formats import read_vectors

        check_choice(index, "index", ("auto", "require", "ignore"))
        got = read_vectors(
            path,
            format=format,
            limit=limit,
            encoding=encoding,
            unicode_errors=unicode_errors,
            duplicates=duplicates,
            mmap=mmap,
        )
        if hasattr(got, "vectors_ngrams"):
            from wordvec.vectors.subword_store import SubwordVectors

            out = SubwordVectors._from_loaded(got)
        elif cls is not Vectors and hasattr(cls, "vectors_ngrams"):
            raise TypeError(
                f"{str(path)!r} holds plain word vectors without n-grams; load it with "
                "Vectors.load, or pass a fastText .bin or a native subword file."
            )
        else:
            out = cls._trusted(got.words, got.vectors, got.counts, got.key_to_index, got.scales)
        if index != "ignore":
            from wordvec.vectors import index as ann

            ann.attach_saved(out, path, required=index == "require")
        return out

    def save(self, path: str | Path, format: str = "native", dtype: str | None = None) -> None:
        """Write the vectors to ``path`` atomically.

        Args:
            path (str | Path): Destination; a ``.gz``/``.bz2``/``.xz`` suffix compresses.
            format (str, default "native"): ``"native"`` (one ``.safetensors`` file with
                counts), ``"glove"``, ``"word2vec"``, ``"word2vec-binary"``,
                ``"fasttext"`` or ``"fasttext-bin"`` (a fastText ``.bin`` without n-grams:
                ``maxn=0``). Text formats write each float as the shortest decimal
                that reads back to the same float32, so round trips are exact.
            dtype (str | None, default None): Storage of the native format's matrix:
                ``"float32"``, ``"float16"`` (half the size) or ``"int8"`` (a quarter:
                8-bit integers with one float32 scale a row); None keeps the current
                storage. Other formats always write float32 values.

        The approximate-neighbour index built with :meth:`build_index` is saved beside
        a native file (``path + ".ann"``) when the matrix is written unchanged.

        Raises:
            ValueError: For an unknown format or dtype, a dtype with a non-native format,
                or a word the format cannot hold (empty, or with a space or newline in a
                text/binary format).

        >>> import tempfile, pathlib, numpy as np
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.safetensors"
        >>> Vectors(["a"], np.ones((1, 3))).save(p)
        >>> Vectors.load(p)["a"].tolist()
        [1.0, 1.0, 1.0]
        """
        from wordvec.vectors.formats import write_vectors

        check_choice(format, "format", _SAVE_FORMATS)
        if dtype is not None:
            check_choice(dtype, "dtype", C.DTYPES)
            if format != "native":
                raise ValueError(
                    f"dtype={dtype!r} applies to the native format only; {format!r} files "
                    "hold decimal or float32 values. Drop dtype or use format='native'."
                )
        if format != "native":
            write_vectors(path, self._words, self.vectors, self._counts, format=format)
            return
        write_vectors(
            path,
            self._words,
            self._vectors,
            self._counts,
            format=format,
            dtype=dtype,
            scales=self._scales,
        )
        if dtype in (None, self.dtype):
            self._save_index_beside(path)

    def _save_index_beside(self, path: str | Path) -> None:
        """Write the attached approximate-neighbour index (if any) to ``path + ".ann"``."""
        if self._neighbor_index is not None:
            from wordvec.vectors import index as ann

            self._neighbor_index.save(ann.index_path(path))

    # -- container -------------------------------------------------------------------

    @property
    def key_to_index(self) -> dict[str, int]:
        """The word -> row dict (do not modify it)."""
        if self._key_to_index is None:
            lookup = dict(zip(self._words, range(len(self._words))))
            if len(lookup) != len(self._words):
                dup = next(w for i, w in enumerate(self._words) if lookup[w] != i)
                raise ValueError(
                    f"the word {dup!r} appears more than once in these vectors (rows "
                    f"{self._words.index(dup)} and {lookup[dup]}); the file they came from is "
                    "damaged: rebuild it, or use subset() to pick unique words."
                )
            self._key_to_index = lookup
        return self._key_to_index

    @property
    def words(self) -> list[str]:
        """The words in row order (do not modify the list; build a new Vectors instead)."""
        return self._words

    @property
    def vectors(self) -> np.ndarray:
        """The ``(n, dim)`` float32 matrix, read-only; assign a new matrix to change it.

        A compact (float16 or 8-bit) matrix is decoded to float32 here, once, in memory;
        queries never need this (they decode block by block).
        """
        if self._scales is None and self._vectors.dtype == np.float32:
            return self._vectors
        if "dense" not in self._cache:
            logger.info("decoding the %s matrix to float32 (%d x %d)", self.dtype, *self.shape)
            self._cache["dense"] = _readonly(C.decode(self._vectors, self._scales))
        return self._cache["dense"]

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        self._vectors = _readonly(self._check_matrix(value, len(self._words)))
        self._scales = None
        self._version += 1
        self._cache.clear()
        self._neighbor_index = None

    @property
    def dtype(self) -> str:
        """How the matrix is stored: ``"float32"``, ``"float16"`` or ``"int8"``."""
        return C.dtype_name(self._vectors)

    @property
    def shape(self) -> tuple[int, int]:
        """``(len(words), dim)``."""
        return (len(self._words), int(self._vectors.shape[1]))

    def _rows(self, idx: np.ndarray | int | slice) -> np.ndarray:
        """Decoded float32 rows (a view for float32 storage)."""
        scales = None if self._scales is None else self._scales[idx]
        return C.decode(self._vectors[idx], scales)

    @property
    def counts(self) -> np.ndarray | None:
        """Corpus counts (int64, one per word) or None."""
        return self._counts

    @counts.setter
    def counts(self, value: np.ndarray | Sequence[int] | None) -> None:
        if value is None:
            self._counts = None
            return
        arr = np.asarray(value)
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer):
            if not (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr))):
                raise TypeError(
                    f"counts must be whole numbers, got dtype {arr.dtype}; pass integers."
                )
        if arr.shape != (len(self._words),):
            raise ValueError(
                f"counts must hold one number per word: {len(self._words)} words, got "
                f"shape {arr.shape}."
            )
        if arr.size and arr.min() < 0:
            raise ValueError(f"counts must be >= 0, got {arr.min()} at row {int(arr.argmin())}.")
        self._counts = _readonly(arr.astype(np.int64))

    @property
    def version(self) -> int:
        """How many times the matrix was replaced (cached unit rows follow it)."""
        return self._version

    @property
    def dim(self) -> int:
        """The vector dimension."""
        return int(self._vectors.shape[1])

    def __len__(self) -> int:
        return len(self._words)

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __contains__(self, word: object) -> bool:
        try:
            return word in self.key_to_index
        except TypeError:
            return False

    def __repr__(self) -> str:
        head = ", ".join(repr(w) for w in self._words[:3])
        more = ", ..." if len(self) > 3 else ""
        return f"Vectors({len(self)} words x {self.dim} dims: [{head}{more}])"

    def _missing(self, word: object) -> KeyError:
        if not isinstance(word, str):
            return KeyError(f"words are strings, got {word!r} of type {type(word).__name__}.")
        close = [
            v
            for v in dict.fromkeys((word.lower(), word.title(), word.upper(), word.capitalize()))
            if v != word and v in self.key_to_index
        ]
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return KeyError(
            f"the word {word!r} is not in these vectors ({len(self)} words).{hint} "
            "Check `word in vectors` first, or map unknown words yourself."
        )

    def index(self, word: str) -> int:
        """Return the row of ``word``.

        Args:
            word (str): The word.

        Raises:
            KeyError: If ``word`` is missing (naming it and a present other-case spelling).

        >>> Vectors(["a", "b"], np.eye(2)).index("b")
        1
        """
        try:
            return self.key_to_index[word]
        except (KeyError, TypeError):
            raise self._missing(word) from None

    def _indices(self, words: Iterable[str]) -> np.ndarray:
        return np.array([self.index(w) for w in words], dtype=np.int64)

    def __getitem__(self, word: str | Sequence[str]) -> np.ndarray:
        """Return the row of a word (a read-only view), or a ``(k, dim)`` array for a list.

        Args:
            word (str | list[str]): A word, or a list/tuple of words.

        Shape:
            ``word -> (dim,)``; ``[w1, ..., wk] -> (k, dim)``

        Raises:
            KeyError: If a word is missing (naming it and a present other-case spelling).
            TypeError: If ``word`` is neither a string nor a list of strings.

        >>> Vectors(["a", "b"], np.eye(2))[["b", "a"]].tolist()
        [[0.0, 1.0], [1.0, 0.0]]
        """
        if isinstance(word, str):
            return _readonly(self._rows(self.index(word)))
        if isinstance(word, (list, tuple)):
            return _readonly(self._rows(self._indices(word)))
        raise TypeError(
            f"index Vectors by a word or a list of words, got {type(word).__name__}; use "
            "vectors.vectors[i] for a row number."
        )

    def get(self, word: str, default: Any = None) -> np.ndarray | Any:
        """Return the row of ``word`` (read-only), or ``default`` if it is missing.

        Args:
            word (str): The word.
            default (Any, default None): Returned for a missing word.

        >>> Vectors(["a"], np.ones((1, 2))).get("zz") is None
        True
        """
        i = self.key_to_index.get(word) if isinstance(word, str) else None
        return default if i is None else _readonly(self._rows(i))

    # -- derived arrays ----------------------------------------------------------------

    @property
    def norms(self) -> np.ndarray:
        """Row norms (float32), cached until the matrix is replaced."""
        if "norms" not in self._cache:
            if self._scales is None and not C.is_mapped(self._vectors):
                norms = Q.row_norms(self._vectors)
            else:  # block by block: never the whole decoded matrix at once
                norms = C.row_norms(self._vectors, self._scales)
            self._cache["norms"] = _readonly(norms)
        return self._cache["norms"]

    @property
    def unit(self) -> np.ndarray:
        """Unit-normalised rows (float32, read-only), cached until the matrix is replaced.

        This is a full float32 copy of the matrix; the queries of a memory-mapped or
        compact matrix do without it.
        """
        if "unit" not in self._cache:
            self._cache["unit"] = _readonly(Q.unit_rows(self.vectors, self.norms))
        return self._cache["unit"]

    def _unit_rows(self, idx: np.ndarray | int) -> np.ndarray:
        """Unit-normalised rows of ``idx`` without building :attr:`unit`."""
        if "unit" in self._cache:
            return self._cache["unit"][idx]
        rows = self._rows(idx)
        return Q.unit_rows(rows) if rows.ndim == 2 else Q.unit_rows(rows[None, :])[0]

    def _exact_in_memory(self) -> bool:
        """Whether exact queries use the cached unit rows (a float32 matrix in memory)."""
        return "unit" in self._cache or (
            self._scales is None
            and self._vectors.dtype == np.float32
            and not C.is_mapped(self._vectors)
        )

    def unit_vector(self, word: str) -> np.ndarray:
        """Return the unit-length row of ``word`` (read-only).

        Args:
            word (str): The word.

        Shape:
            ``(dim,)``

        Raises:
            KeyError: If ``word`` is missing.

        >>> Vectors(["a"], np.array([[3.0, 4.0]])).unit_vector("a").tolist()
        [0.6000000238418579, 0.800000011920929]
        """
        return self.unit[self.index(word)]

    # -- selections --------------------------------------------------------------------

    def subset(self, words: Iterable[str]) -> Vectors:
        """Return new Vectors holding ``words`` in the given order (rows copied).

        Args:
            words (Iterable[str]): The words to keep, each once.

        Raises:
            KeyError: If a word is missing.
            ValueError: If a word is asked for twice.

        >>> Vectors(["a", "b", "c"], np.eye(3)).subset(["c", "a"]).words
        ['c', 'a']
        """
        words = list(words)
        idx = self._indices(words)
        key_to_index = dict(zip(words, range(len(words))))
        if len(key_to_index) != len(words):
            dup = next(w for i, w in enumerate(words) if words.index(w) != i)
            raise ValueError(f"subset got the word {dup!r} twice; ask for each word once.")
        counts = None if self._counts is None else self._counts[idx].copy()
        scales = None if self._scales is None else self._scales[idx]
        return Vectors._trusted(words, self._vectors[idx], counts, key_to_index, scales)

    def most_frequent(self, n: int) -> Vectors:
        """Return the ``n`` most frequent words: by ``counts`` if present (ties keep row
        order), else the first ``n`` rows (files list words by descending frequency).

        Args:
            n (int): How many words (all of them if ``n >= len(vectors)``).

        Raises:
            ValueError: If ``n`` is negative.

        >>> Vectors(["a", "b", "c"], np.eye(3), counts=[1, 5, 3]).most_frequent(2).words
        ['b', 'c']
        """
        n = check_int(n, "n", minimum=0)
        if self._counts is None:
            n = min(n, len(self))
            words = self._words[:n]
            scales = None if self._scales is None else self._scales[:n]
            lookup = dict(zip(words, range(n)))
            return Vectors._trusted(words, self._vectors[:n], None, lookup, scales)
        order = np.argsort(-self._counts, kind="stable")[:n]
        return self.subset([self._words[i] for i in order])

    # -- queries -----------------------------------------------------------------------

    def _query_vector(self, item: Any) -> tuple[np.ndarray, int | None]:
        """A word -> (its unit vector, its row); a raw vector -> (itself, None), as gensim."""
        if isinstance(item, str):
            i = self.index(item)
            return self._unit_rows(i), i
        arr = np.asarray(item, dtype=np.float32)
        if arr.shape != (self.dim,):
            raise ValueError(
                f"a query vector must have shape ({self.dim},), got {arr.shape}; pass words "
                "or vectors of the right dimension."
            )
        return arr, None

    def _weighted(self, positive: Any, negative: Any) -> tuple[np.ndarray, np.ndarray, list[int]]:
        positive = _as_list(positive, "positive")
        negative = _as_list(negative, "negative")
        if not positive and not negative:
            raise ValueError(
                "most_similar needs at least one word or vector in positive or negative."
            )
        vecs, weights, rows = [], [], []
        for items, default in ((positive, 1.0), (negative, -1.0)):
            for item in items:
                weight = default
                if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], numbers.Real):
                    item, weight = item
                vec, row = self._query_vector(item)
                vecs.append(vec)
                weights.append(float(weight))
                if row is not None:
                    rows.append(row)
        return np.stack(vecs), np.asarray(weights), rows

    def similarity(self, a: str, b: str) -> float:
        """Return the cosine similarity of two words.

        Args:
            a (str): A word.
            b (str): Another word.

        Raises:
            KeyError: If a word is missing.

        >>> Vectors(["x", "y"], np.array([[1.0, 0.0], [1.0, 1.0]])).similarity("x", "y")
        0.7071067690849304
        """
        return float(np.dot(self._unit_rows(self.index(a)), self._unit_rows(self.index(b))))

    def n_similarity(self, words_a: Sequence[str], words_b: Sequence[str]) -> float:
        """Return the cosine between the means of two word sets (raw vectors, as gensim).

        Args:
            words_a (Sequence[str]): The first set of words.
            words_b (Sequence[str]): The second set of words.

        Raises:
            ValueError: If a set is empty.
            KeyError: If a word is missing.

        >>> v = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        >>> round(v.n_similarity(["a", "b"], ["c"]), 6)
        1.0
        """
        if not len(words_a) or not len(words_b):
            raise ValueError("n_similarity needs two non-empty lists of words.")
        mean_a = self._rows(self._indices(words_a)).mean(axis=0)
        mean_b = self._rows(self._indices(words_b)).mean(axis=0)
        return Q.cosine(mean_a, mean_b)

    def most_similar(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
        approximate: bool | None = None,
    ) -> list[tuple[str, float]]:
        """Return the ``topn`` words closest (cosine) to the mean of the query (3CosAdd).

        The unit vectors of ``positive`` (weight +1) and ``negative`` (weight -1) words
        are averaged and normalised, as gensim does; the query words are excluded.

        Args:
            positive (str | list, default None): Words, vectors, or ``(word, weight)``.
            negative (str | list, default None): Words, vectors, or ``(word, weight)``.
            topn (int, default 10): How many results.
            restrict_vocab (int | None, default None): Search only the first rows.
            approximate (bool | None, default None): Use the approximate-neighbour
                index (:meth:`build_index`): None uses it when one is loaded (and no
                ``restrict_vocab`` is given), True requires it, False searches exactly.

        Returns:
            list[tuple[str, float]]: ``(word, cosine)`` pairs, best first.

        Raises:
            KeyError: If a query word is missing.
            ValueError: If there is no query, or ``approximate=True`` without a usable
                index.

        >>> v = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
        >>> [w for w, _ in v.most_similar("a", topn=2)]
        ['b', 'c']
        """
        topn = check_int(topn, "topn", minimum=1)
        vecs, weights, rows = self._weighted(positive, negative)
        mean = Q.mean_direction(vecs, weights)
        idx, scores = self._search(
            mean[None, :],
            topn=topn,
            exclude=[rows],
            restrict_vocab=restrict_vocab,
            normalize=False,
            approximate=approximate,
        )
        return self._pairs(idx[0], scores[0])

    def _search(
        self,
        queries: np.ndarray,
        *,
        topn: int,
        exclude: Any = None,
        restrict_vocab: int | None = None,
        chunk_size: int | None = None,
        normalize: bool = True,
        approximate: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every neighbour query goes here: the index, the cached unit rows, or blocks."""
        from wordvec.vectors import index as ann

        found = ann.pick(self, approximate, restrict_vocab)
        if found is not None:
            return found.search(self, queries, topn=topn, exclude=exclude, normalize=normalize)
        common = {"topn": topn, "exclude": exclude, "restrict_vocab": restrict_vocab}
        if self._exact_in_memory():
            return Q.nearest(
                self.unit, queries, chunk_size=chunk_size, normalize=normalize, **common
            )
        return Q.nearest(
            self._vectors,
            queries,
            chunk_size=chunk_size,
            normalize=normalize,
            norms=self.norms,
            scales=self._scales,
            **common,
        )

    def _pairs(self, idx: np.ndarray, scores: np.ndarray) -> list[tuple[str, float]]:
        return [(self._words[i], float(s)) for i, s in zip(idx.tolist(), scores) if i >= 0]

    def similar_by_vector(
        self,
        vector: np.ndarray,
        topn: int = 10,
        restrict_vocab: int | None = None,
        approximate: bool | None = None,
    ) -> list[tuple[str, float]]:
        """Return the ``topn`` words closest (cosine) to a raw vector.

        Args:
            vector (np.ndarray): A ``(dim,)`` vector (any length; it is normalised).
            topn (int, default 10): How many results.
            restrict_vocab (int | None, default None): Search only the first rows.
            approximate (bool | None, default None): Use the approximate-neighbour
                index (:meth:`build_index`): None uses it when one is loaded (and no
                ``restrict_vocab`` is given), True requires it, False searches exactly.

        Returns:
            list[tuple[str, float]]: ``(word, cosine)`` pairs, best first (no word is
            excluded).

        Raises:
            ValueError: If the vector has the wrong shape or ``topn`` < 1.

        >>> v = Vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 1.0]]))
        >>> v.similar_by_vector(np.array([0.1, 1.0]), topn=1)[0][0]
        'b'
        """
        topn = check_int(topn, "topn", minimum=1)
        vec, _ = self._query_vector(vector)
        idx, scores = self._search(
            vec[None, :], topn=topn, restrict_vocab=restrict_vocab, approximate=approximate
        )
        return self._pairs(idx[0], scores[0])

    def similar_by_word(
        self, word: str, topn: int = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]]:
        """Return the ``topn`` words closest to ``word`` (itself excluded).

        Args:
            word (str): The word.
            topn (int, default 10): How many results.
            restrict_vocab (int | None, default None): Search only the first rows.

        Raises:
            KeyError: If ``word`` is missing.

        >>> v = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
        >>> v.similar_by_word("a", topn=1)[0][0]
        'b'
        """
        return self.most_similar([word], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Return the ``topn`` best words by 3CosMul (Levy & Goldberg 2014), as gensim.

        Scores are ``prod((1 + cos(w, p)) / 2) / (prod((1 + cos(w, n)) / 2) + 1e-6)``;
        query words are excluded.

        Args:
            positive (str | list, default None): Words or vectors in the numerator.
            negative (str | list, default None): Words or vectors in the denominator.
            topn (int, default 10): How many results.
            restrict_vocab (int | None, default None): Search only the first rows.

        Returns:
            list[tuple[str, float]]: ``(word, score)`` pairs, best first.

        Raises:
            KeyError: If a word is missing.
            ValueError: If ``positive`` is empty.

        >>> v = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
        >>> v.most_similar_cosmul(["a"], topn=1)[0][0]
        'b'
        """
        topn = check_int(topn, "topn", minimum=1)
        restrict_vocab = check_int(restrict_vocab, "restrict_vocab", minimum=1, allow_none=True)
        positive = _as_list(positive, "positive")
        negative = _as_list(negative, "negative")
        if not positive:
            raise ValueError("most_similar_cosmul needs at least one positive word or vector.")
        pos = [self._query_vector(x) for x in positive]
        neg = [self._query_vector(x) for x in negative]
        rows = [r for _, r in pos + neg if r is not None]
        n = len(self) if restrict_vocab is None else min(restrict_vocab, len(self))
        scores = Q.cosmul_scores(
            self.unit[:n],
            np.stack([v for v, _ in pos]),
            np.stack([v for v, _ in neg]) if neg else np.zeros((0, self.dim), np.float32),
        )
        idx, vals = Q.top_k(scores, topn, exclude=rows)
        return self._pairs(idx, vals)

    def doesnt_match(self, words: Sequence[str]) -> str:
        """Return the word furthest from the normalised mean of ``words`` (as gensim).

        Missing words are ignored with a log warning.

        Args:
            words (Sequence[str]): The words to compare.

        Raises:
            ValueError: If no word is present.

        >>> v = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
        >>> v.doesnt_match(["a", "b", "c"])
        'c'
        """
        used = [w for w in words if w in self]
        if len(used) != len(words):
            logger.warning(
                "doesnt_match ignores words missing from the vectors: %s",
                sorted(set(words) - set(used)),
            )
        if not used:
            raise ValueError("doesnt_match needs at least one word present in the vectors.")
        sims = Q.rank_by_centrality(self._unit_rows(self._indices(used)))
        order = sorted(zip(sims.tolist(), used), reverse=True)
        return order[-1][1]

    def analogy(
        self, a: str, b: str, c: str, restrict_vocab: int | None = None
    ) -> tuple[str, float]:
        """Solve "``a`` is to ``b`` as ``c`` is to ?" by 3CosAdd.

        Same as ``most_similar(positive=[b, c], negative=[a])[0]``.

        Args:
            a (str): The first word of the known pair ("man").
            b (str): The second word of the known pair ("king").
            c (str): The first word of the asked pair ("woman").
            restrict_vocab (int | None, default None): Search only the first rows.

        Returns:
            tuple[str, float]: The answer and its cosine to ``b - a + c``.

        Raises:
            KeyError: If a word is missing.

        >>> v = Vectors(["man", "king", "woman", "queen"],
        ...             np.array([[1.0, 0.0, 0.1], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0],
        ...                       [0.0, 1.0, 1.0]]))
        >>> v.analogy("man", "king", "woman")[0]
        'queen'
        """
        return self.most_similar(
            positive=[b, c], negative=[a], topn=1, restrict_vocab=restrict_vocab
        )[0]

    def nearest(
        self,
        queries: np.ndarray,
        topn: int = 10,
        exclude: Any = None,
        restrict_vocab: int | None = None,
        chunk_size: int | None = None,
        approximate: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Answer many nearest-neighbour queries at once (cosine), in bounded memory.

        Exact search scans the matrix in blocks (a memory-mapped or compact matrix is
        decoded block by block, never copied whole); with an index (:meth:`build_index`)
        the search is approximate and the candidates are re-scored exactly.

        Args:
            queries (np.ndarray): ``(q, dim)`` query vectors (normalised here).
            topn (int, default 10): Results per query.
            exclude (None | np.ndarray | Sequence, default None): Rows never returned, per
                query (a ``(q, e)`` int array padded with -1, or ``q`` sequences).
            restrict_vocab (int | None, default None): Search only the first rows.
            chunk_size (int | None, default None): Queries per matrix product (256).
            approximate (bool | None, default None): Use the approximate-neighbour
                index (:meth:`build_index`): None uses it when one is loaded (and no
                ``restrict_vocab`` is given), True requires it, False searches exactly.

        Returns:
            tuple[np.ndarray, np.ndarray]: ``indices`` (int64) and cosine ``scores``
            (float32), each ``(q, topn)``, best first.

        Shape:
            ``(q, dim) -> (q, topn), (q, topn)``

        >>> v = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
        >>> idx, _ = v.nearest(v.vectors, topn=1, exclude=[[0], [1], [2]])
        >>> [v.words[i] for i in idx[:, 0]]
        ['b', 'a', 'b']
        """
        return self._search(
            queries,
            topn=check_int(topn, "topn", minimum=1),
            exclude=exclude,
            restrict_vocab=restrict_vocab,
            chunk_size=chunk_size,
            approximate=approximate,
        )

    # -- approximate neighbours ------------------------------------------------------------

    def build_index(self, method: str = "hnsw", **params: Any) -> Any:
        """Build an approximate-neighbour index of the rows and attach it to the vectors.

        Queries (:meth:`most_similar`, :meth:`nearest`...) then use it by default; the
        candidates it finds are re-scored exactly, so scores are true cosines. Saving
        the vectors in the native format saves the index beside them (``path +
        ".ann"``) and :meth:`load` finds it. Needs ``pip install "wordvec[ann]"``.

        Args:
            method (str, default "hnsw"): ``"hnsw"`` (a navigable small-world graph:
                fast queries, no training) or ``"ivf"`` (an inverted file over k-means
                cells: quicker to build, smaller).
            **params: The method's options, e.g. ``connectivity``, ``ef_construction``,
                ``ef_search`` (hnsw); ``nlist``, ``nprobe`` (ivf); ``threads``. See
                :func:`wordvec.vectors.index.build`.

        Returns:
            NeighborIndex: The index (also :attr:`neighbor_index`).

        Raises:
            ImportError: If the ``ann`` extra is not installed.
            ValueError: For an unknown method or parameter.

        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> v = Vectors([f"w{i}" for i in range(300)], rng.normal(size=(300, 8)))
        >>> _ = v.build_index("hnsw")
        >>> v.most_similar("w0", topn=3) == v.most_similar("w0", topn=3, approximate=False)
        True
        """
        from wordvec.vectors import index as ann

        self._neighbor_index = ann.build(self, method=method, **params)
        return self._neighbor_index

    @property
    def neighbor_index(self) -> Any:
        """The attached approximate-neighbour index (a ``NeighborIndex``) or None."""
        return self._neighbor_index


def _as_list(items: Any, name: str) -> list:
    if items is None:
        return []
    if isinstance(items, (str, np.ndarray)):
        return [items]
    if isinstance(items, tuple) and len(items) == 2 and isinstance(items[1], numbers.Real):
        return [items]
    try:
        return list(items)
    except TypeError:
        raise TypeError(
            f"{name} must be a word, a vector or a list of them, got {type(items).__name__}."
        ) from None
