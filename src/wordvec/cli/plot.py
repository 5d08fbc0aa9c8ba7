"""``wordvec plot``: a labelled 2-D picture of words and their neighbours, as a PNG."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from wordvec.cli._common import (
    CLIError,
    add_common,
    add_limit,
    epilog,
    load_vectors,
    non_negative_int,
    plural,
    positive_int,
    stdout_console,
)

DEFAULT_OUTPUT = "plot.png"

_EPILOG = epilog(
    """
    Needs matplotlib (pip install "wordvec[plot]"); --method tsne also needs
    scikit-learn. The vectors are scaled to unit length before the projection, so
    distances in the picture follow cosine similarity.

    Examples:
      wordvec plot vectors.safetensors king queen man woman
      wordvec plot vectors.safetensors whale ship love --neighbors 8 -o neighbors.png
      wordvec plot glove.6B.50d.txt.gz france paris italy rome --limit 50000 --size 1200x900
      wordvec plot vectors.safetensors sea war love --neighbors 15 --method tsne
    """
)


def _size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT in pixels such as 800x600, got {text!r}"
        )
    return int(m.group(1)), int(m.group(2))


def register(sub: Any) -> None:
    """Add the ``plot`` subcommand to the subparsers ``sub``."""
    p = sub.add_parser(
        "plot",
        help="draw words (and their neighbours) in 2-D as a PNG",
        description="Project the vectors of WORD... (and, with --neighbors K, each word's K "
        "nearest neighbours, coloured by group) to 2-D and write a labelled scatter plot.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help="a vectors file in any supported format")
    p.add_argument("words", nargs="+", metavar="WORD", help="the words to draw")
    p.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="PNG",
        help=f"the image to write (default: {DEFAULT_OUTPUT})",
    )
    p.add_argument(
        "--method",
        choices=("pca", "tsne"),
        default="pca",
        help="2-D projection: PCA (numpy) or t-SNE (scikit-learn) (default: pca)",
    )
    p.add_argument(
        "--neighbors",
        type=non_negative_int,
        default=0,
        metavar="K",
        help="also draw the K nearest neighbours of each word (default: 0)",
    )
    p.add_argument(
        "--width", type=positive_int, default=None, help="width in pixels (default: 800)"
    )
    p.add_argument(
        "--height", type=positive_int, default=None, help="height in pixels (default: 600)"
    )
    p.add_argument(
        "--size",
        type=_size,
        default=None,
        metavar="WxH",
        help="width and height in pixels at once, e.g. 1200x900",
    )
    p.add_argument("--seed", type=non_negative_int, default=0, help="t-SNE seed (default: 0)")
    add_limit(p)
    add_common(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Draw the plot; return the exit code."""
    from wordvec.plot import check_dependencies, plot_words

    if args.size is not None and (args.width is not None or args.height is not None):
        raise CLIError("give either --size WxH or --width/--height, not both.")
    width, height = args.size or (args.width or 800, args.height or 600)
    out = Path(args.output)
    if out.is_dir():
        raise CLIError(
            f"the output {args.output!r} is a directory; pass a file name such as plot.png."
        )
    check_dependencies(args.method)  # before loading a large file
    wv = load_vectors(args.vectors, limit=args.limit)
    result = plot_words(
        wv,
        args.words,
        out,
        neighbors=args.neighbors,
        method=args.method,
        width=width,
        height=height,
        seed=args.seed,
    )
    words = plural(len(result.words), "word")
    stdout_console().print(
        f"wrote {result.path} ({width}x{height}, {words}, {args.method})",
        markup=False,
    )
    return 0
