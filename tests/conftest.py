"""Shared fixtures: where the shared real data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data directory (../shared/data beside the repository)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fasttext_model(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """A tiny skip-gram model trained by the fastText tool (the oracle) on the first 3,000
    paragraphs of the bundled novels (curly quotes and accents included), saved as
    ``.bin``: returns ``(path, model)`` with the model loaded by fastText's Python
    binding. Trained by Debian's ``fasttext`` command when installed, else by the
    binding with 10 threads: fastText's current code (which fasttext-numpy2 builds)
    initialises only ``thread / 10`` of the input matrix (``DenseMatrix::uniform``), so
    with fewer threads the rest is stale memory and training stops with "Encountered
    NaN"; dim 20 makes the matrix a multiple of 10 values, all of them initialised.
    """
    import gzip
    import shutil
    import subprocess

    fasttext = pytest.importorskip("fasttext")
    folder = tmp_path_factory.mktemp("fasttext")
    corpus = folder / "corpus.txt"
    with gzip.open(shared_data / "corpus" / "default-books-en.txt.gz", "rt") as f:
        corpus.write_text("".join(line for _, line in zip(range(3000), f)), encoding="utf-8")
    path = folder / "model.bin"
    opts = dict(
        dim=20, epoch=1, lr=0.5, minCount=3, minn=2, maxn=5, bucket=5000, thread=1, verbose=0
    )  # a high rate: one quick epoch, yet vectors that are not all alike
    exe = shutil.which("fasttext")
    if exe:
        flags = [x for k, v in opts.items() for x in (f"-{k}", str(v))]
        cmd = [exe, "skipgram", "-input", str(corpus), "-output", str(path.with_suffix(""))]
        subprocess.run(cmd + flags, check=True, capture_output=True)
    else:
        opts["thread"] = 10
        trained = fasttext.train_unsupervised(str(corpus), model="skipgram", **opts)
        trained.save_model(str(path))
    return path, fasttext.load_model(str(path))
