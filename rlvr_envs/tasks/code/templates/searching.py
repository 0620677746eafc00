"""Sorting and searching problems."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import edge_int_list, int_list, size
from rlvr_envs.tasks.code.templates.arrays import ARRAY, ARRAY_LIMITS, gen_array
from rlvr_envs.tasks.code.templates.base import Scale, Template, register


def solve_count_inversions(a: list[int]) -> int:
    def sort(items: list[int]) -> tuple[list[int], int]:
        if len(items) <= 1:
            return items, 0
        middle = len(items) // 2
        left, x = sort(items[:middle])
        right, y = sort(items[middle:])
        merged: list[int] = []
        count = x + y
        i = j = 0
        while i < len(left) and j < len(right):
            if right[j] < left[i]:
                merged.append(right[j])
                count += len(left) - i
                j += 1
            else:
                merged.append(left[i])
                i += 1
        merged.extend(left[i:])
        merged.extend(right[j:])
        return merged, count

    return sort(list(a))[1]


register(
    Template(
        name="count_inversions",
        category="searching",
        title="Inversions",
        statement="Return the number of index pairs `i < j` with `a[i] > a[j]`.",
        params=ARRAY,
        returns="int",
        solve=solve_count_inversions,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        pipeline_final=True,
    )
)


def solve_kth_smallest(k: int, a: list[int]) -> int:
    return sorted(a)[k - 1]


def _gen_kth(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    (a,) = gen_array(rng, scale, edge)
    k = int(rng.choice([1, len(a)])) if edge else int(rng.integers(1, len(a) + 1))
    return (k, a)


register(
    Template(
        name="kth_smallest",
        category="searching",
        title="k-th smallest",
        statement="Return the `k`-th smallest element of `a` (counting from 1, with repeated values counted "
        "as many times as they occur).",
        params=(Param("k", "int"), Param("a", "ints")),
        returns="int",
        solve=solve_kth_smallest,
        generate=_gen_kth,
        constraints="1 ≤ k ≤ len(a) ≤ {n}; |a[i]| ≤ {value}",
    )
)


def solve_count_at_most(a: list[int], queries: list[int]) -> list[int]:
    from bisect import bisect_right

    ordered = sorted(a)
    return [bisect_right(ordered, q) for q in queries]


def _gen_count_at_most(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    a = edge_int_list(rng, scale.n, -scale.value, scale.value, 0) if edge else None
    if a is None:
        a = int_list(rng, size(rng, scale.n, 0), -scale.value, scale.value)
    queries = int_list(rng, size(rng, scale.n), -scale.value - 1, scale.value + 1)
    return (a, queries)


register(
    Template(
        name="count_at_most",
        category="searching",
        title="How many are at most q",
        statement="For each value `q` in `queries`, count the elements of `a` that are less than or equal to "
        "`q`. Return the counts, in the order of the queries.",
        params=(Param("a", "ints"), Param("queries", "ints")),
        returns="ints",
        solve=solve_count_at_most,
        generate=_gen_count_at_most,
        constraints="0 ≤ len(a) ≤ {n}; 1 ≤ len(queries) ≤ {n}; all values have absolute value at most {value} + 1",
    )
)


def solve_sort_by_frequency(a: list[int]) -> list[int]:
    counts: dict[int, int] = {}
    for x in a:
        counts[x] = counts.get(x, 0) + 1
    return sorted(a, key=lambda x: (-counts[x], x))


register(
    Template(
        name="sort_by_frequency",
        category="searching",
        title="Sort by frequency",
        statement="Sort `a` so that values occurring more often come first; values with the same number of "
        "occurrences appear in increasing order (equal values stay together). Return the sorted array.",
        params=ARRAY,
        returns="ints",
        solve=solve_sort_by_frequency,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        step="sort the array so that more frequent values come first, ties in increasing value order",
    )
)


def solve_sorted_unique(a: list[int]) -> list[int]:
    return sorted(set(a))


register(
    Template(
        name="sorted_unique",
        category="searching",
        title="Distinct values in order",
        statement="Return the distinct values of `a` in increasing order.",
        params=ARRAY,
        returns="ints",
        solve=solve_sorted_unique,
        generate=gen_array,
        constraints=ARRAY_LIMITS,
        step="keep one copy of each distinct value and sort them in increasing order",
    )
)


def solve_merge_intervals(intervals: list[list[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def gen_intervals(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    """Intervals ``[start, end]`` with ``start <= end`` inside ``[0, value]`` (many overlaps)."""
    count = size(rng, 2) if edge else size(rng, scale.n)
    top = max(4, scale.value)
    out = []
    for _ in range(count):
        start = int(rng.integers(0, top))
        length = 0 if edge and rng.random() < 0.5 else int(rng.integers(0, max(1, top // 4)))
        out.append([start, min(top, start + length)])
    return (out,)


register(
    Template(
        name="merge_intervals",
        category="searching",
        title="Merge intervals",
        statement="Each row `[start, end]` of `intervals` is a closed interval of integers (start ≤ end). "
        "Merge all intervals that overlap or touch at an endpoint and return the merged intervals sorted by "
        "start.",
        params=(Param("intervals", "int_rows"),),
        returns="int_rows",
        solve=solve_merge_intervals,
        generate=gen_intervals,
        constraints="1 ≤ len(intervals) ≤ {n}; 0 ≤ start ≤ end ≤ {value} (at least 4)",
    )
)
