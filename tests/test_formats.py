"""Vector file formats: exact round trips, gensim interop, detection, limits, bad files."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import numpy as np
import pytest

from wordvec.vectors import Vectors, detect_format
from wordvec.vectors.formats import FORMATS, read_vectors, word2vec_binary
from wordvec.vectors.formats._text import read_text

GLOVE = Path("vectors", "glove.6B.50d.txt.gz")
N_LINES = 3000


@pytest.fixture(scope="module")
def glove_lines(shared_data: Path) -> list[bytes]:
    """The first lines of the real GloVe file, as bytes (newline included)."""
    with gzip.open(shared_data / GLOVE, "rb") as f:
        return list(itertools.islice(f, N_LINES))


@pytest.fixture(scope="module")
def glove_small(glove_lines: list[bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("glove") / "glove_small.txt"
    path.write_bytes(b"".join(glove_lines))
    return path


@pytest.fixture(scope="module")
def small(glove_small: Path) -> Vectors:
    return Vectors.load(glove_small)


def _expected(lines: list[bytes]) -> tuple[list[str], np.ndarray]:
    words = [line.split(b" ", 1)[0].decode() for line in lines]
    matrix = np.array(
        [[np.float32(float(x)) for x in line.split()[1:]] for line in lines], dtype=np.float32
    )
    return words, matrix


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- reading the real file -------------------------------------------------------------


def test_glove_slice_matches_python_parse(glove_lines: list[bytes], small: Vectors) -> None:
    words, matrix = _expected(glove_lines)
    assert small.words == words
    assert small.vectors.dtype == np.float32
    assert np.array_equal(small.vectors, matrix)
    assert small.words[0] == "the"
    assert small["the"][:3].tolist() == [
        np.float32(0.418),
        np.float32(0.24968),
        np.float32(-0.41242),
    ]


def test_gz_and_plain_give_the_same(glove_small: Path, tmp_path: Path, small: Vectors) -> None:
    gz = tmp_path / "glove_small.txt.gz"
    gz.write_bytes(gzip.compress(glove_small.read_bytes()))
    v = Vectors.load(gz)
    assert v.words == small.words
    assert np.array_equal(v.vectors, small.vectors)


def test_many_small_chunks_and_threads_agree(glove_small: Path, small: Vectors) -> None:
    # chunks of 4 KB force lines across chunk boundaries and many thread splits
    for threads in (1, 2, 3):
        got = read_text(
            glove_small,
            header=False,
            fmt="glove",
            limit=None,
            encoding="utf-8",
            unicode_errors="strict",
            duplicates="warn",
            chunk_bytes=4096,
            threads=threads,
        )
        assert got.words == small.words
        assert np.array_equal(got.vectors, small.vectors)


def test_binary_small_chunks(small: Vectors, tmp_path: Path) -> None:
    path = tmp_path / "v.bin"
    small.save(path, format="word2vec-binary")
    got = word2vec_binary.read(path, chunk_bytes=1000)
    assert got.words == small.words
    assert np.array_equal(got.vectors, small.vectors)


def test_limit_reads_first_words(glove_small: Path, small: Vectors, tmp_path: Path) -> None:
    v = Vectors.load(glove_small, limit=10)
    assert v.words == small.words[:10]
    assert np.array_equal(v.vectors, small.vectors[:10])
    for fmt in ("word2vec", "word2vec-binary", "native"):
        path = tmp_path / f"v.{fmt}"
        small.save(path, format=fmt)
        w = Vectors.load(path, limit=25)
        assert w.words == small.words[:25]
        assert np.array_equal(w.vectors, small.vectors[:25])
    assert len(Vectors.load(glove_small, limit=0)) == 0


# -- round trips -----------------------------------------------------------------------


def _awkward() -> Vectors:
    rng = np.random.default_rng(7)
    bits = rng.integers(0, 2**32, size=(40, 12), dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    values[~np.isfinite(values)] = 1.5
    values[0, :6] = [0.0, -0.0, 1e-45, -3.4028235e38, 1e-5, 123456789.0]
    words = [f"w{i}" for i in range(38)] + ["naïve", "日本"]
    return Vectors(words, values, counts=np.arange(40, 0, -1))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_round_trip_is_exact(fmt: str, suffix: str, tmp_path: Path) -> None:
    v = _awkward()
    path = tmp_path / f"vectors.{fmt}{suffix}"
    v.save(path, format=fmt)
    w = Vectors.load(path, format=fmt)
    assert w.words == v.words
    assert w.vectors.tobytes() == v.vectors.tobytes()  # bit-exact, -0.0 included
    if fmt == "native":
        assert w.counts.tolist() == v.counts.tolist()
    assert Vectors.load(path).words == v.words  # auto-detection finds it too


def test_text_writer_matches_reference(small: Vectors, tmp_path: Path) -> None:
    from wordvec.vectors.formats._reference import format_text_reference

    path = tmp_path / "g.txt"
    small.subset(small.words[:200]).save(path, format="glove")
    assert path.read_bytes() == format_text_reference(small.words[:200], small.vectors[:200])


def _significant(token: bytes) -> int:
    mantissa = token.lower().split(b"e")[0].lstrip(b"-").replace(b".", b"")
    return len(mantissa.strip(b"0"))


def test_written_glove_numbers_are_shortest(glove_lines: list[bytes], tmp_path: Path) -> None:
    # Python reads every written number back to the same float32, with no more digits
    src = _write(tmp_path / "in.txt", b"".join(glove_lines[:500]))
    out = tmp_path / "out.txt"
    Vectors.load(src).save(out, format="glove")
    ours, theirs = out.read_bytes().split(), src.read_bytes().split()
    assert len(ours) == len(theirs)
    for mine, orig in zip(ours, theirs):
        if mine[:1].isalpha() or mine == orig:
            continue
        assert np.float32(float(mine)) == np.float32(float(orig))
        assert _significant(mine) <= _significant(orig)


def test_binary_writer_matches_reference(small: Vectors, tmp_path: Path) -> None:
    from wordvec.vectors.formats._reference import format_binary_reference

    sub = small.subset(small.words[:100])
    path = tmp_path / "g.bin"
    sub.save(path, format="word2vec-binary")
    data = path.read_bytes()
    assert data == b"100 50\n" + format_binary_reference(sub.words, sub.vectors)


def test_native_is_memory_mapped_and_read_only(small: Vectors, tmp_path: Path) -> None:
    path = tmp_path / "v.safetensors"
    small.save(path)
    mapped = Vectors.load(path)
    assert isinstance(mapped.vectors.base, np.memmap) or isinstance(
        getattr(mapped.vectors.base, "base", None), np.memmap
    )
    assert not mapped.vectors.flags.writeable
    loaded = Vectors.load(path, mmap=False)
    assert np.array_equal(loaded.vectors, small.vectors)
    assert loaded.counts is None


def test_native_file_is_standard_safetensors(small: Vectors, tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    path = tmp_path / "v.safetensors"
    small.save(path)
    tensors = load_file(path)
    assert np.array_equal(tensors["vectors"], small.vectors)
    blob = tensors["vocab_bytes"].tobytes().decode()
    assert blob.split("\n")[:-1] == small.words
    assert tensors["vocab_offsets"][-1] == len(tensors["vocab_bytes"])


def test_native_keeps_words_with_spaces_and_newlines(tmp_path: Path) -> None:
    v = Vectors(["new york", "a\nb", ""], np.eye(3))
    path = tmp_path / "odd.safetensors"
    v.save(path)
    assert Vectors.load(path).words == ["new york", "a\nb", ""]
    with pytest.raises(ValueError, match="space"):
        v.subset(["new york"]).save(tmp_path / "x.txt", format="glove")
    with pytest.raises(ValueError, match="newline"):
        v.subset(["a\nb"]).save(tmp_path / "x.txt", format="word2vec")
    with pytest.raises(ValueError, match="empty string"):
        v.subset([""]).save(tmp_path / "x.bin", format="word2vec-binary")


def test_failed_save_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    with pytest.raises(ValueError):
        Vectors(["a b"], np.eye(1)).save(path, format="glove")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


# -- gensim interop --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "binary", "no_header"),
    [
        ("glove", False, True),
        ("word2vec", False, False),
        ("fasttext", False, False),
        ("word2vec-binary", True, False),
    ],
)
def test_gensim_reads_our_files(small: Vectors, tmp_path: Path, fmt, binary, no_header):
    gensim = pytest.importorskip("gensim")
    sub = small.subset(small.words[:500])
    path = tmp_path / f"ours.{fmt}"
    sub.save(path, format=fmt)
    kv = gensim.models.KeyedVectors.load_word2vec_format(
        str(path), binary=binary, no_header=no_header
    )
    assert kv.index_to_key == sub.words
    assert np.array_equal(kv.vectors, sub.vectors)


@pytest.mark.parametrize(("fmt", "binary"), [("word2vec", False), ("word2vec-binary", True)])
def test_we_read_gensim_files(small: Vectors, tmp_path: Path, fmt: str, binary: bool) -> None:
    gensim = pytest.importorskip("gensim")
    kv = gensim.models.KeyedVectors(small.dim)
    kv.add_vectors(small.words[:500], np.array(small.vectors[:500]))
    path = tmp_path / "theirs.bin"
    kv.save_word2vec_format(str(path), binary=binary)
    assert detect_format(path) == fmt
    v = Vectors.load(path)
    assert v.words == kv.index_to_key
    assert np.array_equal(v.vectors, kv.vectors)


def test_gensim_loads_the_real_glove_slice_like_us(glove_small: Path, small: Vectors) -> None:
    gensim = pytest.importorskip("gensim")
    kv = gensim.models.KeyedVectors.load_word2vec_format(
        str(glove_small), binary=False, no_header=True
    )
    assert kv.index_to_key == small.words
    assert np.array_equal(kv.vectors, small.vectors)


# -- detection -------------------------------------------------------------------------


def test_detect_format(small: Vectors, tmp_path: Path) -> None:
    sub = small.subset(small.words[:5])
    names = {
        "glove": "a.txt",
        "word2vec": "a.w2v.txt",
        "fasttext": "a.vec",
        "word2vec-binary": "a.bin",
        "native": "a.safetensors",
    }
    for fmt, name in names.items():
        path = tmp_path / name
        sub.save(path, format=fmt)
        assert detect_format(path) == fmt
        gz = tmp_path / (name + ".gz")
        sub.save(gz, format=fmt)
        assert detect_format(gz) == fmt
    # native is recognised by content too, whatever the name
    (tmp_path / "a.safetensors").rename(tmp_path / "renamed.dat")
    assert detect_format(tmp_path / "renamed.dat") == "native"


# -- bad files -------------------------------------------------------------------------


def _bad(tmp_path: Path, data: bytes, name: str = "bad.txt", **kw) -> str:
    path = _write(tmp_path / name, data)
    with pytest.raises(ValueError) as info:
        Vectors.load(path, **kw)
    message = str(info.value)
    assert "bad" in message  # names the file
    return message


def test_wrong_field_count(tmp_path: Path) -> None:
    msg = _bad(tmp_path, b"a 1 2 3\nb 1 2\nc 1 2 3\n")
    assert "line 2" in msg and "expected 4 fields" in msg and "found 3" in msg
    msg = _bad(tmp_path, b"2 3\na 1 2 3\nb 1 2 3 4\n", format="word2vec")
    assert "line 3" in msg and "expected 4 fields" in msg and "found 5" in msg


def test_single_field_and_empty_word(tmp_path: Path) -> None:
    assert "single field" in _bad(tmp_path, b"lonely\n")
    msg = _bad(tmp_path, b"a 1 2\n 1 2\n")
    assert "line 2" in msg and "empty" in msg


def test_not_a_number(tmp_path: Path) -> None:
    msg = _bad(tmp_path, b"a 1 2\nb 1 x2\n")
    assert "line 2" in msg and "field 3" in msg and "x2" in msg and "expected a number" in msg
    for token in (b"nan", b"inf", b"1.2.3", b"1e", b"--1", b"0x10", b"1,5"):
        assert token.decode() in _bad(tmp_path, b"a 1 " + token + b"\n")


def test_out_of_float32_range(tmp_path: Path) -> None:
    msg = _bad(tmp_path, b"a 1 2\nb 1e39 2\n")
    assert "line 2" in msg and "float32" in msg


def test_empty_file_and_blank_lines(tmp_path: Path) -> None:
    assert "empty" in _bad(tmp_path, b"")
    assert "empty" in _bad(tmp_path, b"", name="bad.txt", format="word2vec")
    assert "empty" in _bad(tmp_path, b"", name="bad.bin", format="word2vec-binary")
    msg = _bad(tmp_path, b"a 1 2\n\nb 1 2\n")
    assert "line 2 is empty" in msg
    # trailing blank lines and CRLF endings are fine
    v = Vectors.load(_write(tmp_path / "ok.txt", b"a 1 2\r\nb 3 4 \r\n\n \n"))
    assert v.words == ["a", "b"] and v.vectors.tolist() == [[1, 2], [3, 4]]
    # no final newline, tabs between numbers
    v = Vectors.load(_write(tmp_path / "ok2.txt", b"a 1\t2\nb 3  4"))
    assert v.words == ["a", "b"] and v.vectors.tolist() == [[1, 2], [3, 4]]


def test_header_disagrees(tmp_path: Path) -> None:
    msg = _bad(tmp_path, b"3 2\na 1 2\nb 1 2\n", format="word2vec")
    assert "promises 3" in msg and "only 2" in msg
    msg = _bad(tmp_path, b"1 2\na 1 2\nb 1 2\n", format="word2vec")
    assert "promises 1" in msg and "line 3" in msg
    msg = _bad(tmp_path, b"2 3\na 1 2\nb 1 2\n", format="word2vec")
    assert "expected 4 fields" in msg
    assert "header" in _bad(tmp_path, b"a 1 2\n", format="word2vec")
    # with a limit the rest is not read
    assert Vectors.load(
        _write(tmp_path / "ok.txt", b"1 2\na 1 2\nb 1 2\n"), format="word2vec", limit=1
    ).words == ["a"]


def test_glove_loader_on_a_word2vec_file_hints(tmp_path: Path) -> None:
    msg = _bad(tmp_path, b"2 2\na 1 2\nb 1 2\n", format="glove")
    assert "word2vec" in msg


def test_truncated_binary(small: Vectors, tmp_path: Path) -> None:
    full = tmp_path / "v.bin"
    small.subset(small.words[:20]).save(full, format="word2vec-binary")
    data = full.read_bytes()
    msg = _bad(tmp_path, data[:-30], name="bad.bin")
    assert "truncated" in msg and "19 complete records" in msg and "byte" in msg
    msg = _bad(tmp_path, data + b"extra 1234", name="bad.bin")
    assert "promises 20" in msg and "byte" in msg
    # a text file forced through the binary reader is refused, not silently misread
    text = tmp_path / "t.txt"
    small.subset(small.words[:20]).save(text, format="word2vec")
    with pytest.raises(ValueError, match=r"newline|NaN|truncated"):
        Vectors.load(text, format="word2vec-binary")


def test_binary_without_trailing_newlines(tmp_path: Path) -> None:
    rows = np.array([[1.5, -2.0], [0.25, 8.0]], dtype="<f4")
    data = b"2 2\n" + b"ab " + rows[0].tobytes() + b"cd " + rows[1].tobytes()
    v = Vectors.load(_write(tmp_path / "g.bin", data))
    assert v.words == ["ab", "cd"]
    assert v.vectors.tolist() == rows.tolist()


def test_duplicates_warn_or_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "dup.txt", b"a 1 2\nb 3 4\na 5 6\nc 7 8\n")
    with pytest.warns(UserWarning, match=r"'a' at line 3 was already seen at line 1"):
        v = Vectors.load(path)
    assert v.words == ["a", "b", "c"]
    assert v.vectors.tolist() == [[1, 2], [3, 4], [7, 8]]
    with pytest.raises(ValueError, match=r"'a' at line 3 .* line 1"):
        Vectors.load(path, duplicates="error")


def test_invalid_utf8(tmp_path: Path) -> None:
    data = b"a 1 2\ncaf\xe9 3 4\n"
    msg = _bad(tmp_path, data)
    assert "line 2" in msg and "utf-8" in msg and "caf" in msg
    path = tmp_path / "bad.txt"
    assert Vectors.load(path, unicode_errors="replace").words == ["a", "caf\ufffd"]
    assert Vectors.load(path, encoding="latin-1").words == ["a", "café"]
    with pytest.raises(ValueError, match="ASCII-compatible"):
        Vectors.load(path, encoding="utf-16")


def test_numbers_needing_the_slow_path(tmp_path: Path) -> None:
    tokens = [
        b"1e-30",
        b"123456789012345678901234",
        b"-0.0000000000000000000000001",
        b"3.4028234e38",
        b"1.00000000000000000000001",
        b"7E+25",
    ]
    data = b"w " + b" ".join(tokens) + b"\n"
    v = Vectors.load(_write(tmp_path / "slow.txt", data))
    expected = [np.float32(float(t)) for t in tokens]
    assert v.vectors[0].tolist() == expected


def test_bad_options(tmp_path: Path, glove_small: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        Vectors.load(glove_small, format="text")
    with pytest.raises(ValueError, match="duplicates"):
        Vectors.load(glove_small, duplicates="ignore")
    with pytest.raises(ValueError, match="limit"):
        Vectors.load(glove_small, limit=-1)
    with pytest.raises(FileNotFoundError, match="nope"):
        read_vectors(tmp_path / "nope.txt")


def test_bad_native_files(small: Vectors, tmp_path: Path) -> None:
    path = tmp_path / "v.safetensors"
    small.subset(small.words[:10]).save(path)
    data = path.read_bytes()
    bad = _write(tmp_path / "bad.safetensors", data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"bad\.safetensors.*needs bytes"):
        Vectors.load(bad)
    _write(bad, b"\x05\x00\x00\x00\x00\x00\x00\x00{oops")
    with pytest.raises(ValueError, match=r"not JSON|header length"):
        Vectors.load(bad)
    from safetensors.numpy import save_file

    save_file({"x": np.zeros(3, np.float32)}, str(bad))
    with pytest.raises(ValueError, match="format"):
        Vectors.load(bad, format="native")
