"""The explorer's ASGI app (Starlette): the page, its static files and the JSON API.

Routes (all ``GET``; every parameter is checked, see :mod:`wordvec.serve.params`):

- ``/``: the page; ``/static/{name}``: its CSS and JavaScript, served from memory
  (read from the package once, at start: no request reaches the file system).
- ``/api/info``: the vectors' facts and the map options.
- ``/api/complete?q=PREFIX&k=10``: completion over the whole vocabulary.
- ``/api/neighbors?word=W&k=10``: nearest words by cosine.
- ``/api/analogy?a=A&b=B&c=C&k=5``: ``a : b :: c : ?``.
- ``/api/similarity?a=A&b=B``: cosine similarity.
- ``/api/projection?method=pca&n=2000&word=W&k=10``: a 2-D map (``method=custom``
  takes ``xa, xb, ya, yb``; ``points=query`` leaves out the map's own points).

Errors are JSON ``{"error": reason, ...}`` with a 4xx status (404 for an unknown word,
with ``suggestions``); an unexpected failure is logged and answered with a JSON 500
that holds no traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wordvec.serve.explorer import Explorer
from wordvec.serve.params import MAX_K, MAX_POINTS, ApiError, Params

if TYPE_CHECKING:
    from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

_STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
}
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}
_METHODS = ("pca", "custom", "tsne")


def _static_files() -> dict[str, bytes]:
    folder = resources.files("wordvec.serve") / "static"
    return {name: (folder / name).read_bytes() for name in _STATIC_TYPES}


def _json(body: Any, status: int = 200) -> JSONResponse:
    headers = {**_SECURITY_HEADERS, "Cache-Control": "no-store"}
    return JSONResponse(body, status_code=status, headers=headers)


def _file(files: dict[str, bytes], name: str) -> Response:
    return Response(files[name], media_type=_STATIC_TYPES[name], headers=_SECURITY_HEADERS)


def _endpoints(explorer: Explorer) -> dict[str, Any]:
    """One function per API route: read and check the parameters, then answer."""

    def info(p: Params) -> dict[str, Any]:
        return explorer.info()

    def complete(p: Params) -> dict[str, Any]:
        return explorer.complete(p.text("q"), p.integer("k", default=10, minimum=1, maximum=MAX_K))

    def neighbors(p: Params) -> dict[str, Any]:
        k = p.integer("k", default=10, minimum=1, maximum=MAX_K)
        return explorer.neighbors(p.word("word"), k)

    def analogy(p: Params) -> dict[str, Any]:
        k = p.integer("k", default=5, minimum=1, maximum=MAX_K)
        return explorer.analogy(p.word("a"), p.word("b"), p.word("c"), k)

    def similarity(p: Params) -> dict[str, Any]:
        return explorer.similarity(p.word("a"), p.word("b"))

    def projection(p: Params) -> dict[str, Any]:
        method = p.choice("method", _METHODS, default="pca")
        n = p.integer("n", default=explorer.map_words, minimum=1, maximum=MAX_POINTS)
        k = p.integer("k", default=10, minimum=1, maximum=MAX_K)
        named = [p.has(name) for name in ("xa", "xb", "ya", "yb")]
        axes_words = None
        if any(named):
            if method != "custom":
                raise ApiError(400, "xa, xb, ya and yb are for method=custom; add it.")
            axes_words = tuple(p.word(name) for name in ("xa", "xb", "ya", "yb"))
        points = p.choice("points", ("all", "query"), default="all")
        word = p.word("word", required=False)
        return explorer.projection(method, n, word=word, k=k, axes_words=axes_words, points=points)

    return {
        "info": (info, ()),
        "complete": (complete, ("q", "k")),
        "neighbors": (neighbors, ("word", "k")),
        "analogy": (analogy, ("a", "b", "c", "k")),
        "similarity": (similarity, ("a", "b")),
        "projection": (
            projection,
            ("method", "n", "word", "k", "xa", "xb", "ya", "yb", "points"),
        ),
    }


def _api_route(name: str, answer: Any, allowed: Sequence[str]) -> Route:
    def endpoint(request: Request) -> Response:  # sync: Starlette runs it in a thread pool
        params = Params.of(request.query_params, allowed)
        return _json(answer(params))

    return Route(f"/api/{name}", endpoint, methods=["GET"], name=name)


def _static_routes(files: dict[str, bytes]) -> list[Route]:
    def page(request: Request) -> Response:
        return _file(files, "index.html")

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in files or name == "index.html":
            raise ApiError(
                404, f"no static file {name[:60]!r}; the page uses app.js and style.css."
            )
        return _file(files, name)

    return [
        Route("/", page, methods=["GET"]),
        Route("/static/{name}", static, methods=["GET"]),
    ]


async def _api_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # pragma: no cover - registered for ApiError only
        return await _server_error(request, exc)
    return _json(exc.body(), exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 400)
    if status == 404:
        message = f"no such page {request.url.path[:80]!r}; the API lives under /api/."
    elif status == 405:
        message = f"{request.method} is not allowed here; the API answers GET requests."
    else:
        message = str(getattr(exc, "detail", "")) or "bad request"
    return _json({"error": message}, status)


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error answering %s", request.url.path)
    return _json({"error": "internal error; the server log has the details."}, 500)


def create_app(
    vectors: Vectors,
    *,
    source: str | Path | None = None,
    map_words: int = 2000,
    allowed_hosts: Sequence[str] | None = None,
) -> Starlette:
    """Build the explorer app for ``vectors``, to run with any ASGI server.

    Args:
        vectors (Vectors): The word vectors to explore.
        source (str | Path | None, default None): The file they came from, shown on
            the page (file, format, size).
        map_words (int, default 2000): Points of the first map (most frequent words),
            1 to 50,000.
        allowed_hosts (Sequence[str] | None, default None): Host names the app answers
            (others get a 400), a guard against DNS rebinding; None answers any host.

    Returns:
        Starlette: The ASGI app; mount it in your own server or run it with uvicorn.

    Raises:
        ValueError: If ``vectors`` is empty or ``map_words`` is out of range.

    >>> import numpy as np
    >>> from starlette.testclient import TestClient
    >>> from wordvec import Vectors
    >>> app = create_app(Vectors(["cat", "dog", "car"], np.eye(3) + 0.1))
    >>> TestClient(app).get("/api/neighbors", params={"word": "cat", "k": 1}).json()
    {'word': 'cat', 'neighbors': [{'word': 'dog', 'score': 0.187}]}
    """
    explorer = Explorer(vectors, source=source, map_words=map_words)
    routes = _static_routes(_static_files())
    for name, (answer, allowed) in _endpoints(explorer).items():
        routes.append(_api_route(name, answer, allowed))
    middleware = []
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.explorer = explorer
    return app
