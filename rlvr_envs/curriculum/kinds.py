"""Controller kinds by name, and building a controller from a spec's ``curriculum`` table.

This module knows the level controllers; `Mixture` (whose children are built from tables here)
adds itself to `CONTROLLERS` when ``curriculum/mixture.py`` is imported, so neither module imports
the other's importer (no ``factory`` <-> ``mixture`` cycle).
"""

from __future__ import annotations

import difflib
from typing import Any

from rlvr_envs.curriculum.base import Controller, Fixed, Uniform
from rlvr_envs.curriculum.frontier import Frontier
from rlvr_envs.curriculum.thompson import Thompson
from rlvr_envs.errors import InvalidOptionError, SpecError

#: ``kind`` name -> controller class; ``curriculum/mixture.py`` adds ``"mixture"``.
CONTROLLERS: dict[str, type[Controller]] = {cls.kind: cls for cls in (Fixed, Uniform, Frontier, Thompson)}
ALIASES = {"vade": "thompson", "rlve": "frontier"}


def controller_class(kind: str) -> type[Controller]:
    """The controller class for ``kind`` (aliases ``vade``/``rlve`` accepted), close matches suggested."""
    kind = ALIASES.get(kind, kind)
    if kind not in CONTROLLERS:
        close = difflib.get_close_matches(kind, [*CONTROLLERS, *ALIASES], n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise SpecError(f"curriculum.kind: unknown controller {kind!r}; known: {sorted(CONTROLLERS)}.{hint}")
    return CONTROLLERS[kind]


def build_controller(config: dict[str, Any] | None, *, default_level: int = 0) -> Controller:
    """Make a controller from a spec's ``curriculum`` table, e.g. ``{"kind": "frontier", "window": 4}``.

    No table (or an empty one) means ``Fixed(default_level)``.
    """
    if not config:
        return Fixed(default_level)
    params = dict(config)
    kind = str(params.pop("kind", "fixed"))
    cls = controller_class(kind)
    if cls is Fixed and "level" not in params:
        params["level"] = default_level
    try:
        return cls(**params)
    except (TypeError, InvalidOptionError) as exc:
        raise SpecError(f"curriculum ({kind}): {exc}") from exc
