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
    rng = np.random.default_rng(0)  # the same start on every rank
    a = rng.random((50, 4), dtype=np.float32)
    b = rng.random((50, 3), dtype=np.float32)
    np.save(outdir / "start.npy", np.concatenate([a, b], axis=1))
    rows = sync.WeightSync(comm, [a, b], mode="rows", full_every=100)
    touched = np.array([3, 7 + comm.rank])
    a[touched] += 1.0 + comm.rank  # this rank's updates: rows 3 and 7 / 8
    b[touched] -= 2.0
    b[20 + comm.rank] += 5.0  # a change of the second table only (a negative sample)
    np.save(outdir / f"before{comm.rank}.npy", np.concatenate([a, b], axis=1))
    rows()
    np.save(outdir / f"rows{comm.rank}.npy", np.concatenate([a, b], axis=1))
    a[[5, 10 + comm.rank]] += 0.5  # a round's updates, then a sync that overlaps...
    b[5] += 0.25
    np.save(outdir / f"round{comm.rank}.npy", np.concatenate([a, b], axis=1))
    rows.begin()
    a[[5, 30 + comm.rank]] -= 4.0  # ...the next round's training
    b[30 + comm.rank] += 3.0
    np.save(outdir / f"next{comm.rank}.npy", np.concatenate([a, b], axis=1))
    rows.complete()
    np.save(outdir / f"overlap{comm.rank}.npy", np.concatenate([a, b], axis=1))
    rows(full=True)
    np.save(outdir / f"full{comm.rank}.npy", np.concatenate([a, b], axis=1))
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


def scenario_train(comm, outdir: Path, args: list[str]) -> dict:
    """Train Word2Vec across the ranks (args: JSON of parameters); rank 0 writes
    ``vectors.txt``, every rank its weights as ``weights<R>.npy``."""
    from wordvec.train import Word2Vec

    params = {"dim": 16, "epochs": 3, "min_count": 3, "workers": 1, "progress": False,
              **json.loads(args[0])}  # fmt: skip
    model = Word2Vec(distributed=True, **params)
    model.hooks.comm = comm
    wv = model.fit(_corpus(outdir))
    np.save(outdir / f"weights{comm.rank}.npy", model.input_weights)
    np.save(outdir / f"output{comm.rank}.npy", model.output_weights)
    if model.hooks.writes_output:
        wv.save(outdir / "vectors.txt", format="word2vec")
    return {
        "words": wv.words,
        "counts": wv.counts.tolist(),
        "checksum": model.hooks.checksum,
        "losses": model.losses,
        "sync": model.hooks.sync_stats(),
        "resumed_from": model.hooks.resumed_from,
    }


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
