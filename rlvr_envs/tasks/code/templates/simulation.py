"""Simulation problems."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import size, word
from rlvr_envs.tasks.code.templates.base import Scale, Template, register


def solve_robot(moves: str) -> list[int]:
    x = y = 0
    for move in moves:
        if move == "U":
            y += 1
        elif move == "D":
            y -= 1
        elif move == "R":
            x += 1
        elif move == "L":
            x -= 1
    return [x, y]


register(
    Template(
        name="robot_walk",
        category="simulation",
        title="Where does the robot end?",
        statement="A robot starts at (0, 0) and follows `moves`: `U` adds 1 to y, `D` subtracts 1 from y, `R` "
        "adds 1 to x and `L` subtracts 1 from x. Return its final position as `[x, y]`.",
        params=(Param("moves", "word"),),
        returns="ints",
        solve=solve_robot,
        generate=lambda rng, scale, edge: (word(rng, size(rng, 2 if edge else scale.text), "UDLR"),),
        constraints="1 ≤ len(moves) ≤ {text}",
    )
)


def solve_josephus(n: int, k: int) -> int:
    survivor = 0
    for people in range(2, n + 1):
        survivor = (survivor + k) % people
    return survivor + 1


def _gen_josephus(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    return (size(rng, min(100 * scale.n, 1_000_000)), size(rng, max(2, scale.value)))


register(
    Template(
        name="josephus",
        category="simulation",
        title="Counting-out game",
        statement="`n` people numbered 1..`n` stand in a circle. Starting from person 1, count `k` people "
        "clockwise (person 1 counts as the first); the `k`-th person leaves the circle and counting restarts "
        "from the next person. Return the number of the last person left.",
        params=(Param("n", "int"), Param("k", "int")),
        returns="int",
        solve=solve_josephus,
        generate=_gen_josephus,
        constraints="1 ≤ n ≤ 100·{n} (and at most 1,000,000); 1 ≤ k ≤ {value}",
    )
)


def solve_stack_machine(program: list[str]) -> list[int]:
    stack: list[int] = []
    for line in program:
        parts = line.split()
        op = parts[0]
        if op == "PUSH":
            stack.append(int(parts[1]))
        elif op == "POP":
            stack.pop()
        elif op == "DUP":
            stack.append(stack[-1])
        elif op == "SWAP":
            stack[-1], stack[-2] = stack[-2], stack[-1]
        elif op in ("ADD", "SUB", "MUL"):
            right = stack.pop()
            left = stack.pop()
            stack.append(left + right if op == "ADD" else left - right if op == "SUB" else left * right)
    return stack


def _gen_stack_program(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    program: list[str] = []
    depth = multiplications = 0
    for _ in range(2 if edge else size(rng, scale.n)):
        choices = ["PUSH"] + (["POP", "DUP"] if depth >= 1 else []) + (["SWAP", "ADD", "SUB"] if depth >= 2 else [])
        if depth >= 2 and multiplications < 6:  # values stay printable (far below 4300 digits)
            choices.append("MUL")
        op = str(rng.choice(choices))
        multiplications += op == "MUL"
        if op == "PUSH":
            program.append(f"PUSH {int(rng.integers(-scale.value, scale.value + 1))}")
            depth += 1
        else:
            program.append(op)
            depth += {"POP": -1, "DUP": 1, "SWAP": 0, "ADD": -1, "SUB": -1, "MUL": -1}[op]
    return (program,)


register(
    Template(
        name="stack_machine",
        category="simulation",
        title="Stack machine",
        statement="Run the instructions of `program` on an initially empty stack of integers: `PUSH x` pushes x; "
        "`POP` removes the top; `DUP` pushes a copy of the top; `SWAP` exchanges the two top values; `ADD`, "
        "`SUB` and `MUL` pop the top value b, then the next value a, and push a + b, a - b or a * b. Return the "
        "final stack from bottom to top (the program never pops an empty stack).",
        params=(Param("program", "lines"),),
        returns="ints",
        solve=solve_stack_machine,
        generate=_gen_stack_program,
        constraints="1 ≤ len(program) ≤ {n}; |x| ≤ {value}",
    )
)


def solve_life(steps: int, grid: list[str]) -> list[str]:
    rows, columns = len(grid), len(grid[0])
    alive = {(r, c) for r in range(rows) for c in range(columns) if grid[r][c] == "#"}
    for _ in range(steps):
        counts: dict[tuple[int, int], int] = {}
        for r, c in alive:
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if (dr or dc) and 0 <= r + dr < rows and 0 <= c + dc < columns:
                        key = (r + dr, c + dc)
                        counts[key] = counts.get(key, 0) + 1
        alive = {cell for cell, count in counts.items() if count == 3 or (count == 2 and cell in alive)}
    return ["".join("#" if (r, c) in alive else "." for c in range(columns)) for r in range(rows)]


def _gen_life(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    side = max(2, min(40, int(scale.n**0.5) + 2))
    rows, columns = (size(rng, 2), size(rng, 2)) if edge else (size(rng, side), size(rng, side))
    grid = ["".join("#" if rng.random() < 0.35 else "." for _ in range(columns)) for _ in range(rows)]
    return (int(rng.integers(0, 2 + min(scale.level * 3, 30))), grid)


register(
    Template(
        name="game_of_life",
        category="simulation",
        title="Game of Life",
        statement="`grid` shows live (`#`) and dead (`.`) cells; cells outside the grid are always dead. In one "
        "step every cell changes at once: a live cell with 2 or 3 live neighbours (of its 8) stays alive, a dead "
        "cell with exactly 3 live neighbours becomes alive, every other cell is dead. Return the grid after "
        "`steps` steps.",
        params=(Param("steps", "int"), Param("grid", "grid")),
        returns="grid",
        solve=solve_life,
        generate=_gen_life,
        constraints="0 ≤ steps ≤ 32; 1 ≤ rows, columns ≤ 40",
    )
)
