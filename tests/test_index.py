"""Approximate neighbours: recall against exact search, saving beside the vectors, staleness."""

from __future__ import annotations

import json
import logging
import shutil

import numpy as np
import pytest

from wordvec import Vectors
from wordvec.cli import main
from wordvec.vectors import index as ann

N_WORDS = 20_000


@pytest.fixture(scope="module")
def glove(shared_data) -> Vectors:
    """The first 20k words of GloVe 6B 50d."""
    return Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=N_WORDS)


@pytest.fixture(scope="module")
def indexed(glove) -> Vectors:
    """The slice with an hnsw index of the default parameters attached."""
    v = glove.subset(glove.words)  # a copy, so `glove` keeps no index
    v.build_index()
    return v


@pytest.fixture(scope="module")
def saved(indexed, tmp_path_factory):
    """The indexed slice saved as a native file (the index lands beside it)."""
    path = tmp_path_factory.mktemp("ann") / "glove20k.safetensors"
    indexed.save(path)
    return path


def _recall(glove: Vectors, approx: Vectors, **kwargs) -> float:
    rows = np.random.default_rng(3).choice(len(glove), size=300, replace=False)
    exclude = rows[:, None]
    want, _ = glove.nearest(glove.vectors[rows], topn=10, exclude=exclude, approximate=False)
    got, _ = approx.nearest(glove.vectors[rows], topn=10, exclude=exclude, **kwargs)
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(want, got)]))


def test_hnsw_defaults_reach_the_recall_target(glove, indexed):
    assert indexed.neighbor_index.method == "hnsw"
    assert _recall(glove, indexed) >= 0.95
    # a starved search is measurably worse: the index, not an exact scan, answers
    default = indexed.neighbor_index.params["ef_search"]
    indexed.neighbor_index.configure(ef_search=2)
    try:
        assert _recall(glove, indexed, approximate=True) < _recall(glove, glove)
    finally:
        indexed.neighbor_index.configure(ef_search=default)


@pytest.mark.parametrize("method", ["hnsw", "ivf"])
def test_int8_storage_reaches_the_recall_target(glove, method):
    v = glove.subset(glove.words)
    params = {"nlist": 64, "nprobe": 16} if method == "ivf" else {}
    built = v.build_index(method, storage="int8", **params)  # int8 codes are trained first
    assert built.params["storage"] == "int8"
    assert _recall(glove, v) >= 0.95


def test_a_single_query_answers_as_a_batch_does(indexed):
    rows = [5, 77, 1234, 19_999]
    exclude = [[r] for r in rows]
    batch_i, batch_s = indexed.nearest(indexed.vectors[rows], topn=10, exclude=exclude)
    for k, r in enumerate(rows):  # one query takes the short path
        one_i, one_s = indexed.nearest(indexed.vectors[r][None, :], topn=10, exclude=[[r]])
        np.testing.assert_array_equal(one_i[0], batch_i[k])
        np.testing.assert_allclose(one_s[0], batch_s[k], atol=1e-6)


def test_ivf_reaches_the_recall_target(glove):
    v = glove.subset(glove.words)
    built = v.build_index("ivf", nlist=64, nprobe=16)
    assert built.params["nlist"] == 64
    assert _recall(glove, v) >= 0.95


def test_scores_are_exact_cosines_and_queries_are_excluded(indexed):
    got = indexed.most_similar("frog", topn=10, approximate=True)
    assert "frog" not in [w for w, _ in got]
    for word, score in got:
        assert score == pytest.approx(indexed.similarity("frog", word), abs=1e-6)
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    exact = indexed.most_similar("frog", topn=10, approximate=False)
    assert len({w for w, _ in got} & {w for w, _ in exact}) >= 9
    analogy = indexed.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
    assert "queen" in [w for w, _ in analogy]
    assert not {"king", "woman", "man"} & {w for w, _ in analogy}


def test_saved_beside_the_vectors_and_found_by_load(indexed, saved):
    assert ann.index_path(saved).is_file()
    loaded = Vectors.load(saved)
    assert loaded.neighbor_index is not None
    assert loaded.neighbor_index.fingerprint == ann.fingerprint(indexed)
    got, want = loaded.most_similar("ship"), indexed.most_similar("ship")
    assert [w for w, _ in got] == [w for w, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-6)
    assert Vectors.load(saved, index="ignore").neighbor_index is None
    # the file is a safetensors file whose one tensor is faiss's own bytes
    from safetensors import safe_open

    with safe_open(str(ann.index_path(saved)), framework="numpy") as f:
        assert f.get_tensor("faiss").dtype == np.uint8
        assert f.metadata()["method"] == "hnsw"


def test_a_damaged_index_says_rebuild(saved, tmp_path):
    copy = tmp_path / saved.name
    shutil.copy(saved, copy)
    shutil.copy(ann.index_path(saved), ann.index_path(copy))
    raw = bytearray(ann.index_path(copy).read_bytes())
    header = int.from_bytes(raw[:8], "little")
    raw[8 + header : 8 + header + 4] = b"XXXX"  # faiss's index type tag
    ann.index_path(copy).write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"damaged index.*rebuild"):
        Vectors.load(copy)
    assert Vectors.load(copy, index="ignore").neighbor_index is None  # the vectors load


def test_a_stale_index_is_refused_with_a_rebuild_hint(glove, saved, tmp_path, caplog):
    path = tmp_path / "v.safetensors"
    shutil.copy(saved, path)
    shutil.copy(ann.index_path(saved), ann.index_path(path))
    changed = glove.vectors.copy()
    changed[123] *= -1.0
    Vectors(glove.words, changed).save(path)  # rewritten: the old index stays beside it
    with caplog.at_level(logging.WARNING, logger="wordvec.vectors.index"):
        loaded = Vectors.load(path)
    assert loaded.neighbor_index is None
    assert "built for other vectors" in caplog.text
    with pytest.raises(ann.StaleIndexError, match="Rebuild it"):
        loaded.most_similar("frog", approximate=True)
    assert loaded.most_similar("frog", topn=3)  # exact search still answers
    with pytest.raises(ann.StaleIndexError, match="fingerprint"):
        Vectors.load(path, index="require")


def test_an_index_of_another_file_is_refused(glove, saved, tmp_path):
    other = tmp_path / "other.safetensors"
    glove.most_frequent(N_WORDS - 1).save(other)
    shutil.copy(ann.index_path(saved), ann.index_path(other))
    with pytest.raises(ann.StaleIndexError, match="19999 x 50"):
        Vectors.load(other, index="require")


def test_bad_requests_say_what_to_do(glove, indexed, tmp_path):
    plain = glove.subset(glove.words[:500])
    with pytest.raises(ValueError, match="build_index"):
        plain.most_similar("the", approximate=True)
    with pytest.raises(ValueError, match="restrict_vocab"):
        indexed.most_similar("the", approximate=True, restrict_vocab=100)
    with pytest.raises(ValueError, match="method"):
        plain.build_index("annoy")
    with pytest.raises(ValueError, match="unknown parameter"):
        plain.build_index("hnsw", nprobe=3)
    with pytest.raises(ValueError, match="nlist"):
        plain.build_index("ivf", nlist=10_000)
    with pytest.raises(FileNotFoundError, match="wordvec index"):
        Vectors.load(_saved_plain(plain, tmp_path), index="require")
    with pytest.raises(ValueError, match="only ef_search"):
        indexed.neighbor_index.configure(nprobe=4)


def _saved_plain(v: Vectors, tmp_path):
    path = tmp_path / "plain.safetensors"
    v.save(path)
    return path


def test_replacing_the_matrix_drops_the_index(glove):
    v = glove.subset(glove.words[:2000])
    v.build_index(connectivity=8)
    v.vectors = v.vectors * 2.0
    assert v.neighbor_index is None


def test_cli_index_and_approximate_neighbors(glove, tmp_path, capsys):
    path = tmp_path / "g.safetensors"
    glove = glove.most_frequent(5000)
    glove.save(path)
    assert main(["neighbors", str(path), "ship", "--approximate", "--json"]) == 0
    captured = capsys.readouterr()
    assert "building one in memory" in captured.err
    built_now = json.loads(captured.out)["ship"]
    assert main(["index", str(path), "--ef-search", "96"]) == 0
    assert "hnsw index of 5,000 words" in capsys.readouterr().out
    assert Vectors.load(path).neighbor_index.params["ef_search"] == 96
    assert main(["neighbors", str(path), "ship", "--approximate", "--json"]) == 0
    saved_index = json.loads(capsys.readouterr().out)["ship"]
    assert main(["neighbors", str(path), "ship", "--exact", "--json"]) == 0
    exact = json.loads(capsys.readouterr().out)["ship"]
    words = {x["word"] for x in exact}
    assert len(words & {x["word"] for x in saved_index}) >= 9
    assert len(words & {x["word"] for x in built_now}) >= 9
    Vectors(glove.words, glove.vectors[::-1].copy()).save(path)  # index now stale
    assert main(["neighbors", str(path), "ship", "--approximate"]) == 2
    err = capsys.readouterr().err
    assert "built for other vectors" in err and "wordvec index" in err
