"""Learning-rate schedules: linear decay over all epochs by units processed, or AdaGrad.

A schedule gives the engine the rate at the start and end of each work item of an
epoch (:meth:`rates`) and the label of the rate on the progress line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def job_alphas(
    job_words: np.ndarray,
    epoch: int,
    epochs: int,
    alpha: float,
    min_alpha: float,
    order: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the learning rate at the start and at the end of each job of an epoch.

    Progress is the share of all in-vocabulary words of all ``epochs`` processed before
    a word; the rate goes linearly from ``alpha`` at progress 0 to ``min_alpha`` at
    progress 1. It depends only on a job's place in the epoch's ``order``, never on the
    order in which threads finish jobs, so runs are reproducible.

    Args:
        job_words: int64 in-vocabulary words in each job of one epoch.
        epoch: The epoch, 0-based.
        epochs: Number of epochs of the schedule.
        alpha: Initial learning rate.
        min_alpha: Final learning rate.
        order (np.ndarray | None, default None): The jobs in the order the epoch trains
            them (a permutation of ``0..jobs-1``); None: corpus order.

    Shape:
        ``job_words``, ``order``: ``(jobs,)``; both outputs ``(jobs,)`` float64, indexed
        by job (not by place in the order).

    Raises:
        ValueError: If ``order`` is not a permutation of the jobs.

    >>> start, end = job_alphas(np.array([10, 10]), 0, 1, 0.1, 0.0)
    >>> start.tolist(), end.tolist()
    ([0.1, 0.05], [0.05, 0.0])
    >>> start, end = job_alphas(np.array([10, 10]), 0, 1, 0.1, 0.0, order=np.array([1, 0]))
    >>> start.tolist(), end.tolist()
    ([0.05, 0.1], [0.0, 0.05])
    """
    words = np.asarray(job_words, dtype=np.int64)
    per_epoch = int(words.sum())
    total = max(per_epoch * epochs, 1)
    if order is not None and np.sort(order).tolist() != list(range(words.shape[0])):
        raise ValueError(
            f"order must be a permutation of the {words.shape[0]} jobs, got {len(order)} "
            "indices; pass every job once (or None for corpus order)."
        )
    seq = words if order is None else words[order]
    prefix = np.concatenate([[0], np.cumsum(seq)]) + epoch * per_epoch
    progress = np.minimum(prefix / total, 1.0)
    rates = alpha - (alpha - min_alpha) * progress
    if order is None:
        return rates[:-1], rates[1:]
    start, end = np.empty(words.shape[0]), np.empty(words.shape[0])
    start[order], end[order] = rates[:-1], rates[1:]
    return start, end


@dataclass(frozen=True)
class LinearDecay:
    """The word2vec schedule: the rate decays linearly from ``alpha`` to ``min_alpha``.

    Shown on the progress line as ``lr``; see :func:`job_alphas`.

    >>> start, end = LinearDecay(0.1, 0.0).rates(np.array([10, 10]), 0, 1)
    >>> end.tolist()
    [0.05, 0.0]
    """

    alpha: float
    min_alpha: float
    label: str = "lr"

    def rates(
        self, sizes: np.ndarray, epoch: int, epochs: int, order: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the rate at the start and end of each work item of epoch ``epoch``,
        trained in ``order`` (None: item order).

        Shape:
            ``sizes``, ``order``: ``(items,)``; both outputs ``(items,)`` float64.
        """
        return job_alphas(sizes, epoch, epochs, self.alpha, self.min_alpha, order)


@dataclass(frozen=True)
class AdaGrad:
    """A constant base rate ``eta`` that the kernel scales per weight by AdaGrad state.

    The model keeps the squared-gradient sums as part of its state; the engine only
    hands every item the same ``eta``. Not shown on the progress line (it is constant).

    >>> start, end = AdaGrad(0.05).rates(np.array([3, 4]), 0, 5)
    >>> start.tolist(), end.tolist()
    ([0.05, 0.05], [0.05, 0.05])
    """

    eta: float
    label: str = ""

    def rates(
        self, sizes: np.ndarray, epoch: int, epochs: int, order: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``eta`` for the start and end of every item (in any ``order``).

        Shape:
            ``sizes``: ``(items,)``; both outputs ``(items,)`` float64.
        """
        full = np.full(np.asarray(sizes).shape[0], float(self.eta))
        return full, full.copy()


Schedule = LinearDecay | AdaGrad
