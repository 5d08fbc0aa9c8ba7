"""Reading text files as lines in bounded memory, with undecodable bytes located.

Every text reader of wordvec (training corpora, evaluation sets, task files) goes
through :func:`read_pieces` or :func:`read_lines`:

- The file is read in blocks of bytes and decoded a block at a time, so one line of
  any length (text8 and fil9 are single lines of 100 MB and 713 MB) never has to sit
  in memory whole: a line longer than a block comes out in pieces cut at whitespace.
- Undecodable bytes stop the read with a :class:`TextDecodeError` naming the file,
  the line and the byte offset and the options that get past it; with
  ``encoding_errors="replace"`` or ``"ignore"`` they are replaced or dropped and the
  affected lines are counted in a :class:`ReadStats`.
- Windows line endings, a UTF-8 byte-order mark, NUL bytes and a missing final
  newline are handled as a user expects (see :func:`read_pieces`); a file that looks
  binary (a NUL byte in its first block) is refused by name, or skipped and counted
  when errors are tolerated.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from wordvec._io import PathLike, open_binary

logger = logging.getLogger(__name__)

ENCODING_ERRORS = ("strict", "replace", "ignore")
#: Bytes decoded at a time; also the longest piece a long line is cut into.
PIECE_BYTES = 1 << 20
_BOM = codecs.BOM_UTF8
_SPACES = (b" ", b"\t", b"\r", b"\x0b", b"\x0c")


class TextDecodeError(ValueError):
    """Bytes of a text file that the encoding cannot decode.

    Attributes:
        path (str): The file.
        line (int): 1-based line number of the bad bytes.
        offset (int): Byte offset of the bad bytes in the (decompressed) file.
        encoding (str): The encoding tried.
    """

    def __init__(self, path: str, line: int, offset: int, encoding: str, bad: bytes) -> None:
        self.path, self.line, self.offset, self.encoding = path, line, offset, encoding
        super().__init__(
            f"{path!r}, line {line} (byte offset {offset}): the bytes {bad!r} are not valid "
            f"{encoding}; pass the file's encoding (encoding=..., --encoding, e.g. latin-1), "
            "or encoding_errors='replace' / 'ignore' (--encoding-errors) to replace or drop "
            "undecodable bytes and count the affected lines."
        )


class BinaryFileError(ValueError):
    """A file in a text corpus that holds binary data (a NUL byte near its start)."""


@dataclass
class ReadStats:
    """What tolerant reading (``encoding_errors`` "replace" or "ignore") got past.

    Attributes:
        lines_with_errors (int): Lines in which undecodable bytes were replaced or dropped.
        skipped_files (list[str]): Files skipped because they look binary.
    """

    lines_with_errors: int = 0
    skipped_files: list[str] = field(default_factory=list)


def check_encoding(encoding: str, encoding_errors: str) -> str:
    """Validate an encoding and an errors policy; return the codec's canonical name.

    Raises:
        LookupError: If Python knows no such encoding.
        ValueError: If ``encoding_errors`` is not "strict", "replace" or "ignore".

    >>> check_encoding("UTF8", "strict")
    'utf-8'
    """
    if encoding_errors not in ENCODING_ERRORS:
        raise ValueError(
            f"encoding_errors must be one of {', '.join(map(repr, ENCODING_ERRORS))}, got "
            f"{encoding_errors!r}; 'strict' stops at the first undecodable byte, 'replace' "
            "writes U+FFFD for it, 'ignore' drops it."
        )
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be a str such as 'utf-8', got {type(encoding).__name__}.")
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise LookupError(
            f"unknown encoding {encoding!r}; use a Python codec name such as 'utf-8', "
            "'latin-1' or 'cp1252'."
        ) from None


def _ascii_compatible(encoding: str) -> bool:
    return "\n".encode(encoding) == b"\n" and " ".encode(encoding) == b" "


def _cut_point(buf: bytes, utf8: bool) -> int:
    """Where to cut a block with no line end: after its last whitespace byte, else at a
    character boundary (UTF-8 continuation bytes are never cut)."""
    cut = max(buf.rfind(s) for s in _SPACES) + 1
    if cut > 0:
        return cut
    cut = len(buf)
    if utf8:
        while cut > len(buf) - 4 and cut > 0 and (buf[cut - 1] & 0xC0) == 0x80:
            cut -= 1
        if cut > 0 and buf[cut - 1] >= 0xC0:  # a lead byte whose sequence is incomplete
            cut -= 1
    return cut or len(buf)


class _Decoder:
    """Decodes the byte blocks of one file, locating or counting undecodable bytes."""

    def __init__(self, path: str, encoding: str, errors: str, stats: ReadStats | None) -> None:
        self.path, self.encoding, self.errors, self.stats = path, encoding, errors, stats
        self.offset = 0  # byte offset of the next block
        self.line = 1  # line number at the start of the next block
        self.tolerated = False  # the last block had undecodable bytes (replaced or dropped)

    def __call__(self, block: bytes) -> str:
        try:
            text = block.decode(self.encoding)
            self.tolerated = False
        except UnicodeDecodeError as e:
            if self.errors == "strict":
                line = self.line + block.count(b"\n", 0, e.start)
                raise TextDecodeError(
                    self.path, line, self.offset + e.start, self.encoding, block[e.start : e.end]
                ) from None
            text = block.decode(self.encoding, self.errors)
            self.tolerated = True
            if self.stats is not None:
                self.stats.lines_with_errors += self._bad_lines(block)
        self.offset += len(block)
        self.line += block.count(b"\n")
        return text

    def _bad_lines(self, block: bytes) -> int:
        bad = 0
        for raw in block.split(b"\n"):
            try:
                raw.decode(self.encoding)
            except UnicodeDecodeError:
                bad += 1
        return bad


def _clean(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if "\x00" in text:
        text = text.replace("\x00", " ")
    return text


def _check_binary(first: bytes, path: str, encoding: str, errors: str, stats) -> bool:
    """True if the file should be skipped; raise if it is binary and errors are strict."""
    at = first.find(b"\x00", 0, 8192)
    if at < 0 or not _ascii_compatible(encoding):
        return False
    if errors == "strict":
        raise BinaryFileError(
            f"{path!r} looks like a binary file, not text (a NUL byte at offset {at}); remove "
            "it from the corpus, or pass encoding_errors='replace' / 'ignore' "
            "(--encoding-errors) to skip binary files with a warning."
        )
    logger.warning("skipping %r: it looks like a binary file (NUL byte at offset %d)", path, at)
    if stats is not None:
        stats.skipped_files.append(path)
    return True


def read_pieces(
    path: PathLike,
    *,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    piece_bytes: int | None = None,
    stats: ReadStats | None = None,
) -> Iterator[tuple[str, bool]]:
    """Yield the lines of a text file as ``(text, complete)``, in bounded memory.

    A line shorter than ``piece_bytes`` comes as one item with ``complete=True``; a
    longer one comes as several pieces cut after whitespace (so no whitespace-separated
    token is split; a run of non-space bytes longer than ``piece_bytes`` is cut at a
    character boundary), all but the last with ``complete=False``. Line endings are
    removed (``\\n`` and ``\\r\\n``); a UTF-8 byte-order mark at the start is dropped; NUL
    bytes inside text become spaces; a last line without a final newline is yielded like
    any other; empty lines are yielded as ``""``.

    Args:
        path: A text file (plain, ``.gz``, ``.bz2`` or ``.xz``).
        encoding (str, default "utf-8"): The file's encoding.
        encoding_errors (str, default "strict"): ``"strict"`` raises on undecodable
            bytes; ``"replace"`` and ``"ignore"`` replace or drop them and count the
            affected lines in ``stats``.
        piece_bytes (int | None, default None): Bytes read and decoded at a time; None
            means :data:`PIECE_BYTES` (1 MiB).
        stats (ReadStats | None, default None): Receives the counts of tolerant reading.

    Raises:
        TextDecodeError: On undecodable bytes with ``encoding_errors="strict"``: the
            message names the file, line and byte offset.
        BinaryFileError: If the file has a NUL byte in its first 8 KiB (and the encoding
            is ASCII-compatible) with ``encoding_errors="strict"``.
        FileNotFoundError: If ``path`` does not exist.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfone two\\r\\n\\nthree four five")
    >>> list(read_pieces(p))
    [('one two', True), ('', True), ('three four five', True)]
    >>> list(read_pieces(p, piece_bytes=12))
    [('one two', True), ('', True), ('three four ', False), ('five', True)]
    """
    name = str(path)
    encoding = check_encoding(encoding, encoding_errors)
    piece_bytes = PIECE_BYTES if piece_bytes is None else piece_bytes
    if not _ascii_compatible(encoding):
        yield from _read_pieces_text(name, encoding, encoding_errors, piece_bytes, stats)
        return
    utf8 = encoding == "utf-8"
    decode = _Decoder(name, encoding, encoding_errors, stats)
    with open_binary(path) as fh:
        blocks = _file_blocks(fh, decode, piece_bytes, stats)
        yield from split_blocks(blocks, decode, utf8=utf8, piece_bytes=piece_bytes)


def _file_blocks(fh, decode: _Decoder, piece_bytes: int, stats: ReadStats | None):
    """Yield the byte blocks of an open file for :func:`split_blocks`: none if the file
    looks binary (and errors are tolerated), a UTF-8 byte-order mark dropped."""
    name, encoding, errors = decode.path, decode.encoding, decode.errors
    first = True
    while True:
        try:
            data = fh.read(piece_bytes)
        except (OSError, EOFError) as e:
            raise type(e)(f"{name!r}: {e}") from e
        if first:
            first = False
            if _check_binary(data, name, encoding, errors, stats):
                return
            if encoding == "utf-8" and data.startswith(_BOM):
                decode.offset = len(_BOM)
                data = data[len(_BOM) :]
        if not data:
            return
        yield data


def _line_blocks(
    blocks: Iterator[bytes], *, utf8: bool, piece_bytes: int
) -> Iterator[tuple[bytes, bool]]:
    """Regroup consecutive byte blocks at line ends: yield ``(raw, complete)``, where
    ``raw`` is whole lines up to a ``\\n`` (``complete``), the last line of the input
    without its ``\\n`` (``complete``), or, when ``piece_bytes`` or more bytes hold no
    ``\\n``, a piece of a line cut after whitespace (see :func:`_cut_point`; not
    ``complete``)."""
    carry = b""
    for data in blocks:
        buf = carry + data if carry else data
        end = buf.rfind(b"\n") + 1
        if end:
            carry = buf[end:]
            yield buf[:end], True
        elif len(buf) >= piece_bytes:
            cut = _cut_point(buf, utf8)
            carry = buf[cut:]
            yield buf[:cut], False
        else:
            carry = buf
    if carry:
        yield carry, True


def split_blocks(
    blocks: Iterator[bytes], decode: Callable[[bytes], str], *, utf8: bool, piece_bytes: int
) -> Iterator[tuple[str, bool]]:
    """Yield ``(text, complete)`` lines of consecutive byte blocks, as :func:`read_pieces`
    does for a file (``decode`` turns bytes into text; lines longer than ``piece_bytes``
    come in pieces cut after whitespace). Also used to read a byte range of a file."""
    for raw, complete in _line_blocks(blocks, utf8=utf8, piece_bytes=piece_bytes):
        text = _clean(decode(raw))
        if not complete or not raw.endswith(b"\n"):
            yield text, complete
        else:
            lines = text.split("\n")
            for line in lines[:-1]:
                yield line, True


def read_utf8_blocks(
    path: PathLike,
    *,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    piece_bytes: int | None = None,
    stats: ReadStats | None = None,
) -> Iterator[tuple[bytes, bool]]:
    """Yield a text file as UTF-8 blocks of whole lines, ``(data, complete)``, in bounded memory.

    The blocks are those :func:`read_pieces` decodes, decoded and checked the same way
    (binary files, byte-order mark, located or counted undecodable bytes), but handed
    on as bytes with their line ends, ``\\r`` and NUL bytes left in: a block of whole
    lines ending with ``\\n``, or the file's last line without it (``complete``), or a
    piece of a line longer than ``piece_bytes`` cut after whitespace (not ``complete``;
    the line goes on in the next block). A UTF-8 block that decodes cleanly comes as
    read; any other block (another encoding, or bytes replaced or dropped under
    ``encoding_errors`` "replace" / "ignore") as its decoded text encoded in UTF-8.

    Args:
        path: A text file (plain, ``.gz``, ``.bz2`` or ``.xz``).
        encoding (str, default "utf-8"): The file's encoding; ASCII-compatible ones only.
        encoding_errors (str, default "strict"): As for :func:`read_pieces`.
        piece_bytes (int | None, default None): Bytes read at a time; None means
            :data:`PIECE_BYTES` (1 MiB).
        stats (ReadStats | None, default None): Receives the counts of tolerant reading.

    Raises:
        ValueError: If the encoding is not ASCII-compatible (UTF-16, UTF-32).
        TextDecodeError: On undecodable bytes with ``encoding_errors="strict"``.
        BinaryFileError: On a binary file with ``encoding_errors="strict"``.
        FileNotFoundError: If ``path`` does not exist.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfone two\\r\\n\\nthree four five")
    >>> list(read_utf8_blocks(p))
    [(b'one two\\r\\n\\n', True), (b'three four five', True)]
    >>> list(read_utf8_blocks(p, piece_bytes=12))
    [(b'one two\\r\\n', True), (b'\\n', True), (b'three four ', False), (b'five', True)]
    """
    name = str(path)
    encoding = check_encoding(encoding, encoding_errors)
    if not _ascii_compatible(encoding):
        raise ValueError(
            f"{name!r}: read_utf8_blocks reads ASCII-compatible encodings only, not {encoding}."
        )
    piece_bytes = PIECE_BYTES if piece_bytes is None else piece_bytes
    utf8 = encoding == "utf-8"
    decode = _Decoder(name, encoding, encoding_errors, stats)
    with open_binary(path) as fh:
        blocks = _file_blocks(fh, decode, piece_bytes, stats)
        yield from utf8_line_blocks(blocks, decode, utf8=utf8, piece_bytes=piece_bytes)


def utf8_line_blocks(
    blocks: Iterator[bytes], decode: _Decoder, *, utf8: bool, piece_bytes: int
) -> Iterator[tuple[bytes, bool]]:
    """Yield ``(data, complete)`` UTF-8 blocks of whole lines from consecutive byte blocks,
    as :func:`read_utf8_blocks` does for a file (``decode`` checks each block as
    :func:`split_blocks` decodes it; a clean UTF-8 block comes as read, any other as its
    decoded text in UTF-8). Also used to read a byte range of a file."""
    for raw, complete in _line_blocks(blocks, utf8=utf8, piece_bytes=piece_bytes):
        text = decode(raw)
        if utf8 and not decode.tolerated:
            yield raw, complete
        else:
            yield text.encode("utf-8", "surrogatepass"), complete


def _read_pieces_text(
    name: str, encoding: str, errors: str, piece_chars: int, stats: ReadStats | None
) -> Iterator[tuple[str, bool]]:
    """:func:`read_pieces` for encodings whose line end is not the byte ``\\n`` (UTF-16,
    UTF-32): decoded by Python's text layer, errors located by line only."""
    import io

    line_no = 0
    with open_binary(name) as raw:
        fh = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline=None)
        while True:
            try:
                piece = fh.readline(piece_chars)
            except UnicodeDecodeError as e:
                if errors == "strict":
                    raise TextDecodeError(
                        name, line_no + 1, -1, encoding, e.object[e.start : e.end]
                    ) from None
                raise ValueError(
                    f"{name!r}: encoding_errors={errors!r} is supported for ASCII-compatible "
                    f"encodings only, not {encoding}; fix the bytes near line {line_no + 1}."
                ) from None
            if not piece:
                return
            complete = piece.endswith("\n")
            if complete:
                line_no += 1
                piece = piece.rstrip("\r\n")
            yield piece.replace("\x00", " ") if "\x00" in piece else piece, complete


def read_lines(
    path: PathLike,
    *,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    stats: ReadStats | None = None,
) -> Iterator[str]:
    """Yield the whole lines of a text file, without line endings, decoded as
    :func:`read_pieces` decodes them (located errors, byte-order mark dropped, ...).

    For files of short lines (evaluation sets, task files); a line is joined from its
    pieces, so it must fit in memory.

    Raises:
        TextDecodeError: On undecodable bytes with ``encoding_errors="strict"``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"caf\\xe9\\n")
    >>> list(read_lines(p, encoding="latin-1"))
    ['café']
    """
    parts: list[str] = []
    for piece, complete in read_pieces(
        path, encoding=encoding, encoding_errors=encoding_errors, stats=stats
    ):
        if complete:
            if parts:
                parts.append(piece)
                piece = "".join(parts)
                parts.clear()
            yield piece
        else:
            parts.append(piece)
