"""The text engine behind the GloVe, word2vec text and fastText ``.vec`` formats.

One line per word: ``word f1 f2 ... f_dim``, the word ending at the first space. The
word2vec and fastText flavours start with a header line ``count dim``; GloVe has none.
Reading streams the file in large chunks of whole lines; each chunk is split between
threads that parse it with a numba kernel (no GIL) straight into a growing float32
matrix while the next chunk is read and decompressed; all words are decoded at once
at the end.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from wordvec._io import atomic_write, check_readable, open_binary
from wordvec.vectors.formats import _kernels as K
from wordvec.vectors.formats._common import (
    ChunkReader,
    Loaded,
    RowBuffer,
    decode_words,
    deduplicate,
    encode_words,
    estimate_stream_size,
    location,
    write_row_blocks,
)

logger = logging.getLogger(__name__)

TEXT_CHUNK_BYTES = 16 * 1024 * 1024
THREADS = 2


def _show(line: bytes, limit: int = 80) -> str:
    text = repr(line[:limit])
    return text + (" ..." if len(line) > limit else "")


def parse_header(line: bytes | None, path: Path, fmt: str) -> tuple[int, int]:
    """Parse a ``count dim`` header line.

    Raises:
        ValueError: If the line is missing or not two non-negative integers.
    """
    if line is None:
        raise ValueError(
            f"{str(path)!r} is empty; expected a {fmt} file starting with a header line "
            "'<count> <dim>'."
        )
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        hint = ""
        if len(parts) > 2:
            hint = " This looks like a file without a header: load it with format='glove'."
        raise ValueError(
            f"{str(path)!r}, line 1: expected a {fmt} header '<count> <dim>' (two whole "
            f"numbers), found {_show(line)}.{hint}"
        )
    count, dim = int(parts[0]), int(parts[1])
    if dim < 1:
        raise ValueError(f"{str(path)!r}, line 1: the header gives dim={dim}; expected >= 1.")
    return count, dim


def _first_line_dim(line: bytes, path: Path) -> int:
    stripped = line.rstrip(b" \t\r")
    if not stripped:
        raise ValueError(
            f"{str(path)!r}, line 1 is empty; expected a word followed by its numbers."
        )
    parts = stripped.split(b" ", 1)
    if len(parts) == 1 or not parts[1].split():
        raise ValueError(
            f"{str(path)!r}, line 1: expected a word followed by numbers separated by "
            f"spaces, found a single field {_show(line)}."
        )
    return len(parts[1].split())


def _reparse_slow_rows(
    buf: np.ndarray,
    n: int,
    matrix: np.ndarray,
    rows0: int,
    rows: int,
    word_start: np.ndarray,
    path: Path,
    line_of: Callable[[int], str],
) -> None:
    """Re-parse with Python the rows the kernel flagged (NaN), and reject non-finite values."""
    r = K.first_nonfinite_row(matrix, rows0, rows0 + rows)
    while r >= 0:
        start = int(word_start[r - rows0])
        end = start
        while end < n and buf[end] != 10:
            end += 1
        fields = buf[start:end].tobytes().split(b" ", 1)[1].split()
        with np.errstate(over="ignore"):
            row = np.array([float(f) for f in fields], dtype=np.float64).astype(np.float32)
        bad = np.flatnonzero(~np.isfinite(row))
        if bad.size:
            c = int(bad[0])
            raise ValueError(
                f"{str(path)!r}, {line_of(r)}, field {c + 2}: {fields[c].decode()!r} is "
                "outside the float32 range; vector files must hold finite float32 values."
            )
        matrix[r] = row
        r = K.first_nonfinite_row(matrix, r + 1, rows0 + rows)


class _Part:
    """A run of whole lines of a chunk, parsed by one thread."""

    def __init__(self, start: int, stop: int, lines: int, row0: int, max_rows: int) -> None:
        self.start, self.stop, self.lines = start, stop, lines
        self.row0, self.max_rows = row0, max_rows
        self.result: tuple[int, int, int, int, int, int] = (K.OK, 0, start, 0, 0, 0)
        self.words = b""
        self.word_start = np.empty(0, np.int64)

    def run(self, buf: np.ndarray, dim: int, matrix: np.ndarray) -> None:
        if self.max_rows <= 0 or self.start >= self.stop:
            return
        self.word_start = np.empty(self.lines, np.int64)
        word_end = np.empty(self.lines, np.int64)
        self.result = K.parse_text_lines(
            buf,
            self.start,
            self.stop,
            dim,
            matrix,
            self.row0,
            self.max_rows,
            self.word_start,
            word_end,
        )
        got = self.result[1]
        if got:
            size = int((word_end[:got] - self.word_start[:got]).sum()) + got
            out = np.empty(size, np.uint8)
            K.gather_words(buf, self.word_start, word_end, got, out)
            self.words = out.tobytes()


def _split(buf: np.ndarray, end: int, parts: int) -> list[tuple[int, int, int]]:
    """Cut ``buf[:end]`` into up to ``parts`` runs of whole lines: ``(start, stop, lines)``."""
    cuts = [0]
    for j in range(1, parts):
        cut = K.last_index(buf, end * j // parts, 10) + 1
        if cut > cuts[-1]:
            cuts.append(cut)
    cuts.append(end)
    runs = []
    for a, b in itertools.pairwise(cuts):
        lines = K.count_byte(buf, a, b, 10)
        if b > a and buf[b - 1] != 10:
            lines += 1
        runs.append((a, b, lines))
    return runs


def _blank_from(cur: ChunkReader, pos: int, end: int, nxt: ChunkReader) -> tuple[bool, int]:
    """Whether all that follows ``cur.buf[pos]`` (``cur`` up to ``end``, then ``nxt`` and
    the stream) is whitespace; if not, also the stream offset of the first data byte."""
    data = cur.buf[pos:end]
    white = (data == 32) | (data == 10) | (data == 13) | (data == 9)
    if not white.all():
        return False, cur.offset + pos + int(np.argmin(white))
    return nxt.rest_is_blank()


def read_text(
    path: str | Path,
    *,
    header: bool,
    fmt: str,
    limit: int | None,
    encoding: str,
    unicode_errors: str,
    duplicates: str,
    chunk_bytes: int = TEXT_CHUNK_BYTES,
    threads: int = THREADS,
) -> Loaded:
    """Read a text vector file (with or without a ``count dim`` header).

    Raises:
        ValueError: For an empty file, a bad header, a line with the wrong number of
            fields, a field that is not a number, an empty line inside the file, a
            header count that disagrees with the lines, invalid text in a word, or a
            repeated word with ``duplicates="error"``; the message names the file and
            the line.
    """
    path = check_readable(path, "vector file")
    line_of = location(1 if header else 0)
    # parse in a helper so that its buffers are freed before the words are decoded
    rows, matrix, words = _parse_stream(
        path, header=header, fmt=fmt, limit=limit, chunk_bytes=chunk_bytes, threads=threads
    )
    word_list = decode_words(b"".join(words), rows, encoding, unicode_errors, line_of, path)
    del words
    logger.info("read %d x %d vectors from %s (%s format)", rows, matrix.shape[1], path, fmt)
    return deduplicate(word_list, matrix, None, duplicates=duplicates, where=line_of, path=path)


def _make_parts(runs: list, rows: int, max_rows: int) -> list[_Part]:
    """One :class:`_Part` per run of lines, numbered on from row ``rows``."""
    parts = []
    for a, b, n_lines in runs:
        parts.append(_Part(a, b, n_lines, rows, max_rows - rows))
        rows += n_lines
    return parts


def _raise_part_error(
    cur: ChunkReader, part: _Part, path: Path, fmt: str, line_no: int, dim: int, header: bool
) -> None:
    """Raise the error of the line a part stopped at, quoting the line and the field."""
    status, _, line_start, err_pos, err_field, found = part.result
    line_end = err_pos
    while line_end < part.stop and cur.buf[line_end] != 10:
        line_end += 1
    field, line = cur.buf[err_pos:line_end].tobytes(), cur.buf[line_start:line_end].tobytes()
    _raise_line_error(status, path, fmt, line_no, dim, found, err_field, field, line, header)


def _read_dims(cur: ChunkReader, path: Path, header: bool, fmt: str) -> tuple[int | None, int]:
    """Read the header line (if any) and the first chunk; return ``(count, dim)``, the
    dimension from the header or from the first line. ``cur.n == 0`` afterwards: no rows.

    Raises:
        ValueError: For an empty file without a header, or a header promising vectors
            and nothing after it.
    """
    count, dim = None, 0
    if header:
        count, dim = parse_header(cur.read_line(), path, fmt)
    cur.fill()
    if cur.n == 0:
        if not header:
            raise ValueError(
                f"{str(path)!r} is empty; expected lines 'word f1 f2 ...' ({fmt} format)."
            )
        if count:
            raise ValueError(
                f"{str(path)!r}: the header promises {count} vectors but the file ends "
                "after the header."
            )
        return count, dim
    if not header:
        first = cur.buf[: min(cur.n, 1 << 20)].tobytes().split(b"\n", 1)[0]
        dim = _first_line_dim(first, path)
    return count, dim


def _check_blank_tail(
    cur: ChunkReader, line_start: int, end: int, nxt: ChunkReader, path: Path, line_no: int,
    dim: int,
) -> None:  # fmt: skip
    """An empty line ends the vectors only if nothing but blank space follows it."""
    blank, where = _blank_from(cur, line_start, end, nxt)
    if not blank:
        raise ValueError(
            f"{str(path)!r}, line {line_no} is empty but more data follows "
            f"(at byte {where}); expected a word followed by {dim} numbers "
            "on every line. Remove the empty lines."
        )


def _check_count(
    path: Path, count: int, rows: int, header_lines: int, blank_seen: bool,
    rest: tuple | None, cur: ChunkReader,
) -> None:  # fmt: skip
    """Raise unless the file held exactly the ``count`` vectors its header promises."""
    if rows < count:
        raise ValueError(
            f"{str(path)!r}: the header promises {count} vectors but the file has "
            f"only {rows} lines of vectors; the file is truncated or the header "
            "is wrong."
        )
    if not blank_seen:
        blank, where = _blank_from(*rest) if rest is not None else cur.rest_is_blank()
        if not blank:
            raise ValueError(
                f"{str(path)!r}, line {header_lines + rows + 1}: the header promises "
                f"{count} vectors but more lines follow (at byte {where}); fix the "
                "header count."
            )


def _parse_stream(
    path: Path, *, header: bool, fmt: str, limit: int | None, chunk_bytes: int, threads: int
) -> tuple[int, np.ndarray, list[bytes]]:
    """Parse the whole file; return the row count, the trimmed matrix and the word blobs."""
    header_lines = 1 if header else 0
    line_of = location(header_lines)
    with open_binary(path) as stream, ThreadPoolExecutor(max(1, threads)) as pool:
        cur = ChunkReader(stream, chunk_bytes)
        count, dim = _read_dims(cur, path, header, fmt)
        if cur.n == 0:
            return 0, np.zeros((0, dim), np.float32), []
        target = count
        if limit is not None:
            target = limit if target is None else min(target, limit)
        max_rows = target if target is not None else np.iinfo(np.int64).max

        nxt = ChunkReader(stream, chunk_bytes)
        rows = 0
        words: list[bytes] = []
        buffer: RowBuffer | None = None
        total_guess = estimate_stream_size(path)
        rest: tuple[ChunkReader, int, int, ChunkReader] | None = None  # where data may remain
        blank_seen = False
        while rows < max_rows and cur.n:
            if cur.eof:
                end = cur.n
            else:
                end = K.last_index(cur.buf, cur.n, 10) + 1
                if end == 0:  # a line longer than the buffer: grow it
                    cur.fill()
                    continue
            runs = _split(cur.buf, end, max(1, threads))
            lines = sum(run[2] for run in runs)
            want = min(rows + lines, max_rows)
            if buffer is None:
                guess = int(lines * total_guess / max(end, 1) * 1.02) + 64
                buffer = RowBuffer(dim, min(max(guess, want), max_rows))
            buffer.ensure(want, rows)
            parts = _make_parts(runs, rows, max_rows)
            futures = [pool.submit(part.run, cur.buf, dim, buffer.matrix) for part in parts]
            nxt.take_rest(cur, end)  # the partial last line, then the next chunk
            nxt.fill()
            for future in futures:
                future.result()
            for part in parts:
                status, got, line_start = part.result[:3]
                if got:
                    _reparse_slow_rows(
                        cur.buf,
                        part.stop,
                        buffer.matrix,
                        rows,
                        got,
                        part.word_start,
                        path,
                        line_of,
                    )
                    words.append(part.words)
                line_no = header_lines + rows + got + 1
                rows += got
                if status == K.BLANK_LINE:
                    _check_blank_tail(cur, line_start, end, nxt, path, line_no, dim)
                    blank_seen = True
                    break
                if status != K.OK:
                    _raise_part_error(cur, part, path, fmt, line_no, dim, header)
                if rows >= max_rows:
                    rest = (cur, line_start, end, nxt)
                    break
            if blank_seen or rest is not None:
                break
            cur, nxt = nxt, cur
        if limit is None and count is not None:
            _check_count(path, count, rows, header_lines, blank_seen, rest, cur)
    matrix = buffer.finish(rows) if buffer is not None else np.zeros((0, dim), np.float32)
    return rows, matrix, words


def _raise_line_error(
    status: int,
    path: Path,
    fmt: str,
    line_no: int,
    dim: int,
    found: int,
    field: int,
    token_rest: bytes,
    line: bytes,
    header: bool,
) -> None:
    where = f"{str(path)!r}, line {line_no}"
    if status == K.FIELD_COUNT:
        hint = ""
        if not header and line_no == 2 and dim == 1:
            hint = (
                " Line 1 has two fields: if it is a '<count> <dim>' header, load with "
                "format='word2vec'."
            )
        raise ValueError(
            f"{where}: expected {dim + 1} fields (a word and {dim} numbers), found {found}: "
            f"{_show(line)}.{hint}"
        )
    if status == K.NOT_A_NUMBER:
        token = token_rest.split(b" ", 1)[0].split(b"\t", 1)[0]
        raise ValueError(
            f"{where}, field {field + 1}: expected a number, found {_show(token)} in {_show(line)}."
        )
    if status == K.EMPTY_WORD:
        raise ValueError(
            f"{where}: the line starts with a space, so its word is empty; expected "
            f"'word f1 ... f{dim}', found {_show(line)}."
        )
    raise ValueError(f"{where}: cannot parse {_show(line)} (status {status}).")  # pragma: no cover


def write_text(
    path: str | Path,
    words: Sequence[str],
    matrix: np.ndarray,
    *,
    header: bool,
    fmt: str,
    encoding: str = "utf-8",
) -> None:
    """Write ``word f1 ... f_dim`` lines (after a ``count dim`` header if ``header``).

    Floats are written as the shortest decimal that reads back as the same float32,
    so a round trip is exact. The file is written atomically.

    Raises:
        ValueError: If a word is empty or holds a space or newline.
    """
    path = Path(path)
    blob, offsets = encode_words(words, encoding, path, fmt=fmt, forbid_space=True)
    n, dim = matrix.shape
    per_row = dim * 17 + 2
    with atomic_write(path) as f:
        if header:
            f.write(f"{n} {dim}\n".encode())
        write_row_blocks(
            f,
            offsets,
            per_row,
            lambda start, stop, out: K.format_text_rows(blob, offsets, matrix, start, stop, out),
        )
    logger.info("wrote %d x %d vectors to %s (%s format)", n, dim, path, fmt)


class TextFormat:
    """One text vector format: its name and whether it starts with a ``count dim`` header.

    The GloVe, word2vec-text and fastText ``.vec`` modules are each one of these, so the
    three formats share a single reader and writer.

    >>> TextFormat("glove", header=False).name
    'glove'
    """

    def __init__(self, name: str, *, header: bool) -> None:
        self.name = name
        self.header = header

    def read(
        self,
        path: str | Path,
        *,
        limit: int | None = None,
        encoding: str = "utf-8",
        unicode_errors: str = "strict",
        duplicates: str = "warn",
        mmap: bool = True,
    ) -> Loaded:
        """Read the file (``.gz``/``.bz2``/``.xz`` transparently); ``mmap`` is ignored.

        Raises:
            ValueError: For a malformed file (the message names the file and line) or a
                header that disagrees with the lines.
        """
        return read_text(
            path,
            header=self.header,
            fmt=self.name,
            limit=limit,
            encoding=encoding,
            unicode_errors=unicode_errors,
            duplicates=duplicates,
        )

    def write(
        self,
        path: str | Path,
        words: Sequence[str],
        matrix: np.ndarray,
        counts: np.ndarray | None = None,
        *,
        encoding: str = "utf-8",
    ) -> None:
        """Write the file atomically (counts are not stored in text formats)."""
        write_text(path, words, matrix, header=self.header, fmt=self.name, encoding=encoding)
