"""wordvec: embeddings end to end.

Vocabularies and text streams, the embedding layer, word2vec training, and word
vectors with their file formats, queries and evaluation, behind one flat API.
"""

from wordvec.evaluate import evaluate_analogies, evaluate_similarity
from wordvec.layers import Embedding, EmbeddingBag
from wordvec.sequences import one_hot, pad_sequences
from wordvec.text import iter_sentences, tokenize
from wordvec.transfer import coverage, embedding_matrix
from wordvec.vectors import Vectors
from wordvec.vocab import Vocab

__version__ = "0.1.0"

__all__ = [
    "Embedding",
    "EmbeddingBag",
    "Vectors",
    "Vocab",
    "coverage",
    "embedding_matrix",
    "evaluate_analogies",
    "evaluate_similarity",
    "iter_sentences",
    "one_hot",
    "pad_sequences",
    "tokenize",
]
