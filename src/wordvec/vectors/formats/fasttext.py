"""fastText ``.vec`` format: the word2vec text format (``count dim`` header, one line a word).

fastText's ``.bin`` model files (with subword buckets) are not word vectors and are
not read here.

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.vec"
>>> write(p, ["a"], np.array([[1.5, 2.0]], dtype=np.float32))
>>> p.read_text()
'1 2\\na 1.5 2\\n'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wordvec.vectors.formats._common import Loaded
from wordvec.vectors.formats._text import read_text, write_text

NAME = "fasttext"


def read(
    path: str | Path,
    *,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "warn",
    mmap: bool = True,
) -> Loaded:
    """Read a fastText ``.vec`` file; ``mmap`` is ignored.

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
    """Write a fastText ``.vec`` file atomically (counts are not stored in this format)."""
    write_text(path, words, matrix, header=True, fmt=NAME, encoding=encoding)
