"""Numba kernels of the trainers, one module per concern.

Kernels know arrays, not objects: every function takes plain NumPy arrays, scalars or
NamedTuples of them, allocates nothing in its hot loop (the caller passes per-thread
scratch) and releases the GIL, so several Python threads can run them at once on the
same weight matrices (lock-free "Hogwild" updates, as in the C tool and gensim).

- :mod:`~wordvec.train.kernels.rng`: the xorshift64* generator with explicit state.
- :mod:`~wordvec.train.kernels.tables`: sigmoid tables and Walker alias tables.
- :mod:`~wordvec.train.kernels.prefetch`: a CPU prefetch hint for weight rows.
- :mod:`~wordvec.train.kernels.ns`: the one negative-sampling update, whose examples
  take their input rows as (offsets, ids) bags (skip-gram, CBOW, subwords).
- :mod:`~wordvec.train.kernels.word2vec`: the skip-gram and CBOW job loops.
- :mod:`~wordvec.train.kernels.tokens`: the corpus pass of whitespace-tokenized text
  (UTF-8 bytes to word ids and counts).

The slow, readable NumPy versions live in :mod:`wordvec.train.reference`; the tests
compare each update and each whole job with them.
"""

from wordvec.train.kernels.ns import NSBatch, ns_batch, ns_shared, ns_update
from wordvec.train.kernels.rng import seed_state
from wordvec.train.kernels.tables import MAX_EXP, TABLE_SIZE, build_alias, sigmoid_tables
from wordvec.train.kernels.word2vec import (
    Job,
    Sampling,
    Scratch,
    cbow_job,
    count_job_words,
    job_scratch,
    sg_job,
)

__all__ = [
    "MAX_EXP",
    "TABLE_SIZE",
    "Job",
    "NSBatch",
    "Sampling",
    "Scratch",
    "build_alias",
    "cbow_job",
    "count_job_words",
    "job_scratch",
    "ns_batch",
    "ns_shared",
    "ns_update",
    "seed_state",
    "sg_job",
    "sigmoid_tables",
]
