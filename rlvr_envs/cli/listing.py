"""``rlvr-envs list``: the registered env ids as a table."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from rlvr_envs.core.registry import EnvSpecModel, list_specs

NAME = "list"


def add_parser(commands: Any) -> None:
    listing = commands.add_parser(NAME, help="table of registered env ids")
    listing.add_argument("--json", action="store_true", help="print the specs as a JSON list")


def curriculum_label(spec: EnvSpecModel) -> str:
    """The curriculum column: the controller kind and its level range when the table gives one."""
    if not spec.curriculum:
        return f"fixed({spec.default_level})"
    kind = str(spec.curriculum.get("kind", "fixed"))
    if "high" in spec.curriculum:
        return f"{kind} {spec.curriculum.get('low', 0)}..{spec.curriculum['high']}"
    if kind == "fixed":
        return f"fixed({spec.curriculum.get('level', spec.default_level)})"
    return kind


def run(args: argparse.Namespace, console: Console) -> int:
    if args.json:
        print(json.dumps([spec.model_dump() for spec in list_specs()], indent=2, default=str))
        return 0
    table = Table(title="rlvr-envs environments")
    for column in ("id", "family", "turns", "curriculum", "description"):
        table.add_column(column)
    for spec in list_specs():
        table.add_row(spec.id, spec.family, str(spec.max_turns), curriculum_label(spec), spec.description)
    console.print(table)
    return 0
