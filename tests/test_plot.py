"""Tests of wordvec.plot: the 2-D projections and the PNG written by plot_words."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from wordvec.plot import WordPlot, check_dependencies, plot_words, project
from wordvec.vectors import Vectors


@pytest.fixture(scope="module")
def glove(shared_data: Path) -> Vectors:
    """The 3,000 most frequent GloVe 6B 50d words."""
    return Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=3000)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (checking the signature)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def test_pca_matches_covariance_eigenvectors(glove: Vectors) -> None:
    x = glove.vectors[:400].astype(np.float64)
    ours = project(x, method="pca")
    centred = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(centred, rowvar=False))
    theirs = centred @ vectors[:, np.argsort(values)[::-1][:2]]
    assert ours.shape == (400, 2)
    for k in range(2):  # equal up to the sign of each axis
        sign = np.sign(ours[:, k] @ theirs[:, k])
        np.testing.assert_allclose(ours[:, k], sign * theirs[:, k], rtol=1e-6, atol=1e-6)
    assert ours[:, 0].var() >= ours[:, 1].var()


def test_pca_is_deterministic_and_ignores_translation(glove: Vectors) -> None:
    x = glove.vectors[:200]
    a = project(x)
    np.testing.assert_array_equal(a, project(x.copy()))
    np.testing.assert_allclose(project(x + 3.0), a, atol=1e-4)
    # the axes are fixed by the covariance alone (largest loading positive), so
    # mirroring the points mirrors the picture instead of flipping axes at random
    np.testing.assert_allclose(project(-x), -a, atol=1e-4)


def test_pca_degenerate_sizes() -> None:
    np.testing.assert_array_equal(project([[1.0, 2.0, 3.0]]), np.zeros((1, 2)))
    two = project([[0.0, 0.0], [3.0, 4.0]])
    assert abs(abs(two[0, 0] - two[1, 0]) - 5.0) < 1e-9  # distance kept on axis 1
    np.testing.assert_allclose(two[:, 1], 0.0, atol=1e-12)
    one_dim = project([[1.0], [2.0], [4.0]])
    np.testing.assert_allclose(one_dim[:, 1], 0.0)
    np.testing.assert_allclose(np.abs(one_dim[:, 0] - one_dim[:, 0].mean()), [4 / 3, 1 / 3, 5 / 3])


def test_tsne_keeps_neighbourhoods(glove: Vectors) -> None:
    from sklearn.manifold import trustworthiness

    x = glove.unit[:120].astype(np.float64)
    y = project(x, method="tsne", seed=3)
    assert y.shape == (120, 2) and np.isfinite(y).all()
    np.testing.assert_allclose(project(x, method="tsne", seed=3), y)
    assert trustworthiness(x, y, n_neighbors=5) > 0.8
    # a random layout keeps far fewer neighbourhoods
    rand = np.random.default_rng(0).normal(size=(120, 2))
    assert trustworthiness(x, rand, n_neighbors=5) < 0.65


@pytest.mark.parametrize(
    ("matrix", "method", "error", "match"),
    [
        ([1.0, 2.0], "pca", ValueError, "2-D"),
        (np.zeros((0, 3)), "pca", ValueError, "n >= 1"),
        ([[1.0, np.nan]], "pca", ValueError, "NaN"),
        ([["a", "b"]], "pca", TypeError, "real numbers"),
        ([[1.0, 2.0]], "umap", ValueError, "'pca', 'tsne'"),
        ([[1.0, 2.0], [2.0, 1.0]], "tsne", ValueError, "at least 3"),
    ],
)
def test_project_rejects_bad_input(matrix, method, error, match) -> None:
    with pytest.raises(error, match=match):
        project(matrix, method=method)


def test_plot_words_writes_png_with_neighbour_groups(glove: Vectors, tmp_path: Path) -> None:
    out = tmp_path / "words.png"
    result = plot_words(glove, ["king", "ship", "king"], out, neighbors=4, width=640, height=480)
    assert isinstance(result, WordPlot)
    assert png_size(out) == (640, 480)
    assert result.words[:2] == ["king", "ship"]
    assert len(result.words) == len(set(result.words))
    assert result.coords.shape == (len(result.words), 2)
    king_group = [w for w, g in zip(result.words, result.groups) if g == "king" and w != "king"]
    assert king_group == [w for w, _ in glove.most_similar("king", topn=4)]
    ship_group = {w for w, g in zip(result.words, result.groups) if g == "ship"}
    assert {"boat", "vessel"} & ship_group
    # the neighbours of a word lie nearer to it in the picture than the other group does
    pos = dict(zip(result.words, result.coords))
    near = np.mean([np.linalg.norm(pos[w] - pos["king"]) for w in king_group])
    assert near < np.linalg.norm(pos["ship"] - pos["king"])


def test_plot_words_unknown_word_writes_nothing(glove: Vectors, tmp_path: Path) -> None:
    out = tmp_path / "none.png"
    with pytest.raises(KeyError, match=r"'King'.*Did you mean 'king'"):
        plot_words(glove, ["ship", "King"], out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"words": []}, ValueError, "at least one word"),
        ({"words": "king"}, TypeError, r"\['king'\]"),
        ({"neighbors": -1}, ValueError, "neighbors"),
        ({"width": 5}, ValueError, "width"),
        ({"method": "umap"}, ValueError, "method"),
    ],
)
def test_plot_words_validates(glove: Vectors, tmp_path: Path, kwargs, error, match) -> None:
    args = {"words": ["king"], **kwargs}
    with pytest.raises(error, match=match):
        plot_words(glove, path=tmp_path / "x.png", **args)


def test_missing_matplotlib_says_how_to_install(
    glove: Vectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install \"wordvec\[plot\]\""):
        plot_words(glove, ["king"], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_missing_sklearn_names_the_alternative(monkeypatch: pytest.MonkeyPatch) -> None:
    check_dependencies("tsne")
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.manifold", None)
    check_dependencies("pca")
    with pytest.raises(ImportError, match=r"scikit-learn.*'pca'"):
        check_dependencies("tsne")
    with pytest.raises(ImportError, match="scikit-learn"):
        project(np.eye(5), method="tsne")
