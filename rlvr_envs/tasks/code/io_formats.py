"""Typed parameters and how they look on stdin/stdout and in a problem statement.

Every procedural problem declares its inputs and its result with a small set of *kinds*. From
them we derive, once and for all: the stdin text of a test (`format_input`), the expected stdout
(`format_output`), the "Input/Output" sections of the statement (`describe_input`,
`describe_output`), the function signature of function-call problems, and the reading/writing code
of the oracle's stdin/stdout program (`read_input` and `write_output` are shipped as source).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["int", "ints", "word", "line", "words", "lines", "int_rows", "grid", "bool"]

PY_TYPES: dict[str, str] = {
    "int": "int",
    "ints": "list[int]",
    "word": "str",
    "line": "str",
    "words": "list[str]",
    "lines": "list[str]",
    "int_rows": "list[list[int]]",
    "grid": "list[str]",
    "bool": "bool",
}


@dataclass(frozen=True)
class Param:
    """One argument of a problem: its name, kind and a few words about it."""

    name: str
    kind: Kind
    doc: str = ""


def read_input(kinds: list[str], text: str) -> list[Any]:
    """Parse stdin ``text`` into one value per kind (the inverse of `format_input`)."""
    lines = text.split("\n")
    position = 0

    def next_line() -> str:
        nonlocal position
        line = lines[position] if position < len(lines) else ""
        position += 1
        return line.rstrip("\r")

    values: list[Any] = []
    for kind in kinds:
        if kind == "int":
            values.append(int(next_line()))
        elif kind in ("word", "line"):
            values.append(next_line().strip() if kind == "word" else next_line())
        elif kind == "ints":
            count = int(next_line())
            items = [int(x) for x in next_line().split()]
            values.append(items[:count])
        elif kind == "words":
            count = int(next_line())
            values.append(next_line().split()[:count])
        elif kind in ("lines", "grid"):
            count = int(next_line())
            values.append([next_line() for _ in range(count)])
        elif kind == "int_rows":
            count = int(next_line())
            values.append([[int(x) for x in next_line().split()] for _ in range(count)])
        else:
            raise ValueError("unknown kind " + kind)
    return values


def write_output(kind: str, value: Any) -> str:
    """The stdout text of a result of ``kind`` (always ends with a newline unless empty)."""
    if kind == "bool":
        return "YES\n" if value else "NO\n"
    if kind in ("int", "word", "line"):
        return str(value) + "\n"
    if kind in ("ints", "words"):
        return " ".join(str(x) for x in value) + "\n"
    if kind in ("lines", "grid"):
        return "".join(str(x) + "\n" for x in value)
    if kind == "int_rows":
        return "".join(" ".join(str(x) for x in row) + "\n" for row in value)
    raise ValueError("unknown kind " + kind)


def format_input(params: tuple[Param, ...], args: tuple[Any, ...] | list[Any]) -> str:
    """The stdin text holding ``args`` (one value per parameter)."""
    parts: list[str] = []
    for param, value in zip(params, args, strict=True):
        kind = param.kind
        if kind in ("int", "word", "line"):
            parts.append(f"{value}\n")
        elif kind in ("ints", "words"):
            parts.append(f"{len(value)}\n" + " ".join(str(x) for x in value) + "\n")
        elif kind in ("lines", "grid"):
            parts.append(f"{len(value)}\n" + "".join(f"{x}\n" for x in value))
        elif kind == "int_rows":
            parts.append(f"{len(value)}\n" + "".join(" ".join(str(x) for x in row) + "\n" for row in value))
        else:
            raise ValueError(f"parameter {param.name!r} has a kind ({kind!r}) that cannot be an input")
    return "".join(parts)


def format_output(kind: str, value: Any) -> str:
    """The expected stdout of a result (same as the oracle's `write_output`)."""
    return write_output(kind, value)


_INPUT_TEXT = {
    "int": "a line with the integer `{name}`",
    "word": "a line with the string `{name}` (no spaces)",
    "line": "a line with the text `{name}` (it may contain spaces)",
    "ints": "a line with the length of `{name}`, then a line with its integers separated by spaces",
    "words": "a line with the number of strings in `{name}`, then a line with the strings separated by spaces",
    "lines": "a line with the number of lines in `{name}`, then those lines",
    "grid": "a line with the number of rows of `{name}`, then one line per row",
    "int_rows": (
        "a line with the number of rows of `{name}`, then one line per row with its integers separated by spaces"
    ),
}

_OUTPUT_TEXT = {
    "int": "one line with the integer",
    "bool": "one line with `YES` or `NO`",
    "word": "one line with the string",
    "line": "one line with the text",
    "ints": "one line with the integers separated by spaces (an empty line if there are none)",
    "words": "one line with the strings separated by spaces",
    "lines": "one line per string",
    "grid": "one line per row",
    "int_rows": "one line per row, with its integers separated by spaces",
}


def describe_input(params: tuple[Param, ...]) -> str:
    """The statement's "Input" section for a stdin/stdout problem."""
    items = [_INPUT_TEXT[param.kind].format(name=param.name) for param in params]
    return "Input (standard input): " + "; then ".join(items) + "."


def describe_output(kind: str) -> str:
    """The statement's "Output" section for a stdin/stdout problem."""
    return f"Output (standard output): {_OUTPUT_TEXT[kind]}."


def signature(params: tuple[Param, ...], returns: str, name: str = "solve") -> str:
    """``def solve(a: list[int], k: int) -> int`` for a function-call problem."""
    arguments = ", ".join(f"{param.name}: {PY_TYPES[param.kind]}" for param in params)
    return f"def {name}({arguments}) -> {PY_TYPES[returns]}"


def io_source() -> str:
    """Source of `read_input` and `write_output`, for the oracle's stdin/stdout programs."""
    return inspect.getsource(read_input) + "\n\n" + inspect.getsource(write_output)
