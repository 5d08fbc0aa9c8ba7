"""The trainer engine: declared parameters, plans and hooks, checkpoints, progress labels."""

from __future__ import annotations

import argparse
import inspect
import io
import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from wordvec._words import pack_words, unpack_words
from wordvec.text import iter_lines
from wordvec.train import AdaGrad, EpochHooks, EpochPlan, GloVe, LinearDecay, Word2Vec
from wordvec.train.params import ENGINE_PARAMS, Param, add_arguments, cli_values


@pytest.fixture(scope="module")
def paragraphs(shared_data: Path) -> list[str]:
    """About 80k words of novel text."""
    books = shared_data / "corpus" / "default-books-en.txt.gz"
    return list(itertools.islice(iter_lines(books), 1500))


def _quiet(**kw) -> Word2Vec:
    kw.setdefault("progress", False)
    return Word2Vec(**kw)


# --------------------------------------------------------------------------- parameters


def test_signature_config_and_cli_come_from_one_declaration() -> None:
    names = [p.name for p in Word2Vec.PARAMS]
    assert list(inspect.signature(Word2Vec).parameters) == names
    saved = [p.name for p in Word2Vec.PARAMS if p.saved]
    assert list(Word2Vec().config()) == saved
    parser = argparse.ArgumentParser()
    add_arguments(parser, Word2Vec.PARAMS)
    args = parser.parse_args([])
    # the CLI's defaults are the library's defaults, parameter by parameter
    model = Word2Vec(**cli_values(args, Word2Vec.PARAMS), progress=False)
    assert model.config() == Word2Vec(progress=False).config()
    args = parser.parse_args(
        ["--arch", "cbow", "--min-count", "2", "--no-cbow-mean", "--max-vocab", "500",
         "--encoding-errors", "replace", "--alpha", "0.1"]
    )  # fmt: skip
    cfg = Word2Vec(**cli_values(args, Word2Vec.PARAMS)).config()
    assert (cfg["arch"], cfg["min_count"], cfg["cbow_mean"], cfg["max_vocab"]) == (
        "cbow", 2, False, 500,
    )  # fmt: skip
    assert cfg["encoding_errors"] == "replace" and cfg["alpha"] == 0.1
    for p in Word2Vec.PARAMS:
        assert p.name in Word2Vec.__doc__, p.name


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--window", "0"], "window must be >= 1"),
        (["--sample", "-1"], "sample must be >= 0"),
        (["--arch", "sg"], "invalid choice"),
        (["--encoding", "klingon"], "not a known text encoding"),
        (["--epochs", "two"], "expected an integer such as 5, got 'two'"),
    ],
)
def test_cli_flags_reject_what_the_constructor_rejects(argv: list, message: str, capsys) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser, Word2Vec.PARAMS)
    with pytest.raises(SystemExit):
        parser.parse_args(argv)
    assert message in capsys.readouterr().err


def test_unknown_and_bad_keywords_are_named() -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*'windw'"):
        Word2Vec(windw=3)
    with pytest.raises(ValueError, match="not a known text encoding"):
        Word2Vec(encoding="nope")
    with pytest.raises(ValueError, match="encoding_errors must be one of"):
        Word2Vec(encoding_errors="skip")
    with pytest.raises(TypeError, match="max_vocab must be an integer"):
        Word2Vec(max_vocab="10")
    with pytest.raises(ValueError, match="kind must be one of"):
        Param("x", "list", [], "no such kind")


def test_engine_params_are_shared_by_name() -> None:
    own = {p.name for p in Word2Vec.PARAMS}
    assert {p.name for p in ENGINE_PARAMS} <= own
    assert {"encoding", "encoding_errors", "checkpoint"} <= own


# --------------------------------------------------------------------------- plan and hooks


class _Rounds(EpochHooks):
    """Trains each epoch in rounds (every ``parts``-th item), as a distributed layer would."""

    def __init__(self, parts: int) -> None:
        self.parts = parts

    def run_epoch(self, plan, run):  # type: ignore[no-untyped-def]
        totals = [run(plan.split(k, self.parts)) for k in range(self.parts)]
        for t in totals[1:]:
            totals[0].add(t.metric, t.examples, t.units)
        return totals[0]


def test_split_plans_cover_the_epoch_and_keep_every_draw(paragraphs: list[str]) -> None:
    plan = EpochPlan(0, 1, np.arange(7), np.arange(7) + 1, np.zeros(7), np.zeros(7), 0)
    parts = [plan.split(r, 3).order.tolist() for r in range(3)]
    assert sorted(i for part in parts for i in part) == list(range(7))
    assert sum(plan.split(r, 3).units for r in range(3)) == plan.units == 28
    with pytest.raises(ValueError, match=r"rank must be in 0\.\.2"):
        plan.split(3, 3)
    # rates and streams follow the item, not the share: rounds give the same model
    # as long as the items run one after another in the same order (workers=1)
    corpus = paragraphs * 2  # two jobs at least
    whole = _quiet(dim=16, epochs=2, workers=1, min_count=2, seed=5)
    whole.fit(corpus)
    rounds = _quiet(dim=16, epochs=2, workers=1, min_count=2, seed=5)
    rounds.hooks = _Rounds(1)
    rounds.fit(corpus)
    assert np.array_equal(whole.input_weights, rounds.input_weights)
    assert whole.losses == pytest.approx(rounds.losses)
    split = _quiet(dim=16, epochs=2, workers=1, min_count=2, seed=5)
    split.hooks = _Rounds(2)
    split.fit(corpus)
    # a different order of the same items: another model, of the same quality
    assert not np.array_equal(whole.input_weights, split.input_weights)
    assert split.losses[-1] == pytest.approx(whole.losses[-1], rel=0.05)


def test_shuffle_draws_a_fresh_seeded_order_each_epoch(
    paragraphs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wordvec.train import _engine

    plans: list[EpochPlan] = []
    run_plan = _engine._run_plan

    def record(pool, workers, plan, progress):  # type: ignore[no-untyped-def]
        plans.append(plan)
        return run_plan(pool, workers, plan, progress)

    monkeypatch.setattr(_engine, "_run_plan", record)
    corpus = paragraphs * 4  # several jobs
    model = _quiet(dim=8, epochs=3, workers=2, min_count=2, seed=7, alpha=0.05, min_alpha=0.001)
    model.fit(corpus)
    orders = [p.order.tolist() for p in plans]
    n = plans[0].sizes.shape[0]
    assert n >= 4 and all(sorted(o) == list(range(n)) for o in orders)
    assert len({tuple(o) for o in orders}) == 3  # a new order each epoch
    assert orders[0] != list(range(n))
    # the rate decays along the order, over the whole fit, from alpha to min_alpha
    along = [(p.rate_start[i], p.rate_end[i]) for p in plans for i in p.order]
    assert along[0][0] == pytest.approx(0.05) and along[-1][1] == pytest.approx(0.001)
    assert all(a[1] == pytest.approx(b[0]) for a, b in itertools.pairwise(along))
    assert all(a[0] > a[1] for a in along)
    # the orders come from the seed: the same seed draws the same, another seed others
    again = _quiet(dim=8, epochs=3, workers=2, min_count=2, seed=7)
    other = _quiet(dim=8, epochs=3, workers=2, min_count=2, seed=8)
    assert again.order(n, plans[1].stream0).tolist() == orders[1]
    assert other.order(n, plans[1].stream0).tolist() != orders[1]
    plans.clear()
    _quiet(dim=8, epochs=2, workers=2, min_count=2, shuffle=False).fit(corpus)
    assert [p.order.tolist() for p in plans] == [list(range(n))] * 2


def test_hooks_see_the_fit_in_order(paragraphs: list[str]) -> None:
    calls = []

    class Recorder(EpochHooks):
        def start(self, model, corpus):  # type: ignore[no-untyped-def]
            calls.append("start")
            return corpus[:500]  # this process's share

        def merge_vocab(self, enc):  # type: ignore[no-untyped-def]
            calls.append("merge_vocab")
            return super().merge_vocab(enc)

        def attach(self, model):  # type: ignore[no-untyped-def]
            calls.append(("attach", sorted(model.state())))
            return 1  # resume at the second epoch

        def run_epoch(self, plan, run):  # type: ignore[no-untyped-def]
            calls.append(("epoch", plan.epoch))
            return run(plan)

        def finish(self, model):  # type: ignore[no-untyped-def]
            calls.append("finish")

    model = _quiet(dim=8, epochs=3, workers=2, min_count=2)
    model.hooks = Recorder()
    model.fit(paragraphs)
    assert calls == [
        "start", "merge_vocab", ("attach", ["input_weights", "output_weights"]),
        ("epoch", 1), ("epoch", 2), "finish",
    ]  # fmt: skip
    assert len(model.losses) == 2


def test_checkpoint_after_each_epoch_loads_as_the_model(
    paragraphs: list[str], tmp_path: Path
) -> None:
    ckpt = tmp_path / "ckpt.safetensors"
    seen = []

    def look(model: Word2Vec, epoch: int, loss: float) -> None:
        if ckpt.exists():
            seen.append(Word2Vec.load(ckpt)._epochs_done)

    model = _quiet(dim=8, epochs=2, workers=1, min_count=2, checkpoint=str(ckpt), callbacks=[look])
    model.fit(paragraphs)
    assert seen == [1]  # the first epoch's checkpoint, seen by the second epoch's callback
    back = Word2Vec.load(ckpt)
    assert back._epochs_done == 2 and back.losses == model.losses
    assert np.array_equal(back.input_weights, model.input_weights)
    assert np.array_equal(back.output_weights, model.output_weights)
    assert back.checkpoint is None and "checkpoint" not in back.config()


@pytest.mark.parametrize(
    ("make", "rate"),
    [
        (lambda: _quiet(dim=20, epochs=1, alpha=1e30, workers=1), "alpha=1e+30"),
        (lambda: GloVe(dim=20, epochs=2, learning_rate=1e30, workers=1, progress=False),
         "learning_rate=1e+30"),
    ],
)  # fmt: skip
def test_a_diverged_fit_says_so_and_names_the_rate_to_lower(
    make, rate: str, paragraphs: list[str]
) -> None:
    with pytest.raises(ValueError, match=rf"^training diverged: [\d,]+ of [\d,]+ word vectors "
                       rf".*; lower {re.escape(rate)} and train again\.$"):  # fmt: skip
        make().fit(paragraphs[:300])


def test_encoding_reaches_the_corpus_pass(tmp_path: Path) -> None:
    text = "café crème brûlée déjà vu\n" * 30
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ValueError):
        _quiet(min_count=1, dim=4, workers=1).fit(path)
    wv = _quiet(min_count=1, dim=4, workers=1, encoding="latin-1").fit(path)
    assert "café" in wv and "brûlée" in wv
    wv = _quiet(min_count=1, dim=4, workers=1, encoding_errors="replace").fit(path)
    assert "café" not in wv and len(wv) >= 2


# --------------------------------------------------------------------------- small parts


def test_schedules() -> None:
    start, end = LinearDecay(0.1, 0.0).rates(np.array([10, 30]), 1, 2)
    assert start.tolist() == pytest.approx([0.05, 0.0375]) and end[-1] == 0.0
    # in another order the rate follows the place in the order, indexed by item
    start, end = LinearDecay(0.1, 0.0).rates(np.array([10, 30]), 1, 2, order=np.array([1, 0]))
    assert start.tolist() == pytest.approx([0.0125, 0.05]) and end.tolist()[0] == 0.0
    with pytest.raises(ValueError, match="permutation of the 2 jobs"):
        LinearDecay(0.1, 0.0).rates(np.array([10, 30]), 0, 1, order=np.array([1, 1]))
    start, end = AdaGrad(0.05).rates(np.array([3, 4, 5]), 2, 10)
    assert start.tolist() == end.tolist() == [0.05] * 3
    assert LinearDecay(0.1, 0.0).label == "lr" and AdaGrad(0.05).label == ""


def test_progress_line_uses_the_models_unit_rate_and_metric() -> None:
    from rich.console import Console

    from wordvec.train.progress import RichProgress

    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=False)
    with RichProgress(console, unit="entries", rate="", metric="cost") as p:
        p.start_training(100)
        p.start_epoch(0, 1, 100)
        p.advance(100, 0.05, 0.25)
    text = out.getvalue()
    assert "entries/s" in text and "cost 0.250" in text
    assert "lr" not in text and "words/s" not in text and "loss" not in text


@pytest.mark.parametrize("terminator", [b"\n", b""])
def test_word_codec_round_trips(terminator: bytes) -> None:
    words = ["the", "é", "naïve", "", "日本語", "a b"]
    blob, offsets = pack_words(words, terminator)
    assert offsets[-1] == blob.shape[0] and offsets.dtype == np.int64
    assert unpack_words(blob, offsets, terminator) == words
    if terminator == b"":
        with_newline = ["a\nb", "c"]
        assert unpack_words(*pack_words(with_newline, b""), b"") == with_newline
