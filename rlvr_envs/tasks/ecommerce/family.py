"""`EcomFamily` (rlvr/EcomDialogue-v0): a tool-using shop assistant serving a simulated customer.

A task stores two seeds, the scenario and (for reading) the hidden goal; the world is rebuilt from
the seeds, cached for the last few tasks. The episode lives in ``EpisodeState.scratch["episode"]``;
`verify` replays a transcript's assistant turns through a fresh episode, so offline scoring equals
live play.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from rlvr_envs.core.family import EpisodeState, TaskFamily, Transcript
from rlvr_envs.core.types import Feedback, Message, Task, Verdict
from rlvr_envs.tasks.ecommerce.agents import oracle_action
from rlvr_envs.tasks.ecommerce.config import EcomConfig, Scenario
from rlvr_envs.tasks.ecommerce.episode import Episode
from rlvr_envs.tasks.ecommerce.goals import Goal
from rlvr_envs.tasks.ecommerce.llm_customer import LLMSettings
from rlvr_envs.tasks.ecommerce.models import World
from rlvr_envs.tasks.ecommerce.scenarios import build
from rlvr_envs.tasks.ecommerce.tools import TOOL_SPECS
from rlvr_envs.tasks.ecommerce.verifier import judge

_CACHE_SIZE = 8


class EcomFamily(TaskFamily):
    """Multi-turn customer service with shop tools; the verdict checks the final database state."""

    name = "ecommerce"
    Config = EcomConfig
    config: EcomConfig

    def __init__(self, config: EcomConfig | None = None, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._worlds: OrderedDict[tuple[Any, ...], tuple[World, Goal]] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_worlds"] = OrderedDict()  # a cache, rebuilt on demand
        return state

    def knobs(self, level: int) -> dict[str, float]:
        return self.config.knobs(level).as_dict()

    # ---- generation -------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        scenario = self.config.scenarios[int(rng.integers(0, len(self.config.scenarios)))]
        world_seed, goal_seed, talk_seed = (int(x) for x in rng.integers(0, 2**63 - 1, size=3))
        data = {"world_seed": world_seed, "goal_seed": goal_seed, "talk_seed": talk_seed, "scenario": scenario}
        world, goal = self._world(level, data)
        episode = Episode(world, goal, talk_seed, self.config.max_silent_turns)
        knobs = self.config.knobs(level)
        return Task(
            task_id=task_id,
            family=self.name,
            level=level,
            prompt=episode.first_message,
            data={**data, "goal": goal.model_dump(mode="json")},
            metadata={
                "scenario": scenario,
                "intents": [i.kind for i in goal.intents],
                "today": world.today,
                "customer_id": world.customer.customer_id,
                "products": len(world.products),
                **knobs.as_dict(),
            },
        )

    def _world(self, level: int, data: dict[str, Any]) -> tuple[World, Goal]:
        key = (level, int(data["world_seed"]), int(data["goal_seed"]), str(data["scenario"]), self.config.catalog_cap)
        cached = self._worlds.get(key)
        if cached is None:
            scenario: Scenario = data["scenario"]
            cached = build(key[1], key[2], self.config.knobs(level), scenario)
            self._worlds[key] = cached
            while len(self._worlds) > _CACHE_SIZE:
                self._worlds.popitem(last=False)
        else:
            self._worlds.move_to_end(key)
        return cached

    def new_episode(self, task: Task, *, voiced: bool = True) -> Episode:
        """A fresh episode of ``task`` (its world rebuilt from the task's seeds).

        ``voiced=False`` uses the rule-based customer even when the config asks for an LLM voice (replay:
        the rules decide every state change, so the verdict does not depend on the model's wording).
        """
        world, goal = self._world(task.level, task.data)
        llm = None
        if voiced and self.config.customer == "llm" and self.config.customer_base_url:
            llm = LLMSettings(base_url=self.config.customer_base_url, model=self.config.customer_model)
        return Episode(world, goal, int(task.data["talk_seed"]), self.config.max_silent_turns, llm)

    # ---- protocol ---------------------------------------------------------------------------
    def system_prompt(self, task: Task) -> str | None:
        meta = task.metadata
        return (
            f"{self.config.system_prompt}\n\nToday is {meta.get('today')}. The customer's id is "
            f"{meta.get('customer_id')}; list_orders shows their orders."
        )

    def tools(self, task: Task) -> list[dict[str, Any]]:
        return TOOL_SPECS

    def _episode(self, state: EpisodeState) -> Episode:
        episode = state.scratch.get("episode")
        if not isinstance(episode, Episode):
            episode = self.new_episode(state.task)
            state.scratch["episode"] = episode
        return episode

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        episode = self._episode(state)
        outcome = episode.step(action)
        if outcome.ended:
            verdict = judge(episode, self.config.reward)
            prefix = outcome.message + "\n" if outcome.message else ""
            return verdict.model_copy(update={"reason": f"{prefix}[episode over] {verdict.reason}"})
        return Feedback(
            message=outcome.message or "(no reply)",
            role="user" if outcome.role == "user" else "tool",
            info={
                "tool_calls": episode.tool_calls,
                "invalid_calls": episode.invalid_calls,
                "patience": episode.customer.state.patience,
            },
        )

    def on_truncate(self, state: EpisodeState) -> Verdict:
        return judge(self._episode(state), self.config.reward, truncated=True)

    # ---- scoring ----------------------------------------------------------------------------
    def verify(self, task: Task, transcript: Transcript) -> Verdict:
        """Replay the transcript's assistant turns through a fresh (rule-voiced) episode and judge it."""
        episode = self.new_episode(task, voiced=False)
        actions = (
            [transcript]
            if isinstance(transcript, str)
            else [
                str(m.get("content", ""))
                for m in (x.model_dump() if isinstance(x, Message) else x for x in transcript)
                if isinstance(m, dict) and m.get("role") == "assistant"
            ]
        )
        for action in actions:
            if episode.ended:
                break
            episode.step(action)
        return judge(episode, self.config.reward, truncated=not episode.ended)

    def oracle_action(self, state: EpisodeState) -> str:
        return oracle_action(self._episode(state))
