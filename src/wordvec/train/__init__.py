"""word2vec training: skip-gram and CBOW with negative sampling."""

from wordvec.train.word2vec import Word2Vec

__all__ = ["Word2Vec"]
