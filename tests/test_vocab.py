import json
from pathlib import Path

import pytest

from wordvec import Vocab
from wordvec.text import iter_sentences


def test_build_orders_by_count_then_first_appearance():
    v = Vocab.build([["b", "c", "a"], ["a", "c"], ["d"]])
    assert v.tokens == ["<pad>", "<unk>", "c", "a", "b", "d"]
    assert v.pad_index == 0 and v.unk_index == 1
    assert v.counts["c"] == 2 and v.counts["d"] == 1


def test_min_count_max_vocab_and_specials():
    sents = [["x"] * 5 + ["y"] * 3 + ["z"]]
    assert Vocab.build(sents, min_count=2).tokens == ["<pad>", "<unk>", "x", "y"]
    assert Vocab.build(sents, max_vocab=3).tokens == ["<pad>", "<unk>", "x"]
    v = Vocab.build(sents, specials=())
    assert v.tokens == ["x", "y", "z"] and v.pad_index is None and v.unk_index is None
    v = Vocab.build(
        sents, specials=("[PAD]", "[UNK]", "[CLS]"), pad_token="[PAD]", unk_token="[UNK]"
    )
    assert v.index("[CLS]") == 2 and v.encode(["q"]) == [1]


def test_encode_decode_and_errors():
    v = Vocab.build([["a", "b", "a"]])
    assert v.encode(["a", "b", "nope"]) == [2, 3, 1]
    assert v.decode([2, 3, 0]) == ["a", "b", "<pad>"]
    assert v.decode([0, 2], skip_pad=True) == ["a"]
    assert "a" in v and "nope" not in v and ["unhashable"] not in v
    assert v.token(3) == "b" and len(v) == 4
    with pytest.raises(KeyError, match="nope"):
        v.index("nope")
    with pytest.raises(IndexError, match="id 9 at position 1"):
        v.decode([2, 9])
    with pytest.raises(IndexError):
        v.token(-1)
    with pytest.raises(TypeError, match="tokenize"):
        v.encode("a b")
    strict = Vocab.build([["a"]], specials=())
    with pytest.raises(KeyError, match="'zz' at position 1"):
        strict.encode(["a", "zz"])


def test_category_labels_any_hashable():
    labels = [("red",), ("blue",), ("red",), (7,), ((1, 2),)]
    v = Vocab.build(labels, specials=())
    assert v.encode(["red", 7, (1, 2)]) == [0, 2, 3]
    assert v.decode([1]) == ["blue"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="min_count"):
        Vocab.build([["a"]], min_count=0)
    with pytest.raises(ValueError, match="max_vocab"):
        Vocab.build([["a"]], max_vocab=1)
    with pytest.raises(TypeError, match="token lists"):
        Vocab.build(["a plain string"])
    with pytest.raises(ValueError, match="twice"):
        Vocab(["a", "a"], pad_token=None, unk_token=None)
    with pytest.raises(ValueError, match="pad_token"):
        Vocab(["a"], unk_token=None)


def test_save_load_roundtrip_atomic(tmp_path: Path):
    v = Vocab.build([["über", "naïve", "über", "日本"]])
    p = tmp_path / "vocab.json"
    v.save(p)
    w = Vocab.load(p)
    assert w.tokens == v.tokens and w.counts == v.counts
    assert w.pad_index == 0 and w.unk_index == 1
    # a failed save leaves the old file intact and no temp files behind
    bad = Vocab([object()], pad_token=None, unk_token=None)
    with pytest.raises(TypeError, match="JSON"):
        bad.save(p)
    assert Vocab.load(p).tokens == v.tokens
    assert [f.name for f in tmp_path.iterdir()] == ["vocab.json"]
    (tmp_path / "junk.json").write_text(json.dumps({"tokens": []}))
    with pytest.raises(ValueError, match="not a wordvec vocabulary"):
        Vocab.load(tmp_path / "junk.json")


def test_real_corpus_vocabulary(shared_data: Path):
    import itertools

    src = shared_data / "corpus" / "default-books-en.txt.gz"
    v = Vocab.build(itertools.islice(iter_sentences(src), 5000), min_count=3)
    # English function words lead any real vocabulary
    assert v.tokens[2] == "the"
    assert set(v.tokens[2:12]) >= {"the", "and", "of", "to"}
    counts = [v.counts[t] for t in v.tokens[2:]]
    assert counts == sorted(counts, reverse=True)
    assert min(counts) >= 3
