"""`wordvec serve` on the command line: options, errors, and a port that is taken."""

from __future__ import annotations

import gzip
import itertools
import socket
import subprocess
import sys

import pytest

from wordvec.cli import main
from wordvec.cli.serve import _is_loopback

pytest.importorskip("uvicorn")


@pytest.fixture(scope="module")
def small_glove(shared_data, tmp_path_factory):
    """The first 500 words of GloVe 6B 50d, in its own text format."""
    path = tmp_path_factory.mktemp("serve_cli") / "glove500.txt"
    with gzip.open(shared_data / "vectors" / "glove.6B.50d.txt.gz", "rt", encoding="utf-8") as f:
        path.write_text("".join(itertools.islice(f, 500)), encoding="utf-8")
    return path


def test_help_lists_the_options(capsys):
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--open", "--map-words", "--limit", "Examples:"):
        assert option in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "between 1 and 65535"),
        (["--port", "http"], "whole number"),
        (["--map-words", "60000"], "at most 50,000"),
    ],
)
def test_bad_options_exit_2(small_glove, capsys, argv, message):
    assert main(["serve", str(small_glove), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "none.vec")]) == 2
    assert "not found" in capsys.readouterr().err


def test_a_taken_port_is_a_clear_error(small_glove):
    # In a subprocess: uvicorn configures logging and signal handlers process-wide, which
    # must not outlive the test inside pytest's own process.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "wordvec", "serve", str(small_glove), "--port", str(port)],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    assert proc.returncode == 1, proc.stderr
    assert f"could not listen on 127.0.0.1:{port}" in proc.stderr and "--port" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_only_loopback_addresses_count_as_local():
    assert all(_is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.0.2"))
    assert not any(_is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.10", "example.org"))
