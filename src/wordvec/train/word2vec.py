"""Word2Vec: skip-gram and CBOW with negative sampling or hierarchical softmax.

The engine (:mod:`wordvec.train._engine`) reads the corpus once, builds the vocabulary
and runs the epochs on ``workers`` threads; this model supplies its two weight tables,
the sampling tables of a fit, the job kernels of :mod:`wordvec.train.kernels.word2vec`
(lock-free updates on shared weights, like the C tool) and a linear rate decay.
With ``loss="hs"`` the words are bags of one row on the bag job loops of
:mod:`wordvec.train.kernels.fasttext` (:mod:`wordvec.train.bags`), with the
hierarchical-softmax update, and ``output_weights`` holds the tree's inner nodes.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from wordvec.train._engine import Trainer, Vocab, Work
from wordvec.train.bags import BagTables, bag_tables, bag_worker, output_rows
from wordvec.train.corpus import EncodedCorpus, keep_thresholds
from wordvec.train.jobs import JobWorker, corpus_work
from wordvec.train.kernels import (
    Sampling,
    build_alias,
    cbow_job,
    job_scratch,
    sg_job,
    sigmoid_tables,
)
from wordvec.train.kernels.fasttext import Bags, word_bags
from wordvec.train.params import DISTRIBUTED_PARAMS, ENGINE_PARAMS, Param, select
from wordvec.train.schedule import LinearDecay

#: Neighbouring CBOW centre words that share one draw of negatives.
CBOW_GROUP = 2

_W2V_PARAMS = (
    Param("arch", "choice", "skipgram", "'skipgram' or 'cbow'.", choices=("skipgram", "cbow")),
    Param("window", "int", 5, "Largest distance between a centre and a context word; each "
          "centre's window is drawn uniformly in 1..window.", minimum=1),
    Param("negative", "int", 5, "Negative samples per positive example.", minimum=1),
    Param("sample", "float", 1e-3, "Subsampling threshold of frequent words (0: off).",
          minimum=0.0),
    Param("alpha", "float", None, "Initial learning rate (None: 0.025 for skip-gram, 0.05 "
          "for CBOW).", minimum=0.0, exclusive_minimum=True, allow_none=True),
    Param("min_alpha", "float", 1e-4, "Final learning rate (linear decay over all epochs "
          "by words processed).", minimum=0.0),
    Param("cbow_mean", "bool", True, "CBOW averages (True) or sums the context vectors."),
    Param("ns_exponent", "float", 0.75, "Negatives are drawn with probability proportional "
          "to count ** ns_exponent."),
    Param("loss", "choice", "ns", "'ns' (negative sampling) or 'hs' (hierarchical softmax over "
          "a Huffman tree of the counts; negative and ns_exponent are then unused).",
          choices=("ns", "hs")),
    Param("shuffle", "bool", True, "Train each epoch's jobs (about 50,000 words each) in a "
          "fresh random order drawn from seed; False: in corpus order (the vectors then "
          "fit the corpus's last parts best)."),
)  # fmt: skip


class Word2Vec(Trainer):
    """Train word vectors with word2vec (skip-gram or CBOW, negative sampling).

    Args:
        {params}
        callbacks (sequence, default ()): Called after each epoch as
            ``fn(model, epoch, loss)`` (epoch 0-based within the current ``fit``, loss
            the epoch's mean loss per training example); an object with an
            ``on_epoch_end(model, epoch, loss)`` method is called through that method.

    Attributes:
        wv (Vectors | None): The trained vectors (rows of ``input_weights``).
        input_weights (np.ndarray | None): float32 ``(vocab, dim)``, alias ``syn0``.
        output_weights (np.ndarray | None): float32 ``(vocab, dim)``, alias ``syn1neg``
            (``loss="hs"``: ``(vocab - 1, dim)``, the Huffman tree's inner nodes, gensim's
            ``syn1``).
        losses (list[float]): Mean loss per training example of each epoch trained
            (skip-gram: per (centre, context) pair; CBOW: per centre word), where the
            loss of an example is ``-log s(pos) - sum log s(-neg)``.
        timings (dict[str, float]): Seconds spent in the last ``fit``: ``"read"`` (the
            pass over the text), ``"train"`` and ``"total"``.

    Raises:
        ValueError: If a parameter is out of range (e.g. ``window < 1``, ``dim < 1``,
            ``negative < 1``).
        TypeError: If a parameter has the wrong type or name.

    >>> model = Word2Vec(dim=8, min_count=1, epochs=1, workers=1, progress=False)
    >>> wv = model.fit([["a", "b", "c"], ["b", "c", "a"]] * 20)
    >>> wv.vectors.shape
    (3, 8)
    """

    PARAMS = select(
        (*ENGINE_PARAMS, *_W2V_PARAMS, *DISTRIBUTED_PARAMS),
        ("arch", "dim", "window", "negative", "min_count", "max_vocab", "sample", "epochs",
         "alpha", "min_alpha", "cbow_mean", "ns_exponent", "loss", "workers", "seed",
         "max_sentence_length", "shuffle", "tokenizer", "encoding", "encoding_errors", "progress",
         "checkpoint", "distributed", "sync_words", "sync", "sync_compression",
         "checkpoint_dir", "checkpoint_minutes", "timeout"),
    )  # fmt: skip
    FORMAT = "wordvec.word2vec"
    UNIT = "words"
    METRIC = "loss"

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.input_weights: np.ndarray | None = None
        self.output_weights: np.ndarray | None = None

    def _resolve(self) -> None:
        if self.alpha is None:
            self.alpha = 0.025 if self.arch == "skipgram" else 0.05
        if self.min_alpha > self.alpha:
            raise ValueError(
                f"min_alpha must not exceed alpha, got min_alpha={self.min_alpha!r} > "
                f"alpha={self.alpha!r}; lower min_alpha."
            )
        if self.loss == "hs" and getattr(self, "distributed", False):
            raise ValueError(
                "loss='hs' is not supported with distributed=True (the row sync follows "
                "word rows, not tree nodes); use loss='ns' for distributed training."
            )

    # gensim / C tool names
    @property
    def syn0(self) -> np.ndarray | None:
        """Alias of :attr:`input_weights`."""
        return self.input_weights

    @property
    def syn1neg(self) -> np.ndarray | None:
        """Alias of :attr:`output_weights`."""
        return self.output_weights

    def init_weights(self, vocab_size: int) -> None:
        """Input rows uniform in ``[-0.5, 0.5) / dim`` (seeded), output rows zero."""
        rng = np.random.default_rng(self.seed)
        w_in = rng.random((vocab_size, self.dim), dtype=np.float32)
        w_in -= np.float32(0.5)
        w_in /= np.float32(self.dim)
        self.input_weights = w_in
        self.output_weights = np.zeros((output_rows(self.loss, vocab_size), self.dim), np.float32)

    def state(self) -> dict[str, np.ndarray]:
        return {"input_weights": self.input_weights, "output_weights": self.output_weights}

    def set_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.input_weights = arrays["input_weights"].astype(np.float32, copy=False)
        self.output_weights = arrays["output_weights"].astype(np.float32, copy=False)

    def sync_scales(
        self, counts: np.ndarray, round_words: int, world_size: int
    ) -> dict[str, np.ndarray]:
        """Distributed: the factors by which syncs multiply the summed updates of the
        input rows (:func:`~wordvec.train.distributed.plan.update_scale`), from each
        word's expected trained occurrences in a rank's round of ``round_words`` words.

        The input rows only: discounting the output rows too cost skip-gram analogies
        and gave WordSim-353 nothing (RESULTS.md).

        Args:
            counts (np.ndarray): The vocabulary's counts (the whole corpus's).
            round_words (int): Words a rank trains between two syncs.
            world_size (int): Ranks.

        Returns:
            ``{"input_weights": factors}``, float32 in ``[1 / world_size, 1]``.

        Shape:
            ``counts``: ``(vocab,)``; the factors ``(vocab,)``.

        >>> f = Word2Vec().sync_scales(np.array([10**7, 600, 10]), 50_000, 2)
        >>> [round(float(x), 2) for x in f["input_weights"]]
        [0.5, 0.68, 0.99]
        """
        from wordvec.train.distributed.plan import update_scale

        counts = np.asarray(counts, dtype=np.float64)
        kept = keep_thresholds(counts, self.sample) / float(1 << 32)
        meetings = counts / max(counts.sum(), 1.0) * kept * round_words
        return {"input_weights": update_scale(meetings, world_size)}

    def default_sync_words(self) -> int:
        """Distributed: words per worker thread between two weight syncs when
        ``sync_words`` is None: 50,000 for skip-gram, 200,000 for CBOW.

        What makes a rank's view of the others stale is the updates it has not seen, and
        skip-gram makes one per context word (about six per word at window 5) where CBOW
        makes one per word. On bench-en with 2 ranks, before the factors of
        :meth:`sync_scales`, skip-gram lost 0.017 of WordSim-353 against one process at
        100,000 words and 0.007-0.011 at 50,000; CBOW lost 0.4-0.6 analogy points at
        200,000 and 2.8 at 400,000. With the factors, skip-gram's 2-rank runs at 100,000
        words were 0.6 analogy points and 0.016 of WordSim-353 below its runs at 50,000
        (benchmarks/RESULTS.md).
        """
        return 50_000 if self.arch == "skipgram" else 200_000

    def default_sync(self) -> str:
        """Distributed: what ``sync="auto"`` does on a corpus of at least
        :data:`~wordvec.train.distributed.run.OVERLAP_MIN_ROUNDS` rounds an epoch:
        ``"overlap"`` for skip-gram, ``"rows"`` for CBOW.

        Skip-gram's rounds are short (:meth:`default_sync_words`) and many: overlapping
        each sync with the next round hides its waits, and on bench-en the other ranks'
        updates arriving a round later cost no measurable quality. CBOW's rounds are four
        times longer, so a round's staleness is too: overlapped on bench-en it was slower
        and lost about half an analogy point (benchmarks/RESULTS.md).
        """
        return "overlap" if self.arch == "skipgram" else "rows"

    def schedule(self) -> LinearDecay:
        return LinearDecay(self.alpha, self.min_alpha)

    def read_out(self) -> np.ndarray:
        """A word's vector is its input row."""
        return self.input_weights

    def prepare(self, enc: EncodedCorpus, vocab: Vocab, tmp: str) -> Work:
        """The corpus jobs, with the subsampling, negative-sampling and sigmoid tables."""
        counts = np.asarray(vocab.counts, dtype=np.float64)
        alias_thr, alias_idx = build_alias(np.power(counts, self.ns_exponent))
        tables = Sampling(
            vocab.remap, keep_thresholds(counts, self.sample), alias_thr, alias_idx,
            *sigmoid_tables(),
        )  # fmt: skip
        bags = self.input_bags(vocab.words)
        if bags is not None:  # on the bag job loops (hierarchical softmax, subwords)
            tables = bag_tables(tables, bags, self.loss, vocab.counts)
        return corpus_work(enc, vocab, tables)

    def input_bags(self, words: list[str]) -> Bags | None:
        """The input rows of each word for the bag job loops (``loss="hs"``: the word's
        row alone), or None for the word2vec job loops."""
        return word_bags(len(words)) if self.loss == "hs" else None

    def make_worker(self, work: Work) -> JobWorker:
        tables = work.data.tables
        if isinstance(tables, BagTables):
            return bag_worker(self, work, CBOW_GROUP)
        sent = max(work.data.enc.max_sentence_length, 1)
        w_in, w_out = self.input_weights, self.output_weights
        if self.arch == "skipgram":
            w2 = 2 * self.window
            scratch = job_scratch(sent, w2, w2, self.negative, self.dim)
            kernel = partial(_sg, w_in, w_out, tables, self.window)
        else:
            inputs = 2 * self.window * CBOW_GROUP
            scratch = job_scratch(sent, CBOW_GROUP, inputs, self.negative, self.dim)
            kernel = partial(_cbow, w_in, w_out, tables, self.window, self.cbow_mean)
        return JobWorker(work, kernel, scratch, self.seed)


def _sg(w_in, w_out, tables, window, ids, job, scratch):  # type: ignore[no-untyped-def]
    return sg_job(ids, w_in, w_out, tables, job, window, scratch)


def _cbow(w_in, w_out, tables, window, cbow_mean, ids, job, scratch):  # type: ignore[no-untyped-def]
    return cbow_job(ids, w_in, w_out, tables, job, window, cbow_mean, scratch)
