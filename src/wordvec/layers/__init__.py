"""Embedding layers in NumPy + numba: Embedding, EmbeddingBag, their functional math and
initializers."""

from wordvec.layers import functional, initializers
from wordvec.layers.bag import EmbeddingBag
from wordvec.layers.embedding import Embedding
from wordvec.layers.functional import SparseGrad

__all__ = ["Embedding", "EmbeddingBag", "SparseGrad", "functional", "initializers"]
