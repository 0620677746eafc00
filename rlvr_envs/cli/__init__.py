"""`rlvr-envs` command line: list envs, show a task, play one yourself, evaluate a policy or a server,
check an env's conformance, watch a curriculum, export a dataset, train with GRPO.

One module per command. Each has ``NAME``, ``add_parser(commands)`` (its argparse sub-parser) and
``run(args, console) -> exit code``; a new command is a new module added to ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType
from typing import IO, cast

from rich.console import Console

from rlvr_envs.cli import check, curriculum, evaluate, export, listing, play, rescore, serve, show, train
from rlvr_envs.cli._output import AsciiStream, print_error
from rlvr_envs.errors import FamilyError, RLVRError, suggest

#: The commands in the order ``rlvr-envs --help`` lists them.
COMMANDS: tuple[ModuleType, ...] = (listing, show, play, evaluate, check, export, rescore, curriculum, train, serve)

#: Options of ``rlvr-envs`` itself (before the command): they take no value except ``--import``.
_GLOBAL_FLAGS = {"--traceback"}
_GLOBAL_WITH_VALUE = {"--import"}


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Argument help followed by its default (left out where there is none: ``None``, ``False``, ``[]``)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, []) or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    from rlvr_envs import __version__

    parser = argparse.ArgumentParser(
        prog="rlvr-envs", description=__doc__.split("\n\n")[0], formatter_class=HelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"rlvr-envs {__version__}")
    parser.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE|FILE.py",
        help="import this first (repeatable): the envs it registers become usable by every command",
    )
    parser.add_argument("--traceback", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands._parser_class = functools.partial(argparse.ArgumentParser, formatter_class=HelpFormatter)  # type: ignore[assignment]
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def make_console() -> Console:
    # Piped output (CI logs, `| tee`) would otherwise be squeezed to 80 columns, which hides the
    # numbers of a results table behind long policy names; COLUMNS still wins when set.
    # Piped output gets ASCII table lines (no box drawing in logs or `| grep`).
    if sys.stdout.isatty():
        return Console()
    return Console(file=cast(IO[str], AsciiStream(sys.stdout)), width=None if os.environ.get("COLUMNS") else 160)


def _split_trainer(argv: list[str]) -> tuple[list[str], list[str]] | None:
    """``(global options, trainer arguments)`` when the command is ``train`` (it parses its own)."""
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] in _GLOBAL_WITH_VALUE else 1
    if index < len(argv) and argv[index] == train.NAME:
        return argv[:index], argv[index + 1 :]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    console = make_console()
    parser = build_parser()
    trainer = _split_trainer(argv)
    if trainer is None:  # `rlvr-envs show ID --traceback` works as well as `rlvr-envs --traceback show ID`
        argv = [arg for arg in argv if arg in _GLOBAL_FLAGS] + [arg for arg in argv if arg not in _GLOBAL_FLAGS]
    args, unknown = parser.parse_known_args(trainer[0] if trainer is not None else argv)
    if unknown:
        _refuse_unknown(parser, args, unknown)
    if trainer is None and args.command is None:
        parser.print_help()
        return 0
    by_name = {command.NAME: command for command in COMMANDS}
    try:
        from rlvr_envs.checks.loading import import_user_modules

        import_user_modules(args.imports)
        if trainer is not None:
            return train.run_trainer(trainer[1])
        return int(by_name[args.command].run(args, console))
    except KeyboardInterrupt:
        print_error(console, "interrupted")
        return 130
    except Exception as exc:
        if args.traceback:
            traceback.print_exc()
        if isinstance(exc, RLVRError) and not isinstance(exc, FamilyError):
            print_error(console, str(exc))
            return 2
        what = str(exc) if isinstance(exc, FamilyError) else f"{type(exc).__name__}: {exc}{_where(exc)}"
        hint = "" if args.traceback else " (run `rlvr-envs --traceback ...` for the full traceback)"
        print_error(console, what + hint)
        return 1


def _refuse_unknown(parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]) -> None:
    """argparse's "unrecognized arguments" error, from the command's parser, with the nearest flag it has."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    owner = commands.choices.get(args.command, parser) if args.command else parser
    flags = sorted({flag for each in {parser, owner} for action in each._actions for flag in action.option_strings})
    hints = [suggest(arg.split("=")[0], flags) for arg in unknown if arg.startswith("--")]
    owner.error(f"unrecognized arguments: {' '.join(unknown)}.{''.join(h for h in hints if h)}")


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""


__all__ = ["COMMANDS", "HelpFormatter", "build_parser", "main"]
