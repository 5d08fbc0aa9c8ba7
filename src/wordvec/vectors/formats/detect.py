"""Guess a vector file's format from its name and first bytes.

Rules, in order:

0. fastText's magic number ``793712314`` (int32) in the first 4 bytes ->
   ``"fasttext-bin"`` (whatever the suffix: word2vec binaries also end in ``.bin``);
1. a ``.safetensors`` name (before any ``.gz``/``.bz2``/``.xz``), or a safetensors
   header (8-byte length, then ``{``) -> ``"native"``;
2. a first line of two whole numbers ``count dim`` -> the word2vec family: if the
   rest of the next line reads as ``dim`` numbers it is text (``"fasttext"`` for a
   ``.vec`` name, else ``"word2vec"``), otherwise ``"word2vec-binary"``;
3. anything else -> ``"glove"`` (text, no header).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
>>> _ = p.write_text("the 0.418 0.24968\\n")
>>> detect_format(p)
'glove'
"""

from __future__ import annotations

import re
from pathlib import Path

from wordvec._io import check_readable, compression_of, open_binary

_HEADER = re.compile(rb"^\s*(\d+)[ \t]+(\d+)\s*$")
_NUMBER = re.compile(rb"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_PROBE_BYTES = 1 << 16
_FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")


def _stem_suffix(path: Path) -> str:
    name = path.name.lower()
    comp = compression_of(path)
    if comp is not None:
        name = name[: -len(comp)]
    return Path(name).suffix


def detect_format(path: str | Path) -> str:
    """Return the format name of the vector file at ``path``.

    Args:
        path (str | Path): The file; ``.gz``/``.bz2``/``.xz`` are looked into.

    Returns:
        str: One of ``"native"``, ``"word2vec"``, ``"fasttext"``, ``"word2vec-binary"``,
        ``"fasttext-bin"``, ``"glove"``.

    Raises:
        FileNotFoundError: If there is no file at ``path``.
        ValueError: If the file is empty.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.vec"
    >>> _ = p.write_text("1 2\\na 0.5 2\\n")
    >>> detect_format(p)
    'fasttext'
    """
    path = check_readable(path, "vector file")
    suffix = _stem_suffix(path)
    if suffix == ".safetensors":
        return "native"
    with open_binary(path) as f:
        head = f.read(_PROBE_BYTES)
    if not head:
        raise ValueError(
            f"{str(path)!r} is empty; expected a vector file (GloVe, word2vec, fastText or native)."
        )
    if head[:4] == _FASTTEXT_MAGIC:
        return "fasttext-bin"
    if len(head) >= 9:
        hlen = int.from_bytes(head[:8], "little")
        if head[8:9] == b"{" and 2 <= hlen < (1 << 32):
            return "native"
    first, _, rest = head.partition(b"\n")
    match = _HEADER.match(first)
    if match is None:
        return "glove"
    dim = int(match.group(2))
    # text if the next line is "word n1 ... n_dim"
    line = rest.split(b"\n", 1)[0].rstrip(b" \t\r")
    parts = line.split(b" ", 1)
    if len(parts) == 2:
        fields = parts[1].split()
        if len(fields) == dim and all(_NUMBER.match(x) for x in fields):
            return "fasttext" if suffix == ".vec" else "word2vec"
    if b"\n" not in rest and len(rest) < _PROBE_BYTES - len(first) - 1 and not rest.strip():
        # a header and nothing else: an empty text file
        return "fasttext" if suffix == ".vec" else "word2vec"
    return "word2vec-binary"
