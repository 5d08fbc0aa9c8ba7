"""Subword vectors in wordvec's native format: a native file with n-gram rows added.

The file is a native ``.safetensors`` vectors file (:mod:`.native`) whose ``vectors``
are the composed word vectors, so any native reader loads it as plain
:class:`~wordvec.Vectors`; on top it holds

    ``vectors_vocab``   float32 ``(n, dim)``, the words' own rows;
    ``vectors_ngrams``  float32 ``(bucket, dim)``, the n-gram rows;

and the metadata ``subword`` = ``"fasttext"`` (the n-gram and hash rule of
:mod:`wordvec.vectors.subword`), ``minn``, ``maxn``, ``bucket`` and ``training`` (JSON:
the training settings a fastText ``.bin`` recorded, kept for writing one back). Loading maps all
three matrices read-only from disk (``mmap=True``).

>>> import numpy as np, tempfile, pathlib
>>> from wordvec.vectors.subword_store import SubwordVectors
>>> p = pathlib.Path(tempfile.mkdtemp()) / "sv.safetensors"
>>> write(p, SubwordVectors(["ab"], np.ones((1, 2)), np.zeros((4, 2)), minn=2, maxn=3))
>>> is_subword(p), read(p).vectors_ngrams.shape, read(p).minn
(True, (4, 2), 2)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from wordvec._io import atomic_write, check_readable, compression_of, open_binary
from wordvec.vectors.formats import native
from wordvec.vectors.formats._subword import LoadedSubword

logger = logging.getLogger(__name__)

SUBWORD_TAG = "fasttext"
_EXTRA = ("vectors_vocab", "vectors_ngrams")


def _head(path: Path) -> tuple[bytes, int, bytes | None]:
    """The first bytes (length + header) and the file size; whole data if compressed."""
    if compression_of(path) is not None:
        with open_binary(path) as f:
            data = f.read()
        return data[: 8 + min(int.from_bytes(data[:8], "little"), len(data))], len(data), data
    with open(path, "rb") as f:
        head = f.read(8)
        hlen = int.from_bytes(head, "little") if len(head) == 8 else 0
        head += f.read(min(hlen, 100 * 1024 * 1024))
    return head, path.stat().st_size, None


def is_subword(path: str | Path) -> bool:
    """Return True if ``path`` is a native file holding subword vectors (never raises
    for a damaged header: the native reader reports those)."""
    path = Path(path)
    try:
        head, _, _ = _head(path)
        hlen = int.from_bytes(head[:8], "little")
        meta = json.loads(head[8 : 8 + hlen]).get("__metadata__") or {}
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(meta, dict) and meta.get("subword") == SUBWORD_TAG


def _bad(path: Path, what: str) -> ValueError:
    return ValueError(
        f"{str(path)!r} is not a valid wordvec subword vectors file: {what}. Re-save it "
        "with SubwordVectors.save(path)."
    )


def write(path: str | Path, sv: Any) -> None:
    """Write :class:`~wordvec.vectors.subword_store.SubwordVectors` atomically."""
    from safetensors.numpy import save

    path = Path(path)
    blob = ("\n".join(sv.words) + ("\n" if len(sv) else "")).encode("utf-8")
    ends = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) == 10) + 1
    if len(ends) != len(sv):  # a word holds a newline: count per word
        ends = np.cumsum([len(w.encode("utf-8")) + 1 for w in sv.words], dtype=np.int64)
    tensors = {
        "vectors": np.ascontiguousarray(sv.vectors, dtype="<f4"),
        "vocab_bytes": np.frombuffer(blob, dtype=np.uint8),
        "vocab_offsets": np.concatenate(([0], ends)).astype("<i8"),
        "vectors_vocab": np.ascontiguousarray(sv.vectors_vocab, dtype="<f4"),
        "vectors_ngrams": np.ascontiguousarray(sv.vectors_ngrams, dtype="<f4"),
    }
    if sv.counts is not None:
        tensors["counts"] = np.ascontiguousarray(sv.counts, dtype="<i8")
    metadata = {
        "format": native.FORMAT_TAG,
        "format_version": native.FORMAT_VERSION,
        "count": str(len(sv)),
        "dim": str(sv.dim),
        "subword": SUBWORD_TAG,
        "minn": str(sv.minn),
        "maxn": str(sv.maxn),
        "bucket": str(sv.bucket),
        "training": json.dumps(sv.info),
    }
    data = save(tensors, metadata=metadata)
    with atomic_write(path) as f:
        f.write(data)
    logger.info(
        "wrote %d words x %d dims + %d n-gram rows to %s (native subword)",
        len(sv),
        sv.dim,
        sv.bucket,
        path,
    )


def read(
    path: str | Path,
    *,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    duplicates: str = "warn",
    mmap: bool = True,
) -> LoadedSubword:
    """Read a native subword file (see the module docs); options as :func:`native.read`.

    Raises:
        ValueError: If the file is not a valid native file, or its subword tensors or
            metadata are missing or do not fit.
    """
    path = check_readable(path, "vector file")
    got = native.read(
        path,
        limit=limit,
        encoding=encoding,
        unicode_errors=unicode_errors,
        duplicates=duplicates,
        mmap=mmap,
    )
    head, size, data = _head(path)
    header, meta, start = native.read_header(path, head, size)
    n, dim = header["vectors"]["shape"]
    try:
        minn, maxn, bucket = (int(meta[k]) for k in ("minn", "maxn", "bucket"))
    except (KeyError, ValueError):
        raise _bad(path, f"the metadata lacks whole numbers minn, maxn, bucket: {meta}") from None
    shapes = {"vectors_vocab": [n, dim], "vectors_ngrams": [bucket, dim]}
    arrays = {}
    for name, shape in shapes.items():
        info = header.get(name)
        if info is None or info["dtype"] != "F32" or info["shape"] != shape:
            raise _bad(path, f"{name!r} must be an F32 tensor of shape {shape}, found {info}")
        rows = len(got.words) if name == "vectors_vocab" else shape[0]
        begin = start + info["data_offsets"][0]
        if data is not None:
            arr = np.frombuffer(data, "<f4", rows * dim, begin).reshape(rows, dim).copy()
        elif mmap and rows * dim:
            arr = np.memmap(path, "<f4", mode="r", offset=begin, shape=(rows, dim))
            arr = arr.view(np.ndarray)
        else:
            arr = np.fromfile(path, "<f4", rows * dim, offset=begin).reshape(rows, dim)
        arrays[name] = arr
    logger.info(
        "read n-gram rows %d x %d (minn %d, maxn %d) from %s", bucket, dim, minn, maxn, path
    )
    if got.scales is not None or got.vectors.dtype != np.float32:
        raise _bad(path, f"its word vectors are stored as {got.vectors.dtype}, not float32")
    return LoadedSubword(
        words=got.words,
        vectors=got.vectors,
        counts=got.counts,
        key_to_index=got.key_to_index,
        vectors_vocab=arrays["vectors_vocab"],
        vectors_ngrams=arrays["vectors_ngrams"],
        minn=minn,
        maxn=maxn,
        info=_training(meta),
    )


def _training(meta: dict) -> dict:
    try:
        info = json.loads(meta.get("training", "{}"))
    except ValueError:
        info = {}
    return info if isinstance(info, dict) else {}
