"""Training progress display: a rich progress bar on stderr, or nothing.

One display covers a whole ``fit``: first the pass that reads the corpus (tokens read
and their rate; the total is unknown until the end), then the training epochs (bar,
percentage, speed, rate, loss and time left). The trainer names what training counts
(``unit``: "words" for word2vec, "entries" for GloVe), the label of its rate (``rate``:
"lr" for linear decay, "" to hide a constant AdaGrad rate) and of the figure it
minimizes (``metric``: "loss" or "cost"). Each line fits in 80 columns.
"""

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

    def reading(self, tokens: int) -> None:
        """Record that ``tokens`` tokens of the corpus have been read so far."""

    def start_training(self, total: int) -> None:
        """End the reading line and start the training bar for ``total`` units."""

    def start_epoch(self, epoch: int, epochs: int, units: int) -> None:
        """Begin epoch ``epoch`` (0-based) of ``epochs`` with ``units`` units to train."""

    def advance(self, units: int, rate: float, metric: float) -> None:
        """Record ``units`` more units trained at ``rate``, with the epoch's mean ``metric``."""


def _count(n: float) -> str:
    """Return ``n`` in a few characters: 950, 12.3k, 4.56M.

    >>> _count(950), _count(12_345), _count(4_560_000)
    ('950', '12.3k', '4.56M')
    """
    if n >= 1e6:
        return f"{n / 1e6:.2f}M"
    if n >= 1e3:
        return f"{n / 1e3:.1f}k"
    return f"{n:.0f}"


def _clock(seconds: float) -> str:
    """Return ``seconds`` as m:ss or h:mm:ss.

    >>> _clock(75), _clock(3725)
    ('1:15', '1:02:05')
    """
    s = int(seconds + 0.5)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class RichProgress(NullProgress):
    """A rich progress display on stderr (or on ``console``, for tests).

    >>> import io
    >>> from rich.console import Console
    >>> out = io.StringIO()
    >>> with RichProgress(Console(file=out, width=80, force_terminal=False)) as p:
    ...     p.reading(1000)
    ...     p.start_training(2000)
    ...     p.start_epoch(0, 1, 2000)
    ...     p.advance(2000, 0.0001, 2.5)
    >>> "epoch 1/1" in out.getvalue() and "loss 2.500" in out.getvalue()
    True
    """

    def __init__(
        self, console: Any = None, unit: str = "words", rate: str = "lr", metric: str = "loss"
    ) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description:<9}"),
            BarColumn(bar_width=15),
            TaskProgressColumn(),
            TextColumn("{task.fields[info]}"),
            console=console if console is not None else Console(file=sys.stderr),
            transient=False,
        )
        self._unit, self._rate, self._metric = unit, rate, metric
        self._lock = threading.Lock()
        self._start = time.perf_counter()
        self._read = self._progress.add_task("reading", total=None, info="")
        self._read_info = ""
        self._train: Any = None
        self._total = 0
        self._done = 0

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def reading(self, tokens: int) -> None:
        rate = tokens / max(time.perf_counter() - self._start, 1e-9)
        self._read_info = f"{_count(tokens)} tokens, {_count(rate)} tokens/s"
        self._progress.update(self._read, info=self._read_info)

    def start_training(self, total: int) -> None:
        elapsed = time.perf_counter() - self._start
        info = f"{self._read_info or 'done'} in {elapsed:.1f} s"
        self._progress.update(self._read, total=1, completed=1, info=info)
        self._total = max(total, 1)
        self._train = self._progress.add_task("training", total=self._total, info="")
        self._start = time.perf_counter()
        self._done = 0

    def start_epoch(self, epoch: int, epochs: int, units: int) -> None:
        self._progress.update(self._train, description=f"epoch {epoch + 1}/{epochs}")

    def advance(self, units: int, rate: float, metric: float) -> None:
        with self._lock:
            self._done += units
            elapsed = max(time.perf_counter() - self._start, 1e-9)
            speed = self._done / elapsed
            left = max(self._total - self._done, 0) / max(speed, 1e-9)
            lr = f" {self._rate} {rate:.4f}" if self._rate else ""
            info = (
                f"{_count(speed)} {self._unit}/s{lr} {self._metric} {metric:.3f} eta {_clock(left)}"
            )
            self._progress.update(self._train, advance=units, info=info)


def make_progress(
    progress: bool | str, unit: str = "words", rate: str = "lr", metric: str = "loss"
) -> NullProgress:
    """Return the display for a ``progress`` option: True, False or "auto" (stderr is a TTY).

    ``unit``, ``rate`` and ``metric`` label the training line (see the module docstring).

    >>> isinstance(make_progress(False), NullProgress)
    True
    """
    show = sys.stderr.isatty() if progress == "auto" else bool(progress)
    return RichProgress(unit=unit, rate=rate, metric=metric) if show else NullProgress()
