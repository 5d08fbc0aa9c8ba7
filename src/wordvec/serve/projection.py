"""2-D maps of word vectors for the explorer: PCA axes, custom axes, t-SNE.

A map is a pair of axes fitted once on the most frequent words; any other word (the
query and its neighbours) is then placed on the same axes by a matrix product, so a
search never refits the map. t-SNE has no such axes: its map holds only the words it
was fitted on. All maps work on unit-length vectors, as cosine similarity does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Axes:
    """Two directions in vector space and the point they start from.

    Attributes:
        origin: ``(dim,)`` float64, subtracted before projecting (the mean for PCA,
            zero for custom axes).
        directions: ``(2, dim)`` float64 unit rows, x then y.
        labels: What each axis shows, for the page (e.g. ``"PC1 (6.1%)"``).
    """

    origin: np.ndarray
    directions: np.ndarray
    labels: tuple[str, str]

    def project(self, unit: np.ndarray) -> np.ndarray:
        """Place rows on these axes.

        Shape:
            ``(n, dim) -> (n, 2)`` float64.

        >>> axes = custom_axes(np.eye(3)[0], np.zeros(3), np.eye(3)[1], np.zeros(3), ("x", "y"))
        >>> axes.project(np.array([[0.6, 0.8, 0.0]])).round(3).tolist()
        [[0.6, 0.8]]
        """
        centred = np.asarray(unit, dtype=np.float64) - self.origin
        return centred @ self.directions.T


def pca_axes(unit: np.ndarray) -> Axes:
    """Fit the first two principal axes of the rows of ``unit``.

    The rows are centred on their mean; the axes are the top two right singular
    vectors (eigenvectors of the scatter matrix), each signed so that its largest
    loading is positive (deterministic).
    Labels give each axis's share of the variance.

    Args:
        unit (np.ndarray): ``(n, dim)`` rows, usually unit-length word vectors, ``n >= 1``.

    Returns:
        Axes: The mean as origin and the two axes (a missing axis, when ``n < 3`` or
        ``dim < 2``, is zero).

    Shape:
        ``(n, dim)`` in; ``Axes.directions`` is ``(2, dim)``.

    >>> x = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    >>> a = pca_axes(x)
    >>> a.directions.tolist(), a.labels
    ([[1.0, 0.0], [0.0, 1.0]], ('PC1 (80.0%)', 'PC2 (20.0%)'))
    """
    x = np.asarray(unit, dtype=np.float64)
    origin = x.mean(axis=0)
    centred = x - origin
    directions = np.zeros((2, x.shape[1]), dtype=np.float64)
    shares = [0.0, 0.0]
    if x.shape[0] >= 2:
        # The eigenvectors of the (dim, dim) scatter matrix are the right singular
        # vectors of the centred rows: one product and a small eigh, not a tall SVD.
        eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
        order = np.argsort(eigenvalues)[::-1][: min(2, x.shape[1], x.shape[0] - 1)]
        top = eigenvectors[:, order].T
        k = top.shape[0]
        signs = np.sign(top[np.arange(k), np.argmax(np.abs(top), axis=1)])
        signs[signs == 0] = 1.0
        directions[:k] = top * signs[:, None]
        variance = np.clip(eigenvalues, 0.0, None)
        total = float(variance.sum())
        if total > 0:
            shares[:k] = (variance[order] / total).tolist()
    labels = (f"PC1 ({100 * shares[0]:.1f}%)", f"PC2 ({100 * shares[1]:.1f}%)")
    return Axes(origin, directions, labels)


def custom_axes(
    x_plus: np.ndarray,
    x_minus: np.ndarray,
    y_plus: np.ndarray,
    y_minus: np.ndarray,
    labels: tuple[str, str],
) -> Axes:
    """Axes from two differences, as the Embedding Projector's custom projection:
    x along ``x_plus - x_minus`` and y along ``y_plus - y_minus`` (each made unit-length;
    a point's coordinate is its dot product with the direction: for a unit row, its
    cosine with that direction).

    Args:
        x_plus (np.ndarray): ``(dim,)`` vector at the positive end of x.
        x_minus (np.ndarray): ``(dim,)`` vector at the negative end of x.
        y_plus (np.ndarray): ``(dim,)`` vector at the positive end of y.
        y_minus (np.ndarray): ``(dim,)`` vector at the negative end of y.
        labels (tuple[str, str]): Names of the x and y axes.

    Raises:
        ValueError: If a difference is zero (the two ends are the same vector).

    >>> custom_axes(np.ones(2), np.zeros(2), np.ones(2), np.ones(2), ("x", "y"))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the y axis has no direction: its two ends are the same vector; ...
    """
    rows = []
    for name, plus, minus in (("x", x_plus, x_minus), ("y", y_plus, y_minus)):
        diff = np.asarray(plus, dtype=np.float64) - np.asarray(minus, dtype=np.float64)
        norm = float(np.linalg.norm(diff))
        if norm == 0.0:
            raise ValueError(
                f"the {name} axis has no direction: its two ends are the same vector; "
                "pick two different words."
            )
        rows.append(diff / norm)
    directions = np.stack(rows)
    return Axes(np.zeros(directions.shape[1]), directions, labels)


def tsne_map(unit: np.ndarray, seed: int = 0) -> np.ndarray:
    """Lay out the rows of ``unit`` in 2-D with t-SNE (scikit-learn, the optional extra).

    Args:
        unit (np.ndarray): ``(n, dim)`` rows, ``n >= 3``.
        seed (int, default 0): Random seed.

    Returns:
        np.ndarray: ``(n, 2)`` float64 positions.

    Raises:
        ImportError: If scikit-learn is not installed.
        ValueError: If there are fewer than 3 rows.
    """
    from wordvec.plot import project

    return project(unit, method="tsne", seed=seed)
