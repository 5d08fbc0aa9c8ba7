"""Benchmark of the Embedding layer's forward (gather) and backward (scatter-add).

Workload from the spec: ids of shape (512, 256) drawn uniformly from a
(100,000 x 128) float32 table. Peers measured in the same run:

* forward: ``np.take(E, ids, axis=0)`` and ``torch.nn.functional.embedding``;
* backward: ``np.add.at`` into a zero table (the slow NumPy reference) and the
  dense backward torch runs on CPU for ``torch.nn.functional.embedding``
  (``torch.ops.aten.embedding_dense_backward``, what autograd calls), plus a
  full torch autograd ``forward + backward`` for context.

Targets: backward >= 10x faster than ``np.add.at`` and no slower than torch;
forward within 1.2x of ``np.take``. Every figure is the median of several runs
(after a warm-up that also triggers numba compilation).

Run:  python benchmarks/layer.py [--repeats 15] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np


def median_ms(fn: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--add-at-repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    import numba
    import torch

    from wordvec.layers import Embedding
    from wordvec.layers import _kernels as K
    from wordvec.layers import functional as F

    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    table = rng.uniform(-0.05, 0.05, size=(args.rows, args.dim)).astype(np.float32)
    ids = rng.integers(0, args.rows, size=(args.batch, args.length), dtype=np.int64)
    grad = rng.standard_normal(size=(args.batch, args.length, args.dim)).astype(np.float32)
    layer = Embedding.from_pretrained(table, freeze=False)
    t_ids = torch.from_numpy(ids)
    t_table = torch.from_numpy(table.copy())
    t_grad = torch.from_numpy(grad)

    # Correctness in the same run: ours == np.add.at == torch.
    ours = layer.backward(ids, grad, dense=True)
    ref = K.scatter_add_reference(ids.ravel(), grad.reshape(-1, args.dim), args.rows)
    t_dense = torch.ops.aten.embedding_dense_backward(t_grad, t_ids, args.rows, -1, False)
    np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours, t_dense.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(layer(ids), np.take(table, ids, axis=0))

    r = args.repeats
    fwd = {
        "wordvec Embedding.forward": median_ms(lambda: layer(ids), r),
        "wordvec functional.embedding": median_ms(lambda: F.embedding(ids, table), r),
        "np.take(E, ids, axis=0)": median_ms(lambda: np.take(table, ids, axis=0), r),
        "torch F.embedding": median_ms(lambda: torch.nn.functional.embedding(t_ids, t_table), r),
    }

    def torch_autograd() -> None:
        w = t_table.detach().requires_grad_(True)
        torch.nn.functional.embedding(t_ids, w).backward(t_grad)

    bwd = {
        "wordvec backward (sparse)": median_ms(lambda: layer.backward(ids, grad), r),
        "wordvec backward (dense)": median_ms(lambda: layer.backward(ids, grad, dense=True), r),
        "np.add.at (dense)": median_ms(
            lambda: K.scatter_add_reference(ids.ravel(), grad.reshape(-1, args.dim), args.rows),
            args.add_at_repeats,
            warmup=1,
        ),
        "torch embedding_dense_backward": median_ms(
            lambda: torch.ops.aten.embedding_dense_backward(t_grad, t_ids, args.rows, -1, False),
            r,
        ),
        "torch F.embedding fwd+bwd (autograd)": median_ms(torch_autograd, r),
    }

    print(
        f"Embedding layer: ids {ids.shape} into a ({args.rows:,} x {args.dim}) float32 table; "
        f"threads={args.threads} (numba {numba.get_num_threads()}, torch "
        f"{torch.get_num_threads()}); median of {r} runs (np.add.at: {args.add_at_repeats})"
    )
    print(f"numpy {np.__version__}, numba {numba.__version__}, torch {torch.__version__}")
    print("\nforward")
    for name, ms in fwd.items():
        print(f"  {name:<38} {ms:9.2f} ms")
    ours_f = fwd["wordvec Embedding.forward"]
    ratio_take = ours_f / fwd["np.take(E, ids, axis=0)"]
    print(f"  ratio ours / np.take  = {ratio_take:.2f}  (target <= 1.2)")
    print(f"  ratio ours / torch    = {ours_f / fwd['torch F.embedding']:.2f}")
    print("\nbackward")
    for name, ms in bwd.items():
        print(f"  {name:<38} {ms:9.2f} ms")
    for kind in ("sparse", "dense"):
        ours_b = bwd[f"wordvec backward ({kind})"]
        print(
            f"  {kind:<6}: speed-up vs np.add.at = {bwd['np.add.at (dense)'] / ours_b:6.1f}x "
            f"(target >= 10); ours / torch dense backward = "
            f"{ours_b / bwd['torch embedding_dense_backward']:.2f} (target <= 1)"
        )


if __name__ == "__main__":
    main()
