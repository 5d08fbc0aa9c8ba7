"""Data-parallel training over torch.distributed: 2 ranks over gloo on 127.0.0.1.

Each test starts two worker processes (tests/_distributed_worker.py) with the torchrun
variables set, bounds every wait with a timeout, and compares what the ranks wrote
with a single-process run on the same slice of the bundled corpus.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch.distributed")

from wordvec.train.corpus import build_vocab, encode_corpus
from wordvec.train.distributed.env import torchrun_env
from wordvec.train.distributed.plan import hot_rows

WORKER = Path(__file__).with_name("_distributed_worker.py")
LIMIT = 90  # seconds any job of these tests may take (torch start-up on a busy machine)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(scenario: str, outdir: Path, *args: str, world: int = 2, timeout: float = 20):
    port = _free_port()
    procs = []
    for rank in range(world):
        env = dict(os.environ)
        env.update(
            RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
            MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WV_TIMEOUT=str(timeout),
            OMP_NUM_THREADS="1",
        )  # fmt: skip
        cmd = [sys.executable, str(WORKER), scenario, str(outdir), *args]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    return procs


def _wait(procs, limit: float = LIMIT) -> list[tuple[int, str]]:
    out = []
    deadline = time.monotonic() + limit
    try:
        for p in procs:
            _, err = p.communicate(timeout=max(deadline - time.monotonic(), 1))
            out.append((p.returncode, err.decode(errors="replace")))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return out


def _results(outdir: Path, world: int = 2) -> list[dict]:
    return [json.loads((outdir / f"rank{r}.json").read_text()) for r in range(world)]


@pytest.fixture(scope="module")
def corpus_dir(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two files (one plain, one gzip) from the first 2,400 paragraphs of the novels."""
    root = tmp_path_factory.mktemp("dist")
    folder = root / "corpus"
    folder.mkdir()
    with gzip.open(shared_data / "corpus" / "default-books-en.txt.gz", "rt") as f:
        lines = list(itertools.islice(f, 2400))
    (folder / "a.txt").write_text("".join(lines[:1500]), encoding="utf-8")
    with gzip.open(folder / "b.txt.gz", "wt", encoding="utf-8") as g:
        g.write("".join(lines[1500:]))
    return folder


def _job_dir(corpus_dir: Path, name: str) -> Path:
    out = corpus_dir.parent / name
    out.mkdir()
    return out


def test_torchrun_env_is_required():
    with pytest.raises(RuntimeError, match="torchrun"):
        torchrun_env({"RANK": "0"})
    bad = {"RANK": "2", "WORLD_SIZE": "2", "LOCAL_RANK": "0", "MASTER_ADDR": "h",
           "MASTER_PORT": "1"}  # fmt: skip
    with pytest.raises(ValueError, match="RANK=2 must be < WORLD_SIZE=2"):
        torchrun_env(bad)


def test_distributed_needs_torchrun_and_torch(monkeypatch: pytest.MonkeyPatch):
    from wordvec.train import Word2Vec
    from wordvec.train.distributed.env import TORCHRUN_VARS, require_torch

    for name in TORCHRUN_VARS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match=r"needs a torchrun launch.*torchrun --nproc-per-node"):
        Word2Vec(distributed=True)
    with pytest.raises(ValueError, match="checkpoint_dir is for distributed runs"):
        Word2Vec(checkpoint_dir="ckpt")
    monkeypatch.setitem(sys.modules, "torch.distributed", None)  # as if torch were missing
    with pytest.raises(ImportError, match=r"wordvec\[distributed\]"):
        require_torch()


def test_layer_vocab_sync_and_settings(corpus_dir: Path, tmp_path: Path):
    out = _job_dir(corpus_dir, "layer")
    codes = _wait(_start("layer", out))
    assert [c for c, _ in codes] == [0, 0], codes
    r0, r1 = _results(out)
    # the vocabulary of every rank equals the single-process one (words, counts, order)
    enc = encode_corpus(sorted(corpus_dir.iterdir()), tmp_path)
    words, counts, _ = build_vocab(enc.words, enc.counts, min_count=2, max_vocab=None)
    assert r0["words"] == r1["words"] == words
    assert r0["counts"] == r1["counts"] == counts.tolist()
    assert r0["local_map_ok"] and r1["local_map_ok"]
    # rows sync: the hot rows whose first table changed (3, 7, 8) get the updates of
    # both ranks; rows 20 and 21 (changed in the second table only) and the rows of rare
    # words (40 and 41, not hot) keep this rank's own update until the full sync
    start = np.load(out / "start.npy")
    before = [np.load(out / f"before{r}.npy") for r in range(2)]
    summed = start + (before[0] - start) + (before[1] - start)
    hit = [3, 7, 8]
    for r in range(2):
        rows = np.load(out / f"rows{r}.npy")
        np.testing.assert_allclose(rows[hit], summed[hit], rtol=1e-6)
        untouched = np.setdiff1d(np.arange(50), hit)
        np.testing.assert_array_equal(rows[untouched], before[r][untouched])
    # an overlapped rows sync: the round's updates of both ranks (rows 5, 10, 11) are
    # added, and what each rank trained while they were reduced (rows 5, 30/31) is kept
    after, rnd, nxt = ([np.load(out / f"{n}{r}.npy") for r in range(2)]
                       for n in ("rows", "round", "next"))  # fmt: skip
    hit = [5, 10, 11]
    for r in range(2):
        want = nxt[r].copy()
        want[hit] = after[r][hit] + sum(rnd[q][hit] - after[q][hit] for q in range(2))
        want[hit] += nxt[r][hit] - rnd[r][hit]
        np.testing.assert_allclose(np.load(out / f"overlap{r}.npy"), want, rtol=1e-6)
    # the full sync: every update of both ranks
    own = [before[r] - start + nxt[r] - after[r] for r in range(2)]
    summed = start + own[0] + own[1]
    for r in range(2):
        np.testing.assert_allclose(np.load(out / f"full{r}.npy"), summed, rtol=1e-6)
    # full sync: equal weights on both ranks, same checksum
    assert r0["digest"] == r1["digest"]
    _check_int8_syncs(out, start)
    # factors of the summed updates, in rows syncs, exact full syncs and int8 periodic
    # ones: row 2 (0.5) gets the mean of the two ranks' updates, row 6 (1) their sum
    want = np.zeros((8, 2))
    want[2], want[6] = 1.0, 2.0
    assert r0["scaled"].keys() == {f"{c}-{k}" for c in ("none", "int8")
                                   for k in ("rows", "full", "periodic")}  # fmt: skip
    for key, got in r0["scaled"].items():
        assert got == r1["scaled"][key], key  # the same on both ranks
        np.testing.assert_allclose(got, want, atol=0 if key.startswith("none") else 2 / 63)
    # different settings are named on every rank
    for r in (r0, r1):
        assert "dim: rank 0 has 8, rank 1 has 9" in r["differ"]


def _int8_error(got: np.ndarray, want: np.ndarray, updates: list[np.ndarray]) -> np.ndarray:
    """|got - want| in steps: a row's step in a table is the largest update of that row
    on any rank over the 63 levels of a rank of two (columns 0-3 table a, 4-6 table b)."""
    err = np.abs(got - want)
    for cols in (slice(0, 4), slice(4, 7)):
        step = np.max([np.abs(u[:, cols]).max(axis=1) for u in updates], axis=0) / 63
        err[:, cols] /= np.where(step > 0, step, np.inf)[:, None]
    return err


def _check_int8_syncs(out: Path, start: np.ndarray) -> None:
    """The same syncs with int8 updates: each rank's rounding is below a step, so the
    synced rows are within two steps of the exact sums, equal on both ranks, and the
    rest is exact."""

    def load(name: str, r: int) -> np.ndarray:
        return np.load(out / f"{name}{r}-int8.npy")

    before = [load("before", r) for r in range(2)]
    rows = [load("rows", r) for r in range(2)]
    hit = [3, 7, 8]
    summed = start + (before[0] - start) + (before[1] - start)
    updates = [(b - start)[hit] for b in before]
    for r in range(2):
        assert _int8_error(rows[r][hit], summed[hit], updates).max() < 2
        untouched = np.setdiff1d(np.arange(50), hit)
        np.testing.assert_array_equal(rows[r][untouched], before[r][untouched])
    np.testing.assert_array_equal(rows[0][hit], rows[1][hit])  # the same common state
    assert not np.array_equal(rows[0][hit], summed[hit])  # rounded, not float32
    # overlapped: the round's updates (rows 5, 10, 11) within two steps, and what each
    # rank trained meanwhile kept exactly on top of them
    rnd, nxt, over = ([load(n, r) for r in range(2)] for n in ("round", "next", "overlap"))
    hit = [5, 10, 11]
    updates = [(rnd[q] - rows[q])[hit] for q in range(2)]
    common = rows[0][hit] + sum(updates)
    for r in range(2):
        later = (nxt[r] - rnd[r])[hit]
        assert _int8_error(over[r][hit] - later, common, updates).max() < 2
        rest = np.setdiff1d(np.arange(50), hit)
        np.testing.assert_array_equal(over[r][rest], nxt[r][rest])
    np.testing.assert_array_equal(
        (over[0] - nxt[0] + rnd[0])[hit], (over[1] - nxt[1] + rnd[1])[hit]
    )  # fmt: skip
    # the full sync at the end is exact: equal weights, every update of both ranks
    full = [load("full", r) for r in range(2)]
    np.testing.assert_array_equal(full[0], full[1])
    # a compressed periodic full sync: every row within two steps, equal on both ranks
    before = [np.load(out / f"int8fullbefore{r}.npy") for r in range(2)]
    after = [np.load(out / f"int8full{r}.npy") for r in range(2)]
    np.testing.assert_array_equal(after[0], after[1])
    start = np.random.default_rng(1).random((40, 5), dtype=np.float32)
    updates = [b - start for b in before]
    step = np.max([np.abs(u).max(axis=1) for u in updates], axis=0) / 63
    assert (np.abs(after[0] - start - sum(updates)) < 2 * step[:, None]).all()


def _similarity_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman correlation of the cosine similarities of word pairs (ranks 30-300)."""
    from scipy.stats import spearmanr

    def sims(w: np.ndarray) -> np.ndarray:
        x = w[30:300] / np.linalg.norm(w[30:300], axis=1, keepdims=True)
        return (x @ x.T)[np.triu_indices(x.shape[0], 1)]

    return float(spearmanr(sims(a), sims(b)).correlation)


# the whitespace tokenizer: the ranks read their shares with the compiled corpus pass
TRAIN = {"dim": 16, "epochs": 3, "min_count": 3, "sync_words": 5000, "tokenizer": "whitespace"}


@pytest.mark.parametrize(
    "sync",
    [
        {"sync": "rows"},  # rows synced at each round's end, int8 updates
        {"sync": "rows", "sync_compression": "none"},  # float32 updates
        # each round's sync reduced while the next round trains: the other rank's updates
        # arrive a round later, so the rounds are halved to keep the same quality
        {"sync": "overlap", "sync_words": 2500},
    ],
    ids=["rows", "rows-float32", "overlap"],
)
def test_two_ranks_train_one_model(corpus_dir: Path, sync: dict):
    from wordvec.train import Word2Vec

    out = _job_dir(corpus_dir, "train-" + "-".join(map(str, sync.values())))
    procs = _start("train", out, json.dumps({**TRAIN, **sync}))
    files = sorted(corpus_dir.iterdir())
    singles = []
    for seed in (1, 2, 3):  # 1-rank runs while the job runs
        one = {k: v for k, v in TRAIN.items() if k != "sync_words"}
        model = Word2Vec(seed=seed, workers=1, progress=False, **one)
        wv = model.fit(files)
        singles.append(model.input_weights.copy())
    codes = _wait(procs)
    assert [c for c, _ in codes] == [0, 0], codes
    r0, r1 = _results(out)
    # identical vocabulary, equal to the single-process one
    assert r0["words"] == r1["words"] == wv.words
    assert r0["counts"] == r1["counts"] == wv.counts.tolist()
    # identical final weights on every rank, and the checksum says so
    for table in ("weights", "output"):
        np.testing.assert_array_equal(
            np.load(out / f"{table}0.npy"), np.load(out / f"{table}1.npy")
        )
    assert r0["checksum"] == r1["checksum"]
    # quality: as close to the 1-rank runs as they are to one another
    spread = [_similarity_agreement(a, b) for a, b in itertools.combinations(singles, 2)]
    trained = np.load(out / "weights0.npy")
    agreement = np.mean([_similarity_agreement(trained, s) for s in singles])
    assert agreement >= min(spread) - 0.02, (agreement, spread)
    assert r0["sync"]["syncs"] > 3 * 3  # several rounds per epoch
    # rows syncs look at the words a rank meets at least once in two rounds, not the rare ones
    hot = hot_rows(wv.counts, r0["sync_words"])
    assert r0["sync"]["hot_rows"] == np.count_nonzero(hot) < len(wv) // 2
    assert hot[: np.count_nonzero(hot)].all()  # the most frequent words
    assert (r0["sync"]["overlapped"] > 0) == (sync["sync"] == "overlap")  # in the background
    # only rank 0 wrote the vectors
    assert (out / "vectors.txt").read_text().startswith(f"{len(wv)} 16\n")


def test_killed_rank_ends_the_job_and_a_rerun_resumes(corpus_dir: Path):
    out = _job_dir(corpus_dir, "resume")
    ckpt_dir = out / "ckpt"
    timeout = 8.0
    # overlapped syncs: the failure surfaces from the background reduction, and the
    # checkpoints (due every round) are taken after completing the pending sync
    params = json.dumps(
        {**TRAIN, "epochs": 8, "checkpoint_dir": str(ckpt_dir), "checkpoint_minutes": 1e-4,
         "sync": "overlap"}
    )  # fmt: skip
    procs = _start("train", out, params, timeout=timeout)
    deadline = time.monotonic() + LIMIT
    while not (ckpt_dir / "checkpoint.safetensors").exists():
        assert time.monotonic() < deadline and procs[1].poll() is None, _wait(procs, 1)
        time.sleep(0.05)
    t_kill = time.monotonic()
    procs[1].send_signal(signal.SIGKILL)
    (code0, err0), (code1, _) = _wait(procs, timeout + 30)
    elapsed = time.monotonic() - t_kill
    assert code1 == -signal.SIGKILL
    assert code0 == 1, err0
    assert elapsed < timeout + 15
    r0 = json.loads((out / "rank0.json").read_text())
    assert r0["type"] == "RankFailure" and "\n" not in r0["error"]
    assert r0["error"].startswith("rank 0 of 2: rank 1 died or stopped answering"), r0
    assert "resume by running the same command again" in r0["error"]
    assert not (out / "vectors.txt").exists()
    # the same command again resumes from the checkpoint and completes
    codes = _wait(_start("train", out, params, timeout=timeout))
    assert [c for c, _ in codes] == [0, 0], codes
    r0, r1 = _results(out)
    assert r0["resumed_from"] is not None and r0["resumed_from"] == r1["resumed_from"]
    assert r0["resumed_from"] != [0, 0]
    assert len(r0["losses"]) == 8
    assert r0["checksum"] == r1["checksum"]
    assert (out / "vectors.txt").exists()


def test_shares_read_back_the_single_process_corpus(corpus_dir: Path):
    from wordvec._io import open_binary
    from wordvec.text import iter_sentences
    from wordvec.train.distributed.shares import rank_shares, share_sentences

    files = sorted(corpus_dir.iterdir())
    whole = list(iter_sentences(files, max_sentence_length=40))
    for world in (2, 3):
        per_rank = [rank_shares(files, r, world) for r in range(world)]
        in_corpus_order = [
            sentence
            for f in range(len(files))
            for r in range(world)
            for sentence in share_sentences([per_rank[r][f]], max_sentence_length=40)
        ]
        assert in_corpus_order == whole
        for f, path in enumerate(files):
            with open_binary(path) as fh:
                longest = max(len(line) for line in fh)
            sizes = [per_rank[r][f].end - per_rank[r][f].start for r in range(world)]
            # each cut moves forward by less than one line: shares differ by < 2 lines
            assert max(sizes) - min(sizes) < 2 * longest


def test_one_long_line_is_shared_at_spaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from wordvec.text import iter_sentences
    from wordvec.train.distributed import shares

    monkeypatch.setattr(shares, "_LONG_LINE", 64)  # text8's one line, in miniature
    words = [f"w{i % 37}\u00e9" for i in range(600)]  # multi-byte characters too
    path = tmp_path / "one-line.txt"
    path.write_text(" ".join(words), encoding="utf-8")
    for world in (2, 3):
        per_rank = [shares.rank_shares([path], r, world) for r in range(world)]
        assert all(p[0].end > p[0].start for p in per_rank)  # every rank has work
        tokens = [
            tok
            for r in range(world)
            for sentence in shares.share_sentences(per_rank[r], max_sentence_length=10_000)
            for tok in sentence
        ]
        assert tokens == words  # the same tokens, in order: no word cut in two
    whole = list(iter_sentences([path], max_sentence_length=10_000))
    assert [t for s in whole for t in s] == words


def test_checkpoint_refuses_other_settings_or_corpus(tmp_path: Path):
    from wordvec.train.distributed import checkpoint as ckpt

    tables = {"input": np.arange(6, dtype=np.float32).reshape(3, 2)}
    counts = np.array([5, 3, 2])
    corpus = {"files": [["a.txt", 10]], "world_size": 2}
    ckpt.save_checkpoint(
        tmp_path, tables=tables, words=["a", "b", "é"], counts=counts,
        progress=ckpt.Progress(epoch=1, round=2, losses=[0.5]),
        settings={"dim": 2}, corpus={**corpus, "vocab": ckpt.vocab_digest(["a"], counts)},
    )  # fmt: skip
    meta = ckpt.read_header(tmp_path)
    ckpt.check_compatible(meta, tmp_path, {"dim": 2}, corpus)
    with pytest.raises(ValueError, match=r"other settings \(dim: 2 -> 3\)"):
        ckpt.check_compatible(meta, tmp_path, {"dim": 3}, corpus)
    with pytest.raises(ValueError, match="other corpus"):
        ckpt.check_compatible(meta, tmp_path, {"dim": 2}, {**corpus, "world_size": 4})
    got, words, got_counts, progress = ckpt.load_checkpoint(tmp_path)
    np.testing.assert_array_equal(got["input"], tables["input"])
    assert words == ["a", "b", "é"] and got_counts.tolist() == [5, 3, 2]
    assert (progress.epoch, progress.round, progress.losses) == (1, 2, [0.5])
    (tmp_path / ckpt.FILENAME).write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        ckpt.read_header(tmp_path)


def test_int8_syncs_refuse_more_ranks_than_an_int8_sum_holds():
    from types import SimpleNamespace

    from wordvec.train.distributed import DistributedRun
    from wordvec.train.distributed.sync import WeightSync, sync_rows

    big = SimpleNamespace(world_size=128, rank=0)
    with pytest.raises(ValueError, match=r"up to 127 ranks; this job has 128.*'none'"):
        DistributedRun(comm=big).start(model=None, corpus=[])  # before any work
    table = [np.zeros((4, 2), np.float32)]
    with pytest.raises(ValueError, match="up to 127 ranks"):
        WeightSync(big, table, mode="rows")
    assert WeightSync(big, table, mode="rows", compression="none").levels == 0
    with pytest.raises(ValueError, match="compression must be one of"):
        WeightSync(big, table, compression="fp16")
    # the low-level sync checks the same, before any collective (an unknown name used to
    # fall back to float32 silently)
    with pytest.raises(ValueError, match="compression must be one of"):
        sync_rows(big, table, [t.copy() for t in table], compression="fp16")
    with pytest.raises(ValueError, match="up to 127 ranks"):
        sync_rows(big, table, [t.copy() for t in table], compression="int8")


def test_auto_sync_overlaps_skipgram_on_a_corpus_of_many_rounds_only():
    from wordvec.train import Word2Vec
    from wordvec.train.distributed.run import OVERLAP_MIN_ROUNDS, DistributedRun

    assert Word2Vec().sync == "auto"
    assert Word2Vec(arch="skipgram").default_sync() == "overlap"
    assert Word2Vec(arch="cbow").default_sync() == "rows"
    many, few = OVERLAP_MIN_ROUNDS, OVERLAP_MIN_ROUNDS - 1
    auto = DistributedRun(sync="auto", auto_sync="overlap")
    assert (auto.overlaps(many), auto.overlaps(few)) == (True, False)
    assert not DistributedRun(sync="auto", auto_sync="rows").overlaps(many)
    # asked for by name, a mode holds whatever the corpus
    assert DistributedRun(sync="overlap").overlaps(1)
    assert not DistributedRun(sync="rows").overlaps(many)
    with pytest.raises(ValueError, match="auto_sync"):
        DistributedRun(sync="auto", auto_sync="full")


def test_update_scale_goes_from_the_sum_to_the_mean():
    from wordvec.train.distributed.plan import SATURATING_MEETINGS, update_scale

    meetings = np.array([0.0, 0.01, 1.0, 3.0, 10.0, 100.0, 1e4])
    np.testing.assert_array_equal(update_scale(meetings, 1), 1.0)  # one rank: its updates
    two = update_scale(meetings, 2)
    x = meetings / SATURATING_MEETINGS
    np.testing.assert_allclose(two, (1 + np.exp(-x)) / 2, rtol=1e-6)
    assert two[0] == 1.0 and two[1] > 0.998 and two[-1] == 0.5
    assert (np.diff(two[:-2]) < 0).all()  # the more a rank meets a word, the less its sum counts
    many = update_scale(meetings, 16)
    assert (np.diff(many[:-2]) < 0).all() and many[0] == 1.0
    np.testing.assert_allclose(many[-1], 1 / 16, rtol=1e-6)
    assert many.dtype == np.float32


def test_word2vec_scales_its_frequent_input_rows_only():
    from wordvec.train import FastText, Word2Vec

    counts = np.array([10**7, 10**6, 10**5, 10**4, 10**3, 10])  # a Zipf-like vocabulary
    scales = Word2Vec(sample=1e-3).sync_scales(counts, 50_000, 2)
    assert list(scales) == ["input_weights"]  # the output rows' updates are summed
    s = scales["input_weights"]
    assert s.shape == (6,) and (np.diff(s) >= 0).all()  # rarer words: nearer the sum
    assert s[0] == 0.5 and 0.5 < s[3] < s[4] < s[5] and s[5] > 0.99
    # subsampling keeps fewer of a frequent word's occurrences: less overshoot (rounds
    # of 500 words, where the second word is met 45 times a round, 14 after subsampling)
    small = [Word2Vec(sample=t).sync_scales(counts, 500, 2)["input_weights"] for t in (1e-3, 0)]
    assert small[1][1] < small[0][1] < 1
    np.testing.assert_array_equal(Word2Vec().sync_scales(counts, 50_000, 1)["input_weights"], 1)
    assert FastText().sync_scales(counts, 50_000, 2) == {}  # bags of shared rows: not measured


class _OneRank:
    """A job of one rank: an all-reduce leaves the array as it is (its ops recorded)."""

    world_size, rank = 1, 0

    def __init__(self) -> None:
        self.calls: list[str] = []

    def all_reduce_(self, array, op="sum"):
        assert array.size, "an empty all-reduce"
        self.calls.append(op)


def test_sync_scales_are_checked():
    from wordvec.train.distributed.sync import WeightSync

    tables = [np.zeros((4, 2), np.float32), np.zeros((6, 2), np.float32)]
    with pytest.raises(ValueError, match=r"one entry per table \(2\), got 1"):
        WeightSync(_OneRank(), tables, scales=[None])
    with pytest.raises(ValueError, match=r"one factor in \(0, 1\] per row \(4\), got shape \(6,\)"):
        WeightSync(_OneRank(), tables, scales=[np.ones(6), None])
    for bad in (0.0, 1.5, np.nan):
        with pytest.raises(ValueError, match=f"values from {bad:g} to {bad:g}.*update_scale"):
            WeightSync(_OneRank(), tables, scales=[np.full(4, bad), None])
    sync = WeightSync(_OneRank(), tables, scales=[None, np.full(6, 0.5)])
    assert sync.scales[0] is None and sync.scales[1].dtype == np.float32


def test_rare_rows_wait_full_every_syncs_by_default():
    from wordvec.train.distributed.sync import FULL_EVERY, WeightSync

    rng = np.random.default_rng(1)
    a, b = rng.random((30, 4), dtype=np.float32), rng.random((30, 3), dtype=np.float32)
    hot = (np.arange(30) < 10).astype(np.uint8)
    sync = WeightSync(_OneRank(), [a, b], mode="rows", hot=hot)  # int8, the default
    for n in range(1, FULL_EVERY + 1):
        a[[2, 20]] += 0.01  # a round's updates of a frequent word's row and a rare one's
        b[20] -= 0.01
        assert sync.full_due() == (n == FULL_EVERY)
        sync()
        if n < FULL_EVERY:  # the rare row's updates wait, the frequent one's are in
            assert not np.array_equal(a[20], sync.bases[0][20]), n
            np.testing.assert_array_equal(a[2], sync.bases[0][2])
    np.testing.assert_array_equal(sync.bases[0], a)  # the periodic full sync took all
    np.testing.assert_array_equal(sync.bases[1], b)
    assert not sync.full_due()


def test_rows_syncs_leave_rare_rows_to_the_full_syncs():
    from wordvec.train.distributed.sync import WeightSync

    comm = _OneRank()
    calls = comm.calls
    rng = np.random.default_rng(0)
    for compression in ("int8", "none"):
        for hot in (np.zeros(30, np.uint8), (np.arange(30) < 10).astype(np.uint8)):
            a, b = rng.random((30, 4), dtype=np.float32), rng.random((30, 3), dtype=np.float32)
            sync = WeightSync(
                comm, [a, b], mode="rows", full_every=100, compression=compression, hot=hot
            )
            a[[2, 20]] += 0.5  # a frequent word's row and a rare one's
            b[[2, 20]] -= 0.25
            calls.clear()
            sync()
            base = sync.bases[0]
            assert not np.array_equal(a[20], base[20])  # the rare row: left to a full sync
            if hot.any():  # the hot row synced: it is the common state now
                np.testing.assert_allclose(base[2], a[2], atol=1e-6)
                assert calls
            else:  # nothing to look at: no collective at all
                assert not np.array_equal(a[2], base[2]) and calls == []
            sync(full=True)
            np.testing.assert_array_equal(sync.bases[0], a)  # the full sync takes every row
