"""Slow, readable references for the format kernels in :mod:`._kernels` (used by tests).

Each function does with plain Python and NumPy what a kernel does with loops over bytes.
"""

from __future__ import annotations

import re

import numpy as np

_NUMBER = re.compile(rb"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def parse_float_reference(token: bytes) -> float | None:
    """Return ``token`` as float32 (via Python's correctly rounded float), or None if it
    is not a plain decimal number (sign, digits, point, exponent; no nan/inf)."""
    if _NUMBER.fullmatch(token) is None:
        return None
    with np.errstate(over="ignore"):
        return np.float32(float(token))


def parse_text_reference(data: bytes, dim: int) -> tuple[list[bytes], np.ndarray]:
    """Split ``word f1 ... f_dim`` lines; return the words and the float32 matrix.

    Raises:
        ValueError: On any malformed line.
    """
    words, rows = [], []
    for line in data.split(b"\n"):
        line = line.rstrip(b" \t\r")
        if not line:
            continue
        word, _, rest = line.partition(b" ")
        fields = rest.split()
        if not word or len(fields) != dim:
            raise ValueError(f"bad line {line[:40]!r}")
        values = [parse_float_reference(f) for f in fields]
        if any(v is None for v in values):
            raise ValueError(f"bad number in {line[:40]!r}")
        words.append(word)
        rows.append(values)
    return words, np.array(rows, dtype=np.float32).reshape(len(rows), dim)


def parse_binary_reference(data: bytes, count: int, dim: int) -> tuple[list[bytes], np.ndarray]:
    """Split ``count`` word2vec binary records (after the header) of ``data``."""
    words, rows = [], []
    pos = 0
    for _ in range(count):
        while data[pos : pos + 1] == b"\n":
            pos += 1
        space = data.index(b" ", pos)
        words.append(data[pos:space])
        start = space + 1
        rows.append(np.frombuffer(data, dtype="<f4", count=dim, offset=start))
        pos = start + 4 * dim
    return words, np.array(rows, dtype=np.float32).reshape(count, dim)


def format_float32_reference(x: float) -> str:
    """The shortest decimal that reads back as float32 ``x`` (NumPy's Dragon4), laid out
    positionally for decimal exponents -4..8 and as ``d.ddde±XX`` otherwise."""
    x = np.float32(x)
    sci = np.format_float_scientific(x, unique=True, trim="-")
    mantissa, exp_text = sci.split("e")
    exp = int(exp_text)
    sign = "-" if mantissa.startswith("-") else ""
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    if digits == "0":
        return sign + "0"
    if -4 <= exp <= 8:
        if exp >= 0:
            whole = digits[: exp + 1].ljust(exp + 1, "0")
            frac = digits[exp + 1 :]
            return sign + whole + ("." + frac if frac else "")
        return sign + "0." + "0" * (-exp - 1) + digits
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{body}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def format_text_reference(words: list[str], matrix: np.ndarray) -> bytes:
    """``word f1 ... f_dim`` lines with :func:`format_float32_reference` numbers."""
    lines = [
        w + "".join(" " + format_float32_reference(x) for x in row) + "\n"
        for w, row in zip(words, matrix)
    ]
    return "".join(lines).encode("utf-8")


def format_binary_reference(words: list[str], matrix: np.ndarray) -> bytes:
    """word2vec C binary records ``word<space><float32 bytes>\\n`` (no header)."""
    little = np.asarray(matrix, dtype="<f4")
    return b"".join(
        w.encode("utf-8") + b" " + row.tobytes() + b"\n" for w, row in zip(words, little)
    )
