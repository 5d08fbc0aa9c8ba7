"""Corpus jobs: the work items of trainers that stream the corpus (word2vec, fastText).

The corpus pass writes the word ids in blocks of about ``JOB_WORDS`` tokens; each block
is one job. :func:`corpus_work` counts the in-vocabulary words of each job (the sizes
the schedule and the progress line use) and :class:`JobWorker` is one thread's reader:
it reads a job into its own buffer and hands it to the model's job kernel.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordvec.train._engine import Vocab, Work
from wordvec.train.corpus import EncodedCorpus
from wordvec.train.kernels import Job, count_job_words
from wordvec.train.plan import EpochPlan


@dataclass
class CorpusJobs:
    """The data of a corpus-job fit: the encoded corpus and the provisional remap."""

    enc: EncodedCorpus
    remap: np.ndarray
    longest_job: int
    tables: Any = None


def corpus_work(enc: EncodedCorpus, vocab: Vocab, tables: Any = None) -> Work:
    """Return the jobs of ``enc`` as :class:`~wordvec.train._engine.Work`.

    Sizes are the in-vocabulary words of each job (read job by job, so the whole id
    file is never in memory). ``tables`` are the model's per-fit kernel tables.
    """
    sizes = np.zeros(enc.bounds.shape[0] - 1, dtype=np.int64)
    fd = os.open(enc.path, os.O_RDONLY)
    try:
        for j in range(sizes.shape[0]):
            ids = enc.read(fd, j)
            sizes[j] = count_job_words(ids, vocab.remap, np.array([0, ids.shape[0]]))[0]
    finally:
        os.close(fd)
    longest = int(np.diff(enc.bounds).max()) if sizes.shape[0] else 0
    return Work(sizes, CorpusJobs(enc, vocab.remap, longest, tables))


#: A job kernel: ``kernel(ids, job, scratch) -> (loss, examples, words)``.
JobKernel = Callable[[np.ndarray, Job, Any], tuple]


class JobWorker:
    """One thread's reader of corpus jobs, with the model's kernel and scratch.

    Args:
        work: The :class:`~wordvec.train._engine.Work` of :func:`corpus_work`.
        kernel: The model's job kernel (see :data:`JobKernel`).
        scratch: The thread's scratch buffers, passed to every kernel call.
        seed (int): The seed of the fit; job ``i`` draws from stream ``stream0 + i``.
    """

    def __init__(self, work: Work, kernel: JobKernel, scratch: Any, seed: int) -> None:
        self._data: CorpusJobs = work.data
        self._kernel = kernel
        self._scratch = scratch
        self._seed = seed
        self._ids = np.empty(self._data.longest_job, np.int32)
        self._fd = os.open(self._data.enc.path, os.O_RDONLY)

    def run(self, plan: EpochPlan, item: int) -> tuple[float, int, int]:
        """Train job ``item``; return ``(loss, examples, words)``."""
        ids = self._data.enc.read_into(self._fd, item, self._ids)
        job = Job(
            float(plan.rate_start[item]),
            float(plan.rate_end[item]),
            int(plan.sizes[item]),
            self._seed,
            plan.stream0 + item,
        )
        return self._kernel(ids, job, self._scratch)

    def close(self) -> None:
        """Close the thread's file descriptor."""
        os.close(self._fd)
