"""Benchmark: approximate neighbours and compact vectors, at GloVe size and at 2M x 300.

Parts (run one or several; each prints its figures and ratios measured in the same run):

``glove``    GloVe 6B 50d (400k words), 1,000 random query words (the query word is
             excluded): recall@10 against the exact top 10, build time and median
             single-query latency of wordvec's index (``build_index()`` defaults,
             candidates re-scored exactly) against its own exact single query, and of
             the libraries it could use, each at the same graph settings (HNSW with 16
             links, construction ef 64, search ef 128; faiss IVF with 2,530 cells, 32
             probed): faiss-cpu, usearch, hnswlib.
``compact``  the same vectors saved float32, float16 and int8: file size, load time and
             peak RSS (a child process that loads the file and answers one query), and
             top-10 overlap of 1,000 queries with float32.
``large``    a synthetic 2M x 300 matrix with cluster structure: 20,000 centres drawn
             N(0, 1); each row is a centre (cluster sizes Zipf-like, as word
             frequencies) plus N(0, 0.6^2) noise, so neighbours are mostly within a
             cluster but a query's top 10 is not a whole cluster. Saved as a native
             float32 file (2.4 GB). Peak RSS and time of ``wordvec neighbors --exact``
             on it (memory-mapped, scanned in blocks), the same with float16/int8 files,
             and an IVF index (``method="ivf", storage="int8", nlist=1024, nprobe=32``;
             HNSW over 2M x 300 is too slow to build on 2 shared cores): build time
             and peak RSS (child process), latency and recall@10 on 200 queries.

Peak RSS is the child's own ``VmHWM`` (compact) or its ``ru_maxrss`` from ``wait4`` (large;
that figure is at least the parent's RSS at the fork, about 100 MB there).

Run by hand:  python benchmarks/ann.py glove compact large [--work DIR] [--queries 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from wordvec.vectors import Vectors

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GLOVE_GZ = DATA / "vectors" / "glove.6B.50d.txt.gz"
HNSW = {"connectivity": 16, "ef_construction": 64, "ef_search": 128}


def _timed(fn, *args, **kwargs):
    """Return ``(result, wall seconds)``; the CPU seconds of this process (all threads)
    are kept in ``_timed.cpu``: on a shared machine, CPU / cores estimates a quiet wall."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    _timed.cpu = time.process_time() - cpu  # type: ignore[attr-defined]
    return out, time.perf_counter() - start


def _median_ms(fn, queries, count: int = 200) -> float:
    times = []
    for q in queries[:count]:
        start = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def _paired_ms(fn, exact, queries, count: int = 200, block: int = 25) -> tuple[float, float]:
    """Median single-query ms of ``fn`` and of ``exact`` over the same queries, timed in
    alternating blocks of ``block`` queries: each method runs in its steady state (a
    service answering queries one after another), and drifts in machine noise hit both
    alike. (Alternating query by query instead measures the index from a cold cache: the
    exact scan's 80 MB evict the graph every time.)"""
    a: list[float] = []
    b: list[float] = []
    qs = queries[:count]
    for b0 in range(0, len(qs), block):
        for f, out in ((fn, a), (exact, b)):
            for q in qs[b0 : b0 + block]:
                start = time.perf_counter()
                f(q)
                out.append(time.perf_counter() - start)
    return 1e3 * statistics.median(a), 1e3 * statistics.median(b)


def _recall(exact: np.ndarray, got: np.ndarray, rows: np.ndarray) -> float:
    hits = 0
    for want, found, row in zip(exact, got, rows):
        want = [i for i in want if i != row][:10]
        found = [i for i in found if i != row][:10]
        hits += len(set(want) & set(found))
    return hits / (10 * len(rows))


def _child(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return (seconds, peak RSS in MB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = "", ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, out


def _glove_native(work: Path) -> Path:
    path = work / "glove.6B.50d.safetensors"
    if not path.exists():
        Vectors.load(GLOVE_GZ).save(path)
    return path


# -- glove -------------------------------------------------------------------------------


def _peers(unit: np.ndarray, queries: np.ndarray, rows, exact) -> list[tuple]:
    """Build, recall and latency of each library at the same settings; skip missing ones."""
    out = []
    n, dim = unit.shape
    try:
        import faiss

        index = faiss.IndexHNSWFlat(dim, HNSW["connectivity"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW["ef_construction"]
        _, build = _timed(index.add, unit)
        index.hnsw.efSearch = HNSW["ef_search"]
        _, ids = index.search(queries, 11)
        lat = _median_ms(lambda q: index.search(q[None, :], 11), queries)
        out.append(("faiss HNSWFlat", build, _timed.cpu, _recall(exact, ids, rows), lat))
        quant = faiss.IndexFlatIP(dim)
        ivf = faiss.IndexIVFFlat(quant, dim, int(4 * n**0.5), faiss.METRIC_INNER_PRODUCT)
        start, cpu = time.perf_counter(), time.process_time()
        ivf.train(unit[np.random.default_rng(0).choice(n, 100_000, replace=False)])
        ivf.add(unit)
        build, cpu = time.perf_counter() - start, time.process_time() - cpu
        ivf.nprobe = 32
        _, ids = ivf.search(queries, 11)
        lat = _median_ms(lambda q: ivf.search(q[None, :], 11), queries)
        out.append(("faiss IVFFlat", build, cpu, _recall(exact, ids, rows), lat))
    except ImportError:
        print("faiss-cpu not installed: skipped")
    try:
        from usearch.index import Index

        index = Index(
            ndim=dim,
            metric="ip",
            dtype="f32",
            connectivity=HNSW["connectivity"],
            expansion_add=HNSW["ef_construction"],
            expansion_search=HNSW["ef_search"],
        )
        _, build = _timed(index.add, np.arange(n), unit, threads=os.cpu_count() or 1)
        ids = index.search(queries, 11).keys
        lat = _median_ms(lambda q: index.search(q, 11), queries)
        out.append(("usearch", build, _timed.cpu, _recall(exact, ids, rows), lat))
    except ImportError:
        print("usearch not installed: skipped")
    try:
        import hnswlib

        index = hnswlib.Index(space="ip", dim=dim)
        index.init_index(
            max_elements=n, M=HNSW["connectivity"], ef_construction=HNSW["ef_construction"]
        )
        _, build = _timed(index.add_items, unit, np.arange(n))
        index.set_ef(HNSW["ef_search"])
        ids, _ = index.knn_query(queries, 11)
        lat = _median_ms(lambda q: index.knn_query(q[None, :], 11), queries)
        out.append(("hnswlib", build, _timed.cpu, _recall(exact, ids, rows), lat))
    except ImportError:
        print("hnswlib not installed: skipped")
    return out


def run_glove(work: Path, n_queries: int, peers: bool) -> None:
    v = Vectors.load(_glove_native(work), index="ignore", mmap=False)
    rng = np.random.default_rng(0)
    rows = rng.choice(len(v), size=n_queries, replace=False)
    words = [v.words[i] for i in rows]
    unit = np.ascontiguousarray(v.unit)
    queries = unit[rows]
    exact, _ = v.nearest(queries, topn=11, approximate=False)
    exact_ms = _median_ms(lambda w: v.most_similar(w, approximate=False), words)
    print(f"GloVe 400k x 50, {n_queries} queries; exact single query: {exact_ms:.2f} ms")
    for method, params in (("hnsw", {}), ("ivf", {})):
        built, build = _timed(v.build_index, method, **params)
        cpu = _timed.cpu  # type: ignore[attr-defined]
        got, _ = v.nearest(queries, topn=11, approximate=True)
        ms, ex_ms = _paired_ms(
            lambda w: v.most_similar(w, approximate=True),
            lambda w: v.most_similar(w, approximate=False),
            words[200:],  # not the words timed above
        )
        print(
            f"wordvec {method:5s} build {build:6.1f} s ({cpu:.0f} s CPU)  recall@10 "
            f"{_recall(exact, got, rows):.4f}  single query {ms:.3f} ms vs exact "
            f"{ex_ms:.2f} ms in alternating blocks: {ex_ms / ms:.1f}x faster  {built}"
        )
    if peers:
        print("libraries alone (no re-scoring), same settings:")
        for name, build, cpu, recall, ms in _peers(unit, queries, rows, exact):
            print(
                f"  {name:15s} build {build:6.1f} s ({cpu:.0f} s CPU)  recall@10 {recall:.4f}"
                "  single query "
                f"{ms:.3f} ms ({exact_ms / ms:.0f}x)"
            )


# -- compact -----------------------------------------------------------------------------

_PROBE = """
import sys, time
from wordvec import Vectors
t = time.perf_counter(); v = Vectors.load(sys.argv[1], index="ignore")
load = time.perf_counter() - t
v.most_similar(sys.argv[2], topn=10)
query = time.perf_counter() - t - load
with open("/proc/self/status") as f:  # the peak of this process alone (VmHWM, kB)
    peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
print(load, query, peak / 1024)
"""


def run_compact(work: Path, n_queries: int) -> None:
    base = Vectors.load(_glove_native(work), index="ignore", mmap=False)
    rows = np.random.default_rng(1).choice(len(base), size=n_queries, replace=False)
    want, _ = base.nearest(base.vectors[rows], topn=10, exclude=rows[:, None])
    print(f"GloVe 400k x 50, {n_queries} queries; load + one query in a child process")
    sizes = {}
    for dtype in ("float32", "float16", "int8"):
        path = work / f"glove-{dtype}.safetensors"
        base.save(path, dtype=dtype)
        sizes[dtype] = path.stat().st_size
        _, _, out = _child([sys.executable, "-c", _PROBE, str(path), "king"])
        load, query, rss = (float(x) for x in out.split())
        small = Vectors.load(path, index="ignore")
        got, _ = small.nearest(base.vectors[rows], topn=10, exclude=rows[:, None])
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(want, got)])
        share = sizes[dtype] / sizes["float32"]
        words_bytes = sizes["float32"] - base.vectors.nbytes  # the same in every file
        matrix_share = (sizes[dtype] - words_bytes) / base.vectors.nbytes
        print(
            f"  {dtype:8s} file {sizes[dtype] / 2**20:6.1f} MB ({share:.2f} of float32; matrix"
            f" and scales {matrix_share:.3f})"
            f"  load {1e3 * load:6.1f} ms  first query {1e3 * query:6.1f} ms  peak "
            f"RSS {rss:6.0f} MB  top-10 overlap with float32 {overlap:.4f}"
        )


# -- large -------------------------------------------------------------------------------


def _synthetic(path: Path, rows: int, dim: int, clusters: int, seed: int = 0) -> None:
    """Write the clustered synthetic matrix (see the module docstring)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim), dtype=np.float32)
    weights = 1.0 / np.arange(1, clusters + 1) ** 0.5
    assign = rng.choice(clusters, size=rows, p=weights / weights.sum())
    matrix = np.empty((rows, dim), dtype=np.float32)
    step = 100_000
    for b0 in range(0, rows, step):
        b1 = min(rows, b0 + step)
        noise = rng.standard_normal((b1 - b0, dim), dtype=np.float32) * np.float32(0.6)
        matrix[b0:b1] = centres[assign[b0:b1]] + noise
    words = [f"w{i}" for i in range(rows)]
    Vectors(words, matrix).save(path)


_ANN_CHILD = """
import sys, time, json
import numpy as np
from wordvec import Vectors
path, nq = sys.argv[1], int(sys.argv[2])
v = Vectors.load(path, index="ignore")
t, c = time.perf_counter(), time.process_time()
v.build_index("ivf", storage="int8", nlist=1024, nprobe=32)
build, build_cpu = time.perf_counter() - t, time.process_time() - c
v.neighbor_index.save(path + ".ann")
rows = np.random.default_rng(2).choice(len(v), size=nq, replace=False)
q = v._rows(np.sort(rows))
t = time.perf_counter(); got, _ = v.nearest(q, topn=11, approximate=True)
batch = time.perf_counter() - t
times = []
for i in range(nq):
    t = time.perf_counter(); v.nearest(q[i], topn=11, approximate=True)
    times.append(time.perf_counter() - t)
t = time.perf_counter(); exact, _ = v.nearest(q, topn=11, approximate=False)
exact_s = time.perf_counter() - t
t = time.perf_counter(); v.nearest(q[0], topn=11, approximate=False)
single_exact = time.perf_counter() - t
print(json.dumps({"build": build, "build_cpu": build_cpu,
  "latency_ms": 1e3 * float(np.median(times)),
  "exact_batch_s": exact_s, "single_exact_s": single_exact,
  "rows": np.sort(rows).tolist(), "got": got.tolist(), "exact": exact.tolist()}))
"""


def run_large(work: Path, rows: int, dim: int, n_queries: int) -> None:
    import json

    path = work / f"synthetic-{rows}x{dim}.safetensors"
    if not path.exists():
        _, seconds = _timed(_synthetic, path, rows, dim, 20_000)
        print(f"wrote {path} in {seconds:.0f} s")
    size = path.stat().st_size
    print(f"synthetic {rows:,} x {dim} (file {size / 2**30:.2f} GB)")
    for dtype in ("float32", "float16", "int8"):
        target = path if dtype == "float32" else work / f"synthetic-{dtype}.safetensors"
        if not target.exists():
            cmd = ["convert", str(path), str(target), "--dtype", dtype]
            _child([sys.executable, "-m", "wordvec", *cmd])
        cmd = [sys.executable, "-m", "wordvec", "neighbors", str(target), "w12345", "--exact"]
        seconds, rss, _ = _child(cmd)
        print(
            f"  wordvec neighbors --exact, {dtype:7s} file {target.stat().st_size / 2**30:.2f} "
            f"GB: {seconds:5.1f} s, peak RSS {rss:5.0f} MB ({rss * 2**20 / size:.2f} of the "
            "float32 file)"
        )
    seconds, rss, out = _child([sys.executable, "-c", _ANN_CHILD, str(path), str(n_queries)])
    res = json.loads(out)
    recall = _recall(np.array(res["exact"]), np.array(res["got"]), np.array(res["rows"]))
    exact_ms = 1e3 * res["single_exact_s"]
    print(
        f"  ivf int8 index: build {res['build']:.0f} s ({res['build_cpu']:.0f} s CPU), child "
        f"peak RSS {rss:.0f} MB, index file"
        f" {Path(str(path) + '.ann').stat().st_size / 2**20:.0f} MB; recall@10 {recall:.4f}; "
        f"single query {res['latency_ms']:.2f} ms vs exact single query "
        f"{exact_ms:.0f} ms ({exact_ms / res['latency_ms']:.0f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="+", choices=("glove", "compact", "large"))
    parser.add_argument("--work", type=Path, default=None, help="scratch dir (default: temp)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--large-queries", type=int, default=200)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--no-peers", action="store_true", help="skip faiss/usearch/hnswlib")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="wordvec-ann-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; scratch {work}")
    if "glove" in args.parts:
        run_glove(work, args.queries, not args.no_peers)
    if "compact" in args.parts:
        run_compact(work, args.queries)
    if "large" in args.parts:
        run_large(work, args.rows, args.dim, args.large_queries)


if __name__ == "__main__":
    main()
