"""The `rlvr-envs` CLI: list, show, play (scripted stdin), eval with JSONL output, errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from rlvr_envs import cli


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().out


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["list"], capsys)
    assert code == 0 and "rlvr/Math-v0" in out and "rlvr/MathRetry-v0" in out


def test_show_prints_task_and_gold(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["show", "rlvr/Math-v0", "--level", "2", "--seed", "3"], capsys)
    assert code == 0 and "gold:" in out and "math:2:" in out
    code, out = run(["show", "rlvr/Math-v0", "--seed", "3", "--json"], capsys)
    assert json.loads(out)["family"] == "math"


def test_unknown_id_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["show", "rlvr/Mth-v0"], capsys)
    assert code == 2 and "Did you mean" in out


def test_eval_writes_records_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "records.jsonl"
    code, out = run(
        ["eval", "rlvr/Math-v0", "--policy", "oracle", "--policy", "random", "--episodes", "5", "--out", str(out_file)],
        capsys,
    )
    assert code == 0 and "evaluation" in out and "+1.000" in out
    records = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert len(records) == 10
    assert {r["policy"] for r in records} == {"oracle", "random"}
    assert all(r["reward"] == 1.0 for r in records if r["policy"] == "oracle")


def test_eval_rejects_bad_policy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["eval", "rlvr/Math-v0", "--policy", "nonsense", "--episodes", "1"], capsys)
    assert code == 2 and "unknown policy" in out


def test_play_scripted_session() -> None:
    from rlvr_envs.envs.api import make, unwrap

    env = make("rlvr/Math-v0")
    env.reset(seed=8, options={"level": 0})
    gold = unwrap(env).task.data["answer"]  # type: ignore[union-attr]
    console = Console(file=io.StringIO(), width=200)
    args = cli.build_parser().parse_args(["play", "rlvr/Math-v0", "--seed", "8", "--level", "0"])
    code = cli.play.run(args, console, stream=io.StringIO(f"thinking...\n\\boxed{{{gold}}}\n.\n"))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert code == 0 and "reward +1.000" in text


def test_eval_loads_a_python_policy_factory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_policy.py").write_text(
        "def make(env):\n    return lambda observation, info: 'Final answer: 42'\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    out_file = tmp_path / "out.jsonl"
    code, _ = run(
        ["eval", "rlvr/Math-v0", "--policy", "python:my_policy:make", "--episodes", "3", "--out", str(out_file)],
        capsys,
    )
    records = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert code == 0 and len(records) == 3
    assert all(r["messages"][-1]["content"] == "Final answer: 42" for r in records)
    code, out = run(["eval", "rlvr/Math-v0", "--policy", "python:no_such_module:make", "--episodes", "1"], capsys)
    assert code == 2 and "cannot load policy" in out


def test_curriculum_runs_prints_frontier_and_saves_a_resumable_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "curriculum.json"
    table = '{"kind": "frontier", "min_rollouts": 5, "threshold": 0.6}'
    argv = ["curriculum", "rlvr/Math-v0", "--episodes", "60", "--policy", "oracle", "--controller", table]
    code, out = run([*argv, "--save", str(state)], capsys)
    assert code == 0 and "frontier:" in out and "frontier moves" in out
    saved = json.loads(state.read_text())
    assert saved["kind"] == "frontier" and saved["stats"]["rollouts"] == 60 and saved["stats"]["frontier"] >= 3
    code, out = run(
        ["curriculum", "rlvr/Math-v0", "--episodes", "5", "--resume", str(state), "--save", str(state)], capsys
    )
    assert code == 0 and json.loads(state.read_text())["stats"]["rollouts"] == 65
    code, out = run(["curriculum", "--show", str(state)], capsys)
    assert code == 0 and "levels" in out


def test_curriculum_with_the_spec_default_and_a_skill_policy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["curriculum", "rlvr/Math-v0", "--episodes", "30", "--policy", "skill:2"], capsys)
    assert code == 0 and "thompson" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["curriculum"], "give an env id"),
        (["curriculum", "rlvr/Math-v0", "--controller", "{oops"], "JSON object"),
        (["curriculum", "rlvr/Math-v0", "--controller", '{"kind": "frontear"}'], "Did you mean"),
        (["curriculum", "rlvr/Math-v0", "--policy", "skill:high"], "must be a number"),
        (["curriculum", "--show", "/nonexistent/state.json"], "cannot read"),
    ],
)
def test_curriculum_errors_are_clean(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(argv, capsys)
    assert code == 2 and message in out.replace("\n", " ")


def test_train_without_torch_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    code, out = run(["train", "--config", "anything.toml"], capsys)
    assert code == 2 and "needs torch" in out and ".[train]" in out
