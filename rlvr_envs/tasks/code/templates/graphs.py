"""Graph problems (nodes are numbered 1..n; edges are rows of `int_rows`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import Param
from rlvr_envs.tasks.code.templates._gen import size
from rlvr_envs.tasks.code.templates.base import Scale, Template, register

GRAPH = (Param("n", "int"), Param("edges", "int_rows"))
GRAPH_LIMITS = "1 ≤ n ≤ {n}; 0 ≤ len(edges) ≤ 2·{n}; 1 ≤ u, v ≤ n"


def random_edges(
    rng: np.random.Generator, n: int, count: int, *, weights: int = 0, allow_loops: bool = False
) -> list[list[int]]:
    edges = []
    for _ in range(count):
        u, v = int(rng.integers(1, n + 1)), int(rng.integers(1, n + 1))
        if u == v and not allow_loops:
            continue
        edges.append([u, v] + ([int(rng.integers(1, weights + 1))] if weights else []))
    return edges


def gen_graph(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    n = size(rng, 2) if edge else size(rng, scale.n)
    count = 0 if edge and rng.random() < 0.5 else int(rng.integers(0, 2 * n + 1))
    return (n, random_edges(rng, n, count))


def solve_components(n: int, edges: list[list[int]]) -> int:
    parent = list(range(n + 1))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    components = n
    for u, v in edges:
        a, b = find(u), find(v)
        if a != b:
            parent[a] = b
            components -= 1
    return components


register(
    Template(
        name="connected_components",
        category="graphs",
        title="Connected components",
        statement="An undirected graph has nodes 1..`n`; each row `[u, v]` of `edges` joins u and v. Return the "
        "number of connected components.",
        params=GRAPH,
        returns="int",
        solve=solve_components,
        generate=gen_graph,
        constraints=GRAPH_LIMITS,
    )
)


def solve_bfs_distance(n: int, edges: list[list[int]]) -> int:
    from collections import deque

    neighbours: list[list[int]] = [[] for _ in range(n + 1)]
    for u, v in edges:
        neighbours[u].append(v)
        neighbours[v].append(u)
    distance = [-1] * (n + 1)
    distance[1] = 0
    queue = deque([1])
    while queue:
        node = queue.popleft()
        for other in neighbours[node]:
            if distance[other] < 0:
                distance[other] = distance[node] + 1
                queue.append(other)
    return distance[n]


def _gen_sparse_graph(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    n = size(rng, 2) if edge else size(rng, scale.n)
    count = 0 if edge and rng.random() < 0.5 else int(rng.integers(0, int(1.3 * n) + 1))
    return (n, random_edges(rng, n, count))


register(
    Template(
        name="shortest_path_unweighted",
        category="graphs",
        title="Fewest hops",
        statement="An undirected graph has nodes 1..`n`; each row `[u, v]` of `edges` joins u and v. Return the "
        "smallest number of edges on a path from node 1 to node `n`, or -1 if there is no such path.",
        params=GRAPH,
        returns="int",
        solve=solve_bfs_distance,
        generate=_gen_sparse_graph,
        constraints=GRAPH_LIMITS,
    )
)


def solve_dijkstra(n: int, edges: list[list[int]]) -> int:
    import heapq

    neighbours: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for u, v, w in edges:
        neighbours[u].append((v, w))
        neighbours[v].append((u, w))
    best = [-1] * (n + 1)
    heap = [(0, 1)]
    while heap:
        cost, node = heapq.heappop(heap)
        if best[node] >= 0:
            continue
        best[node] = cost
        for other, weight in neighbours[node]:
            if best[other] < 0:
                heapq.heappush(heap, (cost + weight, other))
    return best[n]


def _gen_weighted(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    n = size(rng, 2) if edge else size(rng, scale.n)
    count = int(rng.integers(0, 2 * n + 1))
    return (n, random_edges(rng, n, count, weights=max(2, scale.value)))


register(
    Template(
        name="shortest_path_weighted",
        category="graphs",
        title="Cheapest route",
        statement="An undirected graph has nodes 1..`n`; each row `[u, v, w]` of `edges` joins u and v with "
        "length w > 0. Return the length of the shortest path from node 1 to node `n`, or -1 if node `n` "
        "cannot be reached.",
        params=GRAPH,
        returns="int",
        solve=solve_dijkstra,
        generate=_gen_weighted,
        constraints=GRAPH_LIMITS + "; 1 ≤ w ≤ {value} (at least 2)",
    )
)


def solve_has_cycle(n: int, edges: list[list[int]]) -> bool:
    indegree = [0] * (n + 1)
    out: list[list[int]] = [[] for _ in range(n + 1)]
    for u, v in edges:
        out[u].append(v)
        indegree[v] += 1
    ready = [node for node in range(1, n + 1) if indegree[node] == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for other in out[node]:
            indegree[other] -= 1
            if indegree[other] == 0:
                ready.append(other)
    return seen < n


def _gen_directed(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    n = size(rng, 2) if edge else size(rng, scale.n)
    order = [int(x) + 1 for x in rng.permutation(n)]
    rank = {node: index for index, node in enumerate(order)}
    edges = []
    for u, v in random_edges(rng, n, int(rng.integers(0, 2 * n + 1)), allow_loops=edge):
        edges.append([u, v] if rank[u] <= rank[v] else [v, u])  # acyclic (apart from loops)...
    if rng.random() < 0.6 and n > 1:  # ...unless a back edge closes a path into a cycle
        a, b = sorted(int(x) for x in rng.choice(n, size=2, replace=False))
        edges.append([order[b], order[a]])
    return (n, edges)


register(
    Template(
        name="directed_cycle",
        category="graphs",
        title="Is there a cycle?",
        statement="A directed graph has nodes 1..`n`; each row `[u, v]` of `edges` is an edge from u to v. "
        "Return whether the graph contains a directed cycle (a self-loop counts).",
        params=GRAPH,
        returns="bool",
        solve=solve_has_cycle,
        generate=_gen_directed,
        constraints="1 ≤ n ≤ {n}; 0 ≤ len(edges) ≤ 2·{n} + 1; 1 ≤ u, v ≤ n",
    )
)


def solve_islands(grid: list[str]) -> int:
    rows, columns = len(grid), len(grid[0])
    seen = [[False] * columns for _ in range(rows)]
    count = 0
    for r in range(rows):
        for c in range(columns):
            if grid[r][c] != "#" or seen[r][c]:
                continue
            count += 1
            stack = [(r, c)]
            seen[r][c] = True
            while stack:
                y, x = stack.pop()
                for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if 0 <= ny < rows and 0 <= nx < columns and grid[ny][nx] == "#" and not seen[ny][nx]:
                        seen[ny][nx] = True
                        stack.append((ny, nx))
    return count


def _gen_islands(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    side = max(1, int((scale.n * 4) ** 0.5))
    rows, columns = (size(rng, 2), size(rng, 2)) if edge else (size(rng, side), size(rng, side))
    density = float(rng.uniform(0.2, 0.6))
    return (["".join("#" if rng.random() < density else "." for _ in range(columns)) for _ in range(rows)],)


register(
    Template(
        name="count_islands",
        category="graphs",
        title="Islands",
        statement="`grid` is a map of land (`#`) and water (`.`). An island is a maximal group of land cells "
        "connected through shared sides (not corners). Return the number of islands.",
        params=(Param("grid", "grid"),),
        returns="int",
        solve=solve_islands,
        generate=_gen_islands,
        constraints="1 ≤ rows, columns ≤ 2·√{n}",
    )
)


def solve_bipartite(n: int, edges: list[list[int]]) -> bool:
    neighbours: list[list[int]] = [[] for _ in range(n + 1)]
    for u, v in edges:
        neighbours[u].append(v)
        neighbours[v].append(u)
    colour = [-1] * (n + 1)
    for start in range(1, n + 1):
        if colour[start] >= 0:
            continue
        colour[start] = 0
        stack = [start]
        while stack:
            node = stack.pop()
            for other in neighbours[node]:
                if colour[other] < 0:
                    colour[other] = 1 - colour[node]
                    stack.append(other)
                elif colour[other] == colour[node]:
                    return False
    return True


def _gen_maybe_bipartite(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    n = size(rng, 3) if edge else size(rng, scale.n)
    side = [int(x) for x in rng.integers(0, 2, size=n + 1)]
    edges = [[u, v] for u, v in random_edges(rng, n, int(rng.integers(0, 2 * n + 1))) if side[u] != side[v]]
    if rng.random() < 0.5 and n >= 2:
        u, v = (int(x) + 1 for x in rng.choice(n, size=2, replace=False))
        edges.append([u, v])  # may or may not break bipartiteness
    return (n, edges)


register(
    Template(
        name="bipartite",
        category="graphs",
        title="Two colours",
        statement="An undirected graph has nodes 1..`n`; each row `[u, v]` of `edges` joins u and v (u ≠ v). "
        "Return whether the nodes can be coloured with two colours so that every edge joins different colours.",
        params=GRAPH,
        returns="bool",
        solve=solve_bipartite,
        generate=_gen_maybe_bipartite,
        constraints=GRAPH_LIMITS + "; u ≠ v",
    )
)


def solve_mst(n: int, edges: list[list[int]]) -> int:
    parent = list(range(n + 1))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    total = 0
    for u, v, w in sorted(edges, key=lambda e: e[2]):
        a, b = find(u), find(v)
        if a != b:
            parent[a] = b
            total += w
    return total


def _gen_connected_weighted(rng: np.random.Generator, scale: Scale, edge: bool) -> tuple[Any, ...]:
    n = size(rng, 2) if edge else size(rng, scale.n)
    top = max(2, scale.value)
    edges = [[int(rng.integers(1, node)), node, int(rng.integers(1, top + 1))] for node in range(2, n + 1)]
    edges += random_edges(rng, n, int(rng.integers(0, n + 1)), weights=top)
    order: list[int] = [int(i) for i in rng.permutation(len(edges))] if edges else []
    return (n, [edges[i] for i in order])


register(
    Template(
        name="minimum_spanning_tree",
        category="graphs",
        title="Cheapest network",
        statement="A connected undirected graph has nodes 1..`n`; each row `[u, v, w]` of `edges` joins u and v "
        "with cost w. Return the smallest total cost of a set of edges that connects all nodes.",
        params=GRAPH,
        returns="int",
        solve=solve_mst,
        generate=_gen_connected_weighted,
        constraints="1 ≤ n ≤ {n}; n - 1 ≤ len(edges) ≤ 2·{n}; 1 ≤ w ≤ {value} (at least 2)",
    )
)
