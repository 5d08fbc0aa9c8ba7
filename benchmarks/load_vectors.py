"""Benchmark: loading the 400k x 50 GloVe file, wordvec vs gensim 4.x, side by side.

Every load runs in a fresh subprocess, which reports the wall time of the load call,
its peak resident memory above the baseline measured after a warm-up (``VmHWM`` after
resetting it, minus ``VmRSS`` before the load) and the memory still held after the load.
"data" is the size of the result: matrix bytes + word strings + the word list + the
word -> row dict (``sys.getsizeof``). Figures are medians over ``--repeats`` runs.

Targets (issue "Word vectors"): text loading (plain and .gz) at least 5x faster than
``KeyedVectors.load_word2vec_format(path, binary=False, no_header=True)``; peak memory at
most 1.5x the final matrix + vocabulary; the native file loads in under 0.1 s.

Run by hand:  python benchmarks/load_vectors.py [--repeats 3] [--skip-gensim]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GLOVE_GZ = DATA / "vectors" / "glove.6B.50d.txt.gz"


def _status(key: str) -> int:
    """A ``/proc/self/status`` memory figure (``VmRSS``, ``VmHWM``) in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def _tiny_file(tmp: str, fmt: str) -> str:
    """A 2-word file of ``fmt`` for the warm-up load."""
    import numpy as np

    path = Path(tmp) / f"tiny.{fmt}"
    rows = np.array([[0.5, -1.0], [2.0, 0.25]], dtype="<f4")
    if fmt == "glove":
        path.write_bytes(b"a 0.5 -1\nb 2 0.25\n")
    elif fmt == "word2vec-binary":
        path.write_bytes(b"2 2\na " + rows[0].tobytes() + b"\nb " + rows[1].tobytes() + b"\n")
    else:
        from wordvec.vectors import Vectors

        Vectors(["a", "b"], rows).save(path, format=fmt)
    return str(path)


def _worker(loader: str, path: str, fmt: str) -> None:
    """Load once in this (fresh) process and print a JSON line of measurements.

    A warm-up load of a 2-word file first brings in the code (numba's cached machine
    code, gensim's modules); then the peak-RSS mark is reset (``/proc/self/clear_refs``)
    so that ``peak`` and ``held`` count the data of the real load only.
    """
    import gc
    import time

    import numpy as np

    if loader == "wordvec":
        from wordvec.vectors import Vectors

        def load(p: str):
            return Vectors.load(p, format=fmt)
    else:
        from gensim.models import KeyedVectors

        def load(p: str):
            return KeyedVectors.load_word2vec_format(
                p, binary=(fmt == "word2vec-binary"), no_header=(fmt == "glove")
            )

    with tempfile.TemporaryDirectory() as tmp:
        warm = load(_tiny_file(tmp, fmt))
        warm.key_to_index.get("a")
        del warm
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak RSS mark to the current RSS
    except OSError:  # pragma: no cover - old kernels: the peak then includes the warm-up
        pass
    base = _status("VmRSS")
    t0 = time.perf_counter()
    c0 = time.process_time()
    loaded = load(path)
    t_load = time.perf_counter() - t0
    cpu = time.process_time() - c0
    lookup = loaded.key_to_index  # built lazily for native files
    first = lookup["king"]
    t_lookup = time.perf_counter() - t0
    if loader == "wordvec":
        words, matrix = loaded.words, loaded.vectors
    else:
        words, matrix = loaded.index_to_key, loaded.vectors
    peak = _status("VmHWM") - base
    held = _status("VmRSS") - base
    data = (
        matrix.nbytes
        + sum(sys.getsizeof(w) for w in words)
        + sys.getsizeof(words)
        + sys.getsizeof(lookup)
    )
    print(
        json.dumps(
            {
                "time": t_load,
                "cpu": cpu,
                "time_lookup": t_lookup,
                "peak": peak,
                "held": held,
                "data": data,
                "n": len(words),
                "row0": np.asarray(matrix[0][:3]).tolist(),
                "first": int(first),
            }
        )
    )


def _run(loader: str, path: Path, fmt: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", loader, str(path), fmt],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-gensim", action="store_true")
    parser.add_argument("--worker", nargs=3, metavar=("LOADER", "PATH", "FORMAT"))
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return

    from wordvec.vectors import Vectors

    mb = 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "glove.6B.50d.txt"
        with gzip.open(GLOVE_GZ, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst, 16 * mb)
        vectors = Vectors.load(plain)  # also compiles/caches the numba kernels
        native = Path(tmp) / "glove.6B.50d.safetensors"
        binary = Path(tmp) / "glove.6B.50d.bin"
        vectors.save(native)
        vectors.save(binary, format="word2vec-binary")
        del vectors
        cases = [
            ("glove .txt.gz", GLOVE_GZ, "glove", True),
            ("glove .txt", plain, "glove", True),
            ("word2vec binary", binary, "word2vec-binary", True),
            ("native .safetensors", native, "native", False),
        ]
        print(
            f"{'file':22} {'loader':8} {'time s':>8} {'cpu s':>8} {'+lookup':>8} "
            f"{'peak MB':>8} {'held MB':>8} {'data MB':>8} {'peak/data':>9}"
        )
        for name, path, fmt, with_gensim in cases:
            results = {}
            loaders = ["wordvec"] + (["gensim"] if with_gensim and not args.skip_gensim else [])
            for loader in loaders:
                runs = [_run(loader, path, fmt) for _ in range(args.repeats)]
                results[loader] = runs
                print(
                    f"{name:22} {loader:8} {_median(runs, 'time'):8.3f} "
                    f"{_median(runs, 'cpu'):8.3f} "
                    f"{_median(runs, 'time_lookup'):8.3f} {_median(runs, 'peak') / mb:8.1f} "
                    f"{_median(runs, 'held') / mb:8.1f} {_median(runs, 'data') / mb:8.1f} "
                    f"{_median(runs, 'peak') / _median(runs, 'data'):9.2f}",
                    flush=True,
                )
            if "gensim" in results:
                ours, theirs = results["wordvec"], results["gensim"]
                assert ours[0]["row0"] == theirs[0]["row0"] and ours[0]["n"] == theirs[0]["n"]
                print(
                    f"{'':22} speed-up x{_median(theirs, 'time') / _median(ours, 'time'):.1f}, "
                    f"peak memory {_median(ours, 'peak') / _median(theirs, 'peak'):.2f} of "
                    "gensim's",
                    flush=True,
                )


if __name__ == "__main__":
    main()
