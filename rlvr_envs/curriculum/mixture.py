"""`Mixture`: which env (or family) next, re-weighted toward the ones the policy is still learning.

RuleReasoner-style domain-aware sampling. Each component (an env id) has its own child controller
for levels and two moving averages of its pass rate, a fast and a slow one. A component's score is
its informativeness ``4 p (1 - p)`` (1 at p = 0.5, 0 when always right or always wrong) plus
``progress_weight * |fast - slow|`` (learning progress: the pass rate is moving). Sampling weights
are proportional to the scores, with ``min_share`` of the mass spread evenly so no domain starves;
components with fewer than ``warmup`` episodes score the maximum, so each gets tried first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from rlvr_envs.curriculum.base import Choice, Controller, ControllerState, StrictModel, success
from rlvr_envs.curriculum.kinds import CONTROLLERS, build_controller
from rlvr_envs.errors import InvalidOptionError


class MixtureParams(StrictModel):
    components: dict[str, dict[str, Any]] = Field(
        min_length=1, description="component name (env id) -> its level controller table"
    )
    min_share: float = Field(default=0.1, ge=0.0, le=1.0, description="probability mass spread evenly")
    fast_rate: float = Field(default=0.1, gt=0.0, le=1.0, description="step size of the fast pass-rate average")
    slow_rate: float = Field(default=0.02, gt=0.0, le=1.0, description="step size of the slow pass-rate average")
    progress_weight: float = Field(default=4.0, ge=0.0, description="weight of learning progress in the score")
    warmup: int = Field(default=8, ge=0, description="episodes before a component's score is trusted")


class ComponentStats(StrictModel):
    episodes: int = 0
    fast: float = 0.5
    slow: float = 0.5


class MixtureStats(StrictModel):
    components: dict[str, ComponentStats] = Field(default_factory=dict)


class Mixture(Controller):
    """Chooses a component env by learning signal, then a level with that component's controller."""

    kind = "mixture"
    Params = MixtureParams
    Stats = MixtureStats
    params: MixtureParams
    stats: MixtureStats

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.children = self._build_children()

    def _build_children(self) -> dict[str, Controller]:
        return {name: build_controller(table) for name, table in self.params.components.items()}

    def weights(self) -> dict[str, float]:
        """The current probability of choosing each component."""
        names = list(self.params.components)
        scores = np.array([self._score(name) for name in names])
        even = np.full(len(names), 1.0 / len(names))
        learned = scores / scores.sum() if scores.sum() > 0 else even
        mixed = self.params.min_share * even + (1.0 - self.params.min_share) * learned
        return dict(zip(names, mixed.tolist(), strict=True))

    def choose(self, rng: np.random.Generator) -> Choice:
        weights = self.weights()
        names = list(weights)
        name = names[int(rng.choice(len(names), p=np.array(list(weights.values()))))]
        choice = self.children[name].choose(rng)
        return Choice(level=choice.level, task_id=choice.task_id, component=name)

    def sample(self, rng: np.random.Generator) -> int:
        return self.choose(rng).level

    def update(self, level: int, reward: float, task_id: str | None = None, *, component: str | None = None) -> None:
        name = self._component(component)
        self.children[name].update(level, reward, task_id)
        stats = self.stats.components.setdefault(name, ComponentStats())
        won = success(reward)
        stats.episodes += 1
        stats.fast += self.params.fast_rate * (won - stats.fast)
        stats.slow += self.params.slow_rate * (won - stats.slow)

    def state(self) -> ControllerState:
        children = {name: child.state().model_dump() for name, child in self.children.items()}
        return ControllerState(**super().state().model_dump(), children=children)

    def load_state(self, state: ControllerState | dict[str, Any]) -> None:
        data = state.model_dump() if isinstance(state, ControllerState) else dict(state)
        children = data.pop("children", {})
        super().load_state(data)
        self.children = self._build_children()  # the component table may differ from ours
        for name, child_state in children.items():
            if name in self.children:
                self.children[name].load_state(child_state)

    def reset(self) -> None:
        super().reset()
        for child in self.children.values():
            child.reset()

    def _score(self, name: str) -> float:
        stats = self.stats.components.get(name)
        if stats is None or stats.episodes < self.params.warmup:
            return 1.0 + self.params.progress_weight
        informative = 4.0 * stats.fast * (1.0 - stats.fast)
        return informative + self.params.progress_weight * abs(stats.fast - stats.slow)

    def _component(self, component: str | None) -> str:
        if component is None and len(self.children) == 1:
            return next(iter(self.children))
        if component not in self.children:
            raise InvalidOptionError(
                f"Mixture.update needs component= one of {sorted(self.children)} (the env the episode ran in), "
                f"got {component!r}; MixtureEnv passes it for you"
            )
        return component


CONTROLLERS[Mixture.kind] = Mixture  # a mixture is built from a table like any controller
