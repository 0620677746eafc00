"""OpenEnv's own client classes (PyPI ``openenv-core``) play our envs to the oracle's reward.

``GenericEnvClient`` (async, WebSocket ``/ws``) and its ``.sync()`` wrapper ``SyncEnvClient`` are
OpenEnv's code, not ours: they fix the URL layout, the message envelope and how replies are parsed.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.server.conftest import Shadow

openenv_core = pytest.importorskip("openenv.core")
from openenv.core import GenericEnvClient  # noqa: E402

CASES = [("rlvr/Math-v0", "Math-v0", 2), ("rlvr/Code-v0", "Code-v0", 0), ("rlvr/EcomDialogue-v0", "EcomDialogue-v0", 1)]


@pytest.mark.parametrize(("env_id", "key", "level"), CASES)
def test_sync_client_reaches_the_oracle_reward(server_url: str, env_id: str, key: str, level: int) -> None:
    shadow = Shadow(env_id, seed=11, options={"level": level})
    with GenericEnvClient(base_url=f"{server_url}/envs/{key}").sync() as client:
        result = client.reset(seed=11, level=level)  # OpenEnv sends kwargs as the reset data
        assert result.observation["task_id"] == shadow.info["task_id"]
        assert result.observation["text"] == shadow.obs
        total, local_total = 0.0, 0.0
        for _ in range(50):
            action = shadow.oracle()
            _, local_reward, terminated, truncated, _ = shadow.step(action)
            local_total += local_reward
            result = client.step({"text": action})
            total += float(result.reward or 0.0)
            if result.done:
                break
        assert result.done and (terminated or truncated)
        verdict = result.observation["verdict"]
        assert verdict["correct"] is True and verdict["components"]
        assert total == pytest.approx(local_total) and total > 0.99
        state = client.state()
        assert state["step_count"] >= 1 and state["done"] is True


def test_async_client_episodes_in_parallel(server_url: str) -> None:
    async def one(seed: int) -> float:
        shadow = Shadow("rlvr/Math-v0", seed=seed, options={"level": 1})
        async with GenericEnvClient(base_url=f"{server_url}/envs/Math-v0") as client:
            await client.reset(seed=seed, options={"level": 1})
            result = await client.step({"text": shadow.oracle()})
            assert result.done
            return float(result.reward or 0.0)

    async def main() -> list[float]:
        return await asyncio.gather(*(one(seed) for seed in range(8)))

    assert asyncio.run(main()) == [1.0] * 8


def test_openenv_client_sees_error_codes(server_url: str) -> None:
    with GenericEnvClient(base_url=f"{server_url}/envs/Math-v0").sync() as client:
        with pytest.raises(RuntimeError, match="SESSION_ERROR"):
            client.step({"text": "\\boxed{1}"})  # no reset yet
        with pytest.raises(RuntimeError, match="VALIDATION_ERROR"):
            client.reset(seed=-1)
        with pytest.raises(RuntimeError, match="VALIDATION_ERROR"):
            client.step({"message": "wrong field"})
        result = client.reset(seed=0)  # the session is still usable
        assert not result.done and result.observation["text"]
