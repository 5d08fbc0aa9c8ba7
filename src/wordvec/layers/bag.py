"""EmbeddingBag: one vector per bag of ids (sum, mean or max of their rows), without
materializing the per-id rows."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from wordvec._validation import check_bool, check_choice
from wordvec.layers import functional as F
from wordvec.layers.embedding import TableLayer, _dtype_name
from wordvec.layers.initializers import Initializer, check_matrix

logger = logging.getLogger(__name__)

__all__ = ["EmbeddingBag"]


class EmbeddingBag(TableLayer):
    """Reduce bags of ids to one vector each: the sum, mean or per-dimension max of their rows.

    Semantics of ``torch.nn.EmbeddingBag``: bags are given as 1-D ``ids`` cut by
    ``offsets`` (with ``include_last_offset=True`` the offsets end with ``len(ids)``,
    CSR style) or as a 2-D padded batch (one bag per row). Entries equal to
    ``padding_idx`` are excluded from their bag, the mean divides by the entries kept,
    and an empty bag gives zeros. With ``mode="sum"``, :meth:`forward` also takes
    ``per_sample_weights`` that scale each entry's row before the sum.

    Args:
        input_dim (int): Number of rows (ids ``0 .. input_dim - 1``).
        output_dim (int): Width of each row.
        mode (str, default "mean"): ``"sum"``, ``"mean"`` or ``"max"`` (PyTorch's default
            is ``"mean"`` too).
        padding_idx (int | None, default None): An id left out of every bag; its row is
            zero at init (unless pretrained) and never receives gradient.
        embeddings_initializer (str | array | callable, default "uniform"): As in
            :class:`~wordvec.layers.Embedding`.
        max_norm (float | None, default None): Renormalize looked-up rows in place.
        trainable (bool, default True): False freezes the table.
        seed (int | None, default None): Seed of the initializer.
        dtype (str, default "float32"): ``"float32"`` or ``"float64"``.
        norm_type (float, default 2.0): p of the p-norm used with ``max_norm``.
        include_last_offset (bool, default False): Offsets given to :meth:`forward` have
            one extra final entry equal to ``len(ids)`` (``bags + 1`` entries), as in
            PyTorch; 2-D padded batches are then refused.

    Attributes:
        embeddings (np.ndarray): The table ``(input_dim, output_dim)``.
        grad (SparseGrad | np.ndarray | None): The gradient of the last :meth:`backward`
            call, as it was returned (sparse or dense); None after ``apply_gradients``.

    Shape:
        ids ``(n,)`` + offsets ``(bags,)`` (``(bags + 1,)`` with ``include_last_offset``),
        or ids ``(bags, length)`` -> ``(bags, output_dim)``.

    >>> bag = EmbeddingBag.from_pretrained(np.eye(3), mode="sum")
    >>> bag([[0, 1], [2, 2]])
    array([[1., 1., 0.],
           [0., 0., 2.]])
    >>> bag([[0, 1], [2, 2]], per_sample_weights=[[0.5, 2.0], [1.0, 0.25]])
    array([[0.5 , 2.  , 0.  ],
           [0.  , 0.  , 1.25]])
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        mode: str = "mean",
        padding_idx: int | None = None,
        embeddings_initializer: str | np.ndarray | Initializer = "uniform",
        max_norm: float | None = None,
        trainable: bool = True,
        seed: int | None = None,
        dtype: str = "float32",
        *,
        norm_type: float = 2.0,
        include_last_offset: bool = False,
    ) -> None:
        self.mode = check_choice(mode, "mode", F.BAG_MODES)
        self.include_last_offset = check_bool(include_last_offset, "include_last_offset")
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
        # (flat ids, starts, max_indices, per-sample weights) of the last forward call.
        self._context: (
            tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None] | None
        ) = None

    def _extra_repr(self) -> str:
        last = ", include_last_offset=True" if self.include_last_offset else ""
        return f"mode={self.mode!r}{last}"

    @classmethod
    def from_pretrained(
        cls,
        matrix: Any,
        freeze: bool = True,
        mode: str = "mean",
        padding_idx: int | None = None,
        max_norm: float | None = None,
        *,
        norm_type: float = 2.0,
        include_last_offset: bool = False,
    ) -> EmbeddingBag:
        """Build a bag layer whose table is a copy of ``matrix`` (``freeze=True`` freezes it).

        Args:
            matrix (array-like of float): The table ``(input_dim, output_dim)``.
            freeze (bool, default True): True freezes the table.
            mode, padding_idx, max_norm, norm_type, include_last_offset: As in the
                constructor (defaults ``"mean"``, None, None, 2.0, False).

        Raises:
            TypeError: If ``matrix`` does not hold floats.
            ValueError: If it is not 2-D or holds NaN/inf (position named).

        >>> EmbeddingBag.from_pretrained(np.eye(2), mode="max")([[0, 1]])
        array([[1., 1.]])
        """
        matrix = check_matrix(matrix, name="matrix")
        freeze = check_bool(freeze, "freeze")
        return cls(
            matrix.shape[0],
            matrix.shape[1],
            mode=mode,
            padding_idx=padding_idx,
            embeddings_initializer=matrix,
            max_norm=max_norm,
            trainable=not freeze,
            dtype=_dtype_name(matrix.dtype),
            norm_type=norm_type,
            include_last_offset=include_last_offset,
        )

    def forward(self, ids: Any, offsets: Any = None, per_sample_weights: Any = None) -> np.ndarray:
        """Return one reduced vector per bag and remember the bags for :meth:`backward`.

        Args:
            ids (array-like of int): 1-D ids with ``offsets``, or a 2-D padded batch.
            offsets (array-like of int | None, default None): Start of each bag in 1-D
                ``ids`` (first 0, non-decreasing, last bag runs to the end; with
                ``include_last_offset`` one more final entry equal to ``len(ids)``);
                None for 2-D.
            per_sample_weights (array-like of float | None, default None): One finite
                weight per entry of ``ids`` (same shape), cast to the table's dtype;
                each entry's row is scaled by it before the sum. Only with
                ``mode="sum"``; entries equal to ``padding_idx`` stay left out.

        Shape:
            ids ``(n,)`` + offsets ``(bags,)`` (``(bags + 1,)`` with
            ``include_last_offset``), or ``(bags, length)``; per_sample_weights like
            ids -> ``(bags, output_dim)``.

        Raises:
            TypeError / IndexError / ValueError: For bad ids, offsets or
                per_sample_weights (see :func:`~wordvec.layers.functional.embedding_bag`);
                the table and the remembered bags are unchanged.

        >>> EmbeddingBag.from_pretrained(np.eye(2)).forward([0, 1, 1], offsets=[0, 1])
        array([[1., 0.],
               [0., 1.]])
        >>> bag = EmbeddingBag.from_pretrained(np.eye(2), mode="sum", include_last_offset=True)
        >>> bag.forward([0, 1, 1], offsets=[0, 1, 3], per_sample_weights=[2.0, 0.5, 0.25])
        array([[2.  , 0.  ],
               [0.  , 0.75]])
        """
        flat, starts, weights = F._bags(
            ids,
            offsets,
            self.input_dim,
            include_last_offset=self.include_last_offset,
            per_sample_weights=per_sample_weights,
            mode=self.mode,
            dtype=self._embeddings.dtype,
        )
        out, max_indices = F._embedding_bag(
            flat,
            starts,
            self._embeddings,
            self.mode,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            weights,
        )
        # The validated bags (copies, so later edits of ``ids`` or the weights cannot
        # leak in: ``_bags`` already copies the weights).
        self._context = (flat.copy(), starts, max_indices, weights)
        return out

    __call__ = forward

    def backward(self, grad_out: Any, dense: bool = False) -> F.SparseGrad | np.ndarray:
        """Return the table's gradient for the last :meth:`forward` call and remember it.

        ``"sum"`` sends each bag's gradient to each kept entry (times the entry's
        ``per_sample_weights`` value if the forward call had weights), ``"mean"`` divides
        it by the bag's kept size, ``"max"`` sends each dimension's gradient to the row that
        held the maximum. A frozen layer still computes the gradient (for inspection).

        Args:
            grad_out (array-like of float): Gradient w.r.t. the output, ``(bags, output_dim)``.
            dense (bool, default False): Return the dense ``(input_dim, output_dim)`` matrix.

        Shape:
            ``(bags, output_dim)`` -> ``SparseGrad`` or ``(input_dim, output_dim)``.

        Raises:
            RuntimeError: If :meth:`forward` was never called.
            ValueError: If ``grad_out`` does not have shape ``(bags, output_dim)``.

        >>> bag = EmbeddingBag(4, 2, mode="sum")
        >>> _ = bag([[1, 3]])
        >>> bag.backward(np.ones((1, 2), np.float32)).indices
        array([1, 3])
        """
        dense = check_bool(dense, "dense")
        if self._context is None:
            raise RuntimeError("call forward(ids, offsets) before backward(grad_out).")
        flat, starts, max_indices, weights = self._context
        grad_out = F._check_grad(grad_out, (starts.size - 1,), self.output_dim)
        rows, result = F._embedding_bag_backward(
            flat,
            starts,
            grad_out,
            self.input_dim,
            self.mode,
            self.padding_idx,
            max_indices,
            dense,
            weights,
        )
        return self._keep_grad(rows, result, dense)

    def to_torch(self) -> Any:
        """Return a ``torch.nn.EmbeddingBag`` with a copy of the weights: see
        :func:`wordvec.torch.to_torch`.

        Raises:
            ImportError: If torch is missing (``pip install "wordvec[torch]"``).
        """
        from wordvec.torch import to_torch

        return to_torch(self)

    @classmethod
    def from_torch(cls, module: Any) -> EmbeddingBag:
        """Build a bag layer from a ``torch.nn.EmbeddingBag``: see
        :func:`wordvec.torch.from_torch`.

        Raises:
            ImportError: If torch is missing.
            TypeError: If ``module`` is not a ``torch.nn.EmbeddingBag``.
        """
        from wordvec.torch import from_torch

        return from_torch(module, cls)  # type: ignore[return-value]
