"""The training progress display: what a user sees while `fit` reads and trains."""

from __future__ import annotations

import io
import itertools

import pytest
from rich.console import Console

from wordvec.datasets import default_corpus
from wordvec.text import iter_sentences
from wordvec.train import Word2Vec
from wordvec.train.progress import NullProgress, RichProgress, make_progress


class _Recording(RichProgress):
    """A RichProgress drawing into a string, 80 columns wide, with every update kept."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        super().__init__(Console(file=self.out, width=80, force_terminal=True))
        self.readings: list[int] = []

    def reading(self, tokens: int) -> None:
        self.readings.append(tokens)
        super().reading(tokens)

    def lines(self) -> list[str]:
        """The final screen: the last state of each line, without colour codes."""
        console = Console(file=io.StringIO(), width=80, force_terminal=False)
        console.print(self._progress.get_renderable())
        return [ln for ln in console.file.getvalue().splitlines() if ln.strip()]


@pytest.fixture(scope="module")
def books_sentences() -> list[list[str]]:
    """About 150k tokens of the bundled novels, tokenized."""
    sentences = list(itertools.islice(iter_sentences(default_corpus()), 3000))
    # Load the kernels before any display is live: numba's first use can set up
    # colorama, which would keep a handle on the display's stdout proxy.
    Word2Vec(dim=4, min_count=1, epochs=1, workers=1, progress=False).fit(sentences[:50])
    return sentences


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> _Recording:
    rec = _Recording()
    monkeypatch.setattr("wordvec.train._engine.make_progress", lambda option, *labels: rec)
    return rec


def test_fit_shows_reading_then_epochs_within_80_columns(
    recording: _Recording, books_sentences: list[list[str]]
) -> None:
    model = Word2Vec(dim=16, min_count=2, epochs=2, workers=2, progress=True)
    model.fit(books_sentences)
    n_tokens = sum(len(s) for s in books_sentences)
    # reading reports a growing count that ends at the corpus size
    assert recording.readings == sorted(recording.readings)
    assert recording.readings[-1] == n_tokens
    reading, training = recording.lines()
    assert reading.startswith("reading") and "tokens/s" in reading and " in " in reading
    assert training.startswith("epoch 2/2") and "100%" in training
    assert "words/s" in training and "lr 0.0001" in training and "eta 0:00" in training
    assert all(len(line) <= 80 for line in (reading, training))


def test_loss_shown_is_the_models_running_mean(
    recording: _Recording, books_sentences: list[list[str]]
) -> None:
    model = Word2Vec(dim=16, min_count=2, epochs=1, workers=1, progress=True)
    model.fit(books_sentences)
    training = recording.lines()[1]
    shown = float(training.split("loss ")[1].split()[0])
    assert shown == pytest.approx(model.losses[-1], abs=5e-4)


def test_progress_option_picks_the_display(monkeypatch: pytest.MonkeyPatch) -> None:
    assert type(make_progress(False)) is NullProgress
    assert isinstance(make_progress(True), RichProgress)
    monkeypatch.setattr("sys.stderr", io.StringIO())  # not a terminal
    assert type(make_progress("auto")) is NullProgress
