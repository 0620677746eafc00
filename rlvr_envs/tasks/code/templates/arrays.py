"""Array problems (several double as pipeline steps or pipeline finals)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import edge_int_list, int_list, size
from rlvr_envs.tasks.code.templates.base import Scale, Template, register

ARRAY = (Param("a", "ints"),)
ARRAY_LIMITS = "1 ≤ len(a) ≤ {n}; |a[i]| ≤ {value}"


def gen_array(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    """A non-empty array of integers in [-value, value]."""
    if edge:
        return (edge_int_list(rng, scale.n, -scale.value, scale.value),)
    return (int_list(rng, size(rng, scale.n), -scale.value, scale.value),)


def solve_max_subarray(a: list[int]) -> int:
    best = current = a[0]
    for x in a[1:]:
        current = max(x, current + x)
        best = max(best, current)
    return best


register(
    Template(
        name="max_subarray_sum",
        category="arrays",
        title="Best contiguous sum",
        statement="Return the largest sum of a non-empty contiguous subarray of the non-empty array `a`.",
        params=ARRAY,
        returns="int",
        solve=solve_max_subarray,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        pipeline_final=True,
    )
)


def solve_prefix_sums(a: list[int]) -> list[int]:
    out = []
    total = 0
    for x in a:
        total += x
        out.append(total)
    return out


register(
    Template(
        name="prefix_sums",
        category="arrays",
        title="Prefix sums",
        statement="Return the array whose i-th element is the sum of the elements `a[0]`, ..., `a[i]`.",
        params=ARRAY,
        returns="ints",
        solve=solve_prefix_sums,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        step="replace each element by the sum of all elements up to and including it (prefix sums)",
        pipeline_final=True,
    )
)


def solve_running_max(a: list[int]) -> list[int]:
    out: list[int] = []
    for x in a:
        out.append(x if not out else max(out[-1], x))
    return out


register(
    Template(
        name="running_max",
        category="arrays",
        title="Running maximum",
        statement="Return the array whose i-th element is the largest of `a[0]`, ..., `a[i]`.",
        params=ARRAY,
        returns="ints",
        solve=solve_running_max,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        step="replace each element by the largest element up to and including it (running maximum)",
    )
)


def solve_pair_sums(target: int, a: list[int]) -> int:
    seen: dict[int, int] = {}
    pairs = 0
    for x in a:
        pairs += seen.get(target - x, 0)
        seen[x] = seen.get(x, 0) + 1
    return pairs


def _gen_pair_sums(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    small = max(3, scale.value // 10)  # small values make many pairs
    (a,) = gen_array(rng, Scale(scale.level, scale.n, scale.n2, small, scale.text), edge)
    target = int(a[0] + a[-1]) if rng.random() < 0.7 else int(rng.integers(-2 * small, 2 * small + 1))
    return (target, a)


register(
    Template(
        name="pair_sum_count",
        category="arrays",
        title="Pairs with a given sum",
        statement="Return the number of index pairs `i < j` with `a[i] + a[j] == target`.",
        params=(Param("target", "int"), Param("a", "ints")),
        returns="int",
        solve=solve_pair_sums,
        generate=_gen_pair_sums,
        constraints="1 ≤ len(a) ≤ {n}; |a[i]| ≤ {value}; |target| ≤ 2·{value}",
    )
)


def solve_rotate(k: int, a: list[int]) -> list[int]:
    k %= len(a)
    return a[-k:] + a[:-k] if k else list(a)


def _gen_rotate(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    (a,) = gen_array(rng, scale, edge)
    k = int(rng.choice([0, len(a), 3 * len(a) + 1])) if edge else int(rng.integers(0, 3 * scale.n + 1))
    return (k, a)


register(
    Template(
        name="rotate_right",
        category="arrays",
        title="Rotate right",
        statement="Rotate the non-empty array `a` to the right by `k` positions (the last element moves to the "
        "front, `k` times) and return it. `k` may exceed the length of `a`.",
        params=(Param("k", "int"), Param("a", "ints")),
        returns="ints",
        solve=solve_rotate,
        generate=_gen_rotate,
        constraints="1 ≤ len(a) ≤ {n}; 0 ≤ k ≤ 3·{n}; |a[i]| ≤ {value}",
    )
)


def solve_leaders(a: list[int]) -> int:
    count = 0
    best = None
    for x in reversed(a):
        if best is None or x > best:
            count += 1
            best = x
    return count


register(
    Template(
        name="count_leaders",
        category="arrays",
        title="Leaders",
        statement="An element of `a` is a leader when it is strictly greater than every element to its right "
        "(the last element is always a leader). Return the number of leaders.",
        params=ARRAY,
        returns="int",
        solve=solve_leaders,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        pipeline_final=True,
    )
)


def solve_top_frequency(a: list[int]) -> int:
    counts: dict[int, int] = {}
    for x in a:
        counts[x] = counts.get(x, 0) + 1
    return max(counts.values())


register(
    Template(
        name="top_frequency",
        category="arrays",
        title="Most repeated value",
        statement="Return how many times the most frequent value of the non-empty array `a` occurs.",
        params=ARRAY,
        returns="int",
        solve=solve_top_frequency,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        pipeline_final=True,
    )
)


def solve_longest_increasing_run(a: list[int]) -> int:
    best = run = 1
    for index in range(1, len(a)):
        run = run + 1 if a[index] > a[index - 1] else 1
        best = max(best, run)
    return best


register(
    Template(
        name="longest_increasing_run",
        category="arrays",
        title="Longest increasing run",
        statement="Return the length of the longest contiguous part of the non-empty array `a` whose elements "
        "are strictly increasing from left to right.",
        params=ARRAY,
        returns="int",
        solve=solve_longest_increasing_run,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        pipeline_final=True,
    )
)
