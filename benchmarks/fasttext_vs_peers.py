"""Benchmark: wordvec FastText against the fastText tool and gensim's FastText, side by side.

All tools train on the same uncompressed copy of ``bench-en`` (or its first
``--max-words`` tokens) with the issue's settings: dim 100, window 5, negative 5 (or
hierarchical softmax with ``--loss hs``: fastText ``-loss hs``, gensim ``hs=1,
negative=0``), minn 3, maxn 6, bucket 2,000,000, sample 1e-4, min_count 5, 5 epochs, the
same threads, each tool's own default learning rate. ``wordvec-w2v`` (wordvec's
Word2Vec, same settings but no n-grams and word2vec's own sample 1e-3 and rate) shows
what subwords buy and cost. Every run is its own subprocess, so its peak RSS is its own
(the fastText tool: the child's ``ru_maxrss``); tools alternate within a seed, so
machine noise hits all alike.

Wall time covers reading, the vocabulary and training (not evaluation); on a crowded
machine the CPU seconds of each run (user + system, same span; the fastText tool's
include its writes) are the fairer measure, printed beside it. The fastText
tool always writes its .bin and .vec at the end: its wall time stops when its progress
line reaches 100%, before the writes. Words/s is ``corpus tokens * epochs / wall``.
Quality is the analogy accuracy (questions-words, restrict_vocab 30000; overall,
semantic, syntactic) and the WordSim-353 Spearman, all with ``wordvec.evaluate`` on each
tool's vectors of its vocabulary words (fastText's read from its .bin).

Usage::

    python benchmarks/fasttext_vs_peers.py                          # full, both archs, 1 seed
    python benchmarks/fasttext_vs_peers.py --max-words 2000000 --arch skipgram
    python benchmarks/fasttext_vs_peers.py --loss hs --tools gensim,wordvec
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from train_vs_gensim import ANALOGIES, CORPUS, WORDSIM, _tiny_corpus, write_plain_copy

SETTINGS = {"dim": 100, "window": 5, "negative": 5, "minn": 3, "maxn": 6,
            "bucket": 2_000_000, "sample": 1e-4, "min_count": 5, "epochs": 5}  # fmt: skip
TOOLS = ("fasttext", "gensim", "wordvec", "wordvec-w2v")
SEMANTIC = {"capital-common-countries", "capital-world", "currency", "city-in-state", "family"}


def quality(wv) -> dict:
    """Analogy accuracy (overall, semantic, syntactic) and WordSim-353 Spearman."""
    from wordvec.evaluate import evaluate_analogies, evaluate_similarity

    try:
        res = evaluate_analogies(wv, ANALOGIES, restrict_vocab=30000)
        rho = evaluate_similarity(wv, WORDSIM).spearman
    except (ValueError, ZeroDivisionError):  # a vocabulary too small for the test sets
        return dict.fromkeys(("analogy", "semantic", "syntactic", "ws353"), float("nan"))
    sem = [s for s in res.sections if s.name in SEMANTIC]
    syn = [s for s in res.sections if s.name not in SEMANTIC]

    def acc(sections: list) -> float:
        total = sum(s.total for s in sections)
        return sum(s.correct for s in sections) / total if total else float("nan")

    return {"analogy": res.accuracy, "semantic": acc(sem), "syntactic": acc(syn),
            "ws353": rho}  # fmt: skip


def _fasttext_tool(arch: str, loss: str, seed: int, corpus: str, threads: int, tmp: str):
    exe = shutil.which("fasttext")
    if exe is None:
        raise SystemExit("the fastText tool is not installed (apt-get install fasttext)")
    s = SETTINGS
    out = os.path.join(tmp, f"ft-{arch}-{seed}")
    cmd = [exe, arch, "-input", corpus, "-output", out, "-dim", s["dim"], "-ws", s["window"],
           "-neg", s["negative"], "-minn", s["minn"], "-maxn", s["maxn"], "-bucket",
           s["bucket"], "-t", s["sample"], "-minCount", s["min_count"], "-epoch", s["epochs"],
           "-thread", threads, "-loss", loss, "-verbose", 2]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    done, buf = None, b""
    while True:
        chunk = proc.stderr.read1(4096)
        if not chunk:
            break
        buf = (buf + chunk)[-200:]
        if done is None and b"100.0%" in buf:
            done = time.perf_counter() - t0
    proc.wait()
    if proc.returncode:
        raise SystemExit(f"fasttext failed: {buf.decode(errors='replace')}")
    from wordvec.vectors import Vectors

    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = done or time.perf_counter() - t0
    return wall, use.ru_utime + use.ru_stime, use.ru_maxrss / 1024, Vectors.load(out + ".bin")


def child(tool: str, arch: str, loss: str, seed: int, corpus: str, threads: int) -> dict:
    """Train once in this process and return the measurements."""
    s = SETTINGS
    t0 = time.perf_counter()
    if tool == "fasttext":
        with tempfile.TemporaryDirectory(prefix="ft-tool-") as tmp:
            wall, cpu, rss, wv = _fasttext_tool(arch, loss, seed, corpus, threads, tmp)
            return {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss, **quality(wv)}
    if tool == "gensim":
        from gensim.models import FastText as GensimFastText

        from wordvec.vectors import Vectors

        m = GensimFastText(
            corpus_file=corpus, sg=int(arch == "skipgram"), vector_size=s["dim"],
            window=s["window"], negative=0 if loss == "hs" else s["negative"],
            hs=int(loss == "hs"), min_n=s["minn"], max_n=s["maxn"], bucket=s["bucket"],
            sample=s["sample"], min_count=s["min_count"], epochs=s["epochs"], workers=threads,
            seed=seed,
        )  # fmt: skip
        wall = time.perf_counter() - t0
        wv = Vectors(list(m.wv.index_to_key), m.wv.vectors)
    else:
        from wordvec.train import FastText, Word2Vec

        common = dict(arch=arch, loss=loss, dim=s["dim"], window=s["window"],
                      negative=s["negative"], min_count=s["min_count"], epochs=s["epochs"],
                      workers=threads, seed=seed, tokenizer="whitespace",
                      progress=False)  # fmt: skip
        if tool == "wordvec":
            model = FastText(minn=s["minn"], maxn=s["maxn"], bucket=s["bucket"],
                             sample=s["sample"], **common)  # fmt: skip
        else:
            model = Word2Vec(**common)
        wv = model.fit(corpus)
        wall = time.perf_counter() - t0
    use = resource.getrusage(resource.RUSAGE_SELF)
    cpu, rss = use.ru_utime + use.ru_stime, use.ru_maxrss / 1024
    return {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss, **quality(wv)}


def run(tool: str, arch: str, loss: str, seed: int, corpus: Path, threads: int) -> dict:
    cmd = [sys.executable, __file__, "--child", tool, arch, loss, str(seed), str(corpus),
           str(threads)]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-words", type=int, default=None, help="use the first N words")
    parser.add_argument("--arch", choices=["skipgram", "cbow", "both"], default="both")
    parser.add_argument("--loss", choices=["ns", "hs"], default="ns")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated tools")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, arch, loss, seed, corpus, threads = args.child
        print(json.dumps(child(tool, arch, loss, int(seed), corpus, int(threads))))
        return
    tools = args.tools.split(",")
    archs = ["skipgram", "cbow"] if args.arch == "both" else [args.arch]
    with tempfile.TemporaryDirectory(prefix="ft-bench-") as tmp:
        corpus = Path(tmp) / "corpus.txt"
        n_words = write_plain_copy(args.corpus, corpus, args.max_words)
        total = n_words * SETTINGS["epochs"]
        print(f"corpus: {n_words:,} tokens ({args.corpus.name}), threads {args.threads}, "
              f"cores {os.cpu_count()}, loss {args.loss}, settings {SETTINGS}")  # fmt: skip
        for arch in archs:  # warm the numba cache so compilation is not timed
            for tool in tools:
                if tool.startswith("wordvec"):
                    run(tool, arch, args.loss, 1, _tiny_corpus(Path(tmp)), 1)
        print(f"{'tool':11} {'arch':8} {'seed':>4} {'wall s':>7} {'words/s':>9} {'ratio':>5} "
              f"{'CPU s':>7} {'w/CPU-s':>8} {'ratio':>5} {'analogy':>7} {'sem':>6} {'syn':>6} "
              f"{'WS353':>6} {'RSS MB':>6}")  # fmt: skip
        rows: dict[tuple[str, str], list[dict]] = {}
        for seed in [int(x) for x in args.seeds.split(",")]:
            for arch in archs:
                for tool in tools:
                    r = run(tool, arch, args.loss, seed, corpus, args.threads)
                    r["wps"], r["wpc"] = total / r["wall_s"], total / r["cpu_s"]
                    rows.setdefault((tool, arch), []).append(r)
                    print(f"{tool:11} {arch:8} {seed:>4} {r['wall_s']:7.1f} {r['wps']:9,.0f} "
                          f"{r['wps'] / _best_peer(rows, arch, 'wps'):5.2f} {r['cpu_s']:7.1f} "
                          f"{r['wpc']:8,.0f} {r['wpc'] / _best_peer(rows, arch, 'wpc'):5.2f} "
                          f"{100 * r['analogy']:6.2f}% {100 * r['semantic']:5.1f}% "
                          f"{100 * r['syntactic']:5.1f}% {r['ws353']:6.3f} {r['rss_mb']:6.0f}",
                          flush=True)  # fmt: skip
        print(
            "\nsummary (medians of speeds, means of quality over seeds; ratios to the faster peer)"
        )
        for arch in archs:
            for tool in tools:
                got = rows[(tool, arch)]
                wps = statistics.median(x["wps"] for x in got)
                wpc = statistics.median(x["wpc"] for x in got)
                r_wps, r_wpc = (
                    wps / _best_peer(rows, arch, "wps"),
                    wpc / _best_peer(rows, arch, "wpc"),
                )
                print(f"{arch:8} {tool:11} {wps:9,.0f} words/s ({r_wps:.2f}x) "
                      f"{wpc:9,.0f} words/CPU-s ({r_wpc:.2f}x) | "
                      f"analogy {100 * _mean(got, 'analogy'):.2f}% (sem "
                      f"{100 * _mean(got, 'semantic'):.1f}%, syn "
                      f"{100 * _mean(got, 'syntactic'):.1f}%) | WS353 "
                      f"{_mean(got, 'ws353'):.3f} | peak RSS "
                      f"{max(x['rss_mb'] for x in got):.0f} MB")  # fmt: skip


def _best_peer(rows: dict, arch: str, key: str) -> float:
    """Median ``key`` (words/s or words/CPU-s) of the faster peer so far (NaN before any)."""
    peers = [statistics.median(x[key] for x in rows[(t, arch)]) for t in ("fasttext", "gensim")
             if (t, arch) in rows]  # fmt: skip
    return max(peers) if peers else float("nan")


def _mean(rows: list[dict], key: str) -> float:
    return statistics.fmean(r[key] for r in rows)


if __name__ == "__main__":
    main()
