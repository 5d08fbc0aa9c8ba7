"""The trainer engine: what every trainer (word2vec, fastText, GloVe) shares.

:class:`Trainer` owns ``fit``: the pass over the corpus, the vocabulary, the epochs
(a plan of work items per epoch, threads with per-thread scratch, callbacks, progress,
timings, checkpoints) and ``save``/``load`` of the full state. A model subclasses it
and supplies only what differs; see "How to add a trainer" in :mod:`wordvec.train`.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from wordvec._io import PathLike, atomic_write, check_readable
from wordvec._words import pack_words, unpack_words
from wordvec.text import check_source
from wordvec.train.corpus import EncodedCorpus, build_vocab, encode_corpus, frozen_remap
from wordvec.train.params import Param, check_params, docstring_args, signature
from wordvec.train.plan import EpochHooks, EpochPlan, Totals, Worker
from wordvec.train.progress import NullProgress, make_progress
from wordvec.train.schedule import Schedule
from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

#: Approximate number of tokens per corpus job (one kernel call).
JOB_WORDS = 50_000

Callback = Callable[[Any, int, float], Any]


@dataclass
class Vocab:
    """The vocabulary of a fit: the words by id, their counts, and the provisional remap.

    ``remap[p]`` is the id of provisional id ``p`` of the corpus pass, or -1.
    """

    words: list[str]
    counts: np.ndarray
    remap: np.ndarray


@dataclass
class Work:
    """What the epochs of a fit train: the item sizes (in the model's unit) and data.

    ``data`` is the model's own (e.g. the encoded corpus and sampling tables).
    """

    sizes: np.ndarray
    data: Any


class Trainer:
    """Base class of the trainers: owns ``fit``, ``save``/``load`` and ``config``.

    A subclass declares ``PARAMS`` (:class:`~wordvec.train.params.Param` tuple),
    ``FORMAT`` (the model-file tag), ``UNIT`` and ``METRIC`` (progress labels),
    ``RATE`` (the learning-rate parameter a diverged run's error names), and
    implements :meth:`init_weights`, :meth:`state`, :meth:`set_state`,
    :meth:`schedule`, :meth:`prepare`, :meth:`make_worker` and :meth:`read_out`.
    The constructor takes the declared parameters as keywords (validated here) plus
    ``callbacks``, called after each epoch as ``fn(model, epoch, metric)`` (or
    ``obj.on_epoch_end(model, epoch, metric)``).

    Attributes:
        wv (Vectors | None): The trained vectors (from :meth:`read_out`).
        losses (list[float]): The mean metric per example of each epoch trained.
        timings (dict[str, float]): Seconds of the last ``fit``: ``"read"``,
            ``"train"`` and ``"total"``.
        hooks (EpochHooks): Where a distributed layer plugs in.
    """

    PARAMS: ClassVar[tuple[Param, ...]] = ()
    FORMAT: ClassVar[str] = ""
    FORMAT_VERSION: ClassVar[str] = "1"
    UNIT: ClassVar[str] = "words"
    METRIC: ClassVar[str] = "loss"
    RATE: ClassVar[str] = "alpha"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.PARAMS:
            cls.__signature__ = signature(cls.PARAMS)  # type: ignore[attr-defined]
            if cls.__doc__ and "{params}" in cls.__doc__:
                cls.__doc__ = cls.__doc__.replace("{params}", docstring_args(cls.PARAMS))

    def __init__(self, *, callbacks: Sequence[Callback | Any] = (), **params: Any) -> None:
        values = check_params(self.PARAMS, params, type(self).__name__)
        for name, value in values.items():
            setattr(self, name, value)
        if getattr(self, "workers", 1) is None:
            self.workers = cpu_count()
        self._resolve()
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not (callable(cb) or callable(getattr(cb, "on_epoch_end", None))):
                raise TypeError(
                    f"each callback must be callable as fn(model, epoch, {self.METRIC}) or "
                    f"have an on_epoch_end(model, epoch, {self.METRIC}) method, got {cb!r}."
                )
        self.wv: Vectors | None = None
        self.losses: list[float] = []
        self.timings: dict[str, float] = {}
        self.hooks = self._hooks()
        self._vocab: Vocab | None = None
        self._epochs_done = 0

    def _hooks(self) -> EpochHooks:
        """The epoch hooks: a distributed run (``distributed=True``) or one process."""
        if getattr(self, "distributed", False):
            from wordvec.train.distributed import DistributedRun

            return DistributedRun.for_model(self)
        if getattr(self, "checkpoint_dir", None) is not None:
            raise ValueError(
                "checkpoint_dir is for distributed runs (distributed=True under torchrun); "
                "in one process use checkpoint=PATH to save the model after each epoch."
            )
        return EpochHooks()

    # ------------------------------------------------------------------ model hooks

    def _resolve(self) -> None:
        """Fill in defaults that depend on other parameters; check their combinations."""

    def init_weights(self, vocab_size: int) -> None:
        """Create the weights of a vocabulary of ``vocab_size`` words (first fit)."""
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """Return the arrays of the full training state (weights, optimizer state)."""
        raise NotImplementedError

    def set_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore the arrays :meth:`state` returned (writable copies)."""
        raise NotImplementedError

    def schedule(self) -> Schedule:
        """Return the rate schedule (linear decay or AdaGrad)."""
        raise NotImplementedError

    def prepare(self, enc: EncodedCorpus, vocab: Vocab, tmp: str) -> Work:
        """Return the work items of every epoch (``tmp``: a scratch directory)."""
        raise NotImplementedError

    def make_worker(self, work: Work) -> Worker:
        """Return one thread's worker (its scratch buffers), made in the main thread."""
        raise NotImplementedError

    def read_out(self) -> np.ndarray:
        """Return the float32 word vectors, one row per vocabulary word."""
        raise NotImplementedError

    # ------------------------------------------------------------------ config

    def config(self) -> dict[str, Any]:
        """Return the saved parameters as a JSON-serializable dict.

        A callable tokenizer is recorded as ``"custom"``; callbacks are not recorded.
        """
        out = {p.name: getattr(self, p.name) for p in self.PARAMS if p.saved}
        if "tokenizer" in out and not isinstance(out["tokenizer"], str):
            out["tokenizer"] = "custom"
        return out

    # ------------------------------------------------------------------ fit

    def fit(self, corpus: Any) -> Vectors:
        """Train on ``corpus`` and return the word vectors.

        The first call builds the vocabulary from the corpus. Later calls continue
        training with the vocabulary frozen (unknown words are dropped) and the
        schedule starting over on the new corpus.

        Args:
            corpus: A text file path (``.txt``, ``.gz``, ``.bz2``, ``.xz``), a directory,
                a list of paths, or an iterable of strings or token lists. A one-shot
                iterator is fine: it is read exactly once.

        Returns:
            Vectors: The trained vectors, also kept as :attr:`wv`.

        Raises:
            FileNotFoundError: If a path in ``corpus`` does not exist (checked first).
            ValueError: If the corpus is empty, or leaves fewer than 2 words after
                ``min_count``/``max_vocab``, or has no known word when continuing; or if
                training diverged (vectors not finite: the error names the rate).
        """
        check_source(corpus)
        t0 = time.perf_counter()
        progress = make_progress(self.progress, self.UNIT, self.schedule().label, self.METRIC)
        with progress, tempfile.TemporaryDirectory(prefix="wordvec-train-") as tmp:
            enc = self._read(self.hooks.start(self, corpus), tmp, progress)
            self.read_stats = enc.read_stats
            t_read = time.perf_counter() - t0
            vocab = self._vocabulary(enc)
            work = self.prepare(enc, vocab, tmp)
            if int(work.sizes.sum()) == 0:
                raise ValueError(
                    "none of the corpus words is in the vocabulary of this trained model; "
                    "continue training on text of the same language and tokenization."
                )
            t1 = time.perf_counter()
            self._train(work, progress)
            t_train = time.perf_counter() - t1
        self.wv = None  # a fresh Vectors: no stale cached norms
        rate = f"{self.RATE}={getattr(self, self.RATE)!r}"
        self.wv = trained_vectors(vocab.words, self.read_out(), vocab.counts, rate)
        self.timings = {"read": t_read, "train": t_train, "total": time.perf_counter() - t0}
        return self.wv

    def _read(self, corpus: Any, tmp: str, progress: NullProgress) -> EncodedCorpus:
        enc = encode_corpus(
            corpus,
            tmp,
            tokenizer=self.tokenizer,
            max_sentence_length=self.max_sentence_length,
            job_words=getattr(self.hooks, "job_words", JOB_WORDS),  # rounds need small jobs
            on_block=progress.reading,
            encoding=self.encoding,
            encoding_errors=self.encoding_errors,
        )
        if enc.n_tokens == 0:
            raise ValueError(
                "the corpus is empty: no tokens were read; check the file or iterable "
                "(and the tokenizer) you passed."
            )
        return enc

    def _vocabulary(self, enc: EncodedCorpus) -> Vocab:
        """Return the vocabulary: frozen when continuing, else built (and weights made)."""
        if self._vocab is not None:
            remap = frozen_remap(enc.words, {w: i for i, w in enumerate(self._vocab.words)})
            enc.words = []
            return Vocab(self._vocab.words, self._vocab.counts, remap)
        words, counts, merged = self.hooks.merge_vocab(enc)
        kept, counts, remap = build_vocab(
            words, counts, min_count=self.min_count, max_vocab=self.max_vocab
        )
        if merged is not None:  # provisional -> merged -> vocabulary
            remap = np.where(merged >= 0, remap[np.maximum(merged, 0)], -1).astype(np.int32)
        del words
        enc.counts = np.zeros(0, dtype=np.int64)  # one int64 per distinct token: free it
        if len(kept) < 2:
            raise ValueError(
                f"min_count={self.min_count} leaves {len(kept)} word(s) in the vocabulary "
                f"of {len(enc.words)} distinct tokens; at least 2 are needed. Lower "
                "min_count or train on more text."
            )
        words = _compact_words(kept, enc)
        self.init_weights(len(words))
        logger.info("vocabulary: %d words (min_count=%d)", len(words), self.min_count)
        self._vocab = Vocab(words, counts, np.zeros(0, np.int32))
        return Vocab(words, counts, remap)

    def _train(self, work: Work, progress: NullProgress) -> None:
        schedule = self.schedule()
        n_items = int(work.sizes.shape[0])
        first = self.hooks.attach(self)
        base = self._epochs_done  # epochs trained before this fit
        self._epochs_done += first  # epochs the hooks restored (a resumed run)
        progress.start_training(int(work.sizes.sum()) * (self.epochs - first))
        workers = [self.make_worker(work) for _ in range(self.workers)]
        try:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:

                def run(plan: EpochPlan) -> Totals:
                    return _run_plan(pool, workers, plan, progress)

                for epoch in range(first, self.epochs):
                    stream0 = (base + epoch) * n_items
                    order = self.order(n_items, stream0)
                    start, end = schedule.rates(work.sizes, epoch, self.epochs, order)
                    plan = EpochPlan(epoch, self.epochs, order, work.sizes, start, end, stream0)
                    progress.start_epoch(epoch, self.epochs, plan.units)
                    totals = self.hooks.run_epoch(plan, run)
                    self._epochs_done += 1
                    self._end_epoch(plan, totals)
        finally:
            for w in workers:
                w.close()
        self.hooks.finish(self)

    def order(self, n_items: int, stream0: int) -> np.ndarray:
        """Return the order in which an epoch trains its ``n_items`` items.

        With ``shuffle`` (Word2Vec's and FastText's default) a fresh permutation each
        epoch, drawn from ``seed`` and the epoch's first random stream ``stream0`` (so a
        resumed or continued run draws the same orders as an uninterrupted one);
        otherwise corpus order. Trained in corpus order, the last epoch ends on the
        corpus's last parts and the vectors fit them best: on bench-en (books, then
        dictionary definitions) fastText-style skip-gram answered 16.1% of the semantic
        analogies in corpus order and 23.6% shuffled (benchmarks/RESULTS.md).
        """
        if not getattr(self, "shuffle", False):
            return np.arange(n_items)
        return np.random.default_rng([self.seed, stream0]).permutation(n_items)

    def _end_epoch(self, plan: EpochPlan, totals: Totals) -> None:
        metric = totals.mean
        self.losses.append(metric)
        logger.info("epoch %d/%d: mean %s %.5f", plan.epoch + 1, plan.epochs, self.METRIC, metric)
        for cb in self.callbacks:
            hook = getattr(cb, "on_epoch_end", None)
            (hook if callable(hook) else cb)(self, plan.epoch, metric)
        if self.checkpoint is not None:
            self.save(self.checkpoint)

    # ------------------------------------------------------------------ save / load

    def save(self, path: PathLike) -> None:
        """Save the full model (state arrays, vocabulary, counts, config) to one file.

        A .safetensors file: the arrays of :meth:`state`, ``counts``, the words packed
        as UTF-8 (``words_utf8``, ``word_offsets``), and the config and losses as JSON
        metadata. The write is atomic: on failure any previous file at ``path`` is
        left intact.

        Args:
            path: Destination file, conventionally ending in ``.safetensors``.

        Raises:
            ValueError: If the model has not been trained yet.
            FileNotFoundError: If the directory of ``path`` does not exist.
        """
        from safetensors.numpy import save

        if self._vocab is None:
            raise ValueError("the model is not trained yet; call fit(corpus) before save().")
        blob, offsets = pack_words(self._vocab.words, terminator=b"")
        tensors = {k: np.ascontiguousarray(v) for k, v in self.state().items()}
        tensors["counts"] = np.ascontiguousarray(self._vocab.counts, dtype=np.int64)
        tensors["words_utf8"] = blob
        tensors["word_offsets"] = offsets
        metadata = {
            "format": self.FORMAT,
            "format_version": self.FORMAT_VERSION,
            "config": json.dumps(self.config()),
            "losses": json.dumps(self.losses),
            "epochs_done": str(self._epochs_done),
        }
        data = save(tensors, metadata=metadata)
        with atomic_write(path) as f:
            f.write(data)

    @classmethod
    def load(cls, path: PathLike) -> Any:
        """Load a model written by :meth:`save`; training can continue with :meth:`fit`.

        A model trained with a custom tokenizer callable comes back with
        ``tokenizer="default"``; set ``model.tokenizer`` before continuing training.

        Args:
            path: A file written by :meth:`save` of this class.

        Raises:
            FileNotFoundError: If ``path`` does not exist.
            ValueError: If the file is not a model of this class.
        """
        meta, arrays = _read_model(path, cls.FORMAT, cls.__name__)
        config = json.loads(meta["config"])
        if config.get("tokenizer") == "custom":
            logger.warning("the model was trained with a custom tokenizer; using 'default'")
            config["tokenizer"] = "default"
        model = cls(**config)
        words = unpack_words(arrays.pop("words_utf8"), arrays.pop("word_offsets"), terminator=b"")
        counts = arrays.pop("counts").astype(np.int64)
        # safetensors hands out read-only arrays; training needs writable copies
        model.set_state({k: np.array(v) for k, v in arrays.items()})
        model._vocab = Vocab(words, counts, np.zeros(0, np.int32))
        model.wv = Vectors(words, model.read_out(), counts)
        model.losses = [float(x) for x in json.loads(meta.get("losses", "[]"))]
        model._epochs_done = int(meta.get("epochs_done", "0"))
        return model


def _read_model(path: PathLike, fmt: str, name: str) -> tuple[dict, dict[str, np.ndarray]]:
    from safetensors import safe_open

    p = check_readable(path, "model file")
    try:
        with safe_open(str(p), framework="np") as f:
            meta = f.metadata() or {}
            arrays = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as exc:
        raise ValueError(
            f"{str(p)!r} is not a readable safetensors file ({exc}); pass a file "
            f"written by {name}.save()."
        ) from exc
    if meta.get("format") != fmt:
        raise ValueError(
            f"{str(p)!r} is not a wordvec {name} model (format {meta.get('format')!r}, "
            f"expected {fmt!r}); pass a file written by {name}.save()."
        )
    return meta, arrays


def _run_plan(
    pool: ThreadPoolExecutor, workers: list[Worker], plan: EpochPlan, progress: NullProgress
) -> Totals:
    """Train the items of ``plan`` on the threads of ``pool``, one worker each."""
    totals = Totals()
    stop = threading.Event()
    queue = iter(plan.order.tolist())
    lock = threading.Lock()

    def next_item() -> Iterator[int]:
        while not stop.is_set():
            with lock:
                item = next(queue, None)
            if item is None:
                return
            yield item

    def drain(worker: Worker) -> None:
        for item in next_item():
            metric, examples, units = worker.run(plan, item)
            mean = totals.add(metric, examples, units)
            progress.advance(units, float(plan.rate_end[item]), mean)

    futures = [pool.submit(drain, w) for w in workers]
    try:
        for f in futures:
            f.result()
    except BaseException:  # e.g. KeyboardInterrupt: let the threads stop early
        stop.set()
        raise
    return totals


def _compact_words(kept: list, enc: EncodedCorpus) -> list[str]:
    """Return the kept words as fresh strings, the provisional vocabulary dropped first.

    Parking the survivors as UTF-8 bytes lets the memory of the provisional vocabulary
    (often 4x larger) go back to the system instead of staying pinned by them.
    """
    blob, offsets = pack_words([str(w) for w in kept], terminator=b"")
    del kept[:]
    enc.words = []
    return unpack_words(blob, offsets, terminator=b"")


def trained_vectors(
    words: list[str], weights: np.ndarray, counts: np.ndarray, rate: str = "the learning rate"
) -> Vectors:
    """Return the :class:`Vectors` of freshly trained ``weights`` (a read-only view).

    The words are unique by construction, so the word -> row dict is left to be built on
    first lookup instead of at the memory peak of training; finiteness is checked
    block by block with NumPy.

    Raises:
        ValueError: If a weight is NaN or infinite (a diverged run): the error counts the
            words hit, names the first and says to lower ``rate`` (e.g. ``"alpha=0.5"``).
    """
    block = 4096
    for start in range(0, weights.shape[0], block):
        if not np.isfinite(weights[start : start + block]).all():
            bad = np.flatnonzero(~np.isfinite(weights).all(axis=1))
            raise ValueError(
                f"training diverged: {bad.size:,} of {len(words):,} word vectors hold NaN or "
                f"infinite values (the first: {words[bad[0]]!r}); lower {rate} and train "
                "again."
            )
    wv = Vectors._trusted(words, weights, None, None)
    wv.counts = counts
    return wv


def cpu_count() -> int:
    """Return the cores this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not on Linux
        return max(os.cpu_count() or 1, 1)
