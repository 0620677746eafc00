"""The contract every registered env honours (docs/env-contract.md), checked for every id.

The checks are `rlvr_envs.checks.CONFORMANCE`, the same code `rlvr-envs check ID` runs for users;
this file runs each of them for each registered id (new envs get them for free), plus a
hypothesis-driven fuzz test that searches harder than the check's fixed corpus.
"""

from __future__ import annotations

import time

import gymnasium as gym
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rlvr_envs
from rlvr_envs.checks import CONFORMANCE, Check, CheckContext, run_check

ENV_IDS = rlvr_envs.list_envs()


@pytest.fixture(params=ENV_IDS)
def env_id(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_registry_is_not_empty() -> None:
    assert "rlvr/Math-v0" in ENV_IDS


@pytest.mark.parametrize("check", CONFORMANCE, ids=[check.name for check in CONFORMANCE])
def test_conformance_check(env_id: str, check: Check) -> None:
    result = run_check(check, CheckContext(env_id=env_id))
    assert result.passed, f"{check.name} ({check.about}): {result.message}"


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
