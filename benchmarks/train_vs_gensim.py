"""Benchmark: wordvec Word2Vec against gensim 4 on the same corpus, settings and machine.

Both tools train on the same uncompressed copy of ``bench-en`` (written to a temporary
directory; gensim's ``corpus_file=`` mode needs plain text) with dim 100, window 5,
negative 5, sample 1e-3, min_count 5, 5 epochs and the same number of workers. Every
run happens in its own subprocess, so its peak RSS (``ru_maxrss``, measured right
after training, before evaluation) is its own. Runs of the two tools alternate, so
machine noise hits both alike.

Wall time covers everything a user waits for: reading the corpus, building the
vocabulary and training. Words/s is ``corpus tokens * epochs / wall``. Quality is the
analogy accuracy on questions-words (restrict_vocab 30000) and the Spearman
correlation on WordSim-353, both computed with the same evaluation code for the two
tools (``wordvec.evaluate`` when available, else gensim's ``KeyedVectors`` methods).

Usage::

    python benchmarks/train_vs_gensim.py                       # full run, both archs, 3 seeds
    python benchmarks/train_vs_gensim.py --max-words 2000000 --seeds 1 --arch skipgram
    python benchmarks/train_vs_gensim.py --old /tmp/wt_old        # also an older checkout

``--old DIR`` adds the tool ``wordvec-old``: the same wordvec benchmark run on the
package in ``DIR/src`` (e.g. ``git worktree add DIR <commit>``), in the same alternation,
to show a change is no slower; ``--tools`` picks which tools run.
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
import time
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CORPUS = DATA / "corpus" / "bench-en.txt.gz"
ANALOGIES = DATA / "eval" / "questions-words.txt"
WORDSIM = DATA / "eval" / "wordsim353.tsv"
SETTINGS = {"dim": 100, "window": 5, "negative": 5, "sample": 1e-3, "min_count": 5, "epochs": 5}


def write_plain_copy(src: Path, dst: Path, max_words: int | None) -> int:
    """Decompress ``src`` to ``dst``, keeping the first ``max_words`` tokens; return the count."""
    n = 0
    with gzip.open(src, "rt", encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        for line in f:
            tokens = line.split()
            if max_words is not None and n + len(tokens) >= max_words:
                tokens = tokens[: max_words - n]
                out.write(" ".join(tokens) + "\n")
                n += len(tokens)
                break
            out.write(line)
            n += len(tokens)
    return n


def _evaluate(words: list[str], vectors) -> tuple[float, float]:
    try:
        from wordvec.evaluate import evaluate_analogies, evaluate_similarity
        from wordvec.vectors import Vectors

        vec = Vectors(words, vectors)
        acc = evaluate_analogies(vec, ANALOGIES, restrict_vocab=30000).accuracy
        rho = evaluate_similarity(vec, WORDSIM).spearman
        return float(acc), float(rho)
    except ImportError:
        from gensim.models import KeyedVectors

        kv = KeyedVectors(vectors.shape[1])
        kv.add_vectors(words, vectors)
        acc = kv.evaluate_word_analogies(str(ANALOGIES), restrict_vocab=30000)[0]
        rho = kv.evaluate_word_pairs(str(WORDSIM))[1][0]
        return float(acc), float(rho)


def train_gensim(
    corpus: str,
    arch: str,
    seed: int,
    workers: int,
    epochs: int = SETTINGS["epochs"],
    settings: dict | None = None,
) -> Any:
    """Train gensim's Word2Vec on ``corpus`` in ``corpus_file`` mode, the benchmark's settings
    (``settings`` overrides some of them, e.g. ``{"dim": 300, "min_count": 1}``)."""
    from gensim.models import Word2Vec as GensimWord2Vec

    s = {**SETTINGS, **(settings or {})}
    return GensimWord2Vec(
        corpus_file=corpus,
        sg=1 if arch == "skipgram" else 0,
        vector_size=s["dim"],
        window=s["window"],
        negative=s["negative"],
        sample=s["sample"],
        min_count=s["min_count"],
        epochs=epochs,
        workers=workers,
        seed=seed,
    )


def child(tool: str, arch: str, seed: int, corpus: str, workers: int) -> dict:
    """Train once in this process and return the measurements."""
    t0 = time.perf_counter()
    timings: dict = {}
    if tool == "wordvec":
        from wordvec.train import Word2Vec

        model = Word2Vec(
            arch=arch, workers=workers, seed=seed, tokenizer="whitespace", progress=False,
            **SETTINGS,
        )  # fmt: skip
        wv = model.fit(corpus)
        wall = time.perf_counter() - t0
        words, vectors = wv.words, wv.vectors
        timings = {"read_s": model.timings["read"], "train_s": model.timings["train"]}
    else:
        model = train_gensim(corpus, arch, seed, workers)
        wall = time.perf_counter() - t0
        words, vectors = list(model.wv.index_to_key), model.wv.vectors
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        acc, rho = _evaluate(words, vectors)
    except (ValueError, ZeroDivisionError):  # a vocabulary too small for the test sets
        acc = rho = float("nan")
    return {"wall_s": wall, "rss_mb": rss_mb, "analogy": acc, "ws353": rho, **timings}


def run(
    tool: str, arch: str, seed: int, corpus: Path, workers: int, old: Path | None = None
) -> dict:
    env = dict(os.environ)
    if tool == "wordvec-old":
        if old is None:
            raise SystemExit("the tool wordvec-old needs --old DIR")
        env["PYTHONPATH"] = str(old / "src")
        tool = "wordvec"
    cmd = [sys.executable, __file__, "--child", tool, arch, str(seed), str(corpus), str(workers)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-words", type=int, default=None, help="use the first N words")
    parser.add_argument("--arch", choices=["skipgram", "cbow", "both"], default="both")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--old", type=Path, default=None, help="older checkout (wordvec-old)")
    parser.add_argument("--tools", default=None, help="comma-separated: gensim,wordvec-old,wordvec")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, arch, seed, corpus, workers = args.child
        print(json.dumps(child(tool, arch, int(seed), corpus, int(workers))))
        return

    seeds = [int(s) for s in args.seeds.split(",")]
    default_tools = "gensim,wordvec-old,wordvec" if args.old else "gensim,wordvec"
    tools = (args.tools or default_tools).split(",")
    archs = ["skipgram", "cbow"] if args.arch == "both" else [args.arch]
    with tempfile.TemporaryDirectory(prefix="w2v-bench-") as tmp:
        corpus = Path(tmp) / "corpus.txt"
        n_words = write_plain_copy(args.corpus, corpus, args.max_words)
        total = n_words * SETTINGS["epochs"]
        print(f"corpus: {n_words:,} tokens ({args.corpus.name}), workers {args.workers}, "
              f"cores {os.cpu_count()}, settings {SETTINGS}")  # fmt: skip
        # warm the numba cache so compilation is not timed
        for arch in archs:
            for tool in tools:
                if tool != "gensim":
                    run(tool, arch, 1, _tiny_corpus(Path(tmp)), 1, args.old)
        header = (
            f"{'tool':11} {'arch':8} {'seed':>4} {'wall s':>8} {'words/s':>11} {'ratio':>6} "
            f"{'analogy':>8} {'WS353':>7} {'RSS MB':>7} {'read s':>7}"
        )
        print(header)
        rows: dict[tuple[str, str], list[dict]] = {}
        # seeds outermost, so an interrupted run still covers both architectures
        for seed in seeds:
            for arch in archs:
                for tool in tools:
                    r = run(tool, arch, seed, corpus, args.workers, args.old)
                    r["wps"] = total / r["wall_s"]
                    rows.setdefault((tool, arch), []).append(r)
                    ref = rows.get(("gensim", arch), rows[(tools[0], arch)])[-1]["wps"]
                    ratio = r["wps"] / ref
                    print(
                        f"{tool:11} {arch:8} {seed:>4} {r['wall_s']:8.1f} {r['wps']:11,.0f} "
                        f"{ratio:6.2f} {100 * r['analogy']:7.2f}% {r['ws353']:7.3f} "
                        f"{r['rss_mb']:7.0f} {r.get('read_s', float('nan')):7.1f}",
                        flush=True,
                    )
        summary = []
        for arch in archs:
            if ("wordvec-old", arch) in rows:
                o, w = rows[("wordvec-old", arch)], rows[("wordvec", arch)]
                speedup = statistics.median(x["wps"] for x in w) / statistics.median(
                    x["wps"] for x in o
                )
                summary.append(
                    f"{arch:8} new vs old wordvec: speed ratio (median words/s) {speedup:.3f}x, "
                    f"train median {statistics.median(x['train_s'] for x in w):.1f} vs "
                    f"{statistics.median(x['train_s'] for x in o):.1f} s | analogy "
                    f"{100 * _mean(w, 'analogy'):.2f}% vs {100 * _mean(o, 'analogy'):.2f}% | WS353 "
                    f"{_mean(w, 'ws353'):.3f} vs {_mean(o, 'ws353'):.3f}"
                )
            if ("gensim", arch) not in rows:
                continue
            g, w = rows[("gensim", arch)], rows[("wordvec", arch)]
            med_g = statistics.median(x["wps"] for x in g)
            med_w = statistics.median(x["wps"] for x in w)
            summary.append(
                f"{arch:8} speed ratio (median words/s) {med_w / med_g:.2f}x | "
                f"analogy {100 * _mean(w, 'analogy'):.2f}% vs {100 * _mean(g, 'analogy'):.2f}% "
                f"| WS353 {_mean(w, 'ws353'):.3f} vs {_mean(g, 'ws353'):.3f} | "
                f"peak RSS {max(x['rss_mb'] for x in w):.0f} vs "
                f"{max(x['rss_mb'] for x in g):.0f} MB | wordvec read pass median "
                f"{statistics.median(x['read_s'] for x in w):.1f} s, train median "
                f"{statistics.median(x['train_s'] for x in w):.1f} s"
            )
        print("\nsummary (wordvec vs gensim; quality = mean over seeds)")
        print("\n".join(summary))


def _mean(rows: list[dict], key: str) -> float:
    return statistics.fmean(r[key] for r in rows)


def _tiny_corpus(directory: Path) -> Path:
    p = directory / "tiny.txt"
    p.write_text("the cat sat on the mat\n" * 200 + "a dog ran in the park\n" * 200)
    return p


if __name__ == "__main__":
    main()
