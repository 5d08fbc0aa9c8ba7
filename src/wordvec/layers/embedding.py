"""The Embedding layer: a table of rows looked up by id, with its sparse gradient and SGD step.

:class:`TableLayer` owns what every table layer shares (the ``embeddings`` matrix,
its initialization, freezing, the last gradient and the sparse SGD step);
:class:`Embedding` adds the lookup, the mask and the framework bridges. The math
lives in :mod:`wordvec.layers.functional`.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from wordvec._validation import check_bool, check_choice, check_float, check_ids, check_int
from wordvec.layers import _kernels as K
from wordvec.layers import functional as F
from wordvec.layers.initializers import (
    Initializer,
    check_matrix,
    get_initializer,
    is_pretrained,
)

if TYPE_CHECKING:  # pragma: no cover
    from wordvec.vectors import Vectors

logger = logging.getLogger(__name__)

__all__ = ["Embedding", "TableLayer"]

DTYPES = ("float32", "float64")


def require(module: str, extra: str) -> ModuleType:
    """Import an optional framework or raise ImportError naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"this needs {module}, which is not installed; install it with "
            f'pip install "wordvec[{extra}]"'
        ) from exc


def _dtype_name(dtype: Any) -> str:
    """``"float64"`` for float64 tables, else ``"float32"`` (half/bfloat16 are widened)."""
    return "float64" if np.dtype(dtype) == np.float64 else "float32"


class TableLayer:
    """Base of the table layers: the ``embeddings`` matrix, freezing, gradient and SGD step.

    Args:
        input_dim (int): Number of rows (ids ``0 .. input_dim - 1``).
        output_dim (int): Width of each row.
        embeddings_initializer (str | array | callable, default "uniform"): See
            :func:`~wordvec.layers.initializers.get_initializer`.
        padding_idx (int | None, default None): A row that never receives gradient;
            zeroed at init unless the initializer is a pretrained matrix (kept as
            given, like ``torch.nn.Embedding.from_pretrained``). Negative values count
            from the end, as in PyTorch.
        max_norm (float | None, default None): Renormalize looked-up rows in place.
        trainable (bool, default True): False freezes the table.
        seed (int | None, default None): Seed of the initializer's random generator.
        dtype (str, default "float32"): ``"float32"`` or ``"float64"``.
        norm_type (float, default 2.0): p of the p-norm used with ``max_norm``.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: str | np.ndarray | Initializer = "uniform",
        padding_idx: int | None = None,
        max_norm: float | None = None,
        trainable: bool = True,
        seed: int | None = None,
        dtype: str = "float32",
        norm_type: float = 2.0,
    ) -> None:
        input_dim = check_int(input_dim, "input_dim", minimum=1)
        output_dim = check_int(output_dim, "output_dim", minimum=1)
        self._dtype = np.dtype(check_choice(dtype, "dtype", DTYPES))
        self.padding_idx = F._check_padding_idx(padding_idx, input_dim)
        self.max_norm, self.norm_type = F._check_max_norm(max_norm, norm_type)
        self.trainable = trainable
        seed = check_int(seed, "seed", minimum=0, allow_none=True)
        init = get_initializer(embeddings_initializer)
        table = init((input_dim, output_dim), np.random.default_rng(seed))
        self._embeddings = self._adopt(table, (input_dim, output_dim))
        if self.padding_idx is not None and not is_pretrained(embeddings_initializer):
            self._embeddings[self.padding_idx] = 0
        self.grad: F.SparseGrad | np.ndarray | None = None
        self._grad_rows = np.empty(0, dtype=np.int64)

    # ----------------------------------------------------------------- state

    def _adopt(self, matrix: Any, shape: tuple[int, int]) -> np.ndarray:
        """Validate ``matrix`` and return it as an owned C-contiguous copy in the layer dtype."""
        checked = check_matrix(matrix, shape=shape, name="embeddings")
        return np.array(checked, dtype=self._dtype, order="C", copy=True)

    @property
    def embeddings(self) -> np.ndarray:
        """The table, shape ``(input_dim, output_dim)``; edits in place are seen by the layer.

        Assigning a new matrix validates it (same shape, finite floats) and stores a copy.
        """
        return self._embeddings

    @embeddings.setter
    def embeddings(self, matrix: Any) -> None:
        self._embeddings = self._adopt(matrix, self._embeddings.shape)
        self.grad = None

    @property
    def input_dim(self) -> int:
        """Number of rows of the table."""
        return int(self._embeddings.shape[0])

    @property
    def output_dim(self) -> int:
        """Width of each row."""
        return int(self._embeddings.shape[1])

    @property
    def dtype(self) -> str:
        """``"float32"`` or ``"float64"``."""
        return self._dtype.name

    @property
    def trainable(self) -> bool:
        """False freezes the table: :meth:`apply_gradients` then raises."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = check_bool(value, "trainable")

    # ----------------------------------------------------------------- training

    def _keep_grad(
        self, rows: np.ndarray, result: np.ndarray, dense: bool
    ) -> F.SparseGrad | np.ndarray:
        """Remember a gradient (``rows`` touched; ``result`` compact values or dense) in the
        table dtype and return it as a ``SparseGrad`` or the dense matrix."""
        result = result.astype(self._dtype, copy=False)
        self.grad = result if dense else F.SparseGrad(rows, result)
        self._grad_rows = rows
        return self.grad

    def apply_gradients(self, lr: float) -> None:
        """Take one sparse SGD step with the gradient of the last ``backward`` call.

        Only the rows in the gradient are touched: ``embeddings[i] -= lr * grad[i]``.
        The stored gradient is consumed (set to None) so a step is never applied twice.

        Args:
            lr (float): The learning rate, > 0.

        Raises:
            RuntimeError: If the layer is frozen (``trainable=False``), or if there is
                no gradient (call ``backward`` first).
            ValueError: If ``lr`` is not a positive finite number.

        >>> layer = Embedding(3, 2, embeddings_initializer="zeros")
        >>> _ = layer.backward([1], np.ones((1, 2), np.float32))
        >>> layer.apply_gradients(lr=0.5)
        >>> layer.embeddings[1]
        array([-0.5, -0.5], dtype=float32)
        """
        lr = check_float(lr, "lr", minimum=0.0, exclusive_minimum=True)
        if not self.trainable:
            raise RuntimeError(
                f"this {type(self).__name__} is frozen (trainable=False), so its table cannot "
                "be updated; set layer.trainable = True (or build it with freeze=False) to "
                "train it."
            )
        if self.grad is None:
            raise RuntimeError(
                "there is no gradient to apply; call backward(...) before apply_gradients()."
            )
        grad, self.grad = self.grad, None
        dense = not isinstance(grad, F.SparseGrad)
        values = grad if dense else grad.values
        if self._grad_rows.size:
            K.sgd_rows(self._embeddings, self._grad_rows, values, lr, dense)

    def _extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        parts = [f"{self.input_dim}, {self.output_dim}", self._extra_repr()]
        if self.padding_idx is not None:
            parts.append(f"padding_idx={self.padding_idx}")
        if self.max_norm is not None:
            parts.append(f"max_norm={self.max_norm}, norm_type={self.norm_type}")
        if not self.trainable:
            parts.append("trainable=False")
        parts.append(f"dtype={self.dtype!r}")
        return f"{type(self).__name__}({', '.join(p for p in parts if p)})"


class Embedding(TableLayer):
    """A lookup table mapping integer ids to dense rows, trained by a sparse gradient.

    ``forward(ids)`` returns ``embeddings[ids]``; ``backward(ids, grad_out)`` returns
    the table's gradient (row-sparse) and remembers it; ``apply_gradients(lr)``
    takes a sparse SGD step. Semantics follow ``torch.nn.Embedding`` (padding row,
    ``max_norm`` renormalization in place) and ``keras.layers.Embedding``
    (``mask_zero``, ``compute_mask``).

    Args:
        input_dim (int): Number of rows (ids ``0 .. input_dim - 1``).
        output_dim (int): Width of each row.
        embeddings_initializer (str | array | callable, default "uniform"):
            ``"uniform"`` U(-0.05, 0.05) (Keras), ``"normal"`` N(0, 1) (PyTorch),
            ``"zeros"``, a pretrained ``(input_dim, output_dim)`` float matrix
            (copied), or a callable ``(shape, rng) -> array``.
        mask_zero (bool, default False): Id 0 is padding for downstream layers:
            :meth:`compute_mask` returns ``ids != 0``.
        padding_idx (int | None, default None): This row is zero at init (unless the
            table is pretrained) and its gradient is always dropped, so it never changes.
        max_norm (float | None, default None): Rows looked up with a norm above it are
            rescaled in place to that norm, like ``torch.embedding_renorm_``.
        trainable (bool, default True): False freezes the table.
        seed (int | None, default None): Seed of the initializer.
        dtype (str, default "float32"): ``"float32"`` or ``"float64"``.
        norm_type (float, default 2.0): p of the p-norm used with ``max_norm``.

    Attributes:
        embeddings (np.ndarray): The table ``(input_dim, output_dim)``.
        grad (SparseGrad | np.ndarray | None): The gradient of the last :meth:`backward`
            call, as it was returned (sparse or dense); None after :meth:`apply_gradients`.

    Shape:
        ids ``(*)`` -> ``(*, output_dim)``.

    Raises:
        TypeError / ValueError: For an invalid argument; the message says which and why.

    >>> layer = Embedding(10, 4, seed=0)
    >>> layer(np.array([[1, 2, 3]])).shape
    (1, 3, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: str | np.ndarray | Initializer = "uniform",
        mask_zero: bool = False,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        trainable: bool = True,
        seed: int | None = None,
        dtype: str = "float32",
        *,
        norm_type: float = 2.0,
    ) -> None:
        self.mask_zero = check_bool(mask_zero, "mask_zero")
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            padding_idx=padding_idx,
            max_norm=max_norm,
            trainable=trainable,
            seed=seed,
            dtype=dtype,
            norm_type=norm_type,
        )

    def _extra_repr(self) -> str:
        return "mask_zero=True" if self.mask_zero else ""

    # ----------------------------------------------------------------- constructors

    @classmethod
    def from_pretrained(
        cls,
        matrix: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        mask_zero: bool = False,
        max_norm: float | None = None,
        *,
        norm_type: float = 2.0,
    ) -> Embedding:
        """Build a layer whose table is a copy of ``matrix``.

        Args:
            matrix (array-like): A finite float matrix ``(input_dim, output_dim)``; a
                float64 matrix gives a float64 layer, any other float a float32 one.
            freeze (bool, default True): True gives ``trainable=False``.
            padding_idx (int | None, default None): Row that never receives gradient
                (its values are kept as given, like PyTorch).
            mask_zero (bool, default False): See :class:`Embedding`.
            max_norm (float | None, default None): See :class:`Embedding`.
            norm_type (float, default 2.0): See :class:`Embedding`.

        Raises:
            TypeError: If ``matrix`` does not hold floats.
            ValueError: If it is not 2-D or holds NaN/inf (position named).

        >>> layer = Embedding.from_pretrained(np.eye(3))
        >>> layer([2]), layer.trainable
        (array([[0., 0., 1.]]), False)
        """
        matrix = check_matrix(matrix, name="matrix")
        freeze = check_bool(freeze, "freeze")
        return cls(
            matrix.shape[0],
            matrix.shape[1],
            embeddings_initializer=matrix,
            mask_zero=mask_zero,
            padding_idx=padding_idx,
            max_norm=max_norm,
            trainable=not freeze,
            dtype=_dtype_name(matrix.dtype),
            norm_type=norm_type,
        )

    @classmethod
    def from_vectors(
        cls,
        vectors: Vectors,
        vocab: Any = None,
        freeze: bool = True,
        oov: str = "random",
        seed: int | None = None,
        **kwargs: Any,
    ) -> Embedding:
        """Build a layer from word vectors.

        Args:
            vectors (wordvec.Vectors): The word vectors.
            vocab (wordvec.Vocab | None, default None): None uses the vectors' own rows
                in their order (row ``i`` is ``vectors.words[i]``); otherwise the table
                is ``wordvec.transfer.embedding_matrix(vocab, vectors, oov=oov,
                seed=seed)``, one row per vocabulary id with row 0 zero.
            freeze (bool, default True): True gives ``trainable=False``.
            oov (str, default "random"): How ``embedding_matrix`` fills words missing
                from the vectors (used only with a ``vocab``).
            seed (int | None, default None): Seed for ``oov`` rows (only with a ``vocab``).
            **kwargs: ``padding_idx``, ``mask_zero``, ``max_norm``, ``norm_type``, passed
                to :meth:`from_pretrained`.

        Raises:
            TypeError: If ``vectors`` is not a ``wordvec.Vectors``.

        >>> from wordvec.vectors import Vectors
        >>> v = Vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 1.0]]))
        >>> Embedding.from_vectors(v).embeddings.shape
        (2, 2)
        """
        from wordvec.vectors import Vectors

        if not isinstance(vectors, Vectors):
            raise TypeError(
                f"vectors must be a wordvec.Vectors, got {type(vectors).__name__}; load them "
                "with wordvec.Vectors or use Embedding.from_pretrained(matrix) for a plain array."
            )
        if vocab is None:
            matrix = vectors.vectors
        else:
            from wordvec.transfer import embedding_matrix

            matrix = embedding_matrix(vocab, vectors, oov=oov, seed=seed)
        return cls.from_pretrained(matrix, freeze=freeze, **kwargs)

    # ----------------------------------------------------------------- forward / backward

    def forward(self, ids: Any) -> np.ndarray:
        """Return the rows of ``ids``: ``embeddings[ids]``.

        With ``max_norm`` set, the looked-up rows of the table are first renormalized
        in place (also when frozen, as in PyTorch).

        Args:
            ids (array-like of int): Ids of any shape, each in ``[0, input_dim)``.

        Shape:
            ``(*)`` -> ``(*, output_dim)``.

        Raises:
            TypeError: If ids are not integers.
            IndexError: If an id is outside ``[0, input_dim)``; the message names it and
                its position, and the table is unchanged.

        >>> Embedding.from_pretrained(np.eye(2)).forward([1, 1])
        array([[0., 1.],
               [0., 1.]])
        """
        return F.embedding(
            ids,
            self._embeddings,
            padding_idx=self.padding_idx,
            max_norm=self.max_norm,
            norm_type=self.norm_type,
        )

    __call__ = forward

    def compute_mask(self, ids: Any) -> np.ndarray | None:
        """Return ``ids != 0`` when ``mask_zero`` is set, else None (like Keras).

        Shape:
            ``(*)`` -> ``(*)`` bool.

        Raises:
            TypeError / IndexError: For non-integer or out-of-range ids.

        >>> Embedding(5, 2, mask_zero=True).compute_mask([[3, 0]])
        array([[ True, False]])
        """
        if not self.mask_zero:
            return None
        return check_ids(ids, self.input_dim) != 0

    def backward(self, ids: Any, grad_out: Any, dense: bool = False) -> F.SparseGrad | np.ndarray:
        """Return the gradient of the table for ``grad_out`` and remember it in ``grad``.

        Row ``r`` of the gradient is the sum of ``grad_out`` over the positions where
        ``ids == r``; the ``padding_idx`` row gets none. A frozen layer still computes
        (and stores) the gradient so it can be inspected, but cannot apply it.

        Args:
            ids (array-like of int): The ids of the forward pass, shape ``(*)``.
            grad_out (array-like of float): Gradient of the loss w.r.t. the output,
                shape ``(*, output_dim)``.
            dense (bool, default False): Return the dense ``(input_dim, output_dim)``
                matrix instead of the :class:`~wordvec.layers.functional.SparseGrad`.

        Shape:
            ids ``(*)``, grad_out ``(*, output_dim)`` -> ``SparseGrad`` or
            ``(input_dim, output_dim)``.

        Raises:
            TypeError: If ids are not integers or ``grad_out`` is not a float array.
            IndexError: If an id is out of range.
            ValueError: If ``grad_out`` does not have shape ``ids.shape + (output_dim,)``.

        >>> layer = Embedding(4, 2)
        >>> layer.backward([3, 3], np.ones((2, 2), np.float32)).values
        array([[2., 2.]], dtype=float32)
        """
        dense = check_bool(dense, "dense")
        ids = check_ids(ids, self.input_dim)
        grad_out = F._check_grad(grad_out, ids.shape, self.output_dim)
        rows, result = F._embedding_backward(
            F._as_int64(ids), grad_out, self.input_dim, self.padding_idx, dense
        )
        return self._keep_grad(rows, result, dense)

    # ----------------------------------------------------------------- bridges

    def to_torch(self) -> Any:
        """Return a ``torch.nn.Embedding`` with a copy of the weights: see
        :func:`wordvec.torch.to_torch`.

        Raises:
            ImportError: If torch is missing (``pip install "wordvec[torch]"``).
        """
        from wordvec.torch import to_torch

        return to_torch(self)

    @classmethod
    def from_torch(cls, module: Any) -> Embedding:
        """Build a layer from a ``torch.nn.Embedding``: see :func:`wordvec.torch.from_torch`.

        Raises:
            ImportError: If torch is missing.
            TypeError: If ``module`` is not a ``torch.nn.Embedding``.
        """
        from wordvec.torch import from_torch

        return from_torch(module, cls)  # type: ignore[return-value]

    def to_keras(self) -> Any:
        """Return a ``keras.layers.Embedding`` with a copy of the weights: see
        :func:`wordvec.keras.to_keras`.

        Raises:
            ImportError: If keras is missing (``pip install "wordvec[keras]"``).
        """
        from wordvec.keras import to_keras

        return to_keras(self)
