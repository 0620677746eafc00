"""Exceptions raised for *programmer* errors (bad specs, bad ids, bad options).

Model output is data, never a reason to raise: envs turn bad actions into feedback. These
exceptions are for the people wiring envs together, so every message says what to fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


class RLVRError(Exception):
    """Base class of every error this package raises on purpose."""


class SpecError(RLVRError, ValueError):
    """An env spec (TOML file or `register(...)` call) is invalid; the message names file and field."""


class UnknownEnvError(RLVRError, KeyError):
    """An env id or family name is not registered; the message lists close matches."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the plain sentence.
        return str(self.args[0]) if self.args else ""


class DuplicateEnvError(RLVRError, ValueError):
    """An env id is registered twice with different specs."""


class InvalidOptionError(RLVRError, ValueError):
    """`reset(options=...)` or an env kwarg has a wrong name or value."""


class TaskSourceError(RLVRError, ValueError):
    """A user dataset (e.g. a JSONL file given as `source`) cannot be read or lacks fields."""


class FamilyError(RLVRError, RuntimeError):
    """A task family's own code raised (a bug in the family, not in the caller's input)."""


def suggest(name: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``choices`` to ``name``, or ``""`` when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def describe_validation_error(exc: Any, *, prefix: str = "", fields: Iterable[str] = ()) -> str:
    """A pydantic ``ValidationError`` as one short line per field: ``'field' must ... (got value)``.

    ``prefix`` goes before each field name (``"--"`` for CLI flags). Pydantic's own text (a type
    code and a documentation link per error) is meant for developers of the model, not its users.
    With ``fields`` (the model's field names), an unknown field gets the nearest valid name and
    the list of allowed ones.
    """
    allowed = sorted(fields)
    lines = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ())) or "<root>"
        got = f" (got {error['input']!r})" if "input" in error and not isinstance(error["input"], dict) else ""
        line = f"{prefix}{field}: {error['msg']}{got}"
        if error.get("type") == "extra_forbidden" and allowed:
            line += f"; allowed: {', '.join(allowed)}.{suggest(field, allowed)}"
        lines.append(line)
    return "; ".join(lines)
