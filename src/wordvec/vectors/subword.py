"""fastText's character n-grams: which n-grams a word has, their hash, and word vectors.

This is fastText's rule, written once (``Dictionary::computeSubwords`` and
``Dictionary::hash`` in fastText's ``dictionary.cc``), so that wordvec's files and
vectors are interchangeable with fastText's and gensim's:

- a word is wrapped in ``<`` and ``>`` and taken as UTF-8 bytes;
- its n-grams are the runs of ``minn`` to ``maxn`` *characters* (a character is a lead
  byte and the continuation bytes ``10xxxxxx`` after it; an n-gram never starts on a
  continuation byte), leaving out the single characters ``<`` and ``>`` themselves;
- an n-gram's row is ``fnv1a(bytes) % bucket``, where the 32-bit FNV-1a hash XORs each
  byte *sign-extended* (fastText's ``int8_t`` quirk: bytes >= 0x80 become ``0xFFFFFFxx``);
- a word's vector is the mean of its own row (when it is in the vocabulary) and the rows
  of its n-grams, accumulated in float32 in that order, as ``FastText::getWordVector``.
  The end-of-sentence token ``</s>`` has no n-grams.

The readable references (:func:`fnv1a`, :func:`ngram_bytes`, :func:`ngram_ids`,
:func:`compose_reference`) define the behaviour; the numba kernels
(:func:`bulk_ngram_ids`, :func:`compose`) do the same for many words at once and are
tested against them.

>>> ngrams("where", minn=3, maxn=4)[:5]
['<wh', '<whe', 'whe', 'wher', 'her']
>>> fnv1a(b"<wh"), ngram_ids("where", minn=3, maxn=3, bucket=2_000_000)[:2]
(1048167652, [167652, 420941])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

BOW = "<"
EOW = ">"
EOS = "</s>"
_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619
_CHUNK_WORDS = 65536

__all__ = [
    "BOW",
    "EOS",
    "EOW",
    "bulk_ngram_ids",
    "compose",
    "compose_reference",
    "encode_word",
    "fnv1a",
    "ngram_bytes",
    "ngram_ids",
    "ngrams",
]


def encode_word(word: str) -> bytes:
    """Return the bytes fastText hashes for ``word`` (UTF-8; undecodable bytes a reader
    kept with ``unicode_errors="surrogateescape"`` come back as they were).

    >>> encode_word("né")
    b'n\\xc3\\xa9'
    """
    return word.encode("utf-8", errors="surrogateescape")


# -- readable references ---------------------------------------------------------------


def fnv1a(data: bytes) -> int:
    """Return fastText's 32-bit FNV-1a hash of ``data`` (bytes sign-extended, as fastText).

    Args:
        data (bytes): The bytes of an n-gram or word.

    >>> fnv1a(b""), fnv1a(b"a"), fnv1a("é".encode())
    (2166136261, 3826002220, 1023043777)
    """
    h = _FNV_OFFSET
    for byte in data:
        h ^= byte if byte < 0x80 else byte | 0xFFFFFF00
        h = (h * _FNV_PRIME) & 0xFFFFFFFF
    return h


def ngram_bytes(word: str | bytes, minn: int = 3, maxn: int = 6) -> list[bytes]:
    """Return the n-grams of ``<word>`` as bytes, in fastText's order.

    Args:
        word (str | bytes): The word (not yet wrapped in ``<`` ``>``).
        minn (int, default 3): Shortest n-gram, in characters.
        maxn (int, default 6): Longest n-gram, in characters (0: none).

    >>> ngram_bytes("ab", minn=1, maxn=2)
    [b'<a', b'a', b'ab', b'b', b'b>']
    """
    raw = word if isinstance(word, bytes) else encode_word(word)
    if raw == EOS.encode():
        return []
    w = b"<" + raw + b">"
    out = []
    for i in range(len(w)):
        if w[i] & 0xC0 == 0x80:
            continue
        j, n = i, 1
        while j < len(w) and n <= maxn:
            j += 1
            while j < len(w) and w[j] & 0xC0 == 0x80:
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == len(w))):
                out.append(w[i:j])
            n += 1
    return out


def ngrams(word: str, minn: int = 3, maxn: int = 6) -> list[str]:
    """Return the n-grams of ``<word>`` as strings, in fastText's order.

    Args:
        word (str): The word.
        minn (int, default 3): Shortest n-gram, in characters.
        maxn (int, default 6): Longest n-gram, in characters.

    >>> ngrams("né", minn=2, maxn=2)
    ['<n', 'né', 'é>']
    """
    return [g.decode("utf-8", errors="surrogateescape") for g in ngram_bytes(word, minn, maxn)]


def ngram_ids(
    word: str | bytes, minn: int = 3, maxn: int = 6, bucket: int = 2_000_000
) -> list[int]:
    """Return the bucket rows of the n-grams of ``<word>`` (``fnv1a(ngram) % bucket``).

    Args:
        word (str | bytes): The word.
        minn (int, default 3): Shortest n-gram, in characters.
        maxn (int, default 6): Longest n-gram, in characters.
        bucket (int, default 2_000_000): Number of n-gram rows.

    >>> ngram_ids("a", minn=3, maxn=3, bucket=10)
    [0]
    """
    if bucket <= 0:
        return []
    return [fnv1a(g) % bucket for g in ngram_bytes(word, minn, maxn)]


def compose_reference(
    word: str,
    row: int,
    vectors_vocab: np.ndarray,
    vectors_ngrams: np.ndarray,
    minn: int,
    maxn: int,
) -> np.ndarray:
    """Return the vector of ``word``: the mean of its row (``row >= 0``) and n-gram rows.

    A word with neither gets zeros, as fastText; a word without n-grams (``</s>``, or
    ``maxn=0``) gets its row unchanged (fastText's sum turns a -0.0 into 0.0).

    Shape:
        ``(dim,)``

    >>> m = np.arange(6, dtype=np.float32).reshape(3, 2)
    >>> compose_reference("a", 0, m[:1], m[1:], minn=3, maxn=3).tolist()
    [1.0, 2.0]
    """
    ids = ngram_ids(word, minn, maxn, len(vectors_ngrams))
    if row >= 0 and not ids:
        return vectors_vocab[row].astype(np.float32)  # its row, bit for bit (-0.0 kept)
    acc = np.zeros(vectors_vocab.shape[1], dtype=np.float32)
    k = 0
    if row >= 0:
        acc += vectors_vocab[row]
        k += 1
    for i in ids:
        acc += vectors_ngrams[i]
        k += 1
    if k:
        acc *= np.float32(1.0 / k)
    return acc


# -- numba kernels ---------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _walk(buf, lo, hi, minn, maxn, bucket, out, pos):  # pragma: no cover - numba
    """Visit the n-grams of the wrapped word ``buf[lo:hi]``; write their rows at
    ``out[pos:]`` if ``out`` is long enough; return how many there are."""
    count = 0
    for i in range(lo, hi):
        if (buf[i] & 0xC0) == 0x80:
            continue
        h = np.uint32(_FNV_OFFSET)
        j = i
        n = 1
        while j < hi and n <= maxn:
            h = _fnv_step(h, buf[j])
            j += 1
            while j < hi and (buf[j] & 0xC0) == 0x80:
                h = _fnv_step(h, buf[j])
                j += 1
            if n >= minn and not (n == 1 and (i == lo or j == hi)):
                if pos + count < out.shape[0]:
                    out[pos + count] = np.int64(h % np.uint32(bucket))
                count += 1
            n += 1
    return count


@njit(cache=True, nogil=True)
def _fnv_step(h, byte):  # pragma: no cover - numba
    x = np.uint32(byte)
    if x >= 0x80:
        x = x | np.uint32(0xFFFFFF00)
    return np.uint32((h ^ x) * np.uint32(_FNV_PRIME))


@njit(cache=True, nogil=True)
def ngram_csr(
    buf: np.ndarray, bounds: np.ndarray, minn: int, maxn: int, bucket: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """N-gram rows of many wrapped words: ``buf[bounds[w]:bounds[w + 1]]`` is ``<word>``
    (an empty span for a word without n-grams). Returns ``(ids, offsets)``: word ``w``
    has ``ids[offsets[w]:offsets[w + 1]]``."""
    n = bounds.shape[0] - 1
    offsets = np.zeros(n + 1, dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    if maxn > 0 and bucket > 0:
        for w in range(n):
            got = _walk(buf, bounds[w], bounds[w + 1], minn, maxn, bucket, empty, 0)
            offsets[w + 1] = offsets[w] + got
    ids = np.empty(offsets[n], dtype=np.int64)
    if maxn > 0 and bucket > 0:
        for w in range(n):
            _walk(buf, bounds[w], bounds[w + 1], minn, maxn, bucket, ids, offsets[w])
    return ids, offsets


@njit(cache=True, nogil=True)
def compose_csr(
    rows: np.ndarray,
    vectors_vocab: np.ndarray,
    ids: np.ndarray,
    offsets: np.ndarray,
    vectors_ngrams: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - numba
    """``out[w]`` = mean of ``vectors_vocab[rows[w]]`` (if ``rows[w] >= 0``) and the
    n-gram rows ``vectors_ngrams[ids[offsets[w]:offsets[w + 1]]]``, summed in float32 in
    that order (zeros for a word with neither; a word without n-grams copies its row)."""
    dim = out.shape[1]
    acc = np.empty(dim, dtype=np.float32)
    for w in range(rows.shape[0]):
        if offsets[w] == offsets[w + 1] and rows[w] >= 0:
            out[w, :] = vectors_vocab[rows[w]]  # a word alone: its row, bit for bit
            continue
        acc[:] = 0.0
        k = 0
        if rows[w] >= 0:
            acc += vectors_vocab[rows[w]]
            k += 1
        for p in range(offsets[w], offsets[w + 1]):
            acc += vectors_ngrams[ids[p]]
            k += 1
        if k > 0:
            scale = np.float32(1.0 / k)
            for d in range(dim):
                out[w, d] = acc[d] * scale
        else:
            out[w, :] = 0.0


def _wrapped(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``<word>`` bytes of every word, concatenated, and their bounds (``</s>``: empty)."""
    parts = [b"" if w == EOS else b"<" + encode_word(w) + b">" for w in words]
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    bounds = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return np.frombuffer(b"".join(parts), dtype=np.uint8), bounds


def bulk_ngram_ids(
    words: Sequence[str], minn: int = 3, maxn: int = 6, bucket: int = 2_000_000
) -> tuple[np.ndarray, np.ndarray]:
    """Return the n-gram rows of many words at once (numba), as :func:`ngram_ids` each.

    Args:
        words (Sequence[str]): The words.
        minn (int, default 3): Shortest n-gram, in characters.
        maxn (int, default 6): Longest n-gram, in characters.
        bucket (int, default 2_000_000): Number of n-gram rows.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``ids`` (int64) and ``offsets`` (int64,
        ``len(words) + 1``): word ``i`` has ``ids[offsets[i]:offsets[i + 1]]``.

    >>> ids, offsets = bulk_ngram_ids(["a", "ab"], minn=3, maxn=3, bucket=10)
    >>> ids[offsets[1]:offsets[2]].tolist() == ngram_ids("ab", 3, 3, 10)
    True
    """
    buf, bounds = _wrapped(words)
    return ngram_csr(buf, bounds, minn, maxn, bucket)


def compose(
    words: Sequence[str],
    rows: np.ndarray,
    vectors_vocab: np.ndarray,
    vectors_ngrams: np.ndarray,
    minn: int,
    maxn: int,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Return the vectors of many words (numba), as :func:`compose_reference` each.

    Words are processed in chunks so the n-gram lists stay small.

    Args:
        words (Sequence[str]): The words.
        rows (np.ndarray): int64, each word's row in ``vectors_vocab`` or -1.
        vectors_vocab (np.ndarray): float32 ``(n_vocab, dim)``, the words' own rows.
        vectors_ngrams (np.ndarray): float32 ``(bucket, dim)``, the n-gram rows.
        minn (int): Shortest n-gram, in characters.
        maxn (int): Longest n-gram, in characters.
        out (np.ndarray | None, default None): float32 ``(len(words), dim)`` to fill.

    Shape:
        ``-> (len(words), dim)``

    >>> m = np.arange(6, dtype=np.float32).reshape(3, 2)
    >>> compose(["a"], np.array([0]), m[:1], m[1:], minn=3, maxn=3).tolist()
    [[1.0, 2.0]]
    """
    dim = vectors_vocab.shape[1]
    if out is None:
        out = np.empty((len(words), dim), dtype=np.float32)
    rows = np.asarray(rows, dtype=np.int64)
    bucket = len(vectors_ngrams)
    for start in range(0, len(words), _CHUNK_WORDS):
        stop = min(start + _CHUNK_WORDS, len(words))
        ids, offsets = bulk_ngram_ids(words[start:stop], minn, maxn, bucket)
        compose_csr(rows[start:stop], vectors_vocab, ids, offsets, vectors_ngrams, out[start:stop])
    return out
