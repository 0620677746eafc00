"""``rlvr-envs show ID``: one task, its messages, tools and gold answer."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console

import rlvr_envs
from rlvr_envs.cli._output import content_text, labelled, non_negative_int

NAME = "show"
#: Long-context tasks have prompts of hundreds of kilobytes; a terminal wants the start of it.
MAX_CHARS = 2000


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with a note of how much was left out (``limit`` 0: all)."""
    if limit <= 0 or len(text) <= limit:
        return text
    return f"{text[:limit]}\n[... {len(text) - limit:,} more characters; --full prints everything]"


def add_parser(commands: Any) -> None:
    show = commands.add_parser(NAME, help="print one task with its gold answer")
    show.add_argument("env_id", help="an env id (`rlvr-envs list`), or module:id for an env a module registers")
    show.add_argument(
        "--level", type=non_negative_int, default=None, help="fixed difficulty (omit: the curriculum picks)"
    )
    show.add_argument("--seed", type=non_negative_int, default=0, help="reset seed (same seed, same task)")
    show.add_argument("--json", action="store_true", help="print the Task as JSON (never truncated)")
    show.add_argument(
        "--max-chars",
        type=non_negative_int,
        default=MAX_CHARS,
        help="cut each message to this many characters (0: print everything)",
    )
    show.add_argument("--full", action="store_true", help="print every message in full (same as --max-chars 0)")


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
    limit = 0 if args.full else args.max_chars
    for message in info["messages"]:
        labelled(console, message["role"], shorten(content_text(message["content"]), limit))
    if info["tools"]:
        labelled(console, "tools", ", ".join(t.get("function", t).get("name", "?") for t in info["tools"]))
    labelled(console, "gold", shorten(json.dumps(task.data, ensure_ascii=False), limit), style="bold green")
    if task.metadata:
        labelled(console, "metadata", shorten(json.dumps(task.metadata, ensure_ascii=False), limit))
    env.close()
    return 0
