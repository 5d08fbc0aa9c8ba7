"""The compiled corpus pass of whitespace-tokenized files gives what the Python pass gives.

``encode_corpus(..., tokenizer="whitespace")`` on files takes the numba path
(:mod:`wordvec.train.kernels.tokens`); a callable tokenizer doing ``str.split`` takes
the Python path (``iter_sentences`` and a dict lookup per token). Every field of the
two :class:`EncodedCorpus` must agree, byte for byte in the id file.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

import wordvec._lines
import wordvec.train.corpus
from wordvec._lines import BinaryFileError, TextDecodeError
from wordvec.train.corpus import EncodedCorpus, encode_corpus
from wordvec.train.kernels.tokens import encode_block, table_words, tally, token_table

SPACES = [c for c in map(chr, range(0x110000)) if c.isspace()]


def _fields(enc: EncodedCorpus) -> dict:
    return {
        "ids": Path(enc.path).read_bytes(),
        "words": enc.words,
        "counts": enc.counts.tolist(),
        "counts_dtype": enc.counts.dtype,
        "bounds": enc.bounds.tolist(),
        "n_tokens": enc.n_tokens,
        "n_sentences": enc.n_sentences,
        "max_sentence_length": enc.max_sentence_length,
        "lines_with_errors": enc.read_stats.lines_with_errors,
        "skipped_files": enc.read_stats.skipped_files,
    }


def _no_python_pass(*args, **kwargs):
    raise AssertionError("the whitespace tokenizer on files took the Python pass")


def _both(source, tmp_path: Path, *, compiled: bool = True, **kw) -> tuple[dict, dict]:
    """(fast, slow) fields of encoding ``source`` with the same options; with
    ``compiled``, the fast one must not go through ``iter_sentences``."""
    fast_dir, slow_dir = tmp_path / "fast", tmp_path / "slow"
    fast_dir.mkdir(exist_ok=True)
    slow_dir.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        if compiled:
            mp.setattr(wordvec.train.corpus, "iter_sentences", _no_python_pass)
        fast = encode_corpus(source, fast_dir, tokenizer="whitespace", **kw)
    slow = encode_corpus(source, slow_dir, tokenizer=str.split, **kw)
    return _fields(fast), _fields(slow)


def _same(source, tmp_path: Path, *, compiled: bool = True, **kw) -> dict:
    fast, slow = _both(source, tmp_path, compiled=compiled, **kw)
    assert fast == slow
    return fast


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.fixture(scope="module")
def books_slice(shared_data: Path) -> bytes:
    """The first ~300 KB (whole lines) of the bundled novels."""
    with gzip.open(shared_data / "corpus" / "default-books-en.txt.gz", "rb") as f:
        data = f.read(300_000)
    return data[: data.rfind(b"\n") + 1]


def test_real_text(tmp_path: Path, books_slice: bytes) -> None:
    src = _write(tmp_path, "books.txt", books_slice)
    got = _same(src, tmp_path, job_words=2000, max_sentence_length=50)
    assert got["n_tokens"] > 40_000 and len(got["bounds"]) > 10
    assert any(not w.isascii() for w in got["words"])  # curly quotes, accents


def test_real_text_small_pieces(tmp_path: Path, books_slice: bytes, monkeypatch) -> None:
    monkeypatch.setattr(wordvec._lines, "PIECE_BYTES", 64)
    src = _write(tmp_path, "books.txt", books_slice[:30_000])
    _same(src, tmp_path, job_words=500, max_sentence_length=7)


def test_gz_and_several_files(tmp_path: Path, books_slice: bytes) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    with gzip.open(folder / "a.txt.gz", "wb") as f:
        f.write(books_slice[:50_000])
    (folder / "b.txt").write_bytes(books_slice[50_000:80_000] + b"tail without newline")
    (folder / "c.txt").write_bytes(b"")
    (folder / "d.txt").write_bytes(b"one more file\n")
    _same(folder / "a.txt.gz", tmp_path, job_words=1000)
    _same(folder, tmp_path, job_words=1000)
    _same([folder / "d.txt", folder / "b.txt", folder / "d.txt"], tmp_path, job_words=1000)


def test_every_unicode_space_separates_tokens(tmp_path: Path) -> None:
    text = "".join(f"w{i}{c}" for i, c in enumerate(SPACES)) + "end\n"
    got = _same(_write(tmp_path, "s.txt", text.encode()), tmp_path)
    assert got["n_tokens"] == len(SPACES) + 1 and got["n_sentences"] == 2  # \n ends one
    # non-space characters next to the spaces' lead bytes stay inside tokens
    near = "a\u0084b\u00a1c\u1681d\u200be\u2027f\u2030g\u205eh\u3001i\u00a0j\n"
    got = _same(_write(tmp_path, "n.txt", near.encode()), tmp_path)
    assert got["words"] == ["a\u0084b\u00a1c\u1681d\u200be\u2027f\u2030g\u205eh\u3001i", "j"]


def test_kernel_splits_exactly_where_str_split_does() -> None:
    """No character but the whitespace ones separates tokens (all of Unicode checked)."""
    others = "".join(
        chr(c)
        for c in range(0x110000)
        if not chr(c).isspace() and not 0xD800 <= c < 0xE000 and c not in (0, 0x0A)
    )
    data = np.frombuffer(others.encode(), np.uint8)
    out = np.empty(2 * data.shape[0] + 2, np.int32)
    table, k = encode_block(data, True, 10, token_table(), tally(), out)
    assert out[:k].tolist() == [0, -1] and table_words(table) == [others]


def test_line_ends_nul_bom(tmp_path: Path) -> None:
    pad = b"pad line\n" * 1000  # NUL bytes in the first 8 KiB would make the file binary
    data = (
        b"\xef\xbb\xbfa b\r\nc\rd\r\r\n\n   \n\t\x0b\x0c\n" + pad + b"e\x00f\x00\x00g\n\x00\n\r\n"
        b"x y\r\n\r\nlast line without newline"
    )
    got = _same(_write(tmp_path, "e.txt", data), tmp_path)
    assert got["words"][:3] == ["a", "b", "c"] and got["n_sentences"] == 1005
    assert {"e", "f", "g"} <= set(got["words"])
    _same(_write(tmp_path, "bom.txt", b"\xef\xbb\xbf"), tmp_path)
    _same(_write(tmp_path, "empty.txt", b""), tmp_path)
    _same(_write(tmp_path, "blank.txt", b"\n\n  \n"), tmp_path)
    _same(_write(tmp_path, "cr.txt", b"a\rb\r"), tmp_path)


@pytest.mark.parametrize("piece", [8, 16, 64])
def test_lines_longer_than_a_piece(tmp_path: Path, monkeypatch, piece: int) -> None:
    monkeypatch.setattr(wordvec._lines, "PIECE_BYTES", piece)
    words = [f"w{i % 37}" for i in range(300)]
    data = (
        " ".join(words).encode()
        + b"\nshort line\n"
        + b"x" * 200  # a token longer than a piece: cut at a character boundary
        + b" y\n"
        + "é".encode() * 50  # ... never inside a character
        + b"\n"
        + ("ab " * 40).encode()  # a long line that ends with a space, then the file ends
    )
    for max_len in (1, 3, 10, 300, 10_000):
        _same(_write(tmp_path, "long.txt", data), tmp_path, max_sentence_length=max_len)


def test_max_sentence_length(tmp_path: Path) -> None:
    data = b"a b c d e f g h i j\n" + b" ".join(b"t%d" % i for i in range(25)) + b"\n"
    got = _same(_write(tmp_path, "m.txt", data), tmp_path, max_sentence_length=10)
    ids = np.frombuffer(got["ids"], np.int32)
    sentences = np.split(ids, np.flatnonzero(ids < 0) + 1)[:-1]
    assert [len(s) - 1 for s in sentences] == [10, 10, 10, 5]
    assert got["max_sentence_length"] == 10


def test_non_ascii_words(tmp_path: Path) -> None:
    text = "Người đăng bài viết\n我 爱 北京 天安门\n😀 👍🏽 🇻🇳 emoji\nđăng 我 😀\n"
    got = _same(_write(tmp_path, "u.txt", text.encode()), tmp_path)
    assert "Người" in got["words"] and "👍🏽" in got["words"]


def test_latin1(tmp_path: Path) -> None:
    data = "café naïve\x85x\xa0y façade café\n".encode("latin-1")
    got = _same(_write(tmp_path, "l.txt", data), tmp_path, encoding="latin-1")
    assert got["words"] == ["café", "naïve", "x", "y", "façade"]  # \x85 and \xa0 are spaces


def test_bad_utf8_strict(tmp_path: Path) -> None:
    src = _write(tmp_path, "bad.txt", b"good line\nsecond ok\nthird \xff bad\n")
    with pytest.raises(TextDecodeError) as fast:
        encode_corpus(src, tmp_path, tokenizer="whitespace")
    with pytest.raises(TextDecodeError) as slow:
        encode_corpus(src, tmp_path, tokenizer=str.split)
    assert str(fast.value) == str(slow.value)
    assert (fast.value.line, fast.value.offset) == (3, 26)


@pytest.mark.parametrize("errors", ["replace", "ignore"])
def test_bad_utf8_tolerated(tmp_path: Path, errors: str) -> None:
    data = b"a\xffb c\nok line\n\xc3 d \xe2\x80\nfine\n\xed\xa0\x80 e"
    got = _same(_write(tmp_path, "bad.txt", data), tmp_path, encoding_errors=errors)
    assert got["lines_with_errors"] == 3


def test_binary_file(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"some text\n")
    (folder / "b.bin").write_bytes(b"\x7fELF\x00\x00\x01" + bytes(range(256)))
    with pytest.raises(BinaryFileError) as fast:
        encode_corpus(folder, tmp_path, tokenizer="whitespace")
    with pytest.raises(BinaryFileError) as slow:
        encode_corpus(folder, tmp_path, tokenizer=str.split)
    assert str(fast.value) == str(slow.value)
    got = _same(folder, tmp_path, encoding_errors="replace")
    assert got["skipped_files"] == [str(folder / "b.bin")] and got["n_tokens"] == 2


def test_progress_and_iterables(tmp_path: Path, books_slice: bytes) -> None:
    seen: list[int] = []
    src = _write(tmp_path, "books.txt", books_slice)
    enc = encode_corpus(src, tmp_path, tokenizer="whitespace", on_block=seen.append)
    assert seen and seen[-1] == enc.n_tokens and seen == sorted(seen)
    # an iterable source keeps the Python path (and its result)
    enc = encode_corpus(["a b a", "c a"], tmp_path, tokenizer="whitespace")
    assert enc.words == ["a", "b", "c"] and enc.counts.tolist() == [3, 1, 1]


def test_utf16_keeps_the_python_path(tmp_path: Path) -> None:
    src = _write(tmp_path, "w.txt", "a b\u3000c\nd a\n".encode("utf-16"))
    got = _same(src, tmp_path, compiled=False, encoding="utf-16")
    assert got["words"] == ["a", "b", "c", "d"]


def test_table_grows(tmp_path: Path) -> None:
    words = [f"word{i}" * (1 + i % 5) for i in range(5000)]
    data = ("\n".join(" ".join(words[i : i + 7]) for i in range(0, 5000, 7)) + "\n").encode()
    got = _same(_write(tmp_path, "g.txt", data * 2), tmp_path, job_words=3000)
    assert got["words"] == words and set(got["counts"]) == {2}


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    given = None

if given is not None:
    _ALPHABET = ["a", "b", "é", "中", "😀", " ", "\t", "\n", "\r", "\x00", "\x0b", "\x1c", *SPACES]

    @settings(max_examples=60, deadline=None)
    @given(
        text=st.text(alphabet=st.sampled_from(_ALPHABET), max_size=300),
        piece=st.integers(min_value=4, max_value=40),
        max_len=st.integers(min_value=1, max_value=6),
        job_words=st.integers(min_value=1, max_value=20),
    )
    def test_fast_equals_slow(
        tmp_path_factory, text: str, piece: int, max_len: int, job_words: int
    ) -> None:
        tmp = tmp_path_factory.mktemp("prop")
        src = _write(tmp, "p.txt", b"pad\n" * 10 + text.encode())  # no NUL in the first block
        old = wordvec._lines.PIECE_BYTES
        wordvec._lines.PIECE_BYTES = piece
        try:
            _same(src, tmp, max_sentence_length=max_len, job_words=job_words)
        finally:
            wordvec._lines.PIECE_BYTES = old


@pytest.mark.parametrize("piece", [None, 64])
def test_distributed_shares(tmp_path: Path, books_slice: bytes, monkeypatch, piece) -> None:
    """A rank's byte shares of its files (``share_blocks``) give what the Python pass
    gives for the same shares (``share_sentences``): ids, counts and each share's
    positions, for 1 to 3 ranks; a UTF-8 byte-order mark and a long last line included."""
    from wordvec.train.distributed import shares as S

    if piece is not None:
        monkeypatch.setattr(wordvec._lines, "PIECE_BYTES", piece)
        monkeypatch.setattr(S, "PIECE_BYTES", piece)
    a = _write(tmp_path, "a.txt", b"\xef\xbb\xbf" + books_slice[:40_000])
    b = _write(tmp_path, "b.txt", books_slice[40_000:60_000] + ("ab " * 40).encode())
    for world in (1, 2, 3):
        for rank in range(world):
            shares = S.rank_shares([a, b], rank, world)
            fast_pos, slow_pos = S.ShareCounts([]), S.ShareCounts([])
            d1, d2 = tmp_path / f"f{world}{rank}", tmp_path / f"s{world}{rank}"
            d1.mkdir()
            d2.mkdir()
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(wordvec.train.corpus, "iter_sentences", _no_python_pass)
                fast = encode_corpus(
                    S.share_blocks(shares, counts=fast_pos), d1, tokenizer="whitespace",
                    max_sentence_length=9, job_words=700,
                )  # fmt: skip
            sentences = S.share_sentences(
                shares, counts=slow_pos, tokenizer="whitespace", max_sentence_length=9
            )
            slow = encode_corpus(sentences, d2, tokenizer="whitespace", job_words=700)
            assert _fields(fast) == _fields(slow)
            assert fast_pos.positions == slow_pos.positions
            assert sum(fast_pos.positions) == Path(fast.path).stat().st_size // 4
            assert fast.n_tokens > 0


def test_block_streams_need_the_whitespace_tokenizer(tmp_path: Path) -> None:
    from wordvec.train.corpus import BlockStreams

    with pytest.raises(ValueError, match="tokenizer='whitespace' only"):
        encode_corpus(BlockStreams([], print), tmp_path, tokenizer="default")
