"""The curriculum controller interface and the two static controllers.

A controller picks the difficulty level of the next episode and learns from finished ones:
``sample(rng) -> level`` and ``update(level, reward, task_id)``. Its state is a pydantic model so
training can save and resume it. Adaptive controllers build on the same interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class ControllerState(BaseModel):
    """Serialisable controller state (``kind`` + parameters + learned statistics)."""

    model_config = ConfigDict(extra="allow")

    kind: str


class Controller(ABC):
    """Chooses levels and learns from rewards; subclasses register themselves by ``kind``."""

    kind: ClassVar[str]

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> int:
        """The level for the next episode, drawn with ``rng`` (the env's own generator)."""

    def update(self, level: int, reward: float, task_id: str | None = None) -> None:  # noqa: B027
        """Record a finished episode; static controllers ignore it."""

    @abstractmethod
    def state(self) -> ControllerState:
        """A snapshot of everything needed to resume."""

    @abstractmethod
    def load_state(self, state: ControllerState | dict[str, Any]) -> None:
        """Restore a snapshot produced by `state`."""


class StaticController(Controller):
    """A controller fully described by a pydantic ``Params`` model (nothing learned)."""

    Params: ClassVar[type[BaseModel]]

    def __init__(self, **params: Any) -> None:
        self.params = self.Params(**params)

    def state(self) -> ControllerState:
        return ControllerState(kind=self.kind, **self.params.model_dump())

    def load_state(self, state: ControllerState | dict[str, Any]) -> None:
        data = state.model_dump() if isinstance(state, ControllerState) else dict(state)
        data.pop("kind", None)
        self.params = self.Params(**data)


class FixedParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int = Field(default=0, ge=0)


class Fixed(StaticController):
    """Always the same level."""

    kind = "fixed"
    Params = FixedParams
    params: FixedParams

    def __init__(self, level: int = 0) -> None:
        super().__init__(level=level)

    def sample(self, rng: np.random.Generator) -> int:
        return self.params.level


class UniformParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    low: int = Field(default=0, ge=0)
    high: int = Field(default=5, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> UniformParams:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Uniform(StaticController):
    """A level drawn uniformly from ``low..high`` (inclusive)."""

    kind = "uniform"
    Params = UniformParams
    params: UniformParams

    def __init__(self, low: int = 0, high: int = 5) -> None:
        super().__init__(low=low, high=high)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.params.low, self.params.high + 1))
