"""Checkpoints of a distributed run: the full training state in one safetensors file.

Rank 0 writes ``DIR/checkpoint.safetensors`` atomically right after a full weight
sync (so it holds every rank's weights): the weight tables, the vocabulary (words and
counts), the progress (epoch and round within it; the kernels' random numbers are a
pure function of the seed and the job, so progress is their state), the losses and
two fingerprints: the settings and the corpus (file names and sizes, the number of
ranks, and a digest of the merged vocabulary). A run started with a checkpoint
directory resumes from it if it exists, and refuses one whose fingerprints differ.
On resume rank 0 reads the file and broadcasts it, so the other machines need no
shared filesystem for checkpoints.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wordvec._io import atomic_write

logger = logging.getLogger(__name__)

FILENAME = "checkpoint.safetensors"
_FORMAT = "wordvec.distributed-checkpoint"


@dataclass
class Progress:
    """Where training stands: the next round to train.

    Attributes:
        epoch (int): The epoch in progress, 0-based.
        round (int): The next round of that epoch.
        losses (list[float]): Mean loss of each finished epoch.
        loss_sum (float): Loss summed over the finished rounds of the epoch.
        examples (int): Examples of the finished rounds of the epoch.
    """

    epoch: int = 0
    round: int = 0
    losses: list = field(default_factory=list)
    loss_sum: float = 0.0
    examples: int = 0


def corpus_fingerprint(files: list[Path], world_size: int) -> dict[str, Any]:
    """The cheap part of the corpus fingerprint: file names, sizes and the rank count.

    >>> corpus_fingerprint([], 2)
    {'files': [], 'world_size': 2}
    """
    return {
        "files": [[Path(f).name, os.path.getsize(f)] for f in files],
        "world_size": world_size,
    }


def vocab_digest(words: list[str], counts: np.ndarray) -> str:
    """A digest of the merged vocabulary (words, counts and order).

    >>> vocab_digest(["a"], np.array([1])) == vocab_digest(["a"], np.array([2]))
    False
    """
    h = hashlib.sha256()
    for w in words:
        h.update(w.encode("utf-8") + b"\0")
    h.update(np.ascontiguousarray(counts, dtype=np.int64).tobytes())
    return h.hexdigest()


def save_checkpoint(
    directory: Path,
    *,
    tables: dict[str, np.ndarray],
    words: list[str],
    counts: np.ndarray,
    progress: Progress,
    settings: dict[str, Any],
    corpus: dict[str, Any],
) -> Path:
    """Write the training state to ``directory/checkpoint.safetensors`` atomically."""
    from safetensors.numpy import save

    encoded = [w.encode("utf-8") for w in words]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(b) for b in encoded])
    arrays = {f"table.{k}": np.ascontiguousarray(v) for k, v in tables.items()}
    arrays["counts"] = np.ascontiguousarray(counts, dtype=np.int64)
    arrays["word_offsets"] = offsets
    arrays["words_utf8"] = np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8).copy()
    meta = {
        "format": _FORMAT,
        "settings": json.dumps(settings, sort_keys=True),
        "corpus": json.dumps(corpus, sort_keys=True),
        "progress": json.dumps(progress.__dict__),
    }
    path = Path(directory) / FILENAME
    data = save(arrays, metadata=meta)
    with atomic_write(path) as f:
        f.write(data)
    logger.info("checkpoint: epoch %d round %d -> %s", progress.epoch, progress.round, path)
    return path


def read_header(directory: Path) -> dict[str, str] | None:
    """Return the metadata of the checkpoint in ``directory``, or None if there is none.

    Raises:
        ValueError: If the file exists but is not a wordvec distributed checkpoint.
    """
    from safetensors import safe_open

    path = Path(directory) / FILENAME
    if not path.exists():
        return None
    try:
        with safe_open(str(path), framework="np") as f:
            meta = f.metadata() or {}
    except Exception as exc:
        raise ValueError(
            f"{str(path)!r} is not a readable checkpoint ({exc}); delete it to start over."
        ) from exc
    if meta.get("format") != _FORMAT:
        raise ValueError(
            f"{str(path)!r} is not a wordvec distributed checkpoint; use an empty "
            "--checkpoint-dir for this run."
        )
    return meta


def check_compatible(
    meta: dict[str, str], directory: Path, settings: dict[str, Any], corpus: dict[str, Any]
) -> None:
    """Refuse a checkpoint written with other settings or another corpus.

    Raises:
        ValueError: Naming the first settings or corpus entries that differ.
    """
    for what, mine in (("settings", settings), ("corpus", corpus)):
        mine = json.loads(json.dumps(mine, sort_keys=True))
        # keys known only later (the vocabulary digest) are checked when known
        theirs = {k: v for k, v in json.loads(meta[what]).items() if k in mine}
        if theirs != mine:
            keys = sorted(k for k in set(theirs) | set(mine) if theirs.get(k) != mine.get(k))
            diffs = ", ".join(f"{k}: {theirs.get(k)!r} -> {mine.get(k)!r}" for k in keys[:4])
            raise ValueError(
                f"the checkpoint in {str(directory)!r} was written for other {what} "
                f"({diffs}); run with the checkpoint's {what}, or use another "
                "--checkpoint-dir (or delete it) to start over."
            )


def load_checkpoint(
    directory: Path,
) -> tuple[dict[str, np.ndarray], list[str], np.ndarray, Progress]:
    """Return the tables, words, counts and progress of the checkpoint in ``directory``."""
    from safetensors import safe_open

    path = Path(directory) / FILENAME
    with safe_open(str(path), framework="np") as f:
        meta = f.metadata() or {}
        arrays = {k: f.get_tensor(k) for k in f.keys()}
    raw = arrays["words_utf8"].tobytes()
    offsets = arrays["word_offsets"].tolist()
    words = [raw[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)]
    tables = {
        k[len("table.") :]: np.array(v, dtype=np.float32)
        for k, v in arrays.items()
        if k.startswith("table.")
    }
    progress = Progress(**json.loads(meta["progress"]))
    return tables, words, arrays["counts"].astype(np.int64), progress
