"""Benchmark: 1,000 most_similar queries on the 400k GloVe vocabulary, batched vs gensim.

wordvec answers all queries with one batched call (``Vectors.nearest``: blocked matrix
products + a numba top-k); gensim answers them one by one with
``KeyedVectors.most_similar(word, topn=10)``. Both use the same float32 matrix (gensim's
``KeyedVectors`` is filled from the loaded arrays) and have their norms cached before
timing. Wall and CPU times (all threads) are reported; the ratio is of wall times.
The benchmark checks that the top-10 lists agree: word for word, or with at most a
swap of two scores equal within 1e-6.

Target (issue "Word vectors"): at least 5x faster than gensim, same top-10 lists.

Run by hand:  python benchmarks/query.py [--queries 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from wordvec.vectors import Vectors

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GLOVE_GZ = DATA / "vectors" / "glove.6B.50d.txt.gz"


def _agree(ours: list[tuple[str, float]], theirs: list[tuple[str, float]]) -> tuple[bool, bool]:
    """(identical word lists, identical up to swaps of near-equal scores)."""
    same = [w for w, _ in ours] == [w for w, _ in theirs]
    if same:
        return True, True
    close = all(abs(a - b) < 1e-6 for (_, a), (_, b) in zip(ours, theirs)) and all(
        w1 == w2 or abs(s1 - s2) < 1e-6 for (w1, s1), (w2, s2) in zip(ours, theirs)
    )
    return False, close


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--topn", type=int, default=10)
    args = parser.parse_args()

    from gensim.models import KeyedVectors

    vectors = Vectors.load(GLOVE_GZ)
    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(100_000, size=args.queries, replace=False))
    words = [vectors.words[i] for i in rows]
    kv = KeyedVectors(vectors.dim)
    kv.add_vectors(vectors.words, np.array(vectors.vectors))
    kv.fill_norms()
    vectors.unit  # noqa: B018 - normalise once, as gensim's fill_norms above

    ours_t, theirs_t, ours_cpu, theirs_cpu = [], [], [], []
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        idx, scores = vectors.nearest(vectors.vectors[rows], topn=args.topn, exclude=rows[:, None])
        ours_t.append(time.perf_counter() - t0)
        ours_cpu.append(time.process_time() - c0)
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        theirs = [kv.most_similar(w, topn=args.topn) for w in words]
        theirs_t.append(time.perf_counter() - t0)
        theirs_cpu.append(time.process_time() - c0)

    exact = close = 0
    for r in range(len(words)):
        ours = [(vectors.words[i], float(s)) for i, s in zip(idx[r], scores[r])]
        same, near = _agree(ours, theirs[r])
        exact += same
        close += near
    ours_m, theirs_m = statistics.median(ours_t), statistics.median(theirs_t)
    print(f"{args.queries} most_similar queries (topn={args.topn}) on {len(vectors)} words")
    for name, wall, cpu in (
        ("wordvec batched  ", ours_t, ours_cpu),
        ("gensim one by one", theirs_t, theirs_cpu),
    ):
        print(
            f"  {name}: {statistics.median(wall):8.3f} s wall, "
            f"{statistics.median(cpu):8.3f} s cpu (wall runs: "
            f"{', '.join(f'{t:.3f}' for t in wall)})"
        )
    print(f"  speed-up x{theirs_m / ours_m:.1f}")
    print(
        f"  agreement: {exact}/{len(words)} identical top-{args.topn} lists, "
        f"{close}/{len(words)} identical up to swaps of scores equal within 1e-6"
    )


if __name__ == "__main__":
    main()
