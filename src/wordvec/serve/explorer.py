"""The explorer's state and answers: what each API endpoint computes, without HTTP.

:class:`Explorer` owns the vectors, the completion index, the frequency order and a
small cache of maps; each method takes checked values and returns a JSON-ready dict,
or raises :class:`~wordvec.serve.params.ApiError` (404 with close matches for a word
that is not in the vectors). :mod:`wordvec.serve.app` puts it behind routes.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wordvec._validation import check_int
from wordvec.serve.complete import Completer
from wordvec.serve.params import MAX_K, MAX_POINTS, ApiError
from wordvec.serve.projection import Axes, custom_axes, pca_axes, tsne_map

if TYPE_CHECKING:
    from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

#: Most points a t-SNE map may hold (it is computed on the server, in seconds per 1000).
MAX_TSNE_POINTS = 5_000
#: Maps kept in memory (the words, their positions and the axes).
CACHED_MAPS = 8
#: Words whose neighbours are kept in memory (a search asks for them twice: the list and
#: the map; a page going back and forth asks again).
CACHED_NEIGHBORS = 1024
#: Seconds a heavy request (a large map) waits for another one to finish before a 503.
HEAVY_WAIT = 60.0
_DIGITS = 4  # decimals of map coordinates sent to the page


def _rounded(values: np.ndarray) -> list[float]:
    return np.round(values.astype(np.float64), _DIGITS).tolist()


def frequency_order(vectors: Vectors) -> np.ndarray:
    """Return the rows from most to least frequent: by counts when the vectors have
    them (ties keep row order), else row order (files list frequent words first).

    Shape:
        ``(len(vectors),)`` int64.

    >>> from wordvec import Vectors
    >>> frequency_order(Vectors(["a", "b", "c"], np.eye(3), counts=[1, 5, 5])).tolist()
    [1, 2, 0]
    """
    if vectors.counts is None:
        return np.arange(len(vectors), dtype=np.int64)
    return np.argsort(-vectors.counts, kind="stable").astype(np.int64)


def describe(vectors: Vectors, source: str | Path | None) -> dict[str, Any]:
    """The facts about the vectors that ``wordvec info`` shows: file, format, size,
    words, dim, dtype, counts.

    >>> from wordvec import Vectors
    >>> describe(Vectors(["a"], np.ones((1, 2))), None)["format"]
    'in memory'
    """
    facts: dict[str, Any] = {"file": None, "format": "in memory", "file_bytes": None}
    if source is not None:
        from wordvec.vectors import detect_format

        path = Path(source)
        facts["file"] = str(path)
        try:
            facts["format"] = str(detect_format(path))
            facts["file_bytes"] = path.stat().st_size
        except (OSError, ValueError):  # the file changed since it was loaded
            facts["format"] = "unknown"
    index = getattr(vectors, "neighbor_index", None)  # an approximate index, when loaded
    facts.update(
        neighbor_index=None if index is None else repr(index),
        words=len(vectors),
        dim=vectors.dim,
        dtype=str(vectors.vectors.dtype),
        has_counts=vectors.counts is not None,
    )
    return facts


class Explorer:
    """What the explorer knows and answers, one method per API endpoint.

    Args:
        vectors (Vectors): The word vectors to explore.
        source (str | Path | None, default None): The file they came from (shown by
            :meth:`info`).
        map_words (int, default 2000): Points of the page's first map.

    Raises:
        ValueError: If ``vectors`` is empty or ``map_words`` is out of range.

    >>> from wordvec import Vectors
    >>> ex = Explorer(Vectors(["king", "queen", "ship"],
    ...               np.array([[1.0, 0.1], [0.9, 0.2], [0.0, 1.0]])))
    >>> ex.neighbors("king", k=1)["neighbors"]
    [{'word': 'queen', 'score': 0.9929}]
    """

    def __init__(
        self, vectors: Vectors, *, source: str | Path | None = None, map_words: int = 2000
    ) -> None:
        if len(vectors) == 0:
            raise ValueError("the explorer needs at least one word; load a non-empty file.")
        self.map_words = check_int(map_words, "map_words", minimum=1, maximum=MAX_POINTS)
        self.vectors = vectors
        if vectors._exact_in_memory():  # exact queries scan these: built here, not on
            _ = vectors.unit  # the first request (a mapped or compact file never builds them)
        self.order = frequency_order(vectors)
        ranks = np.empty_like(self.order)
        ranks[self.order] = np.arange(len(self.order))
        self.completer = Completer(vectors.words, ranks)
        self.facts = describe(vectors, source)
        self._maps: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._maps_lock = threading.Lock()
        self._near: OrderedDict[str, list[tuple[str, float]]] = OrderedDict()
        self._near_lock = threading.Lock()
        # One query now, so that the first visitor does not wait for a lazily loaded
        # neighbour index (about a second for an HNSW index of 400k words).
        if len(vectors) > 1:
            self.nearest(vectors.words[int(self.order[0])], 1)
        self._heavy = threading.Semaphore(1)

    # -- words -----------------------------------------------------------------------

    def row(self, word: str, parameter: str = "word") -> int:
        """Return the row of ``word``.

        Raises:
            ApiError: 404 naming the word, with up to five close matches.
        """
        i = self.vectors.key_to_index.get(word)
        if i is not None:
            return i
        suggestions = self.completer.close_matches(word, k=5)
        hint = f" Did you mean {suggestions[0]!r}?" if suggestions else ""
        raise ApiError(
            404,
            f"the word {word!r} is not in these vectors ({len(self.vectors):,} words).{hint}",
            word=word,
            parameter=parameter,
            suggestions=suggestions,
        )

    def nearest(self, word: str, k: int) -> list[tuple[str, float]]:
        """The ``k`` (at most ``MAX_K``) nearest words to ``word``, through
        ``Vectors.most_similar`` (its approximate index when one is loaded); the top
        ``MAX_K`` of the last :data:`CACHED_NEIGHBORS` words asked for are kept."""
        with self._near_lock:
            pairs = self._near.get(word)
            if pairs is not None:
                self._near.move_to_end(word)
                return pairs[:k]
        pairs = self.vectors.most_similar(positive=[word], topn=MAX_K)
        with self._near_lock:
            self._near[word] = pairs
            while len(self._near) > CACHED_NEIGHBORS:
                self._near.popitem(last=False)
        return pairs[:k]

    def _pairs(self, pairs: list[tuple[str, float]]) -> list[dict[str, Any]]:
        return [{"word": w, "score": round(float(s), _DIGITS)} for w, s in pairs]

    # -- endpoints ---------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The vectors' facts and what the page may ask for."""
        methods = ["pca", "custom"]
        if importlib.util.find_spec("sklearn") is not None:
            methods.append("tsne")
        return {
            **self.facts,
            "methods": methods,
            "map_words": min(self.map_words, len(self.vectors)),
            "max_points": min(MAX_POINTS, len(self.vectors)),
            "max_tsne_points": MAX_TSNE_POINTS,
            "examples": [self.vectors.words[i] for i in self.order[:10].tolist()],
        }

    def complete(self, prefix: str, k: int) -> dict[str, Any]:
        """Words starting with ``prefix``, most frequent first."""
        return {"prefix": prefix, "completions": self.completer.complete(prefix, k=k)}

    def neighbors(self, word: str, k: int) -> dict[str, Any]:
        """The ``k`` nearest words to ``word`` by cosine."""
        self.row(word)
        return {"word": word, "neighbors": self._pairs(self.nearest(word, k))}

    def analogy(self, a: str, b: str, c: str, k: int) -> dict[str, Any]:
        """``a : b :: c : ?`` by 3CosAdd (``b - a + c``), the ``k`` best answers."""
        for name, w in (("a", a), ("b", b), ("c", c)):
            self.row(w, parameter=name)
        pairs = self.vectors.most_similar(positive=[b, c], negative=[a], topn=k)
        return {"a": a, "b": b, "c": c, "answers": self._pairs(pairs)}

    def similarity(self, a: str, b: str) -> dict[str, Any]:
        """The cosine similarity of two words."""
        self.row(a, parameter="a")
        self.row(b, parameter="b")
        return {"a": a, "b": b, "similarity": round(self.vectors.similarity(a, b), _DIGITS)}

    def projection(
        self,
        method: str,
        n: int,
        *,
        word: str | None = None,
        k: int = 10,
        axes_words: tuple[str, str, str, str] | None = None,
        points: str = "all",
    ) -> dict[str, Any]:
        """A 2-D map of the ``n`` most frequent words, and where ``word`` and its ``k``
        neighbours lie on it.

        Args:
            method (str): ``"pca"``, ``"custom"`` (needs ``axes_words``) or ``"tsne"``.
            n (int): Points of the map (at most the vocabulary size).
            word (str | None): A word to place with its neighbours (highlighted).
            k (int): How many neighbours of ``word``.
            axes_words (tuple | None): ``(xa, xb, ya, yb)``: x along ``xa - xb``, y
                along ``ya - yb``.
            points (str): ``"all"`` (map and query) or ``"query"`` (only the query's
                points, for a map the page already has).
        """
        n = min(n, len(self.vectors))
        if method == "tsne" and n > MAX_TSNE_POINTS:
            raise ApiError(
                400,
                f"a t-SNE map holds at most {MAX_TSNE_POINTS:,} points, asked for {n:,}; "
                "ask for fewer points or use method=pca.",
                parameter="n",
            )
        if method == "custom" and axes_words is None:
            raise ApiError(
                400,
                "method=custom needs the axis words xa, xb, ya, yb (x along xa - xb, y "
                "along ya - yb), e.g. xa=woman&xb=man&ya=young&yb=old.",
            )
        if word is not None:
            self.row(word)
        if axes_words is not None:
            for name, w in zip(("xa", "xb", "ya", "yb"), axes_words):
                self.row(w, parameter=name)
        key = (method, n, axes_words if method == "custom" else None)
        base = self._map(key)
        out: dict[str, Any] = {"method": method, "n": n, "labels": list(base["labels"])}
        if points == "all":
            out.update(words=base["words"], x=base["x"], y=base["y"])
        out["query"] = None if word is None else self._place(base, word, k)
        return out

    # -- maps --------------------------------------------------------------------------

    def _map(self, key: tuple) -> dict[str, Any]:
        with self._maps_lock:
            if key in self._maps:
                self._maps.move_to_end(key)
                return self._maps[key]
        if not self._heavy.acquire(timeout=HEAVY_WAIT):
            raise ApiError(503, "the server is busy drawing another map; try again shortly.")
        try:
            built = self._build_map(*key)
        finally:
            self._heavy.release()
        with self._maps_lock:
            self._maps[key] = built
            while len(self._maps) > CACHED_MAPS:
                self._maps.popitem(last=False)
        return built

    def _build_map(self, method: str, n: int, axes_words: tuple | None) -> dict[str, Any]:
        rows = self.order[:n]
        unit = self.vectors._unit_rows(rows)
        axes: Axes | None = None
        if method == "pca":
            axes = pca_axes(unit)
        elif method == "custom":
            xa, xb, ya, yb = (self.vectors._unit_rows(self.row(w)) for w in axes_words)
            names = (f"{axes_words[0]} - {axes_words[1]}", f"{axes_words[2]} - {axes_words[3]}")
            try:
                axes = custom_axes(xa, xb, ya, yb, names)
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
        if axes is not None:
            coords = axes.project(unit)
            labels = axes.labels
        else:
            try:
                coords = tsne_map(unit)
            except ImportError as exc:
                raise ApiError(400, str(exc), parameter="method") from None
            labels = ("t-SNE 1", "t-SNE 2")
        logger.debug("built a %s map of %d words", method, n)
        return {
            "words": [self.vectors.words[i] for i in rows.tolist()],
            "x": _rounded(coords[:, 0]),
            "y": _rounded(coords[:, 1]),
            "labels": labels,
            "axes": axes,
            "positions": {int(r): j for j, r in enumerate(rows.tolist())},
            "coords": coords,
        }

    def _place(self, base: dict[str, Any], word: str, k: int) -> dict[str, Any]:
        """The query word and its neighbours on ``base``: projected on its axes, or
        looked up in a t-SNE map (words outside it are listed as unplaced)."""
        pairs = [(word, 1.0), *self.nearest(word, k)]
        rows = [self.vectors.key_to_index[w] for w, _ in pairs]
        placed = list(range(len(rows)))
        if base["axes"] is not None:
            coords = base["axes"].project(self.vectors._unit_rows(np.asarray(rows)))
        else:
            placed = [j for j, r in enumerate(rows) if r in base["positions"]]
            coords = base["coords"][[base["positions"][rows[j]] for j in placed]]
            coords = coords.reshape(-1, 2)
        return {
            "word": word,
            "words": [pairs[j][0] for j in placed],
            "scores": [round(float(pairs[j][1]), _DIGITS) for j in placed],
            "x": _rounded(coords[:, 0]),
            "y": _rounded(coords[:, 1]),
            "unplaced": [pairs[j][0] for j in range(len(pairs)) if j not in set(placed)],
        }
