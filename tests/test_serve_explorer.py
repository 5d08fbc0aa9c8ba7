"""The explorer's state without HTTP: neighbour and map caches, frequency order, facts."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec import Vectors
from wordvec.serve import explorer as E
from wordvec.serve.params import ApiError


@pytest.fixture(scope="module")
def glove(shared_data) -> Vectors:
    return Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=10_000)


def test_cached_neighbours_equal_the_store_for_any_k(glove, monkeypatch):
    monkeypatch.setattr(E, "CACHED_NEIGHBORS", 3)
    ex = E.Explorer(glove)
    for word in ("king", "river", "music", "king", "paris", "seven"):
        for k in (1, 10, 100):
            assert ex.nearest(word, k) == glove.most_similar(word, topn=k)
    # Least recently used first out: "king", asked again, outlives "river" and "music".
    assert list(ex._near) == ["king", "paris", "seven"]


def test_maps_are_cached_and_bounded(glove, monkeypatch):
    monkeypatch.setattr(E, "CACHED_MAPS", 2)
    ex = E.Explorer(glove, map_words=100)
    first = ex.projection("pca", 300)
    assert ex.projection("pca", 300)["x"] is first["x"]  # the same cached lists
    ex.projection("pca", 200)
    ex.projection("pca", 100)
    assert len(ex._maps) == 2 and ("pca", 300, None) not in ex._maps


def test_a_mapped_compact_file_is_never_normalized_whole(glove, tmp_path):
    path = tmp_path / "glove10k-f16.safetensors"
    glove.save(path, dtype="float16")
    mapped = Vectors.load(path)  # memory-mapped float16 rows
    ex = E.Explorer(mapped, map_words=100)
    assert ex.nearest("king", 5) == mapped.most_similar("king", topn=5)
    axes = ("man", "woman", "king", "queen")
    for method, kwargs in (("pca", {}), ("custom", {"axes_words": axes})):
        placed = ex.projection(method, 100, word="king", k=5, **kwargs)
        in_memory = E.Explorer(glove, map_words=100).projection(
            method, 100, word="king", k=5, **kwargs
        )
        assert placed["words"] == in_memory["words"]
        for axis in ("x", "y"):  # float16 rows; a principal axis may flip its sign
            assert abs(np.corrcoef(placed[axis], in_memory[axis])[0, 1]) > 0.999
    assert "unit" not in mapped._cache  # rows were normalized as needed, never all at once


def test_frequency_order_follows_counts_when_present(glove):
    words = glove.words[:5]
    with_counts = Vectors(words, glove.vectors[:5], counts=[3, 9, 9, 1, 5])
    assert E.frequency_order(with_counts).tolist() == [1, 2, 4, 0, 3]
    ex = E.Explorer(with_counts, map_words=2)
    assert ex.projection("pca", 2)["words"] == [words[1], words[2]]
    assert ex.complete("", 5)["completions"] == [words[i] for i in (1, 2, 4, 0, 3)]


def test_facts_of_a_file_and_of_vectors_in_memory(glove, shared_data, tmp_path):
    path = tmp_path / "v.safetensors"
    glove.most_frequent(50).save(path)
    facts = E.describe(Vectors.load(path), path)
    assert (facts["format"], facts["words"], facts["dim"]) == ("native", 50, 50)
    assert facts["file_bytes"] == path.stat().st_size
    assert E.describe(glove, None)["file"] is None


def test_unknown_words_and_bad_settings(glove):
    ex = E.Explorer(glove)
    with pytest.raises(ApiError) as err:
        ex.row("qeen", parameter="a")
    assert err.value.status == 404 and err.value.extra["suggestions"][0] == "queen"
    with pytest.raises(ValueError, match="at least one word"):
        E.Explorer(Vectors([], np.zeros((0, 3))))
    with pytest.raises(ValueError, match="map_words must be <= 50000"):
        E.Explorer(glove, map_words=50_001)
