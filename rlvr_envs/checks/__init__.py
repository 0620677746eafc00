"""Checks any registered env can be put through (ours and users'): conformance and shortcut probes.

`rlvr-envs check ID` runs them from the command line; `tests/conformance/` runs the same code.
A check group is a function ``(ctx, on_result) -> list[CheckResult]``; `GROUPS` lists the groups
``rlvr-envs check`` runs, in order (add a group here and the command and its table pick it up).
"""

from __future__ import annotations

from collections.abc import Callable

from rlvr_envs.checks.conformance import (
    CONFORMANCE,
    Check,
    CheckContext,
    CheckFailed,
    CheckResult,
    run_check,
    run_checks,
)

Group = Callable[[CheckContext, Callable[[CheckResult], None] | None], list[CheckResult]]


def conformance_group(ctx: CheckContext, on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """The env contract: gymnasium's checker, seeding, pickling, vector envs, fuzzing, oracle vs random."""
    return run_checks(ctx, CONFORMANCE, on_result)


#: The check groups of ``rlvr-envs check``, by name, in the order they run.
GROUPS: dict[str, Group] = {"conformance": conformance_group}

__all__ = [
    "CONFORMANCE",
    "GROUPS",
    "Check",
    "CheckContext",
    "CheckFailed",
    "CheckResult",
    "Group",
    "conformance_group",
    "run_check",
    "run_checks",
]
