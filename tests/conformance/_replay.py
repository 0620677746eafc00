"""Run a fixed script of resets/steps on an env and print a digest (used by the two-process test)."""

from __future__ import annotations

import hashlib
import json
import sys

import gymnasium as gym

import rlvr_envs

try:
    from tests.conformance._observations import observation_key
except ImportError:  # run as a script: this folder is on sys.path
    from _observations import observation_key  # type: ignore[no-redef]


def transcript_digest(env_id: str, seeds: list[int]) -> str:
    env = gym.make(env_id)
    inner = rlvr_envs.unwrap(env)
    digest = hashlib.sha256()
    for seed in seeds:
        observation, info = env.reset(seed=seed)
        digest.update(repr((observation_key(observation), info["task_id"], info["level"], info["messages"])).encode())
        digest.update(repr(observation_key(info.get("images"))).encode())
        task = inner.task
        assert task is not None
        digest.update(task.model_dump_json().encode())
        observation, reward, terminated, truncated, info = env.step("a wrong answer: \\boxed{-12345}")
        digest.update(repr((observation_key(observation), reward, terminated, truncated)).encode())
    return digest.hexdigest()


if __name__ == "__main__":
    print(json.dumps({"digest": transcript_digest(sys.argv[1], [int(s) for s in sys.argv[2:]])}))
