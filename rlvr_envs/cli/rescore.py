"""``rlvr-envs rescore FILE``: re-verify stored rollouts with today's verifiers and show what changed.

Reads ``.jsonl`` / ``.jsonl.gz`` rows in either layout:

* **eval records** (``rlvr-envs eval --out``, `EpisodeRecord`): ``env_id``, ``task_id``,
  ``messages``, ``reward``; the task is rebuilt from its id (generated ids replay exactly; dataset
  rows need the env's ``source``, given with ``--kwargs``);
* **export rows** (``rlvr-envs export``, TRL/verl layouts) with a model answer added: ``task`` (or
  ``reward_model.ground_truth``, or ``extra_info.tools_kwargs.task``), ``env_id`` (or
  ``data_source``), the answer in ``completion`` / ``response`` (text or chat messages), and the
  old score in ``reward`` / ``score``.

Prints old vs new reward for every row that changed and a summary table per env id.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from rlvr_envs.errors import RLVRError, TaskSourceError

NAME = "rescore"
_ANSWER_FIELDS = ("completion", "response", "output")
_REWARD_FIELDS = ("reward", "score")
_TOLERANCE = 1e-9


@dataclass
class Rescored:
    line: int
    env_id: str
    task_id: str
    old: float | None
    new: float
    reason: str


def add_parser(commands: Any) -> None:
    """``rlvr-envs rescore FILE [--kwargs JSON] [--all]``."""
    parser = commands.add_parser(NAME, help="re-verify stored rollouts with the current verifiers")
    parser.add_argument("file", type=Path, help="eval records or export rows with answers (.jsonl / .jsonl.gz)")
    parser.add_argument(
        "--kwargs", default="{}", help='env keyword arguments as JSON, e.g. \'{"source": "HumanEval.jsonl.gz"}\''
    )
    parser.add_argument("--all", action="store_true", help="list every row, not only the changed ones")


def _answer(record: dict[str, Any]) -> Any:
    if isinstance(record.get("messages"), list) and "task_id" in record:
        return record["messages"]
    for name in _ANSWER_FIELDS:
        value = record.get(name)
        if isinstance(value, str | list):
            return value
    raise TaskSourceError(
        f"no answer: expected 'messages' (an eval record) or one of {', '.join(_ANSWER_FIELDS)} (an export row)"
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _task_json(record: dict[str, Any]) -> Any:
    extra, model = _mapping(record.get("extra_info")), _mapping(record.get("reward_model"))
    for value in (record.get("task"), model.get("ground_truth"), _mapping(extra.get("tools_kwargs")).get("task")):
        if isinstance(value, str):
            return json.loads(value)
        if isinstance(value, dict):
            return value
    return None


def _env_id(record: dict[str, Any]) -> str:
    extra = _mapping(record.get("extra_info"))
    for value in (record.get("env_id"), record.get("data_source"), extra.get("env_id")):
        if isinstance(value, str) and value:
            return value
    raise TaskSourceError("no env id: expected 'env_id' (or 'data_source', 'extra_info.env_id')")


def _old_reward(record: dict[str, Any]) -> float | None:
    for name in _REWARD_FIELDS:
        value = record.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


class _Scorer:
    """One env per env id (made with the user's kwargs), reused for every row."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.kwargs = kwargs
        self.envs: dict[str, Any] = {}

    def score(self, record: dict[str, Any]) -> tuple[str, str, float, str]:
        import rlvr_envs
        from rlvr_envs.core.types import Task

        env_id = _env_id(record)
        answer = _answer(record)
        if env_id not in self.envs:
            self.envs[env_id] = rlvr_envs.make(env_id, **self.kwargs)
        env = rlvr_envs.unwrap(self.envs[env_id])
        stored = _task_json(record)
        if stored is not None:
            task = Task.model_validate(stored)
        else:
            if "task_id" not in record:
                raise TaskSourceError("no task: expected 'task' (an export row) or 'task_id' (an eval record)")
            env.reset(options={"task_id": str(record["task_id"])})
            if env.task is None:
                raise TaskSourceError(f"task {record['task_id']!r} could not be rebuilt")
            task = env.task
        verdict = env.family.verify(task, answer)
        return env_id, task.task_id, float(verdict.reward), verdict.reason or ""

    def close(self) -> None:
        for env in self.envs.values():
            env.close()


def rescore(path: Path, kwargs: dict[str, Any], console: Console | None = None) -> list[Rescored]:
    """Every row of ``path`` re-verified (`TaskSourceError` naming the line for a row it cannot read)."""
    from rlvr_envs.core.datasets import read_jsonl

    rows = list(read_jsonl(str(path), "rollout file"))
    scorer = _Scorer(kwargs)
    results: list[Rescored] = []
    try:
        with Progress(console=console, transient=True, disable=console is None) as progress:
            bar = progress.add_task("re-verifying", total=len(rows))
            for number, record in rows:
                try:
                    env_id, task_id, new, reason = scorer.score(record)
                except RLVRError as exc:
                    raise TaskSourceError(f"{path}:{number}: {exc}") from exc
                except (ValueError, TypeError) as exc:
                    raise TaskSourceError(f"{path}:{number}: cannot rebuild the task ({exc})") from exc
                results.append(Rescored(number, env_id, task_id, _old_reward(record), new, reason))
                progress.advance(bar)
    finally:
        scorer.close()
    return results


def _changed(item: Rescored) -> bool:
    return item.old is None or abs(item.old - item.new) > _TOLERANCE


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        kwargs = json.loads(args.kwargs)
    except ValueError as exc:
        raise RLVRError(f'--kwargs is not JSON ({exc}); e.g. --kwargs \'{{"source": "data.jsonl"}}\'') from exc
    if not isinstance(kwargs, dict):
        raise RLVRError("--kwargs must be a JSON object")
    results = rescore(args.file, kwargs, console)
    shown = [item for item in results if args.all or _changed(item)]
    if shown:
        rows = Table(title=f"{len(shown)} row(s) {'re-scored' if args.all else 'whose reward changed'}")
        for column in ("line", "env", "task", "old", "new", "reason"):
            rows.add_column(column, justify="right" if column in ("line", "old", "new") else "left")
        for item in shown:
            old = "-" if item.old is None else f"{item.old:.3f}"
            rows.add_row(str(item.line), item.env_id, item.task_id, old, f"{item.new:.3f}", item.reason[:60])
        console.print(rows)
    summary = Table(title=f"rescore {args.file}")
    for column in ("env", "rows", "changed", "up", "down", "mean old", "mean new"):
        summary.add_column(column, justify="left" if column == "env" else "right")
    for env_id in sorted({item.env_id for item in results}):
        group = [item for item in results if item.env_id == env_id]
        olds = [item.old for item in group if item.old is not None]
        summary.add_row(
            env_id,
            str(len(group)),
            str(sum(_changed(item) for item in group)),
            str(sum(item.old is not None and item.new > item.old + _TOLERANCE for item in group)),
            str(sum(item.old is not None and item.new < item.old - _TOLERANCE for item in group)),
            f"{sum(olds) / len(olds):.3f}" if olds else "-",
            f"{sum(item.new for item in group) / len(group):.3f}",
        )
    console.print(summary)
    return 0
