"""What every command shares: consoles, error reporting, JSON output, loading vectors.

The CLI knows people, not math: commands parse arguments, call the library and
present the results. Library errors become one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from rich.console import Console

    from wordvec.vectors import Vectors

PROG = "wordvec"

EXIT_OK = 0
#: Any failure that is not the user's input (a bug, a full disk, a missing optional package).
EXIT_FAILURE = 1
#: Bad usage or bad input: missing file, unreadable format, unknown word, bad option value.
EXIT_USAGE = 2
#: Interrupted with Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130

#: Library exceptions that mean "the input was wrong" (exit code 2).
USAGE_ERRORS: tuple[type[BaseException], ...] = (
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    UnicodeDecodeError,
)

Handler = Callable[[argparse.Namespace], int]


class CLIError(Exception):
    """An error the CLI reports as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def stdout_console() -> Console:
    """Return a rich Console on stdout (no colour or live display when piped)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def stderr_console() -> Console:
    """Return a rich Console on stderr (no colour or live display when redirected)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def esc(text: object) -> str:
    r"""Escape ``text`` for rich markup, so a word such as ``[b]`` prints as itself.

    >>> print(esc("[b]"))
    \[b]
    """
    from rich.markup import escape

    return escape(str(text))


def error_message(exc: BaseException) -> str:
    """Return the one-line message of ``exc``, without KeyError's quotes.

    >>> error_message(KeyError("word 'kng' not found"))
    "word 'kng' not found"
    """
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
        text = exc.args[0]
    else:
        text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename is not None and str(exc.filename) not in text:
        text = f"{text}: {exc.filename!r}"
    return " ".join(text.split())


def print_error(message: str) -> None:
    """Print ``wordvec: error: message`` on stderr."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.stderr.flush()


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, Paths and tuples into plain JSON values (NaN -> None).

    >>> to_jsonable({"a": np.float32(0.5), "b": (1, 2)})
    {'a': 0.5, 'b': [1, 2]}
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def print_json(obj: Any) -> None:
    """Write ``obj`` as indented JSON (plus a newline) on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def existing_file(path: str, what: str = "vectors file") -> Path:
    """Return ``path`` if it is an existing file, else raise a clear ``FileNotFoundError``."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{what} not found: {path!r}; check the path and try again.")
    if p.is_dir():
        raise IsADirectoryError(f"{what} {path!r} is a directory; pass a file.")
    return p


def load_vectors(path: str, limit: int | None = None) -> Vectors:
    """Load word vectors from ``path`` in any supported format (detected automatically).

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If the file is not in a format wordvec reads.
    """
    from wordvec.vectors import Vectors

    p = existing_file(path)
    # the index saved beside the file covers all of it, not the first `limit` words
    return Vectors.load(p, limit=limit, index="auto" if limit is None else "ignore")


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def epilog(text: str) -> str:
    """Dedent an ``Examples:`` epilog for RawDescriptionHelpFormatter."""
    return textwrap.dedent(text).strip("\n")


def add_common(parser: argparse.ArgumentParser, *, json_flag: bool = False) -> None:
    """Add ``--debug`` (and ``--json`` if asked) to a subcommand parser."""
    if json_flag:
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the results as JSON on stdout instead of tables",
        )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the full traceback on errors and the library's debug log",
    )


def add_encoding(parser: argparse.ArgumentParser, what: str = "text files") -> None:
    """Add ``--encoding`` and ``--encoding-errors`` (how to decode ``what``)."""
    parser.add_argument(
        "--encoding",
        default="utf-8",
        metavar="NAME",
        help=f"text encoding of the {what}, any Python codec name (default: utf-8)",
    )
    parser.add_argument(
        "--encoding-errors",
        choices=("strict", "replace", "ignore"),
        default="strict",
        help="undecodable bytes: strict stops with the file, line and byte offset; replace "
        "or ignore go on and report the number of affected lines (default: strict)",
    )


def add_limit(parser: argparse.ArgumentParser) -> None:
    """Add ``--limit N`` (load only the first N words of the vectors file)."""
    parser.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        metavar="N",
        help="read only the first N words of VECTORS (files list frequent words first); "
        "faster on large files",
    )


def fmt_float(value: float | None, digits: int = 4) -> str:
    """Format a float for a table, ``-`` for None/NaN.

    >>> fmt_float(0.123456), fmt_float(None)
    ('0.1235', '-')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}"


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """Format a ratio in [0, 1] as a percentage, ``-`` for None/NaN.

    >>> fmt_percent(0.1456)
    '14.6%'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{100 * value:.{digits}f}%"


def plural(n: int, noun: str) -> str:
    """``"1 epoch"``, ``"5 epochs"``.

    >>> plural(1, "epoch"), plural(2, "thread")
    ('1 epoch', '2 threads')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def human_bytes(n: int) -> str:
    """Return a byte count in B/KB/MB/GB (powers of 1024).

    >>> human_bytes(2_500_000)
    '2.4 MB'
    """
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"  # pragma: no cover - unreachable
