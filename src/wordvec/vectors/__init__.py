"""Word vectors: the store, its queries and its file formats."""

from wordvec.vectors.store import Vectors

__all__ = ["Vectors"]
