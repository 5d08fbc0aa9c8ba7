"""Parameter validation shared by every public entry point.

Each helper raises ``TypeError`` or ``ValueError`` with a message that says what was
wrong, what was expected, what was received and how to fix it. None of them uses
``assert``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def check_int(
    value: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Return ``value`` as an ``int`` after checking its type and range.

    Args:
        value: The value to check.
        name: The parameter name used in error messages.
        minimum: Smallest allowed value (inclusive), or None for no bound.
        maximum: Largest allowed value (inclusive), or None for no bound.
        allow_none: Whether ``None`` is accepted (and returned as is).

    Raises:
        TypeError: If ``value`` is not an integer (bools are rejected).
        ValueError: If ``value`` is out of range.

    >>> check_int(5, "window", minimum=1)
    5
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer, got {value!r} of type {type(value).__name__}; "
            f"pass a whole number such as {minimum if minimum is not None else 1}."
        )
    value = int(value)
    _check_range(value, name, minimum, maximum)
    return value


def check_float(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    allow_none: bool = False,
    exclusive_minimum: bool = False,
) -> float | None:
    """Return ``value`` as a ``float`` after checking its type and range.

    Args:
        value: The value to check.
        name: The parameter name used in error messages.
        minimum: Smallest allowed value, or None for no bound.
        maximum: Largest allowed value (inclusive), or None for no bound.
        allow_none: Whether ``None`` is accepted (and returned as is).
        exclusive_minimum: If True, ``value`` must be strictly greater than ``minimum``.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If ``value`` is out of range or not finite.

    >>> check_float(0.025, "alpha", minimum=0.0, exclusive_minimum=True)
    0.025
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if minimum is not None and exclusive_minimum and value <= minimum:
        raise ValueError(f"{name} must be greater than {minimum}, got {value!r}.")
    _check_range(value, name, None if exclusive_minimum else minimum, maximum)
    return value


def _check_range(value: float, name: str, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value!r}.")


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError``.

    Args:
        value: The option given by the caller.
        name: The parameter name used in error messages.
        choices: The accepted string options.

    Raises:
        TypeError: If ``value`` is not a string.
        ValueError: If ``value`` is not one of ``choices``.

    >>> check_choice("cbow", "arch", ("skipgram", "cbow"))
    'cbow'
    """
    choices = tuple(choices)
    options = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be one of {options}, got {value!r} of type {type(value).__name__}."
        )
    if value not in choices:
        raise ValueError(f"{name} must be one of {options}, got {value!r}.")
    return value


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` if it is a bool, else raise ``TypeError``.

    >>> check_bool(True, "freeze")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_ids(ids: Any, input_dim: int, name: str = "ids") -> np.ndarray:
    """Return ``ids`` as an integer array whose values all lie in ``[0, input_dim)``.

    Args:
        ids: Array-like of integer ids, any shape.
        input_dim: Number of rows in the table the ids index.
        name: The parameter name used in error messages.

    Raises:
        TypeError: If the ids are not integers (floats and bools are rejected).
        IndexError: If an id is negative or ``>= input_dim``; the message names the
            first offending value and its position.

    >>> check_ids([[1, 2], [0, 3]], 4).shape
    (2, 2)
    """
    arr = np.asarray(ids)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer):
        if arr.size == 0 and arr.dtype != object:
            return arr.astype(np.int64)
        raise TypeError(
            f"{name} must be an array of integers, got dtype {arr.dtype}; "
            f"convert with np.asarray({name}, dtype=np.int64) if the values are whole numbers."
        )
    if arr.size:
        bad = (arr < 0) | (arr >= input_dim)
        if bad.any():
            pos = tuple(int(i) for i in np.argwhere(bad)[0])
            raise IndexError(
                f"{name} must lie in [0, {input_dim}) for a table of {input_dim} rows, "
                f"got {int(arr[pos])} at position {pos}; grow input_dim or map the id "
                f"to <unk>."
            )
    return arr


def check_matrix(
    value: Any,
    name: str,
    *,
    shape: tuple[int | None, int | None] | None = None,
    dtype: Any = None,
    what: str = "(rows, dim)",
) -> np.ndarray:
    """Return ``value`` as a finite 2-D float array after checking its type, shape and values.

    The one check of every matrix the library accepts (vector stores, embedding tables,
    pretrained matrices). Integers are accepted and converted to float (``float32``
    unless ``dtype`` says otherwise), as NumPy, gensim and Keras do; booleans, strings,
    objects and complex numbers are rejected.

    Args:
        value: The candidate matrix (array-like).
        name: The parameter name used in error messages.
        shape (tuple | None, default None): Required ``(rows, columns)``; None (or a
            None entry) accepts any size.
        dtype (default None): Convert to this float dtype; None keeps a float matrix's
            own dtype (integers become float32).
        what (str, default "(rows, dim)"): What the two axes mean, for messages.

    Shape:
        ``(rows, columns)``, with at least one column.

    Raises:
        TypeError: If the values are not real numbers.
        ValueError: If the matrix is not 2-D, has the wrong shape or no column, or holds
            a NaN or infinite value (the message names the first one and its position).

    >>> check_matrix([[1, 2]], "vectors").dtype
    dtype('float32')
    >>> check_matrix([[0.5, float("nan")]], "m")
    Traceback (most recent call last):
    ...
    ValueError: m must be finite, got nan at position (0, 1): row 0 holds NaN or ...
    """
    arr = np.asarray(value)
    if (
        arr.dtype == object
        or arr.dtype == bool
        or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer))
    ):
        raise TypeError(
            f"{name} must hold real numbers (a numeric matrix), got dtype {arr.dtype}; "
            f"convert with np.asarray({name}, dtype=np.float32) if the values are numbers."
        )
    if arr.ndim != 2:
        hint = " (one vector? use .reshape(1, -1))" if arr.ndim == 1 else ""
        raise ValueError(
            f"{name} must be a 2-D matrix {what}, got {arr.ndim}-D with shape {arr.shape}{hint}."
        )
    for axis, want in enumerate(shape or (None, None)):
        if want is not None and arr.shape[axis] != want:
            raise ValueError(
                f"{name} must have shape {tuple(shape)} {what}, got {arr.shape}; pass a "
                "matrix of that size or change the sizes to match it."
            )
    if arr.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}.")
    if dtype is None and not np.issubdtype(arr.dtype, np.floating):
        dtype = np.float32
    if dtype is not None:
        with np.errstate(over="ignore"):
            arr = np.asarray(arr, dtype=dtype)
    _check_finite(arr, name)
    return arr


def _check_finite(arr: np.ndarray, name: str, block: int = 4096) -> None:
    """Raise on the first NaN or infinite entry, checking ``block`` rows at a time."""
    for start in range(0, arr.shape[0], block):
        finite = np.isfinite(arr[start : start + block])
        if not finite.all():
            r, c = (int(i) for i in np.argwhere(~finite)[0])
            r += start
            raise ValueError(
                f"{name} must be finite, got {arr[r, c]} at position ({r}, {c}): row {r} "
                "holds NaN or infinite values; fix or drop that row (e.g. replace it with "
                "zeros)."
            )
