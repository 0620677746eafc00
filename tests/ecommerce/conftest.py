"""Helpers for the e-commerce tests: build a task of one scenario and play scripted turns."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from rlvr_envs.core.types import Task
from rlvr_envs.tasks.ecommerce import EcomFamily
from rlvr_envs.tasks.ecommerce.agents import oracle_action
from rlvr_envs.tasks.ecommerce.episode import Episode


def make_task(scenario: str, seed: int = 0, level: int = 2) -> tuple[EcomFamily, Task]:
    family = EcomFamily(scenarios=[scenario])
    task = family.generate(
        np.random.default_rng(np.random.SeedSequence([seed, level])), level, task_id=f"ecommerce:{level}:{seed:016x}"
    )
    return family, task


def discovery_episode(level: int, predicate: Callable[[Episode], bool]) -> Episode:
    """The first discovery episode at ``level`` (seeds 0-299) that ``predicate`` accepts."""
    for seed in range(300):
        family, task = make_task("discovery", seed=seed, level=level)
        episode = family.new_episode(task)
        if predicate(episode):
            return episode
    raise AssertionError("no such task")


def play_oracle(episode: Episode, until: str | None = None, limit: int = 30) -> list[str]:
    """Play the oracle; stop before the first action containing ``until`` (when given)."""
    actions = []
    for _ in range(limit):
        if episode.ended:
            break
        action = oracle_action(episode)
        if until is not None and until in action:
            break
        actions.append(action)
        episode.step(action)
    return actions


@pytest.fixture
def shop() -> tuple[EcomFamily, Task, Episode]:
    family, task = make_task("discovery", seed=3, level=4)
    return family, task, family.new_episode(task)
