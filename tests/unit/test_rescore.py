"""`rlvr-envs rescore FILE`: eval records and export rows re-verified, changes listed and summed up."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.cli import main
from rlvr_envs.cli.rescore import rescore
from rlvr_envs.errors import TaskSourceError
from rlvr_envs.integrations.export import make_row
from rlvr_envs.policies import oracle, run_episode


def _eval_records(tmp_path: Path) -> Path:
    env = gym.make("rlvr/Math-v0")
    policy = oracle(env)
    lines = []
    for seed in range(3):
        record = run_episode(env, policy, seed=seed)
        lines.append({"policy": "oracle", **record.model_dump()})
    lines[1]["reward"] = 0.0  # a verifier bug of the past: a right answer was scored 0
    path = tmp_path / "eval.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(line) + "\n" for line in lines).encode()))
    return path


def test_eval_records_show_the_changed_row_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _eval_records(tmp_path)
    results = rescore(path, {})
    assert [item.new for item in results] == [1.0, 1.0, 1.0]
    assert [item.old for item in results] == [1.0, 0.0, 1.0]
    assert main(["rescore", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 row(s) whose reward changed" in out and "0.000" in out and "rlvr/Math-v0" in out
    # piped output draws ASCII tables (`|`), a terminal box-drawing ones (`│`)
    sep = r"\s*[│|]\s*"
    assert re.search(sep.join(["rlvr/Math-v0", "3", "1", "1", "0", r"0\.667", r"1\.000"]), out), out


def test_export_rows_with_answers_are_rescored_and_a_fixed_judge_shows_up(tmp_path: Path) -> None:
    data = tmp_path / "pairs.jsonl"
    data.write_text(
        json.dumps(
            {"prompt": "Return (a, b).", "entry_point": "f", "tests": [{"input": [1, 2], "output_literal": "(1, 2)"}]}
        )
        + "\n"
    )
    env = gym.make("rlvr/Code-v0", source=str(data))
    _, info = env.reset(options={"task_id": "code:data:0"})
    task_json = rlvr_envs.unwrap(env).task.model_dump_json()  # type: ignore[union-attr]
    row = make_row("rlvr/Code-v0", task_json, info, index=0, seed=0, split="train")
    as_list = row | {"completion": "```python\ndef f(a, b):\n    return [a, b]\n```", "reward": 1.0}
    as_tuple = row | {
        "completion": [{"role": "assistant", "content": "```python\ndef f(a, b):\n    return (a, b)\n```"}]
    }
    rollouts = tmp_path / "rollouts.jsonl"
    rollouts.write_text(json.dumps(as_list) + "\n" + json.dumps(as_tuple | {"score": 1.0}) + "\n")
    results = rescore(rollouts, {})
    assert [(item.old, item.new) for item in results] == [(1.0, 0.0), (1.0, 1.0)]


def test_rescore_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"env_id": "rlvr/Math-v0", "reward": 1.0}) + "\n")
    with pytest.raises(TaskSourceError, match=r"bad.jsonl:1: no answer"):
        rescore(path, {})
    path.write_text(json.dumps({"env_id": "rlvr/Math-v0", "completion": "\\boxed{1}"}) + "\n")
    with pytest.raises(TaskSourceError, match=r"bad.jsonl:1: no task"):
        rescore(path, {})
    assert main(["rescore", str(path), "--kwargs", "[1]"]) == 2
