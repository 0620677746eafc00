"""Exceptions raised for *programmer* errors (bad specs, bad ids, bad options).

Model output is data, never a reason to raise: envs turn bad actions into feedback. These
exceptions are for the people wiring envs together, so every message says what to fix.
"""

from __future__ import annotations


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
