"""fastText's n-gram rule and hash: references, numba kernels, and the fastText tool."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from wordvec.vectors import subword as S


def _standard_fnv1a(data: bytes) -> int:
    """Textbook FNV-1a (unsigned bytes), to show where fastText's differs."""
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


@pytest.fixture(scope="module")
def corpus_words(shared_data) -> list[str]:
    """Distinct whitespace tokens of 2,000 paragraphs of the bundled novels (accents,
    curly quotes, Greek and ligatures included)."""
    words: dict[str, None] = {}
    with gzip.open(shared_data / "corpus" / "default-books-en.txt.gz", "rt") as f:
        for i, line in enumerate(f):
            if i % 7 == 0:  # spread over the books
                words.update(dict.fromkeys(line.split()))
            if len(words) > 20000:
                break
    got = list(words)
    assert sum(not w.isascii() for w in got) > 100
    return got


def test_fnv1a_is_textbook_on_ascii_and_sign_extends_other_bytes():
    assert S.fnv1a(b"a") == 0xE40C292C == _standard_fnv1a(b"a")
    assert S.fnv1a(b"<where>") == _standard_fnv1a(b"<where>")
    data = "é".encode()
    assert S.fnv1a(data) != _standard_fnv1a(data)
    # byte 0xc3 is XORed as 0xffffffc3
    h = ((2166136261 ^ 0xFFFFFFC3) * 16777619) & 0xFFFFFFFF
    h = ((h ^ 0xFFFFFFA9) * 16777619) & 0xFFFFFFFF
    assert S.fnv1a(data) == h


def test_ngrams_follow_the_fasttext_paper_example():
    # Bojanowski et al. 2017: "where" with n = 3 is <wh, whe, her, ere, re>
    assert S.ngrams("where", 3, 3) == ["<wh", "whe", "her", "ere", "re>"]
    got = S.ngrams("where", 3, 6)
    assert "<where" in got and "where>" in got and "<where>" not in got  # 7 chars > maxn
    assert len(got) == len(set(got)) == 5 + 4 + 3 + 2


def test_ngrams_count_characters_not_bytes():
    assert S.ngrams("日本語", 1, 1) == ["日", "本", "語"]  # "<" and ">" alone are left out
    assert S.ngrams("日本語", 2, 2) == ["<日", "日本", "本語", "語>"]
    assert all(len(g) <= 4 for g in S.ngrams("Phœbus", 1, 4))


def test_special_cases():
    assert S.ngram_bytes(S.EOS) == []
    assert S.ngrams("word", 3, 0) == []
    assert S.ngram_ids("word", 3, 6, bucket=0) == []
    assert S.ngrams("", 1, 3) == ["<>"]
    # a stray continuation byte (kept by unicode_errors="surrogateescape") hashes as is
    word = b"ab\x80c".decode("utf-8", errors="surrogateescape")
    assert S.encode_word(word) == b"ab\x80c"
    assert b"b\x80c" in S.ngram_bytes(word, 2, 2)


@pytest.mark.parametrize(
    ("minn", "maxn", "bucket"), [(3, 6, 2_000_000), (2, 5, 5000), (1, 1, 7), (1, 3, 1), (4, 3, 9)]
)
def test_bulk_kernel_matches_the_reference(corpus_words, minn, maxn, bucket):
    stray = b"\xff\x80x".decode("utf-8", "surrogateescape")
    words = [*corpus_words[:1500], "</s>", "", "日本語", stray]
    ids, offsets = S.bulk_ngram_ids(words, minn, maxn, bucket)
    assert offsets.shape == (len(words) + 1,) and offsets[-1] == ids.size
    for i, w in enumerate(words):
        assert ids[offsets[i] : offsets[i + 1]].tolist() == S.ngram_ids(w, minn, maxn, bucket), w


def test_compose_kernel_matches_the_reference(corpus_words):
    rng = np.random.default_rng(3)
    words = corpus_words[:3000]
    vocab = rng.normal(size=(len(words), 12)).astype(np.float32)
    ngrams = rng.normal(size=(997, 12)).astype(np.float32)
    rows = np.where(np.arange(len(words)) % 3 == 0, -1, np.arange(len(words)))
    got = S.compose(words, rows, vocab, ngrams, 3, 6)
    for i in range(0, len(words), 7):
        ref = S.compose_reference(words[i], int(rows[i]), vocab, ngrams, 3, 6)
        np.testing.assert_allclose(got[i], ref, rtol=1e-6, atol=1e-6)
    # chunked: the same with tiny chunks
    small = S.compose(words[:50], rows[:50], vocab, ngrams, 3, 6)
    np.testing.assert_array_equal(small, got[:50])


def test_compose_gives_zeros_without_rows():
    vocab = np.ones((1, 3), np.float32)
    got = S.compose(["</s>"], np.array([-1]), vocab, np.ones((4, 3), np.float32), 3, 6)
    assert got.tolist() == [[0.0, 0.0, 0.0]]


def test_ngram_ids_equal_the_fasttext_tool(fasttext_model, corpus_words):
    _, model = fasttext_model
    nwords = len(model.words)
    args = model.f.getArgs()
    checked = 0
    for w in [*corpus_words[:3000:3], "日本語", "Phœbus", "naïveté", "zzqx"]:
        subs, ids = model.get_subwords(w)
        own = 1 if model.get_word_id(w) >= 0 else 0
        assert list(subs[own:]) == S.ngrams(w, args.minn, args.maxn), w
        assert (np.asarray(ids[own:]) - nwords).tolist() == S.ngram_ids(
            w, args.minn, args.maxn, args.bucket
        ), w
        checked += not w.isascii()
    assert checked > 10
