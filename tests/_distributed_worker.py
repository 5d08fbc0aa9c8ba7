"""One rank of a test job, started by tests/test_distributed.py with the torchrun
variables set: ``python _distributed_worker.py SCENARIO OUTDIR [ARGS...]``.

Each scenario writes what it observed to ``OUTDIR/rank<R>.json`` (and arrays to
``.npy``) for the test to compare; a failure is written as ``{"error": message}``
with exit code 1.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _corpus(outdir: Path) -> list[Path]:
    return sorted((outdir.parent / "corpus").iterdir())


def scenario_layer(comm, outdir: Path, args: list[str]) -> dict:
    """Vocabulary merge, both syncs, checksums, and the settings check."""
    from wordvec.train.corpus import build_vocab, encode_corpus
    from wordvec.train.distributed import comm as comm_mod
    from wordvec.train.distributed import shares, sync, vocab

    files = _corpus(outdir)
    comm_mod.check_same_settings(comm, {"dim": 8, "files": [str(f) for f in files]})
    counts = shares.ShareCounts(positions=[])
    with tempfile.TemporaryDirectory() as tmp:
        source = shares.share_sentences(
            shares.rank_shares(files, comm.rank, comm.world_size), counts=counts
        )
        enc = encode_corpus(source, tmp)
        words, totals, local = vocab.merge_vocab(comm, enc, counts.positions)
    kept, kept_counts, _ = build_vocab(words, totals, min_count=2, max_vocab=None)
    rng = np.random.default_rng(comm.rank)
    a = rng.random((50, 4), dtype=np.float32)
    b = rng.random((50, 3), dtype=np.float32)
    np.save(outdir / f"before{comm.rank}.npy", np.concatenate([a, b], axis=1))
    rows = sync.WeightSync(comm, [a, b], mode="rows", full_every=100)
    rows.mark(np.array([3, -1, 7 + comm.rank]))
    rows()
    np.save(outdir / f"rows{comm.rank}.npy", np.concatenate([a, b], axis=1))
    sync.WeightSync(comm, [a, b], mode="full")()
    digest = sync.check_identical(comm, [a, b])
    differ = ""
    try:
        comm_mod.check_same_settings(comm, {"dim": 8 + comm.rank})
    except ValueError as exc:
        differ = str(exc)
    return {
        "words": kept,
        "counts": kept_counts.tolist(),
        "local_map_ok": bool((np.asarray(words)[local] == np.asarray(enc.words)).all()),
        "digest": digest,
        "differ": differ,
    }


def scenario_loop(comm, outdir: Path, args: list[str]) -> dict:
    """All-reduce in a loop until killed from outside (the fault test)."""
    table = np.ones((1000, 16), dtype=np.float32)
    (outdir / f"ready{comm.rank}").write_text("1")
    t_end = time.monotonic() + float(args[0])
    while time.monotonic() < t_end:
        comm.all_reduce_(table)
        table /= comm.world_size
        time.sleep(0.01)
    return {"done": True}


def scenario_train(comm, outdir: Path, args: list[str]) -> dict:  # pragma: no cover - later
    raise NotImplementedError


def main() -> int:
    scenario, outdir = sys.argv[1], Path(sys.argv[2])
    args = sys.argv[3:]
    from wordvec.train.distributed.comm import Comm, RankFailure

    result: dict
    code = 0
    t0 = time.monotonic()
    try:
        with Comm.start(timeout=float(__import__("os").environ.get("WV_TIMEOUT", "20"))) as comm:
            rank = comm.rank
            result = globals()[f"scenario_{scenario}"](comm, outdir, args)
    except (RankFailure, ValueError, RuntimeError) as exc:
        rank = int(__import__("os").environ["RANK"])
        result = {"error": str(exc), "type": type(exc).__name__}
        code = 1
    result["seconds"] = time.monotonic() - t0
    (outdir / f"rank{rank}.json").write_text(json.dumps(result))
    return code


if __name__ == "__main__":
    sys.exit(main())
