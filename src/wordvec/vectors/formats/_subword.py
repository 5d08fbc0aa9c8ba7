"""What subword readers return: a :class:`Loaded` plus the n-gram rows and their rule."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wordvec.vectors.formats._common import Loaded


@dataclass(kw_only=True)
class LoadedSubword(Loaded):
    """A subword model read from a file.

    ``vectors`` holds the composed word vectors (what queries use); ``vectors_vocab``
    the words' own rows and ``vectors_ngrams`` the ``bucket`` n-gram rows, hashed with
    fastText's rule for n-grams of ``minn`` to ``maxn`` characters. ``info`` keeps the
    training settings a file records (fastText's ``.bin`` arguments), so that writing
    the model back keeps them. The subword fields are keyword-only.
    """

    vectors_vocab: np.ndarray
    vectors_ngrams: np.ndarray
    minn: int
    maxn: int
    info: dict = field(default_factory=dict)
