"""Slow, readable NumPy versions of GloVe counting and of one GloVe update.

They define what :mod:`wordvec.train.kernels.cooccur` and
:mod:`wordvec.train.kernels.glove` compute; the tests compare the kernels with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np


def count_cooccurrences(
    sentences: Iterable[Sequence[int]],
    vocab_size: int,
    *,
    window: int,
    symmetric: bool = True,
    distance_weighting: bool = True,
) -> np.ndarray:
    """Return the full co-occurrence matrix of sentences of word ids.

    Every word pairs with the ``window`` words before it in its sentence; a pair at
    distance ``d`` adds ``1/d`` (or 1) to ``X[left, right]`` and, when symmetric, to
    ``X[right, left]`` too (a word next to itself thus adds twice to the diagonal).

    Shape:
        Returns ``(vocab_size, vocab_size)`` float64.

    >>> count_cooccurrences([[0, 1, 0]], 2, window=2).tolist()
    [[1.0, 2.0], [2.0, 0.0]]
    """
    pairs: dict[tuple[int, int], float] = defaultdict(float)
    for sentence in sentences:
        for k, right in enumerate(sentence):
            for d in range(1, window + 1):
                if k - d < 0:
                    break
                left = sentence[k - d]
                weight = 1.0 / d if distance_weighting else 1.0
                pairs[left, right] += weight
                if symmetric:
                    pairs[right, left] += weight
    out = np.zeros((vocab_size, vocab_size), dtype=np.float64)
    for (a, b), x in pairs.items():
        out[a, b] = x
    return out


def glove_update(
    w: np.ndarray,
    c: np.ndarray,
    bw: np.ndarray,
    bc: np.ndarray,
    gw: np.ndarray,
    gc: np.ndarray,
    gbw: np.ndarray,
    gbc: np.ndarray,
    i: int,
    j: int,
    x: float,
    *,
    x_max: float,
    alpha: float,
    learning_rate: float,
    clip: float = 100.0,
) -> float:
    """One AdaGrad step of GloVe's weighted least squares on the entry ``X[i, j] = x``.

    The cost of the entry is ``f(x) * (w_i . c_j + bw_i + bc_j - log x)**2 / 2`` with
    ``f(x) = min(1, (x / x_max)**alpha)``. Each gradient component (clipped to
    ``+-clip``, as the C tool) times ``learning_rate`` is divided by the square root of
    that parameter's sum of squared past steps, which then grows by the step squared;
    the biases step by the unscaled, unclipped gradient (as the C tool does). All of it
    uses the values from before the step. Updates the arrays in place.

    Args:
        w, c: Word and context vectors ``(vocab, dim)``.
        bw, bc: Word and context biases ``(vocab,)``.
        gw, gc, gbw, gbc: AdaGrad sums of squares, shaped like the four above.
        i, j: Word and context ids.
        x: The co-occurrence count (> 0).
        x_max, alpha: Weighting function parameters.
        learning_rate: AdaGrad's initial step size.
        clip: Bound of each gradient component.

    Returns:
        The entry's cost before the step (float).

    >>> w = np.full((1, 2), 0.5); c = np.full((1, 2), 0.5); b = np.zeros(1)
    >>> g = np.ones((1, 2)); gb = np.ones(1)
    >>> round(glove_update(w, c, b, b.copy(), g, g.copy(), gb, gb.copy(), 0, 0, 1.0,
    ...                    x_max=1.0, alpha=0.75, learning_rate=0.1), 4)
    0.125
    """
    diff = float(w[i] @ c[j]) + float(bw[i]) + float(bc[j]) - np.log(x)
    weighted = diff * min(1.0, (x / x_max) ** alpha)
    cost = 0.5 * weighted * diff
    step_w = np.clip(weighted * c[j], -clip, clip) * learning_rate
    step_c = np.clip(weighted * w[i], -clip, clip) * learning_rate
    step_b = weighted  # the C tool steps the biases without the learning rate
    w[i] -= step_w / np.sqrt(gw[i])
    c[j] -= step_c / np.sqrt(gc[j])
    bw[i] -= step_b / np.sqrt(gbw[i])
    bc[j] -= step_b / np.sqrt(gbc[j])
    gw[i] += step_w * step_w
    gc[j] += step_c * step_c
    gbw[i] += step_b * step_b
    gbc[j] += step_b * step_b
    return float(cost)
