"""`rlvr-envs` command line: list envs, show a task, play one yourself, evaluate a policy or a server,
watch a curriculum, export a dataset, train with GRPO.

One module per command. Each has ``NAME``, ``add_parser(commands)`` (its argparse sub-parser) and
``run(args, console) -> exit code``; a new command is a new module added to ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from rich.console import Console

from rlvr_envs.cli import curriculum, evaluate, export, listing, play, rescore, show, train
from rlvr_envs.cli._output import print_error
from rlvr_envs.errors import RLVRError

#: The commands in the order ``rlvr-envs --help`` lists them.
COMMANDS: tuple[ModuleType, ...] = (listing, show, play, evaluate, export, rescore, curriculum, train)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rlvr-envs", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def make_console() -> Console:
    # Piped output (CI logs, `| tee`) would otherwise be squeezed to 80 columns, which hides the
    # numbers of a results table behind long policy names; COLUMNS still wins when set.
    return Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    console = make_console()
    if argv[:1] == [train.NAME]:  # the trainer parses its own arguments (--help included)
        try:
            return train.run_trainer(argv[1:])
        except RLVRError as exc:
            print_error(console, str(exc))
            return 2
    args = build_parser().parse_args(argv)
    by_name = {command.NAME: command for command in COMMANDS}
    try:
        return int(by_name[args.command].run(args, console))
    except RLVRError as exc:
        print_error(console, str(exc))
        return 2


__all__ = ["COMMANDS", "build_parser", "main"]
