"""Random numbers of the training kernels: a xorshift64* generator with explicit state.

The 64-bit state is threaded through the kernels by value (never numba's global
``np.random``), so a job seeded with the same ``(seed, stream)`` always makes the same
draws whatever thread runs it. :class:`wordvec.train.reference.XorShift` is the same
generator in plain Python.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: One above the largest 32-bit draw: thresholds of "keep if draw < threshold" tests.
ONE32 = np.int64(4294967296)

_U32 = np.uint64(0xFFFFFFFF)
_S12 = np.uint64(12)
_S25 = np.uint64(25)
_S27 = np.uint64(27)
_S30 = np.uint64(30)
_S31 = np.uint64(31)
_S32 = np.uint64(32)
_MULT = np.uint64(2685821657736338717)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_WEYL32 = np.uint32(0x9E3779B9)
_HASH1 = np.uint32(0x7FEB352D)
_HASH2 = np.uint32(0x846CA68B)
_H15 = np.uint32(15)
_H16 = np.uint32(16)
_H8 = np.uint32(8)
_TWO24F = np.float32(5.9604645e-08)  # 2 ** -24


@njit(cache=True, nogil=True)
def seed_state(seed: int, stream: int) -> np.uint64:
    """Return a non-zero xorshift64* state for ``(seed, stream)`` (splitmix64 mixing).

    >>> int(seed_state(1, 0)) != int(seed_state(1, 1))
    True
    """
    z = np.uint64(seed) * _GOLDEN + np.uint64(stream) * _MIX2 + _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    if z == np.uint64(0):
        z = _GOLDEN
    return z


@njit(cache=True, nogil=True, inline="always")
def next_state(state: np.uint64) -> np.uint64:
    """Advance the xorshift state by one step."""
    state ^= state >> _S12
    state ^= state << _S25
    state ^= state >> _S27
    return state


@njit(cache=True, nogil=True, inline="always")
def high32(state: np.uint64) -> np.int64:
    """Return the high 32 bits of the scrambled output ``state * MULT``, in [0, 2**32)."""
    return np.int64((state * _MULT) >> _S32)


@njit(cache=True, nogil=True, inline="always")
def below(state: np.uint64, n: int) -> int:
    """Map the output of ``state`` to an integer in [0, n) (multiply-shift, no modulo)."""
    return int(((state * _MULT) >> _S32) * np.uint64(n) >> _S32)


@njit(cache=True, nogil=True, inline="always")
def split_draw(state: np.uint64, n: int) -> tuple:
    """Return ``(i, u)``: an index in [0, n) from the high bits and a 32-bit uniform
    ``u`` from the low bits of the same output (one step serves an alias draw)."""
    r = state * _MULT
    i = int(((r >> _S32) * np.uint64(n)) >> _S32)
    return i, np.int64(r & _U32)


@njit(cache=True, nogil=True, inline="always")
def stream_key(seed: int, stream: int) -> np.uint32:
    """The 32-bit key of :func:`hashed_uniform`'s stream ``(seed, stream)``: the low
    bits of :func:`seed_state`."""
    return np.uint32(seed_state(seed, stream) & _U32)


@njit(cache=True, nogil=True, inline="always")
def hashed_uniform(key: np.uint32, j: int) -> np.float32:
    """Return draw ``j`` of the stream ``key``: a float32 uniform in [0, 1) on 24 bits.

    A counter-based draw: a 32-bit integer hash (Wellons' lowbias32) of ``key + j *
    0x9E3779B9``. No state is carried from one draw to the next, so a loop over ``j``
    runs 8 draws at once in AVX2 lanes, where each xorshift step waits for the last.
    """
    x = np.uint32(key + np.uint32(j) * _WEYL32)
    x ^= x >> _H16
    x = np.uint32(x * _HASH1)
    x ^= x >> _H15
    x = np.uint32(x * _HASH2)
    x ^= x >> _H16
    return np.float32(x >> _H8) * _TWO24F


@njit(cache=True, nogil=True)
def hashed_uniforms(seed: int, stream: int, n: int) -> np.ndarray:
    """Return the ``n`` float32 uniforms of the stream ``(seed, stream)`` of
    :func:`hashed_uniform` (draws ``0..n-1``).

    >>> u = hashed_uniforms(1, 0, 5)
    >>> u.dtype.name, bool(((0 <= u) & (u < 1)).all())
    ('float32', True)
    """
    key = stream_key(seed, stream)
    out = np.empty(n, dtype=np.float32)
    for j in range(n):
        out[j] = hashed_uniform(key, j)
    return out
