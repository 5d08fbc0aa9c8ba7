"""The ``wordvec`` command: train, query, evaluate, convert, inspect and plot word vectors.

``main(argv)`` parses the arguments, runs one subcommand and returns the exit code
(0 success, 1 failure, 2 bad usage or bad input, 130 interrupted); the installed
``wordvec`` script and ``python -m wordvec`` exit with it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

from wordvec.cli import convert, evaluate, index, info, plot, query, serve, train
from wordvec.cli._common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    PROG,
    USAGE_ERRORS,
    CLIError,
    epilog,
    error_message,
    print_error,
)

__all__ = ["build_parser", "main"]

_EPILOG = epilog(
    """
    Examples:
      wordvec train                              # train on the bundled corpus (about a minute)
      wordvec neighbors vectors.safetensors king ship
      wordvec analogy vectors.safetensors man king woman
      wordvec evaluate vectors.safetensors
      wordvec convert glove.6B.50d.txt.gz glove.safetensors
      wordvec plot vectors.safetensors king queen ship --neighbors 8

    Run `wordvec COMMAND --help` for the options and examples of each command.
    Exit codes: 0 success, 1 failure, 2 bad usage or input, 130 interrupted.
    """
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``wordvec`` command with all subcommands.

    >>> build_parser().parse_args(["info", "v.safetensors"]).command
    'info'
    """
    from wordvec import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train, query, evaluate, convert and plot word vectors.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback on errors and the library's debug log",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    sub.required = True
    train.register(sub)
    query.register(sub)
    evaluate.register(sub)
    convert.register(sub)
    index.register(sub)
    info.register(sub)
    plot.register(sub)
    serve.register(sub)
    return parser


def _setup_logging(debug: bool) -> None:
    if not debug:
        return
    from rich.logging import RichHandler

    from wordvec.cli._common import stderr_console

    handler = RichHandler(console=stderr_console(), show_path=False)
    logging.basicConfig(level=logging.DEBUG, handlers=[handler], format="%(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wordvec`` command line and return its exit code.

    Args:
        argv (sequence of str | None, default None): The arguments after the program
            name; None reads ``sys.argv[1:]``.

    Returns:
        int: 0 on success, 1 on a failure, 2 on bad usage or bad input (missing file,
        unreadable format, unknown word, invalid option), 130 when interrupted.

    >>> main(["--version"])  # doctest: +SKIP
    wordvec 0.1.0
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    debug = bool(getattr(args, "debug", False))
    _setup_logging(debug)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        print_error("interrupted; no output was written.")
        return EXIT_INTERRUPTED
    except CLIError as exc:
        if debug:
            traceback.print_exc()
        print_error(str(exc))
        return exc.code
    except BrokenPipeError:  # e.g. `wordvec neighbors ... | head -1`
        _silence_stdout()
        return 0
    except ImportError as exc:  # a missing optional package: the message says what to install
        if debug:
            traceback.print_exc()
        print_error(error_message(exc))
        return EXIT_FAILURE
    except USAGE_ERRORS as exc:
        if debug:
            traceback.print_exc()
        print_error(error_message(exc))
        return EXIT_USAGE
    except Exception as exc:
        if debug:
            traceback.print_exc()
        print_error(f"{error_message(exc)} ({type(exc).__name__}; rerun with --debug for details)")
        return EXIT_FAILURE


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass
