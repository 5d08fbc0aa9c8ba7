"""Compact storage of a vector matrix: float16, or 8-bit integers with a scale per row.

``float16`` halves the float32 matrix; ``int8`` quarters it: row ``i`` is stored as
``round(x / s_i)`` with ``s_i = max|x| / 127``, so every row uses the whole 8-bit range
and decodes as ``data[i] * s_i`` (error at most ``s_i / 2`` a value). Cosines do not
depend on the scale, so neighbour queries compare the stored integers directly.

Queries never decode the whole matrix: :func:`iter_blocks` yields float32 blocks of
rows (and, for a memory-mapped matrix, gives each block's pages back to the kernel
once it is used, so a scan of a file larger than memory keeps a small footprint).

>>> import numpy as np
>>> x = np.array([[0.5, -1.0, 0.25]], dtype=np.float32)
>>> data, scales = encode(x, "int8")
>>> data.tolist(), scales.tolist()
([[64, -127, 32]], [0.007874015718698502])
>>> decode(data, scales).astype(float).round(3).tolist()
[[0.504, -1.0, 0.252]]
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator

import numpy as np

from wordvec._validation import check_choice

DTYPES = ("float32", "float16", "int8")
_BLOCK_BYTES = 16 * 1024 * 1024  # float32 bytes decoded at a time (16 MB)


def dtype_name(data: np.ndarray) -> str:
    """Return the storage name (``"float32"``, ``"float16"`` or ``"int8"``) of ``data``.

    >>> dtype_name(np.zeros((1, 2), np.float16))
    'float16'
    """
    name = np.dtype(data.dtype).name
    if name not in DTYPES:
        raise TypeError(f"vector storage must be one of {DTYPES}, got {name}.")
    return name


def encode(
    matrix: np.ndarray, dtype: str = "float32", scales: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Encode a float matrix for storage; return ``(data, scales)``.

    Args:
        matrix (np.ndarray): Float ``(n, dim)`` matrix (any storage accepted by
            :func:`iter_blocks`; it is read block by block).
        dtype (str, default "float32"): ``"float32"``, ``"float16"`` or ``"int8"``.
        scales (np.ndarray | None, default None): Row scales of an 8-bit ``matrix``.

    Returns:
        tuple: ``data`` ``(n, dim)`` of ``dtype`` and, for ``"int8"``, the float32
        ``scales`` ``(n,)`` (None otherwise).

    Shape:
        ``(n, dim) -> (n, dim), (n,)``

    Raises:
        ValueError: If ``dtype`` is not one of the three, or a value does not fit
            float16 (beyond +-65504).

    >>> encode(np.array([[1.0, 2.0]]), "float16")[0].dtype
    dtype('float16')
    """
    check_choice(dtype, "dtype", DTYPES)
    n, dim = matrix.shape
    data = np.empty((n, dim), dtype=np.dtype(dtype))
    out_scales = np.empty(n, dtype=np.float32) if dtype == "int8" else None
    for b0, block in iter_blocks(matrix, scales):
        b1 = b0 + len(block)
        if dtype == "int8":
            peak = np.abs(block).max(axis=1) if dim else np.zeros(len(block), np.float32)
            s = (peak / np.float32(127.0)).astype(np.float32)
            out_scales[b0:b1] = s  # type: ignore[index]
            safe = np.where(s > 0, s, np.float32(1.0))
            data[b0:b1] = np.rint(block / safe[:, None]).astype(np.int8)
        else:
            if dtype == "float16" and block.size and np.abs(block).max() > 65504.0:
                row = b0 + int(np.argmax(np.abs(block).max(axis=1)))
                raise ValueError(
                    f"row {row} holds values beyond float16's range (+-65504); save it as "
                    "dtype='float32' or 'int8' (which scales each row) instead."
                )
            data[b0:b1] = block
    return data, out_scales


def decode(data: np.ndarray, scales: np.ndarray | None = None) -> np.ndarray:
    """Return stored rows as float32 (``data * scales[:, None]`` for 8-bit rows).

    Shape:
        ``(m, dim), (m,) -> (m, dim)``; also ``(dim,), () -> (dim,)`` for one row.

    >>> decode(np.array([[2, -4]], np.int8), np.array([0.5], np.float32)).tolist()
    [[1.0, -2.0]]
    """
    out = np.asarray(data, dtype=np.float32)
    if scales is not None:
        out = out * np.asarray(scales, dtype=np.float32)[..., None]
    return out


def _mapping(array: np.ndarray) -> mmap.mmap | None:
    """The ``mmap.mmap`` behind ``array`` (through views), or None."""
    base = array
    while base is not None:
        if isinstance(base, mmap.mmap):
            return base
        if isinstance(base, np.memmap) and getattr(base, "_mmap", None) is not None:
            return base._mmap
        base = getattr(base, "base", None)
    return None


def is_mapped(array: np.ndarray) -> bool:
    """Whether ``array`` is a view of a memory-mapped file.

    >>> is_mapped(np.zeros(3))
    False
    """
    return _mapping(array) is not None


def release_pages(array: np.ndarray) -> None:
    """Drop the resident pages of a memory-mapped ``array`` from this process.

    The data stays in the file and the page cache: reading it again maps it back. This
    keeps the resident size of a scan over a mapped file bounded. A no-op for arrays
    in memory or where ``madvise`` is unavailable.
    """
    mm = _mapping(array)
    if mm is None or not array.size or not hasattr(mm, "madvise"):
        return
    if not hasattr(mmap, "MADV_DONTNEED"):  # pragma: no cover - not on Linux
        return
    start_addr = np.frombuffer(mm, dtype=np.uint8).ctypes.data
    first = array.ctypes.data - start_addr
    last = first + array.nbytes
    page = mmap.PAGESIZE
    begin = (first // page) * page
    end = min(len(mm), -(-last // page) * page)
    if 0 <= begin < end:
        mm.madvise(mmap.MADV_DONTNEED, begin, end - begin)


def block_rows(dim: int, itemsize: int = 4) -> int:
    """Rows per block so that a decoded block holds about 16 MB.

    >>> block_rows(300)
    13981
    """
    return max(64, _BLOCK_BYTES // max(1, dim * itemsize))


def iter_blocks(
    data: np.ndarray,
    scales: np.ndarray | None = None,
    *,
    start: int = 0,
    stop: int | None = None,
    rows: int | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(first_row, float32 block)`` over rows ``start:stop`` of stored rows.

    Float32 rows in memory are yielded as views (no copy); other storage is decoded a
    block at a time. Pages of a memory-mapped matrix are released after each block.

    Shape:
        ``data (n, dim)`` -> blocks ``(m, dim)``

    >>> [(i, b.tolist()) for i, b in iter_blocks(np.eye(2, dtype=np.float16), rows=1)]
    [(0, [[1.0, 0.0]]), (1, [[0.0, 1.0]])]
    """
    n = data.shape[0] if stop is None else min(stop, data.shape[0])
    step = rows or block_rows(data.shape[1])
    for b0 in range(start, n, step):
        b1 = min(n, b0 + step)
        raw = data[b0:b1]
        yield b0, decode(raw, None if scales is None else scales[b0:b1])
        release_pages(raw)


def row_norms(data: np.ndarray, scales: np.ndarray | None = None) -> np.ndarray:
    """Return the float32 norm of every decoded row, computed block by block.

    Shape:
        ``(n, dim) -> (n,)``

    >>> row_norms(np.array([[3, 4]], np.int8), np.array([2.0], np.float32)).tolist()
    [10.0]
    """
    out = np.empty(data.shape[0], dtype=np.float32)
    for b0, block in iter_blocks(data, scales):
        out[b0 : b0 + len(block)] = np.linalg.norm(block, axis=1)
    return out
