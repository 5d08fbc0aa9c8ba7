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
