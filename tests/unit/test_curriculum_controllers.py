"""Adaptive controllers: each rule, its edge cases (no data, all wrong, resets, decay) and save/resume."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from rlvr_envs.curriculum import (
    Choice,
    Fixed,
    Frontier,
    Mixture,
    Thompson,
    Uniform,
    build_controller,
    controller_from_state,
    load_controller,
    save_controller,
    success,
)
from rlvr_envs.errors import InvalidOptionError, SpecError


def _feed(controller: Frontier | Thompson, level: int, rewards: list[float]) -> None:
    for reward in rewards:
        controller.update(level, reward)


def test_success_clips_rewards_into_unit_interval() -> None:
    assert [success(r) for r in (-1.0, -0.2, 0.0, 0.25, 1.0, 3.0)] == [0.0, 0.0, 0.0, 0.25, 1.0, 1.0]


# ---- Frontier --------------------------------------------------------------------------------
def test_frontier_with_no_data_samples_only_its_start_window() -> None:
    rng = np.random.default_rng(0)
    assert {Frontier().sample(rng) for _ in range(50)} == {0}
    assert {Frontier(start=6, window=3).sample(rng) for _ in range(300)} == {4, 5, 6}
    assert {Frontier(low=5, start=6, window=4).sample(rng) for _ in range(300)} == {5, 6}


def test_frontier_rises_only_after_min_rollouts_at_threshold() -> None:
    frontier = Frontier(min_rollouts=10, threshold=0.8)
    _feed(frontier, 0, [1.0] * 9)
    assert frontier.frontier() == 0  # nine is not enough evidence
    frontier.update(0, 1.0)
    assert frontier.frontier() == 1
    assert frontier.stats.moves[-1].rollouts == 10 and frontier.stats.moves[-1].pass_rate == 1.0


def test_frontier_variance_weighting_prefers_levels_near_half_and_keeps_a_floor() -> None:
    frontier = Frontier(start=3, window=4, min_rollouts=10_000, weighting="variance", floor=0.1, memory=50)
    _feed(frontier, 0, [1.0] * 50)  # mastered: p = 1, weight = the floor
    _feed(frontier, 1, [1.0, 0.0] * 25)  # p = 0.5, weight 1
    _feed(frontier, 2, [1.0] + [0.0] * 9)  # p = 0.1, weight 0.36
    weights = dict(frontier.weights())
    assert weights[0] == pytest.approx(0.1) and weights[1] == pytest.approx(1.0)
    assert weights[2] == pytest.approx(0.36) and weights[3] == pytest.approx(1.0)  # untried: p = 0.5
    rng = np.random.default_rng(0)
    counts = Counter(frontier.sample(rng) for _ in range(4000))
    assert set(counts) == {0, 1, 2, 3}  # nothing in the window is dropped
    assert counts[1] > 2 * counts[2] > 4 * counts[0]
    assert counts[0] / 4000 == pytest.approx(0.1 / 2.46, abs=0.015)


def test_frontier_variance_weighting_follows_the_recent_pass_rate() -> None:
    frontier = Frontier(start=0, window=1, min_rollouts=10_000, weighting="variance", memory=20)
    _feed(frontier, 0, [0.0] * 200)
    _feed(frontier, 0, [1.0] * 60)  # three memories of successes: the old failures have faded
    assert frontier.stats.recent[0] > 0.9
    assert frontier.stats.levels[0].pass_rate == pytest.approx(60 / 260)  # the tally still counts everything


def _group(controller: Frontier, level: int, task_id: str, rewards: list[float]) -> None:
    for reward in rewards:
        controller.update(level, reward, task_id)


def test_frontier_replay_picks_only_mixed_tasks_in_the_window() -> None:
    frontier = Frontier(start=2, window=2, min_rollouts=10_000, replay_share=1.0)
    _group(frontier, 2, "mixed", [1.0, 0.0, 1.0, 0.0])
    _group(frontier, 2, "solved", [1.0] * 4)
    _group(frontier, 1, "hopeless", [0.0] * 4)
    _group(frontier, 0, "below-window", [1.0, 0.0] * 2)  # mixed, but under the window (levels 1-2)
    rng = np.random.default_rng(0)
    choices = [frontier.choose(rng) for _ in range(50)]
    assert {c.task_id for c in choices} == {"mixed"} and {c.level for c in choices} == {2}
    assert frontier.stats.replays == 50


def test_frontier_replay_weights_tasks_by_their_outcome_variance() -> None:
    frontier = Frontier(start=0, window=1, min_rollouts=10_000, replay_share=1.0)
    _group(frontier, 0, "half", [1.0, 0.0] * 4)  # p = 0.5: weight 1
    _group(frontier, 0, "one-in-eight", [1.0] + [0.0] * 7)  # p = 1/8: weight 0.4375
    rng = np.random.default_rng(2)
    counts = Counter(frontier.choose(rng).task_id for _ in range(4000))
    assert counts["half"] / 4000 == pytest.approx(1 / 1.4375, abs=0.03)


def test_frontier_replayed_episodes_never_move_the_frontier() -> None:
    """Replays are picked for being half-solved: only fresh problems may raise (or judge) a level."""
    frontier = Frontier(min_rollouts=8, threshold=0.5, replay_share=1.0, weighting="variance", memory=8)
    _group(frontier, 0, "t", [1.0, 0.0, 0.0, 0.0])  # fresh: 4 episodes into the block
    assert frontier.choose(np.random.default_rng(0)).task_id == "t"
    _group(frontier, 0, "t", [1.0] * 20)  # replayed and now solved: no evidence about the level
    assert frontier.frontier() == 0 and frontier.stats.block_rollouts == 4
    assert frontier.stats.levels[0].rollouts == 4 and frontier.stats.recent[0] == pytest.approx(0.25)
    assert frontier.stats.tasks["t"].outcomes == [1.0] * 8  # the replay window keeps the latest 8
    assert frontier.choose(np.random.default_rng(0)).task_id is None  # solved: nothing mixed to replay
    _group(frontier, 0, "u", [1.0] * 4)  # a fresh problem completes the block at 5/8
    assert frontier.frontier() == 1


def test_frontier_replay_memory_is_bounded_and_survives_save_and_resume(tmp_path) -> None:
    frontier = Frontier(replay_share=0.5, replay_tasks=3)
    for index in range(5):
        _group(frontier, 0, f"t{index}", [1.0, 0.0])
    assert list(frontier.stats.tasks) == ["t2", "t3", "t4"]  # the least recently updated are forgotten
    save_controller(frontier, tmp_path / "c.json")
    resumed = load_controller(tmp_path / "c.json")
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    assert [frontier.choose(rng_a) for _ in range(20)] == [resumed.choose(rng_b) for _ in range(20)]


def test_frontier_without_replay_draws_exactly_as_before() -> None:
    """``replay_share = 0`` consumes no extra randomness and keeps no task memory (seeds keep their meaning)."""
    plain, explicit = Frontier(window=3, start=2), Frontier(window=3, start=2, replay_share=0.0)
    _group(explicit, 2, "t", [1.0, 0.0])
    rng_a, rng_b = np.random.default_rng(4), np.random.default_rng(4)
    assert [plain.sample(rng_a) for _ in range(30)] == [explicit.choose(rng_b).level for _ in range(30)]
    assert explicit.stats.tasks == {}


def test_frontier_block_below_threshold_restarts_counting() -> None:
    frontier = Frontier(min_rollouts=10, threshold=0.8)
    _feed(frontier, 0, [1.0] * 7 + [0.0] * 3)  # 0.7 < 0.8
    assert frontier.frontier() == 0 and frontier.stats.block_rollouts == 0
    _feed(frontier, 0, [1.0] * 8 + [0.0] * 2)  # a fresh block at exactly 0.8
    assert frontier.frontier() == 1


def test_frontier_ignores_other_levels_for_decisions_but_tallies_them() -> None:
    frontier = Frontier(start=3, min_rollouts=4, threshold=0.5)
    _feed(frontier, 1, [1.0] * 50)
    assert frontier.frontier() == 3
    assert frontier.stats.levels[1].rollouts == 50 and frontier.stats.block_rollouts == 0


def test_frontier_all_wrong_never_rises_and_never_lowers_by_default() -> None:
    frontier = Frontier(start=2, min_rollouts=5)
    _feed(frontier, 2, [0.0] * 100)
    assert frontier.frontier() == 2 and frontier.stats.moves == []


def test_frontier_lowers_on_collapse_when_asked_but_not_below_low() -> None:
    frontier = Frontier(low=1, start=2, min_rollouts=5, lower_below=0.2)
    _feed(frontier, 2, [0.0] * 5)
    assert frontier.frontier() == 1
    _feed(frontier, 1, [-1.0] * 20)  # negative rewards count as failures
    assert frontier.frontier() == 1


def test_frontier_respects_high_and_reset() -> None:
    frontier = Frontier(high=2, min_rollouts=1, threshold=0.5)
    for level in range(10):
        frontier.update(min(level, 2), 1.0)
    assert frontier.frontier() == 2
    frontier.reset()
    assert frontier.frontier() == 0 and frontier.stats.rollouts == 0


@pytest.mark.parametrize(
    "params",
    [{"low": 5, "high": 2}, {"start": 9, "high": 4}, {"threshold": 0.5, "lower_below": 0.6}, {"window": 0}],
)
def test_frontier_rejects_inconsistent_parameters(params: dict[str, object]) -> None:
    with pytest.raises(InvalidOptionError):
        Frontier(**params)
    with pytest.raises(SpecError):
        build_controller({"kind": "frontier", **params})


# ---- Thompson --------------------------------------------------------------------------------
def test_thompson_with_no_data_explores_low_plus_lookahead() -> None:
    rng = np.random.default_rng(0)
    assert {Thompson(lookahead=2).sample(rng) for _ in range(300)} == {0, 1, 2}
    assert {Thompson(low=4, lookahead=0).sample(rng) for _ in range(50)} == {4}


def test_thompson_concentrates_where_the_pass_rate_is_near_target() -> None:
    rng = np.random.default_rng(1)
    thompson = Thompson(high=10, decay=1.0)
    true_rate = {0: 1.0, 1: 0.95, 2: 0.8, 3: 0.5, 4: 0.15, 5: 0.02}
    for level, rate in true_rate.items():
        wins = round(rate * 60)
        _feed(thompson, level, [1.0] * wins + [0.0] * (60 - wins))
    assert thompson.frontier() == 4  # level 3 passes at target 0.5, lookahead 1
    counts = Counter(thompson.sample(rng) for _ in range(2000))
    assert counts.most_common(1)[0][0] == 3
    assert set(counts) <= {0, 1, 2, 3, 4}


def test_thompson_target_shifts_the_choice() -> None:
    rng = np.random.default_rng(2)
    thompson = Thompson(high=10, decay=1.0, target=0.8)
    for level, rate in {0: 1.0, 1: 0.8, 2: 0.5, 3: 0.2}.items():
        wins = round(rate * 60)
        _feed(thompson, level, [1.0] * wins + [0.0] * (60 - wins))
    counts = Counter(thompson.sample(rng) for _ in range(2000))
    assert counts.most_common(1)[0][0] == 1


def test_thompson_all_wrong_stays_at_the_bottom() -> None:
    rng = np.random.default_rng(3)
    thompson = Thompson(high=10)
    for _ in range(200):
        thompson.update(thompson.sample(rng), 0.0)
    assert thompson.frontier() == 1
    assert {thompson.sample(rng) for _ in range(200)} <= {0, 1}


def test_thompson_decay_forgets_old_evidence() -> None:
    thompson = Thompson(decay=0.5)
    _feed(thompson, 2, [0.0] * 20)
    _feed(thompson, 0, [1.0] * 10)  # ten newer episodes elsewhere
    _wins, losses = thompson._decayed(thompson.stats.levels[2], thompson.params.decay)
    assert losses == pytest.approx(sum(0.5**k for k in range(10, 30)))
    assert thompson.pass_rates()[2] > 0.49  # back to (almost) the prior mean
    no_decay = Thompson(decay=1.0)
    _feed(no_decay, 2, [0.0] * 20)
    _feed(no_decay, 0, [1.0] * 10)
    assert no_decay.pass_rates()[2] == pytest.approx(1 / 22)


def test_thompson_per_task_replays_informative_tasks_and_bounds_its_pool() -> None:
    rng = np.random.default_rng(4)
    thompson = Thompson(per_task=True, replay_share=1.0, max_tasks=3, task_decay=1.0)
    for task_id, rewards in {"t:0:a": [1.0] * 20, "t:1:b": [1.0, 0.0] * 10, "t:1:c": [0.0] * 20}.items():
        level = int(task_id.split(":")[1])
        for reward in rewards:
            thompson.update(level, reward, task_id)
    choices = [thompson.choose(rng) for _ in range(500)]
    assert Counter(c.task_id for c in choices).most_common(1)[0][0] == "t:1:b"
    assert Choice(level=1, task_id="t:1:b") in choices  # a replay carries the task's own level
    assert all(c.level == int(c.task_id.split(":")[1]) for c in choices if c.task_id is not None)
    thompson.update(2, 1.0, "t:2:d")  # a fourth task evicts the least recently updated one
    assert list(thompson.stats.tasks) == ["t:1:b", "t:1:c", "t:2:d"]


def test_thompson_per_task_off_never_replays() -> None:
    rng = np.random.default_rng(5)
    thompson = Thompson()
    thompson.update(0, 1.0, "t:0:a")
    assert thompson.stats.tasks == {}
    assert all(thompson.choose(rng).task_id is None for _ in range(50))


# ---- Mixture ---------------------------------------------------------------------------------
def _mixture() -> Mixture:
    return Mixture(
        components={"easy": {"kind": "fixed", "level": 0}, "learning": {"kind": "uniform", "high": 3}},
        warmup=4,
        min_share=0.1,
    )


def test_mixture_with_no_data_is_even_and_names_the_component() -> None:
    mixture = _mixture()
    assert mixture.weights() == {"easy": 0.5, "learning": 0.5}
    choice = mixture.choose(np.random.default_rng(0))
    assert choice.component in {"easy", "learning"}
    assert choice.level == 0 or choice.component == "learning"


def test_mixture_reweights_toward_the_component_still_being_learned() -> None:
    rng = np.random.default_rng(6)
    mixture = _mixture()
    for _ in range(300):
        choice = mixture.choose(rng)
        reward = 1.0 if choice.component == "easy" else float(rng.random() < 0.5)
        mixture.update(choice.level, reward, component=choice.component)
    weights = mixture.weights()
    assert weights["learning"] > 0.75
    assert weights["easy"] >= 0.05  # min_share / 2: never starved


def test_mixture_update_needs_the_component() -> None:
    mixture = _mixture()
    with pytest.raises(InvalidOptionError, match="component"):
        mixture.update(0, 1.0)
    single = Mixture(components={"only": {"kind": "fixed"}})
    single.update(0, 1.0)
    assert single.stats.components["only"].episodes == 1


# ---- state: JSON round trips and exact resume ------------------------------------------------
CONTROLLER_TABLES = [
    {"kind": "fixed", "level": 3},
    {"kind": "uniform", "low": 1, "high": 4},
    {"kind": "frontier", "min_rollouts": 8, "threshold": 0.6, "lower_below": 0.1},
    {"kind": "frontier", "min_rollouts": 8, "threshold": 0.6, "window": 4, "weighting": "variance", "memory": 16},
    {"kind": "thompson", "high": 8, "per_task": True},
    {"kind": "mixture", "components": {"a": {"kind": "frontier", "min_rollouts": 4}, "b": {"kind": "thompson"}}},
]


@pytest.mark.parametrize("table", CONTROLLER_TABLES, ids=lambda t: str(t["kind"]))
def test_save_and_resume_continues_exactly(table: dict[str, object], tmp_path: object) -> None:
    def play(controller: object, rng: np.random.Generator, episodes: int) -> list[tuple[int, str | None]]:
        seen = []
        for _ in range(episodes):
            choice = controller.choose(rng)  # type: ignore[attr-defined]
            reward = float(rng.random() < 1.0 / (1.0 + choice.level))
            task_id = choice.task_id or f"t:{choice.level}:{int(rng.integers(1 << 30)):x}"
            kwargs = {"component": choice.component} if choice.component else {}
            controller.update(choice.level, reward, task_id, **kwargs)  # type: ignore[attr-defined]
            seen.append((choice.level, choice.component))
        return seen

    original = build_controller(table)
    rng = np.random.default_rng(7)
    play(original, rng, 150)
    path = save_controller(original, tmp_path / "curriculum.json")  # type: ignore[operator]
    assert json.loads(path.read_text())["kind"] == table["kind"]
    resumed = load_controller(path)
    assert resumed.state() == original.state()
    rng_copy = np.random.default_rng(7)
    rng_copy.bit_generator.state = rng.bit_generator.state
    assert play(resumed, rng_copy, 100) == play(original, rng, 100)
    assert resumed.state() == original.state()


def test_state_of_the_wrong_kind_or_without_kind_is_refused(tmp_path: object) -> None:
    with pytest.raises(InvalidOptionError, match="cannot load"):
        Frontier().load_state(Uniform().state())
    with pytest.raises(InvalidOptionError, match="kind"):
        controller_from_state({"low": 1})
    broken = tmp_path / "broken.json"  # type: ignore[operator]
    broken.write_text("{not json")
    with pytest.raises(InvalidOptionError, match="cannot read"):
        load_controller(broken)
    with pytest.raises(InvalidOptionError, match="stats"):
        Frontier().load_state({"kind": "frontier", "stats": {"frontier": "high"}})


def test_aliases_and_unknown_kinds() -> None:
    assert isinstance(build_controller({"kind": "vade"}), Thompson)
    assert isinstance(build_controller({"kind": "rlve"}), Frontier)
    with pytest.raises(SpecError, match="Did you mean 'frontier'"):
        build_controller({"kind": "fronteir"})
    assert isinstance(build_controller({}, default_level=2), Fixed)
