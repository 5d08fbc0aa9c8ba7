"""GloVe: global vectors from co-occurrence counts with AdaGrad, on the trainer engine.

A sibling of :class:`~wordvec.train.word2vec.Word2Vec`: the engine
(:mod:`wordvec.train._engine`) reads the corpus once, builds the vocabulary and runs
the epochs on ``workers`` threads; this model counts the weighted co-occurrences in
bounded memory (:mod:`wordvec.train.cooccur`), shuffles the non-zero entries once, and
trains blocks of them with :func:`wordvec.train.kernels.glove.train_blocks` (lock-free
AdaGrad on shared weights, like the C tool), visiting the blocks in a fresh random
order every epoch.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from wordvec.train._engine import Trainer, Vocab, Work
from wordvec.train.cooccur import Cooccurrences, count_cooccurrences
from wordvec.train.corpus import EncodedCorpus
from wordvec.train.kernels import glove as kernels
from wordvec.train.params import ENGINE_PARAMS, Param, select
from wordvec.train.plan import EpochPlan
from wordvec.train.schedule import AdaGrad
from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

#: Non-zero entries per work item; every epoch visits the items in a fresh random order.
BLOCK = 16_384
#: Bound of each gradient component (the C tool's ``-grad-clip``).
GRAD_CLIP = 100.0
#: The trained tables, each with an AdaGrad sum of squared steps saved as ``adagrad_<name>``.
TABLES = ("word_vectors", "context_vectors", "word_biases", "context_biases")

_GLOVE_PARAMS = (
    Param("window", "int", 10, "Largest distance between two words counted as "
          "co-occurring (within a sentence).", minimum=1),
    Param("x_max", "float", 100.0, "Count at which the weight f(x) = min(1, (x / x_max) ** "
          "alpha) of a co-occurrence reaches 1.", minimum=0.0, exclusive_minimum=True),
    Param("alpha", "float", 0.75, "Exponent of the weighting function.", minimum=0.0),
    Param("learning_rate", "float", 0.05, "AdaGrad's initial step size.", minimum=0.0,
          exclusive_minimum=True),
    Param("symmetric", "bool", True, "Count the context on both sides of a word (False: "
          "only the words to its right)."),
    Param("distance_weighting", "bool", True, "Weigh two words d apart by 1/d (False: by 1)."),
    Param("output_vectors", "choice", "sum", "The vectors fit returns: 'sum' (word + context "
          "vectors, the C tool's default) or 'word'.", choices=("sum", "word")),
    Param("memory", "float", 4.0, "Budget in GB of the co-occurrence tables (the C tool's "
          "-memory); beyond it sorted shards spill to a temporary directory.", minimum=0.0,
          exclusive_minimum=True),
)  # fmt: skip
_EPOCHS = Param("epochs", "int", 25, "Passes over the non-zero co-occurrences.", minimum=1)


class GloVe(Trainer):
    """Train word vectors with GloVe (Pennington et al., 2014).

    The defaults are the paper's and the C tool's, except ``epochs`` (25, the C tool's;
    the paper trains 50 for vectors under 300 dimensions) and the biases' step, which
    is not scaled by ``learning_rate`` (as in the C tool).

    Args:
        {params}
        callbacks (sequence, default ()): Called after each epoch as
            ``fn(model, epoch, cost)`` (epoch 0-based within the current ``fit``, cost
            the epoch's mean per non-zero entry); an object with an
            ``on_epoch_end(model, epoch, cost)`` method is called through that method.

    Attributes:
        wv (Vectors | None): The trained vectors (see ``output_vectors``).
        word_vectors, context_vectors (np.ndarray | None): float32 ``(vocab, dim)``.
        word_biases, context_biases (np.ndarray | None): float32 ``(vocab,)``.
        costs (list[float]): Mean cost per non-zero entry of each epoch trained,
            ``f(x) * (w . c + b_w + b_c - log x)**2 / 2`` (the C tool's figure); alias
            ``losses``.
        nnz (int): Non-zero co-occurrences of the last ``fit`` (both directions).
        timings (dict[str, float]): Seconds spent in the last ``fit``: ``"read"`` (the
            pass over the text), ``"count"``, ``"shuffle"``, ``"train"`` and ``"total"``.

    Raises:
        ValueError: If a parameter is out of range (e.g. ``window < 1``, ``x_max <= 0``).
        TypeError: If a parameter has the wrong type or name.

    >>> model = GloVe(dim=8, min_count=1, epochs=2, workers=1, progress=False)
    >>> wv = model.fit([["a", "b", "c"], ["b", "c", "a"]] * 20)
    >>> wv.vectors.shape
    (3, 8)
    """

    PARAMS = select(
        (*(p for p in ENGINE_PARAMS if p.name != "epochs"), _EPOCHS, *_GLOVE_PARAMS),
        ("dim", "window", "min_count", "max_vocab", "x_max", "alpha", "epochs",
         "learning_rate", "symmetric", "distance_weighting", "output_vectors", "workers", "seed",
         "memory", "max_sentence_length", "tokenizer", "encoding", "encoding_errors",
         "progress", "checkpoint"),
    )  # fmt: skip
    FORMAT = "wordvec.glove"
    #: Blocks in a fresh random order each epoch (Trainer.order; the entries were
    #: shuffled once); not a parameter: GloVe always shuffles.
    shuffle = True
    UNIT = "entries"
    METRIC = "cost"
    RATE = "learning_rate"

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.word_vectors: np.ndarray | None = None
        self.context_vectors: np.ndarray | None = None
        self.word_biases: np.ndarray | None = None
        self.context_biases: np.ndarray | None = None
        self.adagrad: dict[str, np.ndarray] = {}
        self.nnz = 0
        self._stages: dict[str, float] = {}

    @property
    def costs(self) -> list[float]:
        """Mean cost per non-zero entry of each epoch trained (alias of ``losses``)."""
        return self.losses

    def fit(self, corpus: Any) -> Vectors:
        """Train on ``corpus`` and return the vectors; see :meth:`Trainer.fit`.

        Later calls continue training (weights, biases and AdaGrad state carry on) on
        the co-occurrences of the new corpus, with the vocabulary frozen.

        Raises:
            FileNotFoundError: If a path in ``corpus`` does not exist (checked first).
            ValueError: If the corpus is empty, leaves fewer than 2 words after
                ``min_count``/``max_vocab``, or no two known words co-occur.

        >>> m = GloVe(dim=4, min_count=1, epochs=1, workers=1, progress=False)
        >>> len(m.fit(["the cat sat", "the dog sat"]))
        4
        """
        wv = super().fit(corpus)
        self.timings = {**self.timings, **self._stages}
        return wv

    def init_weights(self, vocab_size: int) -> None:
        """Vectors and biases uniform in ``[-0.5, 0.5) / dim`` (seeded), as the C tool;
        AdaGrad sums start at 1 (the first step is ``learning_rate``)."""
        rng = np.random.default_rng(self.seed)
        shapes = ((vocab_size, self.dim), (vocab_size, self.dim), (vocab_size,), (vocab_size,))
        for name, shape in zip(TABLES, shapes):
            table = rng.random(shape, dtype=np.float32)
            table -= np.float32(0.5)
            table /= np.float32(self.dim)
            setattr(self, name, table)
            self.adagrad[name] = np.ones(shape, dtype=np.float32)

    def state(self) -> dict[str, np.ndarray]:
        out = {name: getattr(self, name) for name in TABLES}
        out.update({f"adagrad_{name}": self.adagrad[name] for name in TABLES})
        return out

    def set_state(self, arrays: dict[str, np.ndarray]) -> None:
        for name in TABLES:
            setattr(self, name, arrays[name].astype(np.float32, copy=False))
            self.adagrad[name] = arrays[f"adagrad_{name}"].astype(np.float32, copy=False)

    def schedule(self) -> AdaGrad:
        return AdaGrad(self.learning_rate)

    def read_out(self) -> np.ndarray:
        """Word plus context vectors (``output_vectors="sum"``), or the word vectors."""
        if self.output_vectors == "sum":
            return self.word_vectors + self.context_vectors
        return self.word_vectors.copy()

    def prepare(self, enc: EncodedCorpus, vocab: Vocab, tmp: str) -> Work:
        """Count the co-occurrences and shuffle them; the items are blocks of entries."""
        if not (vocab.remap >= 0).any():
            raise ValueError(
                "none of the corpus words is in the vocabulary of this trained model; "
                "continue training on text of the same language and tokenization."
            )
        t0 = time.perf_counter()
        cooc = count_cooccurrences(
            enc, vocab.remap, len(vocab.words), tmp, window=self.window,
            symmetric=self.symmetric, distance_weighting=self.distance_weighting,
            memory=self.memory,
        )  # fmt: skip
        t1 = time.perf_counter()
        if cooc.rows.shape[0] == 0:
            if self._epochs_done == 0:  # a failed first fit leaves no half-made model
                self._vocab = None
                self.init_weights(0)
            raise ValueError(
                "no two vocabulary words occur in the same sentence within the window; "
                "train on more text, or lower min_count."
            )
        kernels.shuffle_entries(cooc.rows, cooc.cols, cooc.counts, self.seed + self._epochs_done)
        self.nnz = cooc.nnz
        self._stages = {"count": t1 - t0, "shuffle": time.perf_counter() - t1}
        updates = np.ones(cooc.rows.shape[0], dtype=np.int64)
        if self.symmetric:  # an entry off the diagonal stands for X[i, j] and X[j, i]
            updates += cooc.rows != cooc.cols
        sizes = np.add.reduceat(updates, np.arange(0, updates.shape[0], BLOCK))
        return Work(sizes.astype(np.int64), cooc)

    def make_worker(self, work: Work) -> _BlockWorker:
        return _BlockWorker(self, work.data)


class _BlockWorker:
    """One thread's worker: trains one block of entries per item."""

    def __init__(self, model: GloVe, cooc: Cooccurrences) -> None:
        self.cooc = cooc
        self.item = np.zeros(1, dtype=np.int64)
        self.tables = [getattr(model, n) for n in TABLES] + [model.adagrad[n] for n in TABLES]
        self.args = (model.x_max, model.alpha)
        self.both = model.symmetric

    def run(self, plan: EpochPlan, item: int) -> tuple[float, int, int]:
        self.item[0] = item
        c = self.cooc
        cost, updates = kernels.train_blocks(
            c.rows, c.cols, c.counts, self.item, 0, 1, BLOCK, self.both, *self.tables,
            *self.args, float(plan.rate_start[item]), GRAD_CLIP,
        )  # fmt: skip
        return cost, updates, updates

    def close(self) -> None:
        self.cooc = None  # type: ignore[assignment]
