"""The genre task end to end (examples/genre_classifier.py) on a slice of the real data:
held-out books, metrics, and a short training run that must clearly beat the majority class."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
# keras 3 on numpy 2 warns about its own __array__ calls; not ours to fix
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "genre_classifier.py"


@pytest.fixture(scope="module")
def gc():
    spec = importlib.util.spec_from_file_location("genre_classifier", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["genre_classifier"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def task_path(shared_data) -> Path:
    return shared_data / "tasks" / "gutenberg-genre.tsv.gz"


@pytest.fixture(scope="module")
def small(gc, task_path):
    """1,500 training paragraphs (300 a genre), 500 test paragraphs (100 a genre)."""
    task = gc.load_task(task_path, train_per_class=300, test_per_class=100, seed=0)
    return gc.prepare(task, min_count=2, max_len=200)


def test_task_file_and_splits(gc, task_path):
    task = gc.load_task(task_path)
    assert task.classes == ["drama", "fiction", "history", "philosophy", "poetry"]
    assert len(task.train) + len(task.test) == 9931
    assert np.bincount(task.train.labels).tolist() == [1500] * 5
    assert not set(task.train.books) & set(task.test.books)  # test books are unseen

    prepared = gc.prepare(task)
    fit_books, val_books = set(prepared.fit.books), set(prepared.val.books)
    assert not fit_books & val_books  # validation = whole held-out training books
    assert set(prepared.val.labels.tolist()) == set(range(5))
    assert set(prepared.fit.labels.tolist()) == set(range(5))
    assert 0.05 < len(prepared.val) / len(task.train) < 0.35
    # the vocabulary comes from the training split only
    test_only = {w for t in prepared.test.texts for w in t.split()} - {
        w for t in prepared.fit.texts + prepared.val.texts for w in t.split()
    }
    assert test_only and not test_only & set(prepared.vocab.tokens)


def test_metrics_agree_with_scikit_learn(gc):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 5, 400)
    y_pred = np.where(rng.random(400) < 0.5, y_true, rng.integers(0, 4, 400))  # class 4 rarer
    assert gc.accuracy(y_true, y_pred) == pytest.approx(metrics.accuracy_score(y_true, y_pred))
    assert gc.macro_f1(y_true, y_pred, 5) == pytest.approx(
        metrics.f1_score(y_true, y_pred, average="macro")
    )


@pytest.mark.parametrize(
    ("framework", "embedding"),
    [("torch", "random"), ("torch", "glove-finetuned"), ("keras", "random")],
)
def test_short_training_beats_the_majority_class(gc, small, shared_data, framework, embedding):
    vectors = None
    if embedding != "random":
        vectors = gc.load_vectors(str(shared_data / "vectors" / "glove.6B.50d.txt.gz"), 50000)
    result = gc.run(
        small,
        framework=framework,
        model="mean",
        embedding=embedding,
        vectors=vectors,
        seed=0,
        epochs=4,
        threads=1,
    )
    majority = np.bincount(small.test.labels).max() / len(small.test)
    assert result.accuracy >= majority + 0.15, result.line()
    assert result.macro_f1 >= 0.30, result.line()
    if vectors is not None:
        vocab_share, token_share = result.coverage
        assert 0.5 < vocab_share < token_share <= 1.0
