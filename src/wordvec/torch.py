"""PyTorch bridge: pretrained vectors as ``torch.nn.Embedding`` / ``EmbeddingBag``, and batches.

Import it explicitly (``import wordvec.torch``); ``import wordvec`` never imports
torch. This module itself imports torch only when one of its functions runs, so
without torch installed the functions raise an ImportError that names the extra to
install (``pip install "wordvec[torch]"``).

The table is built by wordvec's own layers (:class:`wordvec.layers.Embedding`,
:class:`wordvec.layers.EmbeddingBag`), so a bridged module computes exactly what the
NumPy layer computes: the same rows forward, the same scatter-add backward.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from wordvec._pretrained import check_vocab, pretrained_layer
from wordvec._validation import check_bool, check_choice, check_int
from wordvec.layers import Embedding, EmbeddingBag
from wordvec.layers.embedding import require
from wordvec.layers.functional import BAG_MODES
from wordvec.sequences import pad_sequences
from wordvec.text import Tokenizer, resolve_tokenizer, tokenize
from wordvec.vectors import Vectors
from wordvec.vocab import Vocab

if TYPE_CHECKING:  # pragma: no cover
    import torch

logger = logging.getLogger(__name__)

__all__ = [
    "Collate",
    "collate",
    "embedding",
    "embedding_bag",
    "encode_batch",
    "from_torch",
    "to_torch",
]


def _import_torch() -> Any:
    """Import torch or raise an ImportError naming the ``wordvec[torch]`` extra."""
    return require("torch", "torch")


def embedding(
    vectors_or_matrix: Vectors | np.ndarray | torch.Tensor,
    vocab: Vocab | None = None,
    *,
    freeze: bool = True,
    padding_idx: int | None = 0,
    sparse: bool = False,
    oov: str = "random",
    seed: int | None = None,
) -> torch.nn.Embedding:
    """Return a ``torch.nn.Embedding`` holding pretrained vectors.

    Args:
        vectors_or_matrix (Vectors | np.ndarray | torch.Tensor): A ``wordvec.Vectors``
            or a 2-D float matrix. With Vectors and a ``vocab`` the table is
            ``wordvec.transfer.embedding_matrix(vocab, vectors, oov=oov, seed=seed)``
            (row ``i`` is the vector of vocabulary id ``i``, the pad row zero); with
            Vectors and no vocab it is the vectors' own rows. A matrix is copied.
        vocab (Vocab | None, default None): The vocabulary that produces the ids.
        freeze (bool, default True): True keeps the table fixed
            (``weight.requires_grad`` False); False fine-tunes it.
        padding_idx (int | None, default 0): The row that never receives gradient; with
            a ``vocab`` it must equal ``vocab.pad_index``. Pass None when the table has
            no padding row (e.g. the vectors' own rows, whose row 0 is a word).
        sparse (bool, default False): Sparse gradients (for ``torch.optim.SparseAdam``
            or SGD).
        oov (str, default "random"): ``"random"`` or ``"zeros"``: how vocabulary words
            missing from the vectors are filled (used with Vectors and a vocab).
        seed (int | None, default None): Seed of the ``oov="random"`` rows.

    Returns:
        torch.nn.Embedding: float32 (float64 if the matrix is float64).

    Shape:
        ids ``(*)`` -> ``(*, dim)``.

    Raises:
        ImportError: If torch is not installed (``pip install "wordvec[torch]"``).
        TypeError: If the matrix does not hold floats or ``vocab`` is not a Vocab.
        ValueError: If the matrix is not 2-D or not finite, its rows do not match
            ``len(vocab)``, or ``padding_idx`` is out of range or disagrees with the vocab.

    >>> import numpy as np, wordvec.torch
    >>> emb = wordvec.torch.embedding(np.eye(4, dtype=np.float32), freeze=False)
    >>> emb(wordvec.torch.encode_batch(["b a"], wordvec.Vocab.build([["a", "b"]]))[0]).shape
    torch.Size([1, 2, 4])
    """
    _import_torch()
    sparse = check_bool(sparse, "sparse")
    layer = pretrained_layer(
        vectors_or_matrix, vocab, freeze=freeze, padding_idx=padding_idx, oov=oov, seed=seed
    )
    module = to_torch(layer)
    module.sparse = sparse
    return module


def embedding_bag(
    vectors_or_matrix: Vectors | np.ndarray | torch.Tensor,
    vocab: Vocab | None = None,
    *,
    freeze: bool = True,
    padding_idx: int | None = 0,
    sparse: bool = False,
    oov: str = "random",
    seed: int | None = None,
    mode: str = "mean",
    include_last_offset: bool = False,
) -> torch.nn.EmbeddingBag:
    """Return a ``torch.nn.EmbeddingBag`` holding pretrained vectors.

    Each bag (a row of a padded batch, or a slice of 1-D ids cut by offsets) is reduced
    to one vector; entries equal to ``padding_idx`` are left out, so ``mode="mean"``
    over a padded batch is the mean over the real tokens.

    Args:
        vectors_or_matrix (Vectors | np.ndarray | torch.Tensor): As in :func:`embedding`.
        vocab (Vocab | None, default None): As in :func:`embedding`.
        freeze (bool, default True): True keeps the table fixed.
        padding_idx (int | None, default 0): Id left out of every bag; with a ``vocab``
            it must equal ``vocab.pad_index``.
        sparse (bool, default False): Sparse gradients.
        oov (str, default "random"): ``"random"`` or ``"zeros"`` (with Vectors + vocab).
        seed (int | None, default None): Seed of the ``oov="random"`` rows.
        mode (str, default "mean"): ``"sum"``, ``"mean"`` or ``"max"``.
        include_last_offset (bool, default False): The module's offsets end with one
            extra entry equal to ``len(ids)`` (CSR style), as in PyTorch.

    Returns:
        torch.nn.EmbeddingBag

    Shape:
        ids ``(bags, length)`` or ids ``(n,)`` + offsets ``(bags,)`` (``(bags + 1,)``
        with ``include_last_offset``) -> ``(bags, dim)``.

    Raises:
        ImportError: If torch is not installed (``pip install "wordvec[torch]"``).
        TypeError / ValueError: As in :func:`embedding`, for an unknown ``mode``, or a
            non-bool ``include_last_offset``.

    >>> import numpy as np, torch, wordvec.torch
    >>> bag = wordvec.torch.embedding_bag(np.eye(3, dtype=np.float32), mode="sum")
    >>> bag(torch.tensor([[1, 2, 0]]))
    tensor([[0., 1., 1.]])
    """
    _import_torch()
    sparse = check_bool(sparse, "sparse")
    mode = check_choice(mode, "mode", BAG_MODES)
    include_last_offset = check_bool(include_last_offset, "include_last_offset")
    layer = pretrained_layer(
        vectors_or_matrix, vocab, freeze=freeze, padding_idx=padding_idx, oov=oov, seed=seed
    )
    bag = EmbeddingBag.from_pretrained(
        layer.embeddings,
        freeze=freeze,
        mode=mode,
        padding_idx=layer.padding_idx,
        include_last_offset=include_last_offset,
    )
    module = to_torch(bag)
    module.sparse = sparse
    return module


def _encode(
    texts: Iterable[str],
    vocab: Vocab,
    max_len: int | None,
    tokenizer: str | Tokenizer,
    padding: str,
    fixed_width: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Tokenize, encode and pad ``texts``: ``(ids int64 (batch, seq), lengths int64)``.

    ``seq`` is ``max_len`` when ``fixed_width``, else the longest (truncated) text.
    """
    vocab = check_vocab(vocab)
    max_len = check_int(max_len, "max_len", minimum=1, allow_none=True)
    padding = check_choice(padding, "padding", ("pre", "post"))
    split = resolve_tokenizer(tokenizer)
    if isinstance(texts, (str, bytes)):
        raise TypeError("texts must be a list of strings, got a single str; wrap it: [text].")
    if vocab.pad_index is None:
        raise ValueError(
            "the vocabulary has no padding token, so batches cannot be padded; build it "
            "with specials including '<pad>' (the default)."
        )
    encoded = []
    for pos, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"texts[{pos}] must be a str, got {type(text).__name__}; pass raw texts "
                "(they are tokenized here)."
            )
        ids = vocab.encode(split(text))
        encoded.append(ids if max_len is None else ids[:max_len])
    lengths = np.fromiter((len(s) for s in encoded), dtype=np.int64, count=len(encoded))
    ids = pad_sequences(
        encoded,
        maxlen=max_len if fixed_width else int(lengths.max(initial=0)),
        dtype="int64",
        padding=padding,
        truncating="post",
        value=vocab.pad_index,
    )
    return ids, lengths


def encode_batch(
    texts: Sequence[str],
    vocab: Vocab,
    max_len: int | None = None,
    tokenizer: str | Tokenizer = tokenize,
    padding: str = "post",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Tokenize, encode and pad raw texts into a batch of ids.

    Texts longer than ``max_len`` tokens keep their first ``max_len`` tokens. Unknown
    tokens map to ``vocab.unk_index``; padding uses ``vocab.pad_index``.

    Args:
        texts (Sequence[str]): The raw texts.
        vocab (Vocab): The vocabulary (it needs a padding token).
        max_len (int | None, default None): Length of every row; None uses the longest
            text of the batch.
        tokenizer (str | callable, default wordvec.tokenize): A callable
            ``str -> list[str]``, or ``"default"`` / ``"whitespace"``.
        padding (str, default "post"): ``"post"`` pads at the end, ``"pre"`` at the start.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: ``ids`` (int64) and ``lengths`` (int64, the
        number of real tokens of each row after truncation).

    Shape:
        ``len(texts)`` texts -> ids ``(batch, seq)``, lengths ``(batch,)``.

    Raises:
        ImportError: If torch is not installed (``pip install "wordvec[torch]"``).
        TypeError: If ``texts`` is a single str or holds non-strings, or ``vocab`` is not
            a Vocab.
        ValueError: If ``max_len`` < 1, ``padding`` is unknown, or the vocabulary has no
            padding token.

    >>> import wordvec, wordvec.torch
    >>> vocab = wordvec.Vocab.build([["the", "cat", "sat"]])
    >>> ids, lengths = wordvec.torch.encode_batch(["The cat sat.", "A cat"], vocab)
    >>> ids.tolist(), lengths.tolist()
    ([[2, 3, 4], [1, 3, 0]], [3, 2])
    """
    torch = _import_torch()
    ids, lengths = _encode(texts, vocab, max_len, tokenizer, padding)
    return torch.from_numpy(ids), torch.from_numpy(lengths)


class Collate:
    """A DataLoader ``collate_fn`` turning ``(text, label)`` pairs into padded tensors.

    Build it with :func:`collate`. It is a plain object (not a closure), so DataLoader
    worker processes can pickle it.

    Args:
        vocab (Vocab): The vocabulary of the texts.
        max_len (int | None, default None): Truncate texts to this many tokens. Each
            batch is padded to its longest (truncated) text, not to ``max_len``.
        tokenizer (str | callable, default wordvec.tokenize): As in :func:`encode_batch`.
        padding (str, default "post"): As in :func:`encode_batch`.
        labels (Vocab | Sequence | None, default None): How labels become class ids:
            None if they already are integers, a sequence of class names (id = position)
            or a Vocab (id = ``labels.index(label)``).
    """

    def __init__(
        self,
        vocab: Vocab,
        max_len: int | None = None,
        tokenizer: str | Tokenizer = tokenize,
        padding: str = "post",
        labels: Vocab | Sequence[Hashable] | None = None,
    ) -> None:
        self.vocab = check_vocab(vocab)
        self.max_len = check_int(max_len, "max_len", minimum=1, allow_none=True)
        self.padding = check_choice(padding, "padding", ("pre", "post"))
        self.tokenizer = resolve_tokenizer(tokenizer)
        if labels is None or isinstance(labels, Vocab):
            self.labels = labels
        elif isinstance(labels, (str, bytes)) or not isinstance(labels, Iterable):
            raise TypeError(
                "labels must be None, a wordvec.Vocab or a sequence of class names, got "
                f"{type(labels).__name__}."
            )
        else:
            self.labels = {label: i for i, label in enumerate(labels)}

    def _label_id(self, label: Any, pos: int) -> int:
        if self.labels is None:
            if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
                raise TypeError(
                    f"the label of example {pos} is {label!r}, not an integer class id; "
                    "pass labels=[class names] to collate() to map names to ids."
                )
            return int(label)
        if isinstance(self.labels, Vocab):
            return self.labels.index(label)
        try:
            return self.labels[label]
        except (KeyError, TypeError):
            raise KeyError(
                f"the label of example {pos}, {label!r}, is not among the "
                f"{len(self.labels)} classes given to collate(); add it to labels."
            ) from None

    def __call__(self, batch: Sequence[tuple[str, Any]]) -> tuple[Any, Any, Any]:
        """Return ``(ids (batch, seq) int64, lengths (batch,) int64, labels (batch,) int64)``."""
        torch = _import_torch()
        texts = []
        label_ids = []
        for pos, item in enumerate(batch):
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise TypeError(
                    f"example {pos} of the batch must be a (text, label) pair, got "
                    f"{type(item).__name__} {item!r:.60}."
                )
            texts.append(item[0])
            label_ids.append(self._label_id(item[1], pos))
        ids, lengths = _encode(
            texts, self.vocab, self.max_len, self.tokenizer, self.padding, fixed_width=False
        )
        return (
            torch.from_numpy(ids),
            torch.from_numpy(lengths),
            torch.tensor(label_ids, dtype=torch.int64),
        )


def collate(
    vocab: Vocab,
    max_len: int | None = None,
    tokenizer: str | Tokenizer = tokenize,
    padding: str = "post",
    labels: Vocab | Sequence[Hashable] | None = None,
) -> Callable[[Sequence[tuple[str, Any]]], tuple[Any, Any, Any]]:
    """Return a ``collate_fn`` for a DataLoader over ``(text, label)`` pairs.

    Args:
        vocab (Vocab): The vocabulary of the texts (it needs a padding token).
        max_len (int | None, default None): Truncate texts to this many tokens (None: no
            truncation). Each batch is padded only to its longest (truncated) text, so
            short batches stay small.
        tokenizer (str | callable, default wordvec.tokenize): As in :func:`encode_batch`.
        padding (str, default "post"): ``"post"`` or ``"pre"``.
        labels (Vocab | Sequence | None, default None): None if labels are integer class
            ids; a sequence of class names (id = position in it) or a Vocab otherwise.

    Returns:
        Callable: ``batch -> (ids (batch, seq), lengths (batch,), labels (batch,))``, all
        int64 tensors, ``seq = min(max_len, longest text of the batch)``.

    Raises:
        ImportError: If torch is missing, when the function is called.
        TypeError / ValueError: For invalid arguments, at once; for a malformed batch or
            an unknown label (KeyError), when it is collated.

    >>> import wordvec, wordvec.torch
    >>> vocab = wordvec.Vocab.build([["good", "bad"]])
    >>> fn = wordvec.torch.collate(vocab, labels=["neg", "pos"])
    >>> ids, lengths, y = fn([("good", "pos"), ("so bad", "neg")])
    >>> ids.tolist(), lengths.tolist(), y.tolist()
    ([[2, 0], [1, 3]], [1, 2], [1, 0])
    """
    return Collate(vocab, max_len=max_len, tokenizer=tokenizer, padding=padding, labels=labels)


# --------------------------------------------------------------------------- layers


def to_torch(layer: Embedding | EmbeddingBag) -> Any:
    """Return the torch module of a wordvec layer, with a copy of its weights.

    An :class:`~wordvec.layers.Embedding` becomes a ``torch.nn.Embedding``, an
    :class:`~wordvec.layers.EmbeddingBag` a ``torch.nn.EmbeddingBag`` (same mode and
    ``include_last_offset``); both keep ``padding_idx``, ``max_norm``/``norm_type``
    and freezing (``requires_grad`` is ``trainable``).

    Raises:
        ImportError: If torch is missing (``pip install "wordvec[torch]"``).
        TypeError: If ``layer`` is not a wordvec layer.

    >>> to_torch(Embedding(5, 3, padding_idx=0))  # doctest: +SKIP
    Embedding(5, 3, padding_idx=0)
    """
    torch = _import_torch()
    if not isinstance(layer, (Embedding, EmbeddingBag)):
        raise TypeError(
            f"layer must be a wordvec.layers.Embedding or EmbeddingBag, got {type(layer).__name__}."
        )
    common = {
        "freeze": not layer.trainable,
        "padding_idx": layer.padding_idx,
        "max_norm": layer.max_norm,
        "norm_type": layer.norm_type,
    }
    weight = torch.from_numpy(np.array(layer.embeddings))
    if isinstance(layer, EmbeddingBag):
        return torch.nn.EmbeddingBag.from_pretrained(
            weight, mode=layer.mode, include_last_offset=layer.include_last_offset, **common
        )
    return torch.nn.Embedding.from_pretrained(weight, **common)


def from_torch(module: Any, kind: type | None = None) -> Embedding | EmbeddingBag:
    """Return the wordvec layer of a ``torch.nn.Embedding`` or ``EmbeddingBag`` (weights
    copied; float64 stays float64, other floats become float32).

    Keeps ``padding_idx``, ``max_norm``/``norm_type``, the bag mode and
    ``include_last_offset``; frozen if ``weight.requires_grad`` is False.
    ``scale_grad_by_freq`` and ``sparse`` have no counterpart and are ignored (a
    warning is logged for ``scale_grad_by_freq``).

    Args:
        module: The torch module.
        kind (type | None, default None): Require this wordvec layer class
            (:class:`~wordvec.layers.Embedding` or :class:`~wordvec.layers.EmbeddingBag`).

    Raises:
        ImportError: If torch is missing.
        TypeError: If ``module`` is not the torch module of ``kind`` (or of either).

    >>> import torch  # doctest: +SKIP
    >>> from_torch(torch.nn.Embedding(4, 2)).embeddings.shape  # doctest: +SKIP
    (4, 2)
    """
    torch = _import_torch()
    modules = {Embedding: torch.nn.Embedding, EmbeddingBag: torch.nn.EmbeddingBag}
    wanted = (modules[kind],) if kind is not None else tuple(modules.values())
    if not isinstance(module, wanted):
        names = " or ".join(f"torch.nn.{m.__name__}" for m in wanted)
        raise TypeError(f"module must be a {names}, got {type(module).__name__}.")
    weight = module.weight.detach().cpu()
    dtype = "float64" if weight.dtype == torch.float64 else "float32"
    common = {
        "embeddings_initializer": weight.to(getattr(torch, dtype)).numpy(),
        "padding_idx": module.padding_idx,
        "max_norm": module.max_norm,
        "norm_type": module.norm_type,
        "trainable": bool(module.weight.requires_grad),
        "dtype": dtype,
    }
    size = (module.num_embeddings, module.embedding_dim)
    if isinstance(module, torch.nn.EmbeddingBag):
        last = bool(module.include_last_offset)
        return EmbeddingBag(*size, mode=module.mode, include_last_offset=last, **common)
    if module.scale_grad_by_freq:
        logger.warning("scale_grad_by_freq=True has no counterpart in wordvec; ignored.")
    return Embedding(*size, **common)
