"""Rich tables of a curriculum: where episodes went, how each level fares, where the frontier is.

Used by ``rlvr-envs curriculum``; trainers can print the same view with `curriculum_panel`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from rich.console import Group
from rich.table import Table
from rich.text import Text

from rlvr_envs.curriculum import Controller

_BAR_WIDTH = 30


def _bar(share: float) -> str:
    return "█" * round(share * _BAR_WIDTH)


def level_table(
    controller: Controller,
    played: Mapping[int, int] | None = None,
    passed: Mapping[int, float] | None = None,
    *,
    title: str = "levels",
) -> Table:
    """One row per level: episodes played in this run (with a bar), their pass rate, the controller's view."""
    played = Counter(played or {})
    passed = dict(passed or {})
    known = controller.level_summary()
    total = sum(played.values())
    table = Table(title=title)
    for column in ("level", "episodes", "share", "pass rate", "controller: episodes", "controller: pass rate"):
        table.add_column(column, justify="left" if column == "share" else "right")
    for level in sorted(set(played) | set(known)):
        count = played.get(level, 0)
        share = count / total if total else 0.0
        rate = f"{passed[level] / count:.1%}" if count and level in passed else "-"
        episodes, estimate = known.get(level, (0, None))
        table.add_row(
            str(level),
            str(count),
            f"{_bar(share)} {share:.0%}" if total else "",
            rate,
            str(episodes) if level in known else "-",
            f"{estimate:.1%}" if estimate is not None else "-",
        )
    return table


def curriculum_panel(
    controller: Controller, played: Mapping[int, int] | None = None, passed: Mapping[int, float] | None = None
) -> Group:
    """The controller's kind, parameters and frontier over its level table (and mixture weights)."""
    state = controller.state().model_dump()
    params = {key: value for key, value in state.items() if key not in {"kind", "stats", "children", "components"}}
    parts: list[Table | Text] = [Text.assemble(("curriculum: ", "bold"), f"{state['kind']} {params}")]
    frontier = controller.frontier()
    if frontier is not None:
        parts.append(Text.assemble(("frontier: ", "bold"), str(frontier)))
    moves = (state.get("stats") or {}).get("moves") or []
    if moves:
        path = ", ".join(f"{m['level']} after {m['rollouts']}" for m in moves[-8:])
        parts.append(Text.assemble(("frontier moves (level after episodes): ", "bold"), path))
    if state["kind"] == "mixture":
        weights = Table(title="components")
        for column in ("component", "weight", "episodes"):
            weights.add_column(column)
        components = (state.get("stats") or {}).get("components", {})
        for name, weight in controller.weights().items():  # type: ignore[attr-defined]
            weights.add_row(name, f"{_bar(weight)} {weight:.0%}", str(components.get(name, {}).get("episodes", 0)))
        parts.append(weights)
    else:
        parts.append(level_table(controller, played, passed))
    return Group(*parts)
