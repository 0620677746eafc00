"""Build controllers from saved JSON states; save and load them (tables are built in ``kinds.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rlvr_envs.curriculum import mixture as _mixture  # noqa: F401  (adds "mixture" to CONTROLLERS)
from rlvr_envs.curriculum.base import Controller, ControllerState
from rlvr_envs.curriculum.kinds import ALIASES, CONTROLLERS, build_controller, controller_class
from rlvr_envs.errors import InvalidOptionError


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


__all__ = [
    "ALIASES",
    "CONTROLLERS",
    "build_controller",
    "controller_class",
    "controller_from_state",
    "load_controller",
    "save_controller",
]
