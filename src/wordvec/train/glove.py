"""GloVe: global vectors from co-occurrence counts, AdaGrad, multi-threaded, streaming.

A sibling of :class:`~wordvec.train.word2vec.Word2Vec`: the same corpus pass
(:func:`~wordvec.train.corpus.encode_corpus`) and vocabulary, then the weighted
co-occurrences counted in bounded memory (:mod:`wordvec.train.cooccur`), shuffled once,
and ``epochs`` passes of AdaGrad over the non-zero entries with ``workers`` threads
running :func:`wordvec.train.kernels.glove.train_blocks` lock-free on shared weights.
"""

from __future__ import annotations

import itertools
import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from wordvec._io import PathLike, atomic_write, check_readable
from wordvec._validation import check_bool, check_choice, check_float, check_int
from wordvec.text import check_source, resolve_tokenizer
from wordvec.train.cooccur import Cooccurrences, count_cooccurrences
from wordvec.train.corpus import build_vocab, encode_corpus, frozen_remap
from wordvec.train.kernels import glove as kernels
from wordvec.train.progress import NullProgress, make_progress
from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

#: Non-zero entries per block: each epoch visits the blocks in a fresh random order.
BLOCK = 4096
#: Blocks per job (one kernel call between progress updates).
JOB_BLOCKS = 64
#: Bound of each gradient component (the C tool's ``-grad-clip``).
GRAD_CLIP = 100.0
_FORMAT = "wordvec.glove"
_FORMAT_VERSION = "1"
_STATE = ("word_vectors", "context_vectors", "word_biases", "context_biases")

Callback = Callable[["GloVe", int, float], Any]


class GloVe:
    """Train word vectors with GloVe (Pennington et al., 2014).

    Args:
        dim (int, default 100): Vector size.
        window (int, default 10): Largest distance between two words counted as
            co-occurring (within a sentence).
        min_count (int, default 5): Drop words seen fewer times.
        max_vocab (int | None, default None): Keep at most this many most frequent words.
        x_max (float, default 100.0): Count at which the weight ``f(x) =
            min(1, (x / x_max) ** alpha)`` of an entry reaches 1.
        alpha (float, default 0.75): Exponent of the weighting function.
        epochs (int, default 25): Passes over the non-zero co-occurrences.
        learning_rate (float, default 0.05): AdaGrad's initial step size.
        symmetric (bool, default True): Count context on both sides of a word; False
            counts only the words to its right (the C tool's ``-symmetric 0``).
        distance_weighting (bool, default True): Weigh a pair of words ``d`` apart by
            ``1 / d``; False weighs every pair 1.
        output (str, default "sum"): The vectors :meth:`fit` returns: ``"sum"`` (word
            plus context vectors, the C tool's default) or ``"word"``.
        workers (int | None, default None): Training threads; None uses all cores.
        seed (int, default 1): Seed of the initialization and of the entry order. With
            ``workers=1`` two runs give bitwise identical vectors.
        memory (float, default 4.0): Budget in GB of the counting tables (like the C
            tool's ``-memory``); beyond it sorted shards spill to a temporary directory.
        max_sentence_length (int, default 10000): Longer sentences are split.
        tokenizer (str | callable, default "default"): ``"default"``, ``"whitespace"``
            (fast, for pre-tokenized text) or a callable ``str -> list[str]``.
        progress (bool | str, default "auto"): Show a progress bar on stderr: True,
            False, or ``"auto"`` (only when stderr is a terminal).
        callbacks (sequence, default ()): Called after each epoch as
            ``fn(model, epoch, cost)`` (epoch 0-based within the current ``fit``, cost
            the epoch's mean weighted squared error per non-zero entry); an object with
            an ``on_epoch_end(model, epoch, cost)`` method is called through that method.

    Attributes:
        wv (Vectors | None): The trained vectors (see ``output``).
        word_vectors, context_vectors (np.ndarray | None): float32 ``(vocab, dim)``.
        word_biases, context_biases (np.ndarray | None): float32 ``(vocab,)``.
        costs (list[float]): Mean cost per non-zero entry of each epoch trained,
            ``f(x) * (w . c + b_w + b_c - log x)**2 / 2`` (the C tool's figure).
        nnz (int): Non-zero co-occurrences of the last ``fit`` (both directions).
        timings (dict[str, float]): Seconds spent in the last ``fit``: ``"read"`` (the
            pass over the text), ``"count"``, ``"shuffle"``, ``"train"`` and ``"total"``.

    Raises:
        ValueError: If a parameter is out of range (e.g. ``window < 1``, ``x_max <= 0``).
        TypeError: If a parameter has the wrong type.

    >>> model = GloVe(dim=8, min_count=1, epochs=2, workers=1, progress=False)
    >>> wv = model.fit([["a", "b", "c"], ["b", "c", "a"]] * 20)
    >>> wv.vectors.shape
    (3, 8)
    """

    def __init__(
        self,
        dim: int = 100,
        window: int = 10,
        min_count: int = 5,
        max_vocab: int | None = None,
        x_max: float = 100.0,
        alpha: float = 0.75,
        epochs: int = 25,
        learning_rate: float = 0.05,
        symmetric: bool = True,
        distance_weighting: bool = True,
        output: str = "sum",
        workers: int | None = None,
        seed: int = 1,
        memory: float = 4.0,
        max_sentence_length: int = 10_000,
        tokenizer: str | Callable[[str], list[str]] = "default",
        progress: bool | str = "auto",
        callbacks: Sequence[Callback | Any] = (),
    ) -> None:
        self.dim = check_int(dim, "dim", minimum=1)
        self.window = check_int(window, "window", minimum=1)
        self.min_count = check_int(min_count, "min_count", minimum=1)
        self.max_vocab = check_int(max_vocab, "max_vocab", minimum=2, allow_none=True)
        self.x_max = check_float(x_max, "x_max", minimum=0.0, exclusive_minimum=True)
        self.alpha = check_float(alpha, "alpha", minimum=0.0)
        self.epochs = check_int(epochs, "epochs", minimum=1)
        self.learning_rate = check_float(
            learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True
        )
        self.symmetric = check_bool(symmetric, "symmetric")
        self.distance_weighting = check_bool(distance_weighting, "distance_weighting")
        self.output = check_choice(output, "output", ("sum", "word"))
        self.workers = check_int(_cpu_count() if workers is None else workers, "workers", minimum=1)
        self.seed = check_int(seed, "seed", minimum=0, maximum=2**63 - 1)
        self.memory = check_float(memory, "memory", minimum=0.0, exclusive_minimum=True)
        self.max_sentence_length = check_int(max_sentence_length, "max_sentence_length", minimum=1)
        resolve_tokenizer(tokenizer)
        self.tokenizer = tokenizer
        if not (progress == "auto" or isinstance(progress, bool)):
            raise ValueError(f"progress must be True, False or 'auto', got {progress!r}.")
        self.progress = progress
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not (callable(cb) or callable(getattr(cb, "on_epoch_end", None))):
                raise TypeError(
                    f"each callback must be callable as fn(model, epoch, cost) or have an "
                    f"on_epoch_end(model, epoch, cost) method, got {cb!r}."
                )
        self.wv: Vectors | None = None
        self.word_vectors: np.ndarray | None = None
        self.context_vectors: np.ndarray | None = None
        self.word_biases: np.ndarray | None = None
        self.context_biases: np.ndarray | None = None
        self._adagrad: dict[str, np.ndarray] = {}
        self._words: list[str] = []
        self._counts: np.ndarray | None = None
        self.costs: list[float] = []
        self.nnz = 0
        self.timings: dict[str, float] = {}
        self._epochs_done = 0

    def config(self) -> dict[str, Any]:
        """Return the constructor parameters as a JSON-serializable dict.

        A callable tokenizer is recorded as ``"custom"``; callbacks are not recorded.

        >>> GloVe(x_max=10).config()["x_max"]
        10.0
        """
        names = (
            "dim", "window", "min_count", "max_vocab", "x_max", "alpha", "epochs",
            "learning_rate", "symmetric", "distance_weighting", "output", "workers", "seed",
            "memory", "max_sentence_length", "progress",
        )  # fmt: skip
        out = {name: getattr(self, name) for name in names}
        out["tokenizer"] = self.tokenizer if isinstance(self.tokenizer, str) else "custom"
        return out

    def fit(self, corpus: Any) -> Vectors:
        """Train on ``corpus`` and return the vectors.

        The first call builds the vocabulary. Later calls continue training (weights,
        biases and AdaGrad state carry on) on the co-occurrences of the new corpus with
        the vocabulary frozen (unknown words are dropped).

        Args:
            corpus: A text file path (``.txt``, ``.gz``, ``.bz2``, ``.xz``), a directory,
                a list of paths, or an iterable of strings or token lists. A one-shot
                iterator is fine: it is read exactly once.

        Returns:
            Vectors: The trained vectors, also kept as :attr:`wv`.

        Raises:
            FileNotFoundError: If a path in ``corpus`` does not exist (checked first).
            ValueError: If the corpus is empty, leaves fewer than 2 words after
                ``min_count``/``max_vocab``, or has no co-occurring known words.

        >>> m = GloVe(dim=4, min_count=1, epochs=1, workers=1, progress=False)
        >>> len(m.fit(["the cat sat", "the dog sat"]))
        4
        """
        check_source(corpus)
        t0 = time.perf_counter()
        progress = make_progress(self.progress)
        with progress, tempfile.TemporaryDirectory(prefix="wordvec-glove-") as tmp:
            enc = encode_corpus(
                corpus, tmp, tokenizer=self.tokenizer,
                max_sentence_length=self.max_sentence_length, on_block=progress.reading,
            )  # fmt: skip
            t_read = time.perf_counter() - t0
            if enc.n_tokens == 0:
                raise ValueError(
                    "the corpus is empty: no tokens were read; check the file or iterable "
                    "(and the tokenizer) you passed."
                )
            remap = self._prepare_vocab(enc)
            t1 = time.perf_counter()
            cooc = count_cooccurrences(
                enc, remap, len(self._words), tmp, window=self.window,
                symmetric=self.symmetric, distance_weighting=self.distance_weighting,
                memory=self.memory,
            )  # fmt: skip
        t2 = time.perf_counter()
        if cooc.rows.shape[0] == 0:
            raise ValueError(
                "no two vocabulary words occur in the same sentence within the window; "
                "train on more text, or lower min_count."
            )
        self.nnz = cooc.nnz
        kernels.shuffle_entries(cooc.rows, cooc.cols, cooc.counts, self.seed + self._epochs_done)
        t3 = time.perf_counter()
        self._train(cooc, progress)
        t4 = time.perf_counter()
        self.wv = None
        self.wv = self._vectors()
        self.timings = {
            "read": t_read, "count": t2 - t1, "shuffle": t3 - t2, "train": t4 - t3,
            "total": time.perf_counter() - t0,
        }  # fmt: skip
        return self.wv

    def _prepare_vocab(self, enc: Any) -> np.ndarray:
        """Return the provisional -> final id remap; initialize the weights on a first fit."""
        if self.word_vectors is not None:
            remap = frozen_remap(enc.words, {w: i for i, w in enumerate(self._words)})
            if not (remap >= 0).any():
                raise ValueError(
                    "none of the corpus words is in the vocabulary of this trained model; "
                    "continue training on text of the same language and tokenization."
                )
            return remap
        kept, counts, remap = build_vocab(
            enc.words, enc.counts, min_count=self.min_count, max_vocab=self.max_vocab
        )
        if len(kept) < 2:
            raise ValueError(
                f"min_count={self.min_count} leaves {len(kept)} word(s) in the vocabulary "
                f"of {len(enc.words)} distinct tokens; at least 2 are needed. Lower "
                "min_count or train on more text."
            )
        self._words = [str(w) for w in kept]
        self._counts = counts
        enc.words = []
        v, d = len(kept), self.dim
        rng = np.random.default_rng(self.seed)
        # uniform in [-0.5, 0.5) / dim for vectors and biases alike, as the C tool
        tables = [(rng.random(shape, dtype=np.float32) - np.float32(0.5)) / np.float32(d)
                  for shape in ((v, d), (v, d), (v,), (v,))]  # fmt: skip
        for name, table in zip(_STATE, tables):
            setattr(self, name, table)
        # AdaGrad sums of squared steps start at 1: the first step is the learning rate
        self._adagrad = {name: np.ones_like(t) for name, t in zip(_STATE, tables)}
        logger.info("vocabulary: %d words (min_count=%d)", v, self.min_count)
        return remap

    def _tables(self) -> list[np.ndarray]:
        return [getattr(self, n) for n in _STATE] + [self._adagrad[n] for n in _STATE]

    def _train(self, cooc: Cooccurrences, progress: NullProgress) -> None:
        m = cooc.rows.shape[0]
        n_blocks = -(-m // BLOCK)
        n_jobs = -(-n_blocks // JOB_BLOCKS)
        lock, stop = threading.Lock(), threading.Event()
        tables = self._tables()
        progress.start_training(self.nnz * self.epochs)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for epoch in range(self.epochs):
                progress.start_epoch(epoch, self.epochs, self.nnz)
                rng = np.random.default_rng([self.seed, self._epochs_done + epoch])
                order = rng.permutation(n_blocks).astype(np.int64)
                counter = itertools.count()
                totals = {"cost": 0.0, "updates": 0}

                def work(order=order, counter=counter, totals=totals) -> None:
                    for job in counter:
                        if job >= n_jobs or stop.is_set():
                            return
                        first = job * JOB_BLOCKS
                        last = min(first + JOB_BLOCKS, n_blocks)
                        cost, updates = kernels.train_blocks(
                            cooc.rows, cooc.cols, cooc.counts, order, first, last, BLOCK,
                            self.symmetric, *tables, self.x_max, self.alpha,
                            self.learning_rate, GRAD_CLIP,
                        )  # fmt: skip
                        with lock:
                            totals["cost"] += cost
                            totals["updates"] += updates
                            mean = totals["cost"] / max(totals["updates"], 1)
                        progress.advance(updates, self.learning_rate, mean)

                futures = [pool.submit(work) for _ in range(self.workers)]
                try:
                    for f in futures:
                        f.result()
                except BaseException:  # e.g. KeyboardInterrupt: let the threads stop early
                    stop.set()
                    raise
                cost = totals["cost"] / max(totals["updates"], 1)
                self.costs.append(cost)
                logger.info("epoch %d/%d: mean cost %.5f", epoch + 1, self.epochs, cost)
                for cb in self.callbacks:
                    hook = getattr(cb, "on_epoch_end", None)
                    if callable(hook):
                        hook(self, epoch, cost)
                    else:
                        cb(self, epoch, cost)
        self._epochs_done += self.epochs

    def _vectors(self) -> Vectors:
        if self.output == "sum":
            matrix = self.word_vectors + self.context_vectors
        else:
            matrix = self.word_vectors.copy()
        return Vectors(self._words, matrix, self._counts)

    def save(self, path: PathLike) -> None:
        """Save the full model to one .safetensors file: both vector tables, both bias
        vectors, their AdaGrad state, the vocabulary with counts, the config and costs.

        The write is atomic: on failure any previous file at ``path`` is left intact.

        Args:
            path: Destination file, conventionally ending in ``.safetensors``.

        Raises:
            ValueError: If the model has not been trained yet.
            FileNotFoundError: If the directory of ``path`` does not exist.

        >>> import tempfile, pathlib
        >>> m = GloVe(dim=4, min_count=1, epochs=1, workers=1, progress=False)
        >>> _ = m.fit(["a b c", "b c a"])
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.safetensors"
        >>> m.save(p)
        >>> GloVe.load(p).wv.words == m.wv.words
        True
        """
        from safetensors.numpy import save

        if self.wv is None or self.word_vectors is None:
            raise ValueError("the model is not trained yet; call fit(corpus) before save().")
        encoded = [w.encode("utf-8") for w in self._words]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(b) for b in encoded])
        tensors = {name: np.ascontiguousarray(getattr(self, name)) for name in _STATE}
        tensors.update({f"adagrad_{n}": np.ascontiguousarray(self._adagrad[n]) for n in _STATE})
        tensors["counts"] = np.ascontiguousarray(self._counts, dtype=np.int64)
        tensors["words_utf8"] = np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8).copy()
        tensors["word_offsets"] = offsets
        metadata = {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "config": json.dumps(self.config()),
            "costs": json.dumps(self.costs),
            "epochs_done": str(self._epochs_done),
            "nnz": str(self.nnz),
        }
        data = save(tensors, metadata=metadata)
        with atomic_write(path) as f:
            f.write(data)

    @classmethod
    def load(cls, path: PathLike) -> GloVe:
        """Load a model written by :meth:`save`; training can continue with :meth:`fit`.

        Args:
            path: A file written by :meth:`save`.

        Raises:
            FileNotFoundError: If ``path`` does not exist.
            ValueError: If the file is not a wordvec GloVe model.

        >>> GloVe.load("missing.safetensors")
        Traceback (most recent call last):
        ...
        FileNotFoundError: model file not found: 'missing.safetensors'; check the path ...
        """
        from safetensors import safe_open

        p = check_readable(path, "model file")
        try:
            with safe_open(str(p), framework="np") as f:
                meta = f.metadata() or {}
                arrays = {k: f.get_tensor(k) for k in f.keys()}
        except Exception as exc:
            raise ValueError(
                f"{str(p)!r} is not a readable safetensors file ({exc}); pass a file "
                "written by GloVe.save()."
            ) from exc
        if meta.get("format") != _FORMAT:
            raise ValueError(
                f"{str(p)!r} is not a wordvec GloVe model (format {meta.get('format')!r}, "
                f"expected {_FORMAT!r}); pass a file written by GloVe.save()."
            )
        config = json.loads(meta["config"])
        if config.get("tokenizer") == "custom":
            logger.warning("the model was trained with a custom tokenizer; using 'default'")
            config["tokenizer"] = "default"
        model = cls(**config)
        raw, offsets = arrays["words_utf8"].tobytes(), arrays["word_offsets"]
        model._words = [raw[offsets[i] : offsets[i + 1]].decode("utf-8")
                        for i in range(len(offsets) - 1)]  # fmt: skip
        model._counts = arrays["counts"].astype(np.int64)
        for name in _STATE:  # safetensors hands out read-only arrays: writable copies
            setattr(model, name, np.array(arrays[name], dtype=np.float32))
            model._adagrad[name] = np.array(arrays[f"adagrad_{name}"], dtype=np.float32)
        model.costs = [float(x) for x in json.loads(meta.get("costs", "[]"))]
        model._epochs_done = int(meta.get("epochs_done", "0"))
        model.nnz = int(meta.get("nnz", "0"))
        model.wv = model._vectors()
        return model


def _cpu_count() -> int:
    from wordvec.train.word2vec import _cpu_count as count

    return count()
