"""``wordvec info``: what a vectors file holds (format, size, dimensions, example words)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from wordvec.cli._common import (
    add_common,
    epilog,
    esc,
    existing_file,
    human_bytes,
    load_vectors,
    print_json,
    stdout_console,
)

EXAMPLES = 10

_EPILOG = epilog(
    """
    Examples:
      wordvec info vectors.safetensors
      wordvec info glove.6B.50d.txt.gz
      wordvec info vectors.bin --json
      wordvec info cc.en.300.bin            # fastText model: n-gram settings too
    """
)


def detect_format(path: str) -> str:
    """Return the format name of the vectors file at ``path`` (detected from its content).

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If the file is not in a format wordvec reads.
    """
    from wordvec.vectors.formats import detect_format as detect

    return str(detect(existing_file(path)))


def _subword_facts(wv: Any) -> dict | None:
    """minn/maxn/bucket (and a fastText model's training settings) of subword vectors."""
    if not hasattr(wv, "vectors_ngrams"):
        return None
    facts = {"minn": wv.minn, "maxn": wv.maxn, "bucket": wv.bucket}
    from wordvec.vectors.formats.fasttext_bin import LOSSES, MODELS

    info = wv.info
    if "model" in info:
        facts["model"] = MODELS.get(info["model"], str(info["model"]))
        facts["loss"] = LOSSES.get(info["loss"], str(info["loss"]))
        facts.update({k: info[k] for k in ("epoch", "ws", "neg", "minCount", "t") if k in info})
    return facts


def register(sub: Any) -> None:
    """Add the ``info`` subcommand to the subparsers ``sub``."""
    p = sub.add_parser(
        "info",
        help="show the format, size and dimensions of a vectors file",
        description="Show what a vectors file holds: its format (detected), number of "
        "words, dimensions, dtype, file size, whether it has counts, and a few words.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help="a vectors file in any supported format")
    add_common(p, json_flag=True)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Describe ``args.vectors``; return the exit code."""
    path = existing_file(args.vectors)
    fmt = detect_format(args.vectors)
    wv = load_vectors(args.vectors)
    norms = np.linalg.norm(wv.vectors, axis=1) if len(wv) else np.zeros(0)
    facts = {
        "path": str(path),
        "format": fmt,
        "file_bytes": path.stat().st_size,
        "words": len(wv),
        "dim": wv.dim,
        "dtype": str(wv.vectors.dtype),
        "has_counts": wv.counts is not None,
        "mean_norm": float(norms.mean()) if norms.size else None,
        "examples": list(wv.words[:EXAMPLES]),
        "subword": _subword_facts(wv),
    }
    if args.json:
        print_json(facts)
        return 0
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("file", esc(facts["path"]))
    table.add_row("format", fmt)
    table.add_row("size", human_bytes(facts["file_bytes"]))
    table.add_row("words", f"{facts['words']:,}")
    table.add_row("dim", str(facts["dim"]))
    table.add_row("dtype", facts["dtype"])
    table.add_row("counts", "yes" if facts["has_counts"] else "no")
    sub = facts["subword"]
    if sub is not None:
        text = f"n-grams of {sub['minn']}-{sub['maxn']} characters in {sub['bucket']:,} rows"
        if sub.get("model"):
            text += f" ({sub['model']}, loss {sub['loss']})"
        table.add_row("subwords", text + "; unseen words get vectors")
    if facts["mean_norm"] is not None:
        table.add_row("mean norm", f"{facts['mean_norm']:.3f}")
    table.add_row("first words", esc(" ".join(repr(w) for w in facts["examples"])))
    stdout_console().print(table)
    return 0
