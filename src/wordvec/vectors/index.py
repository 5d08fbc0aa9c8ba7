"""Approximate nearest neighbours: an index over the unit rows, saved beside the vectors.

The index (faiss, from the optional ``ann`` extra: ``pip install "wordvec[ann]"``) only
proposes candidates; every candidate is re-scored exactly against the stored rows, so
the scores returned are true cosines and the order among the candidates is exact.
faiss builds and stores both methods' structures and searches the ivf one; the hnsw
graph is searched by wordvec's own numba walk (:mod:`wordvec.vectors.graph`), which
navigates on 8-bit rows and answers faster than faiss's search at the same recall.

Methods (``method=``):
    ``"hnsw"``  a hierarchical navigable small-world graph (Malkov & Yashunin 2018):
                ``connectivity`` (links a node, default 24), ``ef_construction``
                (default 64), ``ef_search`` (default 72), ``storage`` (``"float32"``
                or ``"int8"`` codes in the index, default ``"float32"``);
    ``"ivf"``   an inverted file over k-means cells: ``nlist`` (cells, default
                ``4 * sqrt(n)``), ``nprobe`` (cells searched, default 128),
                ``storage``.
Both take ``threads`` (build threads; default all cores).

The index file is ``<vectors file>.ann``: a safetensors file holding faiss's bytes and,
as metadata, the method, its parameters and the *fingerprint* of the vectors (a hash
of the words and of the stored matrix). :meth:`wordvec.Vectors.load` finds the file,
and refuses an index whose fingerprint differs from the vectors' (the vectors were
rewritten, or it belongs to another file): :class:`StaleIndexError` says how to
rebuild it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wordvec._io import atomic_write
from wordvec._validation import check_bool, check_choice, check_int
from wordvec.vectors import compact, graph
from wordvec.vectors import query as Q

if TYPE_CHECKING:
    from wordvec.vectors.store import Vectors

logger = logging.getLogger(__name__)

METHODS = ("hnsw", "ivf")
STORAGE = ("float32", "int8")
SUFFIX = ".ann"
FORMAT_TAG = "wordvec.ann"
FORMAT_VERSION = "1"
_PARAMS = {
    "hnsw": {"connectivity": 24, "ef_construction": 64, "ef_search": 72},
    "ivf": {"nlist": None, "nprobe": 128},
}
_CHUNK = 1024  # queries searched and re-scored at a time
_INSTALL = 'approximate neighbours need faiss: pip install "wordvec[ann]" (faiss-cpu).'


class StaleIndexError(ValueError):
    """An index that was built for other vectors than the ones it is used with."""


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:
        raise ImportError(_INSTALL) from exc
    return faiss


def index_path(vectors_path: str | os.PathLike) -> Path:
    """Return where the index of a vectors file lives: beside it, ``+ ".ann"``.

    >>> index_path("glove.safetensors").name
    'glove.safetensors.ann'
    """
    return Path(str(vectors_path) + SUFFIX)


def fingerprint(vectors: Vectors) -> str:
    """Return a hash (BLAKE2b, 32 hex digits) of the words and the stored matrix.

    Computed once per matrix (cached); a memory-mapped matrix is read block by block
    and its pages released, so hashing a large file keeps a small resident size.

    >>> import numpy as np
    >>> from wordvec import Vectors
    >>> a = Vectors(["x", "y"], np.eye(2))
    >>> fingerprint(a) == fingerprint(Vectors(["x", "y"], np.eye(2)))
    True
    >>> fingerprint(a) == fingerprint(Vectors(["y", "x"], np.eye(2)))
    False
    """
    cached = vectors._cache.get("fingerprint")
    if cached is not None:
        return cached
    h = hashlib.blake2b(digest_size=16)
    data = vectors._vectors
    h.update(f"wordvec-fp1 {data.shape} {compact.dtype_name(data)}\n".encode())
    h.update("\n".join(vectors.words).encode("utf-8", errors="surrogatepass"))
    rows = compact.block_rows(data.shape[1], data.dtype.itemsize)
    for b0 in range(0, data.shape[0], rows):
        block = data[b0 : b0 + rows]
        h.update(np.ascontiguousarray(block).data)
        compact.release_pages(block)
    if vectors._scales is not None:
        h.update(np.ascontiguousarray(vectors._scales).data)
    vectors._cache["fingerprint"] = h.hexdigest()
    return vectors._cache["fingerprint"]


def _check_params(method: str, params: dict[str, Any], n: int) -> dict[str, Any]:
    """Merge ``params`` into the method's defaults, checking each; return the full set."""
    check_choice(method, "method", METHODS)
    known = {**_PARAMS[method], "storage": "float32", "threads": None}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(unknown)} for method={method!r}; it takes "
            f"{', '.join(sorted(known))}."
        )
    out = {**known, **params}
    check_choice(out["storage"], "storage", STORAGE)
    out["threads"] = check_int(out["threads"], "threads", minimum=1, allow_none=True)
    if method == "hnsw":
        for name in ("connectivity", "ef_construction", "ef_search"):
            out[name] = check_int(out[name], name, minimum=2)
    else:
        default_nlist = max(1, min(n // 39, int(4 * math.sqrt(max(n, 1)))))
        out["nlist"] = check_int(out["nlist"], "nlist", minimum=1, allow_none=True)
        out["nlist"] = out["nlist"] or default_nlist
        if out["nlist"] > max(1, n):
            raise ValueError(
                f"nlist={out['nlist']} cells is more than the {n} rows; pass nlist <= {n}."
            )
        out["nprobe"] = check_int(out["nprobe"], "nprobe", minimum=1)
    return out


def _empty_index(faiss: Any, method: str, dim: int, p: dict[str, Any]) -> Any:
    """A faiss index over inner products (cosine on unit rows) for ``method``."""
    ip = faiss.METRIC_INNER_PRODUCT
    sq8 = faiss.ScalarQuantizer.QT_8bit
    if method == "hnsw":
        if p["storage"] == "int8":
            index = faiss.IndexHNSWSQ(dim, sq8, p["connectivity"], ip)
        else:
            index = faiss.IndexHNSWFlat(dim, p["connectivity"], ip)
        index.hnsw.efConstruction = p["ef_construction"]
        return index
    quantizer = faiss.IndexFlatIP(dim)
    if p["storage"] == "int8":
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, p["nlist"], sq8, ip)
    else:
        index = faiss.IndexIVFFlat(quantizer, dim, p["nlist"], ip)
    index.own_fields = True
    quantizer.this.disown()  # the IVF index owns (and frees) its quantizer
    index.cp.niter = 10  # k-means iterations: enough for cells, 2.5x quicker than faiss's 25
    return index


def _unit_blocks(vectors: Vectors) -> Any:
    """Yield ``(first_row, unit float32 block)`` over the stored rows."""
    for b0, block in compact.iter_blocks(vectors._vectors, vectors._scales):
        yield b0, Q.unit_rows(block)


def _train_sample(vectors: Vectors, nlist: int, seed: int = 0) -> np.ndarray:
    """Unit rows to train on, drawn at random: up to 40 an IVF cell, at least 10,000
    (the int8 codes' ranges)."""
    n = len(vectors)
    size = min(n, max(nlist * 40, 10_000))
    rows = np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))
    return Q.unit_rows(vectors._rows(rows))


def build(vectors: Vectors, method: str = "hnsw", **params: Any) -> NeighborIndex:
    """Build an index of ``vectors`` (see the module docstring for methods and options).

    Args:
        vectors (Vectors): The vectors (any storage; rows are normalised block by block).
        method (str, default "hnsw"): ``"hnsw"`` or ``"ivf"``.
        **params: The method's options (``connectivity``, ``ef_construction``,
            ``ef_search``, ``nlist``, ``nprobe``, ``storage``, ``threads``).

    Returns:
        NeighborIndex: The index, tied to ``vectors`` by their fingerprint.

    Raises:
        ImportError: If faiss is not installed (the ``ann`` extra).
        ValueError: For an unknown method or parameter, or an out-of-range value.

    >>> import numpy as np
    >>> from wordvec import Vectors
    >>> v = Vectors([f"w{i}" for i in range(200)], np.random.default_rng(1).normal(size=(200, 4)))
    >>> build(v, "ivf", nlist=4).method
    'ivf'
    """
    faiss = _faiss()
    n, dim = len(vectors), vectors.dim
    p = _check_params(method, params, n)
    started = time.perf_counter()
    index = _empty_index(faiss, method, dim, p)
    threads = p["threads"] or faiss.omp_get_max_threads()
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        if n and not index.is_trained:  # IVF cells, or the int8 codes' ranges (hnsw)
            index.train(_train_sample(vectors, p["nlist"] if method == "ivf" else 0))
        for _, block in _unit_blocks(vectors):
            index.add(block)
    finally:
        faiss.omp_set_num_threads(previous)
    seconds = time.perf_counter() - started
    logger.info("built a %s index of %d x %d in %.1f s (%s)", method, n, dim, seconds, p)
    return NeighborIndex(index, method, p, fingerprint(vectors), n, dim)


class NeighborIndex:
    """An approximate-neighbour index of some vectors (build it with :func:`build` or
    :meth:`wordvec.Vectors.build_index`, load it with :meth:`load`).

    Attributes:
        method (str): ``"hnsw"`` or ``"ivf"``.
        params (dict): The parameters it was built with (search ones can be changed
            with :meth:`configure`).
        fingerprint (str): The fingerprint of the vectors it indexes.
        count (int): Rows indexed.
        dim (int): Their dimension.
    """

    def __init__(
        self, native: Any, method: str, params: dict, fingerprint: str, count: int, dim: int
    ) -> None:
        self._native = native
        self.method = method
        self.params = dict(params)
        self.fingerprint = fingerprint
        self.count = count
        self.dim = dim
        self._search_params: dict[int, Any] = {}  # by k; SWIG objects cost ~10 us each
        self._searcher: graph.GraphSearcher | None = None  # hnsw: made at the first query

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k != "threads"}
        return f"NeighborIndex({self.method}, {self.count} x {self.dim}, {shown})"

    def configure(self, **params: Any) -> NeighborIndex:
        """Change the search effort: ``ef_search`` (hnsw) or ``nprobe`` (ivf); returns self.

        Raises:
            ValueError: For another parameter or an out-of-range value.
        """
        allowed = ("ef_search",) if self.method == "hnsw" else ("nprobe",)
        for name, value in params.items():
            if name not in allowed:
                raise ValueError(
                    f"only {', '.join(allowed)} can change after building a {self.method} "
                    f"index, got {name!r}; build a new index for other parameters."
                )
            self.params[name] = check_int(value, name, minimum=1)
        self._search_params.clear()
        return self

    def check(self, vectors: Vectors, source: str | os.PathLike | None = None) -> None:
        """Raise :class:`StaleIndexError` unless the index was built for ``vectors``."""
        if (self.count, self.dim) == vectors.shape and fingerprint(vectors) == self.fingerprint:
            return
        where = f" ({str(source)!r})" if source is not None else ""
        raise StaleIndexError(
            f"the approximate-neighbour index{where} was built for other vectors "
            f"({self.count} x {self.dim}, fingerprint {self.fingerprint}) than these "
            f"({vectors.shape[0]} x {vectors.shape[1]}, fingerprint {fingerprint(vectors)}):"
            " the vectors were rewritten or the index belongs to another file, so it is "
            "not used. Rebuild it: vectors.build_index() then vectors.save(path) (or "
            "`wordvec index VECTORS`), or query with approximate=False."
        )

    def candidates(self, vectors: Vectors, queries: np.ndarray, k: int) -> np.ndarray:
        """Return ``k`` candidate rows per unit query, best first (-1 pads).

        hnsw walks faiss's graph with :mod:`wordvec.vectors.graph` (8-bit rows of
        ``vectors``, made at the first query); ivf asks faiss.

        Shape:
            ``(q, dim) -> (q, k)``
        """
        k = max(1, min(k, self.count))
        if self.method == "hnsw":
            return self._graph(vectors).search(queries, k, self.params["ef_search"])
        sp = self._search_params.get(k)
        if sp is None:
            nprobe = min(self.params["nprobe"], self._native.nlist)
            sp = _faiss().SearchParametersIVF(nprobe=nprobe)
            self._search_params[k] = sp
        q = np.ascontiguousarray(queries, dtype=np.float32)
        _, ids = self._native.search(q, k, params=sp)
        return ids.astype(np.int64, copy=False)

    def _graph(self, vectors: Vectors) -> graph.GraphSearcher:
        """The hnsw graph's searcher, its 8-bit rows made from ``vectors`` once."""
        if self._searcher is None:
            started = time.perf_counter()
            codes, scales = graph.quantize(_unit_blocks(vectors), self.count, self.dim)
            self._searcher = graph.GraphSearcher(self._native, codes, scales)
            logger.info(
                "8-bit navigation rows for the hnsw index made in %.2f s",
                time.perf_counter() - started,
            )
        return self._searcher

    def search(
        self,
        vectors: Vectors,
        queries: np.ndarray,
        *,
        topn: int = 10,
        exclude: object = None,
        normalize: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Approximate :func:`wordvec.vectors.query.nearest`: candidates re-scored exactly.

        Args:
            vectors (Vectors): The indexed vectors (their rows re-score candidates).
            queries (np.ndarray): ``(q, dim)`` queries (or one ``(dim,)``).
            topn (int, default 10): Results per query.
            exclude (None | np.ndarray | Sequence, default None): Rows never returned.
            normalize (bool, default True): Scale the queries to unit length first.

        Returns:
            tuple[np.ndarray, np.ndarray]: ``indices`` (int64, -1 pads) and cosine
            ``scores`` (float32, -inf pads), each ``(q, topn)``, best first.

        Shape:
            ``(q, dim) -> (q, topn), (q, topn)``

        Raises:
            ValueError: If the query dimension differs from the index's.
        """
        topn = check_int(topn, "topn", minimum=1)
        q_arr = np.asarray(queries, dtype=np.float32)
        q_arr = q_arr[None, :] if q_arr.ndim == 1 else q_arr
        if q_arr.ndim != 2 or q_arr.shape[1] != self.dim:
            raise ValueError(
                f"queries must have shape (q, {self.dim}) to match the index, got "
                f"{np.shape(queries)}."
            )
        if normalize:
            q_arr = Q.unit_vector(q_arr)
        excl = Q._exclude_matrix(exclude, len(q_arr))
        extra = int((excl >= 0).sum(axis=1).max()) if len(excl) else 0
        if len(q_arr) == 1:  # one query: its latency is NumPy call overhead, keep it short
            cand = self.candidates(vectors, q_arr, 2 * topn + extra)[0]
            return rerank_one(vectors, q_arr[0], cand, topn, excl[0])
        top_i = np.full((len(q_arr), topn), -1, dtype=np.int64)
        top_s = np.full((len(q_arr), topn), -np.inf, dtype=np.float32)
        for q0 in range(0, len(q_arr), _CHUNK):  # bounded memory for the re-scoring
            q1 = min(len(q_arr), q0 + _CHUNK)
            cand = self.candidates(vectors, q_arr[q0:q1], 2 * topn + extra)
            top_i[q0:q1], top_s[q0:q1] = rerank(vectors, q_arr[q0:q1], cand, topn, excl[q0:q1])
        return top_i, top_s

    def save(self, path: str | os.PathLike) -> None:
        """Write the index to ``path`` atomically (a safetensors file, no pickle).

        faiss writes the index to a temporary file first, which is then copied in blocks
        behind the safetensors header: the index is never held twice in memory.
        """
        faiss = _faiss()
        meta = {
            "format": FORMAT_TAG,
            "format_version": FORMAT_VERSION,
            "method": self.method,
            "params": json.dumps({k: v for k, v in self.params.items() if k != "threads"}),
            "fingerprint": self.fingerprint,
            "count": str(self.count),
            "dim": str(self.dim),
            "library": f"faiss {faiss.__version__}",
        }
        target = Path(path)
        here = target.parent if target.parent.is_dir() else None  # else atomic_write says why
        with tempfile.TemporaryDirectory(dir=here, prefix=".wordvec-ann-") as tmp:
            raw = Path(tmp) / "index.faiss"
            faiss.write_index(self._native, str(raw))
            size = raw.stat().st_size
            tensors = {"faiss": {"dtype": "U8", "shape": [size], "data_offsets": [0, size]}}
            header = json.dumps({"__metadata__": meta, **tensors}).encode()
            header += b" " * (-len(header) % 8)  # safetensors aligns the data to 8 bytes
            with atomic_write(target) as f, open(raw, "rb") as src:
                f.write(len(header).to_bytes(8, "little") + header)
                shutil.copyfileobj(src, f, 1 << 24)
        logger.info("wrote the %s index to %s", self.method, path)

    @staticmethod
    def read_metadata(path: str | os.PathLike) -> dict[str, str]:
        """Return the metadata of an index file without loading the index.

        Raises:
            ValueError: If ``path`` is not a wordvec index file.
        """
        from safetensors import safe_open

        try:
            with safe_open(str(path), framework="numpy") as f:
                meta = f.metadata() or {}
        except Exception as exc:  # safetensors raises its own error types
            raise ValueError(
                f"{str(path)!r} is not a wordvec index file ({exc}); delete it and rebuild "
                "with vectors.build_index() / `wordvec index VECTORS`."
            ) from None
        if meta.get("format") != FORMAT_TAG or meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{str(path)!r} is not a wordvec index file of version {FORMAT_VERSION} "
                f"(metadata {meta}); delete it and rebuild with vectors.build_index()."
            )
        return meta

    @classmethod
    def load(cls, path: str | os.PathLike) -> NeighborIndex:
        """Read an index written by :meth:`save`.

        Raises:
            FileNotFoundError: If there is no file at ``path``.
            ValueError: If it is not a wordvec index file.
            ImportError: If faiss is not installed.
        """
        if not Path(path).is_file():
            raise FileNotFoundError(f"index file not found: {str(path)!r}.")
        meta = cls.read_metadata(path)
        faiss = _faiss()
        with open(path, "rb") as fh:  # streamed into faiss: the file is never held whole
            header_size = int.from_bytes(fh.read(8), "little")
            start, end = json.loads(fh.read(header_size))["faiss"]["data_offsets"]
            fh.seek(8 + header_size + start)
            left = end - start

            def read(size: int) -> bytes:
                nonlocal left
                data = fh.read(min(size, left))
                left -= len(data)
                return data

            try:
                native = faiss.read_index(faiss.PyCallbackIOReader(read))
            except RuntimeError as exc:
                raise ValueError(
                    f"{str(path)!r} holds a damaged index ({str(exc).splitlines()[0]}); "
                    "delete it and rebuild with vectors.build_index() / `wordvec index "
                    "VECTORS`."
                ) from None
        params = json.loads(meta["params"])
        params["threads"] = None
        return cls(
            native,
            meta["method"],
            params,
            meta["fingerprint"],
            int(meta["count"]),
            int(meta["dim"]),
        )


def rerank(
    vectors: Vectors, queries: np.ndarray, cand: np.ndarray, topn: int, exclude: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Score candidate rows exactly (cosine) and keep the ``topn`` best of each query.

    Ties keep the lower row first; ``-1`` candidates and excluded rows are dropped.

    Shape:
        ``queries (q, dim)``, ``cand (q, k)``, ``exclude (q, e)`` -> ``(q, topn)`` twice
    """
    q, k = cand.shape
    valid = cand >= 0
    for e in range(exclude.shape[1]):
        valid &= cand != exclude[:, e : e + 1]
    rows = np.where(valid, cand, 0)
    flat = np.unique(rows[valid])
    scores = np.full((q, k), -np.inf, dtype=np.float32)
    if flat.size:
        unit = Q.unit_rows(vectors._rows(flat))
        where = np.searchsorted(flat, rows)
        where = np.minimum(where, flat.size - 1)
        sims = np.einsum("qkd,qd->qk", unit[where], queries, dtype=np.float32)
        scores = np.where(valid, sims, np.float32(-np.inf)).astype(np.float32)
    order = np.lexsort((rows, -scores.astype(np.float64)), axis=-1)[:, :topn]
    top_s = np.take_along_axis(scores, order, axis=1)
    top_i = np.where(np.isfinite(top_s), np.take_along_axis(cand, order, axis=1), -1)
    if top_s.shape[1] < topn:
        pad = topn - top_s.shape[1]
        top_s = np.pad(top_s, ((0, 0), (0, pad)), constant_values=-np.inf)
        top_i = np.pad(top_i, ((0, 0), (0, pad)), constant_values=-1)
    return top_i.astype(np.int64), top_s.astype(np.float32)


def rerank_one(
    vectors: Vectors, query: np.ndarray, cand: np.ndarray, topn: int, exclude: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rerank` for a single query, in a few NumPy calls.

    Shape:
        ``query (dim,)``, ``cand (k,)``, ``exclude (e,)`` -> ``(1, topn)`` twice
    """
    keep = cand >= 0
    for e in exclude.tolist():
        if e >= 0:
            keep &= cand != e
    rows = cand[keep]
    top_i = np.full((1, topn), -1, dtype=np.int64)
    top_s = np.full((1, topn), -np.inf, dtype=np.float32)
    if rows.size:
        scores = (vectors._unit_rows(rows) @ query).astype(np.float32, copy=False)
        order = np.lexsort((rows, -scores.astype(np.float64)))[:topn]
        top_i[0, : order.size] = rows[order]
        top_s[0, : order.size] = scores[order]
    return top_i, top_s


def pick(
    vectors: Vectors, approximate: bool | None, restrict_vocab: int | None
) -> NeighborIndex | None:
    """The index a query should use (None: search exactly), or raise why there is none.

    ``approximate=None`` uses the attached index unless ``restrict_vocab`` is given;
    True requires one; False never uses it.

    Raises:
        ValueError: ``approximate=True`` with ``restrict_vocab``, or without an index
            (:class:`StaleIndexError` if the saved one was refused).
    """
    if approximate is None:
        return vectors._neighbor_index if restrict_vocab is None else None
    check_bool(approximate, "approximate")
    if not approximate:
        return None
    if restrict_vocab is not None:
        raise ValueError(
            "approximate=True cannot restrict_vocab (the index covers every row); pass "
            "approximate=False for an exact search over the first rows."
        )
    if vectors._neighbor_index is None:
        refused = vectors._cache.get("index_error")
        if refused is not None:
            raise StaleIndexError(str(refused))
        raise ValueError(
            "approximate=True needs an index: build one with vectors.build_index() (or "
            "`wordvec index VECTORS` to save it beside the file), or pass approximate=False."
        )
    return vectors._neighbor_index


def attach_saved(vectors: Vectors, path: str | os.PathLike, *, required: bool = False) -> None:
    """Attach the index saved beside ``path`` to ``vectors`` if it matches them.

    A missing index is skipped (raised if ``required``); a stale one is refused: a
    warning is logged and ``approximate=True`` queries raise (raised now if
    ``required``).

    Raises:
        FileNotFoundError: If ``required`` and there is no index beside ``path``.
        StaleIndexError: If ``required`` and the index belongs to other vectors.
    """
    where = index_path(path)
    if not where.is_file():
        if required:
            raise FileNotFoundError(
                f"no approximate-neighbour index beside {str(path)!r} (looked for "
                f"{str(where)!r}); build it with vectors.build_index() and vectors.save(path)"
                " or `wordvec index VECTORS`."
            )
        return
    meta = NeighborIndex.read_metadata(where)
    header = NeighborIndex(None, meta["method"], {}, meta["fingerprint"], 0, 0)
    header.count, header.dim = int(meta["count"]), int(meta["dim"])
    try:
        header.check(vectors, where)
    except StaleIndexError as exc:
        if required:
            raise
        logger.warning("%s", exc)
        vectors._cache["index_error"] = exc
        return
    vectors._neighbor_index = NeighborIndex.load(where)
    logger.info("loaded the %s index %s", meta["method"], where)
