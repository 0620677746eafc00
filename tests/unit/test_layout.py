"""The package layout: no import cycles between our modules, no loose modules beside the packages.

Every ``import`` counts, also those inside functions (a lazy import hides a cycle, it does not
remove it). An edge into a package means its ``__init__``; a module importing its own package's
``__init__`` is not counted (Python has already run it by then).
"""

from __future__ import annotations

import ast
from pathlib import Path

import rlvr_envs

PACKAGE = Path(rlvr_envs.__file__).parent
#: Cycles another branch is removing; delete an entry once that branch is merged.
KNOWN_CYCLES: set[frozenset[str]] = set()
TOP_LEVEL_MODULES = {"__init__.py", "errors.py"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                base = node.module
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, node.module])
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
                ]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    new = cycles(import_graph()) - KNOWN_CYCLES
    assert not new, f"import cycles: {[sorted(c) for c in new]}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == {frozenset({"a", "b"})}


def test_curriculum_factory_and_mixture_do_not_import_each_other() -> None:
    graph = import_graph()
    assert "rlvr_envs.curriculum.factory" not in graph["rlvr_envs.curriculum.mixture"]


def test_top_level_holds_packages_only() -> None:
    loose = {path.name for path in PACKAGE.glob("*.py")} - TOP_LEVEL_MODULES
    assert not loose, f"modules beside the packages: {sorted(loose)}; put each in the package it belongs to"


def test_public_imports_are_unchanged() -> None:
    from rlvr_envs.policies import load_policy, oracle, random_policy, run_episode

    assert all(callable(f) for f in (load_policy, oracle, random_policy, run_episode))
    for name in ("make", "make_vec", "unwrap", "verify", "list_envs", "MixtureEnv", "register_mixture"):
        assert name in rlvr_envs.__all__ and hasattr(rlvr_envs, name)
