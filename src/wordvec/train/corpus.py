"""The training corpus on disk: one pass over the text, then word ids read per job.

:func:`encode_corpus` reads the text once (streaming, constant memory), counts the
tokens and writes each token's provisional id (its order of first appearance) to a
temporary int32 file, with ``-1`` after each sentence. Every epoch then reads that
file in blocks ("jobs" of about ``job_words`` tokens that end on a sentence
boundary) instead of tokenizing the text again. :func:`build_vocab` turns the counts
into the frequency-sorted vocabulary and a remap array from provisional to final ids.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from wordvec._lines import ReadStats, _ascii_compatible, check_encoding, read_utf8_blocks
from wordvec._validation import check_int
from wordvec.text import _files_of, iter_sentences

logger = logging.getLogger(__name__)

_END = object()  # sentence end marker inside token blocks; maps to id -1


class _Index(dict):
    """Token -> provisional id; an unseen token gets the next id on lookup."""

    def __missing__(self, key: object) -> int:
        value = len(self) - 1  # the _END entry does not take an id
        self[key] = value
        return value


class BlockStreams(NamedTuple):
    """A corpus already cut into UTF-8 blocks of whole lines, one stream per file (a
    distributed rank's byte shares of its files), for the compiled pass of
    :func:`encode_corpus` (``tokenizer="whitespace"`` only).

    Attributes:
        streams: One callable per file: ``stream(stats)`` returns an iterator of
            ``(data, complete)`` blocks as :func:`wordvec._lines.read_utf8_blocks`
            yields them, counting what tolerant decoding got past in ``stats``.
        on_file: Called after each stream with the id-file positions (tokens plus
            sentence ends) it produced (None: not called).
    """

    streams: list[Callable[[ReadStats], Iterator[tuple[bytes, bool]]]]
    on_file: Callable[[int], None] | None


@dataclass
class EncodedCorpus:
    """A corpus as provisional word ids in a temporary file.

    Attributes:
        path: The int32 id file (``-1`` ends each sentence).
        words: Distinct tokens in order of first appearance (provisional id order).
        counts: int64 count of each token, aligned with ``words``.
        bounds: int64 positions in the id file where jobs start, plus the file length;
            every job ends right after a sentence end.
        n_tokens: Number of tokens (sentence ends excluded).
        n_sentences: Number of sentences.
        max_sentence_length: Longest sentence, in tokens.
        seconds: Wall time of the pass.
        read_stats: What tolerant decoding got past (``encoding_errors`` "replace" or
            "ignore"): lines with undecodable bytes and binary files skipped.
    """

    path: Path
    words: list
    counts: np.ndarray
    bounds: np.ndarray
    n_tokens: int
    n_sentences: int
    max_sentence_length: int
    seconds: float
    read_stats: ReadStats = field(default_factory=ReadStats)

    def read(self, fd: int, job: int) -> np.ndarray:
        """Return the int32 ids of job ``job`` read from the open descriptor ``fd``.

        Shape:
            ``(bounds[job + 1] - bounds[job],)``
        """
        start, end = int(self.bounds[job]), int(self.bounds[job + 1])
        data = os.pread(fd, (end - start) * 4, start * 4)
        return np.frombuffer(data, dtype=np.int32)

    def read_into(self, fd: int, job: int, out: np.ndarray) -> np.ndarray:
        """Read the ids of job ``job`` into the int32 buffer ``out``; return that prefix.

        Reusing one buffer per thread keeps the training threads from allocating (and
        the allocator from growing a heap per thread) on every job.

        Args:
            fd (int): A descriptor of :attr:`path` open for reading.
            job (int): The job number, ``0 <= job < len(bounds) - 1``.
            out (np.ndarray): A writable int32 buffer at least as long as the job.

        Shape:
            ``out``: ``(m,)`` with ``m >= bounds[job + 1] - bounds[job]``; returns
            ``(bounds[job + 1] - bounds[job],)``

        Raises:
            OSError: If the id file is shorter than :attr:`bounds` says.

        >>> import tempfile
        >>> enc = encode_corpus(["a b a", "c a"], tempfile.mkdtemp(), tokenizer="whitespace")
        >>> fd = os.open(enc.path, os.O_RDONLY)
        >>> enc.read_into(fd, 0, np.empty(16, np.int32)).tolist()
        [0, 1, 0, -1, 2, 0, -1]
        >>> os.close(fd)
        """
        start, end = int(self.bounds[job]), int(self.bounds[job + 1])
        if not hasattr(os, "preadv"):  # pragma: no cover - not on Linux/BSD
            return self.read(fd, job)
        ids = out[: end - start]
        view = memoryview(ids).cast("B")
        done = 0
        while done < view.nbytes:
            n = os.preadv(fd, [view[done:]], start * 4 + done)
            if n <= 0:
                raise OSError(f"the id file ended early at job {job}; it may be truncated.")
            done += n
        return ids


def encode_corpus(
    source: object,
    directory: str | os.PathLike,
    *,
    tokenizer: str | Callable[[str], list[str]] = "default",
    max_sentence_length: int = 10_000,
    job_words: int = 50_000,
    block_tokens: int = 1 << 16,
    on_block: Callable[[int], None] | None = None,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
) -> EncodedCorpus:
    """Read ``source`` once, count tokens and write provisional ids to ``directory``.

    With ``tokenizer="whitespace"`` and files as the source (in an ASCII-compatible
    encoding), the pass runs in compiled code on the files' UTF-8 bytes
    (:func:`wordvec.train.kernels.tokens.encode_block`) instead of splitting each line
    into Python strings: several times faster, with the same result in every field.

    Args:
        source: Anything :func:`wordvec.text.iter_sentences` reads, or
            :class:`BlockStreams` (with the whitespace tokenizer).
        directory: Where the id file goes (a temporary directory owned by the caller).
        tokenizer (str | callable, default "default"): As for ``iter_sentences``.
        max_sentence_length (int, default 10000): Longer sentences are split.
        job_words (int, default 50000): Approximate tokens per training job.
        block_tokens (int, default 2**16): Tokens mapped and written at a time.
        on_block (callable | None, default None): Called with the number of tokens
            read so far after each block (for progress display).
        encoding (str, default "utf-8"): Text encoding of files.
        encoding_errors (str, default "strict"): Undecodable bytes: "strict" stops the
            pass with the file, line and byte offset; "replace" / "ignore" go on and
            count the affected lines in ``read_stats``.

    Returns:
        The :class:`EncodedCorpus`.

    Raises:
        FileNotFoundError: If a path in ``source`` does not exist.
        ValueError: On undecodable bytes or a binary file with ``encoding_errors="strict"``.
            Also for :class:`BlockStreams` with another tokenizer than ``"whitespace"``.

    >>> import tempfile
    >>> enc = encode_corpus(["a b a", "c a"], tempfile.mkdtemp(), tokenizer="whitespace")
    >>> enc.words, enc.counts.tolist(), enc.n_tokens
    (['a', 'b', 'c'], [3, 1, 1], 5)
    """
    t0 = time.perf_counter()
    path = Path(directory) / "ids.int32"
    whitespace = isinstance(tokenizer, str) and tokenizer == "whitespace"
    if isinstance(source, BlockStreams) and not whitespace:
        raise ValueError(
            f"BlockStreams are read with tokenizer='whitespace' only, not {tokenizer!r}; "
            "pass the files themselves for another tokenizer."
        )
    if whitespace:
        max_sentence_length = check_int(max_sentence_length, "max_sentence_length", minimum=1)
        compiled = _compiled_streams(source, encoding, encoding_errors)
        if compiled is not None:
            return _encode_streams(
                compiled.streams,
                path,
                on_file=compiled.on_file,
                max_sentence_length=max_sentence_length,
                job_words=job_words,
                on_block=on_block,
                encoding_errors=encoding_errors,
                t0=t0,
            )
    return _encode_sentences(
        source,
        path,
        tokenizer=tokenizer,
        max_sentence_length=max_sentence_length,
        job_words=job_words,
        block_tokens=block_tokens,
        on_block=on_block,
        encoding=encoding,
        encoding_errors=encoding_errors,
        t0=t0,
    )


def _encode_sentences(
    source: object,
    path: Path,
    *,
    tokenizer: str | Callable[[str], list[str]],
    max_sentence_length: int,
    job_words: int,
    block_tokens: int,
    on_block: Callable[[int], None] | None,
    encoding: str,
    encoding_errors: str,
    t0: float,
) -> EncodedCorpus:
    """The Python pass of :func:`encode_corpus`: sentences from
    :func:`~wordvec.text.iter_sentences`, a dict lookup per token, ids written a block of
    ``block_tokens`` at a time."""
    index = _Index()
    index[_END] = -1
    counts = np.zeros(0, dtype=np.int64)
    bounds = [0]
    written = 0  # positions written (tokens + sentence ends)
    last_bound = 0
    n_sentences = 0
    longest = 0
    buf: list = []
    lookup = index.__getitem__
    stats = ReadStats()

    with open(path, "wb") as out:

        def flush() -> None:
            nonlocal counts, written, last_bound
            arr = np.fromiter(map(lookup, buf), dtype=np.int32, count=len(buf))
            buf.clear()
            arr.tofile(out)
            tokens = arr[arr >= 0]
            block_counts = np.bincount(tokens, minlength=len(index) - 1)
            if block_counts.shape[0] > counts.shape[0]:
                counts = np.concatenate(
                    [counts, np.zeros(block_counts.shape[0] - counts.shape[0], np.int64)]
                )
            counts += block_counts
            ends = np.flatnonzero(arr < 0) + written + 1  # positions right after an end
            written += arr.shape[0]
            last_bound = _add_bounds(ends, last_bound, job_words, bounds)
            if on_block is not None:
                on_block(written - n_sentences)

        for sentence in iter_sentences(
            source,
            tokenizer=tokenizer,
            max_sentence_length=max_sentence_length,
            encoding=encoding,
            encoding_errors=encoding_errors,
            stats=stats,
        ):
            buf += sentence
            buf.append(_END)
            n_sentences += 1
            if len(sentence) > longest:
                longest = len(sentence)
            if len(buf) >= block_tokens:
                flush()
        if buf:
            flush()
    if bounds[-1] != written:
        bounds.append(written)
    del index[_END]
    words = list(index)
    seconds = time.perf_counter() - t0
    n_tokens = written - n_sentences
    _log_pass(n_tokens, n_sentences, len(words), seconds, stats, encoding_errors)
    return EncodedCorpus(
        path=path,
        words=words,
        counts=counts[: len(words)],
        bounds=np.asarray(bounds, dtype=np.int64),
        n_tokens=n_tokens,
        n_sentences=n_sentences,
        max_sentence_length=longest,
        seconds=seconds,
        read_stats=stats,
    )


def _add_bounds(ends: np.ndarray, last_bound: int, job_words: int, bounds: list) -> int:
    """Append the job boundaries among ``ends`` to ``bounds``: the first sentence end at or
    past each ``job_words`` mark, counted from the last boundary; return the last one.

    Shape:
        ``ends``: ``(e,)`` int64 increasing id-file positions right after a sentence end.
    """
    while ends.shape[0]:
        target = last_bound + job_words
        k = int(np.searchsorted(ends, target))
        if k >= ends.shape[0]:
            break
        last_bound = int(ends[k])
        bounds.append(last_bound)
        ends = ends[k + 1 :]
    return last_bound


def _compiled_streams(source: object, encoding: str, encoding_errors: str) -> BlockStreams | None:
    """The block streams the compiled pass reads for ``source`` (whitespace tokenizer):
    a :class:`BlockStreams` itself, one stream per file of a path source in an
    ASCII-compatible encoding, or None (the Python pass reads it)."""
    if isinstance(source, BlockStreams):
        return source
    if not _ascii_compatible(check_encoding(encoding, encoding_errors)):
        return None
    files = _files_of(source)
    if files is None:
        return None
    return BlockStreams([_file_stream(f, encoding, encoding_errors) for f in files], None)


def _file_stream(
    f: Path, encoding: str, encoding_errors: str
) -> Callable[[ReadStats], Iterator[tuple[bytes, bool]]]:
    """The block stream of one file for :func:`_encode_streams`."""

    def stream(stats: ReadStats) -> Iterator[tuple[bytes, bool]]:
        return read_utf8_blocks(f, encoding=encoding, encoding_errors=encoding_errors, stats=stats)

    return stream


def _encode_streams(
    streams: list[Callable[[ReadStats], Iterator[tuple[bytes, bool]]]],
    path: Path,
    *,
    on_file: Callable[[int], None] | None,
    max_sentence_length: int,
    job_words: int,
    on_block: Callable[[int], None] | None,
    encoding_errors: str,
    t0: float,
) -> EncodedCorpus:
    """:func:`encode_corpus` of files with the whitespace tokenizer, in compiled code.

    Each file is read as UTF-8 blocks of whole lines (:func:`read_utf8_blocks`, which
    decodes and checks them as ``iter_sentences`` does, or a :class:`BlockStreams`
    stream) and each block is tokenized, looked up and counted by
    :func:`~wordvec.train.kernels.tokens.encode_block`: the same ids, sentence ends,
    counts and job boundaries as the Python pass. ``on_file`` gets each stream's id-file
    positions.
    """
    from wordvec.train.kernels.tokens import (
        LONGEST,
        OPEN,
        SENTENCES,
        TOKENS,
        encode_block,
        table_words,
        tally,
        token_table,
    )

    table = token_table()
    counters = tally()
    out = np.empty(0, dtype=np.int32)
    no_bytes = np.frombuffer(b"", dtype=np.uint8)
    stats = ReadStats()
    bounds = [0]
    written = 0
    last_bound = 0
    with open(path, "wb") as fh:

        def encode(data: np.ndarray, complete: bool) -> None:
            nonlocal table, out, written, last_bound
            if out.shape[0] < 2 * data.shape[0] + 2:
                out = np.empty(2 * data.shape[0] + 2, dtype=np.int32)
            table, k = encode_block(data, complete, max_sentence_length, table, counters, out)
            if k == 0:
                return
            ids = out[:k]
            ids.tofile(fh)
            ends = np.flatnonzero(ids < 0) + written + 1  # positions right after an end
            written += k
            last_bound = _add_bounds(ends, last_bound, job_words, bounds)

        for stream in streams:
            before = written
            for data, complete in stream(stats):
                encode(np.frombuffer(data, dtype=np.uint8), complete)
                if on_block is not None:
                    on_block(int(counters[TOKENS]))
            if counters[OPEN]:  # the file ended inside a long line cut in pieces
                encode(no_bytes, True)
            if on_file is not None:
                on_file(written - before)
    if bounds[-1] != written:
        bounds.append(written)
    words = table_words(table)
    seconds = time.perf_counter() - t0
    n_tokens, n_sentences = int(counters[TOKENS]), int(counters[SENTENCES])
    _log_pass(n_tokens, n_sentences, len(words), seconds, stats, encoding_errors)
    return EncodedCorpus(
        path=path,
        words=words,
        counts=table.counts[: len(words)].copy(),
        bounds=np.asarray(bounds, dtype=np.int64),
        n_tokens=n_tokens,
        n_sentences=n_sentences,
        max_sentence_length=int(counters[LONGEST]),
        seconds=seconds,
        read_stats=stats,
    )


def _log_pass(
    tokens: int, sentences: int, words: int, seconds: float, stats: ReadStats, errors: str
) -> None:
    logger.info(
        "read %d tokens, %d sentences, %d distinct words in %.1f s",
        tokens,
        sentences,
        words,
        seconds,
    )
    if stats.lines_with_errors or stats.skipped_files:
        logger.warning(
            "%d line(s) had undecodable bytes (%s); %d binary file(s) skipped",
            stats.lines_with_errors,
            errors,
            len(stats.skipped_files),
        )


def build_vocab(
    words: list,
    counts: np.ndarray,
    *,
    min_count: int,
    max_vocab: int | None,
) -> tuple[list, np.ndarray, np.ndarray]:
    """Return the final vocabulary, its counts and the provisional -> final id remap.

    Words with fewer than ``min_count`` occurrences are dropped; the rest are sorted by
    descending count, ties kept in order of first appearance; ``max_vocab`` keeps the
    most frequent ones. Dropped words map to -1.

    Shape:
        ``counts``: ``(n,)``; returns counts ``(v,)`` int64 and remap ``(n,)`` int32.

    >>> build_vocab(["a", "b", "c"], np.array([1, 3, 3]), min_count=2, max_vocab=None)
    (['b', 'c'], array([3, 3]), array([-1,  0,  1], dtype=int32))
    """
    counts = np.asarray(counts, dtype=np.int64)
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] >= min_count]
    if max_vocab is not None:
        order = order[:max_vocab]
    remap = np.full(counts.shape[0], -1, dtype=np.int32)
    remap[order] = np.arange(order.shape[0], dtype=np.int32)
    return [words[i] for i in order], counts[order], remap


def frozen_remap(words: Iterable, key_to_index: dict) -> np.ndarray:
    """Return the remap of provisional words onto an existing vocabulary (-1 if absent).

    >>> frozen_remap(["x", "a"], {"a": 0}).tolist()
    [-1, 0]
    """
    get = key_to_index.get
    return np.fromiter((get(w, -1) for w in words), dtype=np.int32)


def keep_thresholds(counts: np.ndarray, sample: float) -> np.ndarray:
    """Return the subsampling keep probability of each word, scaled to ``2**32`` (int64).

    The word2vec formula: with ``t = sample * total``, a word of count ``f`` is kept
    with probability ``min(1, (sqrt(f / t) + 1) * t / f)``; ``sample=0`` keeps all.

    Shape:
        ``(v,)`` -> ``(v,)``

    >>> keep_thresholds(np.array([1000, 1]), 1e-3).tolist()
    [140185946, 4294967296]
    """
    counts = np.asarray(counts, dtype=np.float64)
    full = np.int64(1 << 32)
    if sample <= 0 or counts.size == 0:
        return np.full(counts.shape[0], full, dtype=np.int64)
    t = sample * counts.sum()
    with np.errstate(divide="ignore"):
        p = (np.sqrt(counts / t) + 1.0) * t / counts
    p = np.minimum(np.nan_to_num(p, nan=1.0, posinf=1.0), 1.0)
    return np.minimum((p * 4294967296.0).astype(np.int64), full)
