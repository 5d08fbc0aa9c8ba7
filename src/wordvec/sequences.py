"""Batch helpers for id sequences: padding to a rectangle, one-hot encoding."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from wordvec._validation import check_choice, check_ids, check_int


def pad_sequences(
    sequences: Iterable[Sequence],
    maxlen: int | None = None,
    dtype: str | np.dtype = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: float = 0,
) -> np.ndarray:
    """Pad (and truncate) sequences to one length, as Keras' ``pad_sequences`` does.

    Args:
        sequences (Iterable[Sequence]): Lists (or arrays) of ids, any lengths.
        maxlen (int | None, default None): Output length; None uses the longest sequence.
        dtype (str | np.dtype, default "int32"): Output dtype.
        padding (str, default "pre"): ``"pre"`` pads at the start, ``"post"`` at the end.
        truncating (str, default "pre"): ``"pre"`` drops tokens from the start of long
            sequences, ``"post"`` from the end.
        value (float, default 0): The padding value.

    Shape:
        - Output: ``(len(sequences), maxlen)``.

    Raises:
        ValueError: If ``padding`` or ``truncating`` is not ``"pre"``/``"post"``, or
            ``maxlen`` < 0.
        TypeError: If a sequence is not a list-like of numbers.

    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
    array([[2, 3],
           [0, 4]], dtype=int32)
    >>> pad_sequences([[1, 2, 3], [4]], padding="post", truncating="post", maxlen=2)
    array([[1, 2],
           [4, 0]], dtype=int32)
    """
    padding = check_choice(padding, "padding", ("pre", "post"))
    truncating = check_choice(truncating, "truncating", ("pre", "post"))
    maxlen = check_int(maxlen, "maxlen", minimum=0, allow_none=True)
    seqs = []
    for pos, s in enumerate(sequences):
        if isinstance(s, (str, bytes)) or not hasattr(s, "__len__"):
            raise TypeError(
                f"sequence {pos} must be a list of ids, got {type(s).__name__} {s!r:.40}."
            )
        seqs.append(s)
    if maxlen is None:
        maxlen = max((len(s) for s in seqs), default=0)
    out = np.full((len(seqs), maxlen), value, dtype=dtype)
    if maxlen == 0:
        return out
    for i, s in enumerate(seqs):
        if len(s) == 0:
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if padding == "post":
            out[i, : len(trunc)] = trunc
        else:
            out[i, maxlen - len(trunc) :] = trunc
    return out


def one_hot(ids: np.ndarray | Sequence, num_classes: int, dtype: str = "float32") -> np.ndarray:
    """Encode integer ids as one-hot vectors.

    ``one_hot(X, n) @ E`` equals the embedding lookup ``E[X]``.

    Args:
        ids (array-like of int): Ids of any shape ``(*)``, each in ``[0, num_classes)``.
        num_classes (int): Length of each one-hot vector.
        dtype (str, default "float32"): Output dtype.

    Shape:
        - Input: ``(*)``.
        - Output: ``(*, num_classes)``.

    Raises:
        TypeError: If ``ids`` are not integers.
        IndexError: If an id is out of range; the message names it and its position.

    >>> one_hot([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    arr = check_ids(ids, num_classes)
    out = np.zeros((*arr.shape, num_classes), dtype=dtype)
    np.put_along_axis(out, arr[..., None], 1, axis=-1)
    return out
