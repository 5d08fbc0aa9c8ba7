"""Benchmark: the corpus pass on real-world text, this code against an earlier commit.

Two questions, each answered side by side in one run:

speed
    ``encode_corpus`` (the reading pass every trainer shares: decode, tokenize, count,
    write ids) on bench-en (pre-tokenized, ``tokenizer="whitespace"``) and on the bundled
    novels (``tokenizer="default"``), this checkout against ``--before`` (a git commit,
    checked out in a temporary worktree), alternating, each run in a fresh process;
    medians of ``--repeats``.
memory
    peak RSS of a fresh process that runs the reading pass over the first N tokens of
    bench-en written as ONE line (text8-style) and as the original paragraphs, for several
    N: with bounded pieces the one-line peak stays flat as the line grows; ``--before``
    is measured too for the largest N.

    python benchmarks/corpus_reading.py                      # both, 5 repeats
    python benchmarks/corpus_reading.py --only memory --sizes 2e6 4e6 8e6 16.5e6
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
BENCH = DATA / "corpus" / "bench-en.txt.gz"


def child(src: str, corpus: str, tokenizer: str) -> dict:
    """Run the reading pass with the package under ``src``; return time and peak RSS."""
    sys.path.insert(0, src)
    import time

    from wordvec.train.corpus import encode_corpus

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        enc = encode_corpus(corpus, tmp, tokenizer=tokenizer)
        seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import wordvec

    if not wordvec.__file__.startswith(src):
        raise SystemExit(f"imported {wordvec.__file__}, not the code under {src}")
    return {"s": seconds, "mb": peak, "tokens": enc.n_tokens, "words": len(enc.words)}


def run(src: Path, corpus: Path, tokenizer: str) -> dict:
    cmd = [sys.executable, __file__, "--child", str(src), str(corpus), tokenizer]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def write_slices(tmp: Path, n_tokens: int) -> tuple[Path, Path]:
    """The first ``n_tokens`` of bench-en as paragraphs and as one line."""
    paragraphs, one = tmp / f"para-{n_tokens}.txt", tmp / f"line-{n_tokens}.txt"
    left = n_tokens
    with gzip.open(BENCH, "rt") as f, open(paragraphs, "w") as p, open(one, "w") as o:
        for line in f:
            tokens = line.split()[:left]
            left -= len(tokens)
            p.write(" ".join(tokens) + "\n")
            o.write(" ".join(tokens) + " ")
            if left <= 0:
                break
        o.write("\n")
    return paragraphs, one


def speed(args: argparse.Namespace, before: Path, tmp: Path) -> None:
    bench = tmp / "bench-en.txt"
    with gzip.open(BENCH, "rb") as f, open(bench, "wb") as out:
        out.write(f.read())
    from wordvec.datasets import default_corpus

    cases = [("bench-en", bench, "whitespace"), ("bundled novels", default_corpus(), "default")]
    print(f"\nreading pass (encode_corpus), median of {args.repeats}, alternating")
    print(f"{'corpus':16} {'tokenizer':11} {'before s':>9} {'after s':>9} {'after/before':>13}")
    for name, corpus, tok in cases:
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.repeats):
            times["before"].append(run(before, corpus, tok)["s"])
            times["after"].append(run(ROOT / "src", corpus, tok)["s"])
        b, a = statistics.median(times["before"]), statistics.median(times["after"])
        print(f"{name:16} {tok:11} {b:9.2f} {a:9.2f} {a / b:13.3f}")


def memory(args: argparse.Namespace, before: Path, tmp: Path) -> None:
    print("\npeak RSS of the reading pass (whitespace tokenizer), MB")
    print(f"{'tokens':>11} {'MB of text':>10} {'paragraphs':>11} {'one line':>9} {'before':>8}")
    sizes = [int(float(s)) for s in args.sizes]
    for i, n in enumerate(sizes):
        paragraphs, one = write_slices(tmp, n)
        para = run(ROOT / "src", paragraphs, "whitespace")
        line = run(ROOT / "src", one, "whitespace")
        if para["tokens"] != line["tokens"] or para["words"] != line["words"]:
            raise SystemExit(f"token counts differ: {para} vs {line}")
        old = run(before, one, "whitespace")["mb"] if i == len(sizes) - 1 else None
        print(
            f"{line['tokens']:11,} {one.stat().st_size / 2**20:10.1f} {para['mb']:11.0f} "
            f"{line['mb']:9.0f} {'' if old is None else f'{old:8.0f}'}"
        )
        paragraphs.unlink()
        one.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="1e5620e", help="the commit to compare with")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=["speed", "memory"], default=None)
    parser.add_argument("--sizes", nargs="+", default=["2e6", "4e6", "8e6", "16.6e6"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="wordvec-read-") as tmp_name:
        tmp = Path(tmp_name)
        worktree = tmp / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.before],
            check=True,
            capture_output=True,
        )
        try:
            if args.only in (None, "speed"):
                speed(args, worktree / "src", tmp)
            if args.only in (None, "memory"):
                memory(args, worktree / "src", tmp)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                check=False,
            )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
