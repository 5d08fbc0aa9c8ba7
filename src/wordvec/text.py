"""Tokenizing and streaming sentences from files, directories and iterables.

Every reader here streams: memory stays constant whatever the size of the input.
A *source* is any of

- a path to a text file (plain, ``.gz``, ``.bz2`` or ``.xz``),
- a path to a directory (its files, sorted by name, hidden files skipped),
- a list or tuple of ``pathlib.Path`` objects (plain strings in a list are
  sentences, not paths),
- an iterable of strings (one sentence each) or of token lists.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from wordvec._io import check_readable
from wordvec._lines import ReadStats, check_encoding, read_lines, read_pieces
from wordvec._validation import check_int

Tokenizer = Callable[[str], list[str]]
Source = str | os.PathLike | Iterable

_CJK_RANGES = (
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x2FA1F),  # CJK Extensions B-F, compatibility supplement
)


def _ranges_to_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """Build the default token pattern once, on first use.

    A word is a run of letters, digits and combining marks of any script (so the
    vowel signs of Devanagari or Thai stay inside their word), optionally joined by
    an apostrophe (``don't``). Each CJK ideograph or kana is a token of its own,
    since those scripts do not put spaces between words. Python's ``\\w`` covers
    letters and digits but not combining marks, so the marks are added as a class.
    """
    marks: list[tuple[int, int]] = []
    start = None
    category = unicodedata.category
    for cp in range(0x323B0):  # beyond this only private-use and unassigned planes
        inside = category(chr(cp))[0] == "M"
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            marks.append((start, cp - 1))
            start = None
    cjk = _ranges_to_class(list(_CJK_RANGES))
    letters = f"[^\\W_{cjk}]"
    word = f"{letters}+(?:[{_ranges_to_class(marks)}]+{letters}*)*"
    return re.compile(f"{word}(?:['’]{word})*|[{cjk}]")


_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")


def _ascii_twin(text: str) -> str:
    """Return ``text`` with typographic quotes and dashes made ASCII, without changing its tokens.

    In the full pattern ``’`` joins words exactly as ``'`` does (and is then written
    ``'``), while ``‘ “ ” — –`` separate words as a space does; for ASCII text the
    full and the ASCII patterns agree. So a line that is ASCII apart from these
    characters (most lines of English novels) can take the ASCII pattern, which is
    about twice as fast.

    >>> _ascii_twin("“Don’t—go,” he said.")
    " Don't go,  he said."
    """
    return (
        text.replace("’", "'")
        .replace("“", " ")
        .replace("”", " ")
        .replace("—", " ")
        .replace("‘", " ")
        .replace("–", " ")
    )


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split ``text`` into word tokens, for any script.

    Words are runs of letters, combining marks and digits (Unicode-aware, so
    Vietnamese, Greek, Cyrillic, Devanagari and Arabic words come out whole);
    punctuation and spaces separate them; an inner apostrophe is kept
    (``don't``). Chinese and Japanese characters, written without spaces, become
    one token each; pass a segmenter as the tokenizer of a reader for real words.
    Text is NFC-normalized first and a typographic apostrophe inside a word
    becomes ``'``.

    Args:
        text (str): The text to split.
        lowercase (bool, default True): Lowercase the tokens.

    Returns:
        list[str]: The tokens in order.

    Raises:
        TypeError: If ``text`` is not a string.

    >>> tokenize("Người đăng: Hello, World! Don’t")
    ['người', 'đăng', 'hello', 'world', "don't"]
    >>> tokenize("我爱北京", lowercase=False)
    ['我', '爱', '北', '京']
    """
    if not isinstance(text, str):
        raise TypeError(
            f"tokenize expects a str, got {type(text).__name__}; decode bytes first "
            "(text.decode('utf-8'))."
        )
    if lowercase:
        text = text.lower()
    if text.isascii():
        return _ASCII_WORD.findall(text)
    twin = _ascii_twin(text)
    if twin.isascii():
        return _ASCII_WORD.findall(twin)
    return _unicode_tokens(text)


def _unicode_tokens(text: str) -> list[str]:
    """Tokens of ``text`` (already lowercased if wanted) by the full Unicode pattern."""
    tokens = _word_pattern().findall(unicodedata.normalize("NFC", text))
    if "’" in text:  # one spelling for don't and don’t
        tokens = [t.replace("’", "'") for t in tokens]
    return tokens


def _whitespace(text: str) -> list[str]:
    return text.split()


def resolve_tokenizer(tokenizer: str | Tokenizer | None) -> Tokenizer:
    """Return the callable behind a tokenizer option.

    Args:
        tokenizer: ``"default"`` (:func:`tokenize`), ``"whitespace"`` (``str.split``,
            fastest, for pre-tokenized text) or any callable ``str -> list[str]``.

    Raises:
        TypeError: If ``tokenizer`` is neither a known name nor callable.

    >>> resolve_tokenizer("whitespace")("a b  c")
    ['a', 'b', 'c']
    """
    if tokenizer is None or tokenizer == "default":
        return tokenize
    if tokenizer == "whitespace":
        return _whitespace
    if callable(tokenizer):
        return tokenizer
    raise TypeError(
        "tokenizer must be 'default', 'whitespace' or a callable str -> list[str], "
        f"got {tokenizer!r}."
    )


def list_files(path: str | os.PathLike) -> list[Path]:
    """Return the files a path stands for: itself, or a directory's files sorted by name.

    Hidden files (names starting with ``.``) in a directory are skipped; the
    directory is walked recursively.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If ``path`` is a directory with no files, or neither a file nor a
            directory (a device, a pipe).
    """
    p = check_readable(path, "corpus path")
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise ValueError(
            f"the corpus path {str(p)!r} is neither a file nor a directory (a device or a "
            "pipe); pass a text file or a directory of them (write piped text to a file "
            "first)."
        )
    files = sorted(
        f
        for f in p.rglob("*")
        if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
    )
    if not files:
        raise ValueError(f"the directory {str(p)!r} holds no files; expected text files in it.")
    return files


def _is_path(source: object) -> bool:
    return isinstance(source, (str, os.PathLike))


def _is_path_list(source: object) -> bool:
    return (
        isinstance(source, (list, tuple))
        and len(source) > 0
        and all(isinstance(s, os.PathLike) for s in source)
    )


def check_source(source: Source) -> None:
    """Check that a source can be read, before any work starts.

    Raises:
        FileNotFoundError: If a path in the source does not exist.
        TypeError: If the source is not a path, a list of paths or an iterable.
    """
    if _is_path(source):
        list_files(source)
    elif _is_path_list(source):
        for s in source:
            list_files(s)
    elif isinstance(source, (bytes, bytearray)) or not isinstance(source, Iterable):
        raise TypeError(
            "a corpus must be a path, a directory, a list of paths or an iterable of "
            f"strings or token lists, got {type(source).__name__}."
        )


def _files_of(source: Source) -> list[Path] | None:
    """The files a path source stands for, in order; None for an iterable source."""
    check_source(source)
    if _is_path(source):
        return list_files(source)
    if _is_path_list(source):
        return [f for p in source for f in list_files(p)]
    return None


def iter_lines(
    source: Source,
    *,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    stats: ReadStats | None = None,
) -> Iterator:
    """Yield the items of a source: text lines of files, or the iterable's own items.

    Lines from files come without their line ending (``\n`` or ``\r\n``), a UTF-8
    byte-order mark is dropped, NUL bytes become spaces; blank lines are kept (readers
    above skip them). Each line is held whole: for corpora with very long lines use
    :func:`iter_sentences`, which reads them in bounded pieces.

    Args:
        source: A path, a directory, a list of ``Path`` objects, or an iterable of
            strings or token lists.
        encoding (str, default "utf-8"): Text encoding of files.
        encoding_errors (str, default "strict"): Undecodable bytes: ``"strict"`` raises
            an error naming the file, line and byte offset; ``"replace"`` / ``"ignore"``
            replace or drop them and count the affected lines in ``stats``.
        stats (ReadStats | None, default None): Receives what tolerant reading got past.

    Raises:
        FileNotFoundError: If a path does not exist.
        wordvec._lines.TextDecodeError: On undecodable bytes with "strict".
        wordvec._lines.BinaryFileError: On a binary file with "strict".

    >>> list(iter_lines(["a b", "c"]))
    ['a b', 'c']
    """
    check_encoding(encoding, encoding_errors)
    files = _files_of(source)
    if files is None:
        yield from source  # type: ignore[misc]
        return
    for f in files:
        yield from read_lines(f, encoding=encoding, encoding_errors=encoding_errors, stats=stats)


def chunk(tokens: list, max_sentence_length: int) -> Iterator[list]:
    """Split a token list into pieces of at most ``max_sentence_length`` tokens.

    No token is dropped: the pieces concatenate back to ``tokens``.

    >>> list(chunk(["a", "b", "c"], 2))
    [['a', 'b'], ['c']]
    """
    if len(tokens) <= max_sentence_length:
        yield tokens
        return
    for start in range(0, len(tokens), max_sentence_length):
        yield tokens[start : start + max_sentence_length]


def _file_sentences(
    path: Path, tok: Tokenizer, max_len: int, encoding: str, errors: str, stats: ReadStats | None
) -> Iterator[list]:
    """Sentences of one file, a line at a time; a long line is tokenized piece by piece
    and its tokens carried over between pieces, so the sentences are exactly those of
    the whole line chunked at ``max_len`` while memory stays bounded."""
    pending: list = []
    for text, complete in read_pieces(path, encoding=encoding, encoding_errors=errors, stats=stats):
        tokens = tok(text)
        if pending:
            tokens = pending + tokens
            pending = []
        if complete:
            if tokens:
                yield from chunk(tokens, max_len)
            continue
        full = len(tokens) - len(tokens) % max_len
        for start in range(0, full, max_len):
            yield tokens[start : start + max_len]
        pending = tokens[full:]
    if pending:  # a last line without newline, cut in pieces, whose last piece ended in a space
        yield pending


def iter_sentences(
    source: Source,
    *,
    tokenizer: str | Tokenizer | None = "default",
    max_sentence_length: int = 10_000,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    stats: ReadStats | None = None,
) -> Iterator[list]:
    """Stream a source as token lists, one sentence (line) at a time.

    Strings are tokenized; token lists (from an iterable) pass through as they are,
    so any hashable tokens work. Empty sentences are skipped. Sentences longer than
    ``max_sentence_length`` are split into chunks without dropping tokens. Files are
    read in bounded pieces: a line of any length (text8 is one line of 100 MB) costs
    the same memory as a short one, and gives the same sentences as if read whole.

    Args:
        source: A path (plain, ``.gz``, ``.bz2``, ``.xz``), a directory, a list of
            paths, or an iterable of strings or token lists.
        tokenizer (str | callable, default "default"): ``"default"``
            (:func:`tokenize`), ``"whitespace"``, or a callable ``str -> list[str]``.
        max_sentence_length (int, default 10000): Longest sentence yielded.
        encoding (str, default "utf-8"): Text encoding of files.
        encoding_errors (str, default "strict"): Undecodable bytes in files:
            ``"strict"`` raises an error naming the file, line and byte offset;
            ``"replace"`` / ``"ignore"`` replace or drop them (see :func:`iter_lines`).
        stats (ReadStats | None, default None): Receives the number of lines with
            undecodable bytes and the binary files skipped under "replace"/"ignore".

    Raises:
        FileNotFoundError: If a path does not exist.
        ValueError: If ``max_sentence_length`` < 1, or on undecodable bytes or a binary
            file with ``encoding_errors="strict"``.

    >>> list(iter_sentences(["The cat sat.", ["a", "b", "c"]], max_sentence_length=2))
    [['the', 'cat'], ['sat'], ['a', 'b'], ['c']]
    """
    max_sentence_length = check_int(max_sentence_length, "max_sentence_length", minimum=1)
    tok = resolve_tokenizer(tokenizer)
    check_encoding(encoding, encoding_errors)
    files = _files_of(source)
    if files is None:
        for item in source:  # type: ignore[union-attr]
            tokens = tok(item) if isinstance(item, str) else list(item)
            if tokens:
                yield from chunk(tokens, max_sentence_length)
        return
    for f in files:
        yield from _file_sentences(f, tok, max_sentence_length, encoding, encoding_errors, stats)


class Sentences:
    """A re-iterable stream of sentences, for trainers that make several passes.

    Each iteration re-reads the source, so memory stays constant. A one-shot
    iterator (e.g. a generator) can be read only once; wrap a list or a path for
    several passes.

    Args:
        source: As for :func:`iter_sentences`.
        tokenizer: As for :func:`iter_sentences`.
        max_sentence_length (int, default 10000): Longest sentence yielded.
        encoding (str, default "utf-8"): Text encoding of files.
        encoding_errors (str, default "strict"): As for :func:`iter_sentences`.

    >>> s = Sentences(["a b", "c"])
    >>> list(s) == list(s)
    True
    """

    def __init__(
        self,
        source: Source,
        *,
        tokenizer: str | Tokenizer | None = "default",
        max_sentence_length: int = 10_000,
        encoding: str = "utf-8",
        encoding_errors: str = "strict",
    ) -> None:
        check_source(source)
        check_int(max_sentence_length, "max_sentence_length", minimum=1)
        resolve_tokenizer(tokenizer)
        check_encoding(encoding, encoding_errors)
        self.source = source
        self.tokenizer = tokenizer
        self.max_sentence_length = max_sentence_length
        self.encoding = encoding
        self.encoding_errors = encoding_errors

    def __iter__(self) -> Iterator[list]:
        return iter_sentences(
            self.source,
            tokenizer=self.tokenizer,
            max_sentence_length=self.max_sentence_length,
            encoding=self.encoding,
            encoding_errors=self.encoding_errors,
        )


__all__ = [
    "ReadStats",
    "Sentences",
    "check_source",
    "chunk",
    "iter_lines",
    "iter_sentences",
    "list_files",
    "resolve_tokenizer",
    "tokenize",
]
