"""word2vec text format: a ``count dim`` header, then one ``word f1 ... f_dim`` line per word.

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
>>> write(p, ["a", "b"], np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32))
>>> p.read_text()
'2 2\\na 0.5 -1\\nb 2 0.25\\n'
>>> read(p).vectors.shape
(2, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wordvec.vectors.formats._common import Loaded
from wordvec.vectors.formats._text import read_text, write_text

NAME = "word2vec"


def read(
    path: str | Path,
    *,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "warn",
    mmap: bool = True,
) -> Loaded:
    """Read a word2vec text file (``.gz``/``.bz2``/``.xz`` transparently); ``mmap`` is ignored.

    Raises:
        ValueError: For a malformed file or a header that disagrees with the lines.
    """
    return read_text(
        path,
        header=True,
        fmt=NAME,
        limit=limit,
        encoding=encoding,
        unicode_errors=unicode_errors,
        duplicates=duplicates,
    )


def write(
    path: str | Path,
    words: Sequence[str],
    matrix: np.ndarray,
    counts: np.ndarray | None = None,
    *,
    encoding: str = "utf-8",
) -> None:
    """Write a word2vec text file atomically (counts are not stored in this format)."""
    write_text(path, words, matrix, header=True, fmt=NAME, encoding=encoding)
