import bz2
import gzip
import itertools
import lzma
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wordvec.datasets import default_corpus
from wordvec.text import Sentences, _unicode_tokens, chunk, iter_lines, iter_sentences, tokenize


def test_tokenize_scripts():
    assert tokenize("Người đăng: xin chào!") == ["người", "đăng", "xin", "chào"]
    assert tokenize("Москва — столица России.") == ["москва", "столица", "россии"]
    assert tokenize("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert tokenize("東京に行く") == ["東", "京", "に", "行", "く"]
    assert tokenize("Ελληνικά κείμενα") == ["ελληνικά", "κείμενα"]


def test_tokenize_case_apostrophes_digits():
    assert tokenize("Don't STOP", lowercase=False) == ["Don't", "STOP"]
    assert tokenize("Don’t stop") == ["don't", "stop"]  # typographic apostrophe unified
    assert tokenize("in 1865, at 3.14") == ["in", "1865", "at", "3", "14"]
    assert tokenize("snake_case--dash") == ["snake", "case", "dash"]
    assert tokenize("") == []


def test_tokenize_fast_paths_agree_with_the_full_pattern_on_novels():
    # The ASCII shortcuts (plain ASCII, and ASCII apart from typographic quotes and
    # dashes) must give exactly what the full Unicode pattern gives.
    lines = list(itertools.islice(iter_lines(default_corpus()), 20_000))
    typographic = [line for line in lines if not line.isascii()]
    assert len(typographic) > 5_000  # the novels use curly quotes and dashes a lot
    for line in lines:
        assert tokenize(line) == _unicode_tokens(line.lower()), line


@given(st.text(alphabet="aZ9 '’‘“”—–.,é\u0301ß-_", max_size=40))
def test_tokenize_fast_paths_agree_with_the_full_pattern(text: str) -> None:
    assert tokenize(text, lowercase=False) == _unicode_tokens(text)


def test_tokenize_nfc_normalizes_decomposed_input():
    decomposed = "Ngu\u031bo\u031b\u0300i"  # 'Người' written with combining marks
    assert tokenize(decomposed) == ["người"]


def test_tokenize_rejects_bytes():
    with pytest.raises(TypeError, match="decode"):
        tokenize(b"bytes")


def test_chunk_keeps_every_token():
    tokens = list(range(25))
    pieces = list(chunk(tokens, 10))
    assert [len(p) for p in pieces] == [10, 10, 5]
    assert [t for p in pieces for t in p] == tokens


@pytest.mark.parametrize(
    "opener,suffix", [(open, ""), (gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")]
)
def test_files_any_compression(tmp_path: Path, opener, suffix):
    p = tmp_path / f"c.txt{suffix}"
    with opener(p, "wt", encoding="utf-8") as f:
        f.write("The cat sat.\n\nOn the mat\n")
    assert list(iter_sentences(p)) == [["the", "cat", "sat"], ["on", "the", "mat"]]


def test_directory_and_path_list(tmp_path: Path):
    (tmp_path / "b.txt").write_text("second file\n")
    (tmp_path / "a.txt").write_text("first file\n")
    (tmp_path / ".hidden").write_text("skipped\n")
    assert list(iter_sentences(tmp_path)) == [["first", "file"], ["second", "file"]]
    paths = [tmp_path / "b.txt", tmp_path / "a.txt"]
    assert list(iter_sentences(paths)) == [["second", "file"], ["first", "file"]]


def test_iterables_of_strings_and_token_lists():
    assert list(iter_sentences(["A b", ["X", 3]])) == [["a", "b"], ["X", 3]]
    assert list(iter_sentences(["a  b"], tokenizer="whitespace")) == [["a", "b"]]
    assert list(iter_sentences(["ab"], tokenizer=list)) == [["a", "b"]]


def test_long_lines_are_chunked_without_loss(tmp_path: Path):
    p = tmp_path / "long.txt"
    words = [f"w{i}" for i in range(25_001)]
    p.write_text(" ".join(words) + "\n")
    sents = list(iter_sentences(p))
    assert [len(s) for s in sents] == [10_000, 10_000, 5_001]
    assert [w for s in sents for w in s] == words


def test_missing_path_and_bad_source(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        list(iter_sentences(tmp_path / "nope.txt"))
    with pytest.raises(TypeError, match="corpus"):
        list(iter_lines(42))
    with pytest.raises(ValueError, match="max_sentence_length"):
        list(iter_sentences(["a"], max_sentence_length=0))
    with pytest.raises(TypeError, match="tokenizer"):
        list(iter_sentences(["a"], tokenizer="nltk"))
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    with pytest.raises(ValueError, match="no files"):
        list(iter_sentences(empty))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # not opened: reading it would block until a writer came
    with pytest.raises(ValueError, match="neither a file nor a directory"):
        list(iter_sentences(fifo))


def test_sentences_reiterable_on_real_corpus(shared_data: Path):
    # The first lines of the real corpus, read twice through the same object.
    src = shared_data / "corpus" / "default-books-en.txt.gz"
    s = Sentences(src)
    first = [x for _, x in zip(range(200), s)]
    again = [x for _, x in zip(range(200), s)]
    assert first == again
    words = [w for sent in first for w in sent]
    assert "pride" in words and "prejudice" in words
    assert all(w == w.lower() for w in words)
