"""Greedy problems."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import int_list, size
from rlvr_envs.tasks.code.templates.base import Scale, Template, register


def _half_open(rng: np.random.Generator, scale: Scale, edge: bool) -> list[list[int]]:
    count = size(rng, 3) if edge else size(rng, scale.n)
    top = max(10, scale.value)
    out = []
    for _ in range(count):
        start = int(rng.integers(0, top))
        out.append([start, start + int(rng.integers(1, max(2, top // 5) + 1))])
    return out


def solve_max_meetings(meetings: list[list[int]]) -> int:
    count = 0
    free_at = None
    for start, end in sorted(meetings, key=lambda m: (m[1], m[0])):
        if free_at is None or start >= free_at:
            count += 1
            free_at = end
    return count


register(
    Template(
        name="max_non_overlapping",
        category="greedy",
        title="Most meetings in one room",
        statement="Each row `[start, end]` of `meetings` is a meeting occupying the time from `start` "
        "(inclusive) to `end` (exclusive). Return the largest number of meetings that can be held in a single "
        "room without overlapping (one may start exactly when another ends).",
        params=(Param("meetings", "int_rows"),),
        returns="int",
        solve=solve_max_meetings,
        generate=lambda rng, scale, edge: (_half_open(rng, scale, edge),),
        constraints="1 ≤ len(meetings) ≤ {n}; 0 ≤ start < end ≤ 2·{value} (values at least 10)",
    )
)


def solve_rooms_needed(meetings: list[list[int]]) -> int:
    events = []
    for start, end in meetings:
        events.append((start, 1))
        events.append((end, -1))
    best = current = 0
    for _, delta in sorted(events):
        current += delta
        best = max(best, current)
    return best


register(
    Template(
        name="rooms_needed",
        category="greedy",
        title="How many rooms",
        statement="Each row `[start, end]` of `meetings` occupies a room from `start` (inclusive) to `end` "
        "(exclusive). Return the smallest number of rooms that can host all meetings (a room freed at time t "
        "can host a meeting starting at t).",
        params=(Param("meetings", "int_rows"),),
        returns="int",
        solve=solve_rooms_needed,
        generate=lambda rng, scale, edge: (_half_open(rng, scale, edge),),
        constraints="1 ≤ len(meetings) ≤ {n}; 0 ≤ start < end ≤ 2·{value} (values at least 10)",
    )
)


def solve_min_jumps(a: list[int]) -> int:
    jumps = 0
    reach = end = 0
    for index in range(len(a) - 1):
        reach = max(reach, index + a[index])
        if index == end:
            jumps += 1
            end = reach
    return jumps


def _gen_jumps(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    if edge:
        return ([int(rng.integers(1, 4))] * size(rng, 2),)
    n = size(rng, scale.n)
    return (int_list(rng, n, 1, max(2, min(scale.value, n // 3 + 2))),)


register(
    Template(
        name="min_jumps",
        category="greedy",
        title="Fewest jumps",
        statement="You stand on index 0 of the array `a` of positive integers. From index i you may jump to any "
        "index from i + 1 to i + a[i]. Return the smallest number of jumps that reaches the last index "
        "(0 if the array has one element).",
        params=(Param("a", "ints"),),
        returns="int",
        solve=solve_min_jumps,
        generate=_gen_jumps,
        constraints="1 ≤ len(a) ≤ {n}; 1 ≤ a[i] ≤ {value}",
    )
)


def solve_gas_station(gas: list[int], cost: list[int]) -> int:
    if sum(gas) < sum(cost):
        return -1
    start = tank = 0
    for index in range(len(gas)):
        tank += gas[index] - cost[index]
        if tank < 0:
            start = index + 1
            tank = 0
    return start


def _gen_gas(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    n = size(rng, 2) if edge else size(rng, scale.n)
    top = max(5, scale.value)
    gas = int_list(rng, n, 0, top)
    cost = int_list(rng, n, 0, top)
    if rng.random() < 0.6 and sum(gas) < sum(cost):  # make most instances solvable
        gas[int(rng.integers(0, n))] += sum(cost) - sum(gas)
    return (gas, cost)


register(
    Template(
        name="gas_station",
        category="greedy",
        title="Round trip on a circular road",
        statement="Stations 0..n-1 lie on a circular road. Station i gives `gas[i]` units of fuel, and driving "
        "from station i to station i+1 (or from n-1 to 0) costs `cost[i]` units. Starting with an empty tank, "
        "return the smallest starting station from which you can drive once around the circle (the tank may "
        "reach 0 but never go below it), or -1 if there is none.",
        params=(Param("gas", "ints"), Param("cost", "ints")),
        returns="int",
        solve=solve_gas_station,
        generate=_gen_gas,
        constraints="1 ≤ n = len(gas) = len(cost) ≤ {n}; 0 ≤ gas[i], cost[i] ≤ {value} (at least 5)",
    )
)
