"""Benchmark: opening a fastText .bin model, wordvec vs gensim vs the fastText tool.

A skip-gram model (dim 100, minn 3, maxn 6, bucket 2,000,000, min_count 5, 1 epoch) is
trained once by Debian's ``fasttext`` command on the first ``--lines`` paragraphs of
bench-en (or ``--model`` reuses a .bin). Each load then runs in a fresh subprocess,
which reports the wall time of the load call plus one unseen-word vector, and its peak
resident memory above the baseline after a warm-up load of a tiny model (``VmHWM``
reset through ``/proc/self/clear_refs``). Loaders:

- ``wordvec``: ``Vectors.load(path)`` (maps the rows, composes the vocabulary's vectors);
- ``wordvec-native``: the same model saved as a native subword ``.safetensors``;
- ``gensim``: ``gensim.models.fasttext.load_facebook_vectors(path)`` (vectors only,
  gensim's lightest way to open a .bin);
- ``fasttext``: the fastText tool's Python binding, ``fasttext.load_model(path)``.

The vectors of sample words, seen and unseen, are checked to agree across loaders.
Figures are medians over ``--repeats`` runs.

Run by hand:  python benchmarks/fasttext_bin_load.py [--repeats 3] [--lines 60000]
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
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BENCH = DATA / "corpus" / "bench-en.txt.gz"
SAMPLE = ["the", "whale", "king", "unseenwordxyz", "whaleships", "kingliest", "naïveté"]


def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def _loader(name: str):
    if name.startswith("wordvec"):
        from wordvec import Vectors

        return Vectors.load, lambda m, w: m[w]
    if name == "gensim":
        from gensim.models.fasttext import load_facebook_vectors

        return load_facebook_vectors, lambda m, w: m[w]
    import fasttext

    return (lambda p: fasttext.load_model(str(p))), lambda m, w: m.get_word_vector(w)


def _worker(name: str, path: str, tiny: str) -> None:
    """Load once in this fresh process; print a JSON line of measurements."""
    import gc

    import numpy as np

    load, vector = _loader(name)
    warm = load(tiny)
    vector(warm, "warmup")
    del warm
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:  # pragma: no cover
        pass
    base = _status("VmRSS")
    t0 = time.perf_counter()
    model = load(path)
    vector(model, "unseenwordxyz")
    seconds = time.perf_counter() - t0
    peak = _status("VmHWM") - base
    sample = {w: np.asarray(vector(model, w), dtype=np.float64).tolist() for w in SAMPLE}
    print(json.dumps({"time": seconds, "peak": peak, "sample": sample}))


def _train(folder: Path, lines: int) -> Path:
    exe = shutil.which("fasttext")
    if exe is None:
        sys.exit("Debian's fasttext command is needed to train the model (apt install fasttext)")
    corpus = folder / "corpus.txt"
    with gzip.open(BENCH, "rt") as src, open(corpus, "w") as dst:
        for _, line in zip(range(lines), src):
            dst.write(line)
    out = folder / "model"
    cmd = [exe, "skipgram", "-input", corpus, "-output", out, "-dim", "100", "-minn", "3"]
    cmd += ["-maxn", "6", "-bucket", "2000000", "-minCount", "5", "-epoch", "1"]
    cmd += ["-thread", "2", "-verbose", "0"]
    t0 = time.perf_counter()
    subprocess.run([str(x) for x in cmd], check=True)
    print(f"trained {out}.bin in {time.perf_counter() - t0:.1f} s", flush=True)
    return out.with_suffix(".bin")


def _run(name: str, path: Path, tiny: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", name, str(path), str(tiny)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lines", type=int, default=60000)
    parser.add_argument("--model", type=Path, default=None, help="reuse this .bin")
    parser.add_argument("--worker", nargs=3, metavar=("LOADER", "PATH", "TINY"))
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return

    import numpy as np

    from wordvec import SubwordVectors, Vectors

    mb = 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = args.model or _train(folder, args.lines)
        tiny = folder / "tiny.bin"
        rng = np.random.default_rng(0)
        SubwordVectors(["a", "b"], rng.normal(size=(2, 100)), rng.normal(size=(10, 100))).save(
            tiny, format="fasttext-bin"
        )
        wv = Vectors.load(path)
        native, tiny_native = folder / "model.safetensors", folder / "tiny.safetensors"
        wv.save(native)
        Vectors.load(tiny).save(tiny_native)
        print(
            f"model: {len(wv):,} words x {wv.dim} + {wv.bucket:,} n-gram rows, "
            f"{path.stat().st_size / mb:.0f} MB (.bin), {native.stat().st_size / mb:.0f} MB "
            "(native)"
        )
        del wv
        cases = [
            ("wordvec", path, tiny),
            ("wordvec-native", native, tiny_native),
            ("gensim", path, tiny),
            ("fasttext", path, tiny),
        ]
        print(f"{'loader':16} {'time s':>8} {'peak MB':>8}")
        results = {}
        for name, file, warm in cases:
            runs = [_run(name, file, warm) for _ in range(args.repeats)]
            results[name] = runs
            time_s = statistics.median(r["time"] for r in runs)
            peak = statistics.median(r["peak"] for r in runs) / mb
            print(f"{name:16} {time_s:8.2f} {peak:8.0f}", flush=True)
        ref = results["fasttext"][0]["sample"]
        for name, runs in results.items():
            for w in SAMPLE:
                gap = np.abs(np.array(runs[0]["sample"][w]) - np.array(ref[w])).max()
                assert gap < 1e-5, (name, w, gap)
        ours = statistics.median(r["time"] for r in results["wordvec"])
        for peer in ("gensim", "fasttext"):
            theirs = statistics.median(r["time"] for r in results[peer])
            ratio = statistics.median(r["peak"] for r in results["wordvec"]) / statistics.median(
                r["peak"] for r in results[peer]
            )
            print(f"wordvec vs {peer}: x{theirs / ours:.1f} faster, peak memory {ratio:.2f} of it")
        print("sample vectors (seen and unseen words) agree to 1e-5 across all loaders")


if __name__ == "__main__":
    main()
