"""Build controllers from spec tables (``{"kind": "frontier", ...}``) or from saved JSON states."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from rlvr_envs.curriculum.base import Controller, ControllerState, Fixed, Uniform
from rlvr_envs.curriculum.frontier import Frontier
from rlvr_envs.curriculum.mixture import Mixture
from rlvr_envs.curriculum.thompson import Thompson
from rlvr_envs.errors import InvalidOptionError, SpecError

CONTROLLERS: dict[str, type[Controller]] = {cls.kind: cls for cls in (Fixed, Uniform, Frontier, Thompson, Mixture)}
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


def controller_from_state(state: ControllerState | dict[str, Any]) -> Controller:
    """A controller of the saved ``kind`` with the saved parameters and statistics."""
    data = state.model_dump() if isinstance(state, ControllerState) else dict(state)
    if "kind" not in data:
        raise InvalidOptionError("a curriculum state needs a 'kind' (as written by Controller.state())")
    params = {key: value for key, value in data.items() if key not in {"kind", "stats", "children"}}
    controller = build_controller({"kind": data["kind"], **params})
    controller.load_state(data)
    return controller


def save_controller(controller: Controller, path: str | Path) -> Path:
    """Write ``controller.state()`` as JSON atomically (a crash never leaves half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(controller.state().model_dump_json(indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def load_controller(path: str | Path) -> Controller:
    """The controller saved by `save_controller` at ``path``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidOptionError(f"cannot read a curriculum state from {path}: {exc}") from exc
    return controller_from_state(data)
