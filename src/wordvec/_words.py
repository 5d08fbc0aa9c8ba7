"""One codec for lists of words stored as UTF-8 bytes with offsets.

The native vector format and the model files keep a vocabulary as one uint8 array of
UTF-8 bytes and an int64 array of ``n + 1`` offsets: word ``i`` is
``blob[offsets[i]:offsets[i + 1] - len(terminator)]``. The native format ends each word
with a newline (the file then reads as text); model files use no terminator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pack_words(words: Sequence[str], terminator: bytes = b"\n") -> tuple[np.ndarray, np.ndarray]:
    """Return ``(blob, offsets)``: the words as UTF-8 bytes, each followed by ``terminator``.

    Args:
        words: The words.
        terminator (bytes, default b"\\n"): Bytes after each word (b"" for none).

    Shape:
        ``blob``: ``(bytes,)`` uint8; ``offsets``: ``(len(words) + 1,)`` int64.

    >>> blob, offsets = pack_words(["a", "é"])
    >>> blob.tobytes(), offsets.tolist()
    (b'a\\n\\xc3\\xa9\\n', [0, 2, 5])
    """
    n = len(words)
    term = terminator.decode("utf-8")
    blob = "".join(w + term for w in words).encode("utf-8") if term else "".join(words).encode()
    extra = len(terminator)
    if blob.isascii():
        lengths = np.fromiter((len(w) + extra for w in words), np.int64, count=n)
    else:
        lengths = np.fromiter((len(w.encode("utf-8")) + extra for w in words), np.int64, count=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.frombuffer(blob, dtype=np.uint8).copy(), offsets


def unpack_words(
    blob: np.ndarray | bytes,
    offsets: np.ndarray,
    terminator: bytes = b"\n",
    errors: str = "strict",
) -> list[str]:
    """Return the words that :func:`pack_words` packed.

    Args:
        blob: The UTF-8 bytes (uint8 array or bytes).
        offsets: int64 offsets, ``n + 1`` of them.
        terminator (bytes, default b"\\n"): The bytes after each word.
        errors (str, default "strict"): How undecodable bytes are handled (as in
            ``bytes.decode``).

    Raises:
        UnicodeDecodeError: If a word is not valid UTF-8 and ``errors="strict"``.

    >>> unpack_words(*pack_words(["a", "b c", ""], b""), b"")
    ['a', 'b c', '']
    """
    raw = blob.tobytes() if isinstance(blob, np.ndarray) else bytes(blob)
    n = len(offsets) - 1
    extra = len(terminator)
    if terminator == b"\n":
        words = raw[: int(offsets[-1])].decode("utf-8", errors=errors).split("\n") if n else [""]
        if len(words) == n + 1:  # exactly one newline a word: the fast path
            words.pop()
            return words
    bounds = offsets.tolist()
    return [raw[bounds[i] : bounds[i + 1] - extra].decode("utf-8", errors=errors) for i in range(n)]
