"""Data-parallel training on torch.distributed (gloo over TCP), launched by torchrun.

The numba kernels still train on every machine; torch.distributed only moves the
weights. The layer is generic, so any trainer plugs into it:

- :mod:`~wordvec.train.distributed.env`: the torchrun environment, checked first.
- :mod:`~wordvec.train.distributed.comm`: :class:`Comm`, the collectives on NumPy
  buffers with a timeout, failures turned into one clear line (:class:`RankFailure`).
- :mod:`~wordvec.train.distributed.shares`: each rank's share of the corpus files.
- :mod:`~wordvec.train.distributed.vocab`: the counts of all shares merged into the
  single-process vocabulary.
- :mod:`~wordvec.train.distributed.plan`: the sync cadence (rounds of words).
- :mod:`~wordvec.train.distributed.sync`: averaging the weights, checksums.
- :mod:`~wordvec.train.distributed.checkpoint`: the training state, saved and resumed.
- :mod:`~wordvec.train.distributed.run`: :class:`DistributedRun`, the engine's epoch
  hooks of a trainer made with ``distributed=True``.

A trainer plugs in by listing :data:`~wordvec.train.params.DISTRIBUTED_PARAMS` among its
parameters: ``Word2Vec(..., distributed=True).fit(paths)`` inside a torchrun-launched
process (``torchrun --nproc-per-node 2 -m wordvec train CORPUS --distributed``).

Nothing here imports torch at module level.
"""

from wordvec.train.distributed.comm import Comm, RankFailure, check_same_settings
from wordvec.train.distributed.env import TorchrunEnv, require_torch, torchrun_env
from wordvec.train.distributed.run import DistributedRun

__all__ = [
    "Comm",
    "DistributedRun",
    "RankFailure",
    "TorchrunEnv",
    "check_same_settings",
    "require_torch",
    "torchrun_env",
]
