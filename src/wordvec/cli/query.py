"""Query commands: ``neighbors``, ``similarity``, ``analogy`` and ``doesnt-match``."""

from __future__ import annotations

import argparse
from typing import Any

from wordvec.cli._common import (
    add_common,
    add_limit,
    epilog,
    esc,
    load_vectors,
    positive_int,
    print_json,
    stdout_console,
)

_VECTORS_HELP = "a vectors file in any supported format (detected; compressed or not)"


def register(sub: Any) -> None:
    """Add the query subcommands to the subparsers ``sub``."""
    for add in (_add_neighbors, _add_similarity, _add_analogy, _add_doesnt_match):
        add(sub)


def _add_neighbors(sub: Any) -> None:
    p = sub.add_parser(
        "neighbors",
        help="nearest neighbours of words",
        description="Show the nearest neighbours of each WORD by cosine similarity.",
        epilog=epilog(
            """
            Examples:
              wordvec neighbors vectors.safetensors king
              wordvec neighbors glove.6B.50d.txt.gz frog ship --topn 5 --limit 100000
              wordvec neighbors vectors.safetensors whale --json
              wordvec neighbors vectors.safetensors whale --approximate

            An index saved beside VECTORS (`wordvec index VECTORS`) is used when it
            matches the vectors; a memory-mapped native file is scanned in blocks.
            """
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help=_VECTORS_HELP)
    p.add_argument("words", nargs="+", metavar="WORD", help="the words to look up")
    p.add_argument(
        "--topn", type=positive_int, default=10, help="neighbours per word (default: 10)"
    )
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--approximate",
        action="store_true",
        help="search with the approximate-neighbour index saved beside VECTORS (built in "
        "memory if there is none; an index of other vectors is an error)",
    )
    how.add_argument(
        "--exact", action="store_true", help="search exactly even if an index is saved"
    )
    add_limit(p)
    add_common(p, json_flag=True)
    p.set_defaults(handler=run_neighbors)


def _add_similarity(sub: Any) -> None:
    p = sub.add_parser(
        "similarity",
        help="cosine similarity of two words",
        description="Print the cosine similarity of words A and B (from -1 to 1).",
        epilog=epilog(
            """
            Examples:
              wordvec similarity vectors.safetensors ship boat
              wordvec similarity glove.6B.50d.txt.gz cat dog --json
            """
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help=_VECTORS_HELP)
    p.add_argument("a", metavar="A", help="first word")
    p.add_argument("b", metavar="B", help="second word")
    add_limit(p)
    add_common(p, json_flag=True)
    p.set_defaults(handler=run_similarity)


def _add_analogy(sub: Any) -> None:
    p = sub.add_parser(
        "analogy",
        help="A is to B as C is to ?",
        description="Answer 'A is to B as C is to ?': the words closest to B - A + C "
        "(the three query words excluded).",
        epilog=epilog(
            """
            Examples:
              wordvec analogy vectors.safetensors man king woman      # -> queen
              wordvec analogy glove.6B.50d.txt.gz paris france rome --topn 3
            """
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help=_VECTORS_HELP)
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("c", metavar="C")
    p.add_argument("--topn", type=positive_int, default=5, help="answers to show (default: 5)")
    add_limit(p)
    add_common(p, json_flag=True)
    p.set_defaults(handler=run_analogy)


def _add_doesnt_match(sub: Any) -> None:
    p = sub.add_parser(
        "doesnt-match",
        help="the word that does not belong with the others",
        description="Print the word least similar to the mean of all the words.",
        epilog=epilog(
            """
            Examples:
              wordvec doesnt-match vectors.safetensors breakfast lunch dinner ship
              wordvec doesnt-match glove.6B.50d.txt.gz red green blue piano --json
            """
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help=_VECTORS_HELP)
    p.add_argument("words", nargs="+", metavar="WORD", help="two or more words")
    add_limit(p)
    add_common(p, json_flag=True)
    p.set_defaults(handler=run_doesnt_match)


def _unseen(wv: Any, words: list[str]) -> list[str] | None:
    """The words outside the vocabulary that subword vectors build from n-grams (None for
    plain vectors, which answer only words they hold)."""
    if not hasattr(wv, "has_vector"):
        return None
    return [w for w in dict.fromkeys(words) if w not in wv and wv.has_vector(w)]


def _with_unseen(report: dict, unseen: list[str] | None) -> dict:
    """Subword vectors' JSON reports also list the words built from n-grams."""
    return report if unseen is None else {**report, "unseen": unseen}


def _unseen_note(unseen: list[str] | None) -> str:
    if not unseen:
        return ""
    return f" [dim](not in the vocabulary, built from n-grams: {esc(', '.join(unseen))})[/dim]"


def _scored_table(items: list[tuple[str, float]], header: str = "word") -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column(header)
    table.add_column("cosine", justify="right")
    for rank, (word, score) in enumerate(items, start=1):
        table.add_row(str(rank), esc(word), f"{score:.4f}")
    return table


def run_neighbors(args: argparse.Namespace) -> int:
    """Print the nearest neighbours of each word; return the exit code."""
    wv = load_vectors(args.vectors, limit=args.limit)
    words = list(dict.fromkeys(args.words))
    approximate = _search_mode(wv, args)
    results = {
        w: wv.most_similar(positive=[w], topn=args.topn, approximate=approximate) for w in words
    }
    unseen = _unseen(wv, words)
    if args.json:
        report: dict[str, Any] = {
            w: [{"word": n, "similarity": float(s)} for n, s in r] for w, r in results.items()
        }
        if unseen is not None:  # subword vectors: {"neighbors": ..., "unseen": [...]}
            report = {"neighbors": report, "unseen": unseen}
        print_json(report)
        return 0
    console = stdout_console()
    for i, (w, r) in enumerate(results.items()):
        if i:
            console.print()
        note = _unseen_note([w]) if unseen and w in unseen else ""
        console.print(f"nearest to [bold]{esc(w)}[/bold]{note}:")
        console.print(_scored_table(r, "neighbour"))
    return 0


def _search_mode(wv: Any, args: argparse.Namespace) -> bool | None:
    """``approximate=`` for the query: False (--exact), True (--approximate: the saved
    index, else one built now), None (the saved index if there is one)."""
    if args.exact:
        return False
    if not args.approximate:
        return None
    if wv.neighbor_index is None and "index_error" not in wv._cache:
        from wordvec.cli._common import stderr_console

        stderr_console().print(
            f"no index beside {args.vectors}: building one in memory (save it with "
            f"`wordvec index {args.vectors}`)",
            markup=False,
        )
        wv.build_index()
    return True


def run_similarity(args: argparse.Namespace) -> int:
    """Print the cosine similarity of two words; return the exit code."""
    wv = load_vectors(args.vectors, limit=args.limit)
    score = float(wv.similarity(args.a, args.b))
    unseen = _unseen(wv, [args.a, args.b])
    if args.json:
        report = {"a": args.a, "b": args.b, "similarity": score}
        print_json(_with_unseen(report, unseen))
        return 0
    a, b = esc(args.a), esc(args.b)
    note = _unseen_note(unseen)
    stdout_console().print(f"similarity({a}, {b}) = [bold]{score:.4f}[/bold]{note}")
    return 0


def run_analogy(args: argparse.Namespace) -> int:
    """Print the answers of ``A : B :: C : ?``; return the exit code."""
    wv = load_vectors(args.vectors, limit=args.limit)
    answers = wv.most_similar(positive=[args.b, args.c], negative=[args.a], topn=args.topn)
    unseen = _unseen(wv, [args.a, args.b, args.c])
    if args.json:
        report = {
            "a": args.a,
            "b": args.b,
            "c": args.c,
            "answers": [{"word": n, "similarity": float(s)} for n, s in answers],
        }
        print_json(_with_unseen(report, unseen))
        return 0
    a, b, c = esc(args.a), esc(args.b), esc(args.c)
    title = f"[bold]{a}[/bold] is to [bold]{b}[/bold] as [bold]{c}[/bold] is to ?"
    console = stdout_console()
    console.print(title + _unseen_note(unseen))
    console.print(_scored_table(answers, "answer"))
    return 0


def run_doesnt_match(args: argparse.Namespace) -> int:
    """Print the odd word out; return the exit code."""
    wv = load_vectors(args.vectors, limit=args.limit)
    odd = wv.doesnt_match(args.words)
    unseen = _unseen(wv, args.words)
    if args.json:
        report = {"words": args.words, "doesnt_match": odd}
        print_json(_with_unseen(report, unseen))
        return 0
    others = esc(", ".join(args.words))
    note = _unseen_note(unseen)
    stdout_console().print(f"[bold]{esc(odd)}[/bold] does not match {others}{note}")
    return 0
