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

Two ways to sync:

- ``"full"``: all-reduce the whole tables. Cost grows with the table, not with the text.
- ``"rows"``: only the rows whose first table (the input rows, which only the words of
  the text change) changed on some rank since the last sync: each rank finds them by
  comparing with ``base``, the union is agreed with one all-reduce of a byte mask, and
  those rows of every table of that height are gathered, all-reduced and written back.
  Rows changed only as negative samples keep their updates local until the next full
  sync, which :class:`WeightSync` does every ``full_every`` syncs and at every epoch
  end.

``benchmarks/distributed.py`` measures both against the table size; RESULTS.md says
which one is the default and why.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np

from wordvec.train.distributed._kernels import apply_updates, gather_updates

SYNC_MODES = ("full", "rows")


def changed_rows(table: np.ndarray, base: np.ndarray, block: int = 16384) -> np.ndarray:
    """Return the uint8 mask of the rows of ``table`` that differ from ``base``.

    >>> changed_rows(np.eye(3, dtype=np.float32), np.zeros((3, 3), np.float32)).tolist()
    [1, 1, 1]
    """
    out = np.empty(table.shape[0], dtype=np.uint8)
    for start in range(0, table.shape[0], block):  # bounded temporaries
        stop = start + block
        out[start:stop] = (table[start:stop] != base[start:stop]).any(axis=1)
    return out


def sync_full(comm, tables: list[np.ndarray], bases: list[np.ndarray]) -> int:
    """Apply the combined updates of all ranks since ``bases`` to each table, in place;
    return the bytes reduced by this rank. ``bases`` become the new tables."""
    sent = 0
    for table, base in zip(tables, bases):
        table -= base  # this rank's update, in the table's own memory
        comm.all_reduce_(table)  # the sum of every rank's update
        table += base
        base[...] = table
        sent += table.nbytes
    return sent


def sync_rows(comm, tables: list[np.ndarray], bases: list[np.ndarray], touched: np.ndarray) -> int:
    """:func:`sync_full` restricted to the rows touched on any rank; return the bytes.

    Args:
        comm: The job's communicator.
        tables: float32 tables of the same number of rows.
        bases: Their state after the previous sync.
        touched: uint8 mask of this rank's touched rows (changed in place to the union).

    Shape:
        ``tables[i]``, ``bases[i]``: ``(rows, dim_i)``; ``touched``: ``(rows,)``.
    """
    comm.all_reduce_(touched, "max")
    rows = np.flatnonzero(touched)
    sent = touched.nbytes
    if rows.size == 0:
        return sent
    edges = np.cumsum([0] + [t.shape[1] for t in tables])
    buf = np.empty((rows.size, int(edges[-1])), dtype=np.float32)  # every table's columns
    for table, base, a, b in zip(tables, bases, edges[:-1], edges[1:]):
        gather_updates(table, base, rows, buf[:, a:b])  # this rank's updates of those rows
    comm.all_reduce_(buf)  # every rank's, in one call (one large all-reduce is quicker)
    for table, base, a, b in zip(tables, bases, edges[:-1], edges[1:]):
        apply_updates(table, base, rows, buf[:, a:b])  # on the common state: the new state
    return sent + buf.nbytes


class WeightSync:
    """Syncs a trainer's tables at the cadence the trainer calls it.

    Args:
        comm: The job's communicator.
        tables (list[np.ndarray]): The C-contiguous float32 tables to keep equal (equal
            on every rank when the sync is created).
        mode (str, default "full"): ``"full"`` or ``"rows"`` (see the module doc).
        full_every (int, default 8): With ``"rows"``, every this many syncs is full.

    Attributes:
        syncs (int): Syncs done.
        bytes_reduced (int): Bytes this rank sent into all-reduces.
        seconds (float): Time spent syncing.
    """

    def __init__(
        self, comm, tables: list[np.ndarray], *, mode: str = "full", full_every: int = 8
    ) -> None:
        for t in tables:
            if t.dtype != np.float32 or not t.flags.c_contiguous or not t.flags.writeable:
                raise ValueError(
                    "weights to sync must be writable C-contiguous float32 arrays, got "
                    f"dtype={t.dtype}, contiguous={t.flags.c_contiguous}; pass the "
                    "trainer's own tables."
                )
        self.comm, self.tables, self.mode, self.full_every = comm, tables, mode, full_every
        self.bases = [t.copy() for t in tables]
        self.syncs = 0
        self.bytes_reduced = 0
        self.seconds = 0.0

    def rebase(self) -> None:
        """Take the tables as they are now as the common state (after a restore)."""
        for t, b in zip(self.tables, self.bases):
            b[...] = t

    def __call__(self, *, full: bool = False) -> None:
        """Sync now; ``full=True`` forces a full-table sync."""
        t0 = time.perf_counter()
        self.syncs += 1
        if self.mode == "full" or full or self.syncs % self.full_every == 0:
            self.bytes_reduced += sync_full(self.comm, self.tables, self.bases)
        else:
            touched = changed_rows(self.tables[0], self.bases[0])
            height = self.tables[0].shape[0]
            same = [i for i, t in enumerate(self.tables) if t.shape[0] == height]
            pick = [self.tables[i] for i in same], [self.bases[i] for i in same]
            self.bytes_reduced += sync_rows(self.comm, *pick, touched)
            other = [i for i in range(len(self.tables)) if i not in same]
            for i in other:  # tables of another height (n-gram buckets): their own rows
                mask = changed_rows(self.tables[i], self.bases[i])
                self.bytes_reduced += sync_rows(self.comm, [self.tables[i]], [self.bases[i]], mask)
        self.seconds += time.perf_counter() - t0


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
