"""One vocabulary for all ranks: the counts of every share merged in corpus order.

A single process numbers words by their first appearance in the corpus, which fixes
the order of ties in :func:`wordvec.train.corpus.build_vocab`. Rank ``r`` reads share
``r`` of every file, so in the whole corpus share ``r`` of file ``f`` comes after the
shares of ranks ``< r`` of that file and before every share of file ``f + 1``. Each
rank sends its words (in its own first-appearance order), their counts and where each
file's new words begin; every rank merges them in (file, rank) order, which gives the
single-process words, counts and order exactly.
"""

from __future__ import annotations

import os

import numpy as np

from wordvec.train.corpus import EncodedCorpus

_SCAN = 1 << 22


def file_word_starts(enc: EncodedCorpus, positions: list[int]) -> list[int]:
    """Return, for each file share, how many distinct words were seen before it, plus the
    total: provisional ids number words by first appearance, so that count is one more
    than the largest id read before the share begins.

    Args:
        enc: This rank's encoded shares.
        positions: Id-file positions (tokens plus sentence ends) of each file's share.

    Shape:
        returns ``(len(positions) + 1,)`` as a list.
    """
    starts = [0]
    seen = -1
    offset = 0
    fd = os.open(enc.path, os.O_RDONLY)
    try:
        for n in positions:
            end = offset + n
            while offset < end:
                k = min(_SCAN, end - offset)
                ids = np.frombuffer(os.pread(fd, 4 * k, 4 * offset), dtype=np.int32)
                if ids.size:
                    seen = max(seen, int(ids.max()))
                offset += k
            starts.append(seen + 1)
    finally:
        os.close(fd)
    starts[-1] = len(enc.words)
    return starts


def pack(words: list[str], counts: np.ndarray, starts: list[int]) -> bytes:
    """Serialize one rank's words, counts and file starts (no pickle).

    >>> unpack(pack(["a", "é"], np.array([3, 1]), [0, 1, 2]))
    (['a', 'é'], [3, 1], [0, 1, 2])
    """
    encoded = [w.encode("utf-8") for w in words]
    head = np.array([len(encoded), len(starts)], dtype=np.int64)
    lengths = np.array([len(b) for b in encoded], dtype=np.int64)
    parts = [
        head.tobytes(),
        lengths.tobytes(),
        np.asarray(counts, dtype=np.int64).tobytes(),
        np.asarray(starts, dtype=np.int64).tobytes(),
        b"".join(encoded),
    ]
    return b"".join(parts)


def unpack(data: bytes) -> tuple[list[str], list[int], list[int]]:
    """Inverse of :func:`pack`."""
    n, m = np.frombuffer(data[:16], dtype=np.int64).tolist()
    at = 16
    lengths = np.frombuffer(data[at : at + 8 * n], dtype=np.int64)
    at += 8 * n
    counts = np.frombuffer(data[at : at + 8 * n], dtype=np.int64).tolist()
    at += 8 * n
    starts = np.frombuffer(data[at : at + 8 * m], dtype=np.int64).tolist()
    at += 8 * m
    blob = data[at:]
    ends = np.cumsum(lengths).tolist()
    words = [blob[a:b].decode("utf-8") for a, b in zip([0, *ends[:-1]], ends)]
    return words, counts, starts


def merge(
    parts: list[tuple[list[str], list[int], list[int]]],
) -> tuple[list[str], np.ndarray, list[np.ndarray]]:
    """Merge every rank's (words, counts, file starts) in corpus order.

    Returns:
        The words in order of first appearance in the whole corpus, their summed
        int64 counts, and for each rank the int32 map from its provisional ids to
        positions in the merged list.

    >>> merge([(["b", "a"], [1, 1], [0, 2]), (["a", "c"], [2, 1], [0, 2])])
    (['b', 'a', 'c'], array([1, 3, 1]), [array([0, 1], dtype=int32), array([1, 2], dtype=int32)])
    """
    index: dict[str, int] = {}
    totals: list[int] = []
    maps = [np.empty(len(words), dtype=np.int32) for words, _, _ in parts]
    n_files = len(parts[0][2]) - 1
    for f in range(n_files):
        for r, (words, counts, starts) in enumerate(parts):
            for k in range(starts[f], starts[f + 1]):
                w = words[k]
                g = index.get(w)
                if g is None:
                    g = index[w] = len(totals)
                    totals.append(0)
                totals[g] += counts[k]
                maps[r][k] = g
    return list(index), np.asarray(totals, dtype=np.int64), maps


def merge_vocab(
    comm, enc: EncodedCorpus, positions: list[int]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return the corpus-wide words and counts and this rank's provisional -> merged map.

    Every rank gets the same words and counts, equal to those a single process reading
    the whole corpus gets from :func:`wordvec.train.corpus.encode_corpus`.

    Args:
        comm: The :class:`~wordvec.train.distributed.comm.Comm` of the job.
        enc: This rank's encoded shares.
        positions: Id-file positions of each file's share (from reading the shares).

    Shape:
        returns counts ``(n,)`` int64 and the map ``(len(enc.words),)`` int32.
    """
    starts = file_word_starts(enc, positions)
    blobs = comm.all_gather_bytes(pack(enc.words, enc.counts, starts))
    words, counts, maps = merge([unpack(b) for b in blobs])
    return words, counts, maps[comm.rank]
