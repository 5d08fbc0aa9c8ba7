"""Facebook fastText ``.bin`` models (unsupervised, not quantized): read and written.

Layout (little-endian, as fastText's ``FastText::saveModel`` writes it):

- ``int32`` magic ``793712314`` and ``int32`` version (12);
- the arguments: 12 ``int32`` (``dim ws epoch minCount neg wordNgrams loss model
  bucket minn maxn lrUpdateRate``; loss 1 hs, 2 ns, 3 softmax, 4 ova; model 1 cbow,
  2 skipgram, 3 supervised) and a ``float64`` sampling threshold ``t``;
- the dictionary: ``int32 size nwords nlabels``, ``int64 ntokens pruneidx_size``, then
  per entry the word's bytes ending in ``\\0``, an ``int64`` count and an ``int8`` type
  (0 word, 1 label), then ``pruneidx_size`` pairs of ``int32``;
- a ``bool`` (quantized input), the input matrix ``int64 rows, cols`` +
  ``rows * cols`` float32: the ``nwords`` word rows, then the ``bucket`` n-gram rows;
- a ``bool`` (quantized output) and the output matrix in the same way.

A word's vector is the mean of its row and its n-gram rows (:mod:`wordvec.vectors.subword`).
Supervised and quantized (``.ftz``) models are refused with a clear error. Writing
stores the output matrix given, or zeros (the input rows are what vectors need).

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "m.bin"
>>> rng = np.random.default_rng(0)
>>> write_model(p, ["ab", "cd"], rng.normal(size=(2, 4)), rng.normal(size=(10, 4)),
...             minn=2, maxn=3, counts=[5, 3])
>>> got = read(p)
>>> got.words, got.minn, got.maxn, got.vectors_ngrams.shape, got.counts.tolist()
(['ab', 'cd'], 2, 3, (10, 4), [5, 3])
"""

from __future__ import annotations

import logging
import mmap as mmap_module
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wordvec._io import atomic_write, check_readable, compression_of, open_binary
from wordvec.vectors.formats._common import decode_words, deduplicate, encode_words
from wordvec.vectors.formats._subword import LoadedSubword
from wordvec.vectors.subword import compose

logger = logging.getLogger(__name__)

NAME = "fasttext-bin"
MAGIC = 793712314
VERSION = 12
MAGIC_BYTES = struct.pack("<i", MAGIC)
_ARGS = struct.Struct("<12id")
_ARG_NAMES = (
    "dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate t".split()
)
_DICT = struct.Struct("<iiiqq")
_MATRIX = struct.Struct("<qq")
LOSSES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
MODELS = {1: "cbow", 2: "skipgram", 3: "supervised"}
DEFAULT_INFO = {
    "ws": 5,
    "epoch": 5,
    "minCount": 5,
    "neg": 5,
    "wordNgrams": 1,
    "loss": 2,
    "model": 2,
    "lrUpdateRate": 100,
    "t": 1e-4,
}
_SUPPORTED = (
    "wordvec reads unsupervised fastText models (`fasttext skipgram` / `fasttext cbow`, "
    "saved as .bin)"
)


def _bad(path: Path, what: str) -> ValueError:
    return ValueError(f"{str(path)!r} is not a model wordvec can read: {what}. {_SUPPORTED}.")


class _Cursor:
    """Reads little-endian fields from a buffer, naming the file and offset on truncation."""

    def __init__(self, buf: Any, path: Path) -> None:
        self.buf, self.path, self.pos = buf, path, 0

    def take(self, n: int, what: str) -> bytes:
        self.skip(n, what)
        return self.buf[self.pos - n : self.pos]

    def skip(self, n: int, what: str) -> None:
        """Move past ``n`` bytes (a matrix: never copied), or say the file is truncated."""
        if self.pos + n > len(self.buf):
            raise _bad(
                self.path,
                f"the file is truncated: {what} needs bytes {self.pos}..{self.pos + n} but the "
                f"file has {len(self.buf)} bytes (an interrupted download or copy?)",
            )
        self.pos += n

    def unpack(self, st: struct.Struct, what: str) -> tuple:
        return st.unpack(self.take(st.size, what))


def _read_header(cur: _Cursor) -> dict:
    """Check the magic and version, read the arguments; refuse what is not supported."""
    magic, version = struct.unpack("<ii", cur.take(8, "the magic number"))
    if magic != MAGIC:
        raise _bad(
            cur.path,
            f"its first 4 bytes {bytes(cur.buf[:4])!r} are not fastText's magic number "
            f"{MAGIC} ({MAGIC_BYTES!r}); for a word2vec binary file pass "
            "format='word2vec-binary'",
        )
    if version > VERSION:
        raise _bad(cur.path, f"file format version {version} is newer than {VERSION}")
    info = dict(zip(_ARG_NAMES, cur.unpack(_ARGS, "the model arguments")))
    info["version"] = version
    if info["model"] == 3:
        raise _bad(
            cur.path,
            "it is a supervised (classification) model; only unsupervised word-vector "
            "models are supported",
        )
    if info["model"] not in MODELS or info["loss"] not in LOSSES or info["dim"] < 1:
        raise _bad(
            cur.path,
            f"its arguments are not valid (model {info['model']}, loss {info['loss']}, dim "
            f"{info['dim']}): the file is corrupt",
        )
    return info


def _read_dictionary(cur: _Cursor, info: dict) -> tuple[list[bytes], np.ndarray, int]:
    """Read the dictionary entries; return the word bytes, counts and ``nwords``."""
    size, nwords, nlabels, ntokens, prune = cur.unpack(_DICT, "the dictionary header")
    if nlabels or size != nwords:
        raise _bad(cur.path, f"its dictionary has {nlabels} labels (a supervised model)")
    if not 0 <= nwords <= len(cur.buf) // 10:
        raise _bad(cur.path, f"the dictionary claims {nwords} words: the file is corrupt")
    info["ntokens"] = ntokens
    buf, pos = cur.buf, cur.pos
    raw: list[bytes] = []
    counts = np.empty(nwords, dtype=np.int64)
    for i in range(nwords):
        end = buf.find(b"\0", pos)
        if end < 0 or end + 10 > len(buf):
            raise _bad(cur.path, f"the file is truncated in dictionary entry {i} of {nwords}")
        raw.append(bytes(buf[pos:end]))
        counts[i], kind = struct.unpack_from("<qb", buf, end + 1)
        if kind != 0:
            raise _bad(cur.path, f"dictionary entry {i} is a label (a supervised model)")
        pos = end + 10
    cur.pos = pos
    if prune > 0:
        raise _bad(cur.path, "its dictionary is pruned (a quantized .ftz model)")
    return raw, counts, nwords


def _read_matrix(cur: _Cursor, what: str) -> tuple[int, int, int]:
    """Read a dense matrix header; return ``(rows, cols, data offset)`` and skip its data."""
    (quant,) = struct.unpack("<?", cur.take(1, f"the {what} matrix flag"))
    if quant:
        raise _bad(cur.path, f"its {what} matrix is quantized (a .ftz model)")
    rows, cols = cur.unpack(_MATRIX, f"the {what} matrix shape")
    if rows < 0 or cols < 0:
        raise _bad(cur.path, f"the {what} matrix shape ({rows}, {cols}) is negative: corrupt")
    start = cur.pos
    cur.skip(rows * cols * 4, f"the {what} matrix ({rows} x {cols} float32)")
    return rows, cols, start


def _decode(raw: list[bytes], encoding: str, unicode_errors: str, path: Path) -> list[str]:
    if any(b"\n" in w for w in raw):
        return [w.decode(encoding, errors=unicode_errors) for w in raw]
    blob = b"\n".join(raw) + (b"\n" if raw else b"")
    return decode_words(
        blob, len(raw), encoding, unicode_errors, lambda i: f"dictionary entry {i}", path
    )


def read(
    path: str | Path,
    *,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "warn",
    mmap: bool = True,
) -> LoadedSubword:
    """Read a fastText ``.bin`` model: words, counts, word rows, n-gram rows, settings.

    Args:
        path: The file (``.gz``/``.bz2``/``.xz`` are decompressed into memory).
        limit: Keep only the first ``limit`` words (all n-gram rows are kept).
        encoding: Encoding of the words (fastText writes UTF-8).
        unicode_errors: ``errors`` argument for decoding the words.
        duplicates: ``"warn"`` (keep the first) or ``"error"``.
        mmap: Map the rows read-only from an uncompressed file instead of reading them.

    Raises:
        ValueError: For a file that is not a fastText model, a supervised or quantized
            model, or a truncated or corrupt file (naming the file and what was found).
    """
    path = check_readable(path, "vector file")
    if compression_of(path) is not None:
        with open_binary(path) as f:
            buf: Any = f.read()
    else:
        with open(path, "rb") as f:
            if path.stat().st_size == 0:
                raise _bad(path, "the file is empty")
            buf = mmap_module.mmap(f.fileno(), 0, access=mmap_module.ACCESS_READ)
    try:
        info, raw, counts, full = _parse(_Cursor(buf, path), mmap)
    finally:
        if isinstance(buf, mmap_module.mmap):
            buf.close()
    nwords = len(raw)
    keep = nwords if limit is None else min(limit, nwords)
    words = _decode(raw[:keep], encoding, unicode_errors, path)
    vectors_vocab, vectors_ngrams = full[:keep], full[nwords:]
    return _finish(
        path, words, counts[:keep].copy(), vectors_vocab, vectors_ngrams, info, duplicates
    )


def _parse(cur: _Cursor, mmap: bool) -> tuple[dict, list[bytes], np.ndarray, np.ndarray]:
    """Parse the whole file: arguments, dictionary, the input matrix (mapped or copied)."""
    info = _read_header(cur)
    raw, counts, nwords = _read_dictionary(cur, info)
    rows, cols, start = _read_matrix(cur, "input")
    bucket = info["bucket"]
    if rows != nwords + bucket or cols != info["dim"]:
        raise _bad(
            cur.path,
            f"the input matrix is {rows} x {cols}, expected {nwords} words + {bucket} "
            f"buckets = {nwords + bucket} rows x {info['dim']}: the file is corrupt",
        )
    _read_matrix(cur, "output")
    if cur.pos != len(cur.buf):
        extra = len(cur.buf) - cur.pos
        logger.warning("%s: %d bytes after the model were ignored", cur.path, extra)
    if isinstance(cur.buf, bytes) or not mmap or rows * cols == 0:
        full = np.frombuffer(cur.buf, dtype="<f4", count=rows * cols, offset=start).copy()
    else:
        full = np.memmap(cur.path, dtype="<f4", mode="r", offset=start, shape=(rows * cols,))
        full = full.view(np.ndarray)
    return info, raw, counts, full.reshape(rows, cols)


def _finish(
    path: Path,
    words: list[str],
    counts: np.ndarray,
    vectors_vocab: np.ndarray,
    vectors_ngrams: np.ndarray,
    info: dict,
    duplicates: str,
) -> LoadedSubword:
    """Drop repeated words (or raise), compose the word vectors, log, return."""
    got = deduplicate(
        words,
        np.arange(len(words)),
        counts,
        duplicates=duplicates,
        where=lambda i: f"dictionary entry {i}",
        path=path,
    )
    if len(got.words) != len(words):
        vectors_vocab = np.ascontiguousarray(vectors_vocab[got.vectors])
    minn, maxn = info["minn"], info["maxn"]
    if len(vectors_ngrams) == 0:
        maxn = 0
    rows = np.arange(len(got.words), dtype=np.int64)
    composed = compose(got.words, rows, vectors_vocab, vectors_ngrams, minn, maxn)
    logger.info(
        "read %d words x %d dims + %d n-gram rows from %s (fastText .bin, %s)",
        len(got.words),
        composed.shape[1],
        len(vectors_ngrams),
        path,
        MODELS[info["model"]],
    )
    return LoadedSubword(
        words=got.words,
        vectors=composed,
        counts=got.counts,
        key_to_index=got.key_to_index,
        vectors_vocab=vectors_vocab,
        vectors_ngrams=vectors_ngrams,
        minn=minn,
        maxn=maxn,
        info=info,
    )


# -- writing -----------------------------------------------------------------------------


def _dictionary_bytes(words: Sequence[str], counts: np.ndarray, encoding: str, path: Path) -> bytes:
    """Entries ``word \\0 count(int64) type(int8=0)`` for all words, built in one go."""
    blob, offsets = encode_words(words, encoding, path, fmt=NAME, forbid_space=False)
    if np.any(blob == 0):
        bad = int(np.searchsorted(offsets, np.flatnonzero(blob == 0)[0], side="right")) - 1
        raise ValueError(
            f"cannot save to {str(path)!r} in the {NAME} format: the word {words[bad]!r} "
            f"(row {bad}) holds a NUL character, which ends words in this format."
        )
    n = len(words)
    lengths = np.diff(offsets)
    out = np.zeros(blob.size + 10 * n, dtype=np.uint8)
    out[np.arange(blob.size) + 10 * np.repeat(np.arange(n), lengths)] = blob
    ends = offsets[1:] + 10 * np.arange(n)  # where each word's NUL goes
    fields = np.asarray(counts, dtype="<i8").view(np.uint8).reshape(n, 8)
    for k in range(8):
        out[ends + 1 + k] = fields[:, k]
    return out.tobytes()


def write_model(
    path: str | Path,
    words: Sequence[str],
    vectors_vocab: np.ndarray,
    vectors_ngrams: np.ndarray,
    *,
    minn: int,
    maxn: int,
    counts: np.ndarray | Sequence[int] | None = None,
    output: np.ndarray | None = None,
    info: dict | None = None,
    encoding: str = "utf-8",
) -> None:
    """Write a fastText ``.bin`` model atomically (see the module docs for the layout).

    Args:
        path: Destination.
        words: The words, in row order.
        vectors_vocab: float32 ``(len(words), dim)``, the words' own rows.
        vectors_ngrams: float32 ``(bucket, dim)``, the n-gram rows.
        minn, maxn: The n-gram lengths.
        counts: Word counts (default: ``len(words) - i`` for row ``i``, which keeps the
            order when fastText or gensim sorts by count).
        output: The output matrix ``(len(words), dim)`` (default zeros).
        info: Training settings (:data:`DEFAULT_INFO` keys) to record.
        encoding: Encoding of the words.

    Raises:
        ValueError: If a word is empty or holds a newline or NUL.
    """
    path = Path(path)
    n, dim = vectors_vocab.shape
    bucket = len(vectors_ngrams)
    if counts is None:
        counts = np.arange(n, 0, -1, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    settings = {**DEFAULT_INFO, **(info or {})}
    settings.update(dim=dim, bucket=bucket, minn=minn, maxn=maxn)
    entries = _dictionary_bytes(words, counts, encoding, path)
    ntokens = int(counts.sum())
    with atomic_write(path) as f:
        f.write(struct.pack("<ii", MAGIC, VERSION))
        f.write(_ARGS.pack(*(int(settings[k]) for k in _ARG_NAMES[:-1]), float(settings["t"])))
        f.write(_DICT.pack(n, n, 0, ntokens, -1))
        f.write(entries)
        f.write(struct.pack("<?", False) + _MATRIX.pack(n + bucket, dim))
        for block in (vectors_vocab, vectors_ngrams):
            _write_rows(f, block)
        f.write(struct.pack("<?", False) + _MATRIX.pack(n, dim))
        if output is None:
            _write_zeros(f, n * dim * 4)
        else:
            _write_rows(f, output)
    logger.info(
        "wrote %d words x %d dims + %d n-gram rows to %s (fastText .bin)", n, dim, bucket, path
    )


def _write_rows(f: Any, matrix: np.ndarray, block_rows: int = 65536) -> None:
    for start in range(0, len(matrix), block_rows):
        f.write(np.ascontiguousarray(matrix[start : start + block_rows], dtype="<f4").tobytes())


def _write_zeros(f: Any, nbytes: int, block: int = 1 << 24) -> None:
    zeros = bytes(min(block, nbytes))
    while nbytes > 0:
        f.write(zeros[: min(block, nbytes)])
        nbytes -= block


def write(
    path: str | Path,
    words: Sequence[str],
    matrix: np.ndarray,
    counts: np.ndarray | None = None,
    *,
    encoding: str = "utf-8",
) -> None:
    """Write plain word vectors as a fastText ``.bin`` without n-grams (``maxn=0``,
    ``bucket=0``, as fastText's own ``-maxn 0`` models): unseen words get no vector."""
    empty = np.zeros((0, matrix.shape[1]), dtype=np.float32)
    write_model(path, words, matrix, empty, minn=0, maxn=0, counts=counts, encoding=encoding)
