"""``rlvr-envs show ID``: one task, its messages, tools and gold answer."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console

import rlvr_envs
from rlvr_envs.cli._output import content_text, labelled

NAME = "show"


def add_parser(commands: Any) -> None:
    show = commands.add_parser(NAME, help="print one task with its gold answer")
    show.add_argument("env_id")
    show.add_argument("--level", type=int, default=None)
    show.add_argument("--seed", type=int, default=0)
    show.add_argument("--json", action="store_true", help="print the Task as JSON")


def run(args: argparse.Namespace, console: Console) -> int:
    env = rlvr_envs.make(args.env_id)
    options = {"level": args.level} if args.level is not None else None
    _observation, info = env.reset(seed=args.seed, options=options)
    task = rlvr_envs.unwrap(env).task
    if task is None:  # pragma: no cover - reset always sets a task
        return 1
    if args.json:
        console.print_json(task.model_dump_json())
        return 0
    console.rule(f"{args.env_id}  task {task.task_id}  level {task.level}")
    for message in info["messages"]:
        labelled(console, message["role"], content_text(message["content"]))
    if info["tools"]:
        labelled(console, "tools", ", ".join(t.get("function", t).get("name", "?") for t in info["tools"]))
    labelled(console, "gold", json.dumps(task.data, ensure_ascii=False)[:2000], style="bold green")
    if task.metadata:
        labelled(console, "metadata", json.dumps(task.metadata, ensure_ascii=False)[:2000])
    env.close()
    return 0
