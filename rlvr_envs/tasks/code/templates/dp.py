"""Dynamic-programming problems."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import alphabet_for, size, word
from rlvr_envs.tasks.code.templates.arrays import ARRAY, ARRAY_LIMITS, gen_array
from rlvr_envs.tasks.code.templates.base import Scale, Template, register


def solve_lis_length(a: list[int]) -> int:
    from bisect import bisect_left

    tails: list[int] = []
    for x in a:
        index = bisect_left(tails, x)
        if index == len(tails):
            tails.append(x)
        else:
            tails[index] = x
    return len(tails)


register(
    Template(
        name="longest_increasing_subsequence",
        category="dp",
        title="Longest increasing subsequence",
        statement="Return the length of the longest strictly increasing subsequence of the non-empty array `a` "
        "(elements kept in their original order, not necessarily adjacent).",
        params=ARRAY,
        returns="int",
        solve=solve_lis_length,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        pipeline_final=True,
    )
)


def _two_words(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        first = word(rng, size(rng, 2), "ab")
        return (first, first if rng.random() < 0.5 else word(rng, size(rng, 2), "ab"))
    letters = alphabet_for(rng, scale.level)
    first = word(rng, size(rng, scale.n2), letters)
    second = list(first)
    for _ in range(size(rng, max(1, len(first) // 3), 0)):  # a related string: a few random edits
        position = int(rng.integers(0, len(second) + 1))
        action = int(rng.integers(0, 3))
        if action == 0 or not second:
            second.insert(position, word(rng, 1, letters))
        elif action == 1:
            del second[min(position, len(second) - 1)]
        else:
            second[min(position, len(second) - 1)] = word(rng, 1, letters)
    return (first, "".join(second) or word(rng, 1, letters))


def solve_edit_distance(s: str, t: str) -> int:
    previous = list(range(len(t) + 1))
    for i, a in enumerate(s, 1):
        current = [i]
        for j, b in enumerate(t, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


register(
    Template(
        name="edit_distance",
        category="dp",
        title="Edit distance",
        statement="Return the smallest number of single-character insertions, deletions and substitutions that "
        "turn the string `s` into the string `t`.",
        params=(Param("s", "word"), Param("t", "word")),
        returns="int",
        solve=solve_edit_distance,
        generate=_two_words,
        constraints="1 ≤ len(s), len(t) ≤ 2·{n2}; lowercase letters",
    )
)


def solve_lcs_length(s: str, t: str) -> int:
    previous = [0] * (len(t) + 1)
    for a in s:
        current = [0]
        for j, b in enumerate(t, 1):
            current.append(previous[j - 1] + 1 if a == b else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


register(
    Template(
        name="longest_common_subsequence",
        category="dp",
        title="Longest common subsequence",
        statement="Return the length of the longest string that is a subsequence of both `s` and `t` "
        "(characters kept in order, not necessarily adjacent).",
        params=(Param("s", "word"), Param("t", "word")),
        returns="int",
        solve=solve_lcs_length,
        generate=_two_words,
        constraints="1 ≤ len(s), len(t) ≤ 2·{n2}; lowercase letters",
    )
)


def solve_knapsack(capacity: int, items: list[list[int]]) -> int:
    best = [0] * (capacity + 1)
    for weight, value in items:
        for room in range(capacity, weight - 1, -1):
            candidate = best[room - weight] + value
            if candidate > best[room]:
                best[room] = candidate
    return best[capacity]


def _gen_knapsack(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    count = size(rng, 2) if edge else size(rng, max(1, scale.n2 // 4))
    capacity = int(rng.integers(0, 3)) if edge else int(rng.integers(1, min(1000, 10 * scale.n2) + 1))
    heaviest = max(1, capacity)
    items = [[int(rng.integers(1, heaviest + 1)), int(rng.integers(0, scale.value + 1))] for _ in range(count)]
    return (capacity, items)


register(
    Template(
        name="knapsack",
        category="dp",
        title="0/1 knapsack",
        statement="Each row `[weight, value]` of `items` is an item you may take at most once. Return the "
        "largest total value of items whose total weight is at most `capacity`.",
        params=(Param("capacity", "int"), Param("items", "int_rows")),
        returns="int",
        solve=solve_knapsack,
        generate=_gen_knapsack,
        constraints="0 ≤ capacity ≤ 1000; 1 ≤ len(items) ≤ {n2}/4 (at least 1); 1 ≤ weight; 0 ≤ value ≤ {value}",
    )
)


def solve_stair_ways(n: int, steps: list[int]) -> int:
    mod = 1_000_000_007
    ways = [1] + [0] * n
    for height in range(1, n + 1):
        ways[height] = sum(ways[height - s] for s in steps if s <= height) % mod
    return ways[n]


def _gen_stairs(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.integers(0, 3)), [int(rng.integers(1, 4))])
    steps = sorted({int(x) for x in rng.integers(1, 11, size=size(rng, 4))})
    return (int(rng.integers(0, min(100 * scale.n, 100_000) + 1)), steps)


register(
    Template(
        name="stair_ways",
        category="dp",
        title="Climbing stairs",
        statement="You climb a staircase of `n` steps; each move goes up by one of the amounts in `steps` "
        "(distinct positive integers). Return the number of different move sequences that end exactly on step "
        "`n`, modulo 1,000,000,007 (there is one way to climb 0 steps).",
        params=(Param("n", "int"), Param("steps", "ints")),
        returns="int",
        solve=solve_stair_ways,
        generate=_gen_stairs,
        constraints="0 ≤ n ≤ 100·{n} (and at most 100,000); 1 ≤ len(steps) ≤ 4; 1 ≤ steps[i] ≤ 10",
    )
)


def solve_min_coins(amount: int, coins: list[int]) -> int:
    unreachable = amount + 1
    best = [0] + [unreachable] * amount
    for total in range(1, amount + 1):
        for coin in coins:
            if coin <= total and best[total - coin] + 1 < best[total]:
                best[total] = best[total - coin] + 1
    return best[amount] if best[amount] != unreachable else -1


def _gen_coins(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return (int(rng.integers(0, 4)), [int(rng.integers(2, 5))])
    coins = sorted({int(x) for x in rng.integers(1, 30, size=size(rng, 5))})
    return (int(rng.integers(0, min(50 * scale.n2, 20_000) + 1)), coins)


register(
    Template(
        name="min_coins",
        category="dp",
        title="Fewest coins",
        statement="Return the smallest number of coins with values from `coins` (unlimited supply of each) "
        "that add up to exactly `amount`, or -1 if it is impossible.",
        params=(Param("amount", "int"), Param("coins", "ints")),
        returns="int",
        solve=solve_min_coins,
        generate=_gen_coins,
        constraints="0 ≤ amount ≤ 50·{n2} (and at most 20,000); 1 ≤ len(coins) ≤ 5; 1 ≤ coins[i] < 30",
    )
)


def solve_grid_paths(grid: list[str]) -> int:
    mod = 1_000_000_007
    columns = len(grid[0])
    ways = [0] * columns
    ways[0] = 1 if grid[0][0] == "." else 0
    for row in grid:
        for c in range(columns):
            if row[c] == "#":
                ways[c] = 0
            elif c > 0:
                ways[c] = (ways[c] + ways[c - 1]) % mod
    return ways[-1]


def _gen_grid_paths(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    side = max(1, int(scale.n2**0.5) * 2)
    rows, columns = (size(rng, 2), size(rng, 2)) if edge else (size(rng, side), size(rng, side))
    density = float(rng.uniform(0.0, 0.3))
    grid = ["".join("#" if rng.random() < density else "." for _ in range(columns)) for _ in range(rows)]
    return (grid,)


register(
    Template(
        name="grid_paths",
        category="dp",
        title="Paths through a grid",
        statement="`grid` is a rectangle of `.` (free) and `#` (blocked) cells. Moving only right or down "
        "through free cells, count the paths from the top-left to the bottom-right cell, modulo "
        "1,000,000,007 (0 if either corner is blocked).",
        params=(Param("grid", "grid"),),
        returns="int",
        solve=solve_grid_paths,
        generate=_gen_grid_paths,
        constraints="1 ≤ rows, columns ≤ 2·√{n2}",
    )
)
