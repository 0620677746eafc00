"""TRL adapters: reward functions on exported rows, the environment_factory class under TRL's own
tool-schema machinery, and (slow) TRL's real GRPOTrainer for two steps with our rewards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr_envs.errors import InvalidOptionError
from rlvr_envs.integrations.export import ExportConfig, iter_rows
from rlvr_envs.integrations.trl import environment_factory, environment_reward, reward_funcs


def _rows(n: int = 4) -> list[dict[str, Any]]:
    return list(iter_rows(ExportConfig(env_id="rlvr/Math-v0", n=n, levels=(0, 1, 2), seed=11)))


def test_reward_funcs_score_rows_and_components() -> None:
    rows = _rows()
    gold = [json.loads(r["reward_model"]["ground_truth"])["data"]["answer"] for r in rows]
    completions: list[Any] = [[{"role": "assistant", "content": f"So \\boxed{{{g}}}"}] for g in gold]
    completions[1] = [{"role": "assistant", "content": "I give up"}]
    completions[2] = "\\boxed{123456789}"  # standard (non-conversational) format
    funcs = reward_funcs("rlvr/Math-v0", components=["correct", "format", "no_such_part"])
    assert [f.__name__ for f in funcs] == ["rlvr_reward", "rlvr_correct", "rlvr_format", "rlvr_no_such_part"]
    kwargs = {
        "prompts": [r["prompt"] for r in rows],
        "completions": completions,
        "task": [r["reward_model"]["ground_truth"] for r in rows],
    }
    assert funcs[0](**kwargs) == [1.0, 0.0, 0.0, 1.0]
    assert funcs[1](**kwargs) == [1.0, 0.0, 0.0, 1.0]
    assert funcs[2](**kwargs)[1] == 0.0 and funcs[2](**kwargs)[0] == 1.0
    assert funcs[3](**kwargs) == [None] * 4  # TRL skips None


def test_reward_funcs_read_env_id_column_and_reject_missing_one() -> None:
    rows = _rows(2)
    (func,) = reward_funcs()
    completions = ["\\boxed{0}", "\\boxed{0}"]
    rewards = func(
        prompts=[],
        completions=completions,
        task=[r["reward_model"]["ground_truth"] for r in rows],
        env_id=[r["env_id"] for r in rows],
    )
    assert len(rewards) == 2 and all(r in (0.0, 1.0) for r in rewards)
    with pytest.raises(InvalidOptionError, match="env_id"):
        func(prompts=[], completions=completions, task=[r["reward_model"]["ground_truth"] for r in rows])


def test_environment_factory_tools_render_with_transformers_schema() -> None:
    pytest.importorskip("transformers")
    from transformers.utils import get_json_schema

    env_class = environment_factory("rlvr/LongContextSearch-v0")
    schema = get_json_schema(env_class.search)  # what TRL renders into the prompt
    assert schema["function"]["name"] == "search"
    assert schema["function"]["parameters"]["required"] == ["query"]
    assert get_json_schema(env_class.open)["function"]["parameters"]["required"] == ["doc_id"]


def test_environment_factory_episode_from_dataset_row_and_reward() -> None:
    rows = list(iter_rows(ExportConfig(env_id="rlvr/LongContextSearch-v0", n=1, levels=(0,), seed=2)))
    env_class = environment_factory("rlvr/LongContextSearch-v0")
    env = env_class()
    assert env.reset(**rows[0]) is None  # the row's prompt already holds the task
    assert env.task is not None and env.task.task_id == rows[0]["task_id"]
    found = env.search(query=env.task.prompt.split()[-1])
    assert "result" in found or "no document" in found
    oracle = env._env.unwrapped.family.oracle_action  # the family's answer for the current state
    answer = oracle(env._env.unwrapped.state)
    while answer.startswith("<tool_call>"):  # play the oracle's tool calls as real tool calls
        call = json.loads(answer[len("<tool_call>") : answer.index("</tool_call>")])
        getattr(env, call["name"])(**call["arguments"])
        answer = oracle(env._env.unwrapped.state)
    assert environment_reward([[{"role": "assistant", "content": answer}]], [env]) == [1.0]
    assert env.verdict is not None and env.verdict["correct"]
    # a fresh generated episode (no dataset) returns the system prompt and the task text
    text = env_class().reset(level=0, seed=5)
    assert text is not None and "<answer>" in text
    fresh = env_class()
    fresh.reset(level=0, seed=6)
    assert environment_reward(["no idea"], [fresh]) == [0.0]
    assert fresh.search(query="x") == "The episode has ended."


def _grpo_config(tmp_path: Path, **overrides: Any) -> Any:
    """Two logged GRPO steps of 4 completions x 16 tokens on CPU (what both trainer tests run)."""
    from trl import GRPOConfig

    settings: dict[str, Any] = {
        "output_dir": str(tmp_path),
        "max_steps": 2,
        "per_device_train_batch_size": 4,
        "num_generations": 4,
        "max_completion_length": 16,
        "logging_steps": 1,
        "report_to": [],
        "use_cpu": True,
        "save_strategy": "no",
        "seed": 0,
    }
    return GRPOConfig(**{**settings, **overrides})


def _log_capture() -> tuple[Any, list[dict[str, float]]]:
    """A TrainerCallback that keeps every dict the trainer logs, and that list."""
    from transformers import TrainerCallback

    logs: list[dict[str, float]] = []

    class Capture(TrainerCallback):  # type: ignore[misc]
        def on_log(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            logs.append(dict(kw.get("logs") or {}))

    return Capture(), logs


@pytest.mark.slow
def test_grpo_trainer_two_steps_logs_our_rewards(tmp_path: Path) -> None:
    pytest.importorskip("trl")
    datasets = pytest.importorskip("datasets")
    from trl import GRPOTrainer

    from .tiny_model import build_tiny

    model, tokenizer = build_tiny()
    rows = list(iter_rows(ExportConfig(env_id="rlvr/Math-v0", n=8, levels=(0,), seed=0)))
    dataset = datasets.Dataset.from_list(
        [{k: r[k] for k in ("prompt", "reward_model", "env_id", "level")} for r in rows]
    )
    returned: list[float] = []
    reward, correct = reward_funcs("rlvr/Math-v0", components=["correct"])

    def rlvr_reward(**kwargs: Any) -> list[float | None]:
        values = reward(**kwargs)
        returned.extend(v for v in values if v is not None)
        return values

    capture, logs = _log_capture()
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[rlvr_reward, correct],
        args=_grpo_config(tmp_path, learning_rate=1e-3, reward_weights=[1.0, 0.0]),
        train_dataset=dataset,
        processing_class=tokenizer,
        callbacks=[capture],
    )
    trainer.train()
    step_logs = [entry for entry in logs if "rewards/rlvr_reward/mean" in entry]
    assert len(step_logs) == 2, logs
    assert "rewards/rlvr_correct/mean" in step_logs[0]
    assert len(returned) == 2 * 4  # two steps of 4 completions went through our verifier
    logged = [entry["rewards/rlvr_reward/mean"] for entry in step_logs]
    expected = [sum(returned[:4]) / 4, sum(returned[4:]) / 4]
    assert logged == pytest.approx(expected)


@pytest.mark.slow
def test_grpo_trainer_environment_factory_runs_our_env(tmp_path: Path) -> None:
    """TRL's tool loop with our environment class: one env per rollout, reset from the dataset row,
    tools rendered into the prompt, the episode scored by environment_reward."""
    trl = pytest.importorskip("trl")
    datasets = pytest.importorskip("datasets")
    from trl import GRPOTrainer

    from .tiny_model import build_tiny

    template = (Path(trl.__file__).parent / "chat_templates" / "qwen2_5.jinja").read_text()
    model, tokenizer = build_tiny(chat_template=template)
    rows = list(iter_rows(ExportConfig(env_id="rlvr/LongContextSearch-v0", n=4, levels=(0,), seed=0)))
    dataset = datasets.Dataset.from_list([{k: r[k] for k in ("prompt", "reward_model", "env_id")} for r in rows])
    base = environment_factory("rlvr/LongContextSearch-v0")
    instances: list[Any] = []
    reset_tasks: list[str] = []

    class Recorded(base):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            super().__init__()
            instances.append(self)

        def reset(self, **row: Any) -> str | None:
            reset_tasks.append(json.loads(row["reward_model"]["ground_truth"])["task_id"])
            return super().reset(**row)

    scored: list[float] = []

    def rlvr_env_reward(completions: Any, environments: Any, **kwargs: Any) -> list[float]:
        values = environment_reward(completions, environments, **kwargs)
        scored.extend(values)
        return values

    capture, logs = _log_capture()
    config = _grpo_config(tmp_path, max_tool_calling_iterations=2)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[rlvr_env_reward],
        args=config,
        train_dataset=dataset,
        processing_class=tokenizer,
        environment_factory=Recorded,
        callbacks=[capture],
    )
    assert {tool.__name__ for tool in trainer.tools} == {"search", "open"}  # our env's tools, as TRL sees them
    trainer.train()
    assert len(reset_tasks) == 8 and set(reset_tasks) <= {r["task_id"] for r in rows}
    assert len(scored) == 8 and all(-1.0 <= v <= 1.0 for v in scored)
    assert all(env.verdict is not None for env in instances if env.task is not None)  # every episode was judged
    step_logs = [entry for entry in logs if "rewards/rlvr_env_reward/mean" in entry]
    assert len(step_logs) == 2
