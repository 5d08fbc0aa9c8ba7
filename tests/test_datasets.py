import gzip

import pytest

from wordvec import datasets


def test_bundled_files_exist_and_match_shared(shared_data):
    for name, shared in [
        ("questions-words", shared_data / "eval" / "questions-words.txt"),
        ("wordsim353", shared_data / "eval" / "wordsim353.tsv"),
        ("default-books-en", shared_data / "corpus" / "default-books-en.txt.gz"),
    ]:
        p = datasets.path(name)
        assert p.is_file()
        assert p.read_bytes() == shared.read_bytes()


def test_default_corpus_is_real_text():
    with gzip.open(datasets.default_corpus(), "rt", encoding="utf-8") as f:
        text = f.read(2_000_000)
    assert "Elizabeth" in text and "Darcy" in text
    sent = next(iter(datasets.default_sentences()))
    assert all(isinstance(t, str) and t == t.lower() for t in sent)


def test_questions_words_format():
    lines = datasets.path("questions-words").read_text().splitlines()
    sections = [ln for ln in lines if ln.startswith(":")]
    assert len(sections) == 14
    assert len(lines) - len(sections) == 19544


def test_unknown_name():
    with pytest.raises(ValueError, match="questions-words"):
        datasets.path("simlex")
