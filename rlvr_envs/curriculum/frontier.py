"""`Frontier`: the RLVE rule, a difficulty frontier that moves up once the policy masters it.

Levels are sampled from the last ``window`` levels up to the frontier ``h``: uniformly, or with
``weighting = "variance"`` in proportion to ``max(floor, 4 p (1 - p))``, where ``p`` is the level's
recent pass rate (an exponential average over its last ~``memory`` episodes; 0.5 before any). A
group of rollouts carries a learning signal only when its rewards differ, which is likeliest near
``p = 0.5``; the floor keeps mastered and hopeless levels in the mix (so nothing is forgotten). Every
``min_rollouts`` finished episodes *at* ``h`` form one evaluation block: if their pass rate is at
least ``threshold`` the frontier rises by one; if ``lower_below`` is set and the pass rate falls
under it (a collapse), the frontier drops by one. Either way the block's counters restart, so each
decision rests on fresh evidence. Episodes at other levels only feed the per-level tallies.

``replay_share`` (off by default) spends that share of episodes on *replaying* a recent task whose
last outcomes were mixed (some succeeded, some failed), chosen in proportion to ``4 p (1 - p)`` of
those outcomes. A small policy is nearly deterministic per problem, so even at a level with
``p = 0.5`` most fresh groups are all-right or all-wrong; a problem that just split its group is
the likeliest to split again (Thompson's ``per_task`` does the same on a fixed dataset). Replayed
episodes never feed the frontier's decisions or the per-level pass rates: "mastered" means fresh
problems, not the ones picked for being half-solved.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from rlvr_envs.curriculum.base import Choice, Controller, LevelTally, StrictModel, success, touch_recent


class FrontierParams(StrictModel):
    low: int = Field(default=0, ge=0, description="the easiest level ever sampled")
    high: int = Field(default=1000, ge=0, description="the frontier never rises above this")
    start: int | None = Field(default=None, ge=0, description="initial frontier (default: low)")
    window: int = Field(default=4, ge=1, description="sample from the last `window` levels up to the frontier")
    threshold: float = Field(default=0.9, gt=0.0, le=1.0, description="pass rate at the frontier that raises it")
    min_rollouts: int = Field(default=128, ge=1, description="episodes at the frontier per decision")
    lower_below: float | None = Field(default=None, ge=0.0, lt=1.0, description="pass rate that lowers it")
    weighting: Literal["uniform", "variance"] = Field(
        default="uniform", description="variance: weight levels by 4p(1-p) of their recent pass rate p"
    )
    floor: float = Field(default=0.1, gt=0.0, le=1.0, description="variance weighting: the least weight of a level")
    memory: int = Field(default=256, ge=1, description="variance weighting: episodes the recent pass rate averages")
    replay_share: float = Field(
        default=0.0, ge=0.0, le=1.0, description="share of episodes that replay a recent task with mixed outcomes"
    )
    replay_tasks: int = Field(default=512, ge=1, description="replay: recent tasks remembered (least recent forgotten)")
    replay_window: int = Field(
        default=8, ge=2, description="replay: a task's latest outcomes that decide whether it is still mixed"
    )

    @model_validator(mode="after")
    def _consistent(self) -> FrontierParams:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        if self.start is not None and not self.low <= self.start <= self.high:
            raise ValueError(f"start ({self.start}) must lie in low..high ({self.low}..{self.high})")
        if self.lower_below is not None and self.lower_below >= self.threshold:
            raise ValueError(f"lower_below ({self.lower_below}) must be < threshold ({self.threshold})")
        return self


class FrontierMove(StrictModel):
    """One frontier change, for plots and the CLI: after ``rollouts`` episodes it went to ``level``."""

    rollouts: int
    level: int
    pass_rate: float


class ReplayTask(StrictModel):
    """A recently seen task: its level, latest outcomes, and whether it was ever chosen for replay."""

    level: int
    outcomes: list[float] = Field(default_factory=list)
    replayed: bool = False

    def weight(self) -> float:
        """``4 p (1 - p)`` of the latest outcomes: 0 unless they are mixed."""
        if len(self.outcomes) < 2:
            return 0.0
        p = sum(self.outcomes) / len(self.outcomes)
        return 4.0 * p * (1.0 - p)


class FrontierStats(StrictModel):
    frontier: int | None = None  # None until the first sample/update: then start (or low)
    block_rollouts: int = 0
    block_successes: float = 0.0
    rollouts: int = 0
    levels: dict[int, LevelTally] = Field(default_factory=dict)
    moves: list[FrontierMove] = Field(default_factory=list)
    recent: dict[int, float] = Field(default_factory=dict)  # exponential average of the pass rate per level
    tasks: dict[str, ReplayTask] = Field(default_factory=dict)  # replay memory, least recently updated first
    replays: int = 0  # replayed episodes chosen (reports)


class Frontier(Controller):
    """RLVE-style frontier: raise after ``min_rollouts`` at the frontier with pass rate >= ``threshold``."""

    kind = "frontier"
    Params = FrontierParams
    Stats = FrontierStats
    params: FrontierParams
    stats: FrontierStats

    def frontier(self) -> int:
        if self.stats.frontier is None:
            self.stats.frontier = self.params.start if self.params.start is not None else self.params.low
        return self.stats.frontier

    def level_summary(self) -> dict[int, tuple[int, float | None]]:
        return {level: (tally.rollouts, tally.pass_rate) for level, tally in sorted(self.stats.levels.items())}

    def choose(self, rng: np.random.Generator) -> Choice:
        """A fresh level (`sample`), or with ``replay_share`` a recent mixed task inside the window."""
        if self.params.replay_share > 0.0 and rng.random() < self.params.replay_share:
            window = self._window()
            mixed = {i: task.weight() for i, task in self.stats.tasks.items() if task.level in window}
            ids = [i for i, weight in mixed.items() if weight > 0.0]
            if ids:
                weights = np.array([mixed[i] for i in ids])
                task_id = ids[int(rng.choice(len(ids), p=weights / weights.sum()))]
                task = self.stats.tasks[task_id]
                task.replayed = True
                self.stats.replays += 1
                return Choice(level=task.level, task_id=task_id)
        return Choice(level=self.sample(rng))

    def _window(self) -> range:
        """The levels sampled now: the last ``window`` up to the frontier, never below ``low``."""
        top = self.frontier()
        return range(max(self.params.low, top - self.params.window + 1), top + 1)

    def sample(self, rng: np.random.Generator) -> int:
        window = self._window()
        if self.params.weighting == "uniform":
            return int(rng.integers(window.start, window.stop))
        levels = list(window)
        weights = np.array([w for _, w in self.weights(levels)])
        return int(levels[int(rng.choice(len(levels), p=weights / weights.sum()))])

    def weights(self, levels: list[int] | None = None) -> list[tuple[int, float]]:
        """``(level, unnormalised weight)`` of the window's levels under ``weighting = "variance"``."""
        if levels is None:
            levels = list(self._window())
        out = []
        for level in levels:
            p = self.stats.recent.get(level, 0.5)
            out.append((level, max(self.params.floor, 4.0 * p * (1.0 - p))))
        return out

    def update(self, level: int, reward: float, task_id: str | None = None, *, component: str | None = None) -> None:
        stats, top, won = self.stats, self.frontier(), success(reward)
        if self.params.replay_share > 0.0 and task_id is not None and self._remember(task_id, int(level), won):
            return  # a replayed episode: not evidence about the level's fresh problems
        stats.rollouts += 1
        tally = stats.levels.setdefault(int(level), LevelTally())
        tally.rollouts += 1
        tally.successes += won
        rate = 1.0 / min(tally.rollouts, self.params.memory)  # a plain mean until `memory` episodes, then decay
        stats.recent[int(level)] = stats.recent.get(int(level), 0.5) * (1.0 - rate) + won * rate
        if level != top:
            return
        stats.block_rollouts += 1
        stats.block_successes += won
        if stats.block_rollouts < self.params.min_rollouts:
            return
        pass_rate = stats.block_successes / stats.block_rollouts
        stats.block_rollouts, stats.block_successes = 0, 0.0
        if pass_rate >= self.params.threshold and top < self.params.high:
            self._move(top + 1, pass_rate)
        elif self.params.lower_below is not None and pass_rate < self.params.lower_below and top > self.params.low:
            self._move(top - 1, pass_rate)

    def _remember(self, task_id: str, level: int, won: float) -> bool:
        """Add the outcome to the task's replay memory; True if the task had been chosen for replay."""
        task = touch_recent(self.stats.tasks, task_id, lambda: ReplayTask(level=level), self.params.replay_tasks)
        task.outcomes = [*task.outcomes, won][-self.params.replay_window :]
        return task.replayed

    def _move(self, level: int, pass_rate: float) -> None:
        self.stats.frontier = level
        self.stats.moves.append(FrontierMove(rollouts=self.stats.rollouts, level=level, pass_rate=pass_rate))
