"""The sync cadence: each epoch's jobs cut into rounds of about ``sync_words`` words.

Ranks average their weights after every round. A round is a run of consecutive jobs
of this rank's share; every rank does the same number of rounds per epoch (the most
any rank needs), so the collectives line up, and the cut depends only on word counts:
the same corpus and settings give the same rounds on every run (a checkpoint can name
the round to resume from).
"""

from __future__ import annotations

import numpy as np


def rounds_needed(words_per_epoch: int, sync_words: int) -> int:
    """Rounds this rank needs for an epoch of ``words_per_epoch`` words.

    >>> rounds_needed(1_000_000, 300_000), rounds_needed(0, 10)
    (4, 1)
    """
    return max(1, -(-int(words_per_epoch) // int(sync_words)))


def split_rounds(job_words: np.ndarray, n_rounds: int) -> np.ndarray:
    """Return the first job of each round, plus the number of jobs (``n_rounds + 1`` values).

    Round ``k`` holds the jobs whose words begin before ``(k + 1) / n_rounds`` of the
    epoch's words; rounds may be empty when a rank has fewer jobs than rounds.

    Shape:
        ``job_words``: ``(jobs,)`` -> ``(n_rounds + 1,)`` int64.

    >>> split_rounds(np.array([5, 5, 5, 5]), 2).tolist()
    [0, 2, 4]
    >>> split_rounds(np.array([5]), 3).tolist()
    [0, 1, 1, 1]
    """
    words = np.asarray(job_words, dtype=np.int64)
    total = int(words.sum())
    starts = np.concatenate([[0], np.cumsum(words)[:-1]]) if words.size else words
    marks = [total * k / n_rounds for k in range(1, n_rounds)]
    cuts = np.searchsorted(starts, marks, side="left") if words.size else np.zeros(n_rounds - 1)
    out = np.concatenate([[0], cuts, [words.size]]).astype(np.int64)
    return np.maximum.accumulate(out)


def hot_rows(counts: np.ndarray, round_words: int) -> np.ndarray:
    """The rows a rows sync looks at: the words a rank is expected to meet at least once
    in two rounds of ``round_words`` words (corpus share ``>= 1 / (2 * round_words)``).

    The other words' rows keep their changes local until the next full sync: each is
    in few of a rank's rounds, so they make most of a round's changed rows (on
    bench-en's skip-gram rounds, 7,600 of 11,000 are outside the 4,000 most frequent
    words) and little of its updates. Once in two rounds, not once a round: on bench-en
    the stricter rule cost CBOW 0.3 analogy points, this one nothing measurable
    (RESULTS.md).

    Returns:
        A uint8 mask over the rows, 1 for the hot ones.

    Shape:
        ``counts``: ``(vocab,)`` -> ``(vocab,)`` uint8.

    >>> hot_rows(np.array([500, 100, 9, 1]), 10).tolist()  # total 610: share >= 30.5
    [1, 1, 0, 0]
    >>> hot_rows(np.array([500, 100, 40, 1]), 10).tolist()
    [1, 1, 1, 0]
    """
    counts = np.asarray(counts, dtype=np.float64)
    return (counts * (2 * int(round_words)) >= counts.sum()).astype(np.uint8)


#: Meetings in a round after which a rank has moved a word's input row most of the way
#: (``1 - 1/e``) to where its own share of the text pulls it: calibrated on bench-en's
#: skip-gram (RESULTS.md, "Summed updates that overshoot").
SATURATING_MEETINGS = 3.0


def update_scale(meetings: np.ndarray, world_size: int) -> np.ndarray:
    """The factor by which a sync multiplies the sum of the ranks' updates of each row.

    Each rank computes its updates of a row from its own copy, without the others'
    updates of the round. A row met rarely moves little in a round: the ranks' updates
    add up as one process's would, and the factor is 1. A row every rank meets often
    moves most of the way to where that rank's text pulls it, on every rank: the sum
    moves it up to ``world_size`` times too far (on bench-en's skip-gram, WordSim-353
    then drops 0.02 below one process's). The model: a rank's round moves a row the
    fraction ``1 - e**(-x)`` of the way, ``x = meetings / SATURATING_MEETINGS``; one
    process trained on the ``N`` ranks' text would move it ``1 - e**(-N x)`` of the
    way, the sum of the ``N`` ranks' updates ``N (1 - e**(-x))``. The factor is their
    ratio: 1 for rare rows, ``1 / N`` (the mean of the updates) for the most frequent;
    ``(1 + e**(-x)) / 2`` for two ranks.

    Args:
        meetings (np.ndarray): Each row's expected trained occurrences in one rank's
            round (after subsampling).
        world_size (int): Ranks.

    Returns:
        float32 factors in ``[1 / world_size, 1]``.

    Shape:
        ``meetings``: ``(rows,)`` -> ``(rows,)``.

    >>> [round(float(f), 3) for f in update_scale(np.array([0.0, 3.0, 300.0]), 2)]
    [1.0, 0.684, 0.5]
    """
    x = np.asarray(meetings, dtype=np.float64) / SATURATING_MEETINGS
    n = int(world_size)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.expm1(-n * x) / (n * np.expm1(-x))
    return np.where(x > 0, scale, 1.0).astype(np.float32)
