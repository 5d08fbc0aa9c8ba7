"""Each rank's share of the corpus: every file cut by bytes at line boundaries.

Every rank is given the same paths. Each file is cut into ``world_size`` contiguous
shares: share ``r`` starts at the first line that begins at or after byte
``r * size // world_size`` (so the shares differ in size by less than one line per
file) and ends where share ``r + 1`` starts. Where no line begins within 1 MiB of that
byte (a file of very long lines, or one line, as text8), the cut goes after the next
space or tab instead, so such text is shared too. Rank ``r`` reads share ``r`` of every
file, in the order of the files, so the shares of all ranks read one after the other
are exactly the corpus of a single process, line for line.

Compressed files (``.gz``, ``.bz2``, ``.xz``) cannot be entered at a byte offset: a
rank decompresses such a file from its start, counting the decompressed bytes once to
know the size and skipping the bytes before its share while reading. Tokenizing (the
costly part) is still split; decompressing is repeated on every rank, so for large
corpora plain text (or many files) is faster.

Cut at a space, a long line's two parts become two sentences, where a single process
would have chunked the line by ``max_sentence_length`` from its start: the same tokens
and counts (so the same vocabulary), with at most one sentence boundary moved per cut.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from wordvec._io import compression_of, open_binary
from wordvec._lines import (
    _BOM,
    PIECE_BYTES,
    ReadStats,
    _ascii_compatible,
    _check_binary,
    _Decoder,
    check_encoding,
    split_blocks,
    utf8_line_blocks,
)
from wordvec.text import _files_of, chunk, resolve_tokenizer
from wordvec.train.corpus import BlockStreams

logger = logging.getLogger(__name__)

_BLOCK = 1 << 16
_LONG_LINE = 1 << 20  # no line start within this many bytes: cut after a space instead
_SPACE = re.compile(rb"[ \t]")


@dataclass(frozen=True)
class Share:
    """Bytes ``[start, end)`` of one (decompressed) file: one rank's part of it.

    Attributes:
        path (Path): The file.
        start (int): First byte (the start of a line).
        end (int): One past the last byte.
    """

    path: Path
    start: int
    end: int


def file_size(path: Path) -> int:
    """Return the size of ``path`` in bytes, decompressed if it is compressed."""
    if compression_of(path) is None:
        return path.stat().st_size
    total = 0
    with open_binary(path) as fh:
        while block := fh.read(1 << 20):
            total += len(block)
    return total


def _skip(fh, n: int) -> None:
    """Move ``fh`` ``n`` bytes forward (seek when possible, else read and drop)."""
    if n <= 0:
        return
    if fh.seekable() and not hasattr(fh, "decompress"):
        fh.seek(n, 1)
        return
    while n > 0:
        block = fh.read(min(n, 1 << 20))
        if not block:
            return
        n -= len(block)


def line_start_at_or_after(path: Path, offset: int, size: int) -> int:
    """Return the offset of the first line that starts at or after byte ``offset`` (if
    none starts within 1 MiB, the byte after the next space or tab).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"ab\\ncd\\nef\\n")
    >>> [line_start_at_or_after(p, k, 9) for k in range(10)]
    [0, 3, 3, 3, 6, 6, 6, 9, 9, 9]
    """
    if offset <= 0:
        return 0
    if offset >= size:
        return size
    with open_binary(path) as fh:
        _skip(fh, offset - 1)  # a line starts at `offset` if the byte before is "\n"
        window = fh.read(_LONG_LINE)  # window[i] is byte offset - 1 + i
        at = window.find(b"\n")
        if at < 0:  # a very long line: cut after its next space or tab (never inside
            space = _SPACE.search(window)  # a UTF-8 sequence, whose bytes are >= 0x80)
            at = space.start() if space else -1
        if at >= 0:
            return min(offset + at, size)
        pos = offset - 1 + len(window)
        while block := fh.read(_BLOCK):
            at = block.find(b"\n")
            if at >= 0:
                return min(pos + at + 1, size)
            pos += len(block)
    return size


def share_of(path: Path, rank: int, world_size: int, size: int | None = None) -> Share:
    """Return rank ``rank``'s :class:`Share` of ``path`` among ``world_size`` ranks.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"one\\ntwo\\nthree\\nfour\\n")
    >>> [(s.start, s.end) for s in (share_of(p, r, 2) for r in range(2))]
    [(0, 14), (14, 19)]
    """
    size = file_size(path) if size is None else size
    start = line_start_at_or_after(path, size * rank // world_size, size)
    end = line_start_at_or_after(path, size * (rank + 1) // world_size, size)
    return Share(path, start, max(start, end))


def _blocks(share: Share) -> Iterator[bytes]:
    with open_binary(share.path) as fh:
        _skip(fh, share.start)
        left = share.end - share.start
        while left > 0:
            block = fh.read(min(PIECE_BYTES, left))
            if not block:
                return
            left -= len(block)
            yield block


def _cuttable(encoding: str, encoding_errors: str) -> str:
    """Return the normalized ``encoding``; raise if its text cannot be cut by bytes."""
    encoding = check_encoding(encoding, encoding_errors)
    if not _ascii_compatible(encoding):
        raise ValueError(
            f"distributed training cuts files by bytes at line ends, which {encoding} text "
            "cannot be; convert the corpus to UTF-8 (iconv -t utf-8) first."
        )
    return encoding


def _share_reader(
    share: Share, encoding: str, encoding_errors: str, stats: ReadStats | None
) -> tuple[Iterator[bytes], _Decoder, bool] | None:
    """The byte blocks of a share, their decoder and whether the text is UTF-8; None if
    the file is skipped as binary (see :func:`read_share_pieces`)."""
    encoding = _cuttable(encoding, encoding_errors)
    name = str(share.path)
    with open_binary(share.path) as fh:
        if _check_binary(fh.read(8192), name, encoding, encoding_errors, stats):
            return None
    label = name if share.start == 0 else f"{name} (from byte {share.start}, this rank's share)"
    decode = _Decoder(label, encoding, encoding_errors, stats)
    decode.offset = share.start
    utf8 = encoding == "utf-8"

    def blocks() -> Iterator[bytes]:
        first = share.start == 0
        for data in _blocks(share):
            if first and utf8 and data.startswith(_BOM):
                decode.offset += len(_BOM)
                data = data[len(_BOM) :]
            first = False
            yield data

    return blocks(), decode, utf8


def read_share_pieces(
    share: Share,
    *,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    stats: ReadStats | None = None,
) -> Iterator[tuple[str, bool]]:
    """Yield the lines of a share as ``(text, complete)``, decoded as
    :func:`wordvec._lines.read_pieces` decodes a whole file (bounded pieces for long
    lines, byte-order mark, NUL bytes, located decoding errors).

    Raises:
        ValueError: For an encoding whose line end is not the byte ``\\n`` (UTF-16,
            UTF-32), which cannot be cut by bytes.
        wordvec._lines.TextDecodeError: On undecodable bytes with "strict"; the line
            number counts from the start of the share.
    """
    reader = _share_reader(share, encoding, encoding_errors, stats)
    if reader is not None:
        blocks, decode, utf8 = reader
        yield from split_blocks(blocks, decode, utf8=utf8, piece_bytes=PIECE_BYTES)


def read_share_utf8_blocks(
    share: Share,
    *,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    stats: ReadStats | None = None,
) -> Iterator[tuple[bytes, bool]]:
    """Yield a share as ``(data, complete)`` UTF-8 blocks of whole lines, as
    :func:`wordvec._lines.read_utf8_blocks` yields a whole file (checked and decoded as
    :func:`read_share_pieces` decodes it), for the compiled corpus pass.

    Raises:
        As :func:`read_share_pieces`.
    """
    reader = _share_reader(share, encoding, encoding_errors, stats)
    if reader is not None:
        blocks, decode, utf8 = reader
        yield from utf8_line_blocks(blocks, decode, utf8=utf8, piece_bytes=PIECE_BYTES)


@dataclass
class ShareCounts:
    """What reading a rank's shares produced, per file (filled while reading).

    Attributes:
        positions (list[int]): For each file, the number of id-file positions (tokens
            plus sentence ends) of its share.
    """

    positions: list


def share_sentences(
    shares: list[Share],
    *,
    tokenizer: str | Callable[[str], list[str]] = "default",
    max_sentence_length: int = 10_000,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    stats: ReadStats | None = None,
    counts: ShareCounts | None = None,
) -> Iterator[list]:
    """Yield the sentences (token lists) of ``shares`` in order, exactly as
    :func:`wordvec.text.iter_sentences` yields them for the same lines.

    ``counts.positions`` receives, per share, the tokens plus sentences yielded.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"a b\\nc d e\\nf\\n")
    >>> [list(share_sentences([share_of(p, r, 2)])) for r in range(2)]
    [[['a', 'b'], ['c', 'd', 'e']], [['f']]]
    """
    tok = resolve_tokenizer(tokenizer)
    for share in shares:
        n = 0
        pending: list = []
        for text, complete in read_share_pieces(
            share, encoding=encoding, encoding_errors=encoding_errors, stats=stats
        ):
            tokens = tok(text)
            if pending:
                tokens, pending = pending + tokens, []
            if not complete:
                full = len(tokens) - len(tokens) % max_sentence_length
                pending = tokens[full:]
                tokens = tokens[:full]
            if tokens:
                for sentence in chunk(tokens, max_sentence_length):
                    n += len(sentence) + 1
                    yield sentence
        if pending:  # pragma: no cover - a share's last piece is always complete
            n += len(pending) + 1
            yield pending
        if counts is not None:
            counts.positions.append(n)


def share_blocks(
    shares: list[Share],
    *,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    counts: ShareCounts | None = None,
) -> BlockStreams:
    """The shares as :class:`~wordvec.train.corpus.BlockStreams` for the compiled corpus
    pass (``tokenizer="whitespace"``): the same ids as :func:`share_sentences` gives, in
    compiled code; ``counts.positions`` receives each share's id-file positions.

    Raises:
        ValueError: For an encoding whose line end is not the byte ``\\n`` (UTF-16,
            UTF-32), which cannot be cut by bytes.
    """
    _cuttable(encoding, encoding_errors)

    def stream(share: Share) -> Callable[[ReadStats], Iterator[tuple[bytes, bool]]]:
        def blocks(stats: ReadStats) -> Iterator[tuple[bytes, bool]]:
            return read_share_utf8_blocks(
                share, encoding=encoding, encoding_errors=encoding_errors, stats=stats
            )

        return blocks

    positions = counts.positions if counts is not None else []
    return BlockStreams([stream(s) for s in shares], positions.append)


def rank_shares(source: object, rank: int, world_size: int) -> list[Share]:
    """Return rank ``rank``'s share of every file of ``source`` (paths only).

    Raises:
        TypeError: If ``source`` is not a path, a directory or a list of paths (an
            in-memory iterable cannot be given to every rank).
        FileNotFoundError: If a path does not exist.
    """
    files = None
    try:
        files = _files_of(source)  # type: ignore[arg-type]
    except TypeError:
        pass
    if files is None:
        raise TypeError(
            "distributed training reads its corpus from files that every rank can open: "
            "pass a path, a directory or a list of pathlib.Path objects (the same on every "
            f"rank), not {type(source).__name__}."
        )
    shares = [share_of(Path(f), rank, world_size) for f in files]
    mine = sum(s.end - s.start for s in shares)
    logger.info("rank %d: %d file(s), %d bytes in this rank's share", rank, len(files), mine)
    return shares
