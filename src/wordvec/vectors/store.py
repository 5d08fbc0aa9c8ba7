"""Vectors: words and their float32 matrix, index-aligned (skeleton, to be completed)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Vectors:
    """Word vectors: ``words[i]`` has the row ``vectors[i]``.

    Args:
        words: The words, unique, in row order.
        vectors: Float matrix of shape ``(len(words), dim)``, stored as float32.
        counts: Optional corpus counts, one per word.
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray,
        counts: np.ndarray | Sequence[int] | None = None,
    ) -> None:
        self.words = list(words)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        self.key_to_index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])
