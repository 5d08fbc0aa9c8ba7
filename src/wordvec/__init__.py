"""wordvec: embeddings end to end.

Vocabularies and text streams, the embedding layer, word2vec training, and word
vectors with their file formats, queries and evaluation, behind one flat API.

The names below are imported on first use (PEP 562), so ``import wordvec`` stays
fast (no numba start-up) for the command line and for code that needs only a part.

>>> import wordvec
>>> wordvec.Vocab.build([["a", "b", "a"]]).tokens
['<pad>', '<unk>', 'a', 'b']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "Embedding": "wordvec.layers",
    "EmbeddingBag": "wordvec.layers",
    "FastText": "wordvec.train.fasttext",
    "GloVe": "wordvec.train.glove",
    "SubwordVectors": "wordvec.vectors",
    "Vectors": "wordvec.vectors",
    "Vocab": "wordvec.vocab",
    "Word2Vec": "wordvec.train",
    "coverage": "wordvec.transfer",
    "embedding_matrix": "wordvec.transfer",
    "evaluate_analogies": "wordvec.evaluate",
    "evaluate_similarity": "wordvec.evaluate",
    "iter_sentences": "wordvec.text",
    "one_hot": "wordvec.sequences",
    "pad_sequences": "wordvec.sequences",
    "tokenize": "wordvec.text",
}

__all__ = [
    "Embedding",
    "EmbeddingBag",
    "FastText",
    "GloVe",
    "SubwordVectors",
    "Vectors",
    "Vocab",
    "Word2Vec",
    "coverage",
    "embedding_matrix",
    "evaluate_analogies",
    "evaluate_similarity",
    "iter_sentences",
    "one_hot",
    "pad_sequences",
    "tokenize",
]

if TYPE_CHECKING:
    from wordvec.evaluate import evaluate_analogies, evaluate_similarity
    from wordvec.layers import Embedding, EmbeddingBag
    from wordvec.sequences import one_hot, pad_sequences
    from wordvec.text import iter_sentences, tokenize
    from wordvec.train import Word2Vec
    from wordvec.train.fasttext import FastText
    from wordvec.train.glove import GloVe
    from wordvec.transfer import coverage, embedding_matrix
    from wordvec.vectors import SubwordVectors, Vectors
    from wordvec.vocab import Vocab


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wordvec' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
