"""A tiny run of the curriculum benchmark library, so the default test suite keeps it working.

The real benchmark (targets, plot, results file) is ``benchmarks/curriculum``; here every piece runs
on a few steps: the learner's equations, the metrics, the targets check, both real-env wiring modes,
the plot and the report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks.curriculum.simulation import (
    CONTROLLERS,
    OVERALL,
    PROFILES,
    ControllerSpec,
    LearnerProfile,
    RealEnvConfig,
    RunResult,
    SimulationConfig,
    check_targets,
    group_spread,
    parallel_map,
    plot_simulation,
    render_real_env,
    render_report,
    render_simulation,
    run_real_env_suite,
    run_simulation,
    summarize,
)

TINY = SimulationConfig(group_size=4, groups_per_step=3, steps=12, seeds=(0, 1))
TINY_PROFILES = [profile for profile in PROFILES if profile.name in {"steady", "plateau"}]


@pytest.fixture(scope="module")
def tiny_results() -> list[RunResult]:
    return run_simulation(TINY, CONTROLLERS, TINY_PROFILES)


def _run(skill: list[float], spread: list[list[float]], name: str = "c", profile: str = "p") -> RunResult:
    """A hand-made trajectory: one group of 8 rollouts per step."""
    return RunResult(
        controller=name,
        profile=profile,
        seed=0,
        rollouts_per_step=8,
        target_level=10,
        top_level=20,
        levels=np.zeros((len(spread), len(spread[0])), dtype=int),
        spread=np.array(spread, dtype=float),
        skill=np.array(skill, dtype=float),
    )


def test_learner_equations() -> None:
    learner = LearnerProfile("l", initial_skill=0.0, slope=2.0, learning_rate=0.2, skill_cap=1.0)
    assert learner.pass_rate(3.0, 3) == pytest.approx(0.5)
    assert learner.pass_rate(3.0, np.array([2, 4])) == pytest.approx([1 / (1 + np.exp(-2)), 1 / (1 + np.exp(2))])
    all_right, all_wrong, half = np.ones(8), np.zeros(8), np.array([1.0, 0.0] * 4)
    assert group_spread(np.array([all_right, all_wrong, half])) == pytest.approx([0.0, 0.0, 0.5])
    assert learner.learn(0.3, np.array([all_right, all_wrong])) == 0.3  # zero-variance groups teach nothing
    assert learner.learn(0.3, np.array([half, all_right])) == pytest.approx(0.3 + 0.2 * 0.25)
    assert learner.learn(0.95, np.array([half])) == 1.0  # the cap


def test_run_metrics() -> None:
    run = _run(skill=[9.0, 9.5, 10.5, 21.0, 22.0], spread=[[0.5], [0.0], [0.3], [0.0]])
    assert run.budget == 32
    assert run.rollouts_to_target == 16  # skill >= 10 after the second step
    assert run.zero_var_share == pytest.approx(1 / 3)  # the last step started above the top level
    assert run.zero_var_share_all == pytest.approx(0.5)
    assert run.final_skill == 22.0
    assert _run(skill=[0.0, 1.0], spread=[[0.5]]).rollouts_to_target is None


def test_targets_count_misses_honestly() -> None:
    slow = [_run([0.0, 5.0, 8.0], [[0.0], [0.0]], "uniform", profile) for profile in ("a", "b")]
    quick = [_run([0.0, 11.0, 12.0], [[0.5], [0.5]], "smart", profile) for profile in ("a", "b")]
    never = [_run([0.0, 1.0, 2.0], [[0.5], [0.0]], "stuck", profile) for profile in ("a", "b")]
    specs = [
        ControllerSpec("uniform", {}, adaptive=False),
        ControllerSpec("smart", {}, adaptive=True),
        ControllerSpec("stuck", {}, adaptive=True),
    ]
    summaries = summarize([*slow, *quick, *never])
    assert summaries[("uniform", OVERALL)].reached == 0
    assert summaries[("smart", "a")].to_target == (8.0, 0.0)
    assert summaries[("uniform", "a")].to_target_censored == 16.0  # a miss counts as the whole budget
    verdicts = {verdict.controller: verdict for verdict in check_targets(summaries, specs)}
    assert verdicts["smart"].met and "2/2" in verdicts["smart"].faster_detail
    stuck = verdicts["stuck"]
    assert stuck.ratio_ok and not stuck.zero_var_ok  # 50% is half of uniform's 100% but above 20%
    assert not stuck.faster_ok and not stuck.met  # neither reached level 10: nothing to compare, no claim


def test_tiny_simulation(tiny_results: list[RunResult]) -> None:
    assert len(tiny_results) == len(CONTROLLERS) * len(TINY_PROFILES) * len(TINY.seeds)
    for run in tiny_results:
        assert run.levels.shape == (TINY.steps, TINY.groups_per_step)
        assert run.skill.shape == (TINY.steps + 1,)
        assert np.all(np.diff(run.skill) >= 0)
        assert 0.0 <= run.zero_var_share_all <= 1.0
        assert run.levels.min() >= 0 and run.levels.max() <= 20
    fixed = [run for run in tiny_results if run.controller == "fixed-5"]
    assert all(np.all(run.levels == 5) for run in fixed)
    again = run_simulation(TINY, CONTROLLERS[:1], TINY_PROFILES[:1])
    assert np.array_equal(again[0].skill, tiny_results[0].skill)  # fixed seeds: reproducible


def test_report_and_plot(tiny_results: list[RunResult], tmp_path: Path) -> None:
    text, verdicts = render_simulation(TINY, CONTROLLERS, TINY_PROFILES, tiny_results)
    assert {verdict.controller for verdict in verdicts} == {spec.name for spec in CONTROLLERS if spec.adaptive}
    assert "| plateau | uniform |" in text and "not reached" in text
    image = plot_simulation(tiny_results, CONTROLLERS, tmp_path / "img" / "sim.png")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = render_report("make bench", [text], 1.0, image="img/sim.png")
    assert report.startswith("# ") and "`make bench`" in report


def test_real_env_both_modes() -> None:
    config = RealEnvConfig(steps=2, groups_per_step=2, group_size=3, learning_rate=2.0)
    specs = [spec for spec in CONTROLLERS if spec.name in {"uniform", "thompson"}]
    results = run_real_env_suite(config, specs)
    assert [(result.mode, result.run.controller) for result in results] == [
        ("trainer", "uniform"),
        ("trainer", "thompson"),
        ("env", "uniform"),
        ("env", "thompson"),
    ]
    for result in results:
        assert result.episodes == 12
        assert result.checks.split_groups == 0 and result.checks.level_mismatches == 0
        assert result.run.levels.shape == (2, 2)
    thompson = [result for result in results if result.run.controller == "thompson"]
    assert all(result.controller_episodes == 12 for result in thompson)  # every episode reached it
    assert "| env | thompson |" in render_real_env(config, results)


def test_parallel_map_keeps_order() -> None:
    assert parallel_map(abs, [-3, 2, -1], workers=1, progress=None) == [3, 2, 1]
