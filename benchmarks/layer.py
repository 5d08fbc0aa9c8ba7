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
(after a warm-up that also triggers numba compilation). The functions are timed in
interleaved rounds and every ratio is the median of per-round ratios, so the load of a
shared machine falls on ours and the peer alike.

Run:  python benchmarks/layer.py [--repeats 15] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable

import numpy as np


def interleaved(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Time every function once per round (in a shuffled order), round after round, so that
    the load of a shared machine hits all of them alike; returns the seconds of each run."""
    for fn in fns.values():  # warm-up (also compiles the numba kernels)
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    order = list(fns)
    shuffle = random.Random(0).shuffle
    for _ in range(rounds):
        shuffle(order)  # no function always runs first (or right after the same one)
        for name in order:
            t0 = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - t0)
    return times


def report(times: dict[str, list[float]]) -> None:
    for name, runs in times.items():
        print(f"  {name:<38} {1000 * statistics.median(runs):9.2f} ms")


def paired(times: dict[str, list[float]], ours: str, peer: str) -> float:
    """Median over rounds of ours/peer time (each ratio from the same round)."""
    return statistics.median(a / b for a, b in zip(times[ours], times[peer]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--add-at-repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    import numba
    import torch

    from wordvec.layers import Embedding
    from wordvec.layers import _kernels as K

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
    fwd = interleaved(
        {
            "wordvec Embedding.forward": lambda: layer(ids),
            "np.take(E, ids, axis=0)": lambda: np.take(table, ids, axis=0),
            "torch F.embedding": lambda: torch.nn.functional.embedding(t_ids, t_table),
        },
        r,
    )

    def torch_autograd() -> None:
        w = t_table.detach().requires_grad_(True)
        torch.nn.functional.embedding(t_ids, w).backward(t_grad)

    bwd = interleaved(
        {
            "wordvec backward (sparse)": lambda: layer.backward(ids, grad),
            "wordvec backward (dense)": lambda: layer.backward(ids, grad, dense=True),
            "torch embedding_dense_backward": lambda: torch.ops.aten.embedding_dense_backward(
                t_grad, t_ids, args.rows, -1, False
            ),
            "torch F.embedding fwd+bwd (autograd)": torch_autograd,
        },
        r,
    )
    flat, grad2d = ids.ravel(), grad.reshape(-1, args.dim)
    add_at = interleaved(
        {
            "wordvec backward (sparse)": lambda: layer.backward(ids, grad),
            "wordvec backward (dense)": lambda: layer.backward(ids, grad, dense=True),
            "np.add.at (dense)": lambda: K.scatter_add_reference(flat, grad2d, args.rows),
        },
        args.add_at_repeats,
    )

    print(
        f"Embedding layer: ids {ids.shape} into a ({args.rows:,} x {args.dim}) float32 table; "
        f"threads={args.threads} (numba {numba.get_num_threads()}, torch "
        f"{torch.get_num_threads()}); interleaved rounds: {r} (np.add.at: "
        f"{args.add_at_repeats}); times are medians, ratios medians of per-round ratios"
    )
    print(f"numpy {np.__version__}, numba {numba.__version__}, torch {torch.__version__}")
    print("\nforward")
    report(fwd)
    ours = "wordvec Embedding.forward"
    print(
        f"  ours / np.take = {paired(fwd, ours, 'np.take(E, ids, axis=0)'):.2f} (target <= 1.2);"
        f" ours / torch = {paired(fwd, ours, 'torch F.embedding'):.2f}"
    )
    print("\nbackward")
    report(bwd)
    report({"np.add.at (dense)": add_at["np.add.at (dense)"]})
    for kind in ("sparse", "dense"):
        ours = f"wordvec backward ({kind})"
        speedup = 1.0 / paired(add_at, ours, "np.add.at (dense)")
        vs_torch = paired(bwd, ours, "torch embedding_dense_backward")
        print(
            f"  {kind:<6}: speed-up vs np.add.at = {speedup:5.1f}x (target >= 10); "
            f"ours / torch dense backward = {vs_torch:.2f} (target <= 1)"
        )


if __name__ == "__main__":
    main()
