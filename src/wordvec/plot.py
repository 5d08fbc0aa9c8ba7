"""2-D pictures of word vectors: a projection (PCA or t-SNE) and a labelled PNG scatter.

:func:`project` is a pure function from an ``(n, dim)`` matrix to ``(n, 2)`` points;
:func:`plot_words` picks the words (and optionally each word's nearest neighbours),
projects their unit-length vectors and writes a PNG. matplotlib (the ``plot`` extra)
and scikit-learn (only for ``method="tsne"``) are imported when first needed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wordvec._io import PathLike, atomic_write
from wordvec._validation import check_bool, check_choice, check_int

if TYPE_CHECKING:
    from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

METHODS = ("pca", "tsne")
_METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE"}

_NO_SKLEARN = (
    "method 'tsne' needs scikit-learn, which is not installed; install it with "
    "`pip install scikit-learn` or use method 'pca' (`--method pca` on the command line)."
)

#: The largest image side accepted by :func:`plot_words`, in pixels.
MAX_PIXELS = 10_000


@dataclass(frozen=True)
class WordPlot:
    """What :func:`plot_words` drew.

    Attributes:
        path: The PNG file written.
        words: The words plotted, query words first within each group.
        groups: For each plotted word, the query word whose group it belongs to.
        coords: The 2-D positions, float64 of shape ``(len(words), 2)``.
    """

    path: Path
    words: list[str]
    groups: list[str]
    coords: np.ndarray


def project(matrix: Any, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Project the rows of ``matrix`` to 2-D points.

    ``"pca"`` centres the rows and keeps their coordinates along the first two right
    singular vectors (numpy SVD; each axis's sign is fixed so that its largest loading
    is positive, making the result deterministic). ``"tsne"`` runs scikit-learn's
    t-SNE (PCA initialisation, perplexity ``min(30, (n - 1) / 3)``) seeded by ``seed``.

    Args:
        matrix (array-like): Real matrix of shape ``(n, dim)``, ``n >= 1``.
        method (str, default "pca"): ``"pca"`` or ``"tsne"``.
        seed (int, default 0): Random seed of t-SNE (PCA uses no randomness).

    Shape:
        matrix: ``(n, dim)``. Returns ``(n, 2)`` float64; with fewer than two
        directions of variance (``n < 3`` or ``dim < 2``) the missing axes are zero.

    Raises:
        TypeError: If ``matrix`` is not numeric.
        ValueError: If ``matrix`` is not 2-D, is empty or has non-finite values, or
            ``method`` is unknown, or t-SNE is asked for fewer than 3 rows.
        ImportError: If ``method="tsne"`` and scikit-learn is not installed.

    >>> project([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]).shape
    (3, 2)
    """
    method = check_choice(method, "method", METHODS)
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    arr = np.asarray(matrix)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise TypeError(
            f"matrix must hold real numbers, got dtype {arr.dtype}; pass a float array "
            "such as vectors.vectors."
        )
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"matrix must be 2-D of shape (n, dim) with n >= 1 and dim >= 1, got shape "
            f"{arr.shape}; pass one row per word."
        )
    x = arr.astype(np.float64)
    if not np.isfinite(x).all():
        raise ValueError("matrix has NaN or infinite values; drop or fix those rows first.")
    if method == "pca":
        return _pca(x)
    return _tsne(x, seed)


def _pca(x: np.ndarray) -> np.ndarray:
    n = x.shape[0]
    centred = x - x.mean(axis=0)
    out = np.zeros((n, 2), dtype=np.float64)
    if n < 2:
        return out
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(2, vt.shape[0])
    axes = vt[:k]
    signs = np.sign(axes[np.arange(k), np.argmax(np.abs(axes), axis=1)])
    signs[signs == 0] = 1.0
    out[:, :k] = centred @ (axes * signs[:, None]).T
    return out


def _tsne(x: np.ndarray, seed: int) -> np.ndarray:
    n = x.shape[0]
    if n < 3:
        raise ValueError(
            f"t-SNE needs at least 3 points, got {n}; plot more words or use method='pca'."
        )
    try:
        from sklearn.manifold import TSNE
    except ImportError as exc:
        raise ImportError(_NO_SKLEARN) from exc
    perplexity = min(30.0, (n - 1) / 3.0)
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    # One OpenMP thread: plots hold few points, and on a busy machine the spinning
    # OpenMP threads of Barnes-Hut t-SNE run 20-50x slower than a single thread.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on threadpoolctl
        return np.asarray(tsne.fit_transform(x), dtype=np.float64)
    with threadpool_limits(limits=1, user_api="openmp"):
        return np.asarray(tsne.fit_transform(x), dtype=np.float64)


def check_dependencies(method: str = "pca") -> None:
    """Raise ``ImportError`` early if a library needed to plot with ``method`` is missing.

    Args:
        method (str, default "pca"): ``"pca"`` needs matplotlib; ``"tsne"`` also
            needs scikit-learn.

    Raises:
        ImportError: Naming the missing package and the command that installs it.
        ValueError: If ``method`` is unknown.

    >>> check_dependencies("pca")
    """
    method = check_choice(method, "method", METHODS)
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "plots need matplotlib, which is not installed; install it with "
            '`pip install "wordvec[plot]"`.'
        ) from exc
    if method == "tsne":
        try:
            import sklearn  # noqa: F401
        except ImportError as exc:
            raise ImportError(_NO_SKLEARN) from exc


def _row(vectors: Vectors, word: str) -> np.ndarray:
    return np.asarray(vectors[word], dtype=np.float64)


def _select(vectors: Vectors, words: Sequence[str], neighbors: int) -> tuple[list[str], list[str]]:
    """Return the words to draw and, for each, its group (the query word it came from)."""
    chosen: list[str] = []
    groups: list[str] = []
    seen: set[str] = set()
    for w in words:
        _row(vectors, w)  # raises KeyError (with a suggestion) for an unknown word
    for w in words:
        if w in seen:
            continue
        seen.add(w)
        chosen.append(w)
        groups.append(w)
    for w in list(dict.fromkeys(words)):
        if neighbors == 0:
            break
        for other, _ in vectors.most_similar(positive=[w], topn=neighbors):
            if other in seen:
                continue
            seen.add(other)
            chosen.append(other)
            groups.append(w)
    return chosen, groups


def plot_words(
    vectors: Vectors,
    words: Sequence[str],
    path: PathLike,
    neighbors: int = 0,
    method: str = "pca",
    width: int = 800,
    height: int = 600,
    dpi: int = 100,
    seed: int = 0,
    normalize: bool = True,
    title: str | None = None,
) -> WordPlot:
    """Draw ``words`` (and each one's ``neighbors`` nearest words) as a labelled 2-D PNG.

    Each query word and its neighbours share a colour; a word that is already drawn is
    not drawn twice. The vectors are scaled to unit length first (``normalize``), so the
    picture reflects cosine similarity. The PNG is written atomically.

    Args:
        vectors (Vectors): The word vectors.
        words (sequence of str): The query words, at least one.
        path (str | PathLike): Destination PNG file.
        neighbors (int, default 0): Nearest neighbours to add around each query word.
        method (str, default "pca"): ``"pca"`` or ``"tsne"`` (see :func:`project`).
        width (int, default 800): Image width in pixels.
        height (int, default 600): Image height in pixels.
        dpi (int, default 100): Resolution (sets the text size relative to the image).
        seed (int, default 0): Seed of t-SNE.
        normalize (bool, default True): Project unit-length vectors.
        title (str | None, default None): Figure title; None names the method and the
            number of words.

    Returns:
        WordPlot: The path, the words drawn, their groups and 2-D coordinates.

    Raises:
        KeyError: If a word is not in ``vectors`` (the message suggests a close spelling).
        ValueError: If ``words`` is empty or a size or option is out of range.
        ImportError: If matplotlib (or, for t-SNE, scikit-learn) is missing.
        FileNotFoundError: If the directory of ``path`` does not exist.

    >>> import tempfile, pathlib
    >>> from wordvec.vectors import Vectors
    >>> wv = Vectors(["a", "b", "c"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "words.png"
    >>> plot_words(wv, ["a", "b"], out, neighbors=1).words
    ['a', 'b', 'c']
    """
    if isinstance(words, str):
        raise TypeError(
            f"words must be a sequence of strings, got the string {words!r}; pass [{words!r}]."
        )
    words = list(words)
    if not words:
        raise ValueError("words is empty; pass at least one word to plot.")
    for w in words:
        if not isinstance(w, str):
            raise TypeError(f"each word must be a string, got {w!r} of type {type(w).__name__}.")
    neighbors = check_int(neighbors, "neighbors", minimum=0)
    method = check_choice(method, "method", METHODS)
    width = check_int(width, "width", minimum=16, maximum=MAX_PIXELS)
    height = check_int(height, "height", minimum=16, maximum=MAX_PIXELS)
    dpi = check_int(dpi, "dpi", minimum=10, maximum=1000)
    normalize = check_bool(normalize, "normalize")
    check_dependencies(method)
    target = Path(path)

    chosen, groups = _select(vectors, words, neighbors)
    matrix = np.stack([_row(vectors, w) for w in chosen])
    if normalize:
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix = matrix / np.where(norms > 0, norms, 1.0)
    coords = project(matrix, method=method, seed=seed)
    _draw(
        chosen,
        groups,
        coords,
        target,
        width,
        height,
        dpi,
        title or f"{_METHOD_NAMES[method]} projection of {len(chosen)} words",
    )
    logger.info("wrote %s (%d words)", target, len(chosen))
    return WordPlot(path=target, words=chosen, groups=groups, coords=coords)


def _draw(
    words: list[str],
    groups: list[str],
    coords: np.ndarray,
    path: Path,
    width: int,
    height: int,
    dpi: int,
    title: str,
) -> None:
    from matplotlib.figure import Figure

    order = list(dict.fromkeys(groups))
    palette = _palette(len(order))
    colour = {g: palette[i] for i, g in enumerate(order)}
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_subplot()
    for g in order:
        idx = [i for i, gi in enumerate(groups) if gi == g]
        is_query = [words[i] == g for i in idx]
        ax.scatter(
            coords[idx, 0],
            coords[idx, 1],
            s=[60 if q else 22 for q in is_query],
            color=colour[g],
            alpha=0.85,
            label=g,
            edgecolors="none",
        )
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.margins(0.12)
    if len(order) > 1 and len(order) < len(words):
        ax.legend(loc="best", fontsize=8, frameon=False, markerscale=0.8)
    fig.tight_layout()
    # place labels where they overlap least, in display points (query words first)
    to_points = 72.0 / dpi
    anchors = ax.transData.transform(coords) * to_points
    box = ax.get_window_extent()
    bounds = np.array([box.x0, box.y0, box.x1, box.y1]) * to_points
    sizes = [10.0 if w == g else 8.0 for w, g in zip(words, groups)]
    offsets = _label_offsets(anchors, [len(w) for w in words], sizes, bounds)
    for i, w in enumerate(words):
        query = w == groups[i]
        ax.annotate(
            w,
            (coords[i, 0], coords[i, 1]),
            xytext=tuple(offsets[i]),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=sizes[i],
            fontweight="bold" if query else "normal",
            color=colour[groups[i]] if query else "0.2",
        )
    with atomic_write(path) as f:
        fig.savefig(f, format="png", dpi=dpi)


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection areas of the box ``a`` (x0, y0, x1, y1) with each row of ``b``."""
    w = np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0])
    h = np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def _label_offsets(
    anchors: np.ndarray, lengths: list[int], sizes: list[float], bounds: np.ndarray
) -> np.ndarray:
    """Greedily pick, for each label in turn, the offset (points) of least overlap.

    ``anchors`` are the labelled points in display points, ``lengths`` the label
    lengths in characters, ``sizes`` their font sizes, ``bounds`` the axes box. The cost
    of a candidate is its overlap with the labels already placed and with the markers,
    plus the part of it outside the axes.
    """
    n = anchors.shape[0]
    offsets = np.zeros((n, 2))
    placed = np.zeros((0, 4))
    marker = 3.0
    markers = np.concatenate([anchors - marker, anchors + marker], axis=1)
    for i in range(n):
        w = 0.6 * sizes[i] * lengths[i]
        h = sizes[i]
        candidates = [
            (4, 2),
            (4, -h - 2),
            (-w - 4, 2),
            (-w - 4, -h - 2),
            (-w / 2, 5),
            (-w / 2, -h - 5),
        ]
        best, best_cost = candidates[0], np.inf
        for dx, dy in candidates:
            x0, y0 = anchors[i, 0] + dx, anchors[i, 1] + dy
            rect = np.array([x0, y0, x0 + w, y0 + h])
            outside = w * h - _overlap(rect, bounds[None, :])[0]
            others = np.delete(markers, i, axis=0)
            cost = _overlap(rect, placed).sum() + _overlap(rect, others).sum() + 2 * outside
            if cost < best_cost - 1e-9:
                best, best_cost = (dx, dy), cost
        offsets[i] = best
        x0, y0 = anchors[i, 0] + best[0], anchors[i, 1] + best[1]
        placed = np.vstack([placed, [x0, y0, x0 + w, y0 + h]])
    return offsets


def _palette(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]
