"""MixtureEnv: episodes drawn across envs by a Mixture curriculum, updated with each episode's reward."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import rlvr_envs
from rlvr_envs import MixtureEnv
from rlvr_envs.curriculum import Mixture
from rlvr_envs.errors import InvalidOptionError

COMPONENTS = ["rlvr/Math-v0", "rlvr/MathRetry-v0"]


def test_mixture_env_plays_episodes_from_each_component_and_records_them() -> None:
    env = MixtureEnv(COMPONENTS)
    seen = set()
    for seed in range(20):
        _, info = env.reset(seed=seed)
        seen.add(info["component"])
        assert info["env_id"] == info["component"]
        _, reward, terminated, _, info = env.step(env.oracle_action())
        assert reward == 1.0 and terminated and info["component"] in COMPONENTS
    assert seen == set(COMPONENTS)
    stats = env.curriculum.state().model_dump()["stats"]["components"]
    assert sum(component["episodes"] for component in stats.values()) == 20
    env.close()


def test_mixture_env_shifts_toward_the_component_still_being_learned() -> None:
    env = MixtureEnv(COMPONENTS, curriculum={"warmup": 4, "min_share": 0.1})
    rng = np.random.default_rng(0)
    for seed in range(200):
        _, info = env.reset(seed=seed)
        # the policy has mastered Math-v0 and is half-way on MathRetry-v0
        good = info["component"] == "rlvr/Math-v0" or rng.random() < 0.5
        action = env.oracle_action() if good else "\\boxed{nope}"
        terminated = truncated = False
        while not (terminated or truncated):
            _, _, terminated, truncated, _ = env.step(action)
    assert isinstance(env.curriculum, Mixture)
    assert env.curriculum.weights()["rlvr/MathRetry-v0"] > 0.7


def test_mixture_env_options_and_errors() -> None:
    env = MixtureEnv({"rlvr/Math-v0": {"level": 3}, "rlvr/MathRetry-v0": None})
    _, info = env.reset(seed=0, options={"component": "rlvr/MathRetry-v0", "level": 5})
    assert (info["component"], info["level"]) == ("rlvr/MathRetry-v0", 5)
    infos = [env.reset(seed=seed)[1] for seed in range(40)]
    assert {info["level"] for info in infos if info["component"] == "rlvr/Math-v0"} == {3}  # gym.make override
    with pytest.raises(InvalidOptionError, match="component"):
        env.reset(seed=0, options={"level": 2})
    with pytest.raises(InvalidOptionError, match="unknown component"):
        env.reset(seed=0, options={"component": "rlvr/Nope-v0"})
    with pytest.raises(InvalidOptionError, match="at least one"):
        MixtureEnv([])
    with pytest.raises(InvalidOptionError, match="MixtureEnv"):
        gym.make("rlvr/Math-v0", curriculum=Mixture(components={"a": {}}))


def test_register_mixture_gives_it_a_gym_id() -> None:
    rlvr_envs.register_mixture("test/MathMix-v0", COMPONENTS, min_share=0.2)
    env = gym.make("test/MathMix-v0")
    _, info = env.reset(seed=3)
    assert info["component"] in COMPONENTS
    assert env.unwrapped.curriculum.params.min_share == 0.2  # type: ignore[attr-defined]
    env.close()
    gym.registry.pop("test/MathMix-v0")
