"""Does an adaptive curriculum help GRPO? Synthetic learners, a real-env run, metrics, plot and report.

GRPO learns only from groups whose rollouts disagree: a group of G rollouts of one task that are all
right or all wrong has zero reward variance, hence zero advantage and no gradient. A curriculum
earns its keep by choosing levels where the policy is uncertain. This module measures that.

The synthetic learner (`LearnerProfile`) has one number, its skill ``s``. At level ``L`` a rollout
succeeds with probability ``sigmoid(k * (s - L))``, so ``s`` is the level it passes half the time.
Training proceeds in GRPO steps: the controller picks ``B`` groups (one ``choose`` per group), each
group is ``G`` Bernoulli rollouts of the same level, every rollout is reported with ``update``, and
then ``s += lr * mean_over_groups(std(group rewards))`` (population sd, so a zero-variance group
adds nothing and a 4/8 group adds ``0.5``). An optional cap models a learner that plateaus.

The same loop drives the real env (`rlvr/Math-v0`) with a scripted policy that plays the oracle's
answer with that probability and a wrong answer otherwise, in the two wiring modes: the trainer
runs the controller and passes ``options={"level": L}`` (`TrainerDrivenGroups`), or the envs share
the controller and pick the level themselves (`EnvDrivenGroups`).
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import platform
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import gymnasium as gym
import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from tqdm import tqdm

from rlvr_envs.curriculum import Controller, build_controller

T = TypeVar("T")
Mode = Literal["trainer", "env"]
MAX_ZERO_VAR_SHARE = 0.20  # the targets
MAX_ZERO_VAR_RATIO = 0.50


# ---- learners and controllers --------------------------------------------------------------
@dataclass(frozen=True)
class LearnerProfile:
    """A synthetic policy: pass rate ``sigmoid(slope * (skill - level))``, skill grows from informative groups."""

    name: str
    initial_skill: float = 0.5
    slope: float = 1.0
    learning_rate: float = 0.15
    skill_cap: float | None = None
    description: str = ""

    def pass_rate(self, skill: float, levels: np.ndarray | int) -> np.ndarray:
        """Success probability at each level; ``skill`` is the level passed half the time."""
        gap: np.ndarray = skill - np.asarray(levels, dtype=float)
        rate: np.ndarray = 1.0 / (1.0 + np.exp(-self.slope * gap))
        return rate

    def learn(self, skill: float, rewards: np.ndarray) -> float:
        """One GRPO update: zero-variance groups carry no advantage, so only within-group spread teaches."""
        skill += self.learning_rate * float(group_spread(rewards).mean())
        return skill if self.skill_cap is None else min(skill, self.skill_cap)


def group_spread(rewards: np.ndarray) -> np.ndarray:
    """Population sd of each group's success (rows are groups): 0 exactly for all-right/all-wrong groups."""
    spread: np.ndarray = np.clip(np.asarray(rewards, dtype=float), 0.0, 1.0).std(axis=1)
    return spread


PROFILES: tuple[LearnerProfile, ...] = (
    LearnerProfile("steady", description="reference learner"),
    LearnerProfile("fast", learning_rate=0.30, description="learns twice as fast"),
    LearnerProfile("slow", learning_rate=0.075, description="learns half as fast"),
    LearnerProfile("shallow", slope=0.5, description="pass rate falls slowly with level"),
    LearnerProfile("sharp", slope=2.0, description="pass rate falls steeply with level"),
    LearnerProfile("head-start", initial_skill=6.0, description="already passes level 6 half the time"),
    LearnerProfile("plateau", skill_cap=8.0, description="skill capped at 8: level 10 is out of reach"),
)


@dataclass(frozen=True)
class ControllerSpec:
    """A named controller configuration (the table ``build_controller`` takes)."""

    name: str
    config: dict[str, Any]
    adaptive: bool

    def build(self) -> Controller:
        """A fresh controller, so runs never share learned state."""
        return build_controller(dict(self.config))


CONTROLLERS: tuple[ControllerSpec, ...] = (
    ControllerSpec("uniform", {"kind": "uniform", "low": 0, "high": 20}, adaptive=False),
    ControllerSpec("fixed-5", {"kind": "fixed", "level": 5}, adaptive=False),
    # the RLVE rule with RLVE's own numbers (the Frontier class defaults)
    ControllerSpec("frontier-rlve", {"kind": "frontier", "low": 0, "high": 20}, adaptive=True),
    # the frontier as rlvr/MathRetry-v0 configures it: a narrower window that moves sooner
    ControllerSpec(
        "frontier",
        {"kind": "frontier", "low": 0, "high": 20, "window": 2, "threshold": 0.75, "min_rollouts": 64},
        adaptive=True,
    ),
    # Thompson with the library defaults (as rlvr/Math-v0 uses it)
    ControllerSpec("thompson", {"kind": "thompson", "low": 0, "high": 20}, adaptive=True),
    # sensitivity: evidence forgotten five times faster (half-life ~2 GRPO steps of 64 episodes)
    ControllerSpec("thompson-d995", {"kind": "thompson", "low": 0, "high": 20, "decay": 0.995}, adaptive=True),
)
DEFAULT_CONTROLLERS = ("frontier", "thompson")  # the configurations our specs ship; they must meet the targets


# ---- configuration and results -------------------------------------------------------------
class SimulationConfig(BaseModel):
    """GRPO shape and budget of the synthetic runs; every controller gets the same rollout budget."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group_size: int = Field(default=8, ge=1, description="G: rollouts per group (one level per group)")
    groups_per_step: int = Field(default=8, ge=1, description="B: groups per GRPO step, one choose() each")
    steps: int = Field(default=400, ge=1, description="GRPO steps per run")
    target_level: float = Field(default=10, description="'reached' when skill >= this (pass rate there >= 0.5)")
    top_level: float = Field(default=20, description="the hardest level the controllers offer")
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)

    @property
    def rollouts_per_step(self) -> int:
        return self.group_size * self.groups_per_step

    @property
    def budget(self) -> int:
        return self.steps * self.rollouts_per_step


@dataclass
class RunResult:
    """The trajectory of one run: levels and within-group spread per group, skill after every step."""

    controller: str
    profile: str
    seed: int
    rollouts_per_step: int
    target_level: float
    top_level: float
    levels: np.ndarray  # (steps, B) level of each group
    spread: np.ndarray  # (steps, B) population sd of each group's success
    skill: np.ndarray  # (steps + 1,) skill before the first step, then after each step
    wall_s: float = 0.0

    @property
    def budget(self) -> int:
        return int(self.levels.shape[0]) * self.rollouts_per_step

    @property
    def zero_var(self) -> np.ndarray:
        """(steps, B) True where every rollout of the group agreed."""
        return np.asarray(self.spread == 0.0)

    @property
    def learning(self) -> np.ndarray:
        """(steps,) True while the learner is below the top level, i.e. some level can still teach it."""
        return self.skill[:-1] < self.top_level

    @property
    def zero_var_share(self) -> float:
        """Zero-variance share over the steps taken while the env still had a level above the learner.

        Once the skill passes the top level every group is all-right under any controller; counting
        those steps would penalise the controllers that taught fastest.
        """
        rows = self.zero_var[self.learning]
        return float(rows.mean()) if rows.size else float("nan")

    @property
    def zero_var_share_all(self) -> float:
        return float(self.zero_var.mean())

    @property
    def rollouts_to_target(self) -> int | None:
        """Rollouts spent when the skill first reached ``target_level`` (``None``: not within the budget)."""
        hits = np.flatnonzero(self.skill[1:] >= self.target_level)
        return int(hits[0] + 1) * self.rollouts_per_step if hits.size else None

    @property
    def final_skill(self) -> float:
        return float(self.skill[-1])


# ---- the GRPO loop ---------------------------------------------------------------------------
class GroupSource(Protocol):
    """Plays one GRPO step: returns the level (B,) and rewards (B, G) of every group.

    The controller must have seen every rollout by the time it returns.
    """

    def play_step(self, skill: float) -> tuple[np.ndarray, np.ndarray]: ...


def choose_levels(controller: Controller, rng: np.random.Generator, groups: int) -> np.ndarray:
    """One ``choose`` per group, all before any update, as a trainer building a batch does."""
    return np.array([controller.choose(rng).level for _ in range(groups)], dtype=int)


def report_rewards(
    controller: Controller, levels: np.ndarray, rewards: np.ndarray, task_ids: Sequence[str | None] | None = None
) -> None:
    """Tell the controller about every rollout (not one summary per group): that is what envs do."""
    for index, (level, row) in enumerate(zip(levels, rewards, strict=True)):
        task_id = task_ids[index] if task_ids is not None else None
        for reward in row:
            controller.update(int(level), float(reward), task_id)


def train(source: GroupSource, profile: LearnerProfile, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``steps`` GRPO steps; returns levels (steps, B), spreads (steps, B) and skill (steps + 1,)."""
    skill = profile.initial_skill
    levels, spreads, skills = [], [], [skill]
    for _ in range(steps):
        step_levels, rewards = source.play_step(skill)
        levels.append(step_levels)
        spreads.append(group_spread(rewards))
        skill = profile.learn(skill, rewards)
        skills.append(skill)
    return np.array(levels, dtype=int), np.array(spreads), np.array(skills)


def _stream(*names: str) -> int:
    """A stable integer per name, so seeds differ across profiles but not across controllers."""
    return zlib.crc32("/".join(names).encode())


class SimulatedGroups:
    """Bernoulli rollouts of the synthetic learner at the controller's levels."""

    def __init__(self, controller: Controller, profile: LearnerProfile, config: SimulationConfig, seed: int) -> None:
        self.controller, self.profile, self.config = controller, profile, config
        self.choose_rng = np.random.default_rng([seed, _stream(profile.name), 0])
        # common random numbers: every controller sees the same uniforms for the same profile and seed
        self.outcome_rng = np.random.default_rng([seed, _stream(profile.name), 1])

    def play_step(self, skill: float) -> tuple[np.ndarray, np.ndarray]:
        levels = choose_levels(self.controller, self.choose_rng, self.config.groups_per_step)
        shape = (self.config.groups_per_step, self.config.group_size)
        rewards = (self.outcome_rng.random(shape) < self.profile.pass_rate(skill, levels)[:, None]).astype(float)
        report_rewards(self.controller, levels, rewards)
        return levels, rewards


def simulate(spec: ControllerSpec, profile: LearnerProfile, config: SimulationConfig, seed: int) -> RunResult:
    """One synthetic run of ``config.steps`` GRPO steps under ``spec``."""
    start = time.perf_counter()
    source = SimulatedGroups(spec.build(), profile, config, seed)
    levels, spread, skill = train(source, profile, config.steps)
    return RunResult(
        controller=spec.name,
        profile=profile.name,
        seed=seed,
        rollouts_per_step=config.rollouts_per_step,
        target_level=config.target_level,
        top_level=config.top_level,
        levels=levels,
        spread=spread,
        skill=skill,
        wall_s=time.perf_counter() - start,
    )


def _simulate_job(job: tuple[ControllerSpec, LearnerProfile, SimulationConfig, int]) -> RunResult:
    return simulate(*job)


def parallel_map(fn: Callable[[Any], T], jobs: Sequence[Any], *, workers: int, progress: str | None) -> list[T]:
    """``fn`` over ``jobs`` in input order; spawned processes when ``workers > 1`` (runs are independent).

    Spawn, not fork: the parent may hold verifier threads and locks that a fork would copy mid-use.
    """
    bar = tqdm(total=len(jobs), desc=progress, disable=progress is None, leave=False)
    results: dict[int, T] = {}
    if workers <= 1:
        for index, job in enumerate(jobs):
            results[index] = fn(job)
            bar.update()
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(fn, job): index for index, job in enumerate(jobs)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                bar.update()
    bar.close()
    return [results[index] for index in range(len(jobs))]


def run_simulation(
    config: SimulationConfig,
    controllers: Sequence[ControllerSpec] = CONTROLLERS,
    profiles: Sequence[LearnerProfile] = PROFILES,
    *,
    workers: int = 1,
    progress: bool = False,
) -> list[RunResult]:
    """Every controller x profile x seed, each with the same rollout budget."""
    jobs = [(spec, profile, config, seed) for spec in controllers for profile in profiles for seed in config.seeds]
    return parallel_map(_simulate_job, jobs, workers=workers, progress="simulation" if progress else None)


# ---- summaries and targets -----------------------------------------------------------------
OVERALL = "overall"


def mean_sd(values: Iterable[float]) -> tuple[float, float]:
    """Mean and sample sd (0 for a single value, NaN for none)."""
    data = np.asarray(list(values), dtype=float)
    if data.size == 0:
        return float("nan"), float("nan")
    return float(data.mean()), float(data.std(ddof=1)) if data.size > 1 else 0.0


@dataclass(frozen=True)
class Summary:
    """Metrics of one controller on one profile (or ``overall``), over seeds."""

    controller: str
    profile: str
    runs: int
    budget: int
    zero_var: tuple[float, float]
    zero_var_all: tuple[float, float]
    reached: int
    to_target: tuple[float, float]  # over the runs that reached the target
    to_target_censored: float  # mean with "not reached" counted as the budget: a lower bound
    final_skill: tuple[float, float]


def summarize_runs(runs: Sequence[RunResult], controller: str, profile: str) -> Summary:
    """Aggregate runs; "not reached" stays visible in ``reached`` and only enters the censored mean."""
    hits = [run.rollouts_to_target for run in runs]
    budget = max(run.budget for run in runs)
    return Summary(
        controller=controller,
        profile=profile,
        runs=len(runs),
        budget=budget,
        zero_var=mean_sd(run.zero_var_share for run in runs),
        zero_var_all=mean_sd(run.zero_var_share_all for run in runs),
        reached=sum(hit is not None for hit in hits),
        to_target=mean_sd(hit for hit in hits if hit is not None),
        to_target_censored=float(np.mean([budget if hit is None else hit for hit in hits])),
        final_skill=mean_sd(run.final_skill for run in runs),
    )


def summarize(results: Sequence[RunResult]) -> dict[tuple[str, str], Summary]:
    """Per (controller, profile) and per (controller, ``overall``), in first-seen order."""
    groups: dict[tuple[str, str], list[RunResult]] = {}
    for run in results:
        groups.setdefault((run.controller, run.profile), []).append(run)
        groups.setdefault((run.controller, OVERALL), []).append(run)
    return {key: summarize_runs(runs, *key) for key, runs in groups.items()}


@dataclass(frozen=True)
class TargetVerdict:
    """The issue's three targets for one adaptive controller against the baseline (Uniform)."""

    controller: str
    zero_var: float
    baseline_zero_var: float
    zero_var_ok: bool  # <= MAX_ZERO_VAR_SHARE
    ratio_ok: bool  # <= MAX_ZERO_VAR_RATIO x baseline
    faster_ok: bool
    faster_detail: str

    @property
    def met(self) -> bool:
        return self.zero_var_ok and self.ratio_ok and self.faster_ok


def faster_than(summaries: dict[tuple[str, str], Summary], controller: str, baseline: str) -> tuple[bool, str]:
    """Reaches the target level in fewer rollouts than ``baseline`` on every profile where either reaches it.

    Per profile: at least as many seeds reach it, and the censored mean (not reached = budget) is lower.
    Counting a miss as the budget flatters whoever missed, so a win over a baseline that missed is safe.
    """
    wins, compared, losses = 0, 0, []
    profiles = [profile for (name, profile) in summaries if name == controller and profile != OVERALL]
    for profile in profiles:
        mine, theirs = summaries[(controller, profile)], summaries[(baseline, profile)]
        if mine.reached == 0 and theirs.reached == 0:
            continue
        compared += 1
        if mine.reached >= theirs.reached and mine.to_target_censored < theirs.to_target_censored:
            wins += 1
        else:
            losses.append(profile)
    detail = f"faster on {wins}/{compared} profiles where level 10 was reached"
    if losses:
        detail += f" (not faster: {', '.join(losses)})"
    return compared > 0 and wins == compared, detail


def check_targets(
    summaries: dict[tuple[str, str], Summary], controllers: Sequence[ControllerSpec], baseline: str = "uniform"
) -> list[TargetVerdict]:
    """A verdict per adaptive controller on the overall zero-variance share and per-profile speed."""
    base = summaries[(baseline, OVERALL)].zero_var[0]
    verdicts = []
    for spec in controllers:
        if not spec.adaptive:
            continue
        share = summaries[(spec.name, OVERALL)].zero_var[0]
        faster, detail = faster_than(summaries, spec.name, baseline)
        verdicts.append(
            TargetVerdict(
                controller=spec.name,
                zero_var=share,
                baseline_zero_var=base,
                zero_var_ok=share <= MAX_ZERO_VAR_SHARE,
                ratio_ok=share <= MAX_ZERO_VAR_RATIO * base,
                faster_ok=faster,
                faster_detail=detail,
            )
        )
    return verdicts


# ---- the real env --------------------------------------------------------------------------
class RealEnvConfig(BaseModel):
    """The end-to-end run: a scripted learner on a real env, small enough for a benchmark budget."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    env_id: str = "rlvr/Math-v0"
    group_size: int = Field(default=8, ge=1)
    groups_per_step: int = Field(default=8, ge=1)
    steps: int = Field(default=60, ge=1)
    seed: int = 0
    initial_skill: float = 0.5
    slope: float = 1.0
    learning_rate: float = Field(default=0.5, description="faster than the simulation's, so a short run moves")
    target_level: float = 10
    top_level: float = 20
    wrong_answer: str = "\\boxed{not-an-answer}"

    def learner(self) -> LearnerProfile:
        return LearnerProfile(
            "scripted", initial_skill=self.initial_skill, slope=self.slope, learning_rate=self.learning_rate
        )


@dataclass
class WiringChecks:
    """Counts that must stay zero if the curriculum is wired through the env correctly."""

    level_mismatches: int = 0  # trainer mode: the env built a task at another level than asked
    split_groups: int = 0  # a group whose rollouts were not all the same task


class ScriptedPolicy:
    """Plays the env's oracle answer with probability ``pass_rate(skill, level)``, else a wrong answer."""

    def __init__(self, profile: LearnerProfile, wrong_answer: str, rng: np.random.Generator) -> None:
        self.profile, self.wrong_answer, self.rng = profile, wrong_answer, rng
        self.episodes = 0
        self.oracle_rejected = 0  # the env scored its own oracle answer below 1: reward noise to report

    def play(self, env: gym.Env[Any, Any], level: int, skill: float) -> float:
        """One single-turn episode on the env's current task; returns its reward."""
        knows = bool(self.rng.random() < self.profile.pass_rate(skill, level))
        action = env.unwrapped.oracle_action() if knows else self.wrong_answer  # type: ignore[attr-defined]
        _, raw_reward, terminated, truncated, _ = env.step(action)
        if not (terminated or truncated):
            raise RuntimeError(f"{env.spec.id if env.spec else env} is not single-turn; the scripted policy is")
        reward = float(raw_reward)
        self.episodes += 1
        self.oracle_rejected += int(knows and reward < 1.0)
        return reward


class _EnvGroups:
    """Shared state of the two real-env modes: group seeds, the policy and the wiring counters."""

    def __init__(self, controller: Controller, config: RealEnvConfig) -> None:
        self.controller, self.config = controller, config
        self.policy = ScriptedPolicy(config.learner(), config.wrong_answer, np.random.default_rng([config.seed, 1]))
        self.checks = WiringChecks()
        self._groups_started = 0

    def _group_seed(self) -> int:
        """A fresh reset seed per group; the same seed for a group's rollouts means the same problem."""
        self._groups_started += 1
        return self.config.seed * 1_000_003 + self._groups_started


class TrainerDrivenGroups(_EnvGroups):
    """The trainer runs the controller and passes each level with ``reset(seed, options={"level": L})``."""

    def __init__(self, controller: Controller, config: RealEnvConfig) -> None:
        super().__init__(controller, config)
        self.env = gym.make(config.env_id)  # its own default curriculum is overridden by options["level"]
        self.choose_rng = np.random.default_rng([config.seed, 0])

    def play_step(self, skill: float) -> tuple[np.ndarray, np.ndarray]:
        config = self.config
        levels = choose_levels(self.controller, self.choose_rng, config.groups_per_step)
        rewards = np.zeros((config.groups_per_step, config.group_size))
        task_ids: list[str | None] = []
        for index, level in enumerate(levels):
            seed, seen = self._group_seed(), set()
            for rollout in range(config.group_size):
                _, info = self.env.reset(seed=seed, options={"level": int(level)})
                self.checks.level_mismatches += int(info["level"] != level)
                seen.add(info["task_id"])
                rewards[index, rollout] = self.policy.play(self.env, int(level), skill)
            self.checks.split_groups += int(len(seen) != 1)
            task_ids.append(next(iter(seen)))
        report_rewards(self.controller, levels, rewards, task_ids)
        return levels, rewards


class EnvDrivenGroups(_EnvGroups):
    """``B`` envs share one controller (as in ``SyncVectorEnv``): each picks its group's level on reset
    and reports every finished episode itself; a group replays its first task by ``task_id``.
    """

    def __init__(self, controller: Controller, config: RealEnvConfig) -> None:
        super().__init__(controller, config)
        self.envs = [gym.make(config.env_id, curriculum=controller) for _ in range(config.groups_per_step)]
        for env in self.envs:
            if env.unwrapped.curriculum is not controller:  # type: ignore[attr-defined]
                raise RuntimeError("gym.make did not install the shared controller")

    def play_step(self, skill: float) -> tuple[np.ndarray, np.ndarray]:
        config = self.config
        firsts = [env.reset(seed=self._group_seed())[1] for env in self.envs]  # every choice before any update
        rewards = np.zeros((config.groups_per_step, config.group_size))
        for index, (env, first) in enumerate(zip(self.envs, firsts, strict=True)):
            for rollout in range(config.group_size):
                if rollout:
                    _, info = env.reset(options={"task_id": first["task_id"]})
                    self.checks.split_groups += int(info["task_id"] != first["task_id"])
                rewards[index, rollout] = self.policy.play(env, int(first["level"]), skill)
        return np.array([first["level"] for first in firsts], dtype=int), rewards


@dataclass
class RealEnvResult:
    """One real-env run, with what the controller itself counted (to check the wiring)."""

    mode: Mode
    run: RunResult
    episodes: int
    controller_episodes: int | None  # episodes the controller says it saw (None: it keeps no count)
    frontier: int | None
    checks: WiringChecks = field(default_factory=WiringChecks)
    oracle_rejected: int = 0


def controller_episodes(controller: Controller) -> int | None:
    """Episodes a learning controller has recorded (Frontier: ``rollouts``, Thompson: ``episodes``)."""
    stats = getattr(controller, "stats", None)
    for name in ("rollouts", "episodes"):
        if stats is not None and hasattr(stats, name):
            return int(getattr(stats, name))
    return None


def run_real_env(spec: ControllerSpec, config: RealEnvConfig, mode: Mode) -> RealEnvResult:
    """The scripted learner trained for ``config.steps`` GRPO steps on the real env under ``spec``."""
    start = time.perf_counter()
    controller = spec.build()
    source: TrainerDrivenGroups | EnvDrivenGroups = (
        TrainerDrivenGroups(controller, config) if mode == "trainer" else EnvDrivenGroups(controller, config)
    )
    levels, spread, skill = train(source, config.learner(), config.steps)
    run = RunResult(
        controller=spec.name,
        profile=f"{config.env_id} ({mode}-driven)",
        seed=config.seed,
        rollouts_per_step=config.group_size * config.groups_per_step,
        target_level=config.target_level,
        top_level=config.top_level,
        levels=levels,
        spread=spread,
        skill=skill,
        wall_s=time.perf_counter() - start,
    )
    return RealEnvResult(
        mode=mode,
        run=run,
        episodes=source.policy.episodes,
        controller_episodes=controller_episodes(controller),
        frontier=controller.frontier(),
        checks=source.checks,
        oracle_rejected=source.policy.oracle_rejected,
    )


def _real_env_job(job: tuple[ControllerSpec, RealEnvConfig, Mode]) -> RealEnvResult:
    return run_real_env(*job)


def run_real_env_suite(
    config: RealEnvConfig,
    controllers: Sequence[ControllerSpec] = CONTROLLERS,
    modes: Sequence[Mode] = ("trainer", "env"),
    *,
    workers: int = 1,
    progress: bool = False,
) -> list[RealEnvResult]:
    """Every controller in every wiring mode, same budget and seeds."""
    jobs = [(spec, config, mode) for mode in modes for spec in controllers]
    return parallel_map(_real_env_job, jobs, workers=workers, progress=f"{config.env_id}" if progress else None)


# ---- plot ------------------------------------------------------------------------------------
def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average, so per-step noise (B groups) does not hide the trend."""
    window = max(1, min(window, len(values)))
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    out = np.empty_like(values, dtype=float)
    for index in range(len(values)):
        lo = max(0, index + 1 - window)
        out[index] = (cumulative[index + 1] - cumulative[lo]) / (index + 1 - lo)
    return out


def plot_simulation(
    results: Sequence[RunResult],
    controllers: Sequence[ControllerSpec],
    path: Path,
    *,
    profile: str = "steady",
    smooth: int = 10,
) -> Path:
    """Four panels: skill, zero-variance share and chosen level vs rollouts (one profile, mean over
    seeds), and the overall zero-variance share per controller against the issue's targets.
    """
    from matplotlib.figure import Figure  # Agg via savefig; pyplot (and a GUI backend) never loads

    summaries = summarize(results)
    fig = Figure(figsize=(13, 9), layout="constrained")
    (skill_ax, zero_ax), (level_ax, bar_ax) = fig.subplots(2, 2)
    colors = {spec.name: f"C{index}" for index, spec in enumerate(controllers)}
    for spec in controllers:
        runs = [run for run in results if run.controller == spec.name and run.profile == profile]
        if not runs:
            continue
        x = np.arange(1, runs[0].levels.shape[0] + 1) * runs[0].rollouts_per_step
        skill = np.mean([run.skill[1:] for run in runs], axis=0)
        color = colors[spec.name]
        skill_ax.plot(x, skill, color=color, label=spec.name)
        zero = np.mean([run.zero_var.mean(axis=1) for run in runs], axis=0)
        zero_ax.plot(x, _smooth(zero, smooth), color=color, label=spec.name)
        if spec.adaptive:
            level = np.mean([run.levels.mean(axis=1) for run in runs], axis=0)
            level_ax.plot(x, _smooth(level, smooth), color=color, label=f"{spec.name}: mean level chosen")
            level_ax.plot(x, skill, color=color, linestyle=":", linewidth=1)
    target, top = results[0].target_level, results[0].top_level
    skill_ax.axhline(target, color="grey", linestyle="--", linewidth=1)
    skill_ax.set(title=f"skill ({profile} learner, mean of seeds)", xlabel="rollouts", ylabel="skill")
    zero_ax.axhline(MAX_ZERO_VAR_SHARE, color="grey", linestyle="--", linewidth=1)
    zero_ax.set(
        title=f"zero-variance groups ({smooth}-step moving mean)\nafter skill > {top:g} every level is easy",
        xlabel="rollouts",
        ylabel="share",
        ylim=(0, 1.02),
    )
    level_ax.set(title="level chosen (solid) vs skill (dotted)", xlabel="rollouts", ylabel="level")
    names = [spec.name for spec in controllers if (spec.name, OVERALL) in summaries]
    shares = [summaries[(name, OVERALL)].zero_var for name in names]
    bar_ax.bar(names, [m for m, _ in shares], yerr=[s for _, s in shares], color=[colors[n] for n in names])
    bar_ax.axhline(MAX_ZERO_VAR_SHARE, color="black", linestyle="--", linewidth=1, label="target 20%")
    if ("uniform", OVERALL) in summaries:
        half = MAX_ZERO_VAR_RATIO * summaries[("uniform", OVERALL)].zero_var[0]
        bar_ax.axhline(half, color="red", linestyle=":", linewidth=1, label="½ of uniform")
    bar_ax.set(title="zero-variance share, all profiles and seeds (± sd)", ylabel="share", ylim=(0, 1.02))
    bar_ax.tick_params(axis="x", labelrotation=20)
    for ax in (skill_ax, zero_ax, level_ax, bar_ax):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


# ---- report --------------------------------------------------------------------------------
def _pm(value: tuple[float, float], digits: int = 2, percent: bool = False) -> str:
    mean, sd = value
    if np.isnan(mean):
        return "—"
    if percent:
        return f"{100 * mean:.1f}% ± {100 * sd:.1f}"
    return f"{mean:,.{digits}f} ± {sd:,.{digits}f}"


def _reach(summary: Summary) -> str:
    """Rollouts to the target over the seeds that reached it, with misses spelled out."""
    if summary.reached == 0:
        return f"not reached (0/{summary.runs})"
    text = _pm(summary.to_target, 0)
    if summary.reached < summary.runs:
        text += f" ({summary.reached}/{summary.runs} reached; others not within {summary.budget:,})"
    return text


def _config_text(spec: ControllerSpec) -> str:
    return ", ".join(f"{key}={value}" for key, value in spec.config.items())


def render_simulation(
    config: SimulationConfig,
    controllers: Sequence[ControllerSpec],
    profiles: Sequence[LearnerProfile],
    results: Sequence[RunResult],
) -> tuple[str, list[TargetVerdict]]:
    """The simulation's markdown (setup, overall table, target verdicts, per-profile table)."""
    summaries = summarize(results)
    verdicts = check_targets(summaries, controllers)
    lines = [
        "## Simulation",
        "",
        f"GRPO steps of B={config.groups_per_step} groups x G={config.group_size} rollouts (one `choose` per "
        f"group, every rollout reported with `update`), {config.steps} steps = **{config.budget:,} rollouts per "
        f"run**, the same for every controller; seeds {list(config.seeds)} per profile.",
        "",
        "* success at level L: `p = sigmoid(k * (s - L))`; after each step "
        "`s += lr * mean over groups of sd(group rewards)` (population sd: an all-right/all-wrong group adds 0, "
        "a 4/8 group adds 0.5), capped for the plateau learner.",
        f"* **zero-var share**: groups whose G rollouts all agree, counted while `s < {config.top_level:g}` "
        "(the hardest level offered; after that every group is all-right whatever the controller). "
        "The full-budget share is shown too.",
        f"* **rollouts to level {config.target_level:g}**: rollouts spent when `s >= {config.target_level:g}` "
        "first held (pass rate at that level >= 0.5); mean ± sd over the seeds that reached it, misses listed. "
        "*Censored* counts a miss as the whole budget (a lower bound: it flatters the one that missed).",
        "",
        "| learner | s0 | k | lr | cap | |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for profile in profiles:
        cap = "—" if profile.skill_cap is None else f"{profile.skill_cap:g}"
        lines.append(
            f"| {profile.name} | {profile.initial_skill:g} | {profile.slope:g} | {profile.learning_rate:g} | {cap} "
            f"| {profile.description} |"
        )
    lines += ["", "| controller | configuration |", "|---|---|"]
    lines += [f"| {spec.name} | `{_config_text(spec)}` |" for spec in controllers]
    lines += [
        "",
        "### All profiles (mean ± sd over every profile x seed run)",
        "",
        f"| controller | zero-var share | zero-var (full budget) | reached level {config.target_level:g} "
        "| rollouts to it (runs that reached) | censored mean | final skill |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for spec in controllers:
        s = summaries[(spec.name, OVERALL)]
        lines.append(
            f"| {spec.name} | {_pm(s.zero_var, percent=True)} | {_pm(s.zero_var_all, percent=True)} "
            f"| {s.reached}/{s.runs} | {_pm(s.to_target, 0) if s.reached else '—'} "
            f"| {'≥ ' if s.reached < s.runs else ''}{s.to_target_censored:,.0f} | {_pm(s.final_skill)} |"
        )
    base = summaries[("uniform", OVERALL)].zero_var[0]
    lines += [
        "",
        f"### Targets (zero-var share ≤ {MAX_ZERO_VAR_SHARE:.0%} and ≤ ½ of uniform's {base:.1%}; "
        f"level {config.target_level:g} in fewer rollouts than uniform)",
        "",
        "| controller | zero-var share | ≤ 20% | ≤ ½ uniform | faster than uniform | all met |",
        "|---|---:|:-:|:-:|---|:-:|",
    ]
    mark = {True: "yes", False: "**no**"}
    for v in verdicts:
        lines.append(
            f"| {v.controller} | {v.zero_var:.1%} | {mark[v.zero_var_ok]} | {mark[v.ratio_ok]} "
            f"| {mark[v.faster_ok]}: {v.faster_detail} | {mark[v.met]} |"
        )
    lines += [
        "",
        "### Per learner profile (mean ± sd over seeds)",
        "",
        f"| learner | controller | zero-var share | rollouts to level {config.target_level:g} | final skill |",
        "|---|---|---:|---:|---:|",
    ]
    for profile in profiles:
        for spec in controllers:
            s = summaries[(spec.name, profile.name)]
            lines.append(
                f"| {profile.name} | {spec.name} | {_pm(s.zero_var, percent=True)} | {_reach(s)} "
                f"| {_pm(s.final_skill)} |"
            )
    return "\n".join(lines), verdicts


def render_real_env(config: RealEnvConfig, results: Sequence[RealEnvResult]) -> str:
    """The real-env markdown: the same metrics plus the wiring counters."""
    budget = config.steps * config.group_size * config.groups_per_step
    lines = [
        f"## End to end on `{config.env_id}`",
        "",
        f"A scripted learner (s0={config.initial_skill:g}, k={config.slope:g}, lr={config.learning_rate:g}) answers "
        f"with `env.unwrapped.oracle_action()` with probability `sigmoid(k * (s - level))`, else "
        f"`{config.wrong_answer}`; its skill grows as in the simulation. {config.steps} GRPO steps of "
        f"B={config.groups_per_step} x G={config.group_size} = {budget:,} episodes per run, seed {config.seed}.",
        "",
        "* **trainer-driven**: the trainer calls `controller.choose`, resets `G` times with the same seed and "
        "`options={'level': L}` (one problem per group) and calls `controller.update` for every episode.",
        "* **env-driven**: B envs made with `gym.make(..., curriculum=controller)` share it; each reset picks "
        "its group's level, the group replays the task by `task_id`, and the env reports every finished episode.",
        "* *controller saw*: episodes the controller recorded (learning controllers) - must equal the episodes "
        "played; *split groups*/*level mismatches* must be 0; *oracle rejected*: oracle answers the env scored < 1.",
        "",
        f"| mode | controller | episodes (controller saw) | zero-var share | rollouts to level {config.target_level:g} "
        "| final skill | mean level, last 5 steps | frontier | split groups / level mismatches | oracle rejected "
        "| wall s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        run = result.run
        hit = run.rollouts_to_target
        seen = "—" if result.controller_episodes is None else f"{result.controller_episodes:,}"
        lines.append(
            f"| {result.mode} | {run.controller} | {result.episodes:,} ({seen}) | {run.zero_var_share:.1%} "
            f"| {'not reached' if hit is None else f'{hit:,}'} | {run.final_skill:.2f} "
            f"| {run.levels[-5:].mean():.1f} | {'—' if result.frontier is None else result.frontier} "
            f"| {result.checks.split_groups} / {result.checks.level_mismatches} | {result.oracle_rejected} "
            f"| {run.wall_s:.1f} |"
        )
    return "\n".join(lines)


def machine_line() -> str:
    """Where and when the numbers were measured (shared machines are noisy)."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"measured {now}; python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs"


def render_report(command: str, sections: Sequence[str], wall_s: float, image: str | None = None) -> str:
    """The whole results file: provenance, then each section."""
    head = [
        "# Adaptive curriculum: does it help GRPO?",
        "",
        f"Generated by `{command}` (do not edit by hand); {machine_line()}; total {wall_s:.0f} s.",
    ]
    if image:
        head += ["", f"![skill, zero-variance groups and level chosen per controller]({image})"]
    return "\n".join([*head, "", *(section + "\n" for section in sections)])
