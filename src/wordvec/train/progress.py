"""Training progress display: a rich progress bar, or nothing."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any


class NullProgress:
    """A progress display that shows nothing (``progress=False``)."""

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def start_epoch(self, epoch: int, epochs: int, words: int) -> None:
        """Begin epoch ``epoch`` (0-based) of ``epochs`` with ``words`` words to train."""

    def advance(self, words: int, alpha: float, loss: float) -> None:
        """Record ``words`` more words trained at learning rate ``alpha``, mean ``loss``."""

    def message(self, text: str) -> None:
        """Show a one-off status line (e.g. the vocabulary pass)."""


class RichProgress(NullProgress):
    """A rich progress bar: epoch, words/s, learning rate, loss and ETA (on stderr)."""

    def __init__(self, total_words: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[rate]} words/s"),
            TextColumn("lr {task.fields[alpha]:.5f}"),
            TextColumn("loss {task.fields[loss]:.4f}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=False,
        )
        self._task: Any = self._progress.add_task(
            "word2vec", total=max(total_words, 1), rate="-", alpha=0.0, loss=0.0
        )
        self._lock = threading.Lock()
        self._start = time.perf_counter()
        self._done = 0

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start_epoch(self, epoch: int, epochs: int, words: int) -> None:
        self._progress.update(self._task, description=f"epoch {epoch + 1}/{epochs}")

    def advance(self, words: int, alpha: float, loss: float) -> None:
        with self._lock:
            self._done += words
            rate = self._done / max(time.perf_counter() - self._start, 1e-9)
            self._progress.update(
                self._task, advance=words, rate=f"{rate:,.0f}", alpha=alpha, loss=loss
            )

    def message(self, text: str) -> None:
        self._progress.update(self._task, description=text)


def make_progress(progress: bool | str, total_words: int) -> NullProgress:
    """Return the display for a ``progress`` option: True, False or "auto" (stderr is a TTY).

    >>> isinstance(make_progress(False, 10), NullProgress)
    True
    """
    show = sys.stderr.isatty() if progress == "auto" else bool(progress)
    return RichProgress(total_words) if show else NullProgress()
