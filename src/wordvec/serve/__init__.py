"""The browser explorer: ``wordvec serve`` and :func:`create_app` for your own server.

The app (Starlette, run by uvicorn) needs the ``serve`` extra:
``pip install "wordvec[serve]"``. Nothing in the core imports this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wordvec.serve.app import create_app

__all__ = ["create_app"]

_MISSING = (
    "the explorer needs starlette and uvicorn, which are not installed; install them "
    'with `pip install "wordvec[serve]"`.'
)


def __getattr__(name: str) -> Any:
    if name == "create_app":
        try:
            from wordvec.serve.app import create_app
        except ImportError as exc:
            if exc.name is not None and exc.name.split(".")[0] in ("starlette", "uvicorn"):
                raise ImportError(_MISSING) from exc
            raise
        return create_app
    raise AttributeError(f"module 'wordvec.serve' has no attribute {name!r}")
