"""Both long-context envs end to end: knobs, determinism, baselines, configuration errors, CLI."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs import cli
from rlvr_envs.errors import SpecError
from rlvr_envs.policies import oracle, random_policy, run_episode
from rlvr_envs.tasks.longcontext.baselines import first_document_policy

ENV_IDS = ["rlvr/LongContextQA-v0", "rlvr/LongContextSearch-v0"]


def test_knobs_per_level_match_the_documented_table() -> None:
    family = rlvr_envs.unwrap(gym.make(ENV_IDS[0])).family
    table = {level: family.knobs(level) for level in (0, 1, 2, 4, 7, 12)}
    assert [table[lv]["hops"] for lv in table] == [1, 1, 2, 3, 4, 4]
    assert [table[lv]["context_tokens"] for lv in table] == [1024, 2048, 4096, 16384, 131072, 131072]
    assert [table[lv]["question_types"] for lv in table] == [1, 2, 3, 5, 5, 5]
    assert [table[lv]["high_confusability_share"] for lv in table] == pytest.approx([0, 0.15, 0.3, 0.6, 0.9, 0.9])
    assert [table[lv]["gold_depth_middleness"] for lv in table] == [0, 0.25, 0.5, 1, 1, 1]


def test_tasks_record_their_knobs_and_types() -> None:
    env = gym.make(ENV_IDS[0])
    seen = set()
    for seed in range(40):
        env.reset(seed=seed, options={"level": 4})
        task = rlvr_envs.unwrap(env).task
        assert task is not None and task.metadata["knobs"]["hops"] == 3
        seen.add(task.data["question_type"])
    assert seen == {"bridge", "comparison", "intersection", "temporal", "counting"}
    env.reset(seed=0, options={"level": 0})
    assert rlvr_envs.unwrap(env).task.data["question_type"] == "bridge"  # type: ignore[union-attr]


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_same_seed_same_episode_and_replay(env_id: str) -> None:
    first, second = gym.make(env_id), gym.make(env_id)
    obs_a, info_a = first.reset(seed=1234, options={"level": 3})
    obs_b, info_b = second.reset(seed=1234, options={"level": 3})
    task_a, task_b = rlvr_envs.unwrap(first).task, rlvr_envs.unwrap(second).task
    assert obs_a == obs_b and info_a["messages"] == info_b["messages"] and task_a == task_b
    assert first.reset(seed=1235, options={"level": 3})[0] != obs_a
    assert second.reset(options={"task_id": info_a["task_id"]})[0] == obs_a


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_first_document_heuristic_scores_low(env_id: str) -> None:
    env = gym.make(env_id)
    heuristic, best = first_document_policy(env), oracle(env)
    heuristic_rewards, oracle_rewards = [], []
    for level in range(6):
        for seed in range(10):
            heuristic_rewards.append(run_episode(env, heuristic, seed=seed, options={"level": level}).reward)
            oracle_rewards.append(run_episode(env, best, seed=seed, options={"level": level}).reward)
    assert statistics.fmean(oracle_rewards) == pytest.approx(1.0)
    assert statistics.fmean(heuristic_rewards) <= 0.15, statistics.fmean(heuristic_rewards)


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_oracle_at_the_levels_the_conformance_suite_skips(env_id: str) -> None:
    env = gym.make(env_id)
    for level in (3, 5, 7, 9):
        for seed in range(2):
            record = run_episode(env, oracle(env), seed=seed, options={"level": level})
            assert record.reward == pytest.approx(1.0) and record.verdict is not None and record.verdict.correct


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_random_policy_earns_nothing(env_id: str) -> None:
    env = gym.make(env_id)
    policy = random_policy(env, seed=3)
    assert statistics.fmean(run_episode(env, policy, seed=seed).reward for seed in range(30)) <= 0.05


def test_offline_verify_of_a_response() -> None:
    env = gym.make(ENV_IDS[0])
    env.reset(seed=5, options={"level": 2})
    inner = rlvr_envs.unwrap(env)
    task = inner.task
    assert task is not None
    verdict = rlvr_envs.verify(ENV_IDS[0], task.model_dump(), inner.oracle_action())
    assert verdict.reward == pytest.approx(1.0) and verdict.correct
    assert set(verdict.components) >= {"em", "f1", "citation_precision", "citation_recall", "rubric", "format"}
    assert rlvr_envs.verify(ENV_IDS[0], task, "no idea").reward == 0.0


def test_configuration_errors_say_what_to_fix() -> None:
    with pytest.raises(SpecError, match="question_types"):
        gym.make(ENV_IDS[0], question_types=[])
    with pytest.raises(SpecError, match="question_types"):
        gym.make(ENV_IDS[0], question_types=["riddle"])
    with pytest.raises(SpecError, match="context_tokens"):
        gym.make(ENV_IDS[0], context_tokens=10)
    with pytest.raises(SpecError, match="cannot be imported"):
        gym.make(ENV_IDS[0], tokenizer="no_such_module:count")
    with pytest.raises(SpecError, match="tool_budget"):
        gym.make(ENV_IDS[1], tool_budget=0)
    with pytest.raises(SpecError, match="tool_budget"):
        gym.make(ENV_IDS[0], tool_budget=5)  # a Search option is not a QA option


def test_pinned_knobs_override_the_level() -> None:
    env = gym.make(ENV_IDS[0], hops=3, question_types=["comparison"], context_tokens=3000)
    env.reset(seed=2, options={"level": 0})
    task = rlvr_envs.unwrap(env).task
    assert task is not None
    assert task.data["question_type"] == "comparison" and task.data["hops"] == 3
    assert abs(task.metadata["prompt_tokens"] - 3000) <= 150


def test_cli_evaluates_the_heuristic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = "python:rlvr_envs.tasks.longcontext.baselines:first_document_policy"
    out = tmp_path / "r.jsonl"
    assert cli.main(["eval", ENV_IDS[1], "--policy", policy, "--episodes", "3", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 3 and {r["policy"] for r in records} == {policy}
    assert "3 episodes" in capsys.readouterr().out


def test_the_docs_example_episode_is_real_output() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "longcontext.md").read_text(encoding="utf-8")
    for env_id, tokens in ((ENV_IDS[0], 600), (ENV_IDS[1], 1500)):
        env = gym.make(env_id, context_tokens=tokens)
        observation, _ = env.reset(seed=8, options={"level": 2})
        assert observation in page, f"docs/longcontext.md no longer shows {env_id}'s real first observation"
        assert rlvr_envs.unwrap(env).oracle_action() in page
