"""Vector file formats: one module per format, a detector, and the load/save dispatch.

Formats (the ``format=`` names): ``"glove"`` (text, no header), ``"word2vec"`` (text
with a ``count dim`` header), ``"fasttext"`` (``.vec``, same as word2vec text),
``"word2vec-binary"`` (the C tool's binary), ``"fasttext-bin"`` (Facebook fastText
``.bin`` models, with their n-gram rows) and ``"native"`` (one ``.safetensors`` file,
memory-mappable; subword vectors add their n-gram rows to it). Text and binary
files may be ``.gz``/``.bz2``/``.xz``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from wordvec._validation import check_bool, check_choice, check_int
from wordvec.vectors.formats import (
    fasttext,
    fasttext_bin,
    glove,
    native,
    native_subword,
    word2vec,
    word2vec_binary,
)
from wordvec.vectors.formats._common import (
    Loaded,
    check_duplicates,
    check_encoding,
    check_unicode_errors,
)
from wordvec.vectors.formats.detect import detect_format

_MODULES: dict[str, ModuleType] = {
    "glove": glove,
    "word2vec": word2vec,
    "word2vec-binary": word2vec_binary,
    "fasttext": fasttext,
    "fasttext-bin": fasttext_bin,
    "native": native,
}
FORMATS = tuple(_MODULES)

__all__ = ["FORMATS", "Loaded", "detect_format", "read_vectors", "write_vectors"]


def read_vectors(
    path: str | Path,
    *,
    format: str = "auto",
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "warn",
    mmap: bool = True,
) -> Loaded:
    """Read a vector file in any supported format (see :meth:`wordvec.Vectors.load`).

    Args:
        path (str | Path): The file.
        format (str, default "auto"): ``"auto"`` or one of :data:`FORMATS`.
        limit (int | None, default None): Read only the first words.
        encoding (str, default "utf-8"): Encoding of the words.
        unicode_errors (str, default "strict"): ``errors`` for decoding the words.
        duplicates (str, default "warn"): ``"warn"`` (keep the first) or ``"error"``.
        mmap (bool, default True): Map a native file's matrix instead of reading it.

    Returns:
        Loaded: words, float32 matrix, counts (native only) and the word -> row dict;
        a :class:`~wordvec.vectors.formats._subword.LoadedSubword` (with the n-gram rows)
        for fastText ``.bin`` and native subword files.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: For a bad option or a malformed file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> _ = p.write_text("a 1 2\\nb 3 4\\n")
    >>> read_vectors(p).words
    ['a', 'b']
    """
    check_choice(format, "format", ("auto", *FORMATS))
    limit = check_int(limit, "limit", minimum=0, allow_none=True)
    check_encoding(encoding)
    check_unicode_errors(unicode_errors)
    check_duplicates(duplicates)
    check_bool(mmap, "mmap")
    if format == "auto":
        format = detect_format(path)
    module = _MODULES[format]
    if format == "native" and native_subword.is_subword(path):
        module = native_subword
    return module.read(
        path,
        limit=limit,
        encoding=encoding,
        unicode_errors=unicode_errors,
        duplicates=duplicates,
        mmap=mmap,
    )


def write_vectors(
    path: str | Path,
    words: Sequence[str],
    matrix: np.ndarray,
    counts: np.ndarray | None = None,
    *,
    format: str = "native",
    encoding: str = "utf-8",
    dtype: str | None = None,
    scales: np.ndarray | None = None,
) -> None:
    """Write words and their matrix in ``format`` (see :meth:`wordvec.Vectors.save`).

    Args:
        path (str | Path): Destination (written atomically; ``.gz`` etc. compress).
        words (Sequence[str]): The words, in row order.
        matrix (np.ndarray): float32 ``(len(words), dim)``.
        counts (np.ndarray | None, default None): Counts (kept by the native format only).
        format (str, default "native"): One of :data:`FORMATS`.
        encoding (str, default "utf-8"): Encoding of the words in text/binary formats.
        dtype (str | None, default None): Native format only: store the matrix as
            ``"float32"``, ``"float16"`` or ``"int8"`` (None: as ``matrix`` is stored).
        scales (np.ndarray | None, default None): Row scales of an int8 ``matrix``.

    Raises:
        ValueError: For an unknown format, or words the format cannot store.

    >>> import tempfile, pathlib, numpy as np
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.vec"
    >>> write_vectors(p, ["a"], np.array([[0.5, 2.0]], np.float32), format="fasttext")
    >>> p.read_text()
    '1 2\\na 0.5 2\\n'
    """
    check_choice(format, "format", FORMATS)
    check_encoding(encoding)
    if format == "native":
        native.write(path, words, matrix, counts, encoding=encoding, dtype=dtype, scales=scales)
        return
    if dtype not in (None, "float32") or scales is not None:
        raise ValueError(
            f"dtype={dtype!r} applies to the native format only; {format!r} files hold "
            "float32 values. Drop dtype or write format='native'."
        )
    _MODULES[format].write(path, words, matrix, counts, encoding=encoding)
