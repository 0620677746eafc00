"""Our clients: `RemoteEnv`, `AsyncRemoteEnv`, ``rlvr_envs.make(url=...)``; and `RLVREnv.areset/astep`."""

from __future__ import annotations

import asyncio

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.remote import AsyncRemoteEnv, RemoteEnv, RemoteError
from tests.server.conftest import Shadow


def test_sync_client_and_errors(server_url: str) -> None:
    shadow = Shadow("rlvr/EcomDialogue-v0", seed=3, options={"level": 0})
    with RemoteEnv(server_url, "rlvr/EcomDialogue-v0") as env:
        result = env.reset(seed=3, options={"level": 0})
        assert result.observation["tools"] and result.observation["task_id"] == shadow.info["task_id"]
        while not result.done:
            action = shadow.oracle()
            shadow.step(action)
            result = env.step(action)
        assert result.observation["verdict"]["correct"] is True
        with pytest.raises(RemoteError) as caught:
            env.reset(options={"level": -1})
        assert caught.value.code == "VALIDATION_ERROR"


def test_gymnasium_loop_runs_unchanged_on_the_server(server_url: str) -> None:
    env = rlvr_envs.make("rlvr/Math-v0", url=server_url.replace("http://", "ws://"))
    local = rlvr_envs.make("rlvr/Math-v0")
    assert isinstance(env, gym.Env)
    for seed in range(3):
        obs, info = env.reset(seed=seed, options={"level": 2})
        local_obs, local_info = local.reset(seed=seed, options={"level": 2})
        assert obs == local_obs and info["messages"] == local_info["messages"]
        action = rlvr_envs.unwrap(local).oracle_action()
        obs, reward, terminated, truncated, info = env.step(action)
        assert (reward, terminated, truncated) == local.step(action)[1:4]
        assert info["verdict"]["correct"] is True
    assert env.observation_space.contains(obs)
    env.close()


def test_async_client_many_sessions(server_url: str) -> None:
    async def one(seed: int) -> float:
        shadow = Shadow("rlvr/Math-v0", seed=seed, options={"level": 0})
        async with AsyncRemoteEnv(server_url, "rlvr/Math-v0") as env:
            await env.reset(seed=seed, options={"level": 0})
            result = await env.step(shadow.oracle())
            return float(result.reward or 0.0)

    async def main() -> list[float]:
        return await asyncio.gather(*(one(seed) for seed in range(40)))

    assert asyncio.run(main()) == [1.0] * 40


def test_areset_astep_match_reset_step() -> None:
    async def main() -> None:
        envs = [rlvr_envs.unwrap(rlvr_envs.make("rlvr/Math-v0")) for _ in range(16)]
        firsts = await asyncio.gather(*(env.areset(seed=i, options={"level": 1}) for i, env in enumerate(envs)))
        steps = await asyncio.gather(*(env.astep(env.oracle_action()) for env in envs))
        twin = rlvr_envs.unwrap(rlvr_envs.make("rlvr/Math-v0"))
        for i, ((obs, _), step) in enumerate(zip(firsts, steps, strict=True)):
            assert obs == twin.reset(seed=i, options={"level": 1})[0]
            assert step[1:4] == twin.step(twin.oracle_action())[1:4] == (1.0, True, False)

    asyncio.run(main())
