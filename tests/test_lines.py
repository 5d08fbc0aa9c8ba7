"""Reading real-world text files: long lines in bounded pieces, stray bytes located or
tolerated, and the everyday oddities (CRLF, BOM, NUL, no final newline, hidden files)."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest

import wordvec._lines as lines_mod
from wordvec._lines import (
    BinaryFileError,
    ReadStats,
    TextDecodeError,
    check_encoding,
    read_lines,
    read_pieces,
)
from wordvec.datasets import default_corpus
from wordvec.evaluate import evaluate_analogies, evaluate_similarity
from wordvec.text import chunk, iter_lines, iter_sentences, tokenize
from wordvec.train.corpus import encode_corpus
from wordvec.vectors import Vectors


@pytest.fixture(scope="module")
def novel_lines() -> list[str]:
    """The first 3,000 paragraphs of the bundled novels (real English, curly quotes)."""
    return list(itertools.islice(iter_lines(default_corpus()), 3000))


def _sentences(path: Path, **kw) -> list[list[str]]:
    return list(iter_sentences(path, **kw))


# ------------------------------------------------------------------ long lines


@pytest.mark.parametrize("tokenizer", ["default", "whitespace"])
def test_one_long_line_gives_the_sentences_of_the_whole_line(
    tmp_path, monkeypatch, novel_lines, tokenizer
) -> None:
    text = " ".join(novel_lines)  # text8-style: the whole corpus on one line
    path = tmp_path / "one-line.txt"
    path.write_text(text + "\n", encoding="utf-8")
    monkeypatch.setattr(lines_mod, "PIECE_BYTES", 4096)  # many pieces, as a 700 MB line
    tok = tokenize if tokenizer == "default" else str.split
    expected = list(chunk(tok(text), 1000))
    got = _sentences(path, tokenizer=tokenizer, max_sentence_length=1000)
    assert len(got) > 20
    assert got == expected


def test_long_line_pieces_are_bounded_and_cut_at_whitespace(tmp_path, novel_lines) -> None:
    text = " ".join(novel_lines)
    path = tmp_path / "one-line.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(text)  # no final newline either
    pieces = list(read_pieces(path, piece_bytes=8192))
    assert len(pieces) > 50
    assert all(len(p.encode()) <= 2 * 8192 for p, _ in pieces)
    assert [c for _, c in pieces] == [False] * (len(pieces) - 1) + [True]
    assert all(p[-1].isspace() for p, _ in pieces[:-1])  # cut right after a space
    assert "".join(p for p, _ in pieces) == text


def test_long_runs_without_spaces_are_cut_at_character_boundaries(tmp_path, monkeypatch):
    # Chinese is written without spaces; the default tokenizer makes each ideograph a
    # token, so even a cut inside the run changes nothing.
    text = "我爱北京天安门。" * 5000
    path = tmp_path / "zh.txt"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(lines_mod, "PIECE_BYTES", 1001)  # not a multiple of 3 bytes
    assert "".join(p for p, _ in read_pieces(path)) == text
    assert _sentences(path, max_sentence_length=500) == list(chunk(tokenize(text), 500))


def test_encode_corpus_of_one_long_line_equals_the_paragraphs(tmp_path, novel_lines, monkeypatch):
    one = tmp_path / "one.txt"
    one.write_text(" ".join(novel_lines), encoding="utf-8")
    monkeypatch.setattr(lines_mod, "PIECE_BYTES", 1 << 14)
    enc = encode_corpus(one, tmp_path, tokenizer="whitespace", max_sentence_length=10_000)
    flat = " ".join(novel_lines).split()
    assert enc.n_tokens == len(flat)
    assert enc.n_sentences == -(-len(flat) // 10_000)
    assert enc.words[:5] == list(dict.fromkeys(flat))[:5]


# ------------------------------------------------------------------ undecodable bytes


def _latin1_corpus(tmp_path: Path) -> tuple[Path, int]:
    """A UTF-8 corpus with one Latin-1 line (b'caf\\xe9') at line 3; returns the offset."""
    good = b"the whale swam\nunder the ship\n"
    path = tmp_path / "web.txt"
    path.write_bytes(good + b"a caf\xe9 by the sea\ncall me ishmael\n")
    return path, len(good) + len(b"a caf")


def test_strict_decoding_names_file_line_and_offset(tmp_path) -> None:
    path, offset = _latin1_corpus(tmp_path)
    with pytest.raises(TextDecodeError) as info:
        _sentences(path)
    e = info.value
    assert (e.path, e.line, e.offset, e.encoding) == (str(path), 3, offset, "utf-8")
    message = str(e)
    assert "web.txt" in message and "line 3" in message and f"byte offset {offset}" in message
    assert "--encoding-errors" in message and "encoding=" in message
    assert isinstance(e, ValueError)  # the CLI turns it into exit 2


def test_the_error_is_located_in_a_later_block_and_a_compressed_file(tmp_path) -> None:
    filler = b"word " * 1000 + b"\n"  # 5,001 bytes a line
    path = tmp_path / "big.txt.gz"
    with gzip.open(path, "wb") as f:
        f.write(filler * 40 + b"bad \xff byte\n")
    with pytest.raises(TextDecodeError) as info:
        list(read_pieces(path, piece_bytes=4096))
    assert info.value.line == 41 and info.value.offset == 40 * len(filler) + 4


@pytest.mark.parametrize(("policy", "word"), [("replace", "caf\ufffd"), ("ignore", "caf")])
def test_tolerant_decoding_counts_the_lines(tmp_path, policy, word) -> None:
    path, _ = _latin1_corpus(tmp_path)
    stats = ReadStats()
    got = _sentences(path, tokenizer="whitespace", encoding_errors=policy, stats=stats)
    assert got[2] == ["a", word, "by", "the", "sea"] and len(got) == 4
    assert stats.lines_with_errors == 1
    enc = encode_corpus(path, tmp_path, tokenizer="whitespace", encoding_errors=policy)
    assert enc.read_stats.lines_with_errors == 1 and enc.n_tokens == 14


def test_the_right_encoding_reads_latin1_and_utf16(tmp_path) -> None:
    path, _ = _latin1_corpus(tmp_path)
    assert _sentences(path, encoding="latin-1")[2] == ["a", "café", "by", "the", "sea"]
    utf16 = tmp_path / "utf16.txt"
    utf16.write_text("Người đăng\r\nxin chào\n", encoding="utf-16")
    assert _sentences(utf16, encoding="utf-16") == [["người", "đăng"], ["xin", "chào"]]


def test_encoding_options_are_validated() -> None:
    with pytest.raises(LookupError, match="unknown encoding 'utf-9'"):
        check_encoding("utf-9", "strict")
    with pytest.raises(ValueError, match="encoding_errors must be one of"):
        list(iter_sentences(["a"], encoding_errors="skip"))


# ------------------------------------------------------------------ everyday oddities


def test_windows_line_endings_bom_and_missing_final_newline(tmp_path) -> None:
    unix = tmp_path / "unix.txt"
    unix.write_bytes(b"one two\n\nthree\n")
    windows = tmp_path / "windows.txt"
    windows.write_bytes(b"\xef\xbb\xbfone two\r\n\r\nthree")  # BOM, CRLF, no final newline
    expected = [["one", "two"], ["three"]]  # the empty line is no sentence
    assert _sentences(unix, tokenizer="whitespace") == expected
    assert _sentences(windows, tokenizer="whitespace") == expected
    assert list(read_lines(windows)) == ["one two", "", "three"]


def test_nul_bytes_inside_text_separate_words(tmp_path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(b"word " * 3000 + b"\nleft\x00right\n")  # past the binary sniff
    assert _sentences(path, tokenizer="whitespace")[-1] == ["left", "right"]


def test_directory_skips_hidden_files_and_names_a_binary_one(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / ".git").mkdir(parents=True)
    (corpus / "a.txt").write_text("the whale\n")
    (corpus / ".notes.txt").write_text("hidden words\n")
    (corpus / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert _sentences(corpus) == [["the", "whale"]]
    png = corpus / "cover.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(BinaryFileError, match=r"cover\.png.*binary file.*NUL byte at offset 8"):
        _sentences(corpus)
    stats = ReadStats()
    assert _sentences(corpus, encoding_errors="replace", stats=stats) == [["the", "whale"]]
    assert stats.skipped_files == [str(png)]


# ------------------------------------------------------------------ evaluation sets


def test_evaluation_sets_take_an_encoding(tmp_path) -> None:
    vectors = Vectors(
        ["man", "king", "woman", "queen", "café", "tea"],
        [[1, 0, 0.1], [1, 1, 0], [0, 0, 1], [0, 1, 1], [0.5, 0.5, 0], [0.4, 0.6, 0]],
    )
    questions = tmp_path / "q.txt"
    questions.write_bytes(b": toy\nman king woman queen\ncaf\xe9 tea man king\n")
    with pytest.raises(TextDecodeError, match=r"q\.txt', line 3"):
        evaluate_analogies(vectors, questions)
    result = evaluate_analogies(vectors, questions, encoding="latin-1")
    assert result.questions == 2 and result.lines_with_errors == 0
    result = evaluate_analogies(vectors, questions, encoding_errors="replace")
    assert result.questions == 2 and result.skipped == 1 and result.lines_with_errors == 1
    pairs = tmp_path / "pairs.tsv"
    pairs.write_bytes(b"man\tking\t5\ncaf\xe9\ttea\t8\nwoman\tqueen\t6\n")
    with pytest.raises(TextDecodeError, match="line 2"):
        evaluate_similarity(vectors, pairs)
    assert evaluate_similarity(vectors, pairs, encoding="cp1252").pairs == 3
    assert evaluate_similarity(vectors, pairs, encoding_errors="ignore").lines_with_errors == 1
