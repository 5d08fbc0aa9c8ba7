"""Facebook fastText .bin models: read against the fastText tool, written for fastText and
gensim, told from word2vec binaries by the magic number, and refused clearly when wrong."""

from __future__ import annotations

import gzip
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from wordvec import SubwordVectors, Vectors
from wordvec.vectors.formats import detect_format, fasttext_bin, read_vectors

UNSEEN = ["unseenwordxyz", "Adèle", "Phœbus", "théâtre", "λόγος", "日本語", "naïveté", "a"]


def _words_to_check(model) -> list[str]:
    words = model.words
    non_ascii = [w for w in words if not w.isascii()][:30]
    assert len(non_ascii) >= 10  # curly quotes and accents of the novels
    return words[:200:3] + words[-50:] + non_ascii + UNSEEN


def test_vectors_equal_fasttext_get_word_vector(fasttext_model) -> None:
    path, model = fasttext_model
    wv = Vectors.load(path)
    assert isinstance(wv, SubwordVectors)
    assert wv.words == model.words and (wv.minn, wv.maxn, wv.bucket) == (2, 5, 5000)
    assert wv.counts.tolist() == model.get_words(include_freq=True)[1].tolist()
    checked_unseen = 0
    for w in _words_to_check(model):
        np.testing.assert_allclose(wv[w], model.get_word_vector(w), atol=1e-5, err_msg=w)
        checked_unseen += w not in wv
    assert checked_unseen >= 6
    np.testing.assert_allclose(wv.vectors_ngrams, model.get_input_matrix()[len(wv) :], atol=0)


def test_detected_by_magic_not_suffix(fasttext_model, tmp_path: Path) -> None:
    path, _ = fasttext_model
    for name in ("model.vec", "model.txt", "model"):
        shutil.copy(path, tmp_path / name)
        assert detect_format(tmp_path / name) == "fasttext-bin"
    w2v = tmp_path / "w2v.bin"
    Vectors(["a", "b"], np.eye(2)).save(w2v, format="word2vec-binary")
    assert detect_format(w2v) == "word2vec-binary"
    with pytest.raises(ValueError, match=r"magic number.*word2vec-binary"):
        read_vectors(w2v, format="fasttext-bin")


def test_compressed_limit_and_no_mmap(fasttext_model, tmp_path: Path) -> None:
    path, model = fasttext_model
    gz = tmp_path / "model.bin.gz"
    gz.write_bytes(gzip.compress(path.read_bytes(), compresslevel=1))
    full = Vectors.load(path)
    for got in (Vectors.load(gz), Vectors.load(path, mmap=False)):
        np.testing.assert_array_equal(got.vectors, full.vectors)
    small = Vectors.load(path, limit=100)
    assert small.words == model.words[:100] and small.bucket == 5000
    # a word cut off by the limit is composed from n-grams alone, as fastText would
    cut = model.words[150]
    assert cut not in small and small.has_vector(cut)


def test_written_bin_loads_in_fasttext_and_gensim(fasttext_model, tmp_path: Path) -> None:
    from gensim.models.fasttext import load_facebook_model

    path, model = fasttext_model
    wv = Vectors.load(path)
    out = tmp_path / "again.bin"
    wv.save(out, format="fasttext-bin")
    fasttext = pytest.importorskip("fasttext")
    back = fasttext.load_model(str(out))
    assert back.words == model.words
    assert back.f.getArgs().minn == 2 and back.f.getArgs().bucket == 5000
    gmodel = load_facebook_model(out)
    assert gmodel.wv.index_to_key == [w for w in model.words]
    for w in _words_to_check(model):
        ref = model.get_word_vector(w)
        np.testing.assert_allclose(back.get_word_vector(w), ref, atol=1e-6, err_msg=w)
        if w != "</s>":  # gensim composes </s> from n-grams too; fastText does not
            np.testing.assert_allclose(gmodel.wv[w], ref, atol=1e-5, err_msg=w)
    # the input matrix round-trips exactly
    np.testing.assert_array_equal(back.get_input_matrix(), model.get_input_matrix())


def test_subword_vectors_built_in_python_round_trip(fasttext_model, tmp_path: Path) -> None:
    """A model wordvec makes (as a trainer will) loads in fastText with the same vectors."""
    fasttext = pytest.importorskip("fasttext")
    _, model = fasttext_model
    rng = np.random.default_rng(7)
    words = model.words[:300]
    sv = SubwordVectors(
        words, rng.normal(size=(300, 8)), rng.normal(size=(1000, 8)), minn=3, maxn=6
    )
    out = tmp_path / "mine.bin"
    sv.save(out, format="fasttext-bin")
    back = fasttext.load_model(str(out))
    for w in words[::10] + UNSEEN:
        np.testing.assert_allclose(back.get_word_vector(w), sv[w], atol=1e-6, err_msg=w)


def test_plain_vectors_as_bin_have_no_ngrams(tmp_path: Path, fasttext_model) -> None:
    fasttext = pytest.importorskip("fasttext")
    _, model = fasttext_model
    words = model.words[:50]
    plain = Vectors(words, model.get_input_matrix()[:50])
    out = tmp_path / "plain.bin"
    plain.save(out, format="fasttext-bin")
    back = fasttext.load_model(str(out))
    np.testing.assert_array_equal(back.get_word_vector(words[3]), plain[words[3]])
    assert not back.get_word_vector("unseenwordxyz").any()
    again = Vectors.load(out)
    assert again.maxn == 0 and not again.has_vector("unseenwordxyz")
    np.testing.assert_array_equal(again.vectors, plain.vectors)


def _truncation_points(data: bytes, nwords: int) -> list[int]:
    args_end = 8 + 56
    return [0, 3, 7, args_end - 5, args_end + 10, args_end + 200, len(data) // 2, len(data) - 3]


def test_truncated_files_are_refused(fasttext_model, tmp_path: Path) -> None:
    path, model = fasttext_model
    data = path.read_bytes()
    for cut in _truncation_points(data, len(model.words)):
        bad = tmp_path / f"cut{cut}.bin"
        bad.write_bytes(data[:cut])
        with pytest.raises(ValueError) as info:
            read_vectors(bad, format="fasttext-bin")
        msg = str(info.value)
        assert str(bad) in msg and ("truncated" in msg or "empty" in msg), msg
        assert "unsupervised" in msg  # says what is supported


def _patched(data: bytes, offset: int, fmt: str, value) -> bytes:
    return data[:offset] + struct.pack(fmt, value) + data[offset + struct.calcsize(fmt) :]


def test_corrupt_and_quantized_headers_are_refused(fasttext_model, tmp_path: Path) -> None:
    path, _ = fasttext_model
    data = path.read_bytes()
    cases = {
        "newer": (_patched(data, 4, "<i", 99), "version 99"),
        "model": (_patched(data, 8 + 7 * 4, "<i", 9), "corrupt"),
        "shape": (_patched(data, 8 + 8 * 4, "<i", 4999), "expected"),
    }
    # the input matrix's quantization flag sits right after the dictionary
    wv = Vectors.load(path)
    dict_end = 8 + 56 + 28 + sum(len(w.encode()) + 10 for w in wv.words)
    assert data[dict_end] == 0
    cases["quant"] = (_patched(data, dict_end, "<?", True), "quantized")
    for name, (blob, expect) in cases.items():
        bad = tmp_path / f"{name}.bin"
        bad.write_bytes(blob)
        with pytest.raises(ValueError, match=expect) as info:
            Vectors.load(bad)
        assert str(bad) in str(info.value)


@pytest.fixture(scope="module")
def supervised(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A supervised genre classifier and its quantized .ftz, made by the fastText tool
    (Debian's command, else the binding with 10 threads: see the fasttext_model fixture)."""
    exe = shutil.which("fasttext")
    folder = tmp_path_factory.mktemp("supervised")
    train = folder / "train.txt"
    with gzip.open(shared_data / "tasks" / "gutenberg-genre.tsv.gz", "rt") as f:
        rows = [line.rstrip("\n").split("\t") for _, line in zip(range(801), f)][1:]
    train.write_text("".join(f"__label__{r[1]} {r[3]}\n" for r in rows), encoding="utf-8")
    out = folder / "sup"
    if exe is None:
        fasttext = pytest.importorskip("fasttext")
        model = fasttext.train_supervised(str(train), dim=10, thread=10, verbose=0)
        model.save_model(str(out.with_suffix(".bin")))
        model.quantize(input=str(train), cutoff=500, retrain=False)
        model.save_model(str(out.with_suffix(".ftz")))
    else:
        run = dict(check=True, capture_output=True)
        subprocess.run([exe, "supervised", "-input", train, "-output", out, "-dim", "8"], **run)
        cmd = [exe, "quantize", "-input", train, "-output", out, "-cutoff", "500"]
        subprocess.run(cmd, **run)
    return [out.with_suffix(".bin"), out.with_suffix(".ftz")]


def test_supervised_and_quantized_models_are_refused(supervised: list[Path]) -> None:
    for path in supervised:
        assert detect_format(path) == "fasttext-bin"
        with pytest.raises(ValueError, match="supervised") as info:
            Vectors.load(path)
        assert str(path) in str(info.value) and "unsupervised" in str(info.value)


def test_words_the_format_cannot_hold(tmp_path: Path) -> None:
    sv = SubwordVectors(["a\0b", "c"], np.ones((2, 2)), np.ones((3, 2)), 3, 3)
    with pytest.raises(ValueError, match="NUL"):
        sv.save(tmp_path / "x.bin", format="fasttext-bin")
    assert not (tmp_path / "x.bin").exists()
    sv = SubwordVectors(["", "c"], np.ones((2, 2)), np.ones((3, 2)), 3, 3)
    with pytest.raises(ValueError, match="empty"):
        sv.save(tmp_path / "x.bin", format="fasttext-bin")
    assert fasttext_bin.MAGIC_BYTES == bytes.fromhex("ba164f2f")
