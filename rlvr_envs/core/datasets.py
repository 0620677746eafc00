"""Helpers for families that serve rows of a user's dataset (a JSONL file on disk).

Shared by Math, Code and long-context QA: reading ``.jsonl`` / ``.jsonl.gz`` files with errors that
name file, line and field, telling row formats apart (a file mixing them is refused), choosing a
row near a requested level, and resolving the ``<family>:data:<row>`` task ids that replay a row.
"""

from __future__ import annotations

import difflib
import gzip
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np

from rlvr_envs.errors import InvalidOptionError, TaskSourceError

Row = TypeVar("Row")


def existing_file(value: str | None) -> str | None:
    """Validator for a config's ``source`` field: ``None``, or the path of a file that exists."""
    if value is not None and not Path(value).expanduser().is_file():
        raise ValueError(f"no such file {value!r} (give the path of a JSONL file)")
    return value


_GZIP_MAGIC = b"\x1f\x8b"
_PREVIEW = 60
Reader = Callable[[dict[str, Any], int], Row]


class RowError(ValueError):
    """A row lacks a field or holds the wrong kind of value; the loader adds file and line."""

    def __init__(self, field: str, expected: str, got: Any = None, *, present: Sequence[str] = ()) -> None:
        self.field, self.expected = field, expected
        detail = f"field {field!r}: expected {expected}"
        if got is not None:
            detail += f", got {_preview(got)}"
        if present:
            detail += f" (fields present: {', '.join(sorted(present))})"
        super().__init__(detail)


def _preview(value: Any) -> str:
    text = json.dumps(value, default=repr) if not isinstance(value, str) else repr(value)
    kind = type(value).__name__
    return f"{kind} {text[:_PREVIEW]}{'...' if len(text) > _PREVIEW else ''}"


def field(record: dict[str, Any], *names: str, kind: type | tuple[type, ...] = str, expected: str = "") -> Any:
    """The first of ``names`` present in ``record``, checked to be of ``kind`` (`RowError` if not)."""
    for name in names:
        if name in record and record[name] is not None:
            value = record[name]
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
                raise RowError(name, expected or _kind_name(kind), value)
            return value
    raise RowError(" or ".join(names), expected or _kind_name(kind), present=list(record))


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "a string", list: "a list", dict: "an object", int: "an integer", float: "a number"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _open_text(file: Path, path: str, what: str) -> IO[str]:
    """The file as text: gzip when its bytes say so (whatever its name), plain UTF-8 otherwise."""
    with file.open("rb") as raw:
        head = raw.read(2)
    if head == _GZIP_MAGIC:
        return gzip.open(file, "rt", encoding="utf-8")
    if file.suffix == ".gz":
        raise TaskSourceError(
            f"{what} {path!r} is named .gz but is not gzip data (it starts with {head!r}); "
            "decompress it properly or rename it to .jsonl if it is plain JSON lines"
        )
    return file.open(encoding="utf-8")


def read_jsonl(path: str, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-empty line of ``path`` (``.jsonl`` or gzip ``.jsonl.gz``).

    Raises `TaskSourceError` naming the file (and the line) when the file is missing, is not
    gzip although named ``.gz``, is not UTF-8, or a line is not a JSON object; ``what`` names the
    dataset in messages (e.g. ``"math source"``).
    """
    file = Path(path).expanduser()
    if not file.is_file():
        raise TaskSourceError(f"{what} {path!r}: no such file (give a JSONL path)")
    number = 0
    try:
        with _open_text(file, path, what) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise TaskSourceError(f"{path}:{number}: not valid JSON ({exc})") from exc
                if not isinstance(record, dict):
                    raise TaskSourceError(
                        f"{path}:{number}: expected a JSON object per line, got {type(record).__name__}"
                    )
                yield number, record
    except UnicodeDecodeError as exc:
        raise TaskSourceError(f"{path}:{number + 1}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream
        raise TaskSourceError(f"{path}:{number + 1}: the gzip data is damaged ({exc})") from exc


def load_rows(
    path: str,
    what: str,
    *,
    detectors: Mapping[str, Callable[[dict[str, Any]], bool]],
    readers: Mapping[str, Reader[Row]],
    source_format: str = "auto",
) -> list[Row]:
    """Read every row of ``path`` with the reader of its format, with errors that name file and line.

    ``detectors`` (tried in order) recognise a format from a row's fields. With ``"auto"`` every
    row must have the same format: a file that mixes them is refused with the formats found
    (``"mixed"`` reads each row by its own format). A reader raises `RowError`, ``KeyError``,
    ``TypeError`` or ``ValueError`` for a bad row; the message gains ``path:line:``.
    """
    allowed = [*readers, "auto", "mixed"]
    if source_format not in allowed:
        near = difflib.get_close_matches(source_format, allowed, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise TaskSourceError(f"unknown {what} format {source_format!r}{hint}; known: {', '.join(allowed)}")
    rows: list[Row] = []
    found: dict[str, int] = {}
    for number, record in read_jsonl(path, what):
        try:
            kind = source_format
            if source_format in ("auto", "mixed"):
                kind = next((name for name, test in detectors.items() if test(record)), "")
                if not kind:
                    raise ValueError(
                        f"unrecognised row: expected the fields of one of {', '.join(detectors)} "
                        f"(see docs/datasets.md); got {sorted(record)}"
                    )
            found.setdefault(kind, number)
            if source_format == "auto" and len(found) > 1:
                formats = ", ".join(f"{name} (first on line {line})" for name, line in found.items())
                raise TaskSourceError(
                    f"{path}: mixes row formats: {formats}; split the file per format, or pass "
                    "format='mixed' to read each row by its own format"
                )
            rows.append(readers[kind](record, len(rows)))
        except TaskSourceError:
            raise
        except (RowError, ValueError, KeyError, TypeError) as exc:
            detail = (
                f"missing field {exc} (fields present: {', '.join(sorted(record))})"
                if isinstance(exc, KeyError)
                else str(exc)
            )
            raise TaskSourceError(f"{path}:{number}: {detail}") from exc
    if not rows:
        raise TaskSourceError(f"{what} {path!r} has no rows")
    return rows


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
