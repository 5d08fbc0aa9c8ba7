"""Compact native storage (float16, int8 with row scales) and blocked exact queries."""

from __future__ import annotations

import json

import numpy as np
import pytest

from wordvec import Vectors
from wordvec.cli import main
from wordvec.vectors import compact
from wordvec.vectors import query as Q

N_WORDS = 20_000


@pytest.fixture(scope="module")
def glove(shared_data) -> Vectors:
    """The first 20k words of GloVe 6B 50d, in memory (float32)."""
    return Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=N_WORDS)


@pytest.fixture(scope="module")
def saved(glove, tmp_path_factory) -> dict:
    """The slice saved as float32, float16 and int8 native files."""
    root = tmp_path_factory.mktemp("compact")
    paths = {}
    for dtype in compact.DTYPES:
        paths[dtype] = root / f"glove-{dtype}.safetensors"
        glove.save(paths[dtype], dtype=dtype)
    return paths


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean([len(set(x) & set(y)) / len(x) for x, y in zip(a, b)]))


def _queries(n: int, count: int = 300) -> np.ndarray:
    return np.random.default_rng(7).choice(n, size=count, replace=False)


def test_files_load_mapped_in_their_dtype_at_half_and_quarter_size(glove, saved):
    matrix_bytes = glove.vectors.nbytes
    sizes = {d: p.stat().st_size for d, p in saved.items()}
    extra = sizes["float32"] - matrix_bytes  # words and offsets, the same in every file
    assert sizes["float16"] - extra == pytest.approx(matrix_bytes / 2, rel=0.01)
    # int8: a quarter of the matrix, plus one float32 scale a row
    assert sizes["int8"] - extra == pytest.approx(matrix_bytes / 4 + 4 * N_WORDS, rel=0.01)
    for dtype, path in saved.items():
        got = Vectors.load(path)
        assert got.dtype == dtype
        assert compact.is_mapped(got._vectors)
        assert got.words == glove.words
    header = json.loads(saved["float32"].read_bytes()[8:4096].split(b"}}")[0] + b"}}")
    assert header["__metadata__"]["format_version"] == "1"  # float32 files stay readable


def test_decoded_values_are_close_to_float32(glove, saved):
    f16 = Vectors.load(saved["float16"])
    i8 = Vectors.load(saved["int8"])
    x = glove.vectors
    assert np.abs(f16.vectors - x).max() <= np.abs(x).max() * 2**-11
    scales = np.abs(x).max(axis=1) / 127
    assert np.all(np.abs(i8.vectors - x) <= scales[:, None] * 0.5 + 1e-6)
    assert f16["king"].dtype == np.float32
    np.testing.assert_allclose(i8["king"], glove["king"], atol=float(scales[glove.index("king")]))


@pytest.mark.parametrize(("dtype", "target"), [("float16", 0.99), ("int8", 0.95)])
def test_top10_neighbours_agree_with_float32(glove, saved, dtype, target):
    rows = _queries(N_WORDS)
    exclude = rows[:, None]
    want, _ = glove.nearest(glove.vectors[rows], topn=10, exclude=exclude)
    small = Vectors.load(saved[dtype])
    got, scores = small.nearest(glove.vectors[rows], topn=10, exclude=exclude)
    assert _overlap(want, got) >= target
    assert "unit" not in small._cache  # blocked: no normalised copy was made
    # the scores are the cosines of the decoded rows
    j = got[0, 0]
    np.testing.assert_allclose(
        scores[0, 0], Q.cosine(glove.vectors[rows[0]], small.vectors[j]), atol=1e-5
    )


def test_blocked_query_over_mapped_float32_equals_in_memory(glove, saved):
    mapped = Vectors.load(saved["float32"])
    rows = _queries(N_WORDS, 50)
    want_i, want_s = glove.nearest(glove.vectors[rows], topn=10)
    got_i, got_s = mapped.nearest(glove.vectors[rows], topn=10)
    assert "unit" not in mapped._cache
    assert _overlap(want_i, got_i) == 1.0
    np.testing.assert_allclose(got_s, want_s, atol=1e-6)
    got = mapped.most_similar("frog", topn=5)
    want = glove.most_similar("frog", topn=5)
    assert [w for w, _ in got] == [w for w, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-6)


def test_stored_nearest_matches_the_numpy_reference(glove):
    data, scales = compact.encode(glove.vectors[:3000], "int8")
    queries = glove.vectors[3000:3020]
    norms = compact.row_norms(data, scales)
    idx, sc = Q.nearest(data, queries, topn=7, norms=norms, scales=scales, restrict_vocab=2500)
    unit = Q.unit_rows(compact.decode(data, scales))[:2500]
    ref = Q.unit_vector(queries) @ unit.T
    for r in range(len(queries)):
        want, want_s = Q.top_k(ref[r], 7)
        assert idx[r].tolist() == want.tolist()
        np.testing.assert_allclose(sc[r], want_s, atol=1e-5)


def test_iter_blocks_over_a_mapped_file_reads_every_row(saved):
    mapped = Vectors.load(saved["float16"])
    seen = np.concatenate([b for _, b in compact.iter_blocks(mapped._vectors, rows=4096)])
    np.testing.assert_array_equal(seen, mapped._vectors.astype(np.float32))
    # the pages given back are mapped again on the next read
    assert mapped._vectors[5].astype(np.float32).tolist() == seen[5].tolist()


def test_subset_and_resave_keep_the_storage(saved, tmp_path):
    i8 = Vectors.load(saved["int8"])
    sub = i8.subset(["king", "queen", "frog"])
    assert sub.dtype == "int8"
    np.testing.assert_allclose(sub["queen"], i8["queen"])
    assert i8.most_frequent(100).dtype == "int8"
    out = tmp_path / "again.safetensors"
    i8.save(out)  # dtype=None keeps int8
    again = Vectors.load(out)
    assert again.dtype == "int8"
    np.testing.assert_array_equal(again.vectors, i8.vectors)
    i8.save(out, dtype="float32")
    assert Vectors.load(out).dtype == "float32"


def test_bad_dtype_requests_are_refused(glove, tmp_path):
    with pytest.raises(ValueError, match="dtype"):
        glove.save(tmp_path / "v.safetensors", dtype="int4")
    with pytest.raises(ValueError, match="native format only"):
        glove.save(tmp_path / "v.txt", format="glove", dtype="float16")
    with pytest.raises(ValueError, match="float16's range"):
        compact.encode(np.array([[1e6, 0.0]], np.float32), "float16")
    assert not list(tmp_path.iterdir())


def test_cli_convert_dtype(saved, tmp_path, capsys):
    out = tmp_path / "small.safetensors"
    assert main(["convert", str(saved["float32"]), str(out), "--dtype", "int8"]) == 0
    assert "int8" in capsys.readouterr().out
    assert Vectors.load(out).dtype == "int8"
    assert main(["neighbors", str(out), "frog", "--json", "--topn", "3"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [x["word"] for x in got["frog"]][:1] == ["snake"]
    assert main(["convert", str(saved["float32"]), str(tmp_path / "v.txt"), "--dtype", "int8"]) == 2
    assert "--dtype applies to native" in capsys.readouterr().err
    assert not (tmp_path / "v.txt").exists()
