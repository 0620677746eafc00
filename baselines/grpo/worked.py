"""Worked solutions for supervised warm-up, built from what a `Task` carries (public data only).

- Math ``arithmetic`` problems: the expression in the prompt evaluated one operation at a time,
  in the order the rules prescribe (innermost parentheses, powers, x and div left to right, + and -
  left to right). Two styles: ``"steps"`` writes each operation on its own,
  ``2 \\times 4 = 8, 8 + 5 = 13. \\boxed{13}``; ``"rewrite"`` writes the whole expression left after
  each operation, ``8 + 5 = 13. \\boxed{13}`` for ``2 \\times 4 + 5``, so every step is one local
  operation plus copying and a longer chain needs no more memory than a short one. The chain is
  checked against the gold answer; a mismatch falls back to the next source.
- Any Math task with a ``solution``: that text followed by ``\\boxed{answer}``.
- Otherwise ``None`` (the caller uses the env's ``oracle_action()``).

The evaluator below is exact integer arithmetic on a small token grammar; it never ``eval``s text.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

_TOKEN = re.compile(r"\s*(\(-\d+\)|\d+|\\times|\\div|\^\{\d+\}|[-+()])")
_EXPRESSION = re.compile(r"Compute the value of \$(.+?)\$\.")
_MULTIPLICATIVE = ("\\times", "\\div")
_ADDITIVE = ("+", "-")

Item = int | str
SolutionStyle = Literal["steps", "rewrite"]
SOLUTION_STYLES: tuple[SolutionStyle, ...] = get_args(SolutionStyle)


def worked_solution(task: Any, style: SolutionStyle = "steps") -> str | None:
    """A step-by-step solution ending in ``\\boxed{answer}``, or ``None`` when the task has no source for one."""
    data = _get(task, "data") or {}
    answer = data.get("answer")
    if answer is None:
        return None
    metadata = _get(task, "metadata") or {}
    if metadata.get("generator") == "arithmetic":
        solve, separator = _STYLES[style]
        steps = solve(str(_get(task, "prompt") or ""), str(answer))
        if steps is not None:
            return (separator.join(steps) + ". " if steps else "") + f"\\boxed{{{answer}}}"
    solution = data.get("solution")
    if solution:
        return f"{solution} \\boxed{{{answer}}}"
    return None


def arithmetic_steps(prompt: str, answer: str) -> list[str] | None:
    """The operations of the prompt's expression in evaluation order, or ``None`` if it does not parse to ``answer``."""
    solved = solve_arithmetic(prompt)
    if solved is None or str(solved[0]) != answer.strip():
        return None
    return solved[1]


def solve_arithmetic(prompt: str) -> tuple[int, list[str]] | None:
    """Value and steps of the ``Compute the value of $...$`` expression in ``prompt`` (``None``: no such expression)."""
    match = _EXPRESSION.search(prompt)
    tokens = _tokens(match.group(1)) if match else None
    if tokens is None:
        return None
    steps: list[str] = []
    value, end = _group(tokens, 0, steps)
    if value is None or end != len(tokens):
        return None
    return value, steps


def arithmetic_rewrites(prompt: str, answer: str) -> list[str] | None:
    """The expression left after each operation of the prompt's expression (the last is the value), or
    ``None`` if it does not parse to ``answer``."""
    match = _EXPRESSION.search(prompt)
    items = _tokens(match.group(1)) if match else None
    if not items:
        return None
    rewrites: list[str] = []
    while not (len(items) == 1 and isinstance(items[0], int)):
        reduced = _reduce_once(items)
        if reduced is None:
            return None
        items = reduced
        rewrites.append(_render(items))
    return rewrites if str(items[0]) == answer.strip() else None


def _reduce_once(items: list[Item]) -> list[Item] | None:
    """``items`` with the next operation done (in the innermost parentheses first); ``None``: malformed."""
    close = items.index(")") if ")" in items else len(items)
    open_ = max((i for i in range(close) if items[i] == "("), default=-1)
    if (open_ < 0) != (close == len(items)):
        return None  # unbalanced
    start, end = open_ + 1, close
    reduced = _reduce_flat(items[start:end])
    if reduced is None:
        return None
    inner = reduced[0]
    if len(inner) == 1 and open_ >= 0:  # a group down to one number loses its parentheses
        return [*items[:open_], *inner, *items[close + 1 :]]
    return [*items[:start], *inner, *items[end:]]


def _reduce_flat(items: list[Item]) -> tuple[list[Item], str] | None:
    """A parenthesis-free chain with its next operation done (powers, then x and div, then + and -,
    each left to right), and that operation written out; ``None``: malformed or inexact."""
    for index, token in enumerate(items):
        if isinstance(token, str) and token.startswith("^"):
            base = items[index - 1] if index > 0 else None
            if not isinstance(base, int):
                return None
            exponent = int(token[2:-1])
            value = base**exponent
            return [*items[: index - 1], value, *items[index + 1 :]], f"{_fmt(base)}^{{{exponent}}} = {value}"
    for operators in (_MULTIPLICATIVE, _ADDITIVE):
        for index in range(1, len(items) - 1):
            op = items[index]
            if op in operators:
                left, right = items[index - 1], items[index + 1]
                if not isinstance(left, int) or not isinstance(right, int):
                    return None
                value = _apply(left, str(op), right)
                if value is None:
                    return None
                return [*items[: index - 1], value, *items[index + 2 :]], f"{_fmt(left)} {op} {_fmt(right)} = {value}"
    return None


def _render(items: list[Item]) -> str:
    """The expression as the prompt writes it: negative numbers in parentheses (but a final value
    plain), powers on their base."""
    if len(items) == 1 and isinstance(items[0], int):
        return str(items[0])
    text = " ".join(_fmt(item) if isinstance(item, int) else item for item in items)
    return text.replace("( ", "(").replace(" )", ")").replace(" ^", "^")


# each style: what lists its parts, and what joins them
_STYLES = {"steps": (arithmetic_steps, ", "), "rewrite": (arithmetic_rewrites, " = ")}


def _get(task: Any, name: str) -> Any:
    return task.get(name) if isinstance(task, dict) else getattr(task, name, None)


def _tokens(expression: str) -> list[Item] | None:
    items: list[Item] = []
    position, text = 0, expression.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        token, position = match.group(1), match.end()
        if token.startswith("(-"):
            items.append(int(token[1:-1]))
        elif token.isdigit():
            items.append(int(token))
        else:
            items.append(token)
    return items


def _group(tokens: list[Item], index: int, steps: list[str]) -> tuple[int | None, int]:
    """Evaluate from ``index`` to the matching ``)`` (or the end); returns the value and the next index."""
    items: list[Item] = []
    while index < len(tokens):
        token = tokens[index]
        if token == "(":
            value, index = _group(tokens, index + 1, steps)
            if value is None:
                return None, index
            items.append(value)
        elif token == ")":
            return _flat(items, steps), index + 1
        else:
            items.append(token)
            index += 1
    return _flat(items, steps), index


def _fmt(value: int) -> str:
    return f"({value})" if value < 0 else str(value)


def _flat(items: list[Item], steps: list[str]) -> int | None:
    """Evaluate a parenthesis-free chain, recording each operation."""
    while not (len(items) == 1 and isinstance(items[0], int)):
        reduced = _reduce_flat(items)
        if reduced is None:
            return None
        items, step = reduced
        steps.append(step)
    return items[0]


def _apply(left: int, op: str, right: int) -> int | None:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "\\times":
        return left * right
    if right == 0 or left % right:
        return None  # the generator only writes exact divisions
    return left // right
