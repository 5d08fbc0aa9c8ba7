"""The one-pass corpus encoder and vocabulary builder of the trainer."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from wordvec.train.corpus import build_vocab, encode_corpus


@pytest.fixture(scope="module")
def bench_lines(shared_data: Path) -> list[str]:
    lines = []
    with gzip.open(shared_data / "corpus" / "bench-en.txt.gz", "rt", encoding="utf-8") as f:
        for line in f:
            lines.append(line.rstrip("\n"))
            if len(lines) == 3000:
                break
    return lines


def _decode(enc, words=None) -> list[list[str]]:
    ids = np.fromfile(enc.path, dtype=np.int32)
    words = enc.words if words is None else words
    sentences, cur = [], []
    for i in ids:
        if i < 0:
            sentences.append(cur)
            cur = []
        else:
            cur.append(words[i])
    assert not cur  # the file ends with a sentence end
    return sentences


def test_encode_roundtrips_real_text(tmp_path: Path, bench_lines: list[str]) -> None:
    src = tmp_path / "slice.txt.gz"
    with gzip.open(src, "wt", encoding="utf-8") as f:
        f.write("\n".join(bench_lines) + "\n")
    enc = encode_corpus(src, tmp_path, tokenizer="whitespace", job_words=5000, block_tokens=4096)
    expected = [line.split() for line in bench_lines if line.split()]
    assert _decode(enc) == expected
    assert enc.n_tokens == sum(map(len, expected))
    assert enc.n_sentences == len(expected)
    # counts agree with a plain Counter-style count
    flat = [w for s in expected for w in s]
    uniq, cnt = np.unique(np.array(flat), return_counts=True)
    got = dict(zip(enc.words, enc.counts.tolist()))
    assert got == dict(zip(uniq.tolist(), cnt.tolist()))
    # jobs cover the file, end on sentence ends and hold about job_words tokens
    ids = np.fromfile(enc.path, dtype=np.int32)
    assert enc.bounds[0] == 0 and enc.bounds[-1] == ids.shape[0]
    assert all(ids[b - 1] == -1 for b in enc.bounds[1:])
    sizes = np.diff(enc.bounds)
    assert sizes[:-1].min() >= 5000 and sizes.max() < 5000 + 2 * enc.max_sentence_length + 10


def test_encode_splits_long_sentences(tmp_path: Path) -> None:
    enc = encode_corpus([["a"] * 7, "b c"], tmp_path, tokenizer="whitespace", max_sentence_length=3)
    assert [len(s) for s in _decode(enc)] == [3, 3, 1, 2]
    assert enc.max_sentence_length == 3


def test_encode_empty_corpus(tmp_path: Path) -> None:
    enc = encode_corpus(["", "   "], tmp_path, tokenizer="whitespace")
    assert enc.n_tokens == 0 and enc.words == []


def test_a_device_as_corpus_is_refused_before_any_work() -> None:
    from wordvec.train import Word2Vec

    with pytest.raises(ValueError, match="'/dev/null' is neither a file nor a directory"):
        Word2Vec(progress=False).fit("/dev/null")


def test_build_vocab_sorts_by_count_then_first_appearance(bench_lines: list[str]) -> None:
    words = ["x", "y", "z", "w", "v"]
    counts = np.array([3, 9, 3, 1, 9])
    vocab, vcounts, remap = build_vocab(words, counts, min_count=2, max_vocab=None)
    assert vocab == ["y", "v", "x", "z"]
    assert vcounts.tolist() == [9, 9, 3, 3]
    assert [vocab[remap[i]] if remap[i] >= 0 else None for i in range(5)] == [
        "x", "y", "z", None, "v",
    ]  # fmt: skip
    vocab, _, remap = build_vocab(words, counts, min_count=1, max_vocab=2)
    assert vocab == ["y", "v"] and (remap >= 0).sum() == 2
