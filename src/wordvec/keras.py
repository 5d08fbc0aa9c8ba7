"""Keras bridge: pretrained vectors as a ``keras.layers.Embedding``.

Import it explicitly (``import wordvec.keras``); ``import wordvec`` never imports
keras. Keras is imported only when :func:`embedding` runs; without it the call
raises an ImportError naming the extra to install (``pip install "wordvec[keras]"``).

Backend: Keras 3 reads the ``KERAS_BACKEND`` environment variable when it is first
imported. If the variable is unset when this bridge first imports keras, it is set
to ``"torch"`` (wordvec's ``torch`` extra); a value you set yourself (``"jax"``,
``"tensorflow"``) is left alone. Set it before anything imports keras to choose.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from wordvec._pretrained import pretrained_layer
from wordvec._validation import check_bool
from wordvec.layers.embedding import Embedding, require
from wordvec.vocab import Vocab

if TYPE_CHECKING:  # pragma: no cover
    import keras

    from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

__all__ = ["embedding", "to_keras"]


def _import_keras() -> Any:
    """Import keras (defaulting ``KERAS_BACKEND`` to torch) or raise an ImportError naming
    the ``wordvec[keras]`` extra."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return require("keras", "keras")


def embedding(
    vectors_or_matrix: Vectors | np.ndarray | Any,
    vocab: Vocab | None = None,
    *,
    trainable: bool = False,
    mask_zero: bool = True,
    oov: str = "random",
    seed: int | None = None,
) -> keras.layers.Embedding:
    """Return a ``keras.layers.Embedding`` initialized with pretrained vectors.

    The weights are given through ``keras.initializers.Constant``, so the layer is
    built (and its variable created) when it is first called, as any Keras layer.

    Args:
        vectors_or_matrix (Vectors | np.ndarray | tensor): A ``wordvec.Vectors`` or a
            2-D float matrix. With Vectors and a ``vocab`` the table is
            ``wordvec.transfer.embedding_matrix(vocab, vectors, oov=oov, seed=seed)``
            (row ``i`` is the vector of vocabulary id ``i``, the pad row zero); with
            Vectors and no vocab it is the vectors' own rows. A matrix is copied.
        vocab (Vocab | None, default None): The vocabulary that produces the ids; with a
            matrix its length must equal the number of rows.
        trainable (bool, default False): False keeps the table fixed; True fine-tunes it.
        mask_zero (bool, default True): Id 0 is padding: the layer emits the mask
            ``ids != 0`` that pooling and recurrent layers honour. With a ``vocab`` its
            pad id must then be 0 (the default of ``Vocab.build``).
        oov (str, default "random"): ``"random"`` or ``"zeros"``: how vocabulary words
            missing from the vectors are filled (used with Vectors and a vocab).
        seed (int | None, default None): Seed of the ``oov="random"`` rows.

    Returns:
        keras.layers.Embedding: float32 (float64 if the matrix is float64).

    Shape:
        ids ``(batch, seq)`` -> ``(batch, seq, dim)``.

    Raises:
        ImportError: If keras is not installed (``pip install "wordvec[keras]"``).
        TypeError: If the matrix does not hold floats or ``vocab`` is not a Vocab.
        ValueError: If the matrix is not 2-D or not finite, its rows do not match
            ``len(vocab)``, or ``mask_zero`` is set while the vocabulary does not pad
            with id 0.

    >>> import numpy as np, wordvec.keras
    >>> layer = wordvec.keras.embedding(np.eye(3, dtype=np.float32))
    >>> np.asarray(layer(np.array([[2, 0]]))).tolist()
    [[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]]
    """
    _import_keras()
    trainable = check_bool(trainable, "trainable")
    mask_zero = check_bool(mask_zero, "mask_zero")
    if mask_zero and isinstance(vocab, Vocab) and vocab.pad_index != 0:
        pad = vocab.pad_index
        have = "has no padding token" if pad is None else f"pads with id {pad}"
        raise ValueError(
            f"mask_zero=True masks id 0, but the vocabulary {have}; build the vocabulary "
            "with '<pad>' as its first special (the default), or pass mask_zero=False."
        )
    layer = pretrained_layer(
        vectors_or_matrix, vocab, freeze=not trainable, mask_zero=mask_zero, oov=oov, seed=seed
    )
    return to_keras(layer)


def to_keras(layer: Embedding) -> Any:
    """Return a ``keras.layers.Embedding`` initialized with a copy of a wordvec layer's
    weights, the same ``mask_zero``, ``trainable`` and dtype.

    Keras has no ``padding_idx`` or lookup-time ``max_norm``; when they are set a
    warning is logged and they are not carried over.

    Raises:
        ImportError: If keras is missing (``pip install "wordvec[keras]"``).
        TypeError: If ``layer`` is not a :class:`wordvec.layers.Embedding`.

    >>> to_keras(Embedding(5, 3))  # doctest: +SKIP
    <Embedding name=embedding, built=False>
    """
    if not isinstance(layer, Embedding):
        raise TypeError(f"layer must be a wordvec.layers.Embedding, got {type(layer).__name__}.")
    keras = _import_keras()
    for name in ("padding_idx", "max_norm"):
        if getattr(layer, name) is not None:
            logger.warning("%s has no counterpart in keras.layers.Embedding; dropped.", name)
    return keras.layers.Embedding(
        layer.input_dim,
        layer.output_dim,
        embeddings_initializer=keras.initializers.Constant(np.array(layer.embeddings)),
        mask_zero=layer.mask_zero,
        trainable=layer.trainable,
        dtype=layer.dtype,
    )
