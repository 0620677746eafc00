"""The curriculum controller interface and the two static controllers.

A controller picks the difficulty level of the next episode and learns from finished ones:
``sample(rng) -> level`` and ``update(level, reward, task_id)``. ``choose(rng)`` is the richer form
the env calls: besides a level it may name a task to replay (per-task controllers) or a component
env (mixtures). Every controller is described by a pydantic ``Params`` model (its configuration)
and, if it learns, a ``Stats`` model; `state` and `load_state` round-trip both through JSON so
training resumes exactly where it stopped.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rlvr_envs.errors import InvalidOptionError, describe_validation_error


class ControllerState(BaseModel):
    """Serialisable controller state: ``kind``, the parameters, and ``stats`` for learning controllers."""

    model_config = ConfigDict(extra="allow")

    kind: str


@dataclass(frozen=True)
class Choice:
    """What the next episode should be: a level, optionally a task to replay or a component env."""

    level: int
    task_id: str | None = None
    component: str | None = None


_Entry = TypeVar("_Entry")


def touch_recent(memory: dict[str, _Entry], key: str, make: Callable[[], _Entry], limit: int) -> _Entry:
    """``memory[key]`` (made if missing), moved last; the least recently touched beyond ``limit`` are dropped.

    Per-task controllers keep a bounded memory of recent tasks in dict order, least recent first.
    """
    entry = memory.pop(key, None)
    if entry is None:
        entry = make()
    memory[key] = entry
    while len(memory) > limit:
        del memory[next(iter(memory))]
    return entry


def success(reward: float) -> float:
    """Reward as evidence of success in [0, 1]: negatives are failures, partial credit counts partly."""
    return min(1.0, max(0.0, float(reward)))


class StrictModel(BaseModel):
    """Parameters and statistics reject unknown fields, so a typo in a spec is an error."""

    model_config = ConfigDict(extra="forbid")


class Controller(ABC):
    """Chooses levels and learns from rewards; subclasses set ``kind``, ``Params`` and maybe ``Stats``.

    Subclasses get ``self.params`` (validated) and ``self.stats`` (a fresh ``Stats()``) from this
    constructor; `reset` forgets everything learned.
    """

    kind: ClassVar[str]
    Params: ClassVar[type[BaseModel]]
    Stats: ClassVar[type[BaseModel] | None] = None

    def __init__(self, **params: Any) -> None:
        self.params = self._validate(self.Params, params, "parameters")
        self.stats: Any = self.Stats() if self.Stats is not None else None

    # ---- the interface ----------------------------------------------------------------------
    @abstractmethod
    def sample(self, rng: np.random.Generator) -> int:
        """The level for the next episode, drawn with ``rng`` (the env's own generator)."""

    def choose(self, rng: np.random.Generator) -> Choice:
        """The next episode; plain level controllers return ``Choice(sample(rng))``."""
        return Choice(level=self.sample(rng))

    def update(self, level: int, reward: float, task_id: str | None = None, *, component: str | None = None) -> None:  # noqa: B027
        """Record a finished episode (``component``: the env it ran in, for mixtures); static ones ignore it."""

    def frontier(self) -> int | None:
        """The hardest level the controller currently targets (``None`` if it has no such notion)."""
        return None

    def level_summary(self) -> dict[int, tuple[int, float | None]]:
        """``level -> (episodes recorded, estimated pass rate)`` for reports; empty if nothing is learned."""
        return {}

    def state(self) -> ControllerState:
        """A snapshot of everything needed to resume (JSON via ``.model_dump_json()``)."""
        data: dict[str, Any] = self.params.model_dump()
        if self.stats is not None:
            data["stats"] = self.stats.model_dump()
        return ControllerState(kind=self.kind, **data)

    def load_state(self, state: ControllerState | dict[str, Any]) -> None:
        """Restore a snapshot produced by `state` (of a controller of the same kind)."""
        data = state.model_dump() if isinstance(state, ControllerState) else dict(state)
        kind = data.pop("kind", self.kind)
        if kind != self.kind:
            raise InvalidOptionError(f"cannot load a {kind!r} curriculum state into a {self.kind!r} controller")
        stats = data.pop("stats", None)
        self.params = self._validate(self.Params, data, "parameters")
        if self.Stats is not None:
            self.stats = self._validate(self.Stats, stats or {}, "stats")

    def reset(self) -> None:
        """Forget everything learned (parameters stay)."""
        if self.Stats is not None:
            self.stats = self.Stats()

    def __repr__(self) -> str:
        params = ", ".join(f"{key}={value!r}" for key, value in self.params.model_dump().items())
        return f"{type(self).__name__}({params})"

    @classmethod
    def _validate(cls, model: type[BaseModel], data: dict[str, Any], what: str) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problem = describe_validation_error(exc, fields=model.model_fields)
            raise InvalidOptionError(f"{cls.kind} curriculum {what}: {problem}") from exc


class FixedParams(StrictModel):
    level: int = Field(default=0, ge=0)


class Fixed(Controller):
    """Always the same level."""

    kind = "fixed"
    Params = FixedParams
    params: FixedParams

    def __init__(self, level: int = 0) -> None:
        super().__init__(level=level)

    def sample(self, rng: np.random.Generator) -> int:
        return self.params.level


class LevelRange(StrictModel):
    """``low..high`` inclusive, validated to be ordered."""

    low: int = Field(default=0, ge=0)
    high: int = Field(default=5, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> LevelRange:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Uniform(Controller):
    """A level drawn uniformly from ``low..high`` (inclusive)."""

    kind = "uniform"
    Params = LevelRange
    params: LevelRange

    def __init__(self, low: int = 0, high: int = 5) -> None:
        super().__init__(low=low, high=high)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.params.low, self.params.high + 1))


class LevelTally(StrictModel):
    """Rollouts and summed success at one level (what `rlvr-envs curriculum` prints)."""

    rollouts: int = 0
    successes: float = 0.0

    @property
    def pass_rate(self) -> float | None:
        return self.successes / self.rollouts if self.rollouts else None
