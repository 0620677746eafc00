"""Curriculum controllers: choose the next episode's level and learn from its reward."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from rlvr_envs.curriculum.base import Controller, ControllerState, Fixed, Uniform
from rlvr_envs.errors import SpecError

CONTROLLERS: dict[str, type[Controller]] = {Fixed.kind: Fixed, Uniform.kind: Uniform}


def build_controller(config: dict[str, Any] | None, *, default_level: int = 0) -> Controller:
    """Make a controller from a spec's ``curriculum`` table, e.g. ``{"kind": "uniform", "high": 6}``.

    No table (or an empty one) means ``Fixed(default_level)``.
    """
    if not config:
        return Fixed(default_level)
    params = dict(config)
    kind = str(params.pop("kind", "fixed"))
    if kind not in CONTROLLERS:
        close = difflib.get_close_matches(kind, CONTROLLERS, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise SpecError(f"curriculum.kind: unknown controller {kind!r}; known: {sorted(CONTROLLERS)}.{hint}")
    if kind == "fixed" and "level" not in params:
        params["level"] = default_level
    try:
        return CONTROLLERS[kind](**params)
    except (TypeError, ValidationError) as exc:
        raise SpecError(f"curriculum ({kind}): {exc}") from exc


__all__ = ["CONTROLLERS", "Controller", "ControllerState", "Fixed", "Uniform", "build_controller"]
