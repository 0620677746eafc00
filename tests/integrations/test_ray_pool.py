"""`RayEnvPool` on a local Ray instance (2 CPUs): stepping, same-step autoreset, determinism, and one
curriculum actor that every worker updates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

ray = pytest.importorskip("ray")

from rlvr_envs.curriculum import Frontier  # noqa: E402
from rlvr_envs.errors import InvalidOptionError  # noqa: E402
from rlvr_envs.integrations.ray_pool import RayEnvPool  # noqa: E402

pytestmark = pytest.mark.slow  # starting Ray takes several seconds


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def test_pool_steps_oracle_and_shares_one_curriculum(local_ray: Any) -> None:
    frontier = Frontier(min_rollouts=4, threshold=0.75, window=2)
    with RayEnvPool("rlvr/Math-v0", 2, envs_per_worker=2, curriculum=frontier, num_cpus=0.5) as pool:
        assert pool.num_envs == 4 and pool.curriculum is not None
        obs, infos = pool.reset(seed=0)
        assert len(obs) == 4 and all(isinstance(o, str) and o for o in obs)
        assert len({info["task_id"] for info in infos}) == 4  # hashed per-env seeds: four different tasks
        for _ in range(3):
            obs, rewards, terminated, truncated, infos = pool.step(pool.call("oracle_action"))
            assert rewards.tolist() == [1.0] * 4 and terminated.all() and not truncated.any()
            assert all(info["final_info"]["verdict"]["correct"] for info in infos)
            assert all(info["turn"] == 0 for info in infos)  # same-step autoreset started new episodes
        state = pool.curriculum.state()
        assert state.stats["rollouts"] == 12  # every worker updated the one curriculum actor
        assert pool.curriculum.frontier() >= 1  # 4 right answers at level 0 raised it
    assert frontier.state().stats["rollouts"] == 0  # the pool copied the controller's state


def test_pool_is_deterministic_and_validates(local_ray: Any) -> None:
    with RayEnvPool("rlvr/Math-v0", 2, level=3, num_cpus=0.5) as pool:
        assert pool.curriculum is None  # a fixed level needs no curriculum actor
        first = pool.reset(seed=7)[1]
        again = pool.reset(seed=7)[1]
        assert [i["task_id"] for i in first] == [i["task_id"] for i in again]
        assert all(i["level"] == 3 for i in first)
        _, rewards, terminated, _, _ = pool.step(["not an answer", "\\boxed{}"])
        assert np.all(rewards == 0.0) and terminated.all()
        with pytest.raises(InvalidOptionError, match="expected 2"):
            pool.step(["one"])
