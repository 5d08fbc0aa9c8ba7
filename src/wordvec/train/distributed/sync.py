"""Averaging the weights of all ranks, and checking that they ended up equal.

Two ways to average, both in place on the trainer's NumPy tables:

- ``"full"``: all-reduce every table as it is (``torch.from_numpy``, no copy), then
  divide by the number of ranks. Cost grows with the table, not with the text.
- ``"rows"``: only the rows some rank touched since the last sync (the words its jobs
  read; the union over ranks is agreed with one all-reduce of a byte mask) are gathered
  into one buffer, all-reduced and written back. Rows changed only as negative samples
  stay local until the next full sync, which :class:`WeightSync` does every
  ``full_every`` syncs and at every epoch end.

``benchmarks/distributed.py`` measures both against the table size; RESULTS.md says
which one is the default and why.
"""

from __future__ import annotations

import hashlib

import numpy as np

SYNC_MODES = ("full", "rows")


def average_full(comm, tables: list[np.ndarray]) -> int:
    """Average each table over all ranks in place; return the bytes reduced per rank."""
    scale = np.float32(1.0 / comm.world_size)
    sent = 0
    for table in tables:
        comm.all_reduce_(table)
        table *= scale
        sent += table.nbytes
    return sent


def average_rows(comm, tables: list[np.ndarray], touched: np.ndarray) -> int:
    """Average the rows touched on any rank, in place; return the bytes reduced per rank.

    Args:
        comm: The job's communicator.
        tables: float32 tables of the same number of rows.
        touched: uint8 mask of this rank's touched rows (changed in place to the union).

    Shape:
        ``tables[i]``: ``(rows, dim_i)``; ``touched``: ``(rows,)``.
    """
    comm.all_reduce_(touched, "max")
    rows = np.flatnonzero(touched)
    if rows.size == 0:
        return touched.nbytes
    scale = np.float32(1.0 / comm.world_size)
    sent = touched.nbytes
    for table in tables:
        buf = np.ascontiguousarray(table[rows])
        comm.all_reduce_(buf)
        buf *= scale
        table[rows] = buf
        sent += buf.nbytes
    return sent


class WeightSync:
    """Averages a trainer's tables at the cadence the trainer calls it.

    Args:
        comm: The job's communicator.
        tables (list[np.ndarray]): The C-contiguous float32 tables to keep equal.
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
        rows = tables[0].shape[0]
        self.touched = np.zeros(rows, dtype=np.uint8) if mode == "rows" else None
        self.syncs = 0
        self.bytes_reduced = 0
        self.seconds = 0.0

    def mark(self, rows: np.ndarray) -> None:
        """Record rows (ids ``>= 0``; ``-1`` entries are ignored) touched since the last sync."""
        if self.touched is not None:
            rows = rows[rows >= 0]
            self.touched[rows] = 1

    def __call__(self, *, full: bool = False) -> None:
        """Average now; ``full=True`` forces a full-table average."""
        import time

        t0 = time.perf_counter()
        self.syncs += 1
        if self.touched is None or full or self.syncs % self.full_every == 0:
            self.bytes_reduced += average_full(self.comm, self.tables)
            if self.touched is not None:
                self.touched[:] = 0
        else:
            self.bytes_reduced += average_rows(self.comm, self.tables, self.touched)
            self.touched[:] = 0
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
