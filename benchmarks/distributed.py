"""Benchmark: data-parallel training on torch.distributed (gloo), on this machine.

``sync``: the cost of one sync against the table size (10k to 1M words, dim 100 and
300, two tables as word2vec has), over loopback between 2 ranks started by torchrun:
the full all-reduce of the updates (in place on the NumPy tables) and the rows sync
(finding the changed rows + mask all-reduce + gather + all-reduce + scatter) at the
number of distinct hot words a round of ``--sync-words`` words of bench-en touches
(measured first), with float32 and with int8 updates. From a network model (10 and 25
Gb/s links, ring all-reduce) it projects the scaling efficiency at 4 to 32 nodes of 32
cores, each architecture at its default cadence.

``train``: bench-en (or its first ``--max-words`` tokens), skip-gram and CBOW, default
settings: 2 ranks x 1 thread against 1 process x 2 threads on this 2-core machine,
same seeds, throughput and quality.

Usage::

    python benchmarks/distributed.py sync
    python benchmarks/distributed.py train --seeds 1,2,3 [--max-words 4000000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CORPUS = DATA / "corpus" / "bench-en.txt.gz"
VOCABS = (10_000, 100_000, 1_000_000)
DIMS = (100, 300)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun(args: list[str], nproc: int = 2, env: dict | None = None) -> None:
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(nproc),
        "--master-addr", "127.0.0.1", "--master-port", str(_free_port()), *args,
    ]  # fmt: skip
    subprocess.run(cmd, check=True, env={**os.environ, **(env or {})})


def distinct_per_round(sync_words: int, min_count: int = 5) -> tuple[float, int]:
    """Mean distinct hot words in a round of ``sync_words`` tokens (the rows a rows sync
    looks at: in-vocabulary, count >= ``min_count`` in all of bench-en, and expected in
    such a round, :func:`~wordvec.train.distributed.plan.hot_rows`), and the
    vocabulary size."""
    from collections import Counter

    from wordvec.train.distributed.plan import hot_rows

    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        counts = Counter(token for line in f for token in line.split())
    words = [w for w, c in counts.items() if c >= min_count]
    hot = hot_rows(np.array([counts[w] for w in words]), sync_words)
    vocab = {w for w, h in zip(words, hot) if h}
    seen: list[int] = []
    current: set[str] = set()
    n = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            tokens = line.split()
            current.update(t for t in tokens if t in vocab)
            n += len(tokens)
            if n >= sync_words:
                seen.append(len(current))
                current, n = set(), 0
    return statistics.mean(seen), len(words)


def _time(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sync_worker(out: Path, touched: int, reps: int) -> None:
    """One rank: time full and touched-rows averages of two (vocab, dim) tables."""
    from wordvec.train.distributed.comm import Comm
    from wordvec.train.distributed.sync import sync_full, sync_rows

    comm = Comm.start(timeout=600)
    rows = []
    for dim in DIMS:
        for vocab in VOCABS:
            tables = [np.zeros((vocab, dim), np.float32) for _ in range(2)]
            bases = [t.copy() for t in tables]
            rng = np.random.default_rng(0)  # same rows on every rank
            picked = rng.choice(vocab, size=min(touched, vocab), replace=False)

            def rows_sync(picked=picked, tables=tables, bases=bases, how="none") -> None:
                tables[0][picked, 0] += 1.0  # the rows a round of text changed
                tables[1][picked, 1] += 1.0
                sync_rows(comm, tables, bases, compression=how)

            comm.barrier()
            full = _time(lambda tables=tables, bases=bases: sync_full(comm, tables, bases), reps)
            comm.barrier()
            sparse = _time(rows_sync, reps)
            comm.barrier()
            int8 = _time(lambda: rows_sync(how="int8"), reps)
            mb = 2 * vocab * dim * 4 / 1e6
            rows.append({"vocab": vocab, "dim": dim, "mb": mb, "full": full, "rows": sparse,
                         "rows_int8": int8, "touched": int(min(touched, vocab))})  # fmt: skip
            del tables, bases
    if comm.rank == 0:
        out.write_text(json.dumps(rows))
    comm.close()


def project(sync_mb: float, words_per_node_s: float, sync_words: int) -> list[str]:
    """Projected efficiency of a node: its round of training against its sync.

    Network model: a ring all-reduce moves ``2 (N - 1) / N`` times the synced bytes
    through each node's link, in ``2 (N - 1)`` steps of ~50 us latency each; the
    reduction itself (memory-bound, ~10 GB/s on a server node) is left out, and the sync
    is not overlapped with training. Efficiency = round / (round + sync).
    """
    lines = []
    round_s = sync_words / words_per_node_s
    for gbps in (10, 25):
        link = gbps / 8 * 1e3  # MB/s
        for nodes in (4, 8, 16, 32):
            sync_s = 2 * (nodes - 1) / nodes * sync_mb / link + 2 * (nodes - 1) * 50e-6
            eff = round_s / (round_s + sync_s)
            lines.append(
                f"| {gbps} Gb/s | {nodes} | {sync_s * 1e3:.0f} ms | {round_s * 1e3:.0f} ms | "
                f"{eff:.0%} | {nodes * words_per_node_s * eff / 1e6:.0f}M |"
            )
    return lines


def run_sync(args: argparse.Namespace) -> None:
    touched, vocab = distinct_per_round(args.sync_words)
    touched = int(touched)
    print(f"bench-en: {touched:,} distinct hot words of the {vocab:,}-word vocabulary "
          f"(min_count 5) in a round of {args.sync_words:,} tokens")  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sync.json"
        if not args.no_measure:
            _torchrun([__file__, "_sync", str(out), str(touched), str(args.reps)])
            rows = json.loads(out.read_text())
    print("| vocab | dim | 2 tables MB | full all-reduce | rows sync | rows sync, int8 | rows "
          "| full / rows | full / rows int8 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['vocab']:,} | {r['dim']} | {r['mb']:.0f} | {r['full'] * 1e3:.1f} ms | "
            f"{r['rows'] * 1e3:.1f} ms | {r['rows_int8'] * 1e3:.1f} ms | {r['touched']:,} | "
            f"{r['full'] / r['rows']:.2f} | {r['full'] / r['rows_int8']:.2f} |"
        )
    from wordvec.train import Word2Vec
    from wordvec.train.distributed.sync import FULL_EVERY

    dim = 100
    # each architecture at its default cadence (Word2Vec.default_sync_words) on 32 threads
    for arch, per_core in (("skipgram", args.sg_core_rate), ("cbow", args.cbow_core_rate)):
        per_thread = Word2Vec(arch=arch).default_sync_words()
        node_words = 32 * per_thread
        touched, _ = distinct_per_round(node_words)
        touched_mb = 2 * touched * dim * 4 / 1e6 + vocab / 1e6
        full_mb = 2 * vocab * dim * 4 / 1e6
        # int8: a byte per value, a float32 step per row and table, the mask; full syncs too
        touched8_mb = 2 * touched * (dim + 4) / 1e6 + vocab / 1e6
        full8_mb = 2 * vocab * (dim + 4) / 1e6
        rows_mb = ((FULL_EVERY - 1) * touched_mb + full_mb) / FULL_EVERY
        rows8_mb = ((FULL_EVERY - 1) * touched8_mb + full8_mb) / FULL_EVERY
        for name, mb in (("full", full_mb), ("rows", rows_mb), ("rows, int8", rows8_mb)):
            node = 32 * per_core
            print(f"\nprojection, {arch}, sync {name!r} ({mb:.0f} MB a sync on average; a "
                  f"round touches {touched:,.0f} rows): node of 32 cores at {node / 1e6:.1f}M "
                  f"words/s, {vocab:,} x {dim} tables, sync every {node_words:,} words per "
                  "node")  # fmt: skip
            print("| link | nodes | sync | round | efficiency | words/s |")
            print("|---|---|---|---|---|---|")
            for line in project(mb, node, node_words):
                print(line)


def train_child(
    mode: str, corpus: str, arch: str, seed: int, out: str, sync_words: int | None = None,
    sync: str = "rows", compression: str = "int8",
) -> None:  # fmt: skip
    """One training run: ``single`` (1 process x 2 threads) or ``dist`` (this rank of a
    torchrun job, 1 thread); rank 0 (or the single process) appends its figures."""
    from wordvec.evaluate import evaluate_analogies, evaluate_similarity
    from wordvec.train import Word2Vec

    dist = mode == "dist"
    model = Word2Vec(arch=arch, seed=seed, workers=1 if dist else 2, progress=False,
                     tokenizer="whitespace", distributed=dist,
                     sync_words=sync_words if dist else None, sync=sync,
                     sync_compression=compression)  # fmt: skip
    t0 = time.perf_counter()
    wv = model.fit(Path(corpus))
    wall = time.perf_counter() - t0
    if dist and not model.hooks.writes_output:
        return
    row = {
        "mode": mode, "arch": arch, "seed": seed, "wall": wall,
        "read": model.timings["read"], "train": model.timings["train"],
        "words": int(wv.counts.sum()) * model.epochs,
        "analogy": float(evaluate_analogies(wv, DATA / "eval" / "questions-words.txt",
                                            restrict_vocab=30000).accuracy),
        "ws353": float(evaluate_similarity(wv, DATA / "eval" / "wordsim353.tsv").spearman),
    }  # fmt: skip
    if dist:
        row["sync"] = model.hooks.sync_stats()
        row["sync_words"] = model.hooks.sync_words
        row["sync_mode"] = sync
        row["compression"] = compression
    with open(out, "a") as f:
        f.write(json.dumps(row) + "\n")


def run_train(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "bench-en.txt"
        words = 0
        with gzip.open(CORPUS, "rt", encoding="utf-8") as src, open(corpus, "w") as dst:
            for line in src:
                dst.write(line)
                words += len(line.split())
                if args.max_words and words >= args.max_words:
                    break
        print(f"corpus: {words:,} tokens of bench-en")
        out = Path(args.out)
        for seed in [int(x) for x in args.seeds.split(",")]:
            for arch in args.arch.split(","):
                base = [__file__, "_train", "{}", str(corpus), arch, str(seed), str(out),
                        str(args.sync_words or 0), args.sync, args.compression]  # fmt: skip
                if "single" in args.modes:
                    single = [a.replace("{}", "single") for a in base]
                    subprocess.run([sys.executable, *single], check=True)
                if "dist" in args.modes:
                    _torchrun([a.replace("{}", "dist") for a in base])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    print("| arch | seed | mode | wall s | train s | words/s | ratio | analogy | WS353 | sync s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    single = {(r["arch"], r["seed"]): r for r in rows if r["mode"] == "single"}
    for r in rows:
        s1 = single.get((r["arch"], r["seed"]))
        ratio = f"{s1['wall'] / r['wall']:.2f}" if s1 else ""
        how = f"{r.get('sync_mode', 'rows')}, {r.get('compression', 'none')}, {r.get('sync_words')}"
        sync = f"{r['sync']['seconds']:.1f} ({how})" if "sync" in r else ""
        print(f"| {r['arch']} | {r['seed']} | {r['mode']} | {r['wall']:.1f} | {r['train']:.1f} | "
              f"{r['words'] / r['wall']:,.0f} | {ratio} | {r['analogy']:.2%} | "
              f"{r['ws353']:.3f} | {sync} |")  # fmt: skip
    for arch in sorted({r["arch"] for r in rows}):
        for mode in ("single", "dist"):
            sel = [r for r in rows if r["arch"] == arch and r["mode"] == mode]
            if sel:
                acc = statistics.mean(r["analogy"] for r in sel)
                ws = statistics.mean(r["ws353"] for r in sel)
                speed = statistics.median(r["words"] / r["wall"] for r in sel)
                print(f"{arch} {mode}: mean analogy {acc:.2%}, WS353 {ws:.3f}, "
                      f"median words/s {speed:,.0f} ({len(sel)} seeds)")  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_sync":
        sync_worker(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_train":
        mode, corpus, arch, seed, out, sync_words, sync, compression = sys.argv[2:10]
        train_child(mode, corpus, arch, int(seed), out, int(sync_words) or None, sync, compression)
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("sync", help="sync cost against table size, and the projection")
    s.add_argument(
        "--sync-words",
        type=int,
        default=3_200_000,
        help="words per node between syncs (default: 32 threads x 100,000)",
    )
    s.add_argument("--reps", type=int, default=5)
    s.add_argument("--no-measure", action="store_true", help="projection only")
    s.add_argument("--sg-core-rate", type=float, default=450_000, help="words/s per core")
    s.add_argument("--cbow-core-rate", type=float, default=900_000, help="words/s per core")
    t = sub.add_parser("train", help="bench-en: 2 ranks x 1 thread vs 1 process x 2 threads")
    t.add_argument("--seeds", default="1,2,3")
    t.add_argument("--arch", default="skipgram,cbow")
    t.add_argument("--out", default="distributed-train.jsonl", help="rows appended here")
    t.add_argument("--max-words", type=int, default=None, help="first N tokens only")
    t.add_argument("--sync-words", type=int, default=None, help="distributed cadence")
    t.add_argument(
        "--sync", default="auto", choices=["auto", "rows", "overlap", "full"], help="sync mode"
    )
    t.add_argument(
        "--compression",
        default="int8",
        choices=["int8", "none"],
        help="how syncs send the updates (sync_compression)",
    )
    t.add_argument("--modes", default="single,dist", help="which runs: single, dist or both")
    args = p.parse_args()
    if args.what == "sync":
        run_sync(args)
    else:
        run_train(args)


if __name__ == "__main__":
    main()
