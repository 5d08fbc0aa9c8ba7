"""``wordvec evaluate``: analogy accuracy per section and word-pair similarity correlation."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from wordvec.cli._common import (
    CLIError,
    add_common,
    add_encoding,
    add_limit,
    epilog,
    esc,
    existing_file,
    fmt_float,
    fmt_percent,
    load_vectors,
    non_negative_int,
    print_json,
    stdout_console,
)

_EPILOG = epilog(
    """
    Analogy files use the word2vec format (": section" lines, then "a b c d" per line);
    similarity files hold "word1<TAB>word2<TAB>score" lines ("#" starts a comment).
    Without --analogies or --similarity the bundled sets are used: the Google analogy
    test set (19,544 questions) and WordSim-353.

    Examples:
      wordvec evaluate vectors.safetensors
      wordvec evaluate glove.6B.50d.txt.gz --restrict-vocab 100000
      wordvec evaluate vectors.safetensors --similarity simlex.tsv wordsim353.tsv --json
      wordvec evaluate cc.en.300.bin --oov ngrams     # unseen words from their n-grams
    """
)


def register(sub: Any) -> None:
    """Add the ``evaluate`` subcommand to the subparsers ``sub``."""
    p = sub.add_parser(
        "evaluate",
        help="analogy accuracy and word-similarity correlation",
        description="Evaluate word vectors on word analogies (accuracy per section and in "
        "total) and on word-pair similarity (Pearson and Spearman correlation).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help="a vectors file in any supported format")
    p.add_argument(
        "--analogies",
        metavar="FILE",
        default=None,
        help="analogy questions (default: the bundled questions-words.txt)",
    )
    p.add_argument(
        "--similarity",
        metavar="FILE",
        nargs="+",
        default=None,
        help="one or more word-pair similarity files (default: the bundled WordSim-353)",
    )
    p.add_argument(
        "--restrict-vocab",
        type=non_negative_int,
        default=30_000,
        metavar="N",
        help="answer analogies among the N most frequent words only, skipping questions "
        "with rarer words; 0 means all words (default: 30000)",
    )
    p.add_argument(
        "--oov",
        choices=("skip", "ngrams"),
        default="skip",
        help="words not in the vocabulary: skip their questions and pairs (default), or "
        "build them from character n-grams (subword models: fastText .bin, native subword "
        "files)",
    )
    add_encoding(p, "analogy and similarity files")
    add_limit(p)
    add_common(p, json_flag=True)
    p.set_defaults(handler=run)


def analogy_summary(result: Any) -> dict[str, Any]:
    """Return an :class:`~wordvec.evaluate.AnalogyResult` as a plain dict."""
    return {
        "accuracy": float(result.accuracy),
        "correct": int(result.total.correct),
        "answered": int(result.total.total),
        "skipped": int(result.skipped),
        "questions": int(result.questions),
        "lines_with_errors": int(result.lines_with_errors),
        "sections": [
            {
                "section": s.name,
                "accuracy": float(s.accuracy),
                "correct": int(s.correct),
                "answered": int(s.total),
            }
            for s in result.sections
        ],
    }


def similarity_summary(result: Any) -> dict[str, Any]:
    """Return a :class:`~wordvec.evaluate.SimilarityResult` as a plain dict."""
    return {
        "pearson": float(result.pearson),
        "spearman": float(result.spearman),
        "pairs": int(result.pairs),
        "skipped": int(result.skipped),
        "oov_percent": float(result.oov_percent),
        "lines_with_errors": int(result.lines_with_errors),
    }


def run(args: argparse.Namespace) -> int:
    """Evaluate ``args.vectors``; return the exit code."""
    from wordvec.datasets import path as bundled
    from wordvec.evaluate import evaluate_analogies, evaluate_similarity

    analogy_file = existing_file(args.analogies, "analogy file") if args.analogies else None
    sim_files = [existing_file(f, "similarity file") for f in args.similarity or []]
    wv = load_vectors(args.vectors, limit=args.limit)
    if args.oov == "ngrams" and not hasattr(wv, "vectors_for"):
        raise CLIError(
            f"--oov ngrams builds unseen words from character n-grams, and {args.vectors!r} "
            "has none (plain word vectors); evaluate a subword model (a fastText .bin or a "
            "wordvec FastText file) or drop --oov."
        )
    restrict = args.restrict_vocab or None
    decoding = {"encoding": args.encoding, "encoding_errors": args.encoding_errors}
    analogies = analogy_summary(
        evaluate_analogies(wv, path=analogy_file, restrict_vocab=restrict, oov=args.oov, **decoding)
    )
    analogies["file"] = str(analogy_file or bundled("questions-words"))
    similarity = []
    for f in sim_files or [None]:
        s = similarity_summary(evaluate_similarity(wv, path=f, oov=args.oov, **decoding))
        s["file"] = str(f or bundled("wordsim353"))
        similarity.append(s)
    if args.json:
        print_json(
            {
                "vectors": args.vectors,
                "restrict_vocab": restrict,
                "oov": args.oov,
                "analogies": analogies,
                "similarity": similarity,
            }
        )
        return 0
    render(analogies, similarity, restrict)
    return 0


def render(
    analogies: dict[str, Any], similarity: list[dict[str, Any]], restrict: int | None
) -> None:
    """Print the evaluation as rich tables on stdout."""
    from rich import box
    from rich.table import Table

    console = stdout_console()
    scope = f"{restrict:,} most frequent words" if restrict else "all words"
    table = Table(
        title=esc(f"Analogies: {Path(analogies['file']).name} ({scope})"),
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_footer=True,
    )
    table.add_column("section", footer="total")
    table.add_column("accuracy", justify="right", footer=fmt_percent(analogies["accuracy"]))
    table.add_column("correct", justify="right", footer=f"{analogies['correct']:,}")
    table.add_column("answered", justify="right", footer=f"{analogies['answered']:,}")
    for s in analogies["sections"]:
        table.add_row(
            esc(s["section"]),
            fmt_percent(s["accuracy"]) if s["answered"] else "-",
            f"{s['correct']:,}",
            f"{s['answered']:,}",
        )
    console.print(table)
    console.print(
        f"{analogies['skipped']:,} of {analogies['questions']:,} questions skipped "
        f"(a word outside the {scope})."
    )
    for s in [analogies, *similarity]:
        if s["lines_with_errors"]:
            console.print(
                f"{esc(Path(s['file']).name)}: {s['lines_with_errors']:,} line(s) with "
                "undecodable bytes were read with them replaced or dropped."
            )
    console.print()
    table = Table(title="Word-pair similarity", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("file")
    table.add_column("Spearman", justify="right")
    table.add_column("Pearson", justify="right")
    table.add_column("pairs", justify="right")
    table.add_column("out of vocabulary", justify="right")
    for s in similarity:
        table.add_row(
            esc(Path(s["file"]).name),
            fmt_float(s["spearman"], 4),
            fmt_float(s["pearson"], 4),
            f"{s['pairs']:,}",
            f"{s['oov_percent']:.1f}%",
        )
    console.print(table)
