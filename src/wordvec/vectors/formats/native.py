"""wordvec's native format: one ``.safetensors`` file, loadable memory-mapped.

Tensors:
    ``vectors``        ``(n, dim)``, the matrix: float32, or (format version 2) float16
                       or int8 (see :mod:`wordvec.vectors.compact`);
    ``scales``         float32 ``(n,)``, the row scales of an int8 matrix;
    ``vocab_bytes``    uint8, every word in UTF-8 followed by ``b"\\n"``;
    ``vocab_offsets``  int64 ``(n + 1,)``, word ``i`` is
                       ``vocab_bytes[vocab_offsets[i]:vocab_offsets[i + 1] - 1]``;
    ``counts``         int64 ``(n,)``, only when the vectors have counts.
Metadata (strings): ``format`` = ``"wordvec.vectors"``, ``format_version`` = ``"1"``,
``count``, ``dim`` and (version 2) ``dtype``. Float32 files are version 1, so older
readers keep reading them.

Loading maps the matrix read-only straight from the file (``mmap=True``), so even a
large store opens in milliseconds; the words are decoded in one go, and the word ->
row lookup is built on first use (a file with repeated words, which ``Vectors.save``
never writes, is reported then).

>>> import numpy as np, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.safetensors"
>>> write(p, ["a", "b"], np.eye(2, dtype=np.float32), np.array([5, 3]))
>>> got = read(p)
>>> got.words, got.vectors.tolist(), got.counts.tolist()
(['a', 'b'], [[1.0, 0.0], [0.0, 1.0]], [5, 3])
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wordvec._io import atomic_write, check_readable, compression_of, open_binary
from wordvec._words import pack_words, unpack_words
from wordvec.vectors import compact
from wordvec.vectors.formats._common import Loaded

logger = logging.getLogger(__name__)

NAME = "native"
FORMAT_TAG = "wordvec.vectors"
FORMAT_VERSION = "1"
COMPACT_VERSION = "2"  # float16 or int8 matrices
_VERSIONS = (FORMAT_VERSION, COMPACT_VERSION)
_DTYPES = {
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I8": np.dtype("i1"),
    "I64": np.dtype("<i8"),
    "U8": np.dtype("u1"),
}
_MATRIX_DTYPES = {"F32": "float32", "F16": "float16", "I8": "int8"}
_MAX_HEADER = 100 * 1024 * 1024


def write(
    path: str | Path,
    words: Sequence[str],
    matrix: np.ndarray,
    counts: np.ndarray | None = None,
    *,
    encoding: str = "utf-8",
    dtype: str | None = None,
    scales: np.ndarray | None = None,
) -> None:
    """Write the native ``.safetensors`` file atomically (words are always UTF-8).

    ``matrix`` may be stored compact already (float16, or int8 with its ``scales``);
    ``dtype`` (``"float32"``, ``"float16"``, ``"int8"``; default: the matrix's own)
    re-encodes it.
    """
    from safetensors.numpy import save

    path = Path(path)
    n, dim = matrix.shape
    blob, offsets = pack_words(words, b"\n")
    stored = compact.dtype_name(matrix)
    dtype = stored if dtype is None else dtype
    if dtype != stored:
        matrix, scales = compact.encode(matrix, dtype, scales)
    tensors = {
        "vectors": np.ascontiguousarray(matrix),
        "vocab_bytes": blob,
        "vocab_offsets": offsets,
    }
    if counts is not None:
        tensors["counts"] = np.ascontiguousarray(counts, dtype="<i8")
    if dtype == "int8":
        tensors["scales"] = np.ascontiguousarray(scales, dtype="<f4")
    metadata = {
        "format": FORMAT_TAG,
        "format_version": FORMAT_VERSION if dtype == "float32" else COMPACT_VERSION,
        "count": str(n),
        "dim": str(dim),
    }
    if dtype != "float32":
        metadata["dtype"] = dtype
    data = save(tensors, metadata=metadata)
    with atomic_write(path) as f:
        f.write(data)
    logger.info("wrote %d x %d %s vectors to %s (native format)", n, dim, dtype, path)


def _bad(path: Path, what: str) -> ValueError:
    return ValueError(
        f"{str(path)!r} is not a valid wordvec native vectors file: {what}. Re-save it with "
        "Vectors.save(path), or load it with the right format=..."
    )


def read_header(path: Path, head: bytes, size: int) -> tuple[dict, dict, int]:
    """Parse and check a safetensors header; return ``(tensors, metadata, data_start)``.

    Raises:
        ValueError: If the header is malformed, lacks the wordvec tensors, or points
            past the end of the file.
    """
    if len(head) < 8:
        raise _bad(path, f"the file has {size} bytes, fewer than the 8-byte header length")
    hlen = int.from_bytes(head[:8], "little")
    if hlen > min(size - 8, _MAX_HEADER) or hlen < 2:
        raise _bad(path, f"the header length field says {hlen} bytes but the file has {size}")
    try:
        header = json.loads(head[8 : 8 + hlen])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(path, f"the header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise _bad(path, "the header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    if meta.get("format") != FORMAT_TAG:
        raise _bad(path, f"metadata format is {meta.get('format')!r}, expected {FORMAT_TAG!r}")
    if meta.get("format_version") not in _VERSIONS:
        raise _bad(
            path,
            f"format_version {meta.get('format_version')!r} is not supported (this wordvec "
            f"reads versions {', '.join(map(repr, _VERSIONS))}); upgrade wordvec",
        )
    data_start = 8 + hlen
    for name in ("vectors", "vocab_bytes", "vocab_offsets"):
        if name not in header:
            raise _bad(path, f"the tensor {name!r} is missing")
    for name, info in header.items():
        dtype = _DTYPES.get(info.get("dtype"))
        begin, end = info.get("data_offsets", (None, None))
        shape = info.get("shape")
        if dtype is None or shape is None or begin is None:
            raise _bad(path, f"tensor {name!r} has an unsupported description {info!r}")
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if end - begin != nbytes or data_start + end > size:
            raise _bad(
                path,
                f"tensor {name!r} ({info}) needs bytes {data_start + begin}..{data_start + end}"
                f" but the file has {size} bytes",
            )
    return header, meta, data_start


def _check_tensors(path: Path, header: dict) -> tuple[int, int, bool]:
    """Check the tensors' dtypes and shapes agree; return ``(rows, dim, quantized)``.

    Raises:
        ValueError: Naming the tensor that does not fit.
    """
    vec_info = header["vectors"]
    if vec_info["dtype"] not in _MATRIX_DTYPES or len(vec_info["shape"]) != 2:
        raise _bad(path, f"'vectors' must be a 2-D F32, F16 or I8 tensor, found {vec_info}")
    n, dim = (int(x) for x in vec_info["shape"])
    quantized = vec_info["dtype"] == "I8"
    scale_info = header.get("scales")
    if quantized != (scale_info is not None) or (
        quantized and (scale_info["dtype"] != "F32" or scale_info["shape"] != [n])
    ):
        raise _bad(path, f"an I8 'vectors' needs 'scales' F32 of shape [{n}], found {scale_info}")
    off_info = header["vocab_offsets"]
    if off_info["dtype"] != "I64" or off_info["shape"] != [n + 1]:
        raise _bad(path, f"'vocab_offsets' must be I64 of shape [{n + 1}], found {off_info}")
    if "counts" in header and (
        header["counts"]["dtype"] != "I64" or header["counts"]["shape"] != [n]
    ):
        raise _bad(path, f"'counts' must be I64 of shape [{n}], found {header['counts']}")
    return n, dim, quantized


def _read_words(
    path: Path, header: dict, start: int, data: bytes | None, offsets: np.ndarray,
    unicode_errors: str,
) -> list[str]:  # fmt: skip
    """Read and check the words ``vocab_bytes[offsets[0]:offsets[-1]]`` (newline-ended),
    from ``data`` when the file was decompressed into memory, else from the file."""
    rows = len(offsets) - 1
    nbytes = header["vocab_bytes"]["shape"][0]
    if rows and (offsets[0] != 0 or offsets[-1] > nbytes or np.any(np.diff(offsets) < 1)):
        raise _bad(path, "'vocab_offsets' are not increasing offsets into 'vocab_bytes'")
    nbytes_used = int(offsets[-1]) if rows else 0
    vocab_at = start + header["vocab_bytes"]["data_offsets"][0]
    if data is not None:
        raw = bytes(memoryview(data)[vocab_at : vocab_at + nbytes_used])
    else:
        with open(path, "rb") as f:
            f.seek(vocab_at)
            raw = f.read(nbytes_used)
    ends = np.frombuffer(raw, dtype=np.uint8)[offsets[1:] - 1] if rows else np.zeros(0)
    if rows and not np.all(ends == 10):
        raise _bad(path, "a word in 'vocab_bytes' does not end with a newline")
    try:
        return unpack_words(raw, offsets, b"\n", errors=unicode_errors)
    except UnicodeDecodeError as exc:
        row = int(np.searchsorted(offsets, exc.start, side="right")) - 1
        raise _bad(path, f"word {row} is not valid UTF-8 ({exc.reason})") from None


def read(
    path: str | Path,
    *,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "warn",
    mmap: bool = True,
) -> Loaded:
    """Read a native file; with ``mmap=True`` the matrix is a read-only memory map.

    Compressed files (``.safetensors.gz``...) are decompressed into memory.

    Raises:
        ValueError: If the file is not a valid native vectors file (bad header, missing
            tensor, shapes that disagree, offsets out of order, invalid UTF-8).
    """
    path = check_readable(path, "vector file")
    compressed = compression_of(path) is not None
    if compressed:
        with open_binary(path) as f:
            data = f.read()
        size = len(data)
        header, _, start = read_header(path, data[: min(size, _MAX_HEADER + 8)], size)
    else:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(8)
            hlen = int.from_bytes(head, "little") if len(head) == 8 else 0
            head += f.read(min(hlen, _MAX_HEADER))
        data = None
        header, _, start = read_header(path, head, size)

    n, dim, quantized = _check_tensors(path, header)
    rows = n if limit is None else min(n, limit)

    def array(name: str, count: int | None = None, *, mapped: bool = False) -> np.ndarray:
        info = header[name]
        dtype = _DTYPES[info["dtype"]]
        shape = tuple(info["shape"])
        if count is not None:
            shape = (count, *shape[1:])
        begin = start + info["data_offsets"][0]
        nitems = int(np.prod(shape, dtype=np.int64))
        if data is not None:
            return np.frombuffer(data, dtype=dtype, count=nitems, offset=begin).reshape(shape)
        if mapped and nitems:
            mapped_array = np.memmap(path, dtype=dtype, mode="r", offset=begin, shape=shape)
            return mapped_array.view(np.ndarray)
        return np.fromfile(path, dtype=dtype, count=nitems, offset=begin).reshape(shape)

    offsets = array("vocab_offsets", rows + 1)
    words = _read_words(path, header, start, data, offsets, unicode_errors)
    matrix = array("vectors", rows, mapped=mmap)
    if data is not None:
        matrix = matrix.copy()
    counts = array("counts", rows).copy() if "counts" in header else None
    scales = array("scales", rows).copy() if quantized else None
    dtype = _MATRIX_DTYPES[header["vectors"]["dtype"]]
    logger.info(
        "read %d x %d %s vectors from %s (native format, mmap=%s)", rows, dim, dtype, path, mmap
    )
    # words are unique by construction (Vectors.save); the lookup is built on first use
    return Loaded(words, matrix, counts, None, scales)
