"""GloVe text format: one ``word f1 ... f_dim`` line per word, no header.

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
>>> write(p, ["a", "b"], np.array([[0.5, -1.0], [2.0, 1e-05]], dtype=np.float32))
>>> p.read_text()
'a 0.5 -1\\nb 2 1e-05\\n'
>>> read(p).words
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wordvec.vectors.formats._common import Loaded
from wordvec.vectors.formats._text import read_text, write_text

NAME = "glove"


def read(
    path: str | Path,
    *,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "warn",
    mmap: bool = True,
) -> Loaded:
    """Read a GloVe text file (``.gz``/``.bz2``/``.xz`` transparently); ``mmap`` is ignored.

    Raises:
        ValueError: For a malformed file; the message names the file and line.
    """
    return read_text(
        path,
        header=False,
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
    """Write a GloVe text file atomically (counts are not stored in this format)."""
    write_text(path, words, matrix, header=False, fmt=NAME, encoding=encoding)
