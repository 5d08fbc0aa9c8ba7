"""The learning-rate schedule: linear decay over all epochs, by words processed."""

from __future__ import annotations

import numpy as np


def job_alphas(
    job_words: np.ndarray,
    epoch: int,
    epochs: int,
    alpha: float,
    min_alpha: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the learning rate at the start and at the end of each job of an epoch.

    Progress is the share of all in-vocabulary words of all ``epochs`` processed before
    a word; the rate goes linearly from ``alpha`` at progress 0 to ``min_alpha`` at
    progress 1. It depends only on a job's position in the corpus, never on the order
    in which threads finish jobs, so runs are reproducible.

    Args:
        job_words: int64 in-vocabulary words in each job of one epoch.
        epoch: The epoch, 0-based.
        epochs: Number of epochs of the schedule.
        alpha: Initial learning rate.
        min_alpha: Final learning rate.

    Shape:
        ``job_words``: ``(jobs,)``; both outputs ``(jobs,)`` float64.

    >>> start, end = job_alphas(np.array([10, 10]), 0, 1, 0.1, 0.0)
    >>> start.tolist(), end.tolist()
    ([0.1, 0.05], [0.05, 0.0])
    """
    words = np.asarray(job_words, dtype=np.int64)
    per_epoch = int(words.sum())
    total = max(per_epoch * epochs, 1)
    prefix = np.concatenate([[0], np.cumsum(words)]) + epoch * per_epoch
    progress = np.minimum(prefix / total, 1.0)
    rates = alpha - (alpha - min_alpha) * progress
    return rates[:-1], rates[1:]
