"""The corpus pass of whitespace-tokenized text in numba: UTF-8 bytes to word ids.

:func:`encode_block` scans a block of UTF-8 text for tokens (maximal runs of
non-whitespace characters, whitespace being exactly what Python's ``str.split()``
splits on, plus NUL), looks each one up in a :class:`TokenTable` (an open-addressing
hash table from byte strings to ids in order of first appearance, which counts the
tokens), and writes the ids with ``-1`` after each sentence, as
:func:`wordvec.train.corpus.encode_corpus` stores them. It gives the ids of
``str.split`` followed by a dict lookup per token, without making a Python string per
token; that Python pass of :func:`~wordvec.train.corpus.encode_corpus` is its readable
reference, and ``tests/test_train_fastread.py`` compares the two field by field.
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

import numpy as np
from numba import njit

#: Slots of the counters from :func:`tally`: tokens of the sentence still open at the end
#: of a block (it goes on in the next block), sentences ended, the longest one, tokens.
OPEN, SENTENCES, LONGEST, TOKENS = 0, 1, 2, 3

_SEED = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xFF51AFD7ED558CCD)
_MUL2 = np.uint64(0xC4CEB9FE1A85EC53)
_LOW = np.uint64(0xFFFFFFFF)
_HIGH = np.uint64(0xFFFFFFFF00000000)
_BYTE = np.uint64(8)
_WORD = np.uint64(64)


def _byte_classes() -> np.ndarray:
    """The class of each byte value: 0 part of a token, 1 a one-byte separator (ASCII
    whitespace but ``\\n``, and NUL), 2 ``\\n`` (ends a line), 3 the lead byte of a
    character that may be multi-byte whitespace (U+0085, U+00A0, U+1680, U+2000..200A,
    U+2028, U+2029, U+202F, U+205F, U+3000)."""
    classes = np.zeros(256, np.uint8)
    classes[[0x00, 0x09, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]] = 1
    classes[0x0A] = 2
    classes[[0xC2, 0xE1, 0xE2, 0xE3]] = 3
    return classes


_CLASSES = _byte_classes()


class TokenTable(NamedTuple):
    """Distinct tokens (UTF-8 byte strings) and their counts, ids in order of first appearance.

    Token ``i`` is ``arena[offsets[i]:offsets[i + 1]]``. ``slots`` is an open-addressing
    hash table (linear probing from the low bits of the token's hash, load at most 1/2):
    a slot holds the high 32 bits of the hash and ``id + 1`` (``0``: empty), so most
    probes that miss read no other array; ``heads`` holds each token's first 8 bytes
    (little-endian, zero-padded), so a token of up to 8 bytes is compared in one step.
    The arrays grow (by doubling) as tokens are added; :func:`encode_block` returns the
    grown table.

    Shape:
        ``slots``: ``(s,)`` uint64, ``s`` a power of two; ``hashes``: ``(m,)`` uint64,
        each token's hash (read when ``slots`` grows); ``heads``: ``(m,)`` uint64;
        ``offsets``: ``(m + 1,)`` int64; ``arena``: ``(b,)`` uint8; ``counts``: ``(m,)``
        int64; ``size``: ``(1,)`` int64, the number of tokens ``n`` (``n < m``,
        ``offsets[n] <= b``, ``2 * n <= s``).
    """

    slots: np.ndarray
    hashes: np.ndarray
    heads: np.ndarray
    offsets: np.ndarray
    arena: np.ndarray
    counts: np.ndarray
    size: np.ndarray


def token_table(tokens: int = 1 << 12, key_bytes: int = 1 << 16) -> TokenTable:
    """Allocate an empty :class:`TokenTable` with room for ``tokens`` tokens of
    ``key_bytes`` bytes in all (it grows past them).

    >>> token_table(100).slots.shape
    (256,)
    """
    tokens = max(int(tokens), 1)
    slots = 1 << max(int(2 * tokens - 1).bit_length(), 1)
    return TokenTable(
        np.zeros(slots, np.uint64),
        np.zeros(tokens + 1, np.uint64),
        np.zeros(tokens + 1, np.uint64),
        np.zeros(tokens + 2, np.int64),
        np.zeros(max(int(key_bytes), 1), np.uint8),
        np.zeros(tokens + 1, np.int64),
        np.zeros(1, np.int64),
    )


def tally() -> np.ndarray:
    """Return the zeroed counters :func:`encode_block` carries from block to block.

    Shape:
        ``(4,)`` int64, indexed by :data:`OPEN`, :data:`SENTENCES`, :data:`LONGEST`,
        :data:`TOKENS`.
    """
    return np.zeros(4, np.int64)


def table_words(table: TokenTable) -> list[str]:
    """Return the tokens of ``table`` as strings, in id order.

    Keys are decoded with ``surrogatepass``, the inverse of how
    :func:`wordvec._lines.read_utf8_blocks` encodes text that is not UTF-8 on disk.
    """
    n = int(table.size[0])
    offsets = table.offsets[: n + 1].tolist()
    data = table.arena[: offsets[-1]].tobytes()
    return [data[a:b].decode("utf-8", "surrogatepass") for a, b in pairwise(offsets)]


@njit(cache=True, nogil=True)
def _doubled(a: np.ndarray, need: int) -> np.ndarray:
    """Return a zero-padded copy of ``a`` at least twice as long and ``need`` long.

    Shape:
        ``(k,)`` -> ``(max(2 * k, need),)``
    """
    b = np.zeros(max(2 * a.shape[0], need), a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True, nogil=True)
def _grow(table: TokenTable, key_bytes: int) -> TokenTable:
    """Return ``table`` with room for one more token of ``key_bytes`` bytes.

    Shape:
        The arrays of ``table`` grow as in :class:`TokenTable`'s invariants.

    Returns:
        The table (new arrays where they had to grow, the old ones elsewhere).
    """
    slots, hashes, heads, offsets, arena, counts, size = table
    n = size[0]
    if n + 1 >= hashes.shape[0]:
        hashes = _doubled(hashes, n + 2)
        heads = _doubled(heads, n + 2)
        counts = _doubled(counts, n + 2)
        offsets = _doubled(offsets, n + 3)
    if offsets[n] + key_bytes > arena.shape[0]:
        arena = _doubled(arena, offsets[n] + key_bytes)
    if 2 * (n + 1) > slots.shape[0]:
        size_ = 2 * slots.shape[0]
        slots = np.zeros(size_, np.uint64)
        mask = size_ - 1
        for w in range(n):
            h = hashes[w]
            s = np.int64(h & _LOW) & mask
            while slots[s] != 0:
                s = (s + 1) & mask
            slots[s] = (h & _HIGH) | np.uint64(w + 1)
    return TokenTable(slots, hashes, heads, offsets, arena, counts, size)


@njit(cache=True, nogil=True, inline="always")
def _wide_space(data: np.ndarray, i: int, n: int) -> int:
    """Return the byte length of the whitespace character at ``data[i]``, a byte of
    class 3 (see ``_byte_classes``), or 0 if the character there is not whitespace.

    Shape:
        ``data``: ``(k,)`` uint8 with ``i < n <= k``.
    """
    b = data[i]
    if b == 0xC2:  # U+0085, U+00A0
        if i + 1 < n and (data[i + 1] == 0x85 or data[i + 1] == 0xA0):
            return 2
        return 0
    if i + 2 >= n:
        return 0
    b1, b2 = data[i + 1], data[i + 2]
    if b == 0xE1:  # U+1680
        return 3 if b1 == 0x9A and b2 == 0x80 else 0
    if b == 0xE2:
        if b1 == 0x80:  # U+2000..U+200A, U+2028, U+2029, U+202F
            if (0x80 <= b2 <= 0x8A) or b2 == 0xA8 or b2 == 0xA9 or b2 == 0xAF:
                return 3
            return 0
        return 3 if b1 == 0x81 and b2 == 0x9F else 0  # U+205F
    if b == 0xE3:  # U+3000
        return 3 if b1 == 0x80 and b2 == 0x80 else 0
    return 0


@njit(cache=True, nogil=True, inline="always")
def _scan_token(data: np.ndarray, i: int, n: int, classes: np.ndarray) -> tuple:
    """Read the token that starts at ``data[i]`` (it ends at whitespace or ``n``); return
    ``(end, hash, head)``: where it ends, its 64-bit hash and its first 8 bytes as a
    little-endian word (zero-padded). The bytes go 8 at a time into the hash."""
    start = i
    h = _SEED
    acc = np.uint64(0)
    head = np.uint64(0)
    shift = np.uint64(0)
    while i < n:
        b = data[i]
        if b <= 0x20 or b >= 0x80:  # ASCII letters, digits and signs are token bytes
            c = classes[b]
            if c != 0 and (c != 3 or _wide_space(data, i, n) > 0):
                break
        acc |= np.uint64(b) << shift
        shift += _BYTE
        i += 1
        if shift == _WORD:
            if i - start == 8:
                head = acc
            h = (h ^ acc) * _MUL1
            h ^= h >> np.uint64(29)
            acc = np.uint64(0)
            shift = np.uint64(0)
    length = i - start
    if length < 8:
        head = acc
    h = (h ^ acc ^ np.uint64(length)) * _MUL1
    h ^= h >> np.uint64(32)
    h *= _MUL2
    h ^= h >> np.uint64(29)
    return i, h, head


@njit(cache=True, nogil=True, inline="always")
def _end_sentence(out: np.ndarray, k: int, sentences: int, longest: int, open_: int) -> tuple:
    """Write a sentence end at ``out[k]``; return ``(k, sentences, longest)`` after it."""
    out[k] = -1
    return k + 1, sentences + 1, max(longest, open_)


@njit(cache=True, nogil=True)
def _fits(table: TokenTable, n_ids: int, length: int) -> bool:
    """Whether ``table`` (holding ``n_ids`` tokens) has room for one more of ``length``
    bytes without growing (see :func:`_grow`)."""
    return (
        n_ids + 1 < table.hashes.shape[0]
        and table.offsets[n_ids] + length <= table.arena.shape[0]
        and 2 * (n_ids + 1) <= table.slots.shape[0]
    )


@njit(cache=True, nogil=True)
def _insert(
    table: TokenTable, n_ids: int, data: np.ndarray, start: int, length: int, h: np.uint64,
    head: np.uint64, slot: int,
) -> None:  # fmt: skip
    """Add the token ``data[start:start + length]`` as id ``n_ids`` in the empty ``slot``
    (after :func:`_fits`; a token's first appearance, off the hot path)."""
    a = table.offsets[n_ids]
    table.arena[a : a + length] = data[start : start + length]
    table.offsets[n_ids + 1] = a + length
    table.hashes[n_ids] = h
    table.heads[n_ids] = head
    table.slots[slot] = (h & _HIGH) | np.uint64(n_ids + 1)


@njit(cache=True, nogil=True)
def _encode_run(
    data: np.ndarray, i: int, max_sentence_length: int, table: TokenTable,
    counters: np.ndarray, out: np.ndarray, k: int,
) -> tuple:  # fmt: skip
    """The loop of :func:`encode_block` from byte ``i``, up to the block's end or to the
    first new token that does not fit in ``table`` (its arrays are never replaced here).

    Args:
        data, max_sentence_length, table, counters, out: As for :func:`encode_block`.
        i: Where to start in ``data`` (a token start or whitespace).
        k: Entries of ``out`` already written.

    Shape:
        As for :func:`encode_block`.

    Returns:
        ``(i, k, room)``: where the loop stopped, the entries of ``out`` written, and
        the bytes a new token at ``i`` needs (0 if the loop reached the block's end).
    """
    slots, _, heads, offsets, arena, counts, size = table
    classes = _CLASSES
    mask = slots.shape[0] - 1
    n_ids = size[0]
    open_ = counters[OPEN]
    sentences, longest, tokens = counters[SENTENCES], counters[LONGEST], counters[TOKENS]
    n = data.shape[0]
    room = 0
    while i < n:
        c = classes[data[i]]
        if c == 2:  # line end
            if open_ > 0:
                k, sentences, longest = _end_sentence(out, k, sentences, longest, open_)
                open_ = 0
            i += 1
            continue
        if c == 1:
            i += 1
            continue
        if c == 3:
            width = _wide_space(data, i, n)
            if width > 0:
                i += width
                continue
        start = i
        i, h, head = _scan_token(data, i, n, classes)
        length = i - start
        tag = h & _HIGH
        s = np.int64(h & _LOW) & mask
        while True:
            v = slots[s]
            if v == 0:
                w = -1
                break
            if (v & _HIGH) == tag:
                w = np.int64(v & _LOW) - 1
                a = offsets[w]
                if heads[w] == head and offsets[w + 1] - a == length:
                    j = 8
                    while j < length and arena[a + j] == data[start + j]:
                        j += 1
                    if j >= length:
                        break
            s = (s + 1) & mask
        if w < 0:  # a new token
            if not _fits(table, n_ids, length):
                room = length
                i = start
                break
            _insert(table, n_ids, data, start, length, h, head, s)
            w = n_ids
            n_ids += 1
        out[k] = w
        k += 1
        counts[w] += 1
        tokens += 1
        open_ += 1
        if open_ == max_sentence_length:
            k, sentences, longest = _end_sentence(out, k, sentences, longest, open_)
            open_ = 0
    size[0] = n_ids
    counters[OPEN] = open_
    counters[SENTENCES] = sentences
    counters[LONGEST] = longest
    counters[TOKENS] = tokens
    return i, k, room


@njit(cache=True, nogil=True)
def encode_block(
    data: np.ndarray, complete: bool, max_sentence_length: int, table: TokenTable,
    counters: np.ndarray, out: np.ndarray,
) -> tuple:  # fmt: skip
    """Write the ids of the tokens of a block of UTF-8 text, with ``-1`` after each sentence.

    A token is a maximal run of characters that are not whitespace, whitespace being
    what ``str.split()`` splits on (ASCII ``\\t \\n \\v \\f \\r``, space,
    ``\\x1c``-``\\x1f``, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
    U+202F, U+205F, U+3000) and NUL; the end of the block ends the token in progress.
    A sentence is the tokens of one line (``\\n`` ends a line), cut after every
    ``max_sentence_length`` tokens as :func:`wordvec.text.chunk` cuts it; a line
    without tokens makes no sentence. A new token gets the next id in ``table``; every
    token is counted there.

    Args:
        data: The block's bytes, whole UTF-8 characters.
        complete: True if the block ends a line (after its last ``\\n``, or at the end
            of a file): the open sentence, if any, ends with the block. False if the
            line goes on in the next block: the tokens of the open sentence count
            towards its ``max_sentence_length`` there.
        max_sentence_length: The longest sentence written (at least 1).
        table: The tokens seen so far (see :func:`token_table`).
        counters: The counters carried from block to block (see :func:`tally`),
            updated in place.
        out: Receives the ids and sentence ends.

    Shape:
        ``data``: ``(k,)`` uint8; ``counters``: ``(4,)`` int64; ``out``: ``(m,)`` int32
        with ``m >= 2 * k + 2`` (the most a block can write: a sentence end per token,
        and one for a sentence carried in from the previous block).

    Returns:
        ``(table, written)``: the table, grown if it had to (the one passed in
        otherwise), and the number of entries written to ``out``.
    """
    i, k = 0, 0
    while True:
        i, k, room = _encode_run(data, i, max_sentence_length, table, counters, out, k)
        if room == 0:
            break
        table = _grow(table, room)
    if complete and counters[OPEN] > 0:
        k, counters[SENTENCES], counters[LONGEST] = _end_sentence(
            out, k, counters[SENTENCES], counters[LONGEST], counters[OPEN]
        )
        counters[OPEN] = 0
    return table, k
