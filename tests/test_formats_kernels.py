"""The numba kernels behind the formats, against their slow references and Python's float."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.vectors.formats import _kernels as K
from wordvec.vectors.formats import _reference as R

GLOVE = Path("vectors", "glove.6B.50d.txt.gz")


def _parse(token: bytes) -> tuple[float, int]:
    buf = np.frombuffer(token, dtype=np.uint8) if token else np.zeros(0, np.uint8)
    return K.parse_float(buf, 0, len(token))


def _as_float32(token: bytes) -> float | None:
    """What the kernel route gives: fast path, or Python's float for the slow path."""
    value, status = _parse(token)
    if status == K.INVALID:
        return None
    if status == K.SLOW:
        with np.errstate(over="ignore"):
            return np.float32(float(token))
    return np.float32(value)


EDGE_TOKENS = [
    b"0",
    b"-0",
    b"-0.0",
    b"+0.0",
    b"1e-05",
    b"1E-05",
    b"-1e-05",
    b"1e5",
    b"1e+5",
    b"0.418",
    b"-0.41242",
    b"4.0071",
    b"-0.00066023",
    b".5",
    b"5.",
    b"-.5e-3",
    b"123456789",
    b"0.000000000000000000001",
    b"1e22",
    b"1e-22",
    b"1e23",
    b"1e-23",
    b"9007199254740993",
    b"123456789012345678",
    b"1234567890123456789",
    b"0.1234567890123456789",
    b"3.4028235e38",
    b"1.4e-45",
    b"1e-46",
    b"2.5e-08",
    b"00000.00001",
    b"1" + b"0" * 30,
    b"3.40282357e38",
]
BAD_TOKENS = [
    b"",
    b"-",
    b"+",
    b".",
    b"e5",
    b"1e",
    b"1e+",
    b"nan",
    b"inf",
    b"-inf",
    b"1.2.3",
    b"--1",
    b"1-",
    b"0x1p3",
    b"1_000",
    b" 1",
    b"1 ",
    b"1,5",
]


@pytest.mark.parametrize("token", EDGE_TOKENS)
def test_parse_float_edge_cases(token: bytes) -> None:
    got = _as_float32(token)
    want = R.parse_float_reference(token)
    assert got is not None
    assert got == want
    assert np.signbit(got) == np.signbit(want)


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_parse_float_rejects(token: bytes) -> None:
    assert _parse(token)[1] == K.INVALID
    assert R.parse_float_reference(token) is None


@settings(max_examples=400, deadline=None, database=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_parse_float_matches_python_on_reprs(x: float) -> None:
    for text in (repr(x), f"{x:.9g}", f"{x:.17e}", f"{x:.3E}"):
        token = text.encode()
        with np.errstate(over="ignore"):
            assert _as_float32(token) == np.float32(float(token))


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.from_regex(
        r"\A[+-]?([0-9]{1,25}(\.[0-9]{0,25})?|\.[0-9]{1,25})([eE][+-]?[0-9]{1,3})?\Z",
        fullmatch=True,
    )
)
def test_parse_float_matches_python_on_any_decimal(text: str) -> None:
    token = text.encode()
    with np.errstate(over="ignore"):
        assert _as_float32(token) == np.float32(float(token))


def test_fast_path_is_exact_on_real_glove_numbers(shared_data: Path) -> None:
    with gzip.open(shared_data / GLOVE, "rb") as f:
        tokens = [t for line in itertools.islice(f, 2000) for t in line.split()[1:]]
    slow = 0
    for token in tokens:
        value, status = _parse(token)
        slow += status == K.SLOW
        if status == K.PARSED:
            assert np.float32(value) == np.float32(float(token))
    assert slow == 0  # every GloVe number takes the fast path


def _format(x: np.float32) -> str:
    out = np.empty(32, dtype=np.uint8)
    n = K.format_float32(np.float32(x), out, 0)
    return out[:n].tobytes().decode()


def test_format_float32_matches_reference_and_round_trips() -> None:
    rng = np.random.default_rng(3)
    bits = rng.integers(0, 2**32, 20000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    values = np.concatenate(
        [
            bits[np.isfinite(bits)],
            rng.standard_normal(20000).astype(np.float32),
            np.float32([0.0, -0.0, 1e-45, 3.4028235e38, 1e-5, 0.0001, 1e8, 1e9, 0.1, 1 / 3]),
        ]
    )
    for x in values:
        text = _format(x)
        assert text == R.format_float32_reference(x)
        back = np.float32(float(text))
        assert back == x and np.signbit(back) == np.signbit(x)


def test_text_lines_kernel_matches_reference(shared_data: Path) -> None:
    with gzip.open(shared_data / GLOVE, "rb") as f:
        data = b"".join(itertools.islice(f, 500))
    buf = np.frombuffer(data, dtype=np.uint8)
    out = np.empty((500, 50), np.float32)
    ws = np.empty(500, np.int64)
    we = np.empty(500, np.int64)
    status, rows, consumed, *_ = K.parse_text_lines(buf, 0, len(buf), 50, out, 0, 10**9, ws, we)
    words, matrix = R.parse_text_reference(data, 50)
    assert (status, rows, consumed) == (K.OK, 500, len(data))
    assert [data[a:b] for a, b in zip(ws, we)] == words
    assert np.array_equal(out, matrix)


def test_binary_kernel_matches_reference() -> None:
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((30, 7)).astype(np.float32)
    words = [f"w{i}" * (i % 4 + 1) for i in range(30)]
    data = R.format_binary_reference(words, matrix)
    buf = np.frombuffer(data, dtype=np.uint8)
    out = np.zeros((30, 7), np.float32)
    ws = np.empty(30, np.int64)
    we = np.empty(30, np.int64)
    raw = out.view(np.uint8)
    status, rows, _, _ = K.parse_binary_records(buf, len(buf), 7, raw, 0, 30, ws, we)
    ref_words, ref = R.parse_binary_reference(data, 30, 7)
    assert (status, rows) == (K.OK, 30)
    assert [data[a:b] for a, b in zip(ws, we)] == ref_words == [w.encode() for w in words]
    assert np.array_equal(out, ref) and np.array_equal(out, matrix)


def test_first_nonfinite_row() -> None:
    m = np.zeros((5, 3), np.float32)
    assert K.first_nonfinite_row(m, 0, 5) == -1
    m[3, 1] = np.inf
    m[4, 0] = np.nan
    assert K.first_nonfinite_row(m, 0, 5) == 3
    assert K.first_nonfinite_row(m, 4, 5) == 4
    assert K.first_nonfinite_row(m, 0, 3) == -1
