"""``wordvec train``: train word2vec vectors, save them and report what they learned."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wordvec.cli._common import (
    EXIT_INTERRUPTED,
    CLIError,
    add_common,
    epilog,
    esc,
    fmt_float,
    fmt_percent,
    plural,
    print_json,
    stderr_console,
    stdout_console,
)
from wordvec.cli.convert import FORMATS, format_for_path

if TYPE_CHECKING:
    from wordvec.vectors import Vectors

DEFAULT_OUTPUT = "vectors.safetensors"

#: Words whose neighbours the report shows, when the corpus has them.
PROBE_WORDS = ("king", "ship", "love", "elizabeth", "whale", "sea", "war")
#: How many probe words the report shows at most.
MAX_PROBES = 5
#: The analogy the report shows: a - b + c.
REPORT_ANALOGY = ("king", "man", "woman")
REPORT_TOPN = 8
RESTRICT_VOCAB = 30_000

_HELP = """Train word vectors with word2vec on CORPUS (text files, compressed files or
directories; raw text is tokenized and lowercased). Without CORPUS it trains on the
corpus shipped in the package: 2.9M words of 28 public-domain novels and epics, in
about a minute on 2 cores. The vectors are written to OUT, then a short report shows
the vocabulary size, speed, analogy accuracy and WordSim-353 Spearman on the bundled
test sets, and the nearest neighbours of a few words."""

_EPILOG = epilog(
    """
    The format of OUT is --format if given, else inferred from its suffix as in
    `wordvec convert` (.safetensors native, .bin word2vec-binary, .vec fasttext,
    .txt word2vec text; .gz/.bz2/.xz compress), else native.

    Examples:
      wordvec train                                  # bundled corpus -> vectors.safetensors
      wordvec train books/ -o books.safetensors      # every text file under books/
      wordvec train corpus.txt.gz --arch cbow --dim 200 --epochs 10
      wordvec train tokens.txt --tokenizer whitespace -o vectors.vec
      wordvec train --json --quiet > report.json     # machine-readable report only
    """
)


def register(sub: Any) -> None:
    """Add the ``train`` subcommand to the subparsers ``sub``."""
    p = sub.add_parser(
        "train",
        help="train word2vec vectors (on the bundled corpus by default)",
        description=_HELP,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "corpus",
        nargs="*",
        metavar="CORPUS",
        help="text files or directories (.gz/.bz2/.xz read transparently); default: the "
        "bundled corpus",
    )
    p.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="OUT",
        help=f"where to write the vectors (default: {DEFAULT_OUTPUT} in the current directory)",
    )
    from wordvec.train.params import add_arguments

    p.add_argument(
        "--model",
        choices=tuple(_MODELS),
        default="word2vec",
        help="what to train: word2vec (skip-gram or CBOW), fasttext (word2vec with "
        "character n-grams: vectors for unseen words too) or glove (default: word2vec)",
    )
    # one flag per declared parameter of the trainers: the CLI cannot drift from them
    params = _model_flags()
    add_arguments(p.add_argument_group("training parameters"), params)
    # only the flags given reach the model: the others keep the chosen model's defaults
    names = {param.name for param in params}
    for action in p._actions:  # (set_defaults would put the SUPPRESS marker in the namespace)
        if action.dest in names:
            action.default = argparse.SUPPRESS
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="file format of OUT (default: inferred from its suffix, else native)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar and no report (with --json: only the JSON report)",
    )
    add_common(p, json_flag=True)
    p.set_defaults(handler=run)


def _output_path(path: str) -> Path:
    out = Path(path)
    if out.is_dir():
        raise CLIError(f"OUT {path!r} is a directory; pass a file name such as {DEFAULT_OUTPUT}.")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise CLIError(
            f"cannot write {path!r}: the directory {str(parent)!r} does not exist; create it "
            "first or choose another OUT."
        )
    return out


def _corpus(paths: list[str]) -> tuple[Any, str]:
    from wordvec.datasets import default_corpus

    if not paths:
        return default_corpus(), "the bundled corpus (28 books, 2.9M words)"
    for p in paths:
        if not Path(p).exists():
            raise FileNotFoundError(f"corpus not found: {p!r}; check the path and try again.")
    if len(paths) == 1:
        return Path(paths[0]), paths[0]
    return [Path(p) for p in paths], f"{len(paths)} paths"


#: The trainers of ``--model``, as (module, class) imported on use.
_MODELS = {
    "word2vec": ("wordvec.train.word2vec", "Word2Vec"),
    "glove": ("wordvec.train.glove", "GloVe"),
    "fasttext": ("wordvec.train.fasttext", "FastText"),
}


def _model_class(name: str) -> Any:
    import importlib

    module, cls = _MODELS[name]
    return getattr(importlib.import_module(module), cls)


def _model_flags() -> list[Any]:
    """The CLI parameters of all trainers, each once; a name the trainers declare
    differently gets one flag whose help gives each model's meaning and default."""
    import dataclasses

    merged: dict[str, list] = {}
    for name in _MODELS:
        for param in _model_class(name).PARAMS:
            if param.cli:
                merged.setdefault(param.name, []).append((name, param))
    out = []
    for owners in merged.values():
        first = owners[0][1]
        if len(owners) == len(_MODELS) and all(p == first for _, p in owners):
            out.append(first)
        elif all(p == first for _, p in owners):
            models = ", ".join(m for m, _ in owners)
            out.append(dataclasses.replace(first, help=f"{models} only: {first.help}"))
        else:  # one flag; the chosen model's own check has the last word on its value
            text = "; ".join(f"{m}: {p.help.rstrip('.')} (default {p.default})" for m, p in owners)
            out.append(dataclasses.replace(first, help=text, minimum=None, maximum=None,
                                           allow_none=True, default="per model"))  # fmt: skip
    return out


def _make_model(args: argparse.Namespace, progress: bool) -> Any:
    """The trainer ``--model`` names, built from the flags given (others: its defaults)."""
    cls = _model_class(args.model)
    own = {p.name for p in cls.PARAMS}
    given = {p.name: getattr(args, p.name) for p in _model_flags() if hasattr(args, p.name)}
    foreign = sorted(n for n in given if n not in own)
    if foreign:
        flags = ", ".join("--" + n.replace("_", "-") for n in foreign)
        raise CLIError(
            f"{flags} {'is' if len(foreign) == 1 else 'are'} not a parameter of --model "
            f"{args.model}; drop it or choose the model it belongs to (see --help)."
        )
    try:
        return cls(**given, progress=progress)
    except (TypeError, ValueError) as exc:
        raise CLIError(f"{exc}") from None


def run(args: argparse.Namespace) -> int:
    """Train, save and report; return the exit code."""
    out = _output_path(args.output)
    fmt = args.format or format_for_path(out, default="native")
    corpus, corpus_name = _corpus(args.corpus)
    err = stderr_console()
    show_progress = not args.quiet and sys.stderr.isatty()
    model = _make_model(args, show_progress)
    if not getattr(model.hooks, "writes_output", True):  # rank > 0 of a distributed run:
        model.progress = False  # rank 0 shows progress, writes OUT and reports
        model.fit(corpus)
        return 0
    if not args.quiet:
        err.print(
            f"Training {getattr(model, 'arch', args.model)} (dim {model.dim}, "
            f"window {model.window}, "
            f"{plural(model.epochs, 'epoch')}, {plural(model.workers, 'thread')}) on "
            f"{corpus_name}; "
            "reading the corpus first...",
            markup=False,
        )
    t0 = time.perf_counter()
    wv = model.fit(corpus)
    if args.format is None and fmt == "word2vec-binary" and hasattr(wv, "vectors_ngrams"):
        fmt = "fasttext-bin"  # a subword model keeps its n-grams in a .bin (as convert)
    wv.save(out, format=fmt)
    wall = time.perf_counter() - t0
    if args.quiet and not args.json:
        return 0
    try:
        if show_progress:
            with err.status("Evaluating on the bundled test sets..."):
                report = build_report(model, wv, out, fmt, corpus_name, wall)
        else:
            report = build_report(model, wv, out, fmt, corpus_name, wall)
    except KeyboardInterrupt:
        raise CLIError(
            f"interrupted during the report; the vectors were written to {str(out)!r}.",
            EXIT_INTERRUPTED,
        ) from None
    if args.json:
        print_json(report)
    else:
        render_report(report)
    return 0


def probe_words(wv: Vectors, count: int = MAX_PROBES) -> list[str]:
    """Pick the words whose neighbours the report shows: known favourites present in
    ``wv``, topped up with mid-frequency alphabetic words.

    >>> from wordvec.vectors import Vectors
    >>> probe_words(Vectors(["the", "king", "ship"], [[1.0], [2.0], [3.0]]), count=2)
    ['king', 'ship']
    """
    chosen = [w for w in PROBE_WORDS if w in wv][:count]
    for rank in (150, 400, 800, 1500, 3000):
        if len(chosen) >= min(count, 3) or rank >= len(wv):
            break
        for w in wv.words[rank : rank + 50]:
            if w.isalpha() and len(w) >= 4 and w not in chosen:
                chosen.append(w)
                break
    return chosen


def build_report(
    model: Any, wv: Vectors, out: Path, fmt: str, corpus_name: str, wall: float
) -> dict[str, Any]:
    """Collect the training figures, the evaluation and the neighbours as a plain dict."""
    from wordvec.cli.evaluate import analogy_summary, similarity_summary
    from wordvec.evaluate import evaluate_analogies, evaluate_similarity

    train_seconds = float(model.timings.get("train", wall))
    trained_words = int(wv.counts.sum()) * model.epochs if wv.counts is not None else None
    entries = getattr(model, "nnz", None)  # GloVe trains co-occurrences, not corpus words
    if entries is not None:
        trained_words = None
    analogies = evaluate_analogies(wv, restrict_vocab=RESTRICT_VOCAB)
    try:
        similarity = similarity_summary(evaluate_similarity(wv))
    except ValueError:  # no WordSim-353 pair in a small vocabulary
        similarity = None
    neighbours = {
        w: [[n, float(s)] for n, s in wv.most_similar(positive=[w], topn=REPORT_TOPN)]
        for w in probe_words(wv)
    }
    a, b, c = REPORT_ANALOGY
    if all(w in wv for w in REPORT_ANALOGY):
        analogy = [[n, float(s)] for n, s in wv.most_similar(positive=[a, c], negative=[b], topn=5)]
    else:
        analogy = None
    return {
        "output": str(out),
        "format": fmt,
        "corpus": corpus_name,
        "config": model.config(),
        "vocab_size": len(wv),
        "dim": wv.dim,
        "corpus_words_in_vocab": int(wv.counts.sum()) if wv.counts is not None else None,
        "words_per_second": trained_words / train_seconds if trained_words else None,
        "entries_per_second": entries * model.epochs / train_seconds if entries else None,
        "timings": dict(model.timings),
        "read_seconds": float(model.timings.get("read", 0.0)),
        "decoding": _decoding(model),
        "train_seconds": train_seconds,
        "total_seconds": wall,
        "final_loss": model.losses[-1] if model.losses else None,
        "analogies": analogy_summary(analogies),
        "wordsim353": similarity,
        "neighbors": neighbours,
        "king - man + woman": analogy,
    }


def _decoding(model: Any) -> dict[str, Any]:
    """How the corpus was decoded and what tolerant decoding got past."""
    stats = getattr(model, "read_stats", None)
    return {
        "encoding": model.encoding,
        "encoding_errors": model.encoding_errors,
        "lines_with_errors": stats.lines_with_errors if stats else 0,
        "skipped_files": list(stats.skipped_files) if stats else [],
    }


def _decoding_text(decoding: dict[str, Any]) -> str:
    """The report's decoding row ("" when nothing was replaced, dropped or skipped).

    >>> _decoding_text({"encoding": "utf-8", "encoding_errors": "replace",
    ...                 "lines_with_errors": 2, "skipped_files": []})
    '2 line(s) with bytes that are not utf-8 (replaced)'
    """
    skipped = decoding["skipped_files"]
    if not (decoding["lines_with_errors"] or skipped):
        return ""
    text = (
        f"{decoding['lines_with_errors']:,} line(s) with bytes that are not "
        f"{decoding['encoding']} ({decoding['encoding_errors']}d)"
    )
    if skipped:
        text += f"; {len(skipped)} binary file(s) skipped: {', '.join(skipped)}"
    return text


def render_report(report: dict[str, Any]) -> None:
    """Print the training report as rich tables on stdout."""
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    console = stdout_console()
    cfg = report["config"]
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("corpus", esc(report["corpus"]))
    if "arch" in cfg:
        kind = (
            f"{cfg['arch']}, dim {cfg['dim']}, window {cfg['window']}, negative {cfg['negative']}"
        )
    else:
        kind = f"glove, dim {cfg['dim']}, window {cfg['window']}, x_max {cfg['x_max']:g}"
    facts.add_row(
        "model", f"{kind}, min_count {cfg['min_count']}, {plural(cfg['epochs'], 'epoch')}"
    )
    facts.add_row("vocabulary", f"{report['vocab_size']:,} words")
    if report["corpus_words_in_vocab"] is not None:
        facts.add_row("tokens", f"{report['corpus_words_in_vocab']:,} in vocabulary")
    if report["words_per_second"]:
        facts.add_row(
            "speed",
            f"{report['words_per_second']:,.0f} words/s ({plural(cfg['workers'], 'thread')})",
        )
    if report.get("entries_per_second"):
        t = report["timings"]
        facts.add_row(
            "speed",
            f"{report['entries_per_second']:,.0f} co-occurrences/s "
            f"({plural(cfg['workers'], 'thread')}); counting {t['count']:.1f} s, "
            f"shuffling {t['shuffle']:.1f} s",
        )
    facts.add_row(
        "time",
        f"{report['train_seconds']:.1f} s training, {report['total_seconds']:.1f} s in all "
        f"(reading {report['read_seconds']:.1f} s)",
    )
    decoding = _decoding_text(report["decoding"])
    if decoding:
        facts.add_row("decoding", esc(decoding))
    facts.add_row("output", esc(f"{report['output']} ({report['format']})"))
    an, sim = report["analogies"], report["wordsim353"]
    facts.add_row(
        "analogies",
        f"{fmt_percent(an['accuracy'])} of {an['answered']:,} questions answered "
        f"({an['skipped']:,} of {an['questions']:,} skipped: a word outside the "
        f"{RESTRICT_VOCAB:,} most frequent)",
    )
    facts.add_row(
        "WordSim-353",
        f"Spearman {fmt_float(sim['spearman'], 3)}, Pearson {fmt_float(sim['pearson'], 3)} "
        f"on {sim['pairs']} pairs ({sim['oov_percent']:.1f}% out of vocabulary)"
        if sim
        else "no pair has both words in the vocabulary",
    )
    console.print(Panel(facts, title="wordvec train", title_align="left", expand=False))

    if report["neighbors"]:
        table = Table(
            title="Nearest neighbours (by cosine similarity)",
            box=box.SIMPLE_HEAD,
            title_justify="left",
        )
        table.add_column("word", style="bold")
        table.add_column("neighbours")
        for word, items in report["neighbors"].items():
            table.add_row(esc(word), esc(", ".join(n for n, _ in items)))
        console.print(table)
    if report["king - man + woman"]:
        items = report["king - man + woman"]
        console.print("[bold]king - man + woman[/bold] = " + _scored(items))


def _scored(items: list[list[Any]]) -> str:
    """``word (score), ...`` with the scores dimmed."""
    return ", ".join(f"{esc(n)} [dim]({s:.2f})[/dim]" for n, s in items)
