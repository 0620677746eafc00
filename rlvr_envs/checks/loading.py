"""Import the user's modules (``--import``) so the envs they register exist in this process.

A ``.py`` path is imported by its file name with its folder put first on ``sys.path``: it must be
importable under that name (``entry_point = "custom_env:MyFamily"``) because worker processes of an
`AsyncVectorEnv` and unpickled envs import it again by name.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from pathlib import Path

from rlvr_envs.core.registry import list_specs
from rlvr_envs.errors import SpecError


def import_user_module(target: str) -> str:
    """Import ``target`` (a module name or a ``.py`` file); returns the module name imported."""
    if target.endswith(".py"):
        path = Path(target)
        if not path.is_file():
            raise SpecError(f"--import {target}: no such file")
        folder = str(path.resolve().parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        name = path.stem
    else:
        name = target
    if not name.isidentifier() and not all(part.isidentifier() for part in name.split(".")):
        raise SpecError(f"--import {target}: {name!r} is not an importable module name; rename the file")
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise SpecError(
                f"--import {target}: no module named {name!r} (is it installed, or on PYTHONPATH?)"
            ) from exc
        raise
    return name


def import_user_modules(targets: Iterable[str]) -> list[str]:
    """Import each of ``targets``; returns their module names (for a child process to import too)."""
    return [import_user_module(target) for target in targets]


def envs_registered_by(target: str) -> tuple[str, list[str]]:
    """Import ``target`` and return its module name and the env ids that import added."""
    before = {spec.id for spec in list_specs()}
    module = import_user_module(target)
    added = [spec.id for spec in list_specs() if spec.id not in before]
    if not added:  # imported earlier (or registers ids that existed): the ids whose entry point lives there
        added = [spec.id for spec in list_specs() if spec.entry_point.partition(":")[0] == module]
    return module, added
