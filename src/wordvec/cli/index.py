"""``wordvec index``: build the approximate-neighbour index of a vectors file, beside it."""

from __future__ import annotations

import argparse
import time
from typing import Any

from wordvec.cli._common import (
    add_common,
    epilog,
    existing_file,
    human_bytes,
    positive_int,
    stdout_console,
)

_EPILOG = epilog(
    """
    The index is written beside VECTORS as VECTORS.ann; `wordvec neighbors`, the
    explorer and Vectors.load(VECTORS) find it and use it. It is tied to the vectors
    by a fingerprint: after rewriting VECTORS, run this command again.
    Needs the ann extra: pip install "wordvec[ann]".

    Methods:
      hnsw  graph search: fast queries, no training (options --connectivity,
            --ef-construction, --ef-search)
      ivf   k-means cells: quicker to build, smaller (options --nlist, --nprobe)

    Examples:
      wordvec index glove.safetensors
      wordvec index glove.safetensors --method ivf --nprobe 48
      wordvec neighbors glove.safetensors frog --approximate
    """
)

_OPTIONS = ("connectivity", "ef_construction", "ef_search", "nlist", "nprobe", "threads")


def register(sub: Any) -> None:
    """Add the ``index`` subcommand to the subparsers ``sub``."""
    p = sub.add_parser(
        "index",
        help="build the approximate-neighbour index of a vectors file",
        description="Build an approximate-neighbour index of VECTORS and save it beside "
        "the file (VECTORS.ann).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help="a vectors file in any supported format")
    p.add_argument(
        "--method", choices=("hnsw", "ivf"), default="hnsw", help="index method (default: hnsw)"
    )
    for name in _OPTIONS:
        p.add_argument(
            "--" + name.replace("_", "-"),
            type=positive_int,
            default=None,
            metavar="N",
            help=f"{name.replace('_', '-')} (default: the method's)",
        )
    p.add_argument(
        "--storage",
        choices=("float32", "int8"),
        default=None,
        help="how the index stores the rows (default: float32; int8 is 4x smaller)",
    )
    add_common(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build and save the index of ``args.vectors``; return the exit code."""
    from wordvec.vectors import Vectors
    from wordvec.vectors.index import index_path

    path = existing_file(args.vectors)
    wv = Vectors.load(path, index="ignore")
    params = {name: getattr(args, name) for name in _OPTIONS if getattr(args, name) is not None}
    if args.storage is not None:
        params["storage"] = args.storage
    started = time.perf_counter()
    built = wv.build_index(args.method, **params)
    seconds = time.perf_counter() - started
    out = index_path(path)
    built.save(out)
    stdout_console().print(
        f"{out}: {args.method} index of {len(wv):,} words x {wv.dim} built in {seconds:.1f} s, "
        f"{human_bytes(out.stat().st_size)}",
        markup=False,
    )
    return 0
