"""Pieces shared by the format readers and writers: chunked input, growing matrices, words.

Readers return a :class:`Loaded` (words, float32 matrix, optional counts and the
word -> row dict they already built); :class:`wordvec.Vectors` wraps it.
"""

from __future__ import annotations

import codecs
import logging
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from wordvec._io import compression_of
from wordvec._validation import check_choice

logger = logging.getLogger(__name__)

CHUNK_BYTES = 32 * 1024 * 1024
"""Bytes read per chunk by the streaming readers (lines are never split across chunks)."""

DUPLICATES = ("warn", "error")
UNICODE_ERRORS = ("strict", "replace", "ignore", "backslashreplace", "surrogateescape")


@dataclass
class Loaded:
    """What a reader returns: index-aligned words and rows, and the lookup it built.

    ``key_to_index`` is None when the reader trusts the words to be unique (native
    files) and leaves building the lookup to first use. Native files may hold a compact
    matrix (float16, or int8 with ``scales``, see :mod:`wordvec.vectors.compact`).
    """

    words: list[str]
    vectors: np.ndarray
    counts: np.ndarray | None
    key_to_index: dict[str, int] | None
    scales: np.ndarray | None = None


def check_encoding(encoding: str) -> str:
    """Return ``encoding`` if Python knows it and it is ASCII-compatible.

    The readers find spaces, newlines and digits as single ASCII bytes, so encodings
    such as UTF-16 cannot be read.

    Raises:
        TypeError: If ``encoding`` is not a string.
        ValueError: If it is unknown or not ASCII-compatible.
    """
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be a string such as 'utf-8', got {encoding!r}.")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(
            f"encoding {encoding!r} is unknown; pass a codec name such as 'utf-8' or 'latin-1'."
        ) from None
    probe = "w 0.5e-1\n"
    if probe.encode(encoding, errors="strict") != probe.encode("ascii"):
        raise ValueError(
            f"encoding {encoding!r} is not ASCII-compatible; vector files must use an "
            "encoding where spaces, newlines and digits are single ASCII bytes "
            "(e.g. 'utf-8', 'latin-1'). Re-encode the file first."
        )
    return encoding


def check_unicode_errors(unicode_errors: str) -> str:
    """Validate the ``unicode_errors`` option (the ``errors`` argument of ``bytes.decode``)."""
    return check_choice(unicode_errors, "unicode_errors", UNICODE_ERRORS)


def check_duplicates(duplicates: str) -> str:
    """Validate the ``duplicates`` option (``"warn"`` or ``"error"``)."""
    return check_choice(duplicates, "duplicates", DUPLICATES)


class ChunkReader:
    """A growable byte buffer filled from a binary stream, consumed from the front.

    ``buf[:n]`` holds unconsumed bytes; ``offset`` is the stream position of ``buf[0]``.
    """

    def __init__(self, stream: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> None:
        self.stream = stream
        self.buf = np.empty(chunk_bytes, dtype=np.uint8)
        self.n = 0
        self.offset = 0
        self.eof = False

    def fill(self) -> None:
        """Read until the buffer is full or the stream ends; grow it first if it is full."""
        if self.n == self.buf.size:
            bigger = np.empty(2 * self.buf.size, dtype=np.uint8)
            bigger[: self.n] = self.buf[: self.n]
            self.buf = bigger
        view = memoryview(self.buf)
        while self.n < self.buf.size and not self.eof:
            got = self.stream.readinto(view[self.n :])
            if not got:
                self.eof = True
            else:
                self.n += got

    def consume(self, k: int) -> None:
        """Drop the first ``k`` bytes."""
        if k:
            rest = self.n - k
            if rest:
                self.buf[:rest] = self.buf[k : self.n]
            self.n = rest
            self.offset += k

    def take_rest(self, other: ChunkReader, start: int) -> None:
        """Replace this buffer's content with ``other.buf[start:other.n]`` (same stream)."""
        rest = other.n - start
        if rest > self.buf.size:
            self.buf = np.empty(max(rest, 2 * self.buf.size), dtype=np.uint8)
        self.buf[:rest] = other.buf[start : other.n]
        self.n = rest
        self.offset = other.offset + start
        self.eof = other.eof

    def read_line(self, max_bytes: int = 1 << 20) -> bytes | None:
        """Consume and return the first line (without its newline), or None at EOF."""
        while True:
            hits = np.flatnonzero(self.buf[: self.n] == 10)
            if hits.size:
                end = int(hits[0])
                line = self.buf[:end].tobytes()
                self.consume(end + 1)
                return line
            if self.eof or self.n >= max_bytes:
                if self.n == 0:
                    return None
                line = self.buf[: self.n].tobytes()
                self.consume(self.n)
                return line
            self.fill()

    def rest_is_blank(self) -> tuple[bool, int]:
        """Return ``(True, -1)`` if only whitespace remains in the stream, else
        ``(False, stream offset of the first non-whitespace byte)``. Consumes the stream."""
        while True:
            data = self.buf[: self.n]
            white = (data == 32) | (data == 10) | (data == 13) | (data == 9)
            if not white.all():
                return False, self.offset + int(np.argmin(white))
            self.consume(self.n)
            if self.eof:
                return True, -1
            self.fill()
            if self.n == 0:
                return True, -1


def estimate_stream_size(path: Path) -> int:
    """Guess the uncompressed size of ``path`` (exact for plain files and small .gz files)."""
    size = os.path.getsize(path)
    comp = compression_of(path)
    if comp is None:
        return size
    if comp == ".gz" and size >= 18:
        with open(path, "rb") as f:
            f.seek(-4, os.SEEK_END)
            isize = int.from_bytes(f.read(4), "little")  # uncompressed size mod 2**32
        return max(isize, size)
    return 4 * size


class RowBuffer:
    """A float32 matrix that grows by rows; untouched capacity costs no resident memory."""

    def __init__(self, dim: int, capacity: int) -> None:
        self.dim = dim
        self.matrix = np.empty((max(capacity, 1), dim), dtype=np.float32)

    @property
    def capacity(self) -> int:
        return self.matrix.shape[0]

    def ensure(self, rows: int, used: int) -> None:
        """Make room for ``rows`` rows, keeping the first ``used`` rows."""
        if rows > self.capacity:
            bigger = np.empty((max(rows, int(self.capacity * 1.5) + 1024), self.dim), np.float32)
            bigger[:used] = self.matrix[:used]
            self.matrix = bigger

    def finish(self, rows: int) -> np.ndarray:
        """Return the matrix trimmed to ``rows`` rows (in place, without copying)."""
        matrix = self.matrix
        self.matrix = None  # drop our reference so that resize sees a single owner
        if matrix.shape[0] != rows:
            if matrix.base is None and matrix.flags.owndata:
                matrix.resize((rows, self.dim), refcheck=False)
            else:
                matrix = np.ascontiguousarray(matrix[:rows])
        return matrix


def decode_words(
    blob: bytes,
    expected: int,
    encoding: str,
    unicode_errors: str,
    where: Callable[[int], str],
    path: Path,
) -> list[str]:
    """Decode newline-terminated words from ``blob`` in one go.

    Args:
        blob: The encoded words, each followed by ``b"\\n"``.
        expected: How many words ``blob`` holds.
        where: Maps a 0-based word index to a location text such as ``"line 12"``.

    Raises:
        ValueError: If a word is not valid in ``encoding`` (with ``unicode_errors="strict"``).
    """
    try:
        text = blob.decode(encoding, errors=unicode_errors)
    except UnicodeDecodeError as exc:
        row = blob.count(b"\n", 0, exc.start)
        start = blob.rfind(b"\n", 0, exc.start) + 1
        end = blob.find(b"\n", exc.start)
        word = blob[start:end]
        raise ValueError(
            f"{str(path)!r}, {where(row)}: the word {word!r} is not valid {encoding} "
            f"(byte {exc.start - start} of the word: {exc.reason}); pass the right "
            "encoding=..., or unicode_errors='replace' / 'ignore' to keep going."
        ) from None
    words = text.split("\n")
    if words and words[-1] == "":
        words.pop()
    if len(words) != expected:  # pragma: no cover - the kernels never put \n in a word
        raise ValueError(f"{str(path)!r}: decoded {len(words)} words, expected {expected}.")
    return words


def deduplicate(
    words: list[str],
    matrix: np.ndarray,
    counts: np.ndarray | None,
    *,
    duplicates: str,
    where: Callable[[int], str],
    path: Path,
) -> Loaded:
    """Build the word -> row dict; drop repeated words (keep the first) or raise.

    Raises:
        ValueError: With ``duplicates="error"``, naming the first repeated word and where
            both occurrences are.
    """
    key_to_index = dict(zip(words, range(len(words))))
    if len(key_to_index) == len(words):
        return Loaded(words, matrix, counts, key_to_index)
    first: dict[str, int] = {}
    keep: list[int] = []
    repeats: list[tuple[int, int]] = []
    for i, w in enumerate(words):
        j = first.setdefault(w, i)
        if j == i:
            keep.append(i)
        else:
            repeats.append((i, j))
    i, j = repeats[0]
    head = f"{str(path)!r}: the word {words[i]!r} at {where(i)} was already seen at {where(j)}"
    if duplicates == "error":
        raise ValueError(
            f"{head} ({len(repeats)} repeated word(s) in all); remove the repeats or pass "
            "duplicates='warn' to keep the first occurrence of each."
        )
    warnings.warn(
        f"{head}; kept the first occurrence of each of {len(repeats)} repeated word(s) "
        "(pass duplicates='error' to refuse such files).",
        UserWarning,
        stacklevel=4,
    )
    idx = np.asarray(keep, dtype=np.int64)
    kept_words = [words[i] for i in keep]
    return Loaded(
        kept_words,
        np.ascontiguousarray(matrix[idx]),
        None if counts is None else counts[idx],
        dict(zip(kept_words, range(len(kept_words)))),
    )


def encode_words(
    words: Sequence[str], encoding: str, path: Path, *, fmt: str, forbid_space: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Encode words to one byte array and ``n + 1`` offsets, checking they fit the format.

    Returns:
        ``(blob, offsets)`` with word ``i`` at ``blob[offsets[i]:offsets[i + 1]]``
        (no separators).

    Raises:
        ValueError: If a word is empty or holds a newline (or a space, with
            ``forbid_space``): the format could not read it back.
    """
    n = len(words)
    joined = np.frombuffer("\n".join(words).encode(encoding), dtype=np.uint8)
    newlines = np.flatnonzero(joined == 10)
    if newlines.size != max(n - 1, 0):
        bad = next(i for i, w in enumerate(words) if "\n" in w)
        raise ValueError(
            f"cannot save to {str(path)!r} in the {fmt} format: the word {words[bad]!r} "
            f"(row {bad}) holds a newline, which the format cannot store; save with "
            "format='native' instead."
        )
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [joined.size])).astype(np.int64)
    if n and np.any(ends == starts):
        bad = int(np.flatnonzero(ends == starts)[0])
        raise ValueError(
            f"cannot save to {str(path)!r} in the {fmt} format: the word at row {bad} is "
            "the empty string, which the format cannot store; drop it (vectors.subset) "
            "or save with format='native'."
        )
    if forbid_space:
        spaces = np.flatnonzero(joined == 32)
        if spaces.size:
            bad = int(np.searchsorted(newlines, spaces[0]))
            raise ValueError(
                f"cannot save to {str(path)!r} in the {fmt} format: the word "
                f"{words[bad]!r} (row {bad}) holds a space, which separates fields in "
                "this format; replace the spaces (e.g. with '_') or save with "
                "format='native'."
            )
    # drop the separators: word i moves left by i bytes
    lengths = ends - starts
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    blob = np.delete(joined, newlines) if newlines.size else joined.copy()
    return blob, offsets


def location(header_lines: int) -> Callable[[int], str]:
    """Return a function mapping a 0-based row to ``"line N"`` in a text file."""
    return lambda row: f"line {row + header_lines + 1}"


def record_location(row: int) -> str:
    """Describe a 0-based record of a binary file."""
    return f"record {row + 1}"


WRITE_BLOCK_BYTES = 16 * 1024 * 1024


def write_row_blocks(
    f: IO[bytes],
    offsets: np.ndarray,
    per_row: int,
    fill: Callable[[int, int, np.ndarray], int],
) -> None:
    """Write all rows to ``f`` in blocks of about 16 MB, formatted by ``fill``.

    Args:
        f: The open binary output.
        offsets: Word offsets into the encoded word blob, ``(n + 1,)``.
        per_row: Upper bound of the bytes one row takes besides its word.
        fill: ``fill(start, stop, out)`` writes rows ``[start, stop)`` into ``out`` and
            returns the number of bytes used.
    """
    n = offsets.shape[0] - 1
    start = 0
    while start < n:
        stop = min(n, start + max(1, WRITE_BLOCK_BYTES // (per_row + 16)))
        size = int(offsets[stop] - offsets[start]) + (stop - start) * per_row
        out = np.empty(size, np.uint8)
        used = fill(start, stop, out)
        f.write(memoryview(out)[:used])
        start = stop
