"""Initializers of embedding tables: ``"uniform"``, ``"normal"``, ``"zeros"``, arrays, callables.

An initializer is a callable ``(shape, rng) -> array`` where ``shape`` is
``(input_dim, output_dim)`` and ``rng`` a :class:`numpy.random.Generator`.
:func:`get_initializer` turns every accepted form into one; :func:`check_matrix`
validates a table (pretrained or produced) before a layer adopts it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from wordvec._validation import check_matrix as _check_matrix

__all__ = ["INITIALIZERS", "Initializer", "check_matrix", "get_initializer"]

Initializer = Callable[[tuple[int, int], np.random.Generator], np.ndarray]


def uniform(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """U(-0.05, 0.05), the Keras default (``keras.initializers.RandomUniform``)."""
    return rng.uniform(-0.05, 0.05, size=shape)


def normal(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """N(0, 1), the PyTorch default of ``torch.nn.Embedding``."""
    return rng.standard_normal(size=shape)


def zeros(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """All zeros."""
    return np.zeros(shape)


INITIALIZERS: dict[str, Initializer] = {"uniform": uniform, "normal": normal, "zeros": zeros}


def check_matrix(
    matrix: Any, shape: tuple[int, int] | None = None, name: str = "embeddings"
) -> np.ndarray:
    """Return ``matrix`` as a 2-D float ndarray after checking its shape, dtype and values.

    The layers' view of :func:`wordvec._validation.check_matrix`: floats keep their
    dtype, integers become float32.

    Args:
        matrix (array-like): The candidate table.
        shape (tuple[int, int] | None, default None): The required shape, or None for
            any 2-D shape.
        name (str, default "embeddings"): The name used in error messages.

    Shape:
        ``(input_dim, output_dim)``.

    Raises:
        TypeError: If the values are not real numbers (bools, strings, objects).
        ValueError: If the matrix is not 2-D, has the wrong shape, or holds a NaN or
            infinite value (the message names the first one and its position).

    >>> check_matrix([[0.5, 1.0]]).dtype
    dtype('float64')
    >>> check_matrix([[1, 2]]).dtype
    dtype('float32')
    """
    return _check_matrix(matrix, name, shape=shape, what="(input_dim, output_dim)")


def get_initializer(spec: str | np.ndarray | Initializer) -> Initializer:
    """Return the initializer named or given by ``spec``.

    Args:
        spec (str | array-like | callable): ``"uniform"`` (U(-0.05, 0.05), Keras),
            ``"normal"`` (N(0, 1), PyTorch), ``"zeros"``, a pretrained 2-D float
            matrix (its shape is checked when the table is built), or a callable
            ``(shape, rng) -> array``.

    Raises:
        ValueError: For an unknown name (the message lists the known ones), or a
            matrix that is not a valid table (see :func:`check_matrix`).
        TypeError: For anything else, e.g. an integer matrix.

    >>> init = get_initializer("uniform")
    >>> float(abs(init((3, 4), np.random.default_rng(0))).max()) <= 0.05
    True
    """
    if isinstance(spec, str):
        if spec not in INITIALIZERS:
            names = ", ".join(repr(n) for n in INITIALIZERS)
            raise ValueError(
                f"embeddings_initializer must be one of {names}, a 2-D float matrix or a "
                f"callable (shape, rng) -> array, got {spec!r}."
            )
        return INITIALIZERS[spec]
    if callable(spec):
        return spec
    if isinstance(spec, (np.ndarray, list, tuple)) or hasattr(spec, "__array__"):
        matrix = check_matrix(spec, name="embeddings_initializer")

        def pretrained(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
            return check_matrix(matrix, shape=shape, name="embeddings_initializer")

        return pretrained
    raise TypeError(
        "embeddings_initializer must be a name ('uniform', 'normal', 'zeros'), a 2-D float "
        f"matrix or a callable (shape, rng) -> array, got {type(spec).__name__}."
    )


def is_pretrained(spec: Any) -> bool:
    """Whether ``spec`` is a matrix (pretrained weights) rather than a name or callable."""
    return not isinstance(spec, str) and not callable(spec)
