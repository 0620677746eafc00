"""``rlvr-envs check ID|FILE.py|MODULE``: put an env through the conformance checks; exit 1 on a failure."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from rlvr_envs.checks import CONFORMANCE, GROUPS, CheckContext, CheckResult, run_checks
from rlvr_envs.checks.loading import envs_registered_by
from rlvr_envs.core.registry import ENV_ID_PATTERN, registered
from rlvr_envs.errors import RLVRError, suggest

NAME = "check"


def add_parser(commands: Any) -> None:
    check = commands.add_parser(
        NAME,
        help="run the conformance checks on an env (yours or ours); exit code 1 if any fails",
        description="Run the env contract's checks (gymnasium's check_env, seeding, determinism across two "
        "processes, pickling, vector envs, fuzzed actions, oracle vs random) on registered envs.",
    )
    check.add_argument(
        "targets",
        nargs="+",
        metavar="ID|FILE.py|MODULE",
        help="an env id (or 'all'), or a .py file / module whose import registers envs (all of them are checked)",
    )
    check.add_argument(
        "--only",
        action="append",
        default=None,
        metavar="CHECK",
        help="run only this conformance check (repeatable; the other groups are skipped unless --group names them)",
    )
    check.add_argument("--group", action="append", default=None, choices=sorted(GROUPS), help="check groups to run")
    check.add_argument("--quick", action="store_true", help="fewer seeds and actions (a smoke test in seconds)")
    check.add_argument("--json", action="store_true", help="print the results as JSON")


def resolve_targets(targets: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Each env id to check with the user modules a fresh process must import for it."""
    import rlvr_envs

    resolved: list[tuple[str, tuple[str, ...]]] = []
    for target in targets:
        if target == "all":
            resolved += [(env_id, ()) for env_id in rlvr_envs.list_envs()]
        elif target.endswith(".py") or not re.fullmatch(ENV_ID_PATTERN, target.rpartition(":")[2]):
            _module, env_ids = envs_registered_by(target)
            if not env_ids:
                raise RLVRError(f"{target}: importing it registered no env (call rlvr_envs.register(...) in it)")
            again = str(Path(target).resolve()) if target.endswith(".py") else target  # what a child process imports
            resolved += [(env_id, (again,)) for env_id in env_ids]
        else:
            module, _, env_id = target.rpartition(":")
            registered(target)  # imports ``module`` of a 'module:id' target; unknown ids suggest close ones
            resolved.append((env_id, (module,) if module else ()))
    return resolved


def run(args: argparse.Namespace, console: Console) -> int:
    names = [check.name for check in CONFORMANCE]
    for name in args.only or []:
        if name not in names:
            raise RLVRError(f"--only {name}: no such check.{suggest(name, names)} Checks: {', '.join(names)}")
    targets = resolve_targets(args.targets)
    rows: list[tuple[str, CheckResult]] = []
    for env_id, imports in targets:
        ctx = CheckContext(env_id=env_id, imports=tuple(imports))
        if args.quick:
            ctx = dataclasses.replace(
                ctx, levels=(0, 2), oracle_seeds=3, random_episodes=20, fuzz_actions=60, shortcut_tasks=20
            )

        def progress(result: CheckResult, env_id: str = env_id) -> None:
            if not args.json:
                mark = "[green]pass[/green]" if result.passed else "[red]FAIL[/red]"
                console.print(f"[dim]{env_id}[/dim] {result.name}: {mark} [dim]({result.seconds:.1f}s)[/dim]")

        # --only names conformance checks: then only that group runs, unless --group asks for more
        groups = args.group or (["conformance"] if args.only else list(GROUPS))
        for group in groups:
            if args.only and group == "conformance":
                chosen = [check for check in CONFORMANCE if check.name in args.only]
                results = run_checks(ctx, chosen, progress)
            else:
                results = GROUPS[group](ctx, progress)
            rows += [(env_id, result) for result in results]
    failed = sum(not result.passed for _, result in rows)
    if args.json:
        print(json.dumps([{"env": env_id, **dataclasses.asdict(result)} for env_id, result in rows], indent=2))
    else:
        console.print(results_table(rows))
        summary = f"{len(rows) - failed} of {len(rows)} checks passed"
        console.print(f"[red]{summary}[/red]" if failed else f"[green]{summary}[/green]")
    return 1 if failed else 0


def results_table(rows: list[tuple[str, CheckResult]]) -> Table:
    table = Table(title="rlvr-envs check")
    for column in ("env", "check", "result", "time", "what to fix"):
        table.add_column(column, justify="right" if column == "time" else "left", no_wrap=column == "env")
    for env_id, result in rows:
        verdict = "pass" if result.passed else "FAIL"
        table.add_row(env_id, result.name, verdict, f"{result.seconds:.1f}s", result.message)
    return table
