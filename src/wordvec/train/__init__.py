"""Training word vectors: word2vec today, on an engine that every trainer shares.

Layout:

- :mod:`~wordvec.train._engine`: :class:`Trainer`, which owns ``fit`` (the corpus
  pass, the vocabulary, the epochs on threads, callbacks, progress, timings,
  checkpoints) and ``save``/``load``/``config``.
- :mod:`~wordvec.train.params`: parameters declared once (:class:`Param`); the
  constructor's validation and signature, ``config()``/``load`` and the CLI flags of
  ``wordvec train`` all come from the declaration.
- :mod:`~wordvec.train.plan`: the per-epoch plan of work items and the
  :class:`EpochHooks` a distributed layer overrides (``split`` a plan by rank,
  ``after_epoch`` to synchronize weights and totals).
- :mod:`~wordvec.train.schedule`: :class:`LinearDecay` or :class:`AdaGrad`.
- :mod:`~wordvec.train.jobs`: corpus jobs (work items of trainers that stream text).
- :mod:`~wordvec.train.kernels`: numba kernels by concern (random numbers, tables, the
  negative-sampling update, job loops); :mod:`~wordvec.train.reference`: their slow
  NumPy references.

How to add a trainer
--------------------
1. Declare its parameters: ``PARAMS = select((*ENGINE_PARAMS, *MY_PARAMS), names)``
   where ``MY_PARAMS`` are :class:`Param` objects (name, kind, default, help, range).
   Nothing else lists them: validation, the signature, the docstring's ``{params}``
   placeholder, ``config()``, ``load`` and CLI flags (:func:`add_arguments`) follow.
   Cross-parameter checks and computed defaults go in ``_resolve()``.
2. Subclass :class:`Trainer`; set ``FORMAT`` (model-file tag), ``UNIT`` (what the
   progress line counts: "words", "entries") and ``METRIC`` ("loss", "cost").
3. Implement the model, and only the model:

   - ``init_weights(vocab_size)``: create the weights (first fit only);
   - ``state()`` / ``set_state(arrays)``: every array of the training state (weights,
     biases, AdaGrad sums) for ``save``/``load`` and checkpoints;
   - ``schedule()``: ``LinearDecay(alpha, min_alpha)`` or ``AdaGrad(eta)``;
   - ``prepare(enc, vocab, tmp) -> Work``: the work items of every epoch and their
     sizes in ``UNIT`` (corpus jobs: :func:`~wordvec.train.jobs.corpus_work`; GloVe:
     blocks of co-occurrence entries counted from ``enc``);
   - ``make_worker(work)``: one thread's worker (:class:`~wordvec.train.plan.Worker`)
     holding its scratch, whose ``run(plan, item)`` calls the job kernel with the
     item's rates ``plan.rate_start[item]``/``rate_end[item]`` and random stream
     ``plan.stream0 + item`` and returns ``(metric sum, examples, units)``;
     corpus trainers use :class:`~wordvec.train.jobs.JobWorker` with a kernel;
   - ``read_out()``: the word vectors (word2vec: input rows; fastText: a word's row
     plus its n-gram rows; GloVe: ``W + W_ctx``);
   - optionally ``order(plan)`` to shuffle the items of an epoch.
4. Kernels: write the job loop in ``kernels/<model>.py`` on the shared pieces
   (``rng``, ``tables``, ``ns.ns_update`` whose examples take input rows as (offsets,
   ids) bags), with a NumPy reference in ``reference.py`` and a test that compares a
   whole job with it on a tiny corpus before any optimization.
5. To train across machines (torchrun), add :data:`~wordvec.train.params.DISTRIBUTED_PARAMS`
   to the parameters: ``distributed=True`` then makes the engine's hooks a
   :class:`~wordvec.train.distributed.DistributedRun` (corpus shares, merged vocabulary,
   weight syncs between rounds of the plan, checkpoints). It fits trainers whose work
   items are corpus jobs (word2vec, fastText); GloVe's co-occurrence blocks would first
   need the counts merged across ranks.
6. Tests in ``tests/test_train_<model>.py`` on slices of the shared data (the
   ``shared_data`` fixture), and a benchmark against the strongest peer.

>>> from wordvec.train import Word2Vec
>>> Word2Vec(dim=10).config()["dim"]
10
"""

from wordvec.train._engine import Trainer
from wordvec.train.fasttext import FastText
from wordvec.train.glove import GloVe
from wordvec.train.params import ENGINE_PARAMS, Param
from wordvec.train.plan import EpochHooks, EpochPlan
from wordvec.train.schedule import AdaGrad, LinearDecay
from wordvec.train.word2vec import Word2Vec

__all__ = [
    "ENGINE_PARAMS",
    "AdaGrad",
    "EpochHooks",
    "EpochPlan",
    "FastText",
    "GloVe",
    "LinearDecay",
    "Param",
    "Trainer",
    "Word2Vec",
]
