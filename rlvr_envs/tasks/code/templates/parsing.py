"""Parsing problems."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import LOWER, size, word
from rlvr_envs.tasks.code.templates.base import Scale, Template, register


def solve_evaluate(expression: str) -> int:
    tokens: list[str] = []
    index = 0
    while index < len(expression):
        char = expression[index]
        if char.isdigit():
            end = index
            while end < len(expression) and expression[end].isdigit():
                end += 1
            tokens.append(expression[index:end])
            index = end
        else:
            if char != " ":
                tokens.append(char)
            index += 1
    position = 0

    def peek() -> str:
        return tokens[position] if position < len(tokens) else ""

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def expr() -> int:
        value = term()
        while peek() in ("+", "-"):
            value = value + term() if take() == "+" else value - term()
        return value

    def term() -> int:
        value = factor()
        while peek() == "*":
            take()
            value *= factor()
        return value

    def factor() -> int:
        token = take()
        if token == "-":
            return -factor()
        if token == "(":
            value = expr()
            take()
            return value
        return int(token)

    return expr()


def _random_expression(rng: np.random.Generator, depth: int, top: int) -> str:
    if depth <= 0 or rng.random() < 0.3:
        return str(int(rng.integers(0, top + 1)))
    operator = str(rng.choice(["+", "-", "*", "+", "-"]))
    left = _random_expression(rng, depth - 1, top)
    right = _random_expression(rng, depth - 1, top)
    text = f"{left} {operator} {right}"
    return f"({text})" if rng.random() < 0.5 else text


def _gen_expression(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (str(rng.choice(["0", "7", "-3", "(((5)))", "2 * -3", "-(1 - 4)"])),)
    depth = 2 + min(scale.level, 4)  # values stay below ~10^130
    parts = [_random_expression(rng, depth, min(scale.value, 100)) for _ in range(size(rng, 1 + scale.level))]
    return (" + ".join(parts),)


register(
    Template(
        name="evaluate_expression",
        category="parsing",
        title="Calculator",
        statement="Evaluate the arithmetic expression `expression` and return its integer value. It contains "
        "non-negative integers, the binary operators `+`, `-` and `*` (usual precedence: `*` before `+`/`-`, "
        "left to right otherwise), unary minus, parentheses and spaces.",
        params=(Param("expression", "line"),),
        returns="int",
        solve=solve_evaluate,
        generate=_gen_expression,
        constraints="the expression is valid and at most a few thousand characters long",
    )
)


def solve_balanced(s: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for char in s:
        if char in "([{":
            stack.append(char)
        elif not stack or stack.pop() != pairs[char]:
            return False
    return not stack


def _gen_brackets(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (str(rng.choice(["()", ")(", "(", "([)]", "{}[]()", "((()))"])),)
    out: list[str] = []
    stack: list[str] = []
    for _ in range(size(rng, max(1, scale.text // 2))):
        if stack and rng.random() < 0.45:
            out.append({"(": ")", "[": "]", "{": "}"}[stack.pop()])
        else:
            opening = str(rng.choice(["(", "[", "{"]))
            stack.append(opening)
            out.append(opening)
    out.extend({"(": ")", "[": "]", "{": "}"}[b] for b in reversed(stack))
    if rng.random() < 0.5:  # damage it
        index = int(rng.integers(0, len(out)))
        out[index] = str(rng.choice(list("()[]{}")))
    return ("".join(out),)


register(
    Template(
        name="balanced_brackets",
        category="parsing",
        title="Balanced brackets",
        statement="`s` contains only the characters `()[]{}`. Return whether every bracket is closed by the "
        "matching bracket in the right order.",
        params=(Param("s", "word"),),
        returns="bool",
        solve=solve_balanced,
        generate=_gen_brackets,
        constraints="1 ≤ len(s) ≤ {text}",
    )
)


def solve_roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for index, char in enumerate(numeral):
        value = values[char]
        if index + 1 < len(numeral) and values[numeral[index + 1]] > value:
            total -= value
        else:
            total += value
    return total


def _to_roman(number: int) -> str:
    table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
    table += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for value, letters in table:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def _gen_roman(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (_to_roman(int(rng.choice([1, 4, 9, 3999, 1994, 40]))),)
    return (_to_roman(int(rng.integers(1, min(3999, 10 * scale.value) + 1))),)


register(
    Template(
        name="roman_numerals",
        category="parsing",
        title="Roman numerals",
        statement="Return the value of the Roman numeral `numeral` (standard form, letters I V X L C D M, with "
        "subtractive pairs such as IV and CM).",
        params=(Param("numeral", "word"),),
        returns="int",
        solve=solve_roman,
        generate=_gen_roman,
        constraints="the value is between 1 and 3999",
    )
)


def solve_key_total(record: str, key: str) -> int:
    total = 0
    for field in record.split(";"):
        name, _, value = field.partition("=")
        if name.strip() == key:
            total += int(value)
    return total


def _gen_record(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    keys = [word(rng, size(rng, 3), LOWER[:6]) for _ in range(size(rng, 4))]
    count = 1 if edge else size(rng, max(1, scale.n))
    fields = []
    for _ in range(count):
        name = keys[int(rng.integers(0, len(keys)))]
        spaces = " " if rng.random() < 0.3 else ""
        fields.append(f"{spaces}{name}{spaces}={int(rng.integers(-scale.value, scale.value + 1))}")
    key = keys[0] if rng.random() < 0.8 else word(rng, 4, "xyz")
    return (";".join(fields), key)


register(
    Template(
        name="key_value_total",
        category="parsing",
        title="Sum of a field",
        statement="`record` is a list of fields `name=value` separated by `;` (names may be surrounded by "
        "spaces; values are integers, possibly negative). Return the sum of the values of all fields whose "
        "name is `key` (0 if there is none).",
        params=(Param("record", "line"), Param("key", "word")),
        returns="int",
        solve=solve_key_total,
        generate=_gen_record,
        constraints="at most {n} fields; |value| ≤ {value}",
    )
)
