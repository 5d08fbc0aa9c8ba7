"""File helpers shared by readers and writers: transparent compression, atomic writes.

Every file wordvec writes goes through :func:`atomic_write`: the bytes go to a
temporary file beside the target and are renamed into place only when the
writer finished without error, so a failure never leaves a half-written output.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

PathLike = str | os.PathLike

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}

COMPRESSED_SUFFIXES = tuple(_OPENERS)


def compression_of(path: PathLike) -> str | None:
    """Return the compression suffix of ``path`` (``".gz"``, ``".bz2"``, ``".xz"``) or None.

    >>> compression_of("glove.txt.gz")
    '.gz'
    """
    suffix = Path(path).suffix.lower()
    return suffix if suffix in _OPENERS else None


def check_readable(path: PathLike, what: str = "file") -> Path:
    """Return ``path`` as a :class:`Path` if it exists, else raise ``FileNotFoundError``.

    Raises:
        FileNotFoundError: If nothing exists at ``path``; the message names it.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{what} not found: {str(p)!r}; check the path and try again.")
    return p


def open_binary(path: PathLike) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing ``.gz``/``.bz2``/``.xz`` on the fly.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
    """
    p = check_readable(path)
    opener = _OPENERS.get(p.suffix.lower())
    if opener is None:
        return open(p, "rb")  # the caller closes it
    return opener(p, "rb")


def open_text(path: PathLike, encoding: str = "utf-8", errors: str = "strict") -> IO[str]:
    """Open ``path`` for reading text, decompressing by suffix.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
    """
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors=errors, newline=None)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: PathLike, *, text: bool = False, encoding: str = "utf-8") -> Iterator[IO]:
    """Write ``path`` atomically: yield a file object, rename into place on success.

    The data is compressed when ``path`` ends in ``.gz``, ``.bz2`` or ``.xz``. On any
    exception the temporary file is removed and the previous content of ``path``
    (if any) is left untouched.

    Args:
        path: The destination file.
        text: Yield a text stream (``encoding``) instead of a binary one.
        encoding: Text encoding when ``text`` is True.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(p, text=True) as f:
    ...     _ = f.write("hello")
    >>> p.read_text()
    'hello'
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(target)!r}: the directory {str(directory)!r} does not exist; "
            "create it first."
        )
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual mode
    raw = os.fdopen(fd, "wb")
    opener = _OPENERS.get(target.suffix.lower())
    try:
        stream: IO = raw
        if opener is gzip.open:
            stream = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)
        elif opener is not None:
            stream = opener(raw, "wb")
        if text:
            stream = io.TextIOWrapper(stream, encoding=encoding, newline="\n")
        try:
            yield stream
        finally:
            stream.close()
            if not raw.closed:
                raw.close()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
