"""`Thompson`: VADE-style Beta posteriors, Thompson-sampled toward the most informative pass rate.

GRPO learns nothing from a group whose rollouts all succeed or all fail. The chance of such a
group is smallest when the pass rate is near 0.5, so this controller keeps a Beta posterior over
the pass rate of every level (and, with ``per_task``, of every task it has seen), draws one sample
from each, and picks the level (or task) whose draw lies closest to ``target``. Old evidence decays
toward the prior (``decay`` per finished episode, applied lazily), because the policy it describes
keeps changing. Only levels up to ``lookahead`` above the highest level known to pass at
``target`` are candidates, so untried hard levels are explored one step at a time.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from rlvr_envs.curriculum.base import Choice, Controller, StrictModel, success, touch_recent


class ThompsonParams(StrictModel):
    low: int = Field(default=0, ge=0)
    high: int = Field(default=20, ge=0)
    target: float = Field(default=0.5, gt=0.0, lt=1.0, description="the pass rate to aim for")
    decay: float = Field(default=0.999, gt=0.0, le=1.0, description="evidence kept per finished episode")
    prior_alpha: float = Field(default=1.0, gt=0.0)
    prior_beta: float = Field(default=1.0, gt=0.0)
    lookahead: int = Field(default=1, ge=0, description="untried levels above the reach that may be sampled")
    min_evidence: float = Field(default=2.0, ge=0.0, description="episodes of evidence before a level counts")
    per_task: bool = Field(default=False, description="also keep posteriors per task id and replay tasks")
    replay_share: float = Field(default=0.5, ge=0.0, le=1.0, description="share of episodes that replay a task")
    task_decay: float = Field(default=0.999, gt=0.0, le=1.0, description="per-task evidence kept per episode")
    max_tasks: int = Field(default=1024, ge=1, description="least recently updated tasks are forgotten")

    @model_validator(mode="after")
    def _ordered(self) -> ThompsonParams:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Evidence(StrictModel):
    """Decayed successes/failures at one level or task, last refreshed at episode ``stamp``."""

    wins: float = 0.0
    losses: float = 0.0
    stamp: int = 0
    level: int = 0
    rollouts: int = 0


class ThompsonStats(StrictModel):
    episodes: int = 0
    levels: dict[int, Evidence] = Field(default_factory=dict)
    tasks: dict[str, Evidence] = Field(default_factory=dict)


class Thompson(Controller):
    """Thompson sampling over per-level (and optionally per-task) Beta posteriors, aiming at ``target``."""

    kind = "thompson"
    Params = ThompsonParams
    Stats = ThompsonStats
    params: ThompsonParams
    stats: ThompsonStats

    # ---- choosing ---------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> int:
        levels = np.arange(self.params.low, self.frontier() + 1)
        alpha, beta = self._posteriors([self.stats.levels.get(int(level)) for level in levels], self.params.decay)
        return int(levels[self._closest(rng, alpha, beta)])

    def choose(self, rng: np.random.Generator) -> Choice:
        tasks = self.stats.tasks
        if self.params.per_task and tasks and rng.random() < self.params.replay_share:
            ids = list(tasks)
            alpha, beta = self._posteriors([tasks[i] for i in ids], self.params.task_decay)
            task_id = ids[self._closest(rng, alpha, beta)]
            return Choice(level=tasks[task_id].level, task_id=task_id)
        return Choice(level=self.sample(rng))

    def frontier(self) -> int:
        """The highest candidate level: ``lookahead`` above the highest level passing at ``target``."""
        params, reached = self.params, None
        for level, evidence in self.stats.levels.items():
            wins, losses = self._decayed(evidence, params.decay)
            if wins + losses >= params.min_evidence and self._mean(wins, losses) >= params.target:
                reached = level if reached is None else max(reached, level)
        base = params.low if reached is None else max(reached, params.low)
        return min(params.high, base + params.lookahead)

    def pass_rates(self) -> dict[int, float]:
        """Posterior mean pass rate of every level with evidence (for reports)."""
        return {
            level: self._mean(*self._decayed(evidence, self.params.decay))
            for level, evidence in sorted(self.stats.levels.items())
        }

    def level_summary(self) -> dict[int, tuple[int, float | None]]:
        rates = self.pass_rates()
        return {level: (self.stats.levels[level].rollouts, rate) for level, rate in rates.items()}

    # ---- learning ---------------------------------------------------------------------------
    def update(self, level: int, reward: float, task_id: str | None = None, *, component: str | None = None) -> None:
        won = success(reward)
        self.stats.episodes += 1
        self._add(self.stats.levels.setdefault(int(level), Evidence(level=int(level))), won, self.params.decay)
        if self.params.per_task and task_id is not None:
            stamp = self.stats.episodes
            evidence = touch_recent(
                self.stats.tasks, task_id, lambda: Evidence(level=int(level), stamp=stamp), self.params.max_tasks
            )
            self._add(evidence, won, self.params.task_decay)

    # ---- helpers ----------------------------------------------------------------------------
    def _add(self, evidence: Evidence, won: float, decay: float) -> None:
        evidence.wins, evidence.losses = self._decayed(evidence, decay)
        evidence.wins += won
        evidence.losses += 1.0 - won
        evidence.stamp = self.stats.episodes
        evidence.rollouts += 1

    def _decayed(self, evidence: Evidence, decay: float) -> tuple[float, float]:
        factor = decay ** (self.stats.episodes - evidence.stamp)
        return evidence.wins * factor, evidence.losses * factor

    def _posteriors(self, evidence: list[Evidence | None], decay: float) -> tuple[np.ndarray, np.ndarray]:
        alpha = np.full(len(evidence), self.params.prior_alpha)
        beta = np.full(len(evidence), self.params.prior_beta)
        for index, item in enumerate(evidence):
            if item is not None:
                wins, losses = self._decayed(item, decay)
                alpha[index] += wins
                beta[index] += losses
        return alpha, beta

    def _closest(self, rng: np.random.Generator, alpha: np.ndarray, beta: np.ndarray) -> int:
        draws = rng.beta(alpha, beta)
        return int(np.argmin(np.abs(draws - self.params.target)))

    def _mean(self, wins: float, losses: float) -> float:
        return (self.params.prior_alpha + wins) / (self.params.prior_alpha + self.params.prior_beta + wins + losses)
