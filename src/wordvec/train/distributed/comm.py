"""The communicator: torch.distributed (gloo) collectives on NumPy buffers, with faults
turned into one clear line.

:class:`Comm` is the only place that talks to torch.distributed. Every collective has
the timeout given at start (gloo's own), works in place on NumPy arrays through
``torch.from_numpy`` (no copy), and turns a failure of any kind (a peer closed the
connection, a peer stopped answering until the timeout, the store went away) into a
:class:`RankFailure` whose message is one line naming the rank that failed (found
from heartbeats every rank keeps in the rendezvous store) and how to resume.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import timedelta
from typing import Any

import numpy as np

from wordvec.train.distributed.env import TorchrunEnv, require_torch, torchrun_env

logger = logging.getLogger(__name__)

#: Seconds between two heartbeats of a rank in the rendezvous store.
HEARTBEAT_SECONDS = 0.5


class RankFailure(RuntimeError):
    """A rank of the job died or stopped answering; the message is one line."""


class _Heartbeat:
    """A daemon thread that bumps this rank's counter in the store; used to tell, after a
    failed collective, which ranks are still alive."""

    def __init__(self, store: Any, rank: int) -> None:
        self.store, self.rank = store, rank
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="wordvec-heartbeat", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        key = f"hb/{self.rank}"
        while not self.stop.is_set():
            try:
                self.store.add(key, 1)
            except Exception:  # the store is gone: the failure is reported elsewhere
                return
            self.stop.wait(HEARTBEAT_SECONDS)

    def counters(self, world_size: int) -> list[int] | None:
        try:
            return [int(self.store.add(f"hb/{r}", 0)) for r in range(world_size)]
        except Exception:
            return None


class Comm:
    """One rank's handle on the job: collectives on NumPy arrays with a timeout.

    Use :meth:`start` inside a torchrun-launched process (or with the torchrun
    variables set by hand); ``Comm`` is a context manager that leaves the job on exit.

    Attributes:
        rank (int): This rank.
        world_size (int): Number of ranks.
        timeout (float): Seconds any collective may wait for the others.
        resume_hint (str): Appended to failure messages (set by the trainer, e.g. how
            to resume from its checkpoints).
    """

    def __init__(self, dist: Any, env: TorchrunEnv, timeout: float, store: Any) -> None:
        self._dist = dist
        self.env = env
        self.rank = env.rank
        self.world_size = env.world_size
        self.timeout = timeout
        self.resume_hint = "run the same command again to start over"
        self._beat = _Heartbeat(store, env.rank)
        self._failed = False

    @classmethod
    def start(cls, *, timeout: float = 300.0, env: TorchrunEnv | None = None) -> Comm:
        """Join the job (gloo over TCP) and return this rank's communicator.

        Args:
            timeout (float, default 300.0): Seconds a collective (and the rendezvous)
                waits for the other ranks before the job is declared failed.
            env (TorchrunEnv | None, default None): The identity to use; None reads the
                torchrun variables.

        Raises:
            RuntimeError: Outside a torchrun launch (see :func:`torchrun_env`).
            ImportError: If torch is not installed.
            RankFailure: If the other ranks do not join within ``timeout``.
        """
        env = torchrun_env() if env is None else env
        dist = require_torch()
        from torch.distributed.rendezvous import rendezvous

        delta = timedelta(seconds=float(timeout))
        try:
            store, rank, world = next(rendezvous("env://", timeout=delta))
            dist.init_process_group(
                "gloo", store=dist.PrefixStore("wordvec/pg", store), rank=rank,
                world_size=world, timeout=delta,
            )  # fmt: skip
        except Exception as exc:
            raise RankFailure(
                f"rank {env.rank}: could not join the job at {env.master_addr}:"
                f"{env.master_port} within {timeout:g} s ({_first_line(exc)}); check that "
                "every rank was started with the same rendezvous options."
            ) from exc
        beat_store = dist.PrefixStore(f"wordvec/{env.restart}", store)
        comm = cls(dist, env, float(timeout), beat_store)
        logger.info("rank %d of %d joined (gloo, timeout %g s)", rank, world, timeout)
        return comm

    def __enter__(self) -> Comm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Leave the job (skipped after a failure, where it could block)."""
        self._beat.stop.set()
        if not self._failed and self._dist.is_initialized():
            with contextlib.suppress(Exception):
                self._dist.destroy_process_group()

    # collectives -----------------------------------------------------------------------

    def all_reduce_(self, array: np.ndarray, op: str = "sum") -> np.ndarray:
        """Reduce ``array`` over all ranks in place (``"sum"``, ``"max"`` or ``"min"``).

        The array must be C-contiguous; torch works on its memory directly.
        """
        import torch

        ops = {"sum": self._dist.ReduceOp.SUM, "max": self._dist.ReduceOp.MAX,
               "min": self._dist.ReduceOp.MIN}  # fmt: skip
        tensor = torch.from_numpy(array)
        self._call("all_reduce", self._dist.all_reduce, tensor, op=ops[op])
        return array

    def all_reduce_ints(self, values: list[int], op: str = "sum") -> list[int]:
        """Return the reduction of a few integers over all ranks."""
        arr = np.asarray(values, dtype=np.int64)
        return self.all_reduce_(arr, op).tolist()

    def broadcast_(self, array: np.ndarray, src: int = 0) -> np.ndarray:
        """Overwrite ``array`` on every rank with rank ``src``'s (same shape everywhere)."""
        import torch

        self._call("broadcast", self._dist.broadcast, torch.from_numpy(array), src=src)
        return array

    def all_gather_bytes(self, data: bytes) -> list[bytes]:
        """Return every rank's ``data``, in rank order (sizes may differ)."""
        import torch

        sizes = np.zeros(self.world_size, dtype=np.int64)
        sizes[self.rank] = len(data)
        self.all_reduce_(sizes)
        longest = max(int(sizes.max()), 1)
        mine = np.zeros(longest, dtype=np.uint8)
        mine[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        outs = [torch.zeros(longest, dtype=torch.uint8) for _ in range(self.world_size)]
        self._call("all_gather", self._dist.all_gather, outs, torch.from_numpy(mine))
        return [o.numpy()[: int(n)].tobytes() for o, n in zip(outs, sizes)]

    def broadcast_bytes(self, data: bytes | None, src: int = 0) -> bytes:
        """Return rank ``src``'s ``data`` on every rank (others pass None)."""
        size = np.array([len(data) if self.rank == src and data else 0], dtype=np.int64)
        self.broadcast_(size, src)
        buf = np.zeros(int(size[0]), dtype=np.uint8)
        if self.rank == src and data:
            buf[:] = np.frombuffer(data, dtype=np.uint8)
        if buf.size:
            self.broadcast_(buf, src)
        return buf.tobytes()

    def barrier(self) -> None:
        """Wait until every rank gets here (within the timeout)."""
        self.all_reduce_ints([0])

    # failures --------------------------------------------------------------------------

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception as exc:
            self._failed = True
            raise RankFailure(self.failure_message(what, exc)) from exc

    def failure_message(self, what: str, exc: BaseException) -> str:
        """The one line that says which rank failed, during what, and how to resume."""
        suspects = self._silent_ranks()
        if suspects is None:
            who = (
                f"rank 0 (host of the rendezvous store {self.env.master_addr}:"
                f"{self.env.master_port}) or the network"
            )
        elif suspects:
            who = "rank " + ", ".join(str(r) for r in suspects)
        else:
            who = "another rank"
        return (
            f"rank {self.rank} of {self.world_size}: {who} died or stopped answering "
            f"during {what} ({_first_line(exc)}); the job stopped and wrote no output; "
            f"{self.resume_hint}."
        )

    def _silent_ranks(self) -> list[int] | None:
        """Ranks whose heartbeat did not move over a few beats; None if the store is gone."""
        before = self._beat.counters(self.world_size)
        if before is None:
            return None
        time.sleep(4 * HEARTBEAT_SECONDS)
        after = self._beat.counters(self.world_size)
        if after is None:
            return None
        return [r for r in range(self.world_size) if r != self.rank and after[r] == before[r]]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 160 else line[:157] + "..."


def check_same_settings(comm: Comm, settings: dict[str, Any]) -> None:
    """Raise on every rank if the ranks were started with different settings.

    Args:
        comm: The job's communicator.
        settings: This rank's JSON-serializable settings (model parameters, corpus paths).

    Raises:
        ValueError: Naming the first settings that differ and the ranks concerned.
    """
    import json

    text = json.dumps(settings, sort_keys=True, default=str)
    views = [json.loads(b.decode("utf-8")) for b in comm.all_gather_bytes(text.encode("utf-8"))]
    ref = views[0]
    for r, view in enumerate(views[1:], start=1):
        keys = sorted(k for k in set(ref) | set(view) if ref.get(k) != view.get(k))
        if keys:
            diffs = "; ".join(
                f"{k}: rank 0 has {ref.get(k)!r}, rank {r} has {view.get(k)!r}" for k in keys[:3]
            )
            raise ValueError(
                f"the ranks were started with different settings ({diffs}); start every "
                "rank with the same command line and the same corpus paths."
            )
