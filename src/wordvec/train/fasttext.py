"""FastText: word2vec whose input vector of a word is the mean of its row and its n-gram rows.

The sibling of :class:`~wordvec.train.word2vec.Word2Vec` on the same engine, schedule
and parameters; only the input differs. The input matrix has ``vocab + bucket`` rows,
as fastText's: a word's own row, then the rows its character n-grams hash into
(:mod:`wordvec.vectors.subword`, fastText's rule and hash). Each word is a bag of rows
for the job loops of :mod:`wordvec.train.kernels.fasttext`: in skip-gram the centre
word's bag predicts its window words, in CBOW the pooled bags of the window predict the
centre, with negative sampling or hierarchical softmax. ``fit`` returns
:class:`~wordvec.vectors.subword_store.SubwordVectors`, which composes any word, seen
or not, from the trained rows.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from wordvec._io import PathLike
from wordvec.train.bags import output_rows
from wordvec.train.kernels.fasttext import Bags
from wordvec.train.kernels.init import uniform_matrix
from wordvec.train.params import ENGINE_PARAMS, Param, select
from wordvec.train.word2vec import _W2V_PARAMS, Word2Vec
from wordvec.vectors import subword as S
from wordvec.vectors.subword_store import SubwordVectors

_FT_PARAMS = (
    Param("minn", "int", 3, "Shortest character n-gram (words are wrapped in < and >).",
          minimum=1),
    Param("maxn", "int", 6, "Longest character n-gram (0: no n-grams, plain word2vec).",
          minimum=0),
    Param("bucket", "int", 2_000_000, "Rows that the n-grams are hashed into (fastText's "
          "FNV-1a hash, so files are interchangeable with fastText's and gensim's).",
          minimum=1),
)  # fmt: skip

#: fastText's own defaults where they differ from word2vec's.
_DEFAULTS = {
    "alpha": ("Initial learning rate (None: 0.05, fastText's default).", None),
    "sample": ("Subsampling threshold of frequent words (0: off; fastText's default).", 1e-4),
    "ns_exponent": (
        "Negatives are drawn with probability proportional to count ** "
        "ns_exponent (0.5: fastText's table; word2vec and gensim use 0.75).",
        0.5,
    ),
}


def _fasttext_param(p: Param) -> Param:
    if p.name not in _DEFAULTS:
        return p
    text, default = _DEFAULTS[p.name]
    return dataclasses.replace(p, help=text, default=default)


class FastText(Word2Vec):
    """Train subword word vectors with fastText (skip-gram or CBOW).

    A word's input vector is the average of its own row and the rows of its character
    n-grams of ``minn`` to ``maxn`` characters, hashed into ``bucket`` rows; everything
    else is :class:`~wordvec.train.word2vec.Word2Vec` (schedule, threads, callbacks,
    reproducibility with ``workers=1``, save/load and continued training). Defaults
    follow fastText (learning rate 0.05, ``sample=1e-4``); ``maxn=0`` trains word rows
    only (no n-gram rows), i.e. word2vec. Negatives follow fastText's table too
    (``count ** 0.5``; gensim's FastText keeps word2vec's 0.75): on bench-en it gave
    skip-gram 1.0 analogy point and 0.026 WordSim-353 more (RESULTS.md).

    Args:
        {params}
        callbacks (sequence, default ()): Called after each epoch as
            ``fn(model, epoch, loss)`` or ``obj.on_epoch_end(model, epoch, loss)``.

    Attributes:
        wv (SubwordVectors | None): The trained vectors; unseen words are composed from
            their n-grams.
        input_weights (np.ndarray | None): float32 ``(vocab + bucket, dim)`` (``maxn=0``:
            ``(vocab, dim)``): the word rows, then the n-gram rows, as fastText's input
            matrix.
        output_weights (np.ndarray | None): float32 ``(vocab, dim)``
            (``loss="hs"``: ``(vocab - 1, dim)``, the Huffman tree's inner nodes).
        losses (list[float]): Mean loss per training example of each epoch.
        timings (dict[str, float]): Seconds of the last ``fit``.

    Raises:
        ValueError: If a parameter is out of range, or ``minn > maxn`` with ``maxn > 0``.
        TypeError: If a parameter has the wrong type or name.

    >>> model = FastText(dim=8, min_count=1, sample=0, epochs=1, workers=1, bucket=1000,
    ...                  progress=False)
    >>> wv = model.fit([["walk", "walked", "talk"], ["talked", "walking", "talk"]] * 20)
    >>> wv.vectors.shape, "walks" in wv, wv["walks"].shape
    ((5, 8), False, (8,))
    """

    PARAMS = select(
        (*ENGINE_PARAMS, *map(_fasttext_param, _W2V_PARAMS), *_FT_PARAMS),
        ("arch", "dim", "window", "negative", "min_count", "max_vocab", "sample", "epochs",
         "alpha", "min_alpha", "cbow_mean", "ns_exponent", "loss", "minn", "maxn", "bucket",
         "workers", "seed", "max_sentence_length", "shuffle", "tokenizer", "encoding",
         "encoding_errors", "progress", "checkpoint"),
    )  # fmt: skip
    FORMAT = "wordvec.fasttext"

    def _resolve(self) -> None:
        if self.alpha is None:
            self.alpha = 0.05
        if self.maxn and self.minn > self.maxn:
            raise ValueError(
                f"minn must not exceed maxn, got minn={self.minn}, maxn={self.maxn}; lower "
                "minn, raise maxn, or set maxn=0 for no n-grams."
            )
        super()._resolve()

    @property
    def ngram_rows(self) -> int:
        """Rows of the n-grams in the input matrix: ``bucket``, or 0 when ``maxn=0``."""
        return self.bucket if self.maxn else 0

    def init_weights(self, vocab_size: int) -> None:
        """Input rows uniform in ``[-1/dim, 1/dim)`` (fastText's, seeded), output zero.

        The ``vocab + bucket`` input rows are filled by the ``workers`` threads
        (:func:`~wordvec.train.kernels.init.uniform_matrix`; the values depend on the
        seed alone).
        """
        rows, bound = vocab_size + self.ngram_rows, 1.0 / self.dim
        self.input_weights = uniform_matrix(rows, self.dim, -bound, bound, self.seed, self.workers)
        self.output_weights = np.zeros((output_rows(self.loss, vocab_size), self.dim), np.float32)

    def sync_scales(
        self, counts: np.ndarray, round_words: int, world_size: int
    ) -> dict[str, np.ndarray]:
        """Distributed: no factors; syncs add up the ranks' updates as they are.

        A word's input is the mean of a bag of rows shared with other words (its
        n-grams), which Word2Vec's factors per word row do not model; they were not
        measured with subwords.
        """
        return {}

    def input_bags(self, words: list[str]) -> Bags:
        """Each word's bag: its own row, then ``vocab +`` the rows of its n-grams."""
        n = len(words)
        ngram_ids, offsets = S.bulk_ngram_ids(words, self.minn, self.maxn, self.ngram_rows)
        bag_offsets = offsets + np.arange(n + 1, dtype=np.int64)
        ids = np.empty(int(bag_offsets[-1]), dtype=np.int32)
        own = np.zeros(ids.shape[0], dtype=bool)
        own[bag_offsets[:-1]] = True
        ids[own] = np.arange(n, dtype=np.int32)
        ids[~own] = ngram_ids + n
        return Bags(ids, bag_offsets)

    def read_out(self) -> np.ndarray:
        """A word's vector: the mean of its row and its n-gram rows."""
        words = self._vocab.words
        n = len(words)
        w = self.input_weights
        return S.compose(words, np.arange(n), w[:n], w[n:], self.minn, self.maxn)

    def subword_vectors(self, composed: np.ndarray | None = None) -> SubwordVectors:
        """The trained rows as :class:`SubwordVectors` (views of the weights), with the
        training settings recorded for a fastText ``.bin``.

        ``composed``: the words' vectors a fit already composed from these rows (and
        checked finite), kept as they are (composing them again would hold two copies
        at the end of a fit, its memory peak).
        """
        words, counts = self._vocab.words, self._vocab.counts
        n = len(words)
        w = self.input_weights
        if composed is None:
            sv = SubwordVectors(words, w[:n], w[n:], self.minn, self.maxn, counts)
        else:
            sv = SubwordVectors._trusted_parts(
                words, w[:n], w[n:], self.minn, self.maxn, composed, counts
            )
        sv.info = {
            "ws": self.window, "epoch": self.epochs, "minCount": self.min_count,
            "neg": self.negative, "loss": 1 if self.loss == "hs" else 2,
            "model": 2 if self.arch == "skipgram" else 1, "t": self.sample,
        }  # fmt: skip
        return sv

    def fit(self, corpus: Any) -> SubwordVectors:
        """Train on ``corpus`` (as :meth:`Word2Vec.fit <wordvec.train.Trainer.fit>`) and
        return the :class:`SubwordVectors` (also :attr:`wv`)."""
        wv = super().fit(corpus)  # the words' vectors, composed by read_out and checked
        self.wv = self.subword_vectors(composed=wv.vectors)
        return self.wv

    @classmethod
    def load(cls, path: PathLike) -> FastText:
        """Load a model written by :meth:`save`; ``wv`` is its :class:`SubwordVectors`."""
        model = super().load(path)
        model.wv = model.subword_vectors()
        return model


__all__ = ["FastText"]
