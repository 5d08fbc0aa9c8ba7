"""The Vectors store: construction checks, lookups, cached unit rows, selections."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import numpy as np
import pytest

from wordvec.vectors import Vectors

GLOVE = Path("vectors", "glove.6B.50d.txt.gz")


@pytest.fixture(scope="module")
def glove(shared_data: Path) -> Vectors:
    return Vectors.load(shared_data / GLOVE, limit=3000)


def test_loaded_store_is_index_aligned(shared_data: Path, glove: Vectors) -> None:
    with gzip.open(shared_data / GLOVE, "rt", encoding="utf-8") as f:
        lines = list(itertools.islice(f, 3000))
    assert len(glove) == 3000 and glove.dim == 50
    for i in (0, 1, 999, 2999):
        word, *numbers = lines[i].split()
        assert glove.words[i] == word
        assert glove.index(word) == i
        assert glove[word].tolist() == np.float32([float(x) for x in numbers]).tolist()
    assert list(glove)[:3] == ["the", ",", "."]
    assert "the" in glove and "zzzqqq" not in glove and 3 not in glove
    assert repr(glove).startswith("Vectors(3000 words x 50 dims")


def test_rows_are_read_only_views(glove: Vectors) -> None:
    row = glove["king"]
    assert not row.flags.writeable
    assert np.shares_memory(row, glove.vectors)
    with pytest.raises(ValueError):
        row[0] = 1.0
    with pytest.raises(ValueError):
        glove.vectors[0, 0] = 1.0
    stacked = glove[["king", "queen"]]
    assert stacked.shape == (2, 50)
    assert np.array_equal(stacked[1], glove["queen"])


def test_missing_word_names_it_and_suggests_a_case(glove: Vectors) -> None:
    with pytest.raises(KeyError, match=r"'King'.*Did you mean 'king'"):
        glove["King"]
    with pytest.raises(KeyError, match=r"'PARIS'.*Did you mean 'paris'"):
        glove.index("PARIS")
    with pytest.raises(KeyError) as info:
        glove["zzzqqq"]
    assert "zzzqqq" in str(info.value) and "Did you mean" not in str(info.value)
    assert glove.get("zzzqqq") is None
    assert np.array_equal(glove.get("king"), glove["king"])


def test_unit_rows_are_cached_and_follow_a_new_matrix() -> None:
    v = Vectors(["a", "b", "z"], np.array([[3.0, 4.0], [0.0, 2.0], [0.0, 0.0]]))
    unit = v.unit
    assert unit.tolist() == [[0.6000000238418579, 0.800000011920929], [0.0, 1.0], [0.0, 0.0]]
    assert v.unit is unit  # cached
    assert not unit.flags.writeable
    assert v.norms.tolist() == [5.0, 2.0, 0.0]
    v.vectors = np.array([[1.0, 0.0], [0.0, -1.0], [2.0, 0.0]])
    assert v.version == 1
    assert v.unit.tolist() == [[1.0, 0.0], [0.0, -1.0], [1.0, 0.0]]
    assert v.similarity("a", "z") == 1.0


def test_constructor_checks() -> None:
    with pytest.raises(ValueError, match=r"'a' appears twice \(rows 0 and 2\)"):
        Vectors(["a", "b", "a"], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="3 rows but there are 2 words"):
        Vectors(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="2-D"):
        Vectors(["a"], np.zeros(4))
    with pytest.raises(ValueError, match=r"row 1 .*NaN"):
        Vectors(["a", "b"], np.array([[0.0, 1.0], [np.nan, 0.0]]))
    with pytest.raises(ValueError, match="row 0"):
        Vectors(["a"], np.array([[1e300, 0.0]]))  # infinite as float32
    with pytest.raises(TypeError, match="strings"):
        Vectors(["a", 2], np.zeros((2, 2)))
    with pytest.raises(TypeError, match="numeric"):
        Vectors(["a"], np.array([["x", "y"]]))
    with pytest.raises(ValueError, match="one number per word"):
        Vectors(["a", "b"], np.zeros((2, 2)), counts=[1])
    with pytest.raises(ValueError, match=">= 0"):
        Vectors(["a"], np.zeros((1, 2)), counts=[-1])
    v = Vectors(["a"], np.array([[1, 2]], dtype=np.int64), counts=[7])
    assert v.vectors.dtype == np.float32 and v.counts.tolist() == [7]
    with pytest.raises(ValueError, match="rows"):
        v.vectors = np.zeros((2, 2))


def test_subset_and_most_frequent(glove: Vectors) -> None:
    sub = glove.subset(["queen", "king", "the"])
    assert sub.words == ["queen", "king", "the"]
    assert np.array_equal(sub["king"], glove["king"])
    assert not np.shares_memory(sub.vectors, glove.vectors)
    with pytest.raises(KeyError, match="King"):
        glove.subset(["King"])
    with pytest.raises(ValueError, match="twice"):
        glove.subset(["king", "king"])
    top = glove.most_frequent(5)
    assert top.words == glove.words[:5]
    counted = Vectors(["a", "b", "c", "d"], np.eye(4), counts=[3, 9, 3, 1])
    best = counted.most_frequent(3)
    assert best.words == ["b", "a", "c"] and best.counts.tolist() == [9, 3, 3]
    assert np.array_equal(best["a"], counted["a"])


def test_similarity_is_symmetric_cosine(glove: Vectors) -> None:
    a, b = glove["king"].astype(np.float64), glove["queen"].astype(np.float64)
    cos = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert glove.similarity("king", "queen") == pytest.approx(cos, abs=1e-6)
    assert glove.similarity("queen", "king") == pytest.approx(cos, abs=1e-6)
    assert glove.similarity("king", "king") == pytest.approx(1.0, abs=1e-6)


def test_native_store_with_repeated_words_is_reported_on_lookup(tmp_path: Path) -> None:
    from wordvec.vectors.formats import native

    path = tmp_path / "dup.safetensors"
    native.write(path, ["a", "b", "a"], np.eye(3, dtype=np.float32))
    v = Vectors.load(path)  # lookup built lazily
    with pytest.raises(ValueError, match=r"'a' appears more than once"):
        v.index("b")
