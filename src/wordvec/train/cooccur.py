"""GloVe co-occurrence counting, streamed over the id file in bounded memory.

:func:`count_cooccurrences` reads the word ids written by
:func:`wordvec.train.corpus.encode_corpus` job by job and adds every pair of words at
most ``window`` apart in the same sentence, weighted by 1/distance (the GloVe paper).
Frequent pairs go to a dense table, the rest to a hash table that grows up to the
``memory`` budget; past it, the table is sorted and spilled to a shard in a temporary
directory, and the shards are merged at the end. Counts are kept as exact integers
(see :func:`distance_weights`), so they are identical whether or not anything spilled.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wordvec.train.corpus import EncodedCorpus
from wordvec.train.kernels import cooccur as kernels

logger = logging.getLogger(__name__)

#: Largest integer scale of the distance weights; wider windows round 1/d to it.
MAX_SCALE = 1 << 24
#: Fraction of the memory budget for the dense table of frequent pairs.
DENSE_SHARE = 1 / 16
#: Fraction of the memory budget for the hash table of the other pairs (16 bytes a slot).
HASH_SHARE = 1 / 2
#: The hash table grows (or spills) when this fraction of its slots is used.
MAX_LOAD = 0.7
_FIRST_SLOTS = 1 << 20


@dataclass
class Cooccurrences:
    """Co-occurrence counts as three aligned arrays sorted by (row, col).

    With symmetric counting each unordered pair is stored once, ``row <= col``; the
    matrix it stands for is ``X + X.T`` off the diagonal and ``X`` on it.

    Attributes:
        rows: int32 word ids.
        cols: int32 context word ids.
        counts: float32 weighted counts.
        vocab_size: Number of words.
        symmetric: Whether pairs are stored once for both directions.
        shards: Number of shards spilled to disk (0 when everything fit in memory).
        seconds: Wall time of the counting.

    Shape:
        ``rows``, ``cols``, ``counts``: ``(m,)``.
    """

    rows: np.ndarray
    cols: np.ndarray
    counts: np.ndarray
    vocab_size: int
    symmetric: bool
    shards: int = 0
    seconds: float = 0.0

    @property
    def nnz(self) -> int:
        """Non-zero entries of the full matrix (both directions), as the C tool counts them."""
        if not self.symmetric:
            return int(self.rows.shape[0])
        return 2 * int(self.rows.shape[0]) - int(np.count_nonzero(self.rows == self.cols))

    def to_dense(self) -> np.ndarray:
        """Return the full ``(vocab_size, vocab_size)`` float64 matrix (small vocabularies only).

        >>> c = Cooccurrences(np.array([0], np.int32), np.array([1], np.int32),
        ...                   np.array([2.0], np.float32), 2, True)
        >>> c.to_dense().tolist()
        [[0.0, 2.0], [2.0, 0.0]]
        """
        v = self.vocab_size
        out = np.zeros((v, v), dtype=np.float64)
        np.add.at(out, (self.rows, self.cols), self.counts)
        if self.symmetric:
            off = self.rows != self.cols
            np.add.at(out, (self.cols[off], self.rows[off]), self.counts[off])
        return out


def distance_weights(window: int, distance_weighting: bool = True) -> tuple[np.ndarray, int]:
    """Return the integer weight of each distance 0..window and the scale they share.

    With 1/distance weighting the scale is the least common multiple of 1..window when
    that is at most ``MAX_SCALE`` (windows up to 18: every ``scale / d`` is exact),
    else ``MAX_SCALE`` with ``scale / d`` rounded (a relative error below
    ``window / 2**25``, 1e-6 for window 30: float32 rounding of the final counts is of
    the same order).
    Without weighting every distance weighs 1.

    Shape:
        Returns ``(window + 1,)`` int64 (index 0 unused) and the int scale.

    >>> w, scale = distance_weights(4)
    >>> w.tolist(), scale
    ([0, 12, 6, 4, 3], 12)
    """
    if not distance_weighting:
        return np.ones(window + 1, dtype=np.int64), 1
    scale = 1
    for d in range(2, window + 1):
        scale = scale * d // math.gcd(scale, d)
        if scale > MAX_SCALE:
            scale = MAX_SCALE
            break
    d = np.arange(window + 1, dtype=np.float64)
    d[0] = 1
    weights = np.rint(scale / d).astype(np.int64)
    weights[0] = 0
    return weights, scale


def dense_layout(
    vocab_size: int, cells: int, symmetric: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Return the dense region's row offsets and column bounds, and its number of cells.

    Row ``a`` (a frequency rank) holds the columns ``lo[a] <= b < hi[a]`` with
    ``hi[a] = min(vocab_size, product // (a + 1))`` (the C tool's rule: pairs of frequent
    words, whose rank product is small, are the ones seen most), ``lo[a] = a`` when
    symmetric (``a <= b`` only) else 0; ``product`` is the largest that fits ``cells``.

    Shape:
        Returns three ``(vocab_size,)`` int64 arrays and an int.

    >>> offset, lo, hi, n = dense_layout(4, 5, True)
    >>> lo.tolist(), hi.tolist(), n
    ([0, 1, 2, 3], [4, 2, 2, 3], 5)
    """
    ranks = np.arange(vocab_size, dtype=np.int64)
    lo = ranks.copy() if symmetric else np.zeros(vocab_size, dtype=np.int64)

    def bounds(product: int) -> tuple[np.ndarray, int]:
        hi = np.maximum(np.minimum(vocab_size, product // (ranks + 1)), lo)
        return hi, int((hi - lo).sum())

    low, high = 0, vocab_size * vocab_size
    while low < high:  # largest product whose region fits
        mid = (low + high + 1) // 2
        if bounds(mid)[1] <= cells:
            low = mid
        else:
            high = mid - 1
    hi, n = bounds(low)
    starts = np.concatenate([[0], np.cumsum(hi - lo)[:-1]]).astype(np.int64)
    return starts - lo, lo, hi, n


class _Table:
    """The growing hash table of the sparse pairs and the shards it spilled."""

    def __init__(self, max_slots: int, min_slots: int, directory: Path) -> None:
        self.max_slots = max_slots
        slots = min(max(_FIRST_SLOTS, min_slots), max_slots)
        self.keys = np.full(slots, -1, dtype=np.int64)
        self.vals = np.zeros(slots, dtype=np.int64)
        self.used = np.zeros(1, dtype=np.int64)
        self.directory = directory
        self.shards: list[int] = []

    @property
    def limit(self) -> int:
        return int(self.keys.shape[0] * MAX_LOAD)

    def make_room(self) -> None:
        """Double the table, or spill it to a sorted shard when it is at its budget."""
        slots = self.keys.shape[0]
        if 2 * slots <= self.max_slots:
            keys = np.full(2 * slots, -1, dtype=np.int64)
            vals = np.zeros(2 * slots, dtype=np.int64)
            kernels.rehash(self.keys, self.vals, keys, vals)
            self.keys, self.vals = keys, vals
            return
        n = kernels.compact(self.keys, self.vals)
        kernels.sort_pairs(self.keys[:n], self.vals[:n])
        self._append(self.keys[:n], self.vals[:n])
        self.keys.fill(-1)
        self.used[0] = 0
        logger.debug("co-occurrence shard %d: %d pairs", len(self.shards), n)

    def _append(self, keys: np.ndarray, vals: np.ndarray) -> None:
        with open(self.directory / "shard-keys.int64", "ab") as f:
            keys.tofile(f)
        with open(self.directory / "shard-vals.int64", "ab") as f:
            vals.tofile(f)
        self.shards.append(keys.shape[0])

    def sorted_runs(
        self, dense_keys: np.ndarray, dense_vals: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return every sorted run (the table's, the dense region's, the shards) as one
        array of keys, one of counts and the run starts; the table is emptied.

        Without shards the two runs are in memory; with shards the last two join them on
        disk and the file is mapped.
        """
        n = kernels.compact(self.keys, self.vals)
        kernels.sort_pairs(self.keys[:n], self.vals[:n])
        if self.shards:
            self._append(self.keys[:n], self.vals[:n])
            self._append(dense_keys, dense_vals)
            self.keys = self.vals = np.zeros(0, np.int64)
            keys = np.memmap(self.directory / "shard-keys.int64", dtype=np.int64, mode="c")
            vals = np.memmap(self.directory / "shard-vals.int64", dtype=np.int64, mode="c")
            sizes = self.shards
        else:
            keys = np.concatenate([self.keys[:n], dense_keys])
            self.keys = np.zeros(0, np.int64)
            vals = np.concatenate([self.vals[:n], dense_vals])
            self.vals = np.zeros(0, np.int64)
            sizes = [n, dense_keys.shape[0]]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return np.asarray(keys), np.asarray(vals), starts


def count_cooccurrences(
    enc: EncodedCorpus,
    remap: np.ndarray,
    vocab_size: int,
    directory: str | os.PathLike,
    *,
    window: int = 10,
    symmetric: bool = True,
    distance_weighting: bool = True,
    memory: float = 4.0,
    on_job: Callable[[int], None] | None = None,
) -> Cooccurrences:
    """Count the weighted co-occurrences of the corpus in ``enc`` within ``memory`` GB.

    Args:
        enc (EncodedCorpus): The id file of the corpus.
        remap (np.ndarray): Provisional id -> final id (``-1``: not in the vocabulary;
            such words are removed before the windows are taken, as the C tool does).
        vocab_size (int): Number of final ids.
        directory (path): Where shards go if the budget is exceeded.
        window (int, default 10): Largest distance between two counted words.
        symmetric (bool, default True): Count words on both sides (``X`` symmetric); if
            False only the right context of each word (``X[left, right]``).
        distance_weighting (bool, default True): Weigh a pair by 1/distance, else by 1.
        memory (float, default 4.0): Budget in GB of the counting tables (a dense table
            of frequent pairs gets 1/16, the hash table of the rest up to 1/2).
        on_job (callable | None, default None): Called with the number of tokens counted
            after each job.

    Returns:
        The :class:`Cooccurrences`.

    Shape:
        ``remap``: ``(p,)`` int32.

    >>> import tempfile
    >>> from wordvec.train.corpus import encode_corpus
    >>> tmp = tempfile.mkdtemp()
    >>> enc = encode_corpus(["a b c"], tmp, tokenizer="whitespace")
    >>> c = count_cooccurrences(enc, np.arange(3, dtype=np.int32), 3, tmp, window=2)
    >>> c.to_dense().tolist()
    [[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]]
    """
    t0 = time.perf_counter()
    budget = float(memory) * (1 << 30)
    weights, scale = distance_weights(window, distance_weighting)
    offset, lo, hi, cells = dense_layout(vocab_size, int(budget * DENSE_SHARE) // 8, symmetric)
    dense = np.zeros(cells, dtype=np.int64)
    min_slots = 1 << max(6, math.ceil(math.log2(4 * (window + 1) / (1 - MAX_LOAD))))
    max_slots = max(1 << max(int(math.log2(max(budget * HASH_SHARE / 16, 1))), 0), min_slots)
    table = _Table(max_slots, min_slots, Path(directory))
    n_jobs = enc.bounds.shape[0] - 1
    job_len = int(np.diff(enc.bounds).max()) if n_jobs else 0
    ids, tokens = np.empty(job_len, np.int32), np.empty(job_len, np.int32)
    fd = os.open(enc.path, os.O_RDONLY)
    try:
        for j in range(n_jobs):
            m = kernels.map_ids(enc.read_into(fd, j, ids), remap, tokens)
            pos = 0
            while pos < m:
                pos = kernels.count_pairs(
                    tokens[:m], pos, window, symmetric, weights, vocab_size, dense, offset,
                    lo, hi, table.keys, table.vals, table.used, table.limit,
                )  # fmt: skip
                if table.used[0] >= table.limit:
                    table.make_room()
            if on_job is not None:
                on_job(int(enc.bounds[j + 1] - enc.bounds[j]))
    finally:
        os.close(fd)
    dense_keys, dense_vals = kernels.dense_entries(dense, offset, lo, hi, vocab_size)
    del dense
    shards = len(table.shards)
    keys, vals, starts = table.sorted_runs(dense_keys, dense_vals)
    del dense_keys, dense_vals
    rows, cols, xs = _merge(keys, vals, starts, vocab_size, scale)
    seconds = time.perf_counter() - t0
    logger.info(
        "counted %d co-occurrence pairs in %.1f s (%d shards)", rows.shape[0], seconds, shards,
    )  # fmt: skip
    return Cooccurrences(rows, cols, xs, vocab_size, symmetric, shards, seconds)


def _merge(
    keys: np.ndarray, vals: np.ndarray, starts: np.ndarray, vocab_size: int, scale: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge sorted runs into the final rows, columns and float32 counts (two passes:
    the first only counts the distinct pairs, so the output is allocated once)."""
    none32 = np.zeros(0, np.int32)
    m = kernels.merge_runs(keys, vals, starts, vocab_size, float(scale), none32, none32,
                           np.zeros(0, np.float32))  # fmt: skip
    rows, cols = np.empty(m, np.int32), np.empty(m, np.int32)
    xs = np.empty(m, np.float32)
    kernels.merge_runs(keys, vals, starts, vocab_size, float(scale), rows, cols, xs)
    return rows, cols, xs
