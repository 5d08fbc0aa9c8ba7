"""Request parameters of the explorer's JSON API, checked before any work is done.

Every endpoint names the parameters it accepts; :class:`Params` reads them from a
query string and raises :class:`ApiError` (a 4xx with a reason, and for an unknown
word close matches) for anything unexpected: an unknown or repeated parameter, a
missing one, a word that is empty or too long, a number out of range, an option that
does not exist. Handlers therefore only ever see valid values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: Longest word (in characters) a request may carry; longer ones are rejected (400).
MAX_WORD_CHARS = 100
#: Most neighbours, analogy answers or completions one request may ask for.
MAX_K = 100
#: Most points a map may hold.
MAX_POINTS = 50_000


class ApiError(Exception):
    """A request the API refuses: HTTP ``status``, a message, and extra JSON fields.

    >>> e = ApiError(400, "k must be a whole number", parameter="k")
    >>> e.status, e.body()
    (400, {'error': 'k must be a whole number', 'parameter': 'k'})
    """

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body: ``{"error": message, **extra}``."""
        return {"error": self.message, **self.extra}


class Params:
    """The query parameters of one request, checked against what the endpoint accepts.

    Args:
        items (Iterable[tuple[str, str]]): The ``(name, value)`` pairs of the query
            string, in order (a repeated name appears twice).
        allowed (Sequence[str]): The parameter names this endpoint accepts.

    Raises:
        ApiError: 400 if a parameter is unknown or given twice.

    >>> p = Params([("word", "king"), ("k", "5")], ("word", "k"))
    >>> p.word("word"), p.integer("k", default=10, minimum=1, maximum=100)
    ('king', 5)
    >>> Params([("topn", "5")], ("word", "k"))
    Traceback (most recent call last):
    ...
    wordvec.serve.params.ApiError: unknown parameter 'topn'; this endpoint accepts: word, k.
    """

    def __init__(self, items: Iterable[tuple[str, str]], allowed: Sequence[str]) -> None:
        self._values: dict[str, str] = {}
        for name, value in items:
            if name not in allowed:
                raise ApiError(
                    400,
                    f"unknown parameter {name[:40]!r}; this endpoint accepts: "
                    f"{', '.join(allowed)}.",
                    parameter=name[:40],
                )
            if name in self._values:
                raise ApiError(400, f"parameter {name!r} is given twice; give it once.")
            self._values[name] = value

    @classmethod
    def of(cls, mapping: Mapping[str, str] | Any, allowed: Sequence[str]) -> Params:
        """Build from a multi-dict such as Starlette's ``request.query_params``."""
        return cls(mapping.multi_items(), allowed)

    def has(self, name: str) -> bool:
        """Whether the request gave ``name``."""
        return name in self._values

    def word(self, name: str, *, required: bool = True, default: str | None = None) -> str | None:
        """Return the word in parameter ``name``.

        Raises:
            ApiError: 400 if it is missing (when required), empty, all blank, or longer
                than :data:`MAX_WORD_CHARS` characters.

        >>> Params([("a", "x" * 101)], ("a",)).word("a")
        Traceback (most recent call last):
        ...
        wordvec.serve.params.ApiError: parameter 'a' is 101 characters long; words are at most 100.
        """
        value = self._values.get(name)
        if value is None:
            if required:
                raise ApiError(400, f"missing parameter {name!r}: give a word, e.g. ?{name}=king.")
            return default
        if not value.strip():
            raise ApiError(400, f"parameter {name!r} is empty; give a word.", parameter=name)
        if len(value) > MAX_WORD_CHARS:
            raise ApiError(
                400,
                f"parameter {name!r} is {len(value)} characters long; words are at most "
                f"{MAX_WORD_CHARS}.",
                parameter=name,
            )
        return value

    def text(self, name: str, *, default: str = "") -> str:
        """Return the text in ``name`` (may be empty, e.g. a completion prefix), at most
        :data:`MAX_WORD_CHARS` characters.

        Raises:
            ApiError: 400 if it is too long.
        """
        value = self._values.get(name, default)
        if len(value) > MAX_WORD_CHARS:
            raise ApiError(
                400,
                f"parameter {name!r} is {len(value)} characters long; at most {MAX_WORD_CHARS}.",
                parameter=name,
            )
        return value

    def integer(self, name: str, *, default: int, minimum: int, maximum: int) -> int:
        """Return the whole number in ``name`` (``default`` when absent).

        Raises:
            ApiError: 400 if it is not a whole number or lies outside
                ``[minimum, maximum]``.

        >>> Params([("k", "0")], ("k",)).integer("k", default=10, minimum=1, maximum=100)
        Traceback (most recent call last):
        ...
        wordvec.serve.params.ApiError: parameter 'k' must be between 1 and 100, got 0.
        """
        raw = self._values.get(name)
        if raw is None:
            return default
        text = raw.strip()
        if not (text.isascii() and text.lstrip("+-").isdigit()) or len(text) > 12:
            raise ApiError(
                400,
                f"parameter {name!r} must be a whole number, got {raw[:20]!r}; e.g. "
                f"?{name}={default}.",
                parameter=name,
            )
        value = int(text)
        if not minimum <= value <= maximum:
            raise ApiError(
                400,
                f"parameter {name!r} must be between {minimum} and {maximum}, got {value}.",
                parameter=name,
            )
        return value

    def choice(self, name: str, choices: Sequence[str], *, default: str) -> str:
        """Return the option in ``name`` (``default`` when absent).

        Raises:
            ApiError: 400 if it is not one of ``choices``.
        """
        value = self._values.get(name, default)
        if value not in choices:
            raise ApiError(
                400,
                f"parameter {name!r} must be one of {', '.join(choices)}; got {value[:40]!r}.",
                parameter=name,
            )
        return value
