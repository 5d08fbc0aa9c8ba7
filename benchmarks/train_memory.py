"""Benchmark: where the peak memory of word2vec training goes, wordvec against gensim.

``benchmarks/train_vs_gensim.py`` reports one peak RSS per run. This script splits it
into stages, each measured as the peak RSS (``ru_maxrss``) of a fresh subprocess that
stops after that stage, so the figures are cumulative and independent of each other:

wordvec
    ``numpy``           the interpreter with NumPy imported
    ``library``         + ``import wordvec.train`` (numba, llvmlite's LLVM library)
    ``runtime``         + the first call of a cached numba kernel: numba refreshes its
                        target context (compiles its runtime with LLVM, registers its
                        NumPy implementations, and imports ``scipy.linalg`` to probe
                        for BLAS)
    ``floor``           + the input and output weights every word2vec trainer holds,
                        two float32 ``(vocab, dim)`` matrices, touched: the least any
                        numba trainer of this model can peak at, before any corpus state
    ``fit``             a real ``Word2Vec.fit`` on the corpus

gensim
    ``numpy``, ``library`` (``from gensim.models import Word2Vec``) and ``fit``
    (``corpus_file`` mode, as in train_vs_gensim.py).

A diagnostic row repeats ``runtime`` with SciPy hidden from numba
(``sys.modules["scipy"] = None``) to show what numba's BLAS probe costs; wordvec does
not do this when training.

Peak RSS does not grow with the number of epochs, so one epoch is the default. The
``fit`` rows also split the largest sampled RSS into anonymous memory (the process's own)
and file-backed pages (mostly libraries' code: clean, shared between processes, and
dropped by the kernel under pressure; numba's LLVM library is ~69 MB of them).

Usage::

    python benchmarks/train_memory.py                          # bench-en, skip-gram
    python benchmarks/train_memory.py --arch cbow --max-words 2000000
    python benchmarks/train_memory.py --min-count 1 --dim 300   # large vocabulary: weights dominate
    python benchmarks/train_memory.py --min-count 1 --dim 300 --extra-words GLOVE_TXT_GZ

``--extra-words`` appends the words of a text vectors file (each line's first field, e.g.
the 400k words of ``glove.6B.50d.txt.gz``) to the corpus copy, 20 to a line: a larger
vocabulary, where the weights dominate the peak more than at bench-en's 237k words.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from train_vs_gensim import CORPUS, SETTINGS, _tiny_corpus, train_gensim, write_plain_copy


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_split() -> tuple[float, float, float]:
    """This process's RSS now, and its anonymous and file-backed parts (MB)."""
    status = {}
    with open("/proc/self/status") as f:
        for line in f:
            parts = line.split()
            if parts[0] in ("VmRSS:", "RssAnon:", "RssFile:"):
                status[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return status["VmRSS"], status["RssAnon"], status["RssFile"]


def _sample_split(peak: dict, stop: threading.Event) -> None:
    """Keep in ``peak`` the anonymous/file split of the largest RSS sampled (20 Hz):
    anonymous memory is the process's own; file-backed pages (libraries' code, clean
    and shared between processes) the kernel can drop and read back."""
    while not stop.is_set():
        _sample_split_once(peak)
        stop.wait(0.05)


def child(
    tool: str, stage: str, arch: str, corpus: str, vocab: int, epochs: int, overrides: dict
) -> dict:
    """Run ``tool`` up to ``stage`` in this process; return the peak RSS and extras
    (for ``fit``, the anonymous/file split of the largest RSS sampled)."""
    if stage == "fit":
        split: dict = {}
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_split, args=(split, stop), daemon=True)
        sampler.start()
        out = _child(tool, stage, arch, corpus, vocab, epochs, overrides)
        stop.set()
        sampler.join()
        _sample_split_once(split)
        return {**out, "anon": split["anon"], "file": split["file"]}
    return _child(tool, stage, arch, corpus, vocab, epochs, overrides)


def _sample_split_once(peak: dict) -> None:
    """Keep this sample in ``peak`` if its RSS is the largest so far."""
    rss, anon, file = _rss_split()
    if rss > peak.get("rss", 0.0):
        peak.update(rss=rss, anon=anon, file=file)


def _child(
    tool: str, stage: str, arch: str, corpus: str, vocab: int, epochs: int, overrides: dict
) -> dict:
    import numpy as np

    settings = {**SETTINGS, **overrides, "epochs": epochs}
    out: dict = {}
    if stage == "numpy":
        return {"mb": _peak_mb()}
    if stage == "runtime-noscipy":
        sys.modules["scipy"] = None  # type: ignore[assignment]
    if tool == "gensim":
        import gensim.models  # noqa: F401  (the library stage: import only)

        if stage == "fit":
            model = train_gensim(corpus, arch, 1, 2, epochs, settings)
            out["vocab"] = len(model.wv)
        return {"mb": _peak_mb(), **out}
    from wordvec.train import Word2Vec, kernels

    if stage == "fit":
        model = Word2Vec(arch=arch, workers=2, tokenizer="whitespace", progress=False, **settings)
        out["vocab"] = len(model.fit(corpus))
    elif stage != "library":
        ids = np.zeros(4, dtype=np.int32)
        kernels.count_job_words(ids, np.zeros(1, dtype=np.int32), np.array([0, 4]))
        if stage == "floor":
            w_in = np.random.default_rng(1).random((vocab, settings["dim"]), dtype=np.float32)
            w_out = np.ones((vocab, settings["dim"]), dtype=np.float32)
            out["weights_mb"] = (w_in.nbytes + w_out.nbytes) / 2**20
    return {"mb": _peak_mb(), **out}


OVERRIDES: dict = {}  # --dim / --min-count, passed on to every child


def run(*args: object) -> dict:
    cmd = [sys.executable, __file__, "--child", *map(str, args), json.dumps(OVERRIDES)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _append_words(vectors_txt: Path, corpus: Path) -> int:
    """Append the first field of each line of ``vectors_txt`` to ``corpus``, 20 to a line."""
    opener = gzip.open if vectors_txt.suffix == ".gz" else open
    with opener(vectors_txt, "rt", encoding="utf-8") as f:
        words = [line.split(" ", 1)[0] for line in f]
    with open(corpus, "a", encoding="utf-8") as out:
        for i in range(0, len(words), 20):
            out.write(" ".join(words[i : i + 20]) + "\n")
    return len(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=["skipgram", "cbow"], default="skipgram")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-words", type=int, default=None, help="use the first N words")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--dim", type=int, default=None, help="override the dim of 100")
    parser.add_argument("--min-count", type=int, default=None, help="override min_count 5")
    parser.add_argument(
        "--extra-words",
        type=Path,
        default=None,
        help="append the words of this (gzipped) text vectors file",
    )
    parser.add_argument("--child", nargs=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, stage, arch, corpus, vocab, epochs, overrides = args.child
        peak = child(tool, stage, arch, corpus, int(vocab), int(epochs), json.loads(overrides))
        print(json.dumps(peak))
        return
    if args.dim is not None:
        OVERRIDES["dim"] = args.dim
    if args.min_count is not None:
        OVERRIDES["min_count"] = args.min_count

    with tempfile.TemporaryDirectory(prefix="w2v-mem-") as tmp:
        corpus = Path(tmp) / "corpus.txt"
        n_words = write_plain_copy(args.corpus, corpus, args.max_words)
        if args.extra_words is not None:
            n_words += _append_words(args.extra_words, corpus)
        extra = f" + {args.extra_words.name}'s words" if args.extra_words else ""
        print(f"corpus: {n_words:,} tokens ({args.corpus.name}{extra}), {args.arch}, "
              f"{args.epochs} epoch(s), 2 workers, cores {os.cpu_count()}, "
              f"settings {({**SETTINGS, **OVERRIDES})}")  # fmt: skip
        run("wordvec", "fit", args.arch, _tiny_corpus(Path(tmp)), 0, 1)  # warm numba's cache
        fit_w = run("wordvec", "fit", args.arch, corpus, 0, args.epochs)
        fit_g = run("gensim", "fit", args.arch, corpus, 0, args.epochs)
        vocab = fit_w["vocab"]

        def peak(tool: str, stage: str) -> dict:
            return run(tool, stage, args.arch, corpus, vocab, 1)

        floor = peak("wordvec", "floor")
        rows = [
            ("python + numpy", peak("wordvec", "numpy")["mb"], peak("gensim", "numpy")["mb"]),
            ("+ import the library", peak("wordvec", "library")["mb"],
             peak("gensim", "library")["mb"]),
            ("+ numba runtime (first kernel call)", peak("wordvec", "runtime")["mb"], None),
            ("  (same, SciPy hidden from numba)", peak("wordvec", "runtime-noscipy")["mb"], None),
            ("+ 2 weight matrices = wordvec's floor", floor["mb"], None),
            ("whole fit (peak)", fit_w["mb"], fit_g["mb"]),
        ]  # fmt: skip

        print(f"vocabulary {vocab:,} words (gensim {fit_g['vocab']:,}); weights "
              f"{floor['weights_mb']:.1f} MB\n")  # fmt: skip
        print(f"{'peak RSS after':40} {'wordvec MB':>11} {'gensim MB':>10}")
        for name, w, g in rows:
            gs = f"{g:10.1f}" if g is not None else f"{'':>10}"
            print(f"{name:40} {w:11.1f} {gs}")
        runtime_w = rows[2][1]
        library_g = rows[1][2]
        print(
            f"\nabove the runtime: wordvec fit - its runtime floor (Python + numba + first "
            f"kernel call) = {fit_w['mb'] - runtime_w:.1f} MB; gensim fit - its imports = "
            f"{fit_g['mb'] - library_g:.1f} MB"
        )
        print(
            f"at the fits' peaks (sampled): wordvec {fit_w['anon']:.1f} MB anonymous + "
            f"{fit_w['file']:.1f} MB file-backed; gensim {fit_g['anon']:.1f} + "
            f"{fit_g['file']:.1f} MB; anonymous wordvec / gensim "
            f"{fit_w['anon'] / fit_g['anon']:.3f}"
        )
        print(
            f"wordvec's floor is {floor['mb'] / fit_g['mb']:.3f}x gensim's whole fit; "
            f"its corpus and vocabulary state on top of the floor: "
            f"{fit_w['mb'] - floor['mb']:.1f} MB; wordvec fit / gensim fit "
            f"{fit_w['mb'] / fit_g['mb']:.3f}"
        )


if __name__ == "__main__":
    main()
