import gzip
import os
from pathlib import Path

import pytest

from wordvec._io import atomic_write, compression_of, open_text


def test_atomic_write_success_and_mode(tmp_path: Path):
    p = tmp_path / "out.txt"
    with atomic_write(p, text=True) as f:
        f.write("héllo\n")
    assert p.read_text(encoding="utf-8") == "héllo\n"
    umask = os.umask(0)
    os.umask(umask)
    assert (p.stat().st_mode & 0o777) == (0o666 & ~umask)


def test_atomic_write_failure_keeps_old_content(tmp_path: Path):
    p = tmp_path / "out.txt"
    p.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(p, text=True) as f:
        f.write("new, half written")
        raise RuntimeError("boom")
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["out.txt"]


def test_compressed_write_and_read(tmp_path: Path):
    p = tmp_path / "out.txt.gz"
    with atomic_write(p, text=True) as f:
        f.write("a b\nc\n")
    assert compression_of(p) == ".gz"
    assert gzip.decompress(p.read_bytes()) == b"a b\nc\n"
    with open_text(p) as f:
        assert f.read().splitlines() == ["a b", "c"]


def test_missing_directory_and_file(tmp_path: Path):
    with (
        pytest.raises(FileNotFoundError, match="does not exist"),
        atomic_write(tmp_path / "no" / "x.txt"),
    ):
        pass
    with pytest.raises(FileNotFoundError, match=r"missing\.txt"):
        open_text(tmp_path / "missing.txt")
