"""The `wordvec` command run for real, in subprocesses: train, query, convert, evaluate,
info and plot on real data, and the exit codes and messages for bad input."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import re
import signal
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from wordvec.cli import main
from wordvec.cli.train import probe_words
from wordvec.evaluate import evaluate_analogies, evaluate_similarity
from wordvec.vectors import Vectors

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}
ENV.pop("FORCE_COLOR", None)


def wordvec(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m wordvec ARGS` with stdout and stderr piped (not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "wordvec", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=300,
    )


def ok(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run wordvec and check it succeeded with no traceback and no colour codes."""
    proc = wordvec(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "\x1b[" not in proc.stdout + proc.stderr  # piped: no colour, no live display
    return proc


def run_main(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    """Run the same entry point in this process (cheaper: no numba start-up per call)."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def glove_file(shared_data: Path, work: Path) -> Path:
    """The 20,000 most frequent GloVe 6B 50d words, saved in the native format."""
    path = work / "glove20k.safetensors"
    Vectors.load(shared_data / "vectors" / "glove.6B.50d.txt.gz", limit=20_000).save(path)
    return path


@pytest.fixture(scope="module")
def glove(glove_file: Path) -> Vectors:
    return Vectors.load(glove_file)


@pytest.fixture(scope="module")
def corpus(shared_data: Path, work: Path) -> Path:
    """The first 20,000 paragraphs of the bundled corpus (about 1M words)."""
    path = work / "books20k.txt"
    with gzip.open(shared_data / "corpus" / "default-books-en.txt.gz", "rt") as f:
        path.write_text("".join(itertools.islice(f, 20_000)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(corpus: Path, work: Path) -> tuple[dict, Path]:
    out = work / "small.safetensors"
    proc = ok(
        "train", corpus, "-o", out, "--dim", 24, "--epochs", 1, "--workers", 2, "--json", "-q"
    )
    assert proc.stderr == ""  # --quiet: nothing but the JSON on stdout
    return json.loads(proc.stdout), out


# -- train -----------------------------------------------------------------------------


def test_train_writes_vectors_and_a_json_report(trained: tuple[dict, Path]) -> None:
    report, out = trained
    wv = Vectors.load(out)
    assert report["output"] == str(out) and report["format"] == "native"
    assert report["vocab_size"] == len(wv) > 5_000
    assert report["dim"] == wv.dim == 24
    assert report["config"]["epochs"] == 1 and report["config"]["min_count"] == 5
    assert report["corpus_words_in_vocab"] == int(wv.counts.sum()) > 500_000
    assert report["words_per_second"] > 0 and report["train_seconds"] > 0
    an = report["analogies"]
    assert 0.0 <= an["accuracy"] <= 1.0
    assert an["answered"] + an["skipped"] == an["questions"] == 19_544
    assert an["accuracy"] == evaluate_analogies(wv, restrict_vocab=30_000).accuracy
    sim = report["wordsim353"]
    assert sim["spearman"] == pytest.approx(evaluate_similarity(wv).spearman)
    # the probe words this corpus has, with the neighbours the saved vectors give
    assert list(report["neighbors"]) == ["king", "ship", "love", "elizabeth", "whale"]
    for word, items in report["neighbors"].items():
        expected = wv.most_similar(word, topn=8)
        assert [n for n, _ in items] == [n for n, _ in expected]
        assert [s for _, s in items] == pytest.approx([s for _, s in expected], abs=1e-6)
    top = report["king - man + woman"]
    assert [n for n, _ in top] == [
        n for n, _ in wv.most_similar(positive=["king", "woman"], negative=["man"], topn=5)
    ]


def test_train_rich_report_and_output_format_from_suffix(
    corpus: Path, work: Path, capsys: pytest.CaptureFixture
) -> None:
    small = work / "books5k.txt"
    small.write_text("".join(corpus.read_text().splitlines(keepends=True)[:5000]))
    out = work / "small.vec"
    code, report, err = run_main(
        capsys, "train", small, "-o", out, "--dim", 16, "--epochs", 1, "--arch", "cbow"
    )
    assert code == 0
    assert err.startswith("Training cbow (dim 16")  # not a terminal: no progress bar
    assert "\x1b[" not in report + err
    for text in ("vocabulary", "words/s", "analogies", "WordSim-353", "Spearman"):
        assert text in report
    assert out.read_text().split("\n", 1)[0].split()[1] == "16"  # fastText text header
    code, out_json, _ = run_main(capsys, "info", out, "--json")
    assert code == 0
    info = json.loads(out_json)
    assert info["format"] == "fasttext" and info["dim"] == 16
    wv = Vectors.load(out)
    probes = probe_words(wv)
    assert len(probes) >= 3
    # table rows start with two spaces and the word; wrapped lines are indented further
    rows = [ln.split()[0] for ln in report.splitlines() if re.match(r"  \S", ln)]
    assert [r for r in rows if r in probes] == probes
    has_analogy = all(w in wv for w in ("king", "man", "woman"))
    assert ("king - man + woman =" in report) == has_analogy


def test_train_interrupted_leaves_no_output(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "vectors.safetensors"
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordvec", "train", corpus, "-o", out, "--epochs", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        # a shell's background job may ignore SIGINT; let the child take Ctrl-C
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # printed just before the corpus is read
    assert first.startswith("Training skipgram")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "wordvec: error: interrupted; no output was written." in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no vectors, no temporary file


# -- queries ---------------------------------------------------------------------------


def test_query_commands_json_agree_with_the_library(
    glove_file: Path, glove: Vectors, capsys: pytest.CaptureFixture
) -> None:
    got = json.loads(ok("neighbors", glove_file, "king", "frog", "--topn", 5, "--json").stdout)
    assert list(got) == ["king", "frog"]
    for word in ("king", "frog"):
        expected = glove.most_similar(word, topn=5)
        assert [d["word"] for d in got[word]] == [w for w, _ in expected]
        assert [d["similarity"] for d in got[word]] == pytest.approx([s for _, s in expected])
    assert "prince" in [d["word"] for d in got["king"]]

    got = json.loads(ok("similarity", glove_file, "ship", "boat", "--json").stdout)
    assert got["similarity"] == pytest.approx(glove.similarity("ship", "boat"))

    code, out, _ = run_main(capsys, "analogy", glove_file, "man", "king", "woman", "--json")
    assert code == 0
    got = json.loads(out)
    assert got["answers"][0]["word"] == "queen" == glove.analogy("man", "king", "woman")[0]
    assert len(got["answers"]) == 5

    words = ["breakfast", "lunch", "dinner", "ship"]
    code, out, _ = run_main(capsys, "doesnt-match", glove_file, *words, "--json")
    assert code == 0
    assert json.loads(out)["doesnt_match"] == "ship" == glove.doesnt_match(words)


def test_query_tables(glove_file: Path, capsys: pytest.CaptureFixture) -> None:
    out = ok("neighbors", glove_file, "king", "--topn", 3).stdout
    assert "nearest to king" in out and "prince" in out and "cosine" in out
    code, out, _ = run_main(capsys, "analogy", glove_file, "paris", "france", "rome", "--topn", 3)
    assert code == 0
    assert "paris is to france as rome is to ?" in out and "italy" in out
    code, out, _ = run_main(capsys, "similarity", glove_file, "cat", "dog")
    assert code == 0 and out.startswith("similarity(cat, dog) = 0.")
    code, out, _ = run_main(capsys, "doesnt-match", glove_file, "red", "green", "blue", "piano")
    assert code == 0 and out.startswith("piano does not match")


# -- convert, info, evaluate, plot -----------------------------------------------------


def test_convert_between_formats_and_info(
    glove_file: Path, glove: Vectors, work: Path, capsys: pytest.CaptureFixture
) -> None:
    txt = work / "g500.txt.gz"
    out = ok("convert", glove_file, txt, "--limit", 500).stdout
    assert "(native)" in out and "(word2vec)" in out and "500 words x 50" in out
    info = json.loads(ok("info", txt, "--json").stdout)
    assert info["format"] == "word2vec" and info["words"] == 500 and info["dim"] == 50
    assert info["examples"][:4] == glove.words[:4]

    binary = work / "g500.bin"
    glove_txt = work / "g500.glove.txt"
    assert run_main(capsys, "convert", txt, binary)[0] == 0
    assert run_main(capsys, "convert", binary, glove_txt, "--to", "glove")[0] == 0
    for path, fmt in [(binary, "word2vec-binary"), (glove_txt, "glove")]:
        code, out, _ = run_main(capsys, "info", path, "--json")
        assert code == 0 and json.loads(out)["format"] == fmt
    back = Vectors.load(glove_txt)
    assert back.words == glove.words[:500]
    assert (back.vectors == glove.vectors[:500]).all()  # every step is exact

    code, table, _ = run_main(capsys, "info", glove_file)
    assert code == 0
    assert "native" in table and "20,000" in table and "float32" in table


def test_evaluate(
    glove_file: Path,
    glove: Vectors,
    shared_data: Path,
    work: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    pairs = work / "pairs.tsv"
    lines = (shared_data / "eval" / "wordsim353.tsv").read_text().splitlines()
    pairs.write_text("\n".join(ln for ln in lines if not ln.startswith("#"))[:3000] + "\n")
    got = json.loads(
        ok(
            "evaluate", glove_file, "--similarity", pairs, "--restrict-vocab", 10_000, "--json"
        ).stdout
    )
    an = got["analogies"]
    assert got["restrict_vocab"] == 10_000
    assert an["accuracy"] == evaluate_analogies(glove, restrict_vocab=10_000).accuracy > 0.3
    assert sum(s["correct"] for s in an["sections"]) == an["correct"]
    assert [s["file"] for s in got["similarity"]] == [str(pairs)]
    assert got["similarity"][0]["spearman"] == pytest.approx(
        evaluate_similarity(glove, pairs).spearman
    )
    assert got["similarity"][0]["pairs"] < 353

    code, table, _ = run_main(capsys, "evaluate", glove_file, "--restrict-vocab", 3000)
    assert code == 0
    assert "capital-common-countries" in table and "total" in table
    assert "3,000 most frequent words" in table
    assert "wordsim353.tsv" in table


def test_plot_writes_png_of_requested_size(
    glove_file: Path, work: Path, capsys: pytest.CaptureFixture
) -> None:
    png = work / "plot.png"
    out = ok(
        "plot", glove_file, "king", "ship", "--neighbors", 5, "-o", png, "--size", "320x240"
    ).stdout
    assert png_size(png) == (320, 240)
    assert "12 words" in out
    assert run_main(capsys, "plot", glove_file, "cat", "dog", "-o", png, "--width", 500)[0] == 0
    assert png_size(png) == (500, 600)


# -- errors ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_files(work: Path) -> dict[str, Path]:
    broken = work / "broken.safetensors"
    broken.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    text = work / "words.txt"
    text.write_text("hello world\nthis is not a vector file\n")
    return {"broken": broken, "text": text}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["info", "no/such/vectors.bin"], "vectors file not found: 'no/such/vectors.bin'"),
        (["neighbors", "{glove}", "King"], "Did you mean 'king'?"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(
    args: list[str], expected: str, glove_file: Path, work: Path
) -> None:
    proc = wordvec(*(a.format(glove=glove_file) for a in args), cwd=work)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("wordvec: error: ") and proc.stderr.count("\n") == 1
    assert expected in proc.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["similarity", "{glove}", "ship", "xqzzy"], "'xqzzy' is not in these vectors"),
        (["analogy", "{glove}", "man", "King", "woman"], "Did you mean 'king'?"),
        (["plot", "{glove}", "king", "Ship", "-o", "{work}/p.png"], "Did you mean 'ship'?"),
        (["info", "{broken}"], "broken.safetensors"),
        (["neighbors", "{text}", "hello"], "words.txt"),
        (["evaluate", "{glove}", "--analogies", "{work}/none.txt"], "analogy file not found"),
        (["convert", "{glove}", "{work}/out.unknown"], "pass --to FORMAT"),
        (["convert", "{glove}", "{work}/no/dir/out.vec"], "does not exist"),
        (["train", "{work}/no_such_corpus.txt"], "corpus not found"),
        (["train", "-o", "{work}/missing_dir/v.safetensors"], "missing_dir' does not exist"),
        (["train", "-o", "{work}"], "is a directory"),
        (["plot", "{glove}", "king", "--size", "3x3", "--width", "9"], "not both"),
    ],
)
def test_bad_input_in_process(
    args: list[str],
    expected: str,
    glove_file: Path,
    bad_files: dict[str, Path],
    work: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    paths = {"glove": glove_file, "work": work, **bad_files}
    code, out, err = run_main(capsys, *(a.format(**paths) for a in args))
    assert code == 2
    assert out == ""
    assert err.startswith("wordvec: error: ") and err.count("\n") == 1
    assert expected in err
    assert not (work / "p.png").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["neighbors", "v.safetensors", "king", "--topn", "0"], "expected a number >= 1"),
        (["plot", "v.safetensors", "king", "--size", "big"], "expected WIDTHxHEIGHT"),
        (["train", "--arch", "glove"], "invalid choice: 'glove'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_usage_exits_2(args: list[str], expected: str, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run_main(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("usage: wordvec")
    assert expected in err


def test_debug_shows_the_traceback(glove_file: Path) -> None:
    proc = wordvec("--debug", "neighbors", glove_file, "King")
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr and "KeyError" in proc.stderr
    proc = wordvec("neighbors", glove_file, "King", "--debug")
    assert proc.returncode == 2 and "Traceback" in proc.stderr


def test_help_has_examples(capsys: pytest.CaptureFixture) -> None:
    top = ok("--help").stdout
    for command in ("train", "neighbors", "similarity", "analogy", "doesnt-match", "evaluate"):
        assert command in top
    for command in ("convert", "info", "plot"):
        assert f"\n    {command} " in top
    for command in ("train", "neighbors", "similarity", "analogy", "doesnt-match", "evaluate",
                    "convert", "info", "plot"):  # fmt: skip
        code, out, _ = run_main(capsys, command, "--help")
        assert code == 0
        assert "Examples:\n  wordvec " + command in out
    code, out, _ = run_main(capsys, "train", "--help")
    assert "vectors.safetensors in the current directory" in " ".join(out.split())
    code, out, _ = run_main(capsys, "convert", "--help")
    assert ".bin          word2vec-binary" in out
