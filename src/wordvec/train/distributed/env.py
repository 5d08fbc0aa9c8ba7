"""The torchrun environment: who this process is, checked before any work starts.

``torchrun`` (and Slurm or Kubernetes launchers built on it) start one process per
rank with ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and
``MASTER_PORT`` in the environment. :func:`torchrun_env` reads and checks them, so
``distributed=True`` outside such a launch fails at once with a message that says how
to launch, and :func:`require_torch` names the extra to install when torch is absent.
Nothing here imports torch at module level.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

#: The environment variables torchrun sets for every worker.
TORCHRUN_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")

_LAUNCH_HINT = (
    "launch the job with torchrun, e.g. `torchrun --nproc-per-node 2 -m wordvec train "
    "CORPUS --distributed`, or train without distributed=True / --distributed"
)


@dataclass(frozen=True)
class TorchrunEnv:
    """The identity of one worker of a torchrun job.

    Attributes:
        rank (int): This worker, ``0 <= rank < world_size``.
        world_size (int): Number of workers in the job.
        local_rank (int): This worker on its machine.
        master_addr (str): Host of the rendezvous store.
        master_port (int): Port of the rendezvous store.
        agent_store (bool): True when torchrun's agent hosts the store (workers only
            connect to it); False when rank 0 hosts it (a plain ``env://`` launch).
        restart (int): torchrun's restart count (``--max-restarts``), 0 at first.
    """

    rank: int
    world_size: int
    local_rank: int
    master_addr: str
    master_port: int
    agent_store: bool = False
    restart: int = 0


def _int_var(env: Mapping[str, str], name: str, minimum: int) -> int:
    raw = env[name]
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"the environment variable {name}={raw!r} is not a whole number; {_LAUNCH_HINT}."
        ) from None
    if value < minimum:
        raise ValueError(
            f"the environment variable {name}={value} must be >= {minimum}; {_LAUNCH_HINT}."
        )
    return value


def torchrun_env(environ: Mapping[str, str] | None = None) -> TorchrunEnv:
    """Return this worker's :class:`TorchrunEnv`, or raise if not launched by torchrun.

    Args:
        environ (Mapping | None, default None): The environment to read; None means
            ``os.environ``.

    Raises:
        RuntimeError: If a torchrun variable is missing (the process was not launched
            by torchrun); the message names the missing variables and how to launch.
        ValueError: If a variable is malformed or ``RANK >= WORLD_SIZE``.

    >>> env = {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1",
    ...        "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}
    >>> torchrun_env(env).rank, torchrun_env(env).world_size
    (1, 2)
    >>> torchrun_env({})
    Traceback (most recent call last):
    ...
    RuntimeError: distributed training needs a torchrun launch, but RANK, WORLD_SIZE, ...
    """
    env = os.environ if environ is None else environ
    missing = [name for name in TORCHRUN_VARS if not env.get(name)]
    if missing:
        raise RuntimeError(
            f"distributed training needs a torchrun launch, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set; {_LAUNCH_HINT}."
        )
    world = _int_var(env, "WORLD_SIZE", 1)
    rank = _int_var(env, "RANK", 0)
    if rank >= world:
        raise ValueError(f"RANK={rank} must be < WORLD_SIZE={world}; {_LAUNCH_HINT}.")
    port = _int_var(env, "MASTER_PORT", 1)
    return TorchrunEnv(
        rank=rank,
        world_size=world,
        local_rank=_int_var(env, "LOCAL_RANK", 0),
        master_addr=env["MASTER_ADDR"],
        master_port=port,
        agent_store=env.get("TORCHELASTIC_USE_AGENT_STORE", "").lower() == "true",
        restart=int(env.get("TORCHELASTIC_RESTART_COUNT", "0") or 0),
    )


def require_torch() -> ModuleType:
    """Return ``torch.distributed`` with the gloo backend, or raise a clear ImportError.

    Raises:
        ImportError: If torch is not installed (names the ``distributed`` extra) or has
            no gloo backend.
    """
    try:
        import torch.distributed as dist
    except ImportError as exc:
        raise ImportError(
            "distributed training needs PyTorch (torch.distributed moves the weights); "
            'install it with `pip install "wordvec[distributed]"` (a CPU build is enough: '
            "pip install torch --index-url https://download.pytorch.org/whl/cpu)."
        ) from exc
    if not dist.is_available() or not dist.is_gloo_available():
        raise ImportError(
            "this PyTorch build has no torch.distributed gloo backend, which distributed "
            "training uses; install a standard build of torch (`pip install "
            '"wordvec[distributed]"`).'
        )
    return dist
