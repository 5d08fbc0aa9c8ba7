"""The distributed run: the engine hooks that train one model on all ranks.

:class:`DistributedRun` is the :class:`~wordvec.train.plan.EpochHooks` of a trainer made
with ``distributed=True``; the engine calls it at these points of ``fit``:

1. :meth:`~DistributedRun.start`: joins the job, checks that every rank has the same
   settings and corpus and that a checkpoint (if any) fits them, and returns this
   rank's share of the corpus to read.
2. :meth:`~DistributedRun.merge_vocab`: the corpus-wide words and counts, in the order
   of a single process.
3. :meth:`~DistributedRun.attach`: takes the model's state, restores it from a
   checkpoint if there is one, and says which epoch to start from.
4. :meth:`~DistributedRun.run_epoch`: cuts the epoch's plan into rounds of about
   ``sync_words`` words, trains each on the model's threads and syncs the weights
   after it (checkpointing when due), then syncs fully and checkpoints at the end.
5. :meth:`~DistributedRun.finish`: checks that every rank holds the same weights.

Only rank 0 writes output (:attr:`~DistributedRun.writes_output`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from wordvec._validation import check_choice, check_float, check_int
from wordvec.train.corpus import BlockStreams
from wordvec.train.distributed import checkpoint as ckpt
from wordvec.train.distributed.comm import Comm, check_same_settings
from wordvec.train.distributed.env import require_torch, torchrun_env
from wordvec.train.distributed.plan import hot_rows, rounds_needed, split_rounds
from wordvec.train.distributed.shares import (
    ShareCounts,
    rank_shares,
    share_blocks,
    share_sentences,
)
from wordvec.train.distributed.sync import (
    COMPRESSIONS,
    FULL_EVERY,
    SYNC_MODES,
    WeightSync,
    check_identical,
)
from wordvec.train.distributed.vocab import merge_vocab
from wordvec.train.plan import EpochHooks, EpochPlan, Totals

logger = logging.getLogger(__name__)

#: Default words a rank trains between two syncs, per worker thread (about 0.1-0.2 s of
#: training: a node syncs a few times a second whatever its number of cores); a trainer
#: may set its own with a ``default_sync_words()`` method (Word2Vec: 50,000 for
#: skip-gram, 200,000 for CBOW).
SYNC_WORDS = 100_000
#: ``sync="auto"`` overlaps the syncs (when the trainer prefers it) in epochs of at
#: least this many rounds: a round's staleness is then at most 1% of an epoch (on a
#: small corpus, overlapped rounds that are a fifth of an epoch cost quality; RESULTS.md).
OVERLAP_MIN_ROUNDS = 100
#: What ``sync`` may be: :data:`~wordvec.train.distributed.sync.SYNC_MODES` or "auto".
RUN_SYNC_MODES = ("auto", *SYNC_MODES)
#: Largest corpus job (the engine's default job size).
JOB_WORDS = 50_000
#: Random streams of rank r start at r * STREAM_STRIDE (disjoint draws on every rank).
STREAM_STRIDE = 1 << 40
#: Settings that may differ between runs without changing the model.
_RUNTIME = (
    "workers",
    "progress",
    "checkpoint",
    "checkpoint_dir",
    "checkpoint_minutes",
    "dist_timeout",
    "distributed",
)


class DistributedRun(EpochHooks):
    """One rank's part in training a model across a torchrun job.

    Args:
        timeout (float, default 300.0): Seconds a collective waits for the other ranks
            before the job stops with a :class:`~wordvec.train.distributed.RankFailure`.
        sync_words (int, default 100000): Words each rank trains between two weight
            averages (the sync cadence, in words processed: deterministic).
        sync (str, default "rows"): ``"rows"`` (the rows the text changed since the last
            sync), ``"overlap"`` (the same rows, reduced in the background while the next
            round trains: the other ranks' updates arrive a round later), both with a
            full sync every ``full_every`` syncs and at epoch ends, ``"full"``
            (all-reduce the whole tables every time), or ``"auto"``: ``auto_sync`` in
            epochs of at least :data:`OVERLAP_MIN_ROUNDS` rounds, else ``"rows"``.
        auto_sync (str, default "rows"): ``"rows"`` or ``"overlap"``, see ``sync``
            (:meth:`for_model` takes the trainer's ``default_sync()``).
        full_every (int, default 32): See ``sync``
            (:data:`~wordvec.train.distributed.sync.FULL_EVERY`).
        compression (str, default "int8"): How rows syncs and periodic full syncs send
            the updates: ``"int8"`` or ``"none"`` (float32); see
            :mod:`~wordvec.train.distributed.sync`.
        checkpoint_dir (str | Path | None, default None): Where to keep the training
            state; a run resumes from the checkpoint found there.
        checkpoint_minutes (float, default 30.0): Also checkpoint within an epoch when
            this many minutes passed since the last one.
        comm (Comm | None, default None): An already started communicator (tests).

    Raises:
        ValueError: If an option is out of range.
    """

    def __init__(
        self,
        *,
        timeout: float = 300.0,
        sync_words: int = SYNC_WORDS,
        sync: str = "rows",
        auto_sync: str = "rows",
        full_every: int = FULL_EVERY,
        compression: str = "int8",
        checkpoint_dir: str | Path | None = None,
        checkpoint_minutes: float = 30.0,
        comm: Comm | None = None,
    ) -> None:
        self.timeout = check_float(timeout, "timeout", minimum=0.0, exclusive_minimum=True)
        self.sync_words = check_int(sync_words, "sync_words", minimum=1)
        self.sync_mode = check_choice(sync, "sync", RUN_SYNC_MODES)
        self.auto_sync = check_choice(auto_sync, "auto_sync", ("rows", "overlap"))
        self._overlap = False  # whether this epoch's rows syncs overlap: run_epoch sets it
        self.full_every = check_int(full_every, "full_every", minimum=1)
        self.compression = check_choice(compression, "sync_compression", COMPRESSIONS)
        self.checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        if self.checkpoint_dir is not None and self.checkpoint_dir.is_file():
            raise ValueError(
                f"checkpoint_dir {str(self.checkpoint_dir)!r} is a file; pass a directory "
                "(it is created if missing)."
            )
        # a round is whole jobs: jobs of at most half a round keep the cadence
        self.job_words = min(JOB_WORDS, max(1_000, self.sync_words // 2))
        self.checkpoint_minutes = check_float(
            checkpoint_minutes, "checkpoint_minutes", minimum=0.0, exclusive_minimum=True
        )
        self.comm = comm
        self.settings: dict[str, Any] = {}
        self.corpus: dict[str, Any] = {}
        self._meta: dict[str, str] | None = None
        self._counts = ShareCounts(positions=[])
        self._sync: WeightSync | None = None
        # this rank's loss, examples and words since the ranks last added theirs up (at
        # epoch ends and checkpoints: no collective at a round's end for them)
        self._mine = np.zeros(3, dtype=np.float64)
        self._epoch_units = 0
        self._tables: dict[str, np.ndarray] = {}
        self._words: list[str] = []
        self._vocab_counts = np.zeros(0, np.int64)
        self._last_ckpt = time.monotonic()
        self.progress = ckpt.Progress()
        self.checksum = ""
        self.resumed_from: tuple[int, int] | None = None
        self._shares: list | None = None
        self._env: Any = None

    @classmethod
    def for_model(cls, model: Any) -> DistributedRun:
        """The hooks of a trainer made with ``distributed=True``, from its parameters.

        Checks the torchrun environment and torch at once, before any work.

        Raises:
            RuntimeError: Outside a torchrun launch.
            ImportError: If torch is not installed.
        """
        env = torchrun_env()
        require_torch()
        per_thread = getattr(model, "default_sync_words", lambda: SYNC_WORDS)()
        sync_words = model.sync_words or per_thread * model.workers
        run = cls(
            timeout=model.timeout, sync_words=sync_words,
            sync=model.sync, compression=model.sync_compression,
            auto_sync=getattr(model, "default_sync", lambda: "rows")(),
            checkpoint_dir=model.checkpoint_dir, checkpoint_minutes=model.checkpoint_minutes,
        )  # fmt: skip
        run._env = env
        return run

    # identity -------------------------------------------------------------------------

    @property
    def rank(self) -> int:
        """This rank (from the torchrun environment before :meth:`start`)."""
        if self.comm is not None:
            return self.comm.rank
        return self._env.rank if self._env is not None else 0

    @property
    def world_size(self) -> int:
        """Number of ranks (from the torchrun environment before :meth:`start`)."""
        if self.comm is not None:
            return self.comm.world_size
        return self._env.world_size if self._env is not None else 1

    @property
    def writes_output(self) -> bool:
        """Whether this rank writes the output files (rank 0 only)."""
        return self.rank == 0

    # 1. start ---------------------------------------------------------------------------

    def start(self, model: Any, corpus: object) -> Iterator[list] | BlockStreams:
        """Join the job, check settings, corpus and checkpoint on every rank, and return
        this rank's share of ``corpus`` for the corpus pass: its sentences, or with the
        whitespace tokenizer its UTF-8 blocks (read by the compiled pass).

        Raises:
            RuntimeError: Outside torchrun.
            ImportError: Without torch.
            ValueError: If the ranks' settings differ, the checkpoint found was written
                for other settings or another corpus, or int8 syncs are asked of more
                than 127 ranks.
            TypeError: If ``corpus`` is not made of paths.
        """
        if self._shares is not None:
            raise ValueError(
                "a distributed model is trained by one fit(); continuing training is not "
                "supported across ranks. Train in one fit, or continue in one process."
            )
        if self.comm is None:
            self.comm = Comm.start(timeout=self.timeout)
        if self.compression == "int8" and self.comm.world_size > 127:
            raise ValueError(
                f"sync_compression='int8' sums the ranks' updates in int8, which holds up to "
                f"127 ranks; this job has {self.comm.world_size}: pass sync_compression='none' "
                "(--sync-compression none)."
            )
        self._shares = rank_shares(corpus, self.comm.rank, self.comm.world_size)
        files = [s.path for s in self._shares]
        config = {k: v for k, v in model.config().items() if k not in _RUNTIME}
        self.settings = {**config, "sync_words": self.sync_words, "sync": self.sync_mode,
                         "sync_compression": self.compression}  # fmt: skip
        self.corpus = ckpt.corpus_fingerprint(files, self.comm.world_size)
        check_same_settings(self.comm, {**self.settings, "corpus": self.corpus})
        share_bytes = sum(s.end - s.start for s in self._shares)
        if self.comm.all_reduce_ints([share_bytes], "min")[0] == 0:
            raise ValueError(
                f"the corpus is too small for {self.comm.world_size} ranks: some rank's share "
                "of it is empty; train on more text or with fewer ranks."
            )
        self.comm.resume_hint = (
            f"resume by running the same command again (checkpoints in "
            f"{str(self.checkpoint_dir)!r})"
            if self.checkpoint_dir is not None
            else "run the same command again to start over (add --checkpoint-dir to resume "
            "an interrupted run)"
        )
        self._meta = self._agree(self._read_checkpoint_header)
        self._counts = ShareCounts(positions=[])
        if isinstance(model.tokenizer, str) and model.tokenizer == "whitespace":
            return share_blocks(
                self._shares, counts=self._counts, encoding=model.encoding,
                encoding_errors=model.encoding_errors,
            )  # fmt: skip
        return share_sentences(
            self._shares, counts=self._counts, tokenizer=model.tokenizer,
            max_sentence_length=model.max_sentence_length, encoding=model.encoding,
            encoding_errors=model.encoding_errors,
        )  # fmt: skip

    def _read_checkpoint_header(self) -> dict[str, str] | None:
        if self.checkpoint_dir is None:
            return None
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        meta = ckpt.read_header(self.checkpoint_dir)
        if meta is not None:
            ckpt.check_compatible(meta, self.checkpoint_dir, self.settings, self.corpus)
        return meta

    def _agree(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on rank 0 and give every rank its JSON result, or its error."""
        import json

        payload = None
        if self.rank == 0:
            try:
                payload = json.dumps({"ok": fn()}).encode()
            except (ValueError, OSError) as exc:
                payload = json.dumps({"error": str(exc)}).encode()
        got = json.loads(self.comm.broadcast_bytes(payload))  # type: ignore[union-attr]
        if "error" in got:
            raise ValueError(got["error"])
        return got["ok"]

    # 2-3. corpus and vocabulary ---------------------------------------------------------

    def merge_vocab(self, enc: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Return the corpus-wide words and counts (first-appearance order) and this
        rank's provisional -> merged id map (see :func:`vocab.merge_vocab`)."""
        return merge_vocab(self.comm, enc, self._counts.positions)

    # 4. weights and resume --------------------------------------------------------------

    def attach(self, model: Any) -> int:
        """Take the model's state; restore it from the checkpoint if there is one.

        Returns:
            The first epoch to train (0 for a fresh run).

        Raises:
            ValueError: If the checkpoint's vocabulary differs from this corpus's.
        """
        vocab = model._vocab
        self._tables = dict(model.state())
        self._words, self._vocab_counts = vocab.words, vocab.counts
        self.corpus["vocab"] = ckpt.vocab_digest(self._words, self._vocab_counts)
        if self._meta is not None:
            self._restore()
            model.losses.extend(self.progress.losses)
        # the trainer's factors of the summed updates (Word2Vec: its input rows')
        scaled = getattr(model, "sync_scales", lambda *a: {})(
            self._vocab_counts, self.sync_words, self.world_size
        )
        self._sync = WeightSync(
            self.comm, list(self._tables.values()),
            mode="rows" if self.sync_mode == "auto" else self.sync_mode,
            full_every=self.full_every, compression=self.compression,
            hot=hot_rows(self._vocab_counts, self.sync_words),
            scales=[scaled.get(name) for name in self._tables],
        )  # fmt: skip
        self._last_ckpt = time.monotonic()
        return self.progress.epoch

    def _restore(self) -> None:
        import json

        def load() -> dict:
            assert self.checkpoint_dir is not None
            tables, words, counts, progress = ckpt.load_checkpoint(self.checkpoint_dir)
            if ckpt.vocab_digest(words, counts) != self.corpus["vocab"]:
                raise ValueError(
                    f"the checkpoint in {str(self.checkpoint_dir)!r} was written for another "
                    "corpus (its vocabulary differs); use another --checkpoint-dir (or "
                    "delete it) to start over."
                )
            for name, table in self._tables.items():
                table[...] = tables[name]
            return progress.__dict__

        state = self._agree(load)
        for table in self._tables.values():
            self.comm.broadcast_(table)  # type: ignore[union-attr]
        self.progress = ckpt.Progress(**json.loads(json.dumps(state)))
        self.resumed_from = (self.progress.epoch, self.progress.round)
        logger.info(
            "resuming from epoch %d, round %d", self.progress.epoch + 1, self.progress.round
        )

    # 5. epochs ---------------------------------------------------------------------------

    def rounds(self, job_words: np.ndarray) -> np.ndarray:
        """Cut an epoch's jobs into rounds; return each round's first job plus the end.

        Every rank gets the same number of rounds (collective call).
        """
        mine = rounds_needed(int(np.sum(job_words)), self.sync_words)
        n = self.comm.all_reduce_ints([mine], "max")[0]  # type: ignore[union-attr]
        return split_rounds(job_words, n)

    def end_round(self, loss: float, examples: int, units: int) -> None:
        """Sync the weights after a round; checkpoint when due.

        The round's loss, examples and words stay on this rank until the ranks add them
        up (:meth:`_add_up`, at the epoch's end and at checkpoints): a round's end takes
        no collective for them. With ``sync="overlap"`` a rows sync overlaps the next
        round: this round's updates are reduced in the background while it trains, and
        put in at its end (every ``full_every``-th sync, and the round a checkpoint
        falls due, are full and immediate).
        """
        self._mine += (loss, examples, units)
        sync = self._weight_sync()
        sync.complete()  # the previous round's sync, begun at its end: first, as no
        save = self._due()  # collective may run beside another
        if self._overlap and not save and not sync.full_due():
            sync.begin()
        else:
            sync(full=save)
        self.progress.round += 1
        if save:
            self._add_up()
            self._checkpoint()

    def _weight_sync(self) -> WeightSync:
        if self._sync is None:
            raise RuntimeError("no weights to sync yet: attach() comes before the epochs.")
        return self._sync

    def _due(self) -> bool:
        """Whether a checkpoint is due on some rank (by the clock: agreed by a collective,
        taken only when checkpointing)."""
        if self.checkpoint_dir is None:
            return False
        due = time.monotonic() - self._last_ckpt >= 60 * self.checkpoint_minutes
        return bool(self.comm.all_reduce_ints([int(due)], "max")[0])  # type: ignore[union-attr]

    def _add_up(self) -> None:
        """Add every rank's loss, examples and words since the last time to the epoch's
        (collective)."""
        self.comm.all_reduce_(self._mine)  # type: ignore[union-attr]
        self.progress.loss_sum += float(self._mine[0])
        self.progress.examples += int(self._mine[1])
        self._epoch_units += int(self._mine[2])
        self._mine[:] = 0.0

    def end_epoch(self) -> Totals:
        """Complete the last round's sync, sync fully and checkpoint; return the epoch's
        totals summed over all ranks."""
        self._weight_sync()(full=True)  # completes the last round's sync first
        self._add_up()
        p = self.progress
        out = Totals(metric=p.loss_sum, examples=p.examples, units=self._epoch_units)
        p.losses.append(out.mean)
        p.epoch, p.round, p.loss_sum, p.examples = p.epoch + 1, 0, 0.0, 0
        self._epoch_units = 0
        if self.checkpoint_dir is not None:
            self._checkpoint()
        return out

    def overlaps(self, n_rounds: int) -> bool:
        """Whether the rows syncs of an epoch of ``n_rounds`` rounds overlap the next
        round (``sync="overlap"``, or ``"auto"`` with ``auto_sync="overlap"`` on an epoch
        of at least :data:`OVERLAP_MIN_ROUNDS` rounds).

        >>> run = DistributedRun(sync="auto", auto_sync="overlap")
        >>> run.overlaps(OVERLAP_MIN_ROUNDS), run.overlaps(OVERLAP_MIN_ROUNDS - 1)
        (True, False)
        """
        if self.sync_mode == "auto":
            return self.auto_sync == "overlap" and n_rounds >= OVERLAP_MIN_ROUNDS
        return self.sync_mode == "overlap"

    def run_epoch(self, plan: EpochPlan, run: Callable[[EpochPlan], Totals]) -> Totals:
        """Train ``plan`` round by round with ``run``, syncing after each round; return
        the epoch's totals summed over all ranks.

        Rounds already trained (a resumed epoch) are skipped; every rank draws from its
        own random streams.
        """
        plan = replace(plan, stream0=plan.stream0 + self.rank * STREAM_STRIDE)
        bounds = self.rounds(plan.sizes[plan.order])
        n_rounds = bounds.shape[0] - 1
        self._overlap = self.overlaps(n_rounds)
        for k in range(self.progress.round, n_rounds):
            part = run(replace(plan, order=plan.order[bounds[k] : bounds[k + 1]]))
            self.end_round(part.metric, part.examples, part.units)
        return self.end_epoch()

    def _checkpoint(self) -> None:
        """Save the training state (rank 0), its totals added up over the ranks."""
        if self.rank == 0 and self.checkpoint_dir is not None:
            ckpt.save_checkpoint(
                self.checkpoint_dir, tables=self._tables, words=self._words,
                counts=self._vocab_counts, progress=self.progress,
                settings=self.settings, corpus=self.corpus,
            )  # fmt: skip
        self._last_ckpt = time.monotonic()

    # 6. end ------------------------------------------------------------------------------

    def finish(self, model: Any) -> None:
        """Check that every rank holds the same weights (keep their :attr:`checksum`),
        then leave the job."""
        self.checksum = check_identical(self.comm, list(self._tables.values()))
        logger.info("rank %d: weights checksum %s", self.rank, self.checksum[:16])
        self.comm.barrier()  # nobody leaves (rank 0 may host the store) before all are done
        self.close()

    def close(self) -> None:
        """Leave the job."""
        if self.comm is not None:
            self.comm.close()

    def sync_stats(self) -> dict[str, float]:
        """Syncs done, bytes reduced by this rank, seconds training waited for syncs,
        seconds of background reductions (``sync="overlap"``) and the hot rows (those
        the rows syncs look at, :func:`~wordvec.train.distributed.plan.hot_rows`)."""
        s = self._sync
        if s is None:
            return {"syncs": 0, "bytes": 0, "seconds": 0.0, "overlapped": 0.0, "hot_rows": 0}
        return {"syncs": s.syncs, "bytes": s.bytes_reduced, "seconds": s.seconds,
                "overlapped": s.overlapped, "hot_rows": s.hot_rows}  # fmt: skip
