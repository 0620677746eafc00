"""The contract every registered env honours (docs/env-contract.md), checked for every id.

New envs get these tests for free: they are parametrised over `rlvr_envs.list_envs()`.
"""

from __future__ import annotations

import json
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from gymnasium.vector.utils import iterate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rlvr_envs
from rlvr_envs.policies import oracle, random_policy, run_episode
from tests.conformance._observations import observation_key, observation_text

ENV_IDS = rlvr_envs.list_envs()
REPLAY = Path(__file__).with_name("_replay.py")
LEVELS = [0, 1, 2, 4, 6]


@pytest.fixture(params=ENV_IDS)
def env_id(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_registry_is_not_empty() -> None:
    assert "rlvr/Math-v0" in ENV_IDS


def test_passes_gymnasium_check_env(env_id: str) -> None:
    env = gym.make(env_id)
    check_env(env.unwrapped, skip_render_check=True)
    env.close()
    env.close()  # close() is idempotent


def test_info_contract_and_reward_range(env_id: str) -> None:
    env = gym.make(env_id)
    observation, info = env.reset(seed=11)
    assert env.observation_space.contains(observation)
    for key in ("task_id", "level", "turn", "messages", "tools"):
        assert key in info, f"info lacks {key!r}"
    assert info["turn"] == 0
    assert info["messages"][-1]["role"] == "user"
    done = False
    turns = 0
    while not done:
        observation, reward, terminated, truncated, info = env.step("I am not sure.")
        turns += 1
        assert -1.0 <= reward <= 1.0
        assert not (terminated and truncated), "a finished episode is terminated XOR truncated"
        assert info["turn"] == turns
        done = terminated or truncated
    assert "verdict" in info and -1.0 <= info["verdict"]["reward"] <= 1.0
    assert "internal_error" not in info["verdict"]["components"]
    # stepping a finished episode neither raises nor pays
    _, reward, terminated, _, _ = env.step("again")
    assert reward == 0.0 and terminated


def test_same_seed_same_task_and_neighbours_differ(env_id: str) -> None:
    env = gym.make(env_id)
    first, info_a = env.reset(seed=5)
    again, info_b = env.reset(seed=5)
    assert observation_key(first) == observation_key(again) and info_a["task_id"] == info_b["task_id"]
    ids = {env.reset(seed=seed)[1]["task_id"] for seed in range(40)}
    prompts = {observation_key(env.reset(seed=seed)[0]) for seed in range(40)}
    assert len(ids) == 40 and len(prompts) >= 30, "neighbouring seeds must give different tasks"


def test_seed_determinism_across_processes(env_id: str) -> None:
    seeds = ["0", "1", "7", "123456"]

    def run() -> str:
        out = subprocess.run(
            [sys.executable, str(REPLAY), env_id, *seeds], capture_output=True, text=True, check=True, timeout=120
        )
        return str(json.loads(out.stdout.strip().splitlines()[-1])["digest"])

    assert run() == run()


def test_reset_options_level_task_and_task_id(env_id: str) -> None:
    env = gym.make(env_id)
    inner = rlvr_envs.unwrap(env)
    obs, info = env.reset(seed=3, options={"level": 3})
    assert info["level"] == 3
    task = inner.task
    assert task is not None
    replay_obs, replay_info = env.reset(options={"task": task.model_dump()})
    assert observation_key(replay_obs) == observation_key(obs) and replay_info["task_id"] == task.task_id
    by_id_obs, _ = env.reset(options={"task_id": task.task_id})
    assert observation_key(by_id_obs) == observation_key(obs)
    with pytest.raises(rlvr_envs.errors.InvalidOptionError):
        env.reset(options={"levle": 2})
    with pytest.raises(rlvr_envs.errors.InvalidOptionError):
        env.reset(options={"level": -1})


def test_pickle_roundtrip_keeps_the_episode(env_id: str) -> None:
    env = gym.make(env_id)
    _obs, _ = env.reset(seed=9)
    clone = pickle.loads(pickle.dumps(env))
    assert rlvr_envs.unwrap(clone).task == rlvr_envs.unwrap(env).task
    action = rlvr_envs.unwrap(env).oracle_action()
    assert clone.step(action)[1] == env.step(action)[1]


def test_async_vector_env_with_two_workers(env_id: str) -> None:
    vec = rlvr_envs.make_vec(env_id, 2, mode="async")
    try:
        observations, _ = vec.reset(seed=21)
        singles = list(iterate(vec.observation_space, observations))
        assert len(singles) == 2 and all(vec.single_observation_space.contains(o) for o in singles)
        assert all(isinstance(observation_text(o), str) and observation_text(o) for o in singles)
        # play each worker's oracle until both first episodes end (the oracle may need several turns)
        returns = [0.0, 0.0]
        finished = [False, False]
        for _ in range(rlvr_envs.unwrap(gym.make(env_id)).max_turns):
            actions = vec.call("oracle_action")
            _, rewards, terminated, truncated, _ = vec.step(tuple(actions))
            for index in range(2):
                if not finished[index]:
                    returns[index] += float(rewards[index])
                    assert not (terminated[index] and truncated[index])
                    finished[index] = bool(terminated[index] or truncated[index])
            if all(finished):
                break
        assert finished == [True, True] and returns == [1.0, 1.0]
    finally:
        vec.close()


def test_sync_vector_env(env_id: str) -> None:
    vec = rlvr_envs.make_vec(env_id, 2, mode="sync")
    observations, _ = vec.reset(seed=1)
    _, rewards, _, _, _ = vec.step(("junk", "\\boxed{}"))
    assert len(list(iterate(vec.observation_space, observations))) == 2 and len(rewards) == 2
    vec.close()


@pytest.mark.parametrize("level", LEVELS)
def test_oracle_reaches_reward_one(env_id: str, level: int) -> None:
    env = gym.make(env_id)
    policy = oracle(env)
    for seed in range(12):
        record = run_episode(env, policy, seed=seed, options={"level": level})
        assert record.reward == pytest.approx(1.0), (record.task_id, record.messages[-2:])
        assert record.verdict is not None and record.verdict.correct


def test_random_policy_scores_well_below_oracle(env_id: str) -> None:
    env = gym.make(env_id)
    policy = random_policy(env, seed=0)
    rewards = [run_episode(env, policy, seed=seed).reward for seed in range(60)]
    assert statistics.fmean(rewards) <= 0.25, f"random text earns {statistics.fmean(rewards):.3f} on average"


def test_level_knobs_are_monotone(env_id: str) -> None:
    family = rlvr_envs.unwrap(gym.make(env_id)).family
    previous = family.knobs(0)
    grew = False
    for level in range(1, 40):
        current = family.knobs(level)
        assert current.keys() == previous.keys()
        for key, value in current.items():
            assert value >= previous[key], f"knob {key} shrinks from level {level - 1} to {level}"
            grew = grew or value > previous[key]
        previous = current
    assert grew, "no knob grows with the level"


_actions = st.one_of(
    st.text(max_size=300),
    st.builds(lambda body: f"\\boxed{{{body}}}", st.text(max_size=60)),
    st.builds(lambda body: f"<answer>{body}</answer>", st.text(max_size=60)),
    st.builds(lambda body: f"<tool_call>{body}</tool_call>", st.text(max_size=80)),
    st.sampled_from(["\\boxed{9^9^9^9}", "\\boxed{" + "(" * 5000 + "}", "\x00" * 50, "<think>" * 100, "😀" * 200]),
)


def test_fuzzed_unicode_actions_never_raise_or_hang(env_id: str) -> None:
    env = gym.make(env_id)
    env.reset(seed=0)
    task = rlvr_envs.unwrap(env).task
    assert task is not None
    limit_s = 10.0

    @settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(action=_actions)
    def one_step(action: str) -> None:
        env.reset(options={"task": task})
        start = time.perf_counter()
        _, reward, _, _, info = env.step(action)
        assert time.perf_counter() - start < limit_s
        assert -1.0 <= reward <= 1.0
        assert "internal_error" not in info.get("verdict", {}).get("components", {})

    one_step()
