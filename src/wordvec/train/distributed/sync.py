"""Combining the weights of all ranks, and checking that they ended up equal.

Each rank trains its own copy of the tables on its share; at a sync every rank
applies the updates of all ranks since the previous sync (whose state, ``base``, is the
same everywhere): ``w = base + sum over ranks of (w_rank - base)``. This is a single
process's training with each rank's updates applied a round late, like the C tool's
lock-free threads across machines. Averaging the weights instead (``w = mean of
w_rank``, Spark's way) divides every update by the number of ranks; on 4M words of
bench-en it lost 3-4 analogy points and 0.1 of WordSim-353 Spearman against one
process, where the sum of updates synced every 100k words per rank lost 0.2 points and
0.02 (RESULTS.md). The all-reduce works in place on the NumPy tables
(``torch.from_numpy``, no copy); the bases cost one more copy of the tables.

The sum has one flaw, on the rows every rank meets often: each rank moves such a row
most of the way to where its own share of the text pulls it within a round, so the sum
moves it up to ``world_size`` times too far (on bench-en's skip-gram the plain sum left
WordSim-353 0.02 below one process's over six seeds). A trainer may therefore give a
factor per row of a table (``scales``; Word2Vec's input rows,
:func:`~wordvec.train.distributed.plan.update_scale`): 1 for rows met rarely (the sum),
down to ``1 / world_size`` (the mean) for the most frequent, applied to the summed
updates of every sync.

Two ways to sync:

- ``"full"``: all-reduce the whole tables. Cost grows with the table, not with the text.
- ``"rows"``: only the rows whose first table (the input rows, which only the words of
  the text change) changed on some rank since the last sync: each rank takes its
  changed rows (comparing their first columns with ``base``) and its updates of them in
  every table of that height, the union of the rows is agreed with one all-reduce of a
  byte mask, and the updates of those rows are all-reduced and added to the common
  state. Rows changed only as negative samples (or past their first columns) keep their
  updates local until the next full sync, which :class:`WeightSync` does every
  ``full_every`` syncs and at every epoch end. So do the rows of rare words when the
  trainer gives a ``hot`` mask (the distributed run does: the words a rank's round is
  expected to hold, :func:`~wordvec.train.distributed.plan.hot_rows`): a rare word is in
  few rounds of any rank, so two ranks seldom train it between two full syncs, and its
  rows make most of a round's changed rows (7,600 of 11,000 in bench-en's skip-gram
  rounds are outside the 4,000 most frequent words) and little of its updates. A rows
  sync can overlap the next round's training (:meth:`WeightSync.begin`): it takes a
  copy of the updates (one pass) and does everything else in a background thread (the
  union, the steps, the rounding and the sums), so the tables train meanwhile and the
  training thread waits on no collective until the sync is put in.

Compression (``compression="int8"``, the default): a rows sync sends each rank's
updates as int8, on ``127 // world_size`` levels per rank so that their sum fits, with a
step per row and table (the largest update of that row on any rank, agreed by a small
all-reduce, over the levels; among at most :data:`DENSE_STEPS_ROWS` rows, such as the
hot ones, an all-reduce of every row's maximum gives the union too, without the mask),
rounded stochastically: unbiased, and a quarter of the bytes. What the rounding leaves
out is dropped, not kept for later, so a row synced equals the common state on every
rank as without compression. The periodic full syncs
are compressed the same way, block by block; the full syncs at epoch ends and
checkpoints are exact (float32). ``"none"`` sends float32 updates. An update that is
not finite (a diverged run) makes its row NaN on every rank, as a float32 sum does, so
the fit ends with a diverged run's error rather than with rounded garbage.

``benchmarks/distributed.py`` measures both against the table size; RESULTS.md says
which one is the default and why.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator

import numpy as np

from wordvec.train.distributed._kernels import (
    apply_combined,
    apply_quantized,
    changed_mask,
    quantize_rows,
    row_maxabs,
    take_updates,
)

SYNC_MODES = ("full", "rows", "overlap")
COMPRESSIONS = ("int8", "none")

#: A rows sync is a full one every this many syncs (compressed as the rows syncs), so the
#: rows a rows sync leaves alone (rare words', and rows changed only as negative samples)
#: wait at most this many rounds: a rare word (not expected once in two rounds) has then
#: fewer than 16 expected meetings per rank between two full syncs, whatever the cadence.
#: At Word2Vec's cadences that is every 1.6M words per thread for skip-gram and 6.4M for
#: CBOW, which makes one update per word where skip-gram makes about six (RESULTS.md).
FULL_EVERY = 32
#: Bytes of updates a compressed full sync quantizes at a time (bounds its temporaries).
FULL_BLOCK_BYTES = 64 << 20
#: Up to this many rows to look at, an int8 rows sync agrees on its union and steps in
#: one all-reduce of every row's maximum (4 bytes a row and table) instead of a mask
#: all-reduce (a byte a row) and then the union's maxima.
DENSE_STEPS_ROWS = 200_000


def changed_rows(table: np.ndarray, base: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Return the uint8 mask over the rows ``among`` of ``table`` that differ from
    ``base`` (in their first few columns: a trained row changes in all; see
    ``_kernels.MASK_COLUMNS``).

    >>> eye = np.eye(3, dtype=np.float32)
    >>> changed_rows(eye, np.zeros((3, 3), np.float32), np.array([0, 2])).tolist()
    [1, 1]
    """
    out = np.empty(among.shape[0], dtype=np.uint8)
    changed_mask(table, base, among, out)
    return out


def sync_full(
    comm, tables: list[np.ndarray], bases: list[np.ndarray],
    scales: list[np.ndarray | None] | None = None,
) -> int:  # fmt: skip
    """Apply the combined updates of all ranks since ``bases`` to each table, in place;
    return the bytes reduced by this rank. ``bases`` become the new tables. ``scales``:
    per table, None or a factor per row of the summed updates
    (:func:`~wordvec.train.distributed.plan.update_scale`)."""
    sent = 0
    for table, base, scale in zip(tables, bases, scales or [None] * len(tables)):
        table -= base  # this rank's update, in the table's own memory
        comm.all_reduce_(table)  # the sum of every rank's update
        if scale is not None:
            table *= scale[:, None]
        table += base
        base[...] = table
        sent += table.nbytes
    return sent


def int8_levels(compression: str, world_size: int) -> int:
    """Return the int8 levels of one rank's updates, ``127 // world_size`` (so that the
    ranks' sum fits in int8), after checking ``compression``.

    Raises:
        ValueError: If ``compression`` is not one of :data:`COMPRESSIONS`, or is
            ``"int8"`` with more than 127 ranks.

    >>> int8_levels("int8", 2), int8_levels("none", 200)
    (63, 0)
    """
    if compression not in COMPRESSIONS:
        raise ValueError(f"compression must be one of {COMPRESSIONS}, got {compression!r}.")
    levels = 127 // world_size
    if compression == "int8" and levels < 1:
        raise ValueError(
            f"int8 compression sums the ranks' updates in int8, which holds up to 127 "
            f"ranks; this job has {world_size}: use compression 'none'."
        )
    return levels


def _key(*parts: int) -> int:
    """A 62-bit seed for the rounding draws from integers (deterministic: ints hash
    the same in every process)."""
    return hash(parts) & ((1 << 62) - 1)


class _Rows:
    """One group's part of a rows sync: tables of one height, and the rows this rank
    changed in the first among the rows ``among`` (sorted; None: every row): its
    ``rows``, their ``snap`` and ``delta`` over every table's columns; :meth:`reduce`
    adds ``union`` and ``sums``, which :meth:`apply` needs. ``rows`` given (a compressed
    full sync's block): those rows, the same on every rank. ``scales``: per table, None
    or the factor of each row's summed update."""

    def __init__(
        self, tables: list[np.ndarray], bases: list[np.ndarray], rows: np.ndarray | None = None,
        among: np.ndarray | None = None, scales: list[np.ndarray | None] | None = None,
    ) -> None:  # fmt: skip
        self.tables, self.bases = tables, bases
        self.scales = scales or [None] * len(tables)
        self.edges = np.cumsum([0] + [t.shape[1] for t in tables])
        self.agreed = rows is not None
        if rows is None:
            if among is None:
                among = np.arange(tables[0].shape[0])
            self.among = among
            self.mask = changed_rows(tables[0], bases[0], among)
            self.local = np.flatnonzero(self.mask)  # the rows' places in ``among``
            rows = among[self.local]
        self.rows = rows
        self._take()

    def _take(self) -> None:
        width = int(self.edges[-1])
        self.snap = np.empty((self.rows.size, width), dtype=np.float32)
        self.delta = np.empty((self.rows.size, width), dtype=np.float32)
        for table, base, a, b in self._columns():
            take_updates(table, base, self.rows, self.snap[:, a:b], self.delta[:, a:b])

    def _columns(self) -> Iterator[tuple[np.ndarray, np.ndarray, int, int]]:
        edges = self.edges
        yield from zip(self.tables, self.bases, edges[:-1].tolist(), edges[1:].tolist())

    def _union(self, comm) -> int:
        """Agree on the union of the changed rows; return the bytes reduced."""
        if self.agreed:
            self.union = self.rows
            return 0
        if self.mask.size:  # no rows to look at (no hot ones): the same on every rank
            comm.all_reduce_(self.mask, "max")
        self.union = self.among[np.flatnonzero(self.mask)]
        return self.mask.nbytes

    def reduce(self, comm) -> int:
        """Agree on the union of the changed rows and sum every rank's updates of them
        (touches only this object's buffers: safe while the tables train); return bytes."""
        sent = self._union(comm)
        self.sums = np.zeros((self.union.size, self.delta.shape[1]), dtype=np.float32)
        if self.union.size:
            self.sums[np.searchsorted(self.union, self.rows)] = self.delta
            comm.all_reduce_(self.sums)  # every table's columns in one call
        return sent + self.sums.nbytes

    def apply(self) -> None:
        """Put the combined updates into the tables and bases (training paused)."""
        for (table, base, a, b), scale in zip(self._columns(), self.scales):
            sums = self.sums[:, a:b]
            if scale is not None:
                sums = sums * scale[self.union, None]
            apply_combined(table, base, self.union, sums, self.rows, self.snap[:, a:b])


class _Int8Rows(_Rows):
    """:class:`_Rows` sending int8 updates: ``levels`` per rank, a step per row and
    table agreed by a max all-reduce, stochastic rounding seeded by ``key``.

    :meth:`quantize` agrees on the union and the steps (one or two small collectives,
    :meth:`_steps`) and quantizes this rank's updates; :meth:`reduce` then sums them.
    Synced now, the updates are read from the tables themselves. ``overlap`` (reduced
    in the background while the tables train on): they are taken first, with the rows
    as they were (``snap``, ``delta``: one pass), and everything after reads those, so
    the reduction needs nothing from the training thread."""

    def __init__(
        self, tables: list[np.ndarray], bases: list[np.ndarray], *, levels: int, key: int,
        rows: np.ndarray | None = None, overlap: bool = False, among: np.ndarray | None = None,
        scales: list[np.ndarray | None] | None = None,
    ) -> None:  # fmt: skip
        self.levels, self.key, self.overlap = levels, key, overlap
        super().__init__(tables, bases, rows, among, scales)

    def _take(self) -> None:
        if self.overlap:
            super()._take()
            self.taken = np.arange(self.rows.size)  # the rows of ``delta``
        else:  # the tables are read where they are; apply() keeps no snapshot
            self.snap = np.empty((0, int(self.edges[-1])), dtype=np.float32)

    def _updates(self, g: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """Where the kernels read this rank's updates of table ``g``: ``(table, base,
        rows)`` synced now, ``(delta columns, None, their rows)`` when overlapped."""
        if self.overlap:
            a, b = self.edges[g], self.edges[g + 1]
            return self.delta[:, a:b], None, self.taken
        return self.tables[g], self.bases[g], self.rows

    def _steps(self, comm) -> tuple[np.ndarray, np.ndarray, int]:
        """Agree on the union and each union row's largest update on any rank, per table;
        return them, this rank's rows' places in the union, and the bytes reduced.

        Rows found among all the rows of a table take a mask all-reduce for the union,
        then a max all-reduce of the union's maxima. Among a few rows (the hot ones), one
        max all-reduce of every one's maxima gives both: the union is the rows whose
        first table's maximum is not zero (a changed row's is not).
        """
        n = len(self.tables)
        if self.agreed or self.among.size > DENSE_STEPS_ROWS:
            sent = self._union(comm)
            pos = np.searchsorted(self.union, self.rows)
            steps = np.zeros((n, self.union.size), dtype=np.float32)
            if self.union.size:
                for g in range(n):
                    row_maxabs(*self._updates(g), pos, steps[g])
                comm.all_reduce_(steps, "max")  # the same steps on every rank
            return steps, pos, sent + steps.nbytes
        dense = np.zeros((n, self.among.size), dtype=np.float32)
        for g in range(n):
            row_maxabs(*self._updates(g), self.local, dense[g])
        if dense.size:
            comm.all_reduce_(dense, "max")  # the union and its steps on every rank
        hit = np.flatnonzero(dense[0])
        self.union = self.among[hit]
        return dense[:, hit], np.searchsorted(hit, self.local), dense.nbytes

    def quantize(self, comm) -> int:
        """Agree on the union and the steps, and quantize this rank's updates; return
        the bytes reduced."""
        steps, pos, sent = self._steps(comm)
        self.q = np.zeros((self.union.size, int(self.edges[-1])), dtype=np.int8)
        if self.union.size:
            steps /= np.float32(self.levels)
            for g, (_, _, a, b) in enumerate(self._columns()):
                key = _key(self.key, g)  # fresh draws for every table
                quantize_rows(*self._updates(g), pos, steps[g], self.levels, key, self.q[:, a:b])
        self.steps = steps
        return sent

    def reduce(self, comm) -> int:
        sent = self.quantize(comm)
        if self.union.size:
            comm.all_reduce_(self.q)  # |sum| <= world_size * levels <= 127
        return sent + self.q.nbytes

    def apply(self) -> None:
        for g, ((table, base, a, b), scale) in enumerate(zip(self._columns(), self.scales)):
            step = self.steps[g] if scale is None else self.steps[g] * scale[self.union]
            apply_quantized(
                table, base, self.union, self.q[:, a:b], step, self.rows,
                self.snap[:, a:b],
            )  # fmt: skip


def sync_rows(
    comm, tables: list[np.ndarray], bases: list[np.ndarray], *, compression: str = "none",
    key: int = 0,
) -> int:  # fmt: skip
    """:func:`sync_full` restricted to the rows whose first table changed on any rank;
    return the bytes this rank reduced. The other rows keep their changes.

    Args:
        comm: The job's communicator.
        tables: float32 tables of the same number of rows.
        bases: Their state after the previous sync.
        compression (str, default "none"): ``"none"`` (float32 updates) or ``"int8"``
            (module doc; on ``127 // world_size`` levels).
        key (int, default 0): With ``"int8"``: seeds the rounding; use a fresh key for
            every sync and rank.

    Raises:
        ValueError: As :func:`int8_levels` (an unknown compression, or int8 beyond 127
            ranks), before any collective.

    Shape:
        ``tables[i]``, ``bases[i]``: ``(rows, dim_i)``.
    """
    levels = int8_levels(compression, comm.world_size)
    if compression == "int8":
        part: _Rows = _Int8Rows(tables, bases, levels=levels, key=key)
    else:
        part = _Rows(tables, bases)
    sent = part.reduce(comm)
    part.apply()
    return sent


class _Pending:
    """A rows sync reducing in a daemon thread (a daemon: a job that fails while it
    waits in a collective must still be able to exit)."""

    def __init__(self, comm, parts: list[_Rows]) -> None:
        self.comm, self.parts = comm, parts
        self.sent, self.seconds = 0, 0.0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="wordvec-sync", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            self.sent = sum(part.reduce(self.comm) for part in self.parts)
        except BaseException as exc:  # handed to the trainer's thread by wait()
            self.error = exc
        self.seconds = time.perf_counter() - t0

    def wait(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def _check_scales(
    scales: list[np.ndarray | None] | None, tables: list[np.ndarray]
) -> list[np.ndarray | None]:
    """Return ``scales`` (None: one None per table), checked against ``tables``."""
    if scales is None:
        return [None] * len(tables)
    if len(scales) != len(tables):
        raise ValueError(
            f"scales must give one entry per table ({len(tables)}), got {len(scales)}; "
            "pass None for a table whose updates are summed as they are."
        )
    out: list[np.ndarray | None] = []
    for t, sc in zip(tables, scales):
        if sc is None:
            out.append(None)
            continue
        sc = np.ascontiguousarray(sc, dtype=np.float32)
        if sc.shape != (t.shape[0],) or not bool(np.all((sc > 0) & (sc <= 1))):
            span = f" with values from {sc.min():g} to {sc.max():g}" if sc.size else ""
            raise ValueError(
                f"a table's scales must be one factor in (0, 1] per row ({t.shape[0]}), got "
                f"shape {sc.shape}{span}; build them with plan.update_scale."
            )
        out.append(sc)
    return out


class WeightSync:
    """Syncs a trainer's tables at the cadence the trainer calls it.

    Called (:meth:`__call__`), it syncs at once. :meth:`begin` and :meth:`complete`
    overlap a rows sync with the next round's training instead (the trainers'
    ``sync="overlap"``): ``begin`` takes this rank's updates (the tables stay as they
    are) and reduces them with the other ranks' in a background thread; ``complete``,
    at the end of the next round, adds the combined updates to the common state and
    keeps what this rank trained meanwhile. Each rank then sees the others' updates one
    round later.

    Args:
        comm: The job's communicator.
        tables (list[np.ndarray]): The C-contiguous float32 tables to keep equal (equal
            on every rank when the sync is created).
        mode (str, default "full"): ``"full"``, ``"rows"`` or ``"overlap"`` (see the
            module doc; to this class ``"overlap"`` is ``"rows"``, the trainer begins and
            completes its syncs).
        full_every (int, default 32): With ``"rows"`` or ``"overlap"``, every this many
            syncs is full (:data:`FULL_EVERY`).
        compression (str, default "int8"): ``"int8"`` sends the updates of rows syncs
            and periodic full syncs as int8 (module doc); ``"none"`` as float32. Syncs
            forced full (``full=True``) are always exact.
        hot (np.ndarray | None, default None): A uint8 mask over the rows of the tables
            of its height: rows syncs look at these rows only (the module doc); None:
            at every row.
        scales (list[np.ndarray | None] | None, default None): Per table, None (the sum
            of the ranks' updates) or a float32 factor per row in ``(0, 1]`` by which
            every sync multiplies the sum of that row's updates
            (:func:`~wordvec.train.distributed.plan.update_scale`); the same on every
            rank.

    Attributes:
        syncs (int): Syncs done.
        bytes_reduced (int): Bytes this rank sent into all-reduces.
        seconds (float): Time the trainer waited for syncs.
        overlapped (float): Time the background reductions took.
        hot_rows (int): Rows of the ``hot`` mask (-1 without one).
    """

    def __init__(
        self, comm, tables: list[np.ndarray], *, mode: str = "full", full_every: int = FULL_EVERY,
        compression: str = "int8", hot: np.ndarray | None = None,
        scales: list[np.ndarray | None] | None = None,
    ) -> None:  # fmt: skip
        for t in tables:
            if t.dtype != np.float32 or not t.flags.c_contiguous or not t.flags.writeable:
                raise ValueError(
                    "weights to sync must be writable C-contiguous float32 arrays, got "
                    f"dtype={t.dtype}, contiguous={t.flags.c_contiguous}; pass the "
                    "trainer's own tables."
                )
        self.scales = _check_scales(scales, tables)
        self.levels = int8_levels(compression, comm.world_size)  # of one rank's updates
        self.comm, self.tables, self.mode, self.full_every = comm, tables, mode, full_every
        self.compression = compression
        self.bases = [t.copy() for t in tables]
        height = tables[0].shape[0]
        same = [i for i, t in enumerate(tables) if t.shape[0] == height]
        # tables of another height (fastText's n-gram buckets) are synced by their own rows
        self._groups = [same] + [[i] for i in range(len(tables)) if i not in same]
        hot_idx = None if hot is None else np.flatnonzero(hot)  # sorted
        self.hot_rows = -1 if hot_idx is None else int(hot_idx.size)
        # the rows each group's rows syncs look at: the hot ones in tables of the mask's
        # height (the vocabulary's), every row in the others (fastText's n-gram buckets)
        self._among = [
            hot_idx if hot_idx is not None and len(hot) == self.tables[g[0]].shape[0]
            else np.arange(self.tables[g[0]].shape[0])
            for g in self._groups
        ]  # fmt: skip
        self._pending: _Pending | None = None
        self.syncs = 0
        self.bytes_reduced = 0
        self.seconds = 0.0
        self.overlapped = 0.0

    def rebase(self) -> None:
        """Take the tables as they are now as the common state (after a restore)."""
        for t, b in zip(self.tables, self.bases):
            b[...] = t

    def full_due(self) -> bool:
        """Whether the next sync is a full one (mode ``"full"`` or every ``full_every``)."""
        return self.mode == "full" or (self.syncs + 1) % self.full_every == 0

    def __call__(self, *, full: bool = False) -> None:
        """Sync now (after completing a sync begun earlier); ``full=True`` forces a
        full-table sync."""
        self.complete()
        t0 = time.perf_counter()
        periodic = self.full_due()
        self.syncs += 1
        if full or (periodic and self.compression == "none"):
            self.bytes_reduced += sync_full(self.comm, self.tables, self.bases, self.scales)
        else:
            parts = self._full_blocks() if periodic else self._parts()
            for part in parts:  # one at a time: a full sync's blocks bound its memory
                self.bytes_reduced += part.reduce(self.comm)
                part.apply()
        self.seconds += time.perf_counter() - t0

    def _part(
        self, g: list[int], rows: np.ndarray | None = None, overlap: bool = False,
        among: np.ndarray | None = None,
    ) -> _Rows:  # fmt: skip
        """Group ``g``'s part: the given ``rows`` (a full sync's block) or the changed
        ones among ``among``."""
        tables, bases = [self.tables[i] for i in g], [self.bases[i] for i in g]
        scales = [self.scales[i] for i in g]
        if self.compression == "none":
            return _Rows(tables, bases, rows, among, scales)
        first = -1 if rows is None else int(rows[0])  # a full sync's block
        key = _key(self.syncs, g[0], first, self.comm.rank)  # fresh draws everywhere
        return _Int8Rows(
            tables, bases, levels=self.levels, key=key, rows=rows, overlap=overlap, among=among,
            scales=scales,
        )  # fmt: skip

    def _parts(self, overlap: bool = False) -> list[_Rows]:
        """This rank's changed rows and their updates, per group of tables."""
        return [
            self._part(g, overlap=overlap, among=among)
            for g, among in zip(self._groups, self._among)
        ]

    def _full_blocks(self) -> Iterator[_Rows]:
        """Every row, block by block (a compressed full sync)."""
        for g in self._groups:
            height = self.tables[g[0]].shape[0]
            width = sum(self.tables[i].shape[1] for i in g)
            # q is one byte a value; 9 bytes a value (what snap, delta and q of the float32
            # path would take) keeps the blocks well inside FULL_BLOCK_BYTES
            block = max(1, FULL_BLOCK_BYTES // (9 * width))
            for start in range(0, height, block):
                yield self._part(g, np.arange(start, min(height, start + block)))

    def begin(self) -> None:
        """Start a rows sync of the updates so far: take them (this thread, one pass
        over the changed rows), and agree on the union and steps, quantize and sum them
        in a background thread; :meth:`complete` puts them in.

        Raises:
            RuntimeError: If a sync begun earlier was not completed.
        """
        if self._pending is not None:
            raise RuntimeError("complete() the sync begun earlier before beginning another.")
        t0 = time.perf_counter()
        self.syncs += 1
        parts = self._parts(overlap=True)
        self._pending = _Pending(self.comm, parts)
        self.seconds += time.perf_counter() - t0

    def complete(self) -> bool:
        """Wait for the sync begun earlier and apply it; return whether there was one.

        Raises:
            RankFailure: If a rank failed during its reduction.
        """
        pending, self._pending = self._pending, None
        if pending is None:
            return False
        t0 = time.perf_counter()
        pending.wait()
        for part in pending.parts:
            part.apply()
        self.bytes_reduced += pending.sent
        self.overlapped += pending.seconds
        self.seconds += time.perf_counter() - t0
        return True


def checksum(tables: list[np.ndarray]) -> str:
    """Return a SHA-256 hex digest of the tables' bytes (equal weights, equal digests).

    >>> a = np.zeros((2, 2), np.float32)
    >>> checksum([a]) == checksum([a.copy()]), checksum([a]) == checksum([a + 1])
    (True, False)
    """
    h = hashlib.sha256()
    for t in tables:
        h.update(memoryview(np.ascontiguousarray(t)).cast("B"))
    return h.hexdigest()


def check_identical(comm, tables: list[np.ndarray]) -> str:
    """Return the checksum of the tables after checking it is the same on every rank.

    Raises:
        RuntimeError: If some rank's weights differ (names the ranks).
    """
    mine = checksum(tables)
    digests = [b.decode() for b in comm.all_gather_bytes(mine.encode())]
    differ = [r for r, d in enumerate(digests) if d != digests[0]]
    if differ:
        raise RuntimeError(
            f"the weights of rank(s) {differ} differ from rank 0's after the final sync "
            f"(checksums {sorted(set(digests))}); this is a bug, please report it."
        )
    return mine
