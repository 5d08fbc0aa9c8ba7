"""The work of one epoch: a plan of work items, and the hooks a distributed layer uses.

A trainer's work is a list of *items* (a word2vec job of ~50k corpus words, a GloVe
block of co-occurrence entries), each of a known ``size`` in the trainer's unit. An
:class:`EpochPlan` says which items an epoch trains, in which order, with which rates
and random streams. The rates and streams of an item depend only on its index, never
on which thread or process runs it, so a plan can be split (:meth:`EpochPlan.split`)
without changing any draw.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class EpochPlan:
    """The items of one epoch and the rate and random stream of each.

    Attributes:
        epoch (int): The epoch within the current ``fit``, 0-based.
        epochs (int): Epochs of the current ``fit``.
        order (np.ndarray): int64 indices of the items to train, in the order to start them.
        sizes (np.ndarray): int64 units of every item (indexed by item, not by order).
        rate_start, rate_end (np.ndarray): float64 rate at the start and end of every item.
        stream0 (int): The random stream of item ``i`` is ``stream0 + i``.

    Shape:
        ``order``: ``(k,)``; ``sizes``, ``rate_start``, ``rate_end``: ``(items,)``.

    >>> plan = EpochPlan(0, 1, np.arange(4), np.ones(4, np.int64), np.zeros(4), np.zeros(4), 0)
    >>> plan.split(1, 2).order.tolist(), plan.split(1, 2).units
    ([1, 3], 2)
    """

    epoch: int
    epochs: int
    order: np.ndarray
    sizes: np.ndarray
    rate_start: np.ndarray
    rate_end: np.ndarray
    stream0: int

    @property
    def units(self) -> int:
        """Units the plan trains (the sum of the sizes of its items)."""
        return int(self.sizes[self.order].sum())

    def split(self, rank: int, world: int) -> EpochPlan:
        """Return the share of process ``rank`` of ``world``: every ``world``-th item.

        Raises:
            ValueError: If ``rank`` is not in ``0..world-1``.
        """
        if not 0 <= rank < world:
            raise ValueError(f"rank must be in 0..{world - 1}, got {rank!r}.")
        return replace(self, order=self.order[rank::world])


class EpochHooks:
    """Where a distributed layer plugs into ``fit``; the default trains in one process.

    The engine calls, in order: :meth:`start` (what to read), :meth:`merge_vocab` (the
    corpus-wide counts), :meth:`attach` (the weights, once made: may restore them and
    say where to resume), :meth:`run_epoch` for each epoch (may cut the plan into
    rounds and synchronize weights and totals after each), and :meth:`finish`.
    """

    def start(self, model: Any, corpus: Any) -> Any:
        """Return what this process reads (its share of ``corpus``; all by default)."""
        return corpus

    def merge_vocab(self, enc: Any) -> tuple[list, np.ndarray, np.ndarray | None]:
        """Return the words and counts the vocabulary is built from, and the map of the
        pass's provisional ids onto them (None: the identity)."""
        return enc.words, enc.counts, None

    def attach(self, model: Any) -> int:
        """Take the model's state (``model.state()``); return the first epoch to train."""
        return 0

    def run_epoch(self, plan: EpochPlan, run: Callable[[EpochPlan], Totals]) -> Totals:
        """Train ``plan`` with ``run`` (which trains a plan on the threads and returns its
        totals); return the epoch's totals (summed over processes)."""
        return run(plan)

    def finish(self, model: Any) -> None:
        """Called once the epochs are done (e.g. check all processes agree)."""


@dataclass
class Totals:
    """Running sums of an epoch: the metric (loss or cost), its examples, the units.

    >>> t = Totals()
    >>> t.add(3.0, 2, 10)
    1.5
    """

    metric: float = 0.0
    examples: int = 0
    units: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, metric: float, examples: int, units: int) -> float:
        """Add one item's sums (thread-safe); return the running mean."""
        with self._lock:
            self.metric += metric
            self.examples += examples
            self.units += units
            return self.metric / max(self.examples, 1)

    @property
    def mean(self) -> float:
        """The mean metric per example."""
        return self.metric / max(self.examples, 1)


class Worker(Protocol):
    """One thread's view of the work: its scratch buffers and open files.

    Made in the main thread (so threads allocate nothing) and closed after the fit.
    """

    def run(self, plan: EpochPlan, item: int) -> tuple[float, int, int]:
        """Train item ``item`` of ``plan``; return ``(metric sum, examples, units)``."""
        ...

    def close(self) -> None:
        """Release the worker's resources (files)."""
        ...
