"""User datasets: the four supported JSONL shapes, the shipped sample, and clear errors."""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from pathlib import Path

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.errors import TaskSourceError
from rlvr_envs.policies import oracle, run_episode
from rlvr_envs.tasks.code.dataset import detect_format, load_code_jsonl, sample_path


def test_sample_covers_every_format_and_mode() -> None:
    records = [json.loads(line) for line in Path(sample_path()).read_text().splitlines() if line.strip()]
    assert {detect_format(record) for record in records} == {"apps", "codecontests", "livecodebench", "functions"}
    rows = load_code_jsonl(sample_path(), "mixed")
    assert {row.mode for row in rows} == {"stdio", "function"}
    assert all(row.hidden_tests and row.reference for row in rows)
    codecontests = rows[3]
    assert len(codecontests.public_tests) == 1 and len(codecontests.hidden_tests) == 3  # private + generated
    assert codecontests.time_limit_s == 2.0 and codecontests.reference == "print(input()[::-1])\n"
    apps_call = rows[1]
    assert apps_call.entry_point == "count_vowels" and apps_call.hidden_tests[0].expected == 2  # unwrapped [2]
    lcb_functional = rows[6]
    assert lcb_functional.entry_point == "containsValue" and len(lcb_functional.hidden_tests) == 3
    assert lcb_functional.hidden_tests[0].input == [[1, 2, 3], 2] and lcb_functional.hidden_tests[0].expected is True


def test_oracle_solves_every_sample_row_through_the_env() -> None:
    env = gym.make("rlvr/Code-v0", source=sample_path(), format="mixed")
    policy = oracle(env)
    rows = load_code_jsonl(sample_path(), "mixed")
    for row in rows:
        record = run_episode(env, policy, options={"task_id": f"code:data:{row.index}"})
        assert record.reward == 1.0, (row.title, record.messages[-1])
    levels = {env.reset(seed=seed, options={"level": 2})[1]["level"] for seed in range(10)}
    assert levels == {2}, "the level option picks rows of the nearest level"


def test_wrong_dataset_answers_get_feedback_from_public_tests() -> None:
    env = gym.make("rlvr/Code-v0", source=sample_path(), format="mixed")
    env.reset(options={"task_id": "code:data:0"})
    observation, _, terminated, _, _ = env.step("```python\nprint(0)\n```")
    assert not terminated and "Input:\n3\n4 9 1" in observation and "Expected output:\n8" in observation


def _write(tmp_path: Path, rows: list[object]) -> str:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    return str(path)


def test_bad_rows_name_the_line_and_the_problem(tmp_path: Path) -> None:
    with pytest.raises(TaskSourceError, match=r"rows.jsonl:1: unrecognised row"):
        load_code_jsonl(_write(tmp_path, [{"text": "hi"}]))
    with pytest.raises(TaskSourceError, match=r":1: field 'entry_point': expected the name of the function"):
        load_code_jsonl(_write(tmp_path, [{"prompt": "p", "tests": [{"input": [1], "output": 1}]}]))
    with pytest.raises(TaskSourceError, match="no such file"):
        load_code_jsonl(str(tmp_path / "missing.jsonl"))
    with pytest.raises(TaskSourceError, match=":1: "):
        load_code_jsonl(_write(tmp_path, [["not", "an", "object"]]))


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("pickle code ran",))


def test_livecodebench_decoding_refuses_pickled_objects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = base64.b64encode(zlib.compress(pickle.dumps(_Boom()))).decode()
    row = {"question_content": "q", "public_test_cases": "[]", "private_test_cases": hostile, "metadata": "{}"}
    with pytest.raises(TaskSourceError, match="refusing to load"):
        load_code_jsonl(_write(tmp_path, [row]))
    assert "pickle code ran" not in capsys.readouterr().out


def test_rlvr_envs_verify_scores_dataset_tasks() -> None:
    env = gym.make("rlvr/Code-v0", source=sample_path(), format="mixed")
    env.reset(options={"task_id": "code:data:7"})
    task = rlvr_envs.unwrap(env).task
    assert task is not None
    good = (
        "```python\ndef fizzbuzz(n):\n"
        "    return [('Fizz' * (i % 3 == 0) + 'Buzz' * (i % 5 == 0)) or str(i) for i in range(1, n + 1)]\n```"
    )
    verdict = rlvr_envs.unwrap(env).family.verify(task, good)
    assert verdict.correct and verdict.components["tests_total"] == 4
