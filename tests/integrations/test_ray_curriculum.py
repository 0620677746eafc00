"""The curriculum actor's body without Ray: the same choices and state as a local controller, and
errors that come back as values (the Ray round trip itself is tested in test_ray_pool.py, slow)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.curriculum import Thompson
from rlvr_envs.errors import RLVRError
from rlvr_envs.integrations.ray_pool import CurriculumActorImpl, RayController


class Direct(RayController):
    """RayController with the actor called in-process instead of through ``ray.get``."""

    def _invoke(self, method: str, *wire: Any) -> Any:
        return self._actor.call(method, *wire)


def test_actor_matches_a_local_controller() -> None:
    local = Thompson(high=6)
    remote = Direct(CurriculumActorImpl(Thompson(high=6).state().model_dump()))
    rng_local, rng_remote = np.random.default_rng(3), np.random.default_rng(3)
    for step in range(200):
        level = local.sample(rng_local)
        assert remote.sample(rng_remote) == level  # the remote draw advanced our generator identically
        reward = float(step % (level + 2) == 0)
        local.update(level, reward)
        remote.update(level, reward)
    assert remote.state() == local.state()


def test_actor_rejects_unknown_methods_and_returns_errors() -> None:
    actor = CurriculumActorImpl(Thompson().state().model_dump())
    status, error, _ = actor.call("__reduce__", (), {}, {})
    assert status == "error" and isinstance(error, RLVRError)
    status, error, _ = actor.call("load_state", ({"kind": "frontier"},), {}, {})
    assert status == "error" and "frontier" in str(error)
