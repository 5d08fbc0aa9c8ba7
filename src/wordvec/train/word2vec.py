"""Word2Vec: skip-gram and CBOW with negative sampling, multi-threaded, streaming.

The model reads its corpus once into a temporary file of word ids
(:mod:`wordvec.train.corpus`), builds the vocabulary, then trains for ``epochs``
passes over that file with ``workers`` threads running the numba kernels of
:mod:`wordvec.train.kernels` on shared weights (lock-free, like the C tool).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from wordvec._io import PathLike, atomic_write, check_readable
from wordvec._validation import check_bool, check_choice, check_float, check_int
from wordvec.text import check_source, resolve_tokenizer
from wordvec.train import kernels
from wordvec.train.corpus import (
    EncodedCorpus,
    build_vocab,
    encode_corpus,
    frozen_remap,
    keep_thresholds,
)
from wordvec.train.progress import NullProgress, make_progress
from wordvec.train.schedule import job_alphas
from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

#: Neighbouring CBOW centre words that share one draw of negatives.
CBOW_GROUP = 2
#: Approximate number of tokens per training job (one kernel call).
JOB_WORDS = 50_000
_FORMAT = "wordvec.word2vec"
_FORMAT_VERSION = "1"

Callback = Callable[["Word2Vec", int, float], Any]


class Word2Vec:
    """Train word vectors with word2vec (skip-gram or CBOW, negative sampling).

    Args:
        arch (str, default "skipgram"): ``"skipgram"`` or ``"cbow"``.
        dim (int, default 100): Vector size.
        window (int, default 5): Largest distance between a centre word and a context
            word; the effective window of each centre is drawn uniformly in 1..window.
        negative (int, default 5): Negative samples per positive example (>= 1).
        min_count (int, default 5): Drop words seen fewer times.
        max_vocab (int | None, default None): Keep at most this many most frequent words.
        sample (float, default 1e-3): Subsampling threshold for frequent words (0: off).
        epochs (int, default 5): Passes over the corpus.
        alpha (float | None, default None): Initial learning rate; None means 0.025
            for skip-gram and 0.05 for CBOW.
        min_alpha (float, default 1e-4): Final learning rate (linear decay over all
            epochs by words processed).
        cbow_mean (bool, default True): CBOW averages (True) or sums the context vectors.
        ns_exponent (float, default 0.75): Negatives are drawn with probability
            proportional to ``count ** ns_exponent``.
        workers (int | None, default None): Training threads; None uses all cores.
        seed (int, default 1): Seed of the weight initialization and of all draws. With
            ``workers=1`` two runs give bitwise identical vectors.
        max_sentence_length (int, default 10000): Longer sentences are split.
        tokenizer (str | callable, default "default"): ``"default"``, ``"whitespace"``
            (fast, for pre-tokenized text) or a callable ``str -> list[str]``.
        progress (bool | str, default "auto"): Show a progress bar on stderr: True,
            False, or ``"auto"`` (only when stderr is a terminal).
        callbacks (sequence, default ()): Called after each epoch as
            ``fn(model, epoch, loss)`` (epoch 0-based within the current ``fit``, loss
            the epoch's mean loss per training example); an object with an
            ``on_epoch_end(model, epoch, loss)`` method is called through that method.

    Attributes:
        wv (Vectors | None): The trained vectors (rows of ``input_weights``).
        input_weights (np.ndarray | None): float32 ``(vocab, dim)``, alias ``syn0``.
        output_weights (np.ndarray | None): float32 ``(vocab, dim)``, alias ``syn1neg``.
        losses (list[float]): Mean loss per training example of each epoch trained
            (skip-gram: per (centre, context) pair; CBOW: per centre word), where the
            loss of an example is ``-log s(pos) - sum log s(-neg)``.
        timings (dict[str, float]): Seconds spent in the last ``fit``: ``"read"`` (the
            pass over the text), ``"train"`` and ``"total"``.

    Raises:
        ValueError: If a parameter is out of range (e.g. ``window < 1``, ``dim < 1``,
            ``negative < 1``).
        TypeError: If a parameter has the wrong type.

    >>> import tempfile, pathlib
    >>> model = Word2Vec(dim=8, min_count=1, epochs=1, workers=1, progress=False)
    >>> wv = model.fit([["a", "b", "c"], ["b", "c", "a"]] * 20)
    >>> wv.vectors.shape
    (3, 8)
    """

    def __init__(
        self,
        arch: str = "skipgram",
        dim: int = 100,
        window: int = 5,
        negative: int = 5,
        min_count: int = 5,
        max_vocab: int | None = None,
        sample: float = 1e-3,
        epochs: int = 5,
        alpha: float | None = None,
        min_alpha: float = 1e-4,
        cbow_mean: bool = True,
        ns_exponent: float = 0.75,
        workers: int | None = None,
        seed: int = 1,
        max_sentence_length: int = 10_000,
        tokenizer: str | Callable[[str], list[str]] = "default",
        progress: bool | str = "auto",
        callbacks: Sequence[Callback | Any] = (),
    ) -> None:
        self.arch = check_choice(arch, "arch", ("skipgram", "cbow"))
        self.dim = check_int(dim, "dim", minimum=1)
        self.window = check_int(window, "window", minimum=1)
        if isinstance(negative, int) and not isinstance(negative, bool) and negative < 1:
            raise ValueError(
                f"negative must be >= 1 (negative sampling is the only training method; "
                f"hierarchical softmax is not implemented), got {negative!r}; use e.g. 5."
            )
        self.negative = check_int(negative, "negative", minimum=1)
        self.min_count = check_int(min_count, "min_count", minimum=1)
        self.max_vocab = check_int(max_vocab, "max_vocab", minimum=2, allow_none=True)
        self.sample = check_float(sample, "sample", minimum=0.0)
        self.epochs = check_int(epochs, "epochs", minimum=1)
        if alpha is None:
            alpha = 0.025 if self.arch == "skipgram" else 0.05
        self.alpha = check_float(alpha, "alpha", minimum=0.0, exclusive_minimum=True)
        self.min_alpha = check_float(min_alpha, "min_alpha", minimum=0.0)
        if self.min_alpha > self.alpha:
            raise ValueError(
                f"min_alpha must not exceed alpha, got min_alpha={self.min_alpha!r} > "
                f"alpha={self.alpha!r}; lower min_alpha."
            )
        self.cbow_mean = check_bool(cbow_mean, "cbow_mean")
        self.ns_exponent = check_float(ns_exponent, "ns_exponent")
        if workers is None:
            workers = _cpu_count()
        self.workers = check_int(workers, "workers", minimum=1)
        self.seed = check_int(seed, "seed", minimum=0, maximum=2**63 - 1)
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
                    f"each callback must be callable as fn(model, epoch, loss) or have an "
                    f"on_epoch_end(model, epoch, loss) method, got {cb!r}."
                )
        self.wv: Vectors | None = None
        self.input_weights: np.ndarray | None = None
        self.output_weights: np.ndarray | None = None
        self.losses: list[float] = []
        self.timings: dict[str, float] = {}
        self._epochs_done = 0

    # gensim / C tool names
    @property
    def syn0(self) -> np.ndarray | None:
        """Alias of :attr:`input_weights`."""
        return self.input_weights

    @property
    def syn1neg(self) -> np.ndarray | None:
        """Alias of :attr:`output_weights`."""
        return self.output_weights

    def config(self) -> dict[str, Any]:
        """Return the constructor parameters as a JSON-serializable dict.

        A callable tokenizer is recorded as ``"custom"``; callbacks are not recorded.

        >>> Word2Vec(dim=10).config()["dim"]
        10
        """
        return {
            "arch": self.arch,
            "dim": self.dim,
            "window": self.window,
            "negative": self.negative,
            "min_count": self.min_count,
            "max_vocab": self.max_vocab,
            "sample": self.sample,
            "epochs": self.epochs,
            "alpha": self.alpha,
            "min_alpha": self.min_alpha,
            "cbow_mean": self.cbow_mean,
            "ns_exponent": self.ns_exponent,
            "workers": self.workers,
            "seed": self.seed,
            "max_sentence_length": self.max_sentence_length,
            "tokenizer": self.tokenizer if isinstance(self.tokenizer, str) else "custom",
            "progress": self.progress,
        }

    def fit(self, corpus: Any) -> Vectors:
        """Train on ``corpus`` and return the word vectors.

        The first call builds the vocabulary from the corpus. Later calls continue
        training with the vocabulary frozen (unknown words are dropped), the learning
        rate decaying again from ``alpha`` to ``min_alpha`` over the new corpus.

        Args:
            corpus: A text file path (``.txt``, ``.gz``, ``.bz2``, ``.xz``), a directory,
                a list of paths, or an iterable of strings or token lists. A one-shot
                iterator is fine: it is read exactly once.

        Returns:
            Vectors: The trained vectors, also kept as :attr:`wv`.

        Raises:
            FileNotFoundError: If a path in ``corpus`` does not exist (checked first).
            ValueError: If the corpus is empty, or leaves fewer than 2 words after
                ``min_count``/``max_vocab``, or has no known word when continuing.

        >>> m = Word2Vec(dim=4, min_count=1, epochs=1, workers=1, progress=False)
        >>> len(m.fit(["the cat sat", "the dog sat"]))
        4
        """
        check_source(corpus)
        t0 = time.perf_counter()
        progress = make_progress(self.progress)
        with progress, tempfile.TemporaryDirectory(prefix="wordvec-w2v-") as tmp:
            enc = encode_corpus(
                corpus,
                tmp,
                tokenizer=self.tokenizer,
                max_sentence_length=self.max_sentence_length,
                job_words=JOB_WORDS,
                on_block=progress.reading,
            )
            t_read = time.perf_counter() - t0
            if enc.n_tokens == 0:
                raise ValueError(
                    "the corpus is empty: no tokens were read; check the file or iterable "
                    "(and the tokenizer) you passed."
                )
            remap, words, counts = self._prepare_vocab(enc)
            job_words = _count_job_words(enc, remap)
            if int(job_words.sum()) == 0:
                raise ValueError(
                    "none of the corpus words is in the vocabulary of this trained model; "
                    "continue training on text of the same language and tokenization."
                )
            t1 = time.perf_counter()
            self._train(enc, remap, job_words, counts, progress)
            t_train = time.perf_counter() - t1
        # a fresh Vectors (a read-only view of input_weights): no stale cached norms
        self.wv = None
        self.wv = _trained_vectors(words, self.input_weights, counts)
        self.timings = {
            "read": t_read,
            "train": t_train,
            "total": time.perf_counter() - t0,
        }
        return self.wv  # type: ignore[return-value]

    def _prepare_vocab(self, enc: EncodedCorpus) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Return the remap of provisional ids, the vocabulary and its counts.

        Initializes the weights on a first fit. Drops the provisional vocabulary.
        """
        if self.wv is not None:
            remap = frozen_remap(enc.words, self.wv.key_to_index)
            enc.words = []
            counts = self.wv.counts
            if counts is None:
                counts = np.ones(len(self.wv), dtype=np.int64)
            return remap, self.wv.words, counts
        kept, counts, remap = build_vocab(
            enc.words, enc.counts, min_count=self.min_count, max_vocab=self.max_vocab
        )
        enc.counts = np.zeros(0, dtype=np.int64)  # one int64 per distinct token: free it
        if len(kept) < 2:
            raise ValueError(
                f"min_count={self.min_count} leaves {len(kept)} word(s) in the vocabulary "
                f"of {len(enc.words)} distinct tokens; at least 2 are needed. Lower "
                "min_count or train on more text."
            )
        # Park the kept words as UTF-8 bytes and drop every provisional string first, so
        # the memory of the provisional vocabulary (often 4x larger) goes back to the
        # system instead of staying pinned by the few survivors.
        blob = "".join(str(w) for w in kept).encode("utf-8")
        ends = np.cumsum([len(str(w).encode("utf-8")) for w in kept]).tolist()
        del kept
        enc.words = []
        words = [blob[a:b].decode("utf-8") for a, b in zip([0, *ends[:-1]], ends)]
        del blob, ends
        rng = np.random.default_rng(self.seed)
        w_in = rng.random((len(words), self.dim), dtype=np.float32)
        w_in -= np.float32(0.5)
        w_in /= np.float32(self.dim)
        self.input_weights = w_in
        self.output_weights = np.zeros((len(words), self.dim), dtype=np.float32)
        logger.info("vocabulary: %d words (min_count=%d)", len(words), self.min_count)
        return remap, words, counts

    def _train(
        self,
        enc: EncodedCorpus,
        remap: np.ndarray,
        job_words: np.ndarray,
        word_counts: np.ndarray,
        progress: NullProgress,
    ) -> None:
        w_in, w_out = self.input_weights, self.output_weights
        counts = np.asarray(word_counts, dtype=np.float64)
        keep = keep_thresholds(counts, self.sample)
        alias_thr, alias_idx = kernels.build_alias(np.power(counts, self.ns_exponent))
        sig, logsig = kernels.sigmoid_tables()
        n_jobs = job_words.shape[0]
        words_per_epoch = int(job_words.sum())
        sent_len = max(enc.max_sentence_length, 1)
        lock = threading.Lock()
        stop = threading.Event()
        skipgram = self.arch == "skipgram"
        job_len = int(np.diff(enc.bounds).max()) if n_jobs else 0

        def scratch() -> dict[str, np.ndarray]:
            w2 = 2 * self.window
            if skipgram:
                return {
                    "ids": np.empty(job_len, np.int32),
                    "sent": np.empty(sent_len, np.int32),
                    "ctx": np.empty(w2, np.int32),
                    "targets": np.empty(self.negative + 1, np.int32),
                    "grad": np.empty(w2 * (self.negative + 1), np.float32),
                    "dctx": np.empty((w2, self.dim), np.float32),
                }
            return {
                "ids": np.empty(job_len, np.int32),
                "sent": np.empty(sent_len, np.int32),
                "ctx": np.empty(w2 * CBOW_GROUP, np.int32),
                "ctx_start": np.empty(CBOW_GROUP + 1, np.int64),
                "centres": np.empty(CBOW_GROUP, np.int32),
                "negs": np.empty(self.negative, np.int32),
                "hidden": np.empty((CBOW_GROUP, self.dim), np.float32),
                "err": np.empty((CBOW_GROUP, self.dim), np.float32),
                "grad": np.empty(CBOW_GROUP * (self.negative + 1), np.float32),
            }

        progress.start_training(words_per_epoch * self.epochs)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for epoch in range(self.epochs):
                progress.start_epoch(epoch, self.epochs, words_per_epoch)
                a_start, a_end = job_alphas(
                    job_words, epoch, self.epochs, self.alpha, self.min_alpha
                )
                counter = itertools.count()
                stream0 = (self._epochs_done + epoch) * n_jobs
                totals = {"loss": 0.0, "examples": 0}
                # scratch made here, in the main thread: the workers allocate nothing
                bufs = [scratch() for _ in range(self.workers)]

                def work(
                    a_start: np.ndarray = a_start,
                    a_end: np.ndarray = a_end,
                    counter: Iterable[int] = counter,
                    stream0: int = stream0,
                    totals: dict = totals,
                    bufs: list = bufs,
                ) -> None:
                    buf = bufs.pop()
                    fd = os.open(enc.path, os.O_RDONLY)
                    try:
                        for j in counter:
                            if j >= n_jobs or stop.is_set():
                                break
                            ids = enc.read_into(fd, j, buf["ids"])
                            if skipgram:
                                loss, examples, words = kernels.train_sg_job(
                                    ids, remap, keep, alias_thr, alias_idx, w_in, w_out,
                                    self.window, self.negative,
                                    a_start[j], a_end[j], job_words[j],
                                    self.seed, stream0 + j, sig, logsig,
                                    buf["sent"], buf["ctx"], buf["targets"], buf["grad"],
                                    buf["dctx"],
                                )  # fmt: skip
                            else:
                                loss, examples, words = kernels.train_cbow_job(
                                    ids, remap, keep, alias_thr, alias_idx, w_in, w_out,
                                    self.window, self.negative, self.cbow_mean, CBOW_GROUP,
                                    a_start[j], a_end[j], job_words[j],
                                    self.seed, stream0 + j, sig, logsig,
                                    buf["sent"], buf["ctx"], buf["ctx_start"],
                                    buf["centres"], buf["negs"], buf["hidden"], buf["err"],
                                    buf["grad"],
                                )  # fmt: skip
                            with lock:
                                totals["loss"] += loss
                                totals["examples"] += examples
                                mean = totals["loss"] / max(totals["examples"], 1)
                            progress.advance(words, float(a_end[j]), mean)
                    finally:
                        os.close(fd)

                futures = [pool.submit(work) for _ in range(self.workers)]
                try:
                    for f in futures:
                        f.result()
                except BaseException:  # e.g. KeyboardInterrupt: let the threads stop early
                    stop.set()
                    raise
                loss = totals["loss"] / max(totals["examples"], 1)
                self.losses.append(loss)
                logger.info("epoch %d/%d: mean loss %.5f", epoch + 1, self.epochs, loss)
                for cb in self.callbacks:
                    hook = getattr(cb, "on_epoch_end", None)
                    if callable(hook):
                        hook(self, epoch, loss)
                    else:
                        cb(self, epoch, loss)
        self._epochs_done += self.epochs

    def save(self, path: PathLike) -> None:
        """Save the full model (weights, vocabulary, counts, config) to one .safetensors file.

        The file holds ``input_weights``, ``output_weights``, ``counts``, the words as
        UTF-8 bytes with offsets, and the config and losses as JSON metadata. The write
        is atomic: on failure any previous file at ``path`` is left intact.

        Args:
            path: Destination file, conventionally ending in ``.safetensors``.

        Raises:
            ValueError: If the model has not been trained yet.
            FileNotFoundError: If the directory of ``path`` does not exist.

        >>> import tempfile, pathlib
        >>> m = Word2Vec(dim=4, min_count=1, epochs=1, workers=1, progress=False)
        >>> _ = m.fit(["a b c", "b c a"])
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.safetensors"
        >>> m.save(p)
        >>> Word2Vec.load(p).wv.words == m.wv.words
        True
        """
        from safetensors.numpy import save

        if self.wv is None or self.input_weights is None or self.output_weights is None:
            raise ValueError("the model is not trained yet; call fit(corpus) before save().")
        encoded = [w.encode("utf-8") for w in self.wv.words]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(b) for b in encoded])
        words_utf8 = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        counts = self.wv.counts
        if counts is None:
            counts = np.zeros(len(encoded), dtype=np.int64)
        tensors = {
            "input_weights": np.ascontiguousarray(self.input_weights),
            "output_weights": np.ascontiguousarray(self.output_weights),
            "counts": np.ascontiguousarray(counts, dtype=np.int64),
            "words_utf8": words_utf8.copy() if words_utf8.size else np.zeros(0, np.uint8),
            "word_offsets": offsets,
        }
        metadata = {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "config": json.dumps(self.config()),
            "losses": json.dumps(self.losses),
            "epochs_done": str(self._epochs_done),
        }
        data = save(tensors, metadata=metadata)
        with atomic_write(path) as f:
            f.write(data)

    @classmethod
    def load(cls, path: PathLike) -> Word2Vec:
        """Load a model written by :meth:`save`; training can continue with :meth:`fit`.

        A model trained with a custom tokenizer callable comes back with
        ``tokenizer="default"``; set ``model.tokenizer`` before continuing training.

        Args:
            path: A file written by :meth:`save`.

        Raises:
            FileNotFoundError: If ``path`` does not exist.
            ValueError: If the file is not a wordvec Word2Vec model.

        >>> Word2Vec.load("missing.safetensors")
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
                "written by Word2Vec.save()."
            ) from exc
        if meta.get("format") != _FORMAT:
            raise ValueError(
                f"{str(p)!r} is not a wordvec Word2Vec model (format "
                f"{meta.get('format')!r}, expected {_FORMAT!r}); pass a file written by "
                "Word2Vec.save()."
            )
        config = json.loads(meta["config"])
        if config.get("tokenizer") == "custom":
            logger.warning("the model was trained with a custom tokenizer; using 'default'")
            config["tokenizer"] = "default"
        model = cls(**config)
        raw = arrays["words_utf8"].tobytes()
        offsets = arrays["word_offsets"]
        words = [raw[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]
        # safetensors hands out read-only arrays; training needs writable copies
        model.input_weights = np.array(arrays.pop("input_weights"), dtype=np.float32)
        model.output_weights = np.array(arrays.pop("output_weights"), dtype=np.float32)
        model.wv = Vectors(words, model.input_weights, arrays["counts"].astype(np.int64))
        model.losses = [float(x) for x in json.loads(meta.get("losses", "[]"))]
        model._epochs_done = int(meta.get("epochs_done", "0"))
        return model


def _count_job_words(enc: EncodedCorpus, remap: np.ndarray) -> np.ndarray:
    """Return the in-vocabulary words of each job, reading the id file job by job."""
    out = np.zeros(enc.bounds.shape[0] - 1, dtype=np.int64)
    fd = os.open(enc.path, os.O_RDONLY)
    try:
        for j in range(out.shape[0]):
            ids = enc.read(fd, j)
            out[j] = kernels.count_job_words(ids, remap, np.array([0, ids.shape[0]]))[0]
    finally:
        os.close(fd)
    return out


def _trained_vectors(words: list[str], weights: np.ndarray, counts: np.ndarray) -> Vectors:
    """Return the :class:`Vectors` of freshly trained ``weights`` (a read-only view).

    The words are unique by construction, so the word -> row dict is left to be built on
    first lookup instead of at the memory peak of training; finiteness is checked
    block by block with NumPy, so no further compiled kernel is loaded. Non-finite
    weights (a diverged run) go through the checking constructor, which raises.
    """
    block = 4096
    for start in range(0, weights.shape[0], block):
        if not np.isfinite(weights[start : start + block]).all():
            return Vectors(words, weights, counts)
    wv = Vectors._trusted(words, weights, None, None)
    wv.counts = counts
    return wv


def _cpu_count() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not on Linux
        return max(os.cpu_count() or 1, 1)
