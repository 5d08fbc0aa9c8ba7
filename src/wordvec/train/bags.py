"""Wiring of the bag job loops for the trainers: their tables and one thread's worker.

Word2Vec with hierarchical softmax and FastText (either loss) train on the job loops of
:mod:`wordvec.train.kernels.fasttext`, whose inputs are bags of rows; this module holds
what both trainers hand them: the per-fit :class:`BagTables` (the word2vec sampling
tables, the bags, the Huffman tree) and :func:`bag_worker`.
"""

from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import numpy as np

from wordvec.train._engine import Work
from wordvec.train.huffman import huffman
from wordvec.train.jobs import JobWorker
from wordvec.train.kernels.fasttext import Bags, bag_scratch, cbow_bag_job, sg_bag_job
from wordvec.train.kernels.hs import Tree, empty_tree
from wordvec.train.kernels.word2vec import Sampling


class BagTables(NamedTuple):
    """The tables of a bag fit: sampling tables, each word's bag and the Huffman tree (an
    empty one for negative sampling)."""

    sampling: Sampling
    bags: Bags
    tree: Tree


def huffman_tree(counts: np.ndarray) -> Tree:
    """The Huffman tree of the vocabulary counts (falling), as the kernels take it.

    >>> huffman_tree(np.array([3, 2, 1])).points.tolist()
    [1, 1, 0, 1, 0]
    """
    codes, points, offsets = huffman(np.asarray(counts, dtype=np.int64))
    return Tree(codes, points, offsets)


def output_rows(loss: str, vocab: int) -> int:
    """Rows of the output matrix: one per word (``"ns"``) or per inner node (``"hs"``).

    >>> output_rows("ns", 10), output_rows("hs", 10), output_rows("hs", 1)
    (10, 9, 1)
    """
    return max(vocab - 1, 1) if loss == "hs" else vocab


def bag_tables(sampling: Sampling, bags: Bags, loss: str, counts: np.ndarray) -> BagTables:
    """Return the tables of a bag fit (the tree only for ``loss="hs"``)."""
    tree = huffman_tree(counts) if loss == "hs" else empty_tree()
    return BagTables(sampling, bags, tree)


def bag_worker(model: Any, work: Work, group: int) -> JobWorker:
    """One thread's worker on the bag job loops for ``model`` (its arch, window, loss,
    weights and seed); CBOW centres go ``group`` at a time."""
    tables: BagTables = work.data.tables
    hs = model.loss == "hs"
    sent = max(work.data.enc.max_sentence_length, 1)
    negative = 0 if hs else model.negative
    depth = int(np.diff(tables.tree.offsets).max(initial=0))  # the longest Huffman path
    w_in, w_out = model.input_weights, model.output_weights
    if model.arch == "skipgram":
        scratch = bag_scratch(sent, 2 * model.window, model.window, negative, model.dim,
                              depth=depth)  # fmt: skip
        kernel = partial(_sg, w_in, w_out, tables, hs, model.window)
    else:
        scratch = bag_scratch(sent, group, model.window, negative, model.dim, pooled=True,
                              depth=depth)  # fmt: skip
        kernel = partial(_cbow, w_in, w_out, tables, hs, model.window, model.cbow_mean)
    return JobWorker(work, kernel, scratch, model.seed)


def _sg(w_in, w_out, t, hs, window, ids, job, scratch):  # type: ignore[no-untyped-def]
    return sg_bag_job(ids, w_in, w_out, t.sampling, t.bags, t.tree, hs, job, window, scratch)


def _cbow(w_in, w_out, t, hs, window, mean, ids, job, scratch):  # type: ignore[no-untyped-def]
    return cbow_bag_job(
        ids, w_in, w_out, t.sampling, t.bags, t.tree, hs, job, window, mean, scratch
    )


__all__ = ["BagTables", "bag_tables", "bag_worker", "huffman_tree", "output_rows"]
