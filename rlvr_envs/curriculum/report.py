"""Rich tables of a curriculum: where episodes went, how each level fares, where the frontier is.

Used by ``rlvr-envs curriculum``; trainers can print the same view with `curriculum_panel`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from rlvr_envs.curriculum import Controller

_BAR_WIDTH = 30


class ShareBar:
    """``share`` as a bar and a percentage: ``█`` on a UTF-8 terminal, ``#`` where the output is ASCII.

    The choice is made when rendering, by the same test rich uses to draw ASCII table lines
    (``options.ascii_only``: the console's encoding is not UTF-8, as for the CLI's piped output),
    so a piped report has neither box drawing nor block characters. ``top`` is the largest share in
    the column: in a narrow table every bar of the column shrinks by the same factor.
    """

    def __init__(self, share: float, top: float = 1.0) -> None:
        self.share = share
        self.top = max(top, share, 1e-9)

    def text(self, *, ascii_only: bool, unit: float = _BAR_WIDTH) -> str:
        """``unit``: characters for a share of 100%."""
        return ("#" if ascii_only else "█") * round(self.share * unit) + f" {self.share:.0%}"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        unit = min(float(_BAR_WIDTH), max(0, options.max_width - len(" 100%")) / self.top)
        yield Text(self.text(ascii_only=options.ascii_only, unit=unit), no_wrap=True, overflow="crop")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(len(" 100%") + 1, round(self.top * _BAR_WIDTH) + len(" 100%"))


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
            ShareBar(share, top=max(played.values()) / total) if total else "",
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
        shares = controller.weights()  # type: ignore[attr-defined]
        for name, weight in shares.items():
            weights.add_row(
                name, ShareBar(weight, top=max(shares.values())), str(components.get(name, {}).get("episodes", 0))
            )
        parts.append(weights)
    else:
        parts.append(level_table(controller, played, passed))
    return Group(*parts)
