"""Maps of the explorer: PCA against scikit-learn, custom axes on real GloVe vectors."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec import Vectors
from wordvec.serve.projection import custom_axes, pca_axes


@pytest.fixture(scope="module")
def glove(shared_data) -> Vectors:
    return Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=5000)


def test_pca_agrees_with_scikit_learn(glove):
    sklearn = pytest.importorskip("sklearn.decomposition")
    unit = glove.unit[:3000]
    axes = pca_axes(unit)
    ours = axes.project(unit)
    pca = sklearn.PCA(n_components=2, svd_solver="full").fit(unit.astype(np.float64))
    theirs = pca.transform(unit.astype(np.float64))
    for j in range(2):  # the same axes up to sign
        sign = np.sign(ours[:, j] @ theirs[:, j])
        np.testing.assert_allclose(ours[:, j], sign * theirs[:, j], atol=1e-6)
    shares = [float(label.split("(")[1].rstrip("%)")) for label in axes.labels]
    np.testing.assert_allclose(shares, 100 * pca.explained_variance_ratio_, atol=0.05)


def test_pca_places_new_words_on_the_fitted_axes(glove):
    unit = glove.unit
    axes = pca_axes(unit[:2000])
    later = glove.index("queen")  # fitted without this row: projected, not refitted
    assert later >= 0
    one = axes.project(unit[[later]])[0]
    np.testing.assert_allclose(one, (unit[later] - axes.origin) @ axes.directions.T)
    np.testing.assert_allclose(np.linalg.norm(axes.directions, axis=1), 1.0, atol=1e-12)


def test_pca_of_one_row_is_zero():
    axes = pca_axes(np.ones((1, 4)))
    assert axes.project(np.ones((1, 4))).tolist() == [[0.0, 0.0]]


def test_custom_axes_separate_gender_and_age(glove):
    u = glove.unit
    axes = custom_axes(
        u[glove.index("woman")],
        u[glove.index("man")],
        u[glove.index("young")],
        u[glove.index("old")],
        ("woman - man", "young - old"),
    )
    pos = {w: axes.project(u[[glove.index(w)]])[0] for w in ("queen", "king", "girl", "man")}
    assert pos["queen"][0] > pos["king"][0]
    assert pos["girl"][0] > pos["man"][0]
    assert pos["girl"][1] > pos["man"][1]
    with pytest.raises(ValueError, match="x axis has no direction"):
        custom_axes(u[0], u[0], u[1], u[2], ("x", "y"))
