"""Analogy and word-pair evaluation against gensim's own evaluators on real GloVe vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wordvec.evaluate import (
    evaluate_analogies,
    evaluate_similarity,
    pearson,
    rankdata,
    spearman,
)
from wordvec.vectors import Vectors

GLOVE = Path("vectors", "glove.6B.50d.txt.gz")
QUESTIONS = Path("eval", "questions-words.txt")
WORDSIM = Path("eval", "wordsim353.tsv")


@pytest.fixture(scope="module")
def glove(shared_data: Path) -> Vectors:
    return Vectors.load(shared_data / GLOVE, limit=100_000)


@pytest.fixture(scope="module")
def kv(glove: Vectors):
    gensim = pytest.importorskip("gensim")
    kv = gensim.models.KeyedVectors(glove.dim)
    kv.add_vectors(glove.words, np.array(glove.vectors))
    return kv


@pytest.fixture(scope="module")
def question_sample(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every 25th question of each section (gensim answers one at a time: keep it quick)."""
    out, kept = [], 0
    for line in (shared_data / QUESTIONS).read_text(encoding="utf-8").splitlines():
        if line.startswith(": "):
            out.append(line)
            kept = 0
        else:
            if kept % 25 == 0:
                out.append(line)
            kept += 1
    path = tmp_path_factory.mktemp("eval") / "questions-sample.txt"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_analogies_agree_with_gensim(glove: Vectors, kv, question_sample: Path) -> None:
    ours = evaluate_analogies(glove, question_sample, restrict_vocab=30000)
    score, sections = kv.evaluate_word_analogies(str(question_sample), restrict_vocab=30000)
    assert ours.accuracy == pytest.approx(score, abs=1e-4)
    theirs = {s["section"]: (len(s["correct"]), len(s["incorrect"])) for s in sections}
    for s in ours.sections:
        assert (s.correct, s.incorrect) == theirs[s.name]
    assert (ours.total.correct, ours.total.incorrect) == theirs["Total accuracy"]
    assert ours.skipped > 0  # the sample has questions with rarer words
    assert ours.questions == ours.total.total + ours.skipped
    assert 0.3 < ours.accuracy < 0.8  # a sanity range, far from chance and from perfect


def test_analogies_on_the_whole_bundled_set(shared_data: Path, glove: Vectors) -> None:
    datasets = pytest.importorskip("wordvec.datasets")
    assert datasets.path("questions-words").read_bytes() == (shared_data / QUESTIONS).read_bytes()
    result = evaluate_analogies(glove)  # the bundled questions-words.txt
    assert result.questions == 19544  # the Google set (see the shared data README)
    assert len(result.sections) == 14
    assert result.total.total + result.skipped == result.questions
    assert result.oov_percent == pytest.approx(100 * result.skipped / 19544)


def test_similarity_agrees_with_gensim(shared_data: Path, glove: Vectors, kv) -> None:
    ours = evaluate_similarity(glove, shared_data / WORDSIM, restrict_vocab=100_000)
    p, s, oov = kv.evaluate_word_pairs(str(shared_data / WORDSIM), restrict_vocab=100_000)
    assert ours.pearson == pytest.approx(p[0], abs=1e-4)
    assert ours.spearman == pytest.approx(s[0], abs=1e-4)
    assert ours.oov_percent == pytest.approx(oov, abs=1e-4)
    small = evaluate_similarity(glove, shared_data / WORDSIM, restrict_vocab=2000)
    p, s, oov = kv.evaluate_word_pairs(str(shared_data / WORDSIM), restrict_vocab=2000)
    assert (small.pearson, small.spearman) == pytest.approx((p[0], s[0]), abs=1e-4)
    assert small.oov_percent == pytest.approx(oov, abs=1e-4) and small.oov_percent > 0
    with pytest.warns(DeprecationWarning, match="oov_percent"):  # the old, misleading name
        assert small.oov_ratio == small.oov_percent
    assert evaluate_similarity(glove).pairs == ours.pairs  # the bundled WordSim-353


@pytest.mark.parametrize("case_insensitive", [True, False])
def test_case_handling_as_gensim(tmp_path: Path, case_insensitive: bool) -> None:
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(5)
    words = ["King", "man", "woman", "queen", "king", "Queen", "Man", "prince", "girl", "boy"]
    v = Vectors(words, rng.standard_normal((10, 6)))
    kv = gensim.models.KeyedVectors(6)
    kv.add_vectors(words, np.array(v.vectors))
    q = tmp_path / "q.txt"
    q.write_text(
        ": family\nman king woman queen\nMan King girl Queen\nboy prince girl queen\n"
        ": other\nman woman king queen\nking queen emu emu\n"
    )
    ours = evaluate_analogies(v, q, restrict_vocab=8, case_insensitive=case_insensitive)
    score, sections = kv.evaluate_word_analogies(
        str(q), restrict_vocab=8, case_insensitive=case_insensitive
    )
    assert ours.accuracy == pytest.approx(score)
    assert [(s.correct, s.incorrect) for s in ours.sections] == [
        (len(s["correct"]), len(s["incorrect"])) for s in sections[:-1]
    ]
    pairs = tmp_path / "p.tsv"
    pairs.write_text(
        "# comment\nking\tQueen\t8\nman\twoman\t6\nKing\tboy\t2\nemu\tman\t1\n"
        "bad line\ngirl\tboy\t7\n"
    )
    ours_s = evaluate_similarity(v, pairs, restrict_vocab=9, case_insensitive=case_insensitive)
    p, s, oov = kv.evaluate_word_pairs(
        str(pairs), restrict_vocab=9, case_insensitive=case_insensitive
    )
    assert (ours_s.pearson, ours_s.spearman, ours_s.oov_percent) == pytest.approx((p[0], s[0], oov))


def test_rank_statistics_match_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(2)
    x = rng.integers(0, 10, 200).astype(float)  # many ties
    y = x + rng.normal(0, 3, 200)
    assert np.array_equal(rankdata(x), stats.rankdata(x))
    assert pearson(x, y) == pytest.approx(stats.pearsonr(x, y)[0], abs=1e-12)
    assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y)[0], abs=1e-12)
    with pytest.raises(ValueError, match="same length"):
        pearson(x, y[:5])


def test_evaluation_errors(glove: Vectors, tmp_path: Path) -> None:
    q = tmp_path / "q.txt"
    q.write_text("man king woman queen\n")
    with pytest.raises(ValueError, match=r"line 1.*section"):
        evaluate_analogies(glove, q)
    p = tmp_path / "p.tsv"
    p.write_text("zzzqx\tqqqzx\t3\n")
    with pytest.raises(ValueError, match="no word pair"):
        evaluate_similarity(glove, p)
    with pytest.raises(ValueError, match="restrict_vocab"):
        evaluate_analogies(glove, q, restrict_vocab=0)
