"""wordvec.layers.initializers: names, arrays, callables and matrix validation."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec._io import open_text
from wordvec.layers.initializers import INITIALIZERS, check_matrix, get_initializer


def test_uniform_is_keras_default_range():
    table = get_initializer("uniform")((400, 50), np.random.default_rng(0))
    assert table.shape == (400, 50)
    assert table.min() >= -0.05 and table.max() <= 0.05
    # U(-a, a) has mean 0 and std a / sqrt(3)
    assert abs(table.mean()) < 0.002
    assert abs(table.std() - 0.05 / np.sqrt(3)) < 0.001


def test_normal_is_standard_normal():
    table = get_initializer("normal")((400, 50), np.random.default_rng(0))
    assert abs(table.mean()) < 0.02
    assert abs(table.std() - 1.0) < 0.02


def test_zeros_and_seed_reproducibility():
    assert not get_initializer("zeros")((3, 4), np.random.default_rng(0)).any()
    a = get_initializer("normal")((5, 3), np.random.default_rng(11))
    b = get_initializer("normal")((5, 3), np.random.default_rng(11))
    c = get_initializer("normal")((5, 3), np.random.default_rng(12))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_array_initializer_checks_shape(shared_data):
    with open_text(shared_data / "vectors" / "glove.6B.50d.txt.gz") as f:
        rows = [next(f).split(" ") for _ in range(20)]
    matrix = np.array([[float(x) for x in r[1:]] for r in rows], dtype=np.float32)
    assert rows[0][0] == "the" and matrix[0, 0] == np.float32(0.418)
    init = get_initializer(matrix)
    np.testing.assert_array_equal(init((20, 50), np.random.default_rng()), matrix)
    with pytest.raises(ValueError, match=r"shape \(21, 50\).*got \(20, 50\)"):
        init((21, 50), np.random.default_rng())


def test_callable_initializer_is_used_as_is():
    def eye(shape, rng):
        return np.eye(*shape)

    assert get_initializer(eye) is eye


def test_bad_specs():
    with pytest.raises(ValueError, match="'uniform', 'normal', 'zeros'"):
        get_initializer("glorot")
    with pytest.raises(TypeError, match="embeddings_initializer must be"):
        get_initializer(3)
    # integers are numbers: converted to float32, as by the vector store
    table = get_initializer(np.ones((2, 2), dtype=np.int64))((2, 2), None)
    assert table.dtype == np.float32 and table.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with pytest.raises(TypeError, match=r"must hold real numbers .*got dtype bool"):
        get_initializer(np.ones((2, 2), dtype=bool))
    assert set(INITIALIZERS) == {"uniform", "normal", "zeros"}


def test_check_matrix_names_bad_value_and_position():
    bad = np.zeros((3, 4))
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"got nan at position \(2, 1\)"):
        check_matrix(bad)
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"got inf at position \(2, 1\)"):
        check_matrix(bad)
    with pytest.raises(ValueError, match="2-D"):
        check_matrix(np.zeros(3))
    with pytest.raises(TypeError, match="dtype <U1"):
        check_matrix([["a"]])
    assert check_matrix(np.zeros((2, 3), np.float16)).dtype == np.float16
