"""Transfer benchmark: genre classification of book paragraphs with every embedding setting.

Runs examples/genre_classifier.py's pipeline for each (framework, model, embedding) setting
over several seeds and prints one line per run, then a markdown table of the test accuracy
and macro-F1 (mean and sample std over seeds), the training time (median), the best epoch
chosen on the validation books, the embedding coverage, and the difference to the peer
measured in the same run: TF-IDF + logistic regression (scikit-learn, if installed).

    python benchmarks/transfer.py                       # everything, seeds 0 1 2
    python benchmarks/transfer.py --only torch-mean     # one family of settings
    python benchmarks/transfer.py --control             # + vectors trained without the
                                                        #   test books (see below)

The ``wordvec-*`` settings use vectors trained by ``wordvec train`` on bench-en
(``--wordvec-vectors``, default /tmp/bench-vectors.safetensors; trained first if missing).
bench-en contains the very books the task's paragraphs come from, test books included,
so ``--control`` also trains vectors on bench-en *minus the test books* (their line spans,
found by matching 8-word shingles of the test paragraphs, and any other line sharing three
shingles with a test paragraph) and runs the ``wordvec-*`` settings with them too, to show
how much of the gain comes from having read the test books.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see examples/genre_classifier.py
os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import genre_classifier as gc

HELDOUT_CORPUS = Path("/tmp/bench-en-minus-test-books.txt")
HELDOUT_VECTORS = Path("/tmp/bench-heldout-vectors.safetensors")
SETTINGS = (
    [("torch", "mean", e) for e in gc.EMBEDDINGS]
    + [("torch", "cnn", e) for e in gc.EMBEDDINGS]
    + [("keras", "mean", e) for e in gc.EMBEDDINGS]
)
_BENCH_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|[0-9]+")  # bench-en's own tokenization
SHINGLE = 8


# ------------------------------------------------------------------ the held-out control


def _bench_tokens(text: str) -> list[str]:
    return _BENCH_WORD.findall(text.lower().replace("’", "'"))


def test_book_lines(corpus: Path, task: gc.Task) -> tuple[set[int], dict[str, tuple[int, int]]]:
    """Line numbers of ``corpus`` holding test-book text: the span of each test book
    (the densest run of lines matching its paragraphs, gaps < 2,000 lines) plus any
    other line sharing at least 3 eight-word shingles with a test paragraph."""
    shingles: dict[str, set[str]] = collections.defaultdict(set)
    for text, book in zip(task.test.texts, task.test.books):
        words = _bench_tokens(text)
        for i in range(len(words) - SHINGLE + 1):
            shingles[" ".join(words[i : i + SHINGLE])].add(book)
    hits: dict[str, list[int]] = collections.defaultdict(list)
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            words = line.split()
            count: collections.Counter = collections.Counter()
            for i in range(len(words) - SHINGLE + 1):
                for book in shingles.get(" ".join(words[i : i + SHINGLE]), ()):
                    count[book] += 1
            if count:
                book, k = count.most_common(1)[0]
                if k >= 3:
                    hits[book].append(n)
    drop: set[int] = set()
    spans = {}
    for book, lines in hits.items():
        drop.update(lines)
        runs, run = [], [lines[0]]
        for n in lines[1:]:
            if n - run[-1] < 2000:
                run.append(n)
            else:
                runs.append(run)
                run = [n]
        runs.append(run)
        best = max(runs, key=len)
        spans[book] = (best[0], best[-1])
        drop.update(range(best[0], best[-1] + 1))
    return drop, spans


def heldout_vectors(task: gc.Task, path: Path = HELDOUT_VECTORS) -> Path:
    """Train (once) vectors on bench-en without the test books, default settings."""
    if path.exists():
        return path
    drop, spans = test_book_lines(gc.BENCH_PATH, task)
    kept = total = 0
    with (
        gzip.open(gc.BENCH_PATH, "rt", encoding="utf-8") as f,
        open(HELDOUT_CORPUS, "w", encoding="utf-8") as out,
    ):
        for n, line in enumerate(f):
            total += len(line.split())
            if n not in drop:
                out.write(line)
                kept += len(line.split())
    print(
        f"control corpus: dropped {len(drop):,} lines of {len(spans)} test books, kept "
        f"{kept:,} of {total:,} tokens -> {HELDOUT_CORPUS}",
        flush=True,
    )
    exe = shutil.which("wordvec")
    cmd = [exe] if exe else [sys.executable, "-m", "wordvec"]
    cmd += ["train", str(HELDOUT_CORPUS), "--tokenizer", "whitespace", "-o", str(path), "-q"]
    subprocess.run(cmd, check=True)
    return path


# ------------------------------------------------------------------ runs and summary


def warm_up(prepared: gc.Prepared, frameworks: set[str]) -> None:
    """One tiny untimed run per framework, so one-time imports and compilation (torch's
    optimizer machinery, Keras tracing) do not land in the first measured run."""
    small = gc.Prepared(
        prepared.classes,
        prepared.vocab,
        prepared.fit.subset(list(range(64))),
        prepared.val.subset(list(range(64))),
        prepared.test.subset(list(range(64))),
        prepared.max_len,
    )
    for framework in sorted(frameworks):
        gc.run(small, framework=framework, model="mean", embedding="random", epochs=1)


def summarize(results: list[gc.Result], peer: tuple[float, float] | None) -> list[str]:
    """Markdown rows: one per setting, in the order first seen; ``peer`` holds the TF-IDF
    test accuracies (trained on the same paragraphs, trained on all 7,500)."""
    groups: dict[tuple[str, str, str], list[gc.Result]] = {}
    for r in results:
        groups.setdefault((r.framework, r.model, r.embedding), []).append(r)
    rows = []
    for (framework, model, embedding), rs in groups.items():
        acc = [100 * r.accuracy for r in rs]
        f1 = [100 * r.macro_f1 for r in rs]
        val = [100 * r.val_accuracy for r in rs]

        def spread(xs: list[float]) -> str:
            std = statistics.stdev(xs) if len(xs) > 1 else 0.0
            return f"{statistics.mean(xs):.1f} ± {std:.1f}"

        cov = rs[0].coverage
        cov_text = "-" if cov is None else f"{100 * cov[0]:.1f}% / {100 * cov[1]:.1f}%"
        delta = (
            " | " if peer is None else " | ".join(f"{statistics.mean(acc) - p:+.1f}" for p in peer)
        )
        epochs = ",".join(str(r.epochs) for r in rs) if model != "tfidf" else "-"
        rows.append(
            f"| {framework} | {model} | {embedding} | {spread(acc)} | {spread(f1)} | "
            f"{spread(val)} | {statistics.median(r.seconds for r in rs):.1f} | {epochs} | "
            f"{cov_text} | {delta} |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="setting families to run, e.g. torch-mean torch-cnn keras-mean",
    )
    parser.add_argument("--glove", default=str(gc.GLOVE_PATH))
    parser.add_argument(
        "--wordvec-vectors",
        default=str(gc.WORDVEC_PATH),
        help="vectors from `wordvec train` on bench-en (trained if missing)",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="also run wordvec-* with vectors trained without the test books",
    )
    parser.add_argument("--heldout-vectors", default=str(HELDOUT_VECTORS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every TF-IDF fit")
    args = parser.parse_args(argv)
    if args.verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    import torch

    task = gc.load_task()
    prepared = gc.prepare(task)
    print(
        f"genre task: {len(prepared.fit)} training paragraphs + {len(prepared.val)} from "
        f"held-out training books (epoch choice), {len(prepared.test)} test paragraphs "
        f"from other books; vocabulary {len(prepared.vocab)} ids (min_count 2); majority "
        f"class {100 * max(collections.Counter(prepared.test.labels.tolist()).values()) / len(prepared.test):.1f}% "  # noqa: E501
        f"of test"
    )
    settings = [s for s in SETTINGS if args.only is None or f"{s[0]}-{s[1]}" in args.only]
    families = {e.split("-")[0] for _, _, e in settings}
    vectors = {
        family: gc.vectors_for(f"{family}-frozen", args.glove, args.wordvec_vectors)
        for family in ("glove", "wordvec")
        if family in families
    }
    if args.control:
        vectors["heldout"] = gc.load_vectors(str(heldout_vectors(task, Path(args.heldout_vectors))))
        settings += [
            (f, m, e.replace("wordvec", "heldout"))
            for f, m, e in settings
            if e.startswith("wordvec")
        ]
    print(
        f"machine: {os.cpu_count()} cores ({platform.machine()}), load average "
        f"{os.getloadavg()[0]:.1f} at start; python {platform.python_version()}, torch "
        f"{torch.__version__}, torch threads {args.threads}"
    )
    if settings:
        warm_up(prepared, {f for f, _, _ in settings})

    results: list[gc.Result] = []
    peer = None
    try:
        config, val = gc.tfidf_search(prepared)
        print(f"TF-IDF chosen on the validation books: {config} (validation {100 * val:.1f}%)")
        # scikit-learn's lbfgs is deterministic: one run per row, not one per seed
        baseline = [
            gc.tfidf_baseline(prepared, config=config, train_on=on) for on in ("fit", "all")
        ]
        for r in baseline:
            print(r.line(), flush=True)
        results += baseline
        peer = (100 * baseline[0].accuracy, 100 * baseline[1].accuracy)
    except ImportError:
        print("scikit-learn is not installed: no TF-IDF baseline")
    start = time.perf_counter()
    for framework, model, embedding in settings:
        family = embedding.split("-")[0]
        for seed in args.seeds:
            r = gc.run(
                prepared,
                framework=framework,
                model=model,
                embedding=embedding.replace("heldout", "wordvec"),
                vectors=vectors.get(family),
                seed=seed,
                threads=args.threads,
            )
            r.embedding = embedding
            print(r.line(), flush=True)
            results.append(r)
    print(
        f"\n{len(results)} runs in {time.perf_counter() - start:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    print(
        "| framework | model | embedding | test accuracy % | test macro-F1 % | "
        "validation accuracy % | train s (median) | best epochs | coverage (vocab / tokens) "
        "| vs TF-IDF, same paragraphs | vs TF-IDF, all 7,500 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in summarize(results, peer):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
