"""Pretrained vectors as a wordvec Embedding layer: the core both framework bridges share.

``wordvec.torch`` and ``wordvec.keras`` build their framework layers from the
:class:`wordvec.layers.Embedding` made here, so neither bridge imports the other and
this module imports no framework.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wordvec._validation import check_bool, check_choice, check_int
from wordvec.layers import Embedding
from wordvec.layers.initializers import check_matrix
from wordvec.transfer import OOV_CHOICES, embedding_matrix
from wordvec.vectors import Vectors
from wordvec.vocab import Vocab


def check_vocab(vocab: Any, name: str = "vocab") -> Vocab:
    if not isinstance(vocab, Vocab):
        raise TypeError(
            f"{name} must be a wordvec.Vocab, got {type(vocab).__name__}; build one with "
            "wordvec.Vocab.build(token_lists)."
        )
    return vocab


def check_padding_idx(padding_idx: Any, num_rows: int, vocab: Vocab | None) -> int | None:
    """Return ``padding_idx`` normalized to ``[0, num_rows)`` after checking it fits the table
    and agrees with the vocabulary's pad id."""
    if padding_idx is None:
        return None
    padding_idx = check_int(padding_idx, "padding_idx")
    if not -num_rows <= padding_idx < num_rows:
        raise ValueError(
            f"padding_idx must lie in [-{num_rows}, {num_rows}) for a table of {num_rows} "
            f"rows, got {padding_idx}; pass the id of the padding row (vocab.pad_index) or "
            "None."
        )
    padding_idx %= num_rows
    if vocab is not None and padding_idx != vocab.pad_index:
        have = (
            "has no padding token" if vocab.pad_index is None else f"pads with id {vocab.pad_index}"
        )
        raise ValueError(
            f"padding_idx={padding_idx} but the vocabulary {have}; pass "
            f"padding_idx={vocab.pad_index} (vocab.pad_index) so the padding row is the "
            "one the vocabulary pads with."
        )
    return padding_idx


def pretrained_layer(
    vectors_or_matrix: Vectors | np.ndarray | Any,
    vocab: Vocab | None = None,
    *,
    freeze: bool = True,
    padding_idx: int | None = None,
    mask_zero: bool = False,
    oov: str = "random",
    seed: int | None = None,
) -> Embedding:
    """Build a :class:`wordvec.layers.Embedding` from vectors or a matrix (shared by bridges).

    Args:
        vectors_or_matrix (Vectors | array-like | torch.Tensor): A ``wordvec.Vectors``
            (with ``vocab`` the table is ``wordvec.transfer.embedding_matrix(vocab,
            vectors, oov=oov, seed=seed)``; without it, the vectors' own rows) or a 2-D
            float matrix (NumPy array or tensor, copied), one row per id.
        vocab (Vocab | None, default None): The vocabulary the ids come from; with a
            matrix its length must equal the number of rows.
        freeze (bool, default True): True gives a frozen layer.
        padding_idx (int | None, default None): The padding row; with a ``vocab`` it
            must be ``vocab.pad_index``.
        mask_zero (bool, default False): Passed to the layer.
        oov (str, default "random"): ``"random"`` or ``"zeros"``; how
            ``embedding_matrix`` fills vocabulary words missing from the vectors.
        seed (int | None, default None): Seed of the ``oov="random"`` rows.

    Shape:
        The layer's table is ``(len(vocab) or rows, dim)``.

    Raises:
        TypeError: If the matrix does not hold floats, or ``vocab`` is not a Vocab.
        ValueError: If the matrix is not 2-D or not finite, its rows do not match
            ``len(vocab)``, or ``padding_idx`` is out of range or disagrees with the vocab.

    >>> layer = pretrained_layer(np.eye(3, dtype=np.float32), padding_idx=0)
    >>> layer.embeddings.shape, layer.trainable
    ((3, 3), False)
    """
    freeze = check_bool(freeze, "freeze")
    oov = check_choice(oov, "oov", OOV_CHOICES)
    if vocab is not None:
        check_vocab(vocab)
    if isinstance(vectors_or_matrix, Vectors):
        if vocab is None:
            matrix = vectors_or_matrix.vectors
        else:
            matrix = embedding_matrix(vocab, vectors_or_matrix, oov=oov, seed=seed)
    else:
        source = vectors_or_matrix
        if hasattr(source, "detach") and hasattr(source, "cpu"):  # a torch tensor
            source = source.detach().cpu().numpy()
        matrix = check_matrix(source, name="vectors_or_matrix")
        if vocab is not None and len(vocab) != matrix.shape[0]:
            raise ValueError(
                f"the matrix has {matrix.shape[0]} rows but the vocabulary has {len(vocab)} "
                "ids; pass a matrix with one row per vocabulary id (e.g. from "
                "wordvec.transfer.embedding_matrix(vocab, vectors)) or the matching vocab."
            )
    padding_idx = check_padding_idx(padding_idx, int(np.shape(matrix)[0]), vocab)
    return Embedding.from_pretrained(
        matrix, freeze=freeze, padding_idx=padding_idx, mask_zero=mask_zero
    )
