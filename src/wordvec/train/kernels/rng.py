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
_TWO32 = 2.3283064365386963e-10  # 2 ** -32


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
def two_uniforms(state: np.uint64) -> tuple:
    """Return two uniforms in [0, 1) from the high and low 32 bits of the scrambled
    output of ``state`` (one step, two draws)."""
    r = state * _MULT
    return np.float64(r >> _S32) * _TWO32, np.float64(r & _U32) * _TWO32


@njit(cache=True, nogil=True)
def uniforms(seed: int, stream: int, n: int) -> np.ndarray:
    """Return the ``n`` uniforms in [0, 1) that ``(seed, stream)`` gives in pairs
    (:func:`two_uniforms` after each step of :func:`seed_state`'s generator).

    >>> u = uniforms(1, 0, 5)
    >>> u.shape, bool(((0 <= u) & (u < 1)).all())
    ((5,), True)
    """
    out = np.empty(n, dtype=np.float64)
    state = seed_state(seed, stream)
    for j in range(0, n, 2):
        state = next_state(state)
        hi, lo = two_uniforms(state)
        out[j] = hi
        if j + 1 < n:
            out[j + 1] = lo
    return out
