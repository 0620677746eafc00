"""Reference policies for tests, baselines and sanity checks: an oracle and a random agent.

A policy is any callable ``policy(observation, info) -> str``. `run_episode` plays one episode
and returns an `EpisodeRecord`; `load_policy` resolves the CLI's ``--policy`` strings.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from rlvr_envs.core.types import EpisodeRecord, Verdict
from rlvr_envs.envs.api import unwrap
from rlvr_envs.errors import InvalidOptionError, suggest

Policy = Callable[[Any, dict[str, Any]], str]

_WORDS = ["the", "answer", "is", "maybe", "x", "=", "so", "therefore", "\\frac{1}{2}", "yes", "no", "π", "∑"]


def _remote(env: gym.Env[Any, Any]) -> Any:
    """The `RemoteGymEnv` under ``env`` (from ``rlvr_envs.make(id, url=...)``), else ``None``."""
    module = sys.modules.get("rlvr_envs.remote.gym_env")  # loaded whenever such an env exists
    inner = env.unwrapped
    return inner if module is not None and isinstance(inner, module.RemoteGymEnv) else None


def oracle(env: gym.Env[Any, Any]) -> Policy:
    """A policy that knows the task: it plays the family's reward-1 action every turn.

    For an env on a server the task is not here: a `RemoteOracle` rebuilds it from its task id.
    """
    remote = _remote(env)
    if remote is not None:
        from rlvr_envs.remote.oracle import RemoteOracle

        return RemoteOracle(remote.env_id, remote.url)
    inner = unwrap(env)
    return lambda observation, info: inner.oracle_action()


def random_policy(env: gym.Env[Any, Any], seed: int | None = None) -> Policy:
    """A policy that answers with random numbers, random words and random tool calls.

    It is the floor every env must sit well above with its oracle: if random text scores
    close to the oracle, the verifier is too lenient.
    """
    rng = np.random.default_rng(seed)

    def act(observation: Any, info: dict[str, Any]) -> str:
        choice = int(rng.integers(0, 4))
        if choice == 0:
            return f"\\boxed{{{int(rng.integers(-10, 11))}}}"
        if choice == 1:
            return " ".join(str(w) for w in rng.choice(_WORDS, size=int(rng.integers(1, 12))))
        tools = info.get("tools") or []
        if choice == 2 and tools:
            tool = tools[int(rng.integers(0, len(tools)))]
            name = tool.get("function", tool).get("name", "tool")
            call = {"name": name, "arguments": {"query": str(rng.integers(0, 100))}}
            return f"<tool_call>{json.dumps(call)}</tool_call>"
        return f"<answer>{int(rng.integers(0, 100))}</answer>"

    return act


def skilled(env: gym.Env[Any, Any], skill: float, *, slope: float = 1.5, seed: int | None = None) -> Policy:
    """A scripted learner stand-in: right with probability ``sigmoid(slope * (skill - level))``.

    It plays the oracle's action when it "knows" the answer and a wrong one otherwise, so an env's
    curriculum can be exercised end to end without a model (``--policy skill:3.5`` on the CLI).
    """
    if _remote(env) is not None:
        raise InvalidOptionError(
            f"policy skill:{skill:g} needs the env in this process; against a server use oracle, random or python:..."
        )
    inner = unwrap(env)
    rng = np.random.default_rng(seed)

    def act(observation: Any, info: dict[str, Any]) -> str:
        knows = rng.random() < 1.0 / (1.0 + np.exp(-slope * (skill - float(info.get("level", 0)))))
        return inner.oracle_action() if knows else "<answer>I do not know</answer> \\boxed{?}"

    return act


def load_policy(name: str, env: gym.Env[Any, Any], *, seed: int | None = None) -> Policy:
    """Resolve ``oracle``, ``random``, ``skill:S`` or ``python:module:function`` (a factory taking the env)."""
    if name == "oracle":
        return oracle(env)
    if name.startswith("skill:"):
        try:
            skill = float(name[len("skill:") :])
        except ValueError as exc:
            raise InvalidOptionError(f"policy {name!r}: the skill must be a number, e.g. 'skill:3.5'") from exc
        return skilled(env, skill, seed=seed)
    if name == "random":
        return random_policy(env, seed=seed)
    if name.startswith("python:"):
        module_name, _, attr = name[len("python:") :].partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError, ValueError) as exc:
            raise InvalidOptionError(f"cannot load policy {name!r}: {exc}") from exc
        policy = factory(env)
        if not callable(policy):
            raise InvalidOptionError(f"{name!r} must return a callable policy(observation, info) -> str")
        return policy  # type: ignore[no-any-return]
    hint = suggest(name, ["oracle", "random"])
    raise InvalidOptionError(
        f"unknown policy {name!r}: use 'oracle', 'random', 'skill:S' or 'python:module:function'.{hint}"
    )


def run_episode(
    env: gym.Env[Any, Any],
    policy: Policy,
    *,
    seed: int | None = None,
    options: dict[str, Any] | None = None,
) -> EpisodeRecord:
    """Play one episode of ``env`` with ``policy`` and return its record."""
    start = time.perf_counter()
    observation, info = env.reset(seed=seed, options=options)
    total = 0.0
    terminated = truncated = False
    while not (terminated or truncated):
        action = policy(observation, info)
        observation, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
    verdict = info.get("verdict")
    return EpisodeRecord(
        env_id=getattr(env.unwrapped, "env_id", None) or unwrap(env).env_id,  # a remote env has one too
        task_id=info["task_id"],
        level=info["level"],
        seed=seed,
        messages=info["messages"],
        reward=total,
        verdict=Verdict.model_validate(verdict) if verdict is not None else None,
        turns=info["turn"],
        terminated=terminated,
        truncated=truncated,
        elapsed_s=time.perf_counter() - start,
    )
