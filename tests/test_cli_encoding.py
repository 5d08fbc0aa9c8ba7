"""`wordvec train` and `wordvec evaluate` on files with bytes that are not UTF-8: a located
error by default, and --encoding / --encoding-errors to get past it."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from wordvec.cli import main
from wordvec.datasets import default_corpus
from wordvec.text import iter_lines


@pytest.fixture(scope="module")
def latin1_corpus(tmp_path_factory) -> tuple[Path, int]:
    """600 paragraphs of the bundled novels in UTF-8, with one Latin-1 line at line 301."""
    lines = list(itertools.islice(iter_lines(default_corpus()), 600))
    head = "\n".join(lines[:300]).encode() + b"\n"
    path = tmp_path_factory.mktemp("corpus") / "mixed.txt"
    path.write_bytes(head + b"the caf\xe9 by the sea\n" + "\n".join(lines[300:]).encode())
    return path, len(head) + len(b"the caf")


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_train_stops_at_the_bad_byte_with_its_place_and_writes_nothing(
    capsys, tmp_path, latin1_corpus
) -> None:
    path, offset = latin1_corpus
    out = tmp_path / "v.safetensors"
    code, _, err = run(capsys, "train", path, "-o", out, "--epochs", "1", "--quiet")
    assert code == 2
    assert f"mixed.txt', line 301 (byte offset {offset})" in err
    assert "b'\\xe9'" in err and "--encoding-errors" in err and "--encoding" in err
    assert "Traceback" not in err and not out.exists()


@pytest.mark.parametrize("options", [["--encoding-errors", "replace"], ["--encoding", "latin-1"]])
def test_train_gets_past_it_and_reports_the_lines(capsys, tmp_path, latin1_corpus, options):
    path, _ = latin1_corpus
    out = tmp_path / "v.safetensors"
    args = ["train", path, "-o", out, "--epochs", "1", "--dim", "16", "--json", "--quiet"]
    code, stdout, _ = run(capsys, *args, *options)
    assert code == 0 and out.exists()
    report = json.loads(stdout)
    replaced = options[0] == "--encoding-errors"
    assert report["decoding"]["lines_with_errors"] == (1 if replaced else 0)
    assert report["decoding"]["encoding"] == ("utf-8" if replaced else "latin-1")
    assert report["config"]["encoding_errors"] == ("replace" if replaced else "strict")


def test_evaluate_analogies_file_with_a_bad_byte(capsys, tmp_path) -> None:
    vectors = tmp_path / "v.txt"
    vectors.write_text("man 1 0 0.1\nking 1 1 0\nwoman 0 0 1\nqueen 0 1 1\n")
    questions = tmp_path / "q.txt"
    questions.write_bytes(b": toy\nman king woman queen\n\xffbad line\n")
    code, _, err = run(capsys, "evaluate", vectors, "--analogies", questions)
    assert code == 2 and "q.txt', line 3 (byte offset 27)" in err
    code, stdout, _ = run(
        capsys, "evaluate", vectors, "--analogies", questions, "--encoding-errors", "ignore",
        "--json", "--similarity", questions,
    )  # fmt: skip
    assert code == 2  # the similarity file has no scorable pair: a clear error, no traceback
    code, stdout, _ = run(
        capsys, "evaluate", vectors, "--analogies", questions, "--encoding-errors", "ignore",
        "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(stdout)
    assert report["analogies"]["lines_with_errors"] == 1
    assert report["analogies"]["accuracy"] == 1.0
