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


def _layer_syncs(comm, sync, outdir: Path, compression: str, tag: str):
    """A rows sync, an overlapped one and a full one on two small tables; each step's
    tables saved as ``<step><rank><tag>.npy``."""

    def save(name: str) -> None:
        np.save(outdir / f"{name}{comm.rank}{tag}.npy", np.concatenate([a, b], axis=1))

    rng = np.random.default_rng(0)  # the same start on every rank
    a = rng.random((50, 4), dtype=np.float32)
    b = rng.random((50, 3), dtype=np.float32)
    np.save(outdir / "start.npy", np.concatenate([a, b], axis=1))
    hot = (np.arange(50) < 40).astype(np.uint8)  # rows 40-49: rare words
    rows = sync.WeightSync(
        comm, [a, b], mode="rows", full_every=100, compression=compression, hot=hot
    )
    touched = np.array([3, 7 + comm.rank])
    a[touched] += 1.0 + comm.rank  # this rank's updates: rows 3 and 7 / 8
    b[touched] -= 2.0
    a[40 + comm.rank] += 2.0  # and of a rare word's row: left to the full sync
    b[40 + comm.rank] += 1.0
    b[20 + comm.rank] += 5.0  # a change of the second table only (a negative sample)
    save("before")
    rows()
    save("rows")
    a[[5, 10 + comm.rank]] += 0.5  # a round's updates, then a sync that overlaps...
    b[5] += 0.25
    save("round")
    rows.begin()
    a[[5, 30 + comm.rank]] -= 4.0  # ...the next round's training
    b[30 + comm.rank] += 3.0
    save("next")
    rows.complete()
    save("overlap")
    rows(full=True)
    save("full")
    return a, b


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
    for compression, tag in (("none", ""), ("int8", "-int8")):
        a, b = _layer_syncs(comm, sync, outdir, compression, tag)
        if compression == "none":
            digest = sync.check_identical(comm, [a, b])
    # a compressed periodic full sync (mode "full": every sync is periodic)
    rng = np.random.default_rng(1)
    c = rng.random((40, 5), dtype=np.float32)
    full = sync.WeightSync(comm, [c], mode="full", compression="int8")
    c += rng.normal(scale=0.1, size=c.shape).astype(np.float32)  # rank-specific updates
    np.save(outdir / f"int8fullbefore{comm.rank}.npy", c)
    full()
    np.save(outdir / f"int8full{comm.rank}.npy", c)
    # factors of the summed updates: both ranks move rows 2 and 6 by 1; row 2's factor
    # is 0.5 (the mean of the updates), row 6's 1 (their sum)
    scaled = {}
    for compression in ("none", "int8"):
        for kind in ("rows", "full", "periodic"):
            d = np.zeros((8, 2), np.float32)
            scale = np.ones(8, np.float32)
            scale[2] = 0.5
            mode = "full" if kind == "periodic" else "rows"
            s = sync.WeightSync(comm, [d], mode=mode, compression=compression, scales=[scale])
            d[[2, 6]] += 1.0
            s(full=kind == "full")
            scaled[f"{compression}-{kind}"] = d.tolist()
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
        "scaled": scaled,
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
        "sync_words": model.hooks.sync_words,
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
