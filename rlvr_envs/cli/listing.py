"""``rlvr-envs list``: the registered env ids as a table."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from rlvr_envs.core.registry import list_specs

NAME = "list"


def add_parser(commands: Any) -> None:
    commands.add_parser(NAME, help="table of registered env ids")


def run(args: argparse.Namespace, console: Console) -> int:
    table = Table(title="rlvr-envs environments")
    for column in ("id", "family", "turns", "curriculum", "description"):
        table.add_column(column)
    for spec in list_specs():
        curriculum = spec.curriculum.get("kind", "fixed") if spec.curriculum else f"fixed({spec.default_level})"
        table.add_row(spec.id, spec.family, str(spec.max_turns), str(curriculum), spec.description)
    console.print(table)
    return 0
