"""SubwordVectors: vocabulary vs vector questions, queries with unseen words, native files,
evaluation and transfer — checked against the fastText tool's own vectors."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from wordvec import SubwordVectors, Vectors, Vocab
from wordvec.evaluate import evaluate_analogies, evaluate_similarity
from wordvec.text import tokenize
from wordvec.transfer import coverage, embedding_matrix
from wordvec.vectors import subword as S
from wordvec.vectors.formats import native

UNSEEN = ["unseenwordxyz", "Adèle", "théâtre", "日本語", "walkedly"]


@pytest.fixture(scope="module")
def sv(fasttext_model) -> SubwordVectors:
    got = Vectors.load(fasttext_model[0])
    assert isinstance(got, SubwordVectors)
    return got


@pytest.fixture(scope="module")
def ft(fasttext_model):
    return fasttext_model[1]


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))


def test_vocabulary_and_vectors_are_two_questions(sv: SubwordVectors) -> None:
    seen = sv.words[10]
    assert seen in sv and sv.has_vector(seen) and sv.index(seen) == 10
    for w in UNSEEN:
        assert w not in sv and sv.has_vector(w)
        with pytest.raises(KeyError, match="not in these vectors"):
            sv.index(w)
    assert len(sv) == len(sv.words) and list(sv)[:3] == sv.words[:3]
    assert not sv.has_vector(42)
    assert "n-grams 2-5 in 5000 buckets" in repr(sv)


def test_lookups_compose_unseen_words(sv: SubwordVectors, ft) -> None:
    for w in UNSEEN:
        ref = S.compose_reference(w, -1, sv.vectors_vocab, sv.vectors_ngrams, sv.minn, sv.maxn)
        np.testing.assert_allclose(sv[w], ref, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(sv.get(w), ft.get_word_vector(w), atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(sv.unit_vector(w)), 1.0, rtol=1e-6)
    batch = sv[[sv.words[0], *UNSEEN]]
    assert batch.shape == (len(UNSEEN) + 1, sv.dim) and not batch.flags.writeable
    np.testing.assert_array_equal(batch[0], sv.vectors[0])
    np.testing.assert_allclose(batch[1:], np.stack([sv[w] for w in UNSEEN]), atol=1e-7)


def test_words_without_any_vector(tmp_path: Path, sv: SubwordVectors) -> None:
    plain = SubwordVectors(sv.words[:20], sv.vectors_vocab[:20], np.zeros((0, sv.dim)), 3, 0)
    assert not plain.has_vector("unseenwordxyz") and plain.get("unseenwordxyz") is None
    with pytest.raises(KeyError, match="no character n-grams"):
        plain["unseenwordxyz"]
    with pytest.raises(KeyError, match="no character n-grams"):
        plain[[plain.words[0], "unseenwordxyz"]]
    np.testing.assert_array_equal(plain.vectors, sv.vectors_vocab[:20])  # copied exactly


def test_queries_take_unseen_words(sv: SubwordVectors, ft) -> None:
    for w in UNSEEN[:3]:
        q = sv[w] / np.linalg.norm(sv[w])
        brute = np.sort(sv.unit @ q)[::-1][:10]
        got = sv.most_similar(w, topn=10)
        # (scores, not names: this tiny model has near-ties)
        np.testing.assert_allclose([s for _, s in got], brute, atol=1e-5)
        for x, s in got:
            assert x in sv and s == pytest.approx(_cos(sv[x], sv[w]), abs=1e-5)
        # the fastText tool's own neighbour search finds the same scores
        theirs = [s for s, _ in ft.get_nearest_neighbors(w, k=10)]
        np.testing.assert_allclose([s for _, s in got], theirs, atol=1e-5)
    a, b = "théâtre", sv.words[30]
    assert sv.similarity(a, b) == pytest.approx(
        _cos(ft.get_word_vector(a), ft.get_word_vector(b)), abs=1e-5
    )
    assert sv.similarity(a, b) == pytest.approx(sv.similarity(b, a))
    answer, _ = sv.analogy(sv.words[40], sv.words[41], "walkedly")
    assert answer in sv and answer not in (sv.words[40], sv.words[41])
    assert sv.most_similar_cosmul(["walkedly"], topn=1)[0][0] in sv
    odd = sv.doesnt_match(["Adèle", "Adele", "théâtre", "the"])
    assert odd in ("Adèle", "Adele", "théâtre", "the")
    expected = _cos(sv[["walkedly", "the"]].mean(0), sv[["unseenwordxyz"]].mean(0))
    assert sv.n_similarity(["walkedly", "the"], ["unseenwordxyz"]) == pytest.approx(expected)


def test_state_is_read_only_and_checked(sv: SubwordVectors) -> None:
    with pytest.raises(AttributeError, match="composed"):
        sv.vectors = sv.vectors
    assert not sv.vectors_ngrams.flags.writeable and not sv.vectors_vocab.flags.writeable
    rows = np.ones((2, 3))
    with pytest.raises(ValueError, match="minn <= maxn"):
        SubwordVectors(["a", "b"], rows, np.ones((5, 3)), minn=4, maxn=3)
    with pytest.raises(ValueError, match="no n-gram rows"):
        SubwordVectors(["a", "b"], rows, np.zeros((0, 3)), minn=3, maxn=6)
    with pytest.raises(ValueError, match="same dimension"):
        SubwordVectors(["a", "b"], rows, np.ones((5, 4)))
    with pytest.raises(ValueError, match="NaN"):
        SubwordVectors(["a", "b"], rows, np.full((5, 3), np.nan))


def test_native_round_trip_is_exact_and_mapped(sv: SubwordVectors, tmp_path: Path) -> None:
    path = tmp_path / "sv.safetensors"
    sv.save(path)
    back = Vectors.load(path)
    assert isinstance(back, SubwordVectors) and back.words == sv.words
    assert (back.minn, back.maxn, back.bucket) == (sv.minn, sv.maxn, sv.bucket)
    for name in ("vectors", "vectors_vocab", "vectors_ngrams", "counts"):
        assert getattr(back, name).tobytes() == getattr(sv, name).tobytes(), name
    assert isinstance(back.vectors_ngrams.base, np.memmap) or isinstance(
        back.vectors_ngrams.base.base, np.memmap
    )
    np.testing.assert_array_equal(back["walkedly"], sv["walkedly"])
    # a plain native reader sees the composed word vectors
    plain = native.read(path)
    np.testing.assert_array_equal(plain.vectors, sv.vectors)
    # limit, no mmap, compressed
    small = Vectors.load(path, limit=50, mmap=False)
    assert small.words == sv.words[:50] and small.bucket == sv.bucket
    gz = tmp_path / "sv.safetensors.gz"
    sv.save(gz)
    np.testing.assert_array_equal(Vectors.load(gz)["théâtre"], sv["théâtre"])


def test_vec_export_holds_the_composed_words(sv: SubwordVectors, tmp_path: Path, ft) -> None:
    path = tmp_path / "sv.vec"
    sv.save(path, format="fasttext")
    back = Vectors.load(path)
    assert type(back) is Vectors and back.words == sv.words
    np.testing.assert_array_equal(back.vectors, sv.vectors)
    np.testing.assert_allclose(back[sv.words[5]], ft.get_word_vector(sv.words[5]), atol=1e-5)
    with pytest.raises(TypeError, match="without n-grams"):
        SubwordVectors.load(path)


def test_evaluation_can_build_unseen_words(sv: SubwordVectors, ft) -> None:
    skip = evaluate_similarity(sv, restrict_vocab=3000)
    built = evaluate_similarity(sv, restrict_vocab=3000, oov="ngrams")
    assert built.pairs > skip.pairs and built.skipped == 0 and skip.skipped > 100
    # the cosines behind it are fastText's: recompute the correlation from the tool
    from wordvec import datasets
    from wordvec.evaluate import spearman

    first: dict[str, int] = {}  # gensim's rule: the first spelling of any case
    for i, w in enumerate(sv.words[:3000]):
        first.setdefault(w.upper(), i)

    def vector(word: str) -> np.ndarray:
        row = first.get(word.upper())
        return ft.get_word_vector(word.lower()) if row is None else sv.vectors[row]

    gold, model = [], []
    for line in datasets.path("wordsim353").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, b, score = line.split("\t")
        gold.append(float(score))
        model.append(_cos(vector(a), vector(b)))
    assert built.spearman == pytest.approx(spearman(np.array(gold), np.array(model)), abs=1e-4)
    ana_skip = evaluate_analogies(sv, restrict_vocab=3000)
    ana_built = evaluate_analogies(sv, restrict_vocab=3000, oov="ngrams")
    assert ana_built.skipped < ana_skip.skipped
    assert ana_built.total.total + ana_built.skipped == ana_skip.total.total + ana_skip.skipped
    plain = Vectors(sv.words, sv.vectors)
    with pytest.raises(ValueError, match="SubwordVectors"):
        evaluate_similarity(plain, oov="ngrams")
    with pytest.raises(ValueError, match="oov"):
        evaluate_analogies(sv, oov="maybe")


def test_embedding_matrix_fills_unseen_tokens_from_ngrams(
    sv: SubwordVectors, ft, shared_data: Path
) -> None:
    with gzip.open(shared_data / "tasks" / "gutenberg-genre.tsv.gz", "rt") as f:
        texts = [line.split("\t")[3] for _, line in zip(range(400), f)][1:]
    vocab = Vocab.build(tokenize(t, lowercase=False) for t in texts)
    plain = Vectors(sv.words, sv.vectors)
    before = coverage(vocab, plain)
    after = coverage(vocab, sv)
    assert after.from_ngrams > 100 and after.found == before.found + after.from_ngrams
    assert after.missing < before.missing and "built from n-grams" in str(after)
    matrix = embedding_matrix(vocab, sv, oov="zeros")
    assert not matrix[vocab.pad_index].any() and not matrix[vocab.unk_index].any()
    unseen = [
        t for t in vocab.tokens[2:] if t not in sv and t.lower() not in sv and sv.has_vector(t)
    ]
    assert len(unseen) == after.from_ngrams
    for t in unseen[:40]:
        np.testing.assert_allclose(matrix[vocab.index(t)], ft.get_word_vector(t), atol=1e-5)


def test_bridges_and_plots_take_subword_vectors(sv: SubwordVectors, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    from wordvec.plot import plot_words
    from wordvec.torch import embedding

    vocab = Vocab.build([["the", "walkedly", "Adèle", "the"]])
    layer = embedding(sv, vocab, oov="zeros")
    for token in ("walkedly", "Adèle", "the"):
        row = layer.weight[vocab.index(token)].detach().numpy()
        np.testing.assert_allclose(row, sv[token], atol=1e-7)
    assert not torch.any(layer.weight[vocab.pad_index])
    png = tmp_path / "words.png"
    plot_words(sv, ["walkedly", "the"], png, neighbors=3, width=320, height=240)
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_compact_storage_is_refused_clearly(sv: SubwordVectors, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="float32"):
        sv.save(tmp_path / "sv.safetensors", dtype="int8")
    sv.save(tmp_path / "sv.safetensors", dtype="float32")
    assert isinstance(Vectors.load(tmp_path / "sv.safetensors"), SubwordVectors)


def test_an_index_is_saved_beside_a_subword_file_and_found_by_load(sv, tmp_path: Path) -> None:
    pytest.importorskip("faiss")
    copy = Vectors.load(_saved(sv, tmp_path / "plain.safetensors"), index="ignore")
    copy.build_index("hnsw")
    path = tmp_path / "indexed.safetensors"
    copy.save(path)
    assert Path(str(path) + ".ann").is_file()
    back = Vectors.load(path, index="require")
    assert isinstance(back, SubwordVectors) and back.neighbor_index is not None
    for word in ("the", "walkedly"):  # in the vocabulary, and built from n-grams
        exact = [w for w, _ in back.most_similar(word, topn=5, approximate=False)]
        approx = [w for w, _ in back.most_similar(word, topn=5, approximate=True)]
        assert len(set(exact) & set(approx)) >= 4


def _saved(sv: SubwordVectors, path: Path) -> Path:
    sv.save(path)
    return path
