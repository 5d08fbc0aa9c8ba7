"""``wordvec convert``: rewrite word vectors from any supported format to any other."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from wordvec._io import PathLike, compression_of
from wordvec.cli._common import (
    CLIError,
    add_common,
    epilog,
    human_bytes,
    load_vectors,
    positive_int,
    stdout_console,
)
from wordvec.vectors.formats import FORMATS

#: Output format by file suffix (after removing .gz/.bz2/.xz).
SUFFIX_FORMATS = {
    ".safetensors": "native",
    ".bin": "word2vec-binary",
    ".vec": "fasttext",
    ".txt": "word2vec",
}

_EPILOG = epilog(
    """
    The format of OUT is --to if given, else inferred from OUT's suffix:
      .safetensors  native (safetensors: float32 matrix, words and counts; fastest to load)
      .bin          word2vec-binary (the C tool's binary format); fasttext-bin when IN is
                    a subword model (a fastText .bin or a native subword file)
      .vec          fasttext (text, "count dim" header line)
      .txt          word2vec (text, "count dim" header line); for GloVe's header-less
                    text use --to glove
    A final .gz, .bz2 or .xz compresses text formats (e.g. vectors.txt.gz).
    IN may be in any of these formats, compressed or not; its format is detected.
    Subword models keep their n-grams in native and fasttext-bin files; the text and
    word2vec formats get the vocabulary words only (what fastText's .vec holds).

    Examples:
      wordvec convert glove.6B.50d.txt.gz glove.safetensors
      wordvec convert glove.6B.50d.txt.gz top50k.vec --limit 50000
      wordvec convert vectors.safetensors vectors.txt --to glove
      wordvec convert vectors.safetensors vectors.bin
      wordvec convert cc.en.300.bin cc.en.300.safetensors   # subwords kept
      wordvec convert glove.6B.50d.txt.gz glove-8bit.safetensors --dtype int8

    --dtype stores a native file's matrix as float16 (half the size) or int8 (a
    quarter: 8 bits a value and one scale a row); queries on it match float32 closely.
    """
)


def format_for_path(path: PathLike, default: str | None = None) -> str:
    """Return the output format implied by the suffix of ``path``.

    Args:
        path: A file name such as ``vectors.safetensors`` or ``vectors.txt.gz``.
        default: What to return for an unknown suffix; None raises instead.

    Raises:
        CLIError: If the suffix is unknown and ``default`` is None.

    >>> format_for_path("glove.vec.gz"), format_for_path("model.bin")
    ('fasttext', 'word2vec-binary')
    """
    p = Path(path)
    if compression_of(p) is not None:
        p = p.with_suffix("")
    fmt = SUFFIX_FORMATS.get(p.suffix.lower())
    if fmt is not None:
        return fmt
    if default is not None:
        return default
    known = ", ".join(f"{s} ({f})" for s, f in SUFFIX_FORMATS.items())
    raise CLIError(
        f"cannot tell the output format from the name {str(path)!r}; pass --to FORMAT "
        f"(one of {', '.join(FORMATS)}) or use a known suffix: {known}."
    )


def register(sub: Any) -> None:
    """Add the ``convert`` subcommand to the subparsers ``sub``."""
    p = sub.add_parser(
        "convert",
        help="convert word vectors between file formats",
        description="Read word vectors from IN (any supported format, detected; compressed "
        "or not) and write them to OUT in another format.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", metavar="IN", help="the vectors file to read")
    p.add_argument("output", metavar="OUT", help="the file to write (written atomically)")
    p.add_argument(
        "--to",
        choices=FORMATS,
        default=None,
        metavar="FORMAT",
        help=f"output format: {', '.join(FORMATS)} (default: from OUT's suffix)",
    )
    p.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        metavar="N",
        help="keep only the first N words of IN (files list frequent words first)",
    )
    p.add_argument(
        "--dtype",
        choices=("float32", "float16", "int8"),
        default=None,
        help="storage of a native OUT's matrix (default: as IN stores it, float32 for text)",
    )
    add_common(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Convert ``args.input`` to ``args.output``; return the exit code."""
    from wordvec.cli.info import detect_format

    fmt = args.to or format_for_path(args.output)
    out = Path(args.output)
    if out.is_dir():
        raise CLIError(f"OUT {args.output!r} is a directory; pass a file name.")
    if args.dtype is not None and fmt != "native":
        raise CLIError(
            f"--dtype applies to native (.safetensors) output, not {fmt}; drop --dtype or "
            "write a .safetensors file."
        )
    in_fmt = detect_format(args.input)
    wv = load_vectors(args.input, limit=args.limit)
    if args.to is None and fmt == "word2vec-binary" and hasattr(wv, "vectors_ngrams"):
        fmt = "fasttext-bin"  # a subword model keeps its n-grams in a .bin
    if args.dtype is not None and hasattr(wv, "vectors_ngrams"):
        raise CLIError("--dtype is for word vectors; subword models are stored as float32.")
    wv.save(out, format=fmt, **({"dtype": args.dtype} if args.dtype else {}))
    stored = f" {args.dtype}" if args.dtype else ""
    stdout_console().print(
        f"{args.input} ({in_fmt}) -> {out} ({fmt}{stored}): {len(wv):,} words x {wv.dim}, "
        f"{human_bytes(out.stat().st_size)}",
        markup=False,
    )
    return 0
