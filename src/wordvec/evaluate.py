"""Intrinsic evaluation of word vectors: word analogies and word-pair similarity.

Both follow gensim's ``KeyedVectors.evaluate_word_analogies`` / ``evaluate_word_pairs``
conventions exactly (vocabulary restriction, upper-casing, which questions are skipped,
how the total is formed), so the numbers can be compared with published ones; the
analogies are answered in batches with :func:`wordvec.vectors.query.nearest`.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wordvec._lines import ReadStats, read_lines
from wordvec._validation import check_bool, check_choice, check_int
from wordvec.vectors import Vectors
from wordvec.vectors import query as Q

logger = logging.getLogger(__name__)

__all__ = [
    "AnalogyResult",
    "SectionResult",
    "SimilarityResult",
    "evaluate_analogies",
    "evaluate_similarity",
    "pearson",
    "rankdata",
    "spearman",
]


@dataclass(frozen=True)
class SectionResult:
    """Analogy results of one section (e.g. ``capital-common-countries``)."""

    name: str
    correct: int
    incorrect: int

    @property
    def total(self) -> int:
        """Questions answered (correct + incorrect)."""
        return self.correct + self.incorrect

    @property
    def accuracy(self) -> float:
        """``correct / total``, 0.0 for an empty section (as gensim)."""
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class AnalogyResult:
    """The outcome of :func:`evaluate_analogies`.

    Attributes:
        accuracy: Correct answers over all answered questions (gensim's total score).
        sections: Per-section results, in file order.
        total: All sections together (gensim's "Total accuracy" section).
        skipped: Questions skipped because a word is outside the first
            ``restrict_vocab`` words.
        questions: Well-formed questions read (answered + skipped).
        lines_with_errors: Lines of the file with undecodable bytes that were replaced or
            dropped (``encoding_errors`` "replace" / "ignore").
    """

    accuracy: float
    sections: list[SectionResult]
    total: SectionResult
    skipped: int
    questions: int
    lines_with_errors: int = 0

    @property
    def oov_percent(self) -> float:
        """Percentage of questions skipped for out-of-vocabulary words (gensim's log)."""
        return 100.0 * self.skipped / self.questions if self.questions else 0.0

    @property
    def oov_ratio(self) -> float:
        """Deprecated name of :attr:`oov_percent` (it is a percentage, not a ratio)."""
        return _deprecated_oov(self.oov_percent)


@dataclass(frozen=True)
class SimilarityResult:
    """The outcome of :func:`evaluate_similarity`.

    Attributes:
        pearson: Pearson correlation of model cosines with the human scores.
        spearman: Spearman rank correlation (average ranks for ties).
        oov_percent: Percentage of pairs skipped for out-of-vocabulary words (gensim
            logs it as "oov_ratio"; that name remains as a deprecated property).
        pairs: Pairs scored.
        skipped: Pairs skipped.
        lines_with_errors: Lines of the file with undecodable bytes that were replaced or
            dropped (``encoding_errors`` "replace" / "ignore").
    """

    pearson: float
    spearman: float
    oov_percent: float
    pairs: int
    skipped: int = field(default=0)
    lines_with_errors: int = 0

    @property
    def oov_ratio(self) -> float:
        """Deprecated name of :attr:`oov_percent` (it is a percentage, not a ratio)."""
        return _deprecated_oov(self.oov_percent)


def _deprecated_oov(percent: float) -> float:
    warnings.warn(
        "oov_ratio is a percentage and is now called oov_percent; use oov_percent "
        "(oov_ratio will be removed in a future release).",
        DeprecationWarning,
        stacklevel=3,
    )
    return percent


def rankdata(values: np.ndarray) -> np.ndarray:
    """Return 1-based ranks, ties getting the average of their ranks (as scipy's default).

    Shape:
        ``(n,) -> (n,)`` float64

    >>> rankdata(np.array([10.0, 20.0, 10.0, 5.0])).tolist()
    [2.5, 4.0, 2.5, 1.0]
    """
    x = np.asarray(values, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_x[1:] != sorted_x[:-1])))
    ends = np.concatenate((starts[1:], [x.size]))
    avg = (starts + ends + 1) / 2.0  # mean of 1-based ranks starts+1 .. ends
    ranks = np.empty(x.size, dtype=np.float64)
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Return the Pearson correlation of two samples (float64, clipped to [-1, 1]).

    Raises:
        ValueError: If the samples differ in length or have fewer than 2 values.

    >>> round(pearson(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 7.0])), 4)
    0.9934
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(
            f"pearson needs two 1-D samples of the same length >= 2, got shapes {x.shape} "
            f"and {y.shape}."
        )
    dx = x - x.mean()
    dy = y - y.mean()
    denom = np.sqrt(np.dot(dx, dx) * np.dot(dy, dy))
    if denom == 0:
        return float("nan")
    return float(np.clip(np.dot(dx, dy) / denom, -1.0, 1.0))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Return the Spearman rank correlation (Pearson of average ranks).

    >>> spearman(np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0, 100.0]))
    1.0
    """
    return pearson(rankdata(x), rankdata(y))


def _ok_vocab(vectors: Vectors, restrict_vocab: int, case_insensitive: bool) -> dict[str, int]:
    """First ``restrict_vocab`` words (upper-cased if asked) -> row; the first spelling wins."""
    words = vectors.words[:restrict_vocab]
    if case_insensitive:
        keys = [w.upper() for w in words]
    else:
        keys = words
    ok: dict[str, int] = {}
    for i, k in enumerate(keys):
        ok.setdefault(k, i)
    return ok


OOV_CHOICES = ("skip", "ngrams")


class _Rows:
    """Rows of the test words: the first ``restrict_vocab`` words and, with
    ``oov="ngrams"``, unseen words built from their character n-grams (their lowercase
    form when ``case_insensitive``), appended after those rows."""

    def __init__(self, vectors: Vectors, restrict_vocab: int, case_insensitive: bool, oov: str):
        check_choice(oov, "oov", OOV_CHOICES)
        self.compose = oov == "ngrams"
        if self.compose and not hasattr(vectors, "vectors_for"):
            raise ValueError(
                "oov='ngrams' builds unseen words from character n-grams, which plain "
                "Vectors do not have; pass SubwordVectors (a fastText .bin or a subword "
                "model) or use oov='skip'."
            )
        self.vectors, self.case_insensitive = vectors, case_insensitive
        self.ok = _ok_vocab(vectors, restrict_vocab, case_insensitive)
        self.base = min(restrict_vocab, len(vectors))
        self.extra: dict[str, int] = {}

    def get(self, word: str) -> int | None:
        row = self.ok.get(word)
        if row is None and self.compose:
            row = self.extra.get(word)
            if row is None and self.vectors.has_vector(self._spelling(word)):
                row = self.extra[word] = self.base + len(self.extra)
        return row

    def _spelling(self, word: str) -> str:
        return word.lower() if self.case_insensitive else word

    def unit(self) -> np.ndarray:
        if not self.extra:
            return self.vectors.unit
        built, _ = self.vectors.vectors_for([self._spelling(w) for w in self.extra])
        return np.vstack([self.vectors.unit[: self.base], Q.unit_rows(built)])


def _bundled(name: str) -> Path:
    from wordvec import datasets

    return datasets.path(name)


def evaluate_analogies(
    vectors: Vectors,
    path: str | Path | None = None,
    restrict_vocab: int = 30000,
    case_insensitive: bool = True,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    oov: str = "skip",
) -> AnalogyResult:
    """Score word analogies "a is to b as c is to d" by 3CosAdd, as gensim does.

    Each question is answered with the word nearest to ``b - a + c`` (unit vectors)
    among the first ``restrict_vocab`` words, the three question words excluded; it is
    correct if that word is ``d``. Questions with a word outside the first
    ``restrict_vocab`` words are skipped (and counted).

    Args:
        vectors (Vectors): The word vectors (words ordered by frequency, as usual).
        path (str | Path | None, default None): A file in the ``questions-words.txt``
            format (``: section`` lines, then ``a b c d`` lines); None for the bundled
            Google analogy set.
        restrict_vocab (int, default 30000): Only the first words are used.
        case_insensitive (bool, default True): Upper-case the questions and the words;
            the first spelling of a word in the vectors stands for all its cases.
        oov (str, default "skip"): Questions with a word outside the first
            ``restrict_vocab`` words: ``"skip"`` them (gensim), or ``"ngrams"`` (for
            :class:`~wordvec.SubwordVectors`): build unseen question words from their
            character n-grams (lowercased if ``case_insensitive``) and answer every
            question; answers are still searched among the first ``restrict_vocab``
            words, so an unseen expected answer counts as wrong.

    Returns:
        AnalogyResult: total accuracy, per-section counts and the skipped questions.

    Raises:
        ValueError: If a question comes before any ``: section`` line, or on undecodable
            bytes with ``encoding_errors="strict"``.
        FileNotFoundError: If ``path`` does not exist.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "q.txt"
    >>> _ = p.write_text(": toy\\nman king woman queen\\n")
    >>> v = Vectors(["man", "king", "woman", "queen"],
    ...             np.array([[1.0, 0.0, 0.1], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0],
    ...                       [0.0, 1.0, 1.0]]))
    >>> evaluate_analogies(v, p).accuracy
    1.0
    """
    restrict_vocab = check_int(restrict_vocab, "restrict_vocab", minimum=1)
    case_insensitive = check_bool(case_insensitive, "case_insensitive")
    path = Path(path) if path is not None else _bundled("questions-words")
    rows = _Rows(vectors, restrict_vocab, case_insensitive, oov)
    ok_vocab = rows.ok

    names: list[str] = []
    questions: list[tuple[int, int, int, int]] = []  # section, a, b, c
    expected: list[str] = []
    ignore: list[tuple[str, str, str]] = []
    read = skipped = 0
    stats = ReadStats()
    lines = read_lines(path, encoding=encoding, encoding_errors=encoding_errors, stats=stats)
    for line_no, line in enumerate(lines):
        if line.startswith(": "):
            names.append(line.lstrip(": ").strip())
            continue
        if not names:
            raise ValueError(
                f"{str(path)!r}, line {line_no + 1}: a question comes before any "
                "': section' line; expected the questions-words format."
            )
        words = line.split()
        if case_insensitive:
            words = [w.upper() for w in words]
        if len(words) != 4:
            logger.info("skipping invalid line %d in %s", line_no + 1, path)
            continue
        read += 1
        a, b, c, d = words
        ra, rb, rc = rows.get(a), rows.get(b), rows.get(c)
        if ra is None or rb is None or rc is None or (d not in ok_vocab and not rows.compose):
            skipped += 1
            continue
        questions.append((len(names) - 1, ra, rb, rc))
        expected.append(d)
        ignore.append((a, b, c))

    correct = np.zeros(len(names), dtype=np.int64)
    incorrect = np.zeros(len(names), dtype=np.int64)
    if questions:
        q = np.asarray(questions, dtype=np.int64)
        limit = min(restrict_vocab, len(vectors))
        unit = rows.unit()
        queries = Q.analogy_queries(unit, q[:, 1], q[:, 2], q[:, 3])
        idx, _ = Q.nearest(
            unit,
            queries,
            topn=5,
            exclude=q[:, 1:4],
            restrict_vocab=limit,
            normalize=False,
        )
        words = vectors.words
        for j in range(len(q)):
            predicted = None
            for i in idx[j]:
                if i < 0:
                    break
                predicted = words[i].upper() if case_insensitive else words[i]
                if predicted in ok_vocab and predicted not in ignore[j]:
                    break
            if predicted == expected[j]:
                correct[q[j, 0]] += 1
            else:
                incorrect[q[j, 0]] += 1
    sections = [
        SectionResult(name, int(c), int(w)) for name, c, w in zip(names, correct, incorrect)
    ]
    total = SectionResult("Total accuracy", int(correct.sum()), int(incorrect.sum()))
    _log_analogies(sections, total, skipped)
    return AnalogyResult(total.accuracy, sections, total, skipped, read, stats.lines_with_errors)


def _log_analogies(sections: list[SectionResult], total: SectionResult, skipped: int) -> None:
    for s in sections:
        if s.total:
            logger.info("%s: %.1f%% (%d/%d)", s.name, 100 * s.accuracy, s.correct, s.total)
    logger.info(
        "analogies: %.1f%% (%d/%d), %d questions skipped (out of vocabulary)",
        100 * total.accuracy,
        total.correct,
        total.total,
        skipped,
    )


def evaluate_similarity(
    vectors: Vectors,
    path: str | Path | None = None,
    delimiter: str = "\t",
    restrict_vocab: int = 300000,
    case_insensitive: bool = True,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    oov: str = "skip",
) -> SimilarityResult:
    """Correlate cosine similarities with human word-pair scores, as gensim does.

    Lines are ``word1<delimiter>word2<delimiter>score``; ``#`` lines are comments;
    malformed lines are skipped; pairs with a word outside the first ``restrict_vocab``
    words are skipped and reported in ``oov_percent``.

    Args:
        vectors (Vectors): The word vectors.
        path (str | Path | None, default None): The pairs file; None for the bundled
            WordSim-353.
        delimiter (str, default "\\t"): Field separator.
        restrict_vocab (int, default 300000): Only the first words are used.
        case_insensitive (bool, default True): Upper-case pairs and words; the first
            spelling of a word in the vectors stands for all its cases.
        encoding (str, default "utf-8"): The file's text encoding.
        encoding_errors (str, default "strict"): Undecodable bytes: "strict" raises an
            error naming the file, line and byte offset; "replace" / "ignore" go on and
            count the affected lines in ``lines_with_errors``.
        oov (str, default "skip"): Pairs with a word outside the first
            ``restrict_vocab`` words: ``"skip"`` them (gensim), or ``"ngrams"`` (for
            :class:`~wordvec.SubwordVectors`): build unseen words from their character
            n-grams, so only words without any n-gram are skipped.

    Returns:
        SimilarityResult: ``pearson``, ``spearman``, ``oov_percent``.

    Raises:
        ValueError: If no pair could be scored, or on undecodable bytes with
            ``encoding_errors="strict"``.
        FileNotFoundError: If ``path`` does not exist.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "pairs.tsv"
    >>> _ = p.write_text("a\\tb\\t9\\na\\tc\\t1\\nb\\tc\\t2\\n")
    >>> v = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
    >>> evaluate_similarity(v, p).spearman
    1.0
    """
    if not isinstance(delimiter, str) or not delimiter:
        raise TypeError(f"delimiter must be a non-empty string, got {delimiter!r}.")
    restrict_vocab = check_int(restrict_vocab, "restrict_vocab", minimum=1)
    case_insensitive = check_bool(case_insensitive, "case_insensitive")
    path = Path(path) if path is not None else _bundled("wordsim353")
    rows = _Rows(vectors, restrict_vocab, case_insensitive, oov)
    gold: list[float] = []
    rows_a: list[int] = []
    rows_b: list[int] = []
    skipped = 0
    stats = ReadStats()
    lines = read_lines(path, encoding=encoding, encoding_errors=encoding_errors, stats=stats)
    for line_no, line in enumerate(lines):
        if not line or line.startswith("#"):
            continue
        fields = line.split(delimiter)
        if case_insensitive:
            fields = [x.upper() for x in fields]
        try:
            a, b, score = fields
            value = float(score)
        except (ValueError, TypeError):
            logger.info("skipping invalid line %d in %s", line_no + 1, path)
            continue
        ra, rb = rows.get(a), rows.get(b)
        if ra is None or rb is None:
            skipped += 1
            continue
        gold.append(value)
        rows_a.append(ra)
        rows_b.append(rb)
    if not gold:
        raise ValueError(
            f"no word pair of {str(path)!r} could be scored: every line is malformed or has "
            f"a word outside the first {restrict_vocab} words; check the delimiter "
            f"({delimiter!r}) and the vocabulary."
        )
    unit = rows.unit()
    model = np.einsum("ij,ij->i", unit[rows_a], unit[rows_b])
    result = SimilarityResult(
        pearson=pearson(np.asarray(gold), model),
        spearman=spearman(np.asarray(gold), model),
        oov_percent=100.0 * skipped / (len(gold) + skipped),
        pairs=len(gold),
        skipped=skipped,
        lines_with_errors=stats.lines_with_errors,
    )
    logger.info(
        "word pairs: pearson %.4f, spearman %.4f, %.1f%% pairs out of vocabulary",
        result.pearson,
        result.spearman,
        result.oov_percent,
    )
    return result
