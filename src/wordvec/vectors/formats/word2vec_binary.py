"""word2vec C binary format: a ``count dim`` text header, then ``word<space>`` + ``dim``
little-endian float32 per word (the C tool adds a newline after each vector; gensim
does not; both are read).

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.bin"
>>> write(p, ["a", "b"], np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32))
>>> p.read_bytes()[:6]
b'2 2\\na '
>>> read(p).vectors.tolist()
[[0.5, -1.0], [2.0, 0.25]]
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wordvec._io import atomic_write, check_readable, open_binary
from wordvec.vectors.formats import _kernels as K
from wordvec.vectors.formats._common import (
    CHUNK_BYTES,
    ChunkReader,
    Loaded,
    RowBuffer,
    decode_words,
    deduplicate,
    encode_words,
    estimate_stream_size,
    record_location,
    write_row_blocks,
)
from wordvec.vectors.formats._text import parse_header

logger = logging.getLogger(__name__)

NAME = "word2vec-binary"


def read(
    path: str | Path,
    *,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "warn",
    mmap: bool = True,
    chunk_bytes: int = CHUNK_BYTES,
) -> Loaded:
    """Read a word2vec C binary file (``.gz``/``.bz2``/``.xz`` transparently).

    Args:
        path: The file.
        limit: Read only the first ``limit`` vectors.
        encoding: Encoding of the words.
        unicode_errors: ``errors`` argument for decoding the words.
        duplicates: ``"warn"`` (keep the first) or ``"error"``.
        mmap: Ignored (binary word2vec files are parsed, not mapped).
        chunk_bytes: Read size.

    Raises:
        ValueError: For an empty file, a bad header, a truncated record, data after the
            promised records, an empty word or a word holding a newline (a misaligned
            or text file), a NaN/infinite value, or invalid text in a word; the message
            gives the byte offset.
    """
    path = check_readable(path, "vector file")
    rows, matrix, parts = _parse_stream(path, limit=limit, chunk_bytes=chunk_bytes)
    words = decode_words(b"".join(parts), rows, encoding, unicode_errors, record_location, path)
    del parts
    logger.info("read %d x %d vectors from %s (%s format)", rows, matrix.shape[1], path, NAME)
    return deduplicate(words, matrix, None, duplicates=duplicates, where=record_location, path=path)


def _check_record(
    status: int, path: Path, rows: int, rec_offset: int, err_offset: int, width: int
) -> None:
    """Raise for a record the kernel stopped at (``rows`` complete records before it)."""
    if status == K.NEWLINE_IN_WORD:
        raise ValueError(
            f"{str(path)!r}, record {rows + 1} (byte {rec_offset}): the word holds a "
            f"newline at byte {err_offset}; expected 'word<space>' then "
            f"{width} bytes of float32. The file is not word2vec binary (a text file? "
            "use format='word2vec') or is damaged."
        )
    if status == K.EMPTY_WORD:
        raise ValueError(
            f"{str(path)!r}, record {rows + 1} (byte {rec_offset}): empty word (the "
            "record starts with a space); the file is damaged or misaligned."
        )


def _check_end(
    reader: ChunkReader, path: Path, count: int, rows: int, target: int, limit: int | None
) -> None:
    """Raise if the file ended before the promised records, or (when all were read)
    holds more than blank space after them."""
    if rows < target:
        raise ValueError(
            f"{str(path)!r}: truncated: the header promises {count} vectors but the file "
            f"ends after {rows} records (byte {reader.offset})."
        )
    if limit is None or limit >= count:
        blank, where = reader.rest_is_blank()
        if not blank:
            raise ValueError(
                f"{str(path)!r}: the header promises {count} vectors but more data "
                f"follows them at byte {where}; fix the header count or the file."
            )


def _parse_stream(
    path: Path, *, limit: int | None, chunk_bytes: int
) -> tuple[int, np.ndarray, list[bytes]]:
    """Parse the whole file; return the row count, the checked matrix and the word blobs."""
    with open_binary(path) as stream:
        reader = ChunkReader(stream, chunk_bytes)
        count, dim = parse_header(reader.read_line(max_bytes=4096), path, NAME)
        target = count if limit is None else min(count, limit)
        width = 4 * dim
        guess = estimate_stream_size(path) // (width + 2) + 16
        buffer = RowBuffer(dim, min(target, guess))
        rows = 0
        parts: list[bytes] = []
        while rows < target:
            reader.fill()
            if reader.n == 0:
                break
            buffer.ensure(min(target, rows + reader.n // (width + 2) + 1), rows)
            raw = buffer.matrix.view(np.uint8).reshape(buffer.capacity, width)
            cap = min(target - rows, buffer.capacity - rows)
            word_start = np.empty(reader.n // (width + 2) + 1, np.int64)
            word_end = np.empty_like(word_start)
            status, got, consumed, err_pos = K.parse_binary_records(
                reader.buf,
                reader.n,
                dim,
                raw,
                rows,
                min(cap, word_start.size),
                word_start,
                word_end,
            )
            del raw
            if got:
                size = int((word_end[:got] - word_start[:got]).sum()) + got
                out = np.empty(size, np.uint8)
                K.gather_words(reader.buf, word_start, word_end, got, out)
                parts.append(out.tobytes())
            rows += got
            _check_record(
                status, path, rows, reader.offset + consumed, reader.offset + err_pos, width
            )
            reader.consume(consumed)
            if rows >= target:
                break
            if reader.eof:
                left = reader.n
                raise ValueError(
                    f"{str(path)!r}: truncated: the header promises {count} vectors of {dim} "
                    f"float32, but the file ends after {rows} complete records (record "
                    f"{rows + 1} at byte {reader.offset} needs a word, a space and {width} "
                    f"bytes; only {left} bytes remain)."
                )
        _check_end(reader, path, count, rows, target, limit)
    matrix = buffer.finish(rows)
    if sys.byteorder == "big":  # pragma: no cover - the format is little-endian
        matrix.byteswap(inplace=True)
    bad = K.first_nonfinite_row(matrix, 0, rows)
    if bad >= 0:
        raise ValueError(
            f"{str(path)!r}, record {bad + 1}: the vector holds NaN or infinite values "
            f"({matrix[bad][~np.isfinite(matrix[bad])][:3].tolist()} ...); the file is "
            "damaged, or is not word2vec binary."
        )
    return rows, matrix, parts


def write(
    path: str | Path,
    words: Sequence[str],
    matrix: np.ndarray,
    counts: np.ndarray | None = None,
    *,
    encoding: str = "utf-8",
) -> None:
    """Write a word2vec C binary file atomically, a newline after each vector as the C tool.

    Raises:
        ValueError: If a word is empty or holds a space or newline.
    """
    path = Path(path)
    blob, offsets = encode_words(words, encoding, path, fmt=NAME, forbid_space=True)
    n, dim = matrix.shape
    little = np.ascontiguousarray(matrix, dtype="<f4")
    raw = little.view(np.uint8).reshape(n, 4 * dim)
    per_row = 4 * dim + 2
    with atomic_write(path) as f:
        f.write(f"{n} {dim}\n".encode())
        write_row_blocks(
            f,
            offsets,
            per_row,
            lambda start, stop, out: K.format_binary_rows(blob, offsets, raw, start, stop, out),
        )
    logger.info("wrote %d x %d vectors to %s (%s format)", n, dim, path, NAME)
