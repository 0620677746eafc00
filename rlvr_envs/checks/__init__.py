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


def shortcut_group(ctx: CheckContext, on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Cheap task-blind policies (constants, echoes, first numbers, priors...) must earn next to nothing.

    One result per policy; it fails when the policy beats the bars (mean reward above the format floor,
    share of tasks with full reward) at any level of ``ctx.levels``.
    """
    import time

    from rlvr_envs.checks.shortcuts import run_shortcuts

    start = time.perf_counter()
    # a sample of ctx.shortcut_tasks (20-100) is judged with room for sampling noise; the full audit
    # (`python -m rlvr_envs.checks.shortcuts`, 1,000 tasks) holds the exact bars
    report = run_shortcuts(ctx.env_id, list(ctx.levels), ctx.shortcut_tasks, seed=0, sampling_noise=True)
    seconds = (time.perf_counter() - start) / max(1, len({r.policy for r in report.results}))
    results: list[CheckResult] = []
    for policy in dict.fromkeys(r.policy for r in report.results):
        rows = [r for r in report.results if r.policy == policy]
        failing = [r for r in rows if not r.passed]
        message = "; ".join(
            f"level {r.level}: +{r.excess_reward:.3f} mean above the floor (allowed {r.mean_bar:.3f} on "
            f"{r.tasks} tasks), full reward on {r.full_share:.1%} of tasks (allowed {r.full_bar:.1%})"
            for r in failing
        )
        if failing:
            message += ": make the generator redraw tasks this policy solves, or the verifier refuse its answers"
        result = CheckResult(
            name=f"shortcut:{policy}",
            passed=not failing,
            message=message,
            seconds=seconds,
            details={"results": [r.model_dump() for r in rows]},
        )
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


#: The check groups of ``rlvr-envs check``, by name, in the order they run.
GROUPS: dict[str, Group] = {"conformance": conformance_group, "shortcuts": shortcut_group}

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
    "shortcut_group",
]
