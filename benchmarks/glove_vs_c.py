"""Benchmark: wordvec GloVe against Stanford's GloVe C tool, same corpus, settings, machine.

Both train on the same uncompressed copy of ``bench-en`` (written to a temporary
directory) with dim 100, window 10, min_count 5, x_max 10, 15 iterations and 2 threads
(symmetric window, 1/distance weighting, learning rate 0.05, alpha 0.75: both tools'
defaults). The C tool runs its four programs as in its ``demo.sh`` (``-memory 4.0``);
wordvec runs ``GloVe.fit`` with ``memory=4.0``. Each program runs in its own process,
so its peak RSS (``ru_maxrss`` from ``wait4``) is its own; the C tool's peak is the
largest of its four programs. Stage times are wall times: for the C tool each
program's, for wordvec the ``timings`` of the fit (reading the text, counting,
shuffling, training). Quality is the analogy accuracy on questions-words
(restrict_vocab 30000) and the Spearman correlation on WordSim-353, both with
``wordvec.evaluate`` on the vectors each tool returns (word + context vectors).
CPU seconds (user + system, from ``getrusage``; wordvec's taken right after ``fit``) are
printed beside the wall times: on a crowded machine they are the fairer comparison, and
``--concurrent`` runs the two tools at the same time so one run finishes sooner.

Usage::

    python benchmarks/glove_vs_c.py                    # full bench-en, seed 1
    python benchmarks/glove_vs_c.py --seeds 1,2,3
    python benchmarks/glove_vs_c.py --concurrent      # both tools at once (crowded machine)
    python benchmarks/glove_vs_c.py --max-words 2000000 --iters 3   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_vs_gensim import CORPUS, _evaluate, write_plain_copy

BUILD = Path(__file__).resolve().parents[1].parent / "shared" / "anchors" / "glove-c" / "build.sh"
SETTINGS = {"dim": 100, "window": 10, "min_count": 5, "x_max": 10.0, "memory": 4.0}


def _run(cmd: list[str], stdin: Path | None = None, stdout: Path | None = None) -> tuple:
    """Run ``cmd``; return (wall s, peak RSS MB, stdout text if not redirected, CPU s)."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.PIPE
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=subprocess.PIPE)
        out = proc.stdout.read() if stdout is None else b""
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    finally:
        if stdin:
            fin.close()
        if stdout:
            fout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out.decode(), usage.ru_utime + usage.ru_stime


def run_c(corpus: Path, work: Path, seed: int, iters: int, threads: int) -> dict:
    """Run the C tool's four programs; return stage times, peak RSS and quality."""
    tools = Path(subprocess.run(["bash", str(BUILD)], check=True, capture_output=True,
                                text=True).stdout.strip())  # fmt: skip
    vocab, cooc, shuf = work / "vocab.txt", work / "cooc.bin", work / "cooc.shuf.bin"
    mem = str(SETTINGS["memory"])
    stages = {
        "vocab": ([f"{tools}/vocab_count", "-min-count", str(SETTINGS["min_count"]),
                   "-verbose", "0"], corpus, vocab),
        "count": ([f"{tools}/cooccur", "-memory", mem, "-vocab-file", str(vocab), "-verbose",
                   "0", "-window-size", str(SETTINGS["window"]),
                   "-overflow-file", str(work / "overflow")], corpus, cooc),
        "shuffle": ([f"{tools}/shuffle", "-memory", mem, "-verbose", "0", "-seed", str(seed),
                     "-temp-file", str(work / "shuffle")], cooc, shuf),
        "train": ([f"{tools}/glove", "-threads", str(threads), "-input-file", str(shuf),
                   "-vocab-file", str(vocab), "-x-max", str(SETTINGS["x_max"]), "-iter",
                   str(iters), "-vector-size", str(SETTINGS["dim"]), "-binary", "0",
                   "-write-header", "1", "-seed", str(seed), "-verbose", "0",
                   "-save-file", str(work / "vectors")], None, None),
    }  # fmt: skip
    out: dict = {"tool": "GloVe C", "seed": seed}
    peak = cpu = 0.0
    for name, (cmd, fin, fout) in stages.items():
        wall, rss, _, used = _run(cmd, fin, fout)
        out[f"{name}_s"] = wall
        out[f"{name}_cpu_s"] = used
        peak, cpu = max(peak, rss), cpu + used
    out["total_s"] = sum(out[f"{k}_s"] for k in stages)
    out["rss_mb"] = peak
    out["cpu_s"] = cpu
    out["nnz"] = cooc.stat().st_size // 16  # CREC: two ints and a double
    words, vectors = _read_c_vectors(work / "vectors.txt")
    out["vocab"] = len(words)
    out["analogy"], out["ws353"] = _evaluate(words, vectors)
    for p in (cooc, shuf):
        p.unlink()
    return out


def _read_c_vectors(path: Path) -> tuple[list[str], np.ndarray]:
    """Read the C tool's text output (its header counts one row less than it writes: the
    ``<unk>`` row, which is dropped here)."""
    words, rows = [], []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            word, *values = line.rstrip("\n").split(" ")
            if word != "<unk>":
                words.append(word)
                rows.append(np.array(values, dtype=np.float32))
    return words, np.stack(rows)


def child(corpus: str, seed: int, iters: int, threads: int) -> dict:
    """Train wordvec's GloVe in this process; return stage times, peak RSS and quality."""
    import resource

    from wordvec import GloVe

    model = GloVe(epochs=iters, workers=threads, seed=seed, tokenizer="whitespace",
                  progress=False, **SETTINGS)  # fmt: skip
    wv = model.fit(corpus)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = usage.ru_maxrss / 1024
    t = model.timings
    out = {"tool": "wordvec GloVe", "seed": seed, "vocab_s": t["read"], "count_s": t["count"],
           "shuffle_s": t["shuffle"], "train_s": t["train"], "total_s": t["total"],
           "rss_mb": rss, "nnz": model.nnz, "vocab": len(wv),
           "cpu_s": usage.ru_utime + usage.ru_stime}  # fmt: skip
    out["analogy"], out["ws353"] = _evaluate(wv.words, wv.vectors)
    return out


def run_wordvec(corpus: Path, seed: int, iters: int, threads: int) -> dict:
    cmd = [sys.executable, __file__, "--child", str(corpus), str(seed), str(iters), str(threads)]
    return json.loads(_run(cmd)[2].strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--iters", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-words", type=int, default=None)
    parser.add_argument("--concurrent", action="store_true",
                        help="run the two tools at the same time (on a crowded machine: compare "
                        "their CPU seconds, not their wall times)")  # fmt: skip
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        corpus, seed, iters, threads = args.child
        print(json.dumps(child(corpus, int(seed), int(iters), int(threads))))
        return
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="glove-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.txt"
        n = write_plain_copy(CORPUS, corpus, args.max_words)
        print(f"corpus: {n:,} tokens; {args.iters} iterations, {args.threads} threads", flush=True)
        for seed in seeds:  # alternate the tools so machine noise hits both alike
            jobs = [lambda s=seed: run_wordvec(corpus, s, args.iters, args.threads),
                    lambda s=seed: run_c(corpus, work, s, args.iters, args.threads)]  # fmt: skip
            if args.concurrent:
                with ThreadPoolExecutor(2) as pool:
                    results = [f.result() for f in [pool.submit(job) for job in jobs]]
            else:
                results = [job() for job in jobs]
            for r in results:
                rows.append(r)
                print(json.dumps(r), flush=True)
    _table(rows)


def _table(rows: list[dict]) -> None:
    cols = ["vocab_s", "count_s", "shuffle_s", "train_s", "total_s", "cpu_s", "rss_mb"]
    print("\n| tool | seed | vocab/read s | count s | shuffle s | train s | total s | CPU s "
          "| peak RSS MB | words | non-zero | analogy | WS353 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cells = " | ".join(f"{r[c]:.1f}" if c != "rss_mb" else f"{r[c]:.0f}" for c in cols)
        print(f"| {r['tool']} | {r['seed']} | {cells} | {r['vocab']:,} | {r['nnz']:,} "
              f"| {100 * r['analogy']:.1f}% | {r['ws353']:.3f} |")  # fmt: skip
    by_seed: dict = {}
    for r in rows:
        by_seed.setdefault(r["seed"], {})[r["tool"]] = r
    pairs = [s for s in by_seed.values() if len(s) == 2]
    for key, what in (("total_s", "wall"), ("cpu_s", "CPU seconds")):
        ratios = [s["GloVe C"][key] / s["wordvec GloVe"][key] for s in pairs]
        if ratios:
            print(
                f"speed-up over the C tool, {what} (same seed, same run): median "
                f"{statistics.median(ratios):.2f}x ({', '.join(f'{x:.2f}' for x in ratios)})"
            )
    for tool in ("wordvec GloVe", "GloVe C"):
        mine = [r for r in rows if r["tool"] == tool]
        if mine:
            print(f"{tool}: mean analogy {100 * statistics.mean(r['analogy'] for r in mine):.2f}%"
                  f", mean WS353 {statistics.mean(r['ws353'] for r in mine):.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
