"""Word vectors: the store, its queries and its file formats."""

from wordvec.vectors.formats import FORMATS, detect_format
from wordvec.vectors.store import Vectors

__all__ = ["FORMATS", "Vectors", "detect_format"]
