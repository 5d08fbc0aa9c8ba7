"""Word vectors: the store, its queries and its file formats."""

from wordvec.vectors.formats import FORMATS, detect_format
from wordvec.vectors.store import Vectors
from wordvec.vectors.subword_store import SubwordVectors

__all__ = ["FORMATS", "SubwordVectors", "Vectors", "detect_format"]
