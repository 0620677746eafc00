"""Envs built from registered ids: `make`, vector envs sharing a curriculum, and `MixtureEnv`.

``rlvr_envs/core`` defines one env (`RLVREnv`) and the registry; this package composes them.
Everything here is re-exported from ``rlvr_envs`` (``rlvr_envs.make``, ``rlvr_envs.MixtureEnv``...).
"""

from __future__ import annotations

from rlvr_envs.envs.api import list_envs, make, make_vec, unwrap, verify
from rlvr_envs.envs.mixture import MixtureEnv, register_mixture
from rlvr_envs.envs.vector import CurriculumAsyncVectorEnv, CurriculumSyncVectorEnv

__all__ = [
    "CurriculumAsyncVectorEnv",
    "CurriculumSyncVectorEnv",
    "MixtureEnv",
    "list_envs",
    "make",
    "make_vec",
    "register_mixture",
    "unwrap",
    "verify",
]
