"""Numba kernels for the vector file formats: parse and format decimal floats, split lines.

Kernels know byte arrays and matrices, not files or words. Each has a slow, readable
reference in :mod:`wordvec.vectors.formats._reference` that the tests compare against.

Float parsing is exact: a decimal with at most 18 significant digits and a power of
ten within 1e-22..1e22 is converted with one correctly rounded float64 operation
(both operands are exact doubles), which is what ``float(text)`` returns; the result
is then rounded to float32, as ``np.float32(float(text))`` does. Any other number
(more digits, extreme exponents) is flagged so that the caller parses it with Python.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Status codes shared with the Python side (_text.py, word2vec_binary.py).
OK = 0
FIELD_COUNT = 1  # a line with the wrong number of fields
NOT_A_NUMBER = 2  # a field that is not a decimal number
BLANK_LINE = 3  # an empty (or whitespace-only) line
EMPTY_WORD = 4  # a line starting with a space
NEWLINE_IN_WORD = 5  # binary: a word holding a newline byte (misaligned / text file)

# Float parse results.
PARSED = 0
INVALID = 1
SLOW = 2  # valid, but needs Python's correctly rounded conversion

_POW10 = np.array([10.0**i for i in range(23)], dtype=np.float64)
_IPOW10 = np.array([10**i for i in range(19)], dtype=np.int64)
_MAX_EXACT = float(2**53)

_SPACE = 32
_TAB = 9
_NL = 10
_CR = 13


@njit(cache=True, nogil=True, inline="always")
def scan_number(buf: np.ndarray, p: int, n: int) -> tuple[float, int, int]:
    """Parse the decimal number starting at ``buf[p]`` (stopping at ``n`` or at the
    first byte that cannot continue it); return ``(value, status, end)``.

    ``status`` is PARSED (value exact as ``float(text)``), INVALID (no number here) or
    SLOW (a valid number whose exact conversion needs Python's ``float``; value NaN).
    """
    neg = False
    if p < n:
        c = buf[p]
        if c == 45 or c == 43:  # '-' or '+'
            neg = c == 45
            p += 1
    mant = 0
    ndig = 0
    exp10 = 0
    any_digit = False
    inexact = False
    while p < n:
        d = buf[p] - 48
        if d < 0 or d > 9:
            break
        any_digit = True
        if ndig < 18:
            if mant != 0 or d != 0:
                mant = mant * 10 + d
                ndig += 1
        else:
            exp10 += 1
            if d != 0:
                inexact = True
        p += 1
    if p < n and buf[p] == 46:  # '.'
        p += 1
        while p < n:
            d = buf[p] - 48
            if d < 0 or d > 9:
                break
            any_digit = True
            if ndig < 18:
                if mant != 0 or d != 0:
                    mant = mant * 10 + d
                    ndig += 1
                exp10 -= 1
            elif d != 0:
                inexact = True
            p += 1
    if not any_digit:
        return 0.0, INVALID, p
    if p < n and (buf[p] == 101 or buf[p] == 69):  # 'e' or 'E'
        p += 1
        eneg = False
        if p < n and (buf[p] == 45 or buf[p] == 43):
            eneg = buf[p] == 45
            p += 1
        e = 0
        edig = False
        while p < n:
            d = buf[p] - 48
            if d < 0 or d > 9:
                break
            edig = True
            if e < 100000:
                e = e * 10 + d
            p += 1
        if not edig:
            return 0.0, INVALID, p
        exp10 += -e if eneg else e
    if mant == 0:
        return (-0.0 if neg else 0.0), PARSED, p
    if inexact or mant > _MAX_EXACT or exp10 > 22 or exp10 < -22:
        return np.nan, SLOW, p
    value = float(mant)
    if exp10 >= 0:
        value = value * _POW10[exp10]
    else:
        value = value / _POW10[-exp10]
    return (-value if neg else value), PARSED, p


@njit(cache=True, nogil=True)
def parse_float(buf: np.ndarray, start: int, end: int) -> tuple[float, int]:
    """Parse all of ``buf[start:end]`` as a decimal number; return ``(value, status)``.

    ``status`` is PARSED, INVALID (not exactly one number) or SLOW (see
    :func:`scan_number`).
    """
    value, status, p = scan_number(buf, start, end)
    if status != INVALID and p != end:
        return 0.0, INVALID
    return value, status


@njit(cache=True, nogil=True)
def count_byte(buf: np.ndarray, start: int, stop: int, byte: int) -> int:
    """Return how many of ``buf[start:stop]`` equal ``byte``."""
    total = 0
    for i in range(start, stop):
        if buf[i] == byte:
            total += 1
    return total


@njit(cache=True, nogil=True)
def last_index(buf: np.ndarray, n: int, byte: int) -> int:
    """Return the index of the last ``byte`` in ``buf[:n]``, or -1."""
    for i in range(n - 1, -1, -1):
        if buf[i] == byte:
            return i
    return -1


@njit(cache=True, nogil=True)
def parse_text_lines(
    buf: np.ndarray,
    start: int,
    stop: int,
    dim: int,
    out: np.ndarray,
    row0: int,
    max_rows: int,
    word_start: np.ndarray,
    word_end: np.ndarray,
) -> tuple[int, int, int, int, int, int]:
    """Parse text lines ``word f1 ... f_dim`` of ``buf[start:stop]`` into ``out[row0:]``.

    Lines end with ``\n``; the word is everything before the first space; the numbers
    are separated by spaces or tabs (a ``\r`` counts as a separator). Numbers that need
    Python's conversion are stored as NaN (the caller re-parses rows holding NaN).
    Stops after ``max_rows`` lines. ``word_start``/``word_end`` receive the word
    offsets (indexes into ``buf``) of each row parsed.

    Returns:
        ``(status, rows, line_start, err_pos, err_field, found)``: the status code, the
        rows written, the offset of the next (or failing) line, and for an error the
        offset of the bad field, its 1-based number among the numbers and the number
        of fields found on the line.
    """
    i = start
    n = stop
    r = 0
    while i < n and r < max_rows:
        line = i
        k = i
        while k < n:
            c = buf[k]
            if c == _SPACE or c == _NL:
                break
            k += 1
        if k == line or k >= n or buf[k] == _NL:
            # a blank line, an empty word or a single field: classify
            e = line
            while e < n and buf[e] != _NL:
                e += 1
            while e > line and (buf[e - 1] == _SPACE or buf[e - 1] == _TAB or buf[e - 1] == _CR):
                e -= 1
            if e == line:
                return BLANK_LINE, r, i, line, 0, 0
            if k == line:
                return EMPTY_WORD, r, i, line, 0, 0
            return FIELD_COUNT, r, i, line, 0, 1
        word_start[r] = line
        word_end[r] = k
        row = row0 + r
        p = k
        field = 0
        while True:
            while p < n:
                c = buf[p]
                if c != _SPACE and c != _TAB and c != _CR:
                    break
                p += 1
            if p >= n or buf[p] == _NL:
                break
            tok = p
            value, status, p = scan_number(buf, p, n)
            if p < n:
                c = buf[p]
                if c != _SPACE and c != _TAB and c != _CR and c != _NL:
                    status = INVALID
            if status == INVALID:
                return NOT_A_NUMBER, r, i, tok, field + 1, 0
            if field < dim:
                out[row, field] = value
            field += 1
        if field != dim:
            return FIELD_COUNT, r, i, line, 0, field + 1
        r += 1
        i = p + 1
    return OK, r, min(i, n), 0, 0, 0


@njit(cache=True, nogil=True)
def gather_words(
    buf: np.ndarray, word_start: np.ndarray, word_end: np.ndarray, rows: int, out: np.ndarray
) -> int:
    """Copy ``rows`` words ``buf[word_start[i]:word_end[i]]`` to ``out``, each followed by ``\\n``.

    Returns the number of bytes written.
    """
    pos = 0
    for r in range(rows):
        for k in range(word_start[r], word_end[r]):
            out[pos] = buf[k]
            pos += 1
        out[pos] = _NL
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def parse_binary_records(
    buf: np.ndarray,
    n: int,
    dim: int,
    out: np.ndarray,
    row0: int,
    max_rows: int,
    word_start: np.ndarray,
    word_end: np.ndarray,
) -> tuple[int, int, int, int]:
    """Split word2vec C binary records ``word<space><dim float32>`` of ``buf[:n]``.

    Newlines before a word (the C tool writes one after each vector) are skipped.
    The raw float bytes are copied to ``out`` (a uint8 view of the float32 matrix,
    shape ``(rows, 4 * dim)``). Stops at the first incomplete record.

    Returns:
        ``(status, rows, consumed, err_pos)``.
    """
    width = 4 * dim
    i = 0
    r = 0
    while r < max_rows:
        while i < n and buf[i] == _NL:
            i += 1
        if i >= n:
            break
        k = i
        while k < n and buf[k] != _SPACE:
            if buf[k] == _NL:
                return NEWLINE_IN_WORD, r, i, k
            k += 1
        if k >= n or k + 1 + width > n:
            break
        if k == i:
            return EMPTY_WORD, r, i, i
        word_start[r] = i
        word_end[r] = k
        src = k + 1
        row = row0 + r
        for b in range(width):
            out[row, b] = buf[src + b]
        i = src + width
        r += 1
    return OK, r, i, 0


@njit(cache=True, nogil=True)
def first_nonfinite_row(matrix: np.ndarray, start: int, stop: int) -> int:
    """Return the first row in ``[start, stop)`` holding a NaN or infinity, or -1."""
    for r in range(start, stop):
        for c in range(matrix.shape[1]):
            v = matrix[r, c]
            if not (v - v == 0.0):
                return r
    return -1


@njit(cache=True, nogil=True)
def _decimal_exponent(a: float) -> int:
    """Return ``e`` with ``10**e <= a < 10**(e+1)`` (approximately, for digit generation)."""
    return math.floor(math.log10(a))


@njit(cache=True, nogil=True)
def _scale(a: float, k: int) -> float:
    """Return ``a * 10**k`` (exact-ish; exact operands within 1e-22..1e22)."""
    if k >= 0:
        while k > 22:
            a *= 1e22
            k -= 22
        return a * _POW10[k]
    k = -k
    while k > 22:
        a /= 1e22
        k -= 22
    return a / _POW10[k]


@njit(cache=True, nogil=True)
def _digit(mant: int, nd: int, z: int) -> int:
    """The ASCII code of digit ``z`` (0 = most significant) of the ``nd``-digit ``mant``."""
    return 48 + (mant // _IPOW10[nd - 1 - z]) % 10


@njit(cache=True, nogil=True)
def _round_trips(a: float, k: int) -> tuple[float, bool]:
    """Round ``a * 10**k`` to an integer ``m``; does ``m * 10**-k`` read back as float32 ``a``?"""
    a32 = np.float32(a)
    m = np.rint(_scale(a, k))
    if -22 <= k <= 22:
        # exactly what the reader (and Python's float) computes: one rounding
        back = m / _POW10[k] if k >= 0 else m * _POW10[-k]
        return m, np.float32(back) == a32
    # approximate: accept only if clearly inside the float32 rounding interval of a
    back = _scale(m, -k)
    good = (
        np.float32(back) == a32
        and np.float32(back * (1.0 + 1e-15)) == a32
        and np.float32(back * (1.0 - 1e-15)) == a32
    )
    return m, good


@njit(cache=True, nogil=True)
def format_float32(x: float, out: np.ndarray, pos: int) -> int:
    """Write the shortest decimal that reads back as float32 ``x`` to ``out[pos:]``.

    The text has at most 9 significant digits, positional for exponents -4..8
    (``0.41242``, ``-3.5``, ``1234``) and scientific otherwise (``1e-05``, ``2.5e+12``),
    like Python's ``repr``. ``x`` must be finite. Returns the new position.
    """
    x64 = np.float64(x)
    if x64 < 0.0 or (x64 == 0.0 and math.copysign(1.0, x64) < 0.0):
        out[pos] = 45  # '-'
        pos += 1
    a = abs(x64)
    if a == 0.0:
        out[pos] = 48
        return pos + 1
    e = _decimal_exponent(a)
    if a >= _scale(1.0, e + 1):
        e += 1
    elif a < _scale(1.0, e):
        e -= 1
    # the shortest precision that reads back is found by bisection (longer always works)
    lo = 1
    hi = 9
    k = 8 - e
    mant = int(np.rint(_scale(a, k)))
    while lo < hi:
        p = (lo + hi) // 2
        kp = p - 1 - e
        m, good = _round_trips(a, kp)
        if good:
            hi = p
            mant = int(m)
            k = kp
        else:
            lo = p + 1
    nd = 1
    while nd < 19 and mant >= _IPOW10[nd]:
        nd += 1
    exp_sci = nd - 1 - k  # value = d.ddd * 10**exp_sci
    while nd > 1 and mant % 10 == 0:
        mant //= 10
        nd -= 1
    if -4 <= exp_sci <= 8:
        if exp_sci >= 0:
            for z in range(exp_sci + 1):
                out[pos] = _digit(mant, nd, z) if z < nd else 48
                pos += 1
            if nd > exp_sci + 1:
                out[pos] = 46
                pos += 1
                for z in range(exp_sci + 1, nd):
                    out[pos] = _digit(mant, nd, z)
                    pos += 1
        else:
            out[pos] = 48
            out[pos + 1] = 46
            pos += 2
            for _ in range(-exp_sci - 1):
                out[pos] = 48
                pos += 1
            for z in range(nd):
                out[pos] = _digit(mant, nd, z)
                pos += 1
        return pos
    out[pos] = _digit(mant, nd, 0)
    pos += 1
    if nd > 1:
        out[pos] = 46
        pos += 1
        for z in range(1, nd):
            out[pos] = _digit(mant, nd, z)
            pos += 1
    out[pos] = 101  # 'e'
    pos += 1
    if exp_sci < 0:
        out[pos] = 45
        exp_sci = -exp_sci
    else:
        out[pos] = 43
    pos += 1
    if exp_sci >= 100:
        out[pos] = 48 + exp_sci // 100
        pos += 1
    out[pos] = 48 + (exp_sci // 10) % 10
    out[pos + 1] = 48 + exp_sci % 10
    return pos + 2


@njit(cache=True, nogil=True)
def format_text_rows(
    words: np.ndarray,
    offsets: np.ndarray,
    matrix: np.ndarray,
    start: int,
    stop: int,
    out: np.ndarray,
) -> int:
    """Write rows ``start..stop`` as ``word f1 ... f_dim\\n`` lines to ``out``.

    ``words[offsets[i]:offsets[i+1]]`` are the encoded bytes of word ``i``.
    Returns the number of bytes written.
    """
    pos = 0
    for r in range(start, stop):
        for k in range(offsets[r], offsets[r + 1]):
            out[pos] = words[k]
            pos += 1
        for c in range(matrix.shape[1]):
            out[pos] = _SPACE
            pos = format_float32(matrix[r, c], out, pos + 1)
        out[pos] = _NL
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def format_binary_rows(
    words: np.ndarray,
    offsets: np.ndarray,
    raw: np.ndarray,
    start: int,
    stop: int,
    out: np.ndarray,
) -> int:
    """Write rows as word2vec C binary records ``word<space><float32 bytes>\\n``.

    ``raw`` is the little-endian float32 matrix viewed as uint8, shape ``(n, 4 * dim)``.
    Returns the number of bytes written.
    """
    pos = 0
    width = raw.shape[1]
    for r in range(start, stop):
        for k in range(offsets[r], offsets[r + 1]):
            out[pos] = words[k]
            pos += 1
        out[pos] = _SPACE
        pos += 1
        for b in range(width):
            out[pos + b] = raw[r, b]
        pos += width
        out[pos] = _NL
        pos += 1
    return pos
