"""The CLI on subword files (fastText .bin and native): unseen words answered from
n-grams and marked as such; info and convert keep the n-grams."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from wordvec import SubwordVectors, Vectors
from wordvec.cli import main


def run(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def files(fasttext_model, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    path, _ = fasttext_model
    native = tmp_path_factory.mktemp("cli") / "sv.safetensors"
    Vectors.load(path).save(native)
    return {"bin": path, "native": native}


@pytest.mark.parametrize("kind", ["bin", "native"])
def test_queries_answer_unseen_words_and_say_so(capsys, files, fasttext_model, kind) -> None:
    path, ft = files[kind], fasttext_model[1]
    code, out, _ = run(capsys, "neighbors", path, "walkedly", "the", "--topn", "3")
    assert code == 0
    assert "nearest to walkedly (not in the vocabulary, built from n-grams" in out
    assert "nearest to the:" in out
    code, out, _ = run(capsys, "neighbors", path, "walkedly", "--topn", "3", "--json")
    report = json.loads(out)
    assert report["unseen"] == ["walkedly"]
    theirs = [w for _, w in ft.get_nearest_neighbors("walkedly", k=3)]
    assert [x["word"] for x in report["neighbors"]["walkedly"]] == theirs
    code, out, _ = run(capsys, "similarity", path, "théâtre", "the", "--json")
    report = json.loads(out)
    a, b = ft.get_word_vector("théâtre"), ft.get_word_vector("the")
    expected = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert report["unseen"] == ["théâtre"] and report["similarity"] == pytest.approx(expected)
    code, out, _ = run(capsys, "analogy", path, "the", "a", "walkedly", "--topn", "2")
    assert code == 0 and "built from n-grams: walkedly" in out
    code, out, _ = run(capsys, "doesnt-match", path, "the", "a", "walkedly", "--json")
    assert json.loads(out)["unseen"] == ["walkedly"]


def test_plain_vectors_keep_their_reports(capsys, files, tmp_path: Path) -> None:
    vec = tmp_path / "words.vec"
    code, out, _ = run(capsys, "convert", files["bin"], vec)
    assert code == 0 and "(fasttext-bin) -> " in out
    code, out, _ = run(capsys, "similarity", vec, "the", "a", "--json")
    assert "unseen" not in json.loads(out)
    code, _, err = run(capsys, "neighbors", vec, "walkedly")
    assert code != 0 and "not in these vectors" in err


def test_info_and_convert_keep_the_ngrams(capsys, files, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "info", files["bin"], "--json")
    facts = json.loads(out)
    assert facts["format"] == "fasttext-bin"
    assert facts["subword"]["minn"] == 2 and facts["subword"]["bucket"] == 5000
    assert facts["subword"]["model"] == "skipgram" and facts["subword"]["loss"] == "ns"
    code, out, _ = run(capsys, "info", files["native"])
    assert "n-grams of 2-5 characters in 5,000 rows (skipgram, loss ns)" in out
    out_bin = tmp_path / "again.bin"
    code, out, _ = run(capsys, "convert", files["native"], out_bin)
    assert code == 0 and "(fasttext-bin)" in out  # .bin of a subword model: fastText's
    back = Vectors.load(out_bin)
    assert isinstance(back, SubwordVectors) and back.info["epoch"] == 1
    np.testing.assert_array_equal(back["walkedly"], Vectors.load(files["bin"])["walkedly"])
    code, out, _ = run(
        capsys, "convert", files["bin"], tmp_path / "w2v.bin", "--to", "word2vec-binary"
    )
    assert code == 0 and type(Vectors.load(tmp_path / "w2v.bin")) is Vectors


def test_evaluate_builds_unseen_words_from_ngrams_when_asked(capsys, files, tmp_path) -> None:
    code, out, _ = run(capsys, "evaluate", files["native"], "--json")
    skip = json.loads(out)
    code, out, _ = run(capsys, "evaluate", files["native"], "--oov", "ngrams", "--json")
    assert code == 0
    grams = json.loads(out)
    assert grams["oov"] == "ngrams" and skip["oov"] == "skip"
    # the small model misses many test words: n-grams answer pairs that were skipped
    assert grams["similarity"][0]["pairs"] > skip["similarity"][0]["pairs"]
    assert grams["similarity"][0]["skipped"] < skip["similarity"][0]["skipped"]
    assert grams["analogies"]["answered"] > skip["analogies"]["answered"]
    vec = tmp_path / "words.vec"
    run(capsys, "convert", files["bin"], vec)
    code, _, err = run(capsys, "evaluate", vec, "--oov", "ngrams")
    assert code == 2 and "--oov ngrams" in err and "drop --oov" in err
