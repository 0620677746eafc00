"""Helpers for families that serve rows of a user's dataset (a JSONL file on disk).

Shared by Math and Code: reading the file with errors that name the line, choosing a row near a
requested level, and resolving the ``<family>:data:<row>`` task ids that replay a row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from rlvr_envs.errors import InvalidOptionError, TaskSourceError

Row = TypeVar("Row")


def existing_file(value: str | None) -> str | None:
    """Validator for a config's ``source`` field: ``None``, or the path of a file that exists."""
    if value is not None and not Path(value).expanduser().is_file():
        raise ValueError(f"no such file {value!r} (give the path of a JSONL file)")
    return value


def read_jsonl(path: str, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-empty line of ``path``.

    Raises `TaskSourceError` naming the file (and the line) when the file is missing or a line is
    not a JSON object; ``what`` names the dataset in messages (e.g. ``"math source"``).
    """
    file = Path(path).expanduser()
    if not file.is_file():
        raise TaskSourceError(f"{what} {path!r}: no such file (give a JSONL path)")
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise TaskSourceError(f"{path}:{number}: not valid JSON ({exc})") from exc
            if not isinstance(record, dict):
                raise TaskSourceError(f"{path}:{number}: expected a JSON object per line")
            yield number, record


def nearest_level_row(rows: Sequence[Row], level: int, rng: np.random.Generator, level_of: Callable[[Row], int]) -> Row:
    """A random row among those at the available level closest to ``level`` (ties: the easier one)."""
    levels = sorted({level_of(row) for row in rows})
    nearest = min(levels, key=lambda candidate: (abs(candidate - level), candidate))
    pool = [row for row in rows if level_of(row) == nearest]
    return pool[int(rng.integers(0, len(pool)))]


def row_index(task_id: str, prefix: str, count: int, source: str) -> int | None:
    """The row a dataset task id names (``prefix`` + index), or ``None`` for other ids.

    Raises `InvalidOptionError` when the id has the prefix but no such row exists.
    """
    if not task_id.startswith(prefix):
        return None
    index = task_id[len(prefix) :]
    if not index.isdigit() or int(index) >= count:
        raise InvalidOptionError(f"task_id {task_id!r}: row {index!r} does not exist in {source} ({count} rows)")
    return int(index)
