"""Policies: a callable ``policy(observation, info) -> str``; reference ones and how to run them.

`oracle` and `random_policy` are the reference agents for tests, baselines and `rlvr-envs check`;
`run_episode` plays one episode; `load_policy` resolves the CLI's ``--policy`` strings.
"""

from __future__ import annotations

from rlvr_envs.policies.reference import Policy, load_policy, oracle, random_policy, run_episode, skilled

__all__ = ["Policy", "load_policy", "oracle", "random_policy", "run_episode", "skilled"]
