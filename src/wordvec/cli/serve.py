"""``wordvec serve``: explore a vectors file in the browser (the ``serve`` extra)."""

from __future__ import annotations

import argparse
import ipaddress
import threading
import time
import webbrowser
from typing import Any

from wordvec.cli._common import (
    EXIT_FAILURE,
    CLIError,
    add_common,
    add_limit,
    epilog,
    existing_file,
    load_vectors,
    positive_int,
    stderr_console,
)

_EPILOG = epilog(
    """
    Examples:
      wordvec serve vectors.safetensors               # http://127.0.0.1:8000
      wordvec serve glove.6B.50d.txt.gz --open        # and open it in the browser
      wordvec serve vectors.vec --port 8080 --map-words 10000

    The page searches words (with completion), lists neighbours, draws a map (PCA,
    custom axes, t-SNE), solves analogies and compares two words; its JSON API lives
    under /api/ (see the README). Stop the server with Ctrl-C.
    """
)

_MISSING = (
    "`wordvec serve` needs starlette and uvicorn, which are not installed; install them "
    'with `pip install "wordvec[serve]"`.'
)


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1 to 65535."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port between 1 and 65535, got {value}")
    return value


def register(sub: Any) -> None:
    """Add the ``serve`` subcommand to the subparsers ``sub``."""
    p = sub.add_parser(
        "serve",
        help="explore word vectors in the browser (search, neighbours, map, analogies)",
        description="Start a local web app to explore a vectors file in any supported "
        "format: search with completion, neighbours, a 2-D map, analogies, similarity.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("vectors", metavar="VECTORS", help="a vectors file in any supported format")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only); another "
        "address lets anyone who can reach the port query the vectors",
    )
    p.add_argument(
        "--port", type=port_number, default=8000, help="port to listen on (default 8000)"
    )
    p.add_argument("--open", action="store_true", help="open the page in the web browser")
    p.add_argument(
        "--map-words",
        type=positive_int,
        default=2000,
        metavar="N",
        help="points of the first map: the N most frequent words (default 2000, at most 50000)",
    )
    add_limit(p)
    add_common(p)
    p.set_defaults(handler=run)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _one_blas_thread() -> None:
    """Requests run in parallel threads; one BLAS thread each avoids oversubscribing the
    cores (on a busy 2-core machine a 10k-word PCA took 2 s with 2 BLAS threads, 0.1 s
    with one)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with the serve extra
        return
    threadpool_limits(limits=1, user_api="blas")


def run(args: argparse.Namespace) -> int:
    """Serve ``args.vectors`` until interrupted; return the exit code."""
    try:
        import uvicorn

        from wordvec.serve import create_app
    except ImportError as exc:
        raise ImportError(_MISSING) from exc
    from wordvec.serve.params import MAX_POINTS

    if args.map_words > MAX_POINTS:
        raise CLIError(f"--map-words must be at most {MAX_POINTS:,}, got {args.map_words:,}.")
    _one_blas_thread()
    console = stderr_console()
    path = existing_file(args.vectors)
    started = time.perf_counter()
    console.print(f"Loading {path} ...")
    vectors = load_vectors(args.vectors, limit=args.limit)
    loopback = _is_loopback(args.host)
    app = create_app(
        vectors,
        source=path,
        map_words=min(args.map_words, len(vectors)),
        allowed_hosts=["127.0.0.1", "localhost", "[::1]", "::1"] if loopback else None,
    )
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{args.port}/"
    console.print(
        f"Serving {len(vectors):,} words x {vectors.dim} dims "
        f"(ready in {time.perf_counter() - started:.1f} s) at {url} ; Ctrl-C stops it."
    )
    if not loopback:
        console.print(
            f"[bold yellow]warning:[/] listening on {args.host}: anyone who can reach port "
            f"{args.port} can query these vectors; use --host 127.0.0.1 to keep it local."
        )
    if args.open:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    log_level = "debug" if getattr(args, "debug", False) else "warning"
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=log_level, access_log=False)
    except SystemExit as exc:  # uvicorn exits when it cannot listen (e.g. the port is taken)
        if exc.code in (0, None):
            return 0
        raise CLIError(
            f"could not listen on {args.host}:{args.port} (see the message above); is the "
            "port taken? Pick another with --port.",
            code=EXIT_FAILURE,
        ) from None
    return 0
