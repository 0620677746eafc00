"""Procedural Code tasks: choosing a problem, writing its statement, and its tests.

A generated task stores its pipeline of template names, its mode, its public tests (shown in the
statement and used for feedback) and a *seed* for its hidden tests; the hidden tests are rebuilt
from that seed whenever they are needed (`hidden_tests`), so tasks stay small and the tests are
unlimited and never shown to the model.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from rlvr_envs.tasks.code.io_formats import describe_input, describe_output, format_input, format_output, signature
from rlvr_envs.tasks.code.templates import TEMPLATES, Pipeline, Scale, pipeline_finals, transforms
from rlvr_envs.verifiers.sandbox import TestCase

ENTRY_POINT = "solve"
MAX_PIPELINE_STEPS = 2
MAX_REDRAWS = 50  # a degenerate draw is redrawn; in practice a few percent of draws are


@dataclass(frozen=True)
class Knobs:
    """Difficulty knobs at one level (each is non-decreasing in the level)."""

    size: int
    quadratic_size: int
    value: int
    text: int
    edge_density: float
    time_limit_s: float
    hidden_tests: int
    compose_probability: float
    compose_steps: int

    @classmethod
    def at(cls, level: int) -> Knobs:
        scale = Scale.at(level)
        return cls(
            size=scale.n,
            quadratic_size=scale.n2,
            value=scale.value,
            text=scale.text,
            edge_density=round(min(0.1 + 0.05 * level, 0.5), 2),
            time_limit_s=min(1.0 + 0.25 * level, 4.0),
            hidden_tests=min(6 + level, 12),
            compose_probability=0.0 if level < 3 else min(0.2 * (level - 2), 0.6),
            compose_steps=1 if level < 8 else MAX_PIPELINE_STEPS,
        )


def choose_pipeline(rng: np.random.Generator, level: int, names: list[str], compose: bool) -> Pipeline:
    """One template, or (at higher levels) array transforms followed by a final template."""
    knobs = Knobs.at(level)
    finals = [name for name in pipeline_finals() if name in names]
    steps = [name for name in transforms() if name in names]
    if compose and finals and steps and rng.random() < knobs.compose_probability:
        count = min(int(rng.integers(1, knobs.compose_steps + 1)), len(steps))
        chosen = [steps[int(i)] for i in rng.choice(len(steps), size=count, replace=False)] if count > 1 else []
        chosen = chosen or [steps[int(rng.integers(0, len(steps)))]]  # one step: the same draw as before
        return Pipeline((*chosen, finals[int(rng.integers(0, len(finals)))]))
    return Pipeline((names[int(rng.integers(0, len(names)))],))


def _jsonable(value: Any) -> Any:
    """Plain JSON data (tuples become lists), as a program's return value will look."""
    return json.loads(json.dumps(value))


def make_test(pipeline: Pipeline, mode: str, args: tuple[Any, ...]) -> TestCase:
    """The test for ``args``: stdin text and expected stdout, or arguments and return value."""
    value = pipeline.solve(*_jsonable(list(args)))  # the reference never sees (or keeps) our objects
    if mode == "stdio":
        return TestCase(input=format_input(pipeline.params, args), expected=format_output(pipeline.returns, value))
    return TestCase(input=_jsonable(list(args)), expected=_jsonable(value))


def public_tests(rng: np.random.Generator, pipeline: Pipeline, mode: str, count: int) -> list[TestCase]:
    """Small examples for the statement (drawn at level-0 sizes so they stay readable)."""
    return [make_test(pipeline, mode, pipeline.generate(rng, Scale.at(0), False)) for _ in range(count)]


def _hidden_stream(names: tuple[str, ...], mode: str, level: int, seed: int, count: int) -> Iterator[TestCase]:
    """The hidden tests one at a time: test ``i`` depends only on ``(seed, i)``, so a prefix is exact."""
    pipeline = Pipeline(names)
    scale = Scale.at(level)
    density = Knobs.at(level).edge_density
    for index, child in enumerate(np.random.SeedSequence(seed).spawn(count)):
        rng = np.random.default_rng(child)
        edge = index == 0 or bool(rng.random() < density)  # the first hidden test is always an edge case
        yield make_test(pipeline, mode, pipeline.generate(rng, scale, edge))


HiddenKey = tuple[tuple[str, ...], str, int, int, int]  # (templates, mode, level, seed, count)


class _HiddenTests:
    """Hidden tests built on demand and kept, per task (least recently used first out).

    Generation's degeneracy check reads only the first tests it needs; judging the task later goes
    on from there instead of building them again, so a task's tests are built once in all.
    """

    def __init__(self, maxsize: int = 256) -> None:
        self._maxsize = maxsize
        self._tasks: OrderedDict[HiddenKey, tuple[list[TestCase], Iterator[TestCase]]] = OrderedDict()
        self._lock = threading.Lock()  # one test is built at a time (a server may judge from threads)

    def _entry(self, key: HiddenKey) -> tuple[list[TestCase], Iterator[TestCase]]:
        entry = self._tasks.get(key)
        if entry is None:
            entry = self._tasks[key] = ([], _hidden_stream(*key))
            while len(self._tasks) > self._maxsize:
                self._tasks.popitem(last=False)
        else:
            self._tasks.move_to_end(key)
        return entry

    def stream(self, key: HiddenKey) -> Iterator[TestCase]:
        """The task's hidden tests in order, building only those that are read."""
        index = 0
        while True:
            with self._lock:
                built, source = self._entry(key)
                while index >= len(built):  # (rebuilt from the start if evicted meanwhile)
                    test = next(source, None)
                    if test is None:
                        return
                    built.append(test)
                test = built[index]
            index += 1
            yield test

    def clear(self) -> None:
        with self._lock:
            self._tasks.clear()


_HIDDEN = _HiddenTests()


def _hidden(names: tuple[str, ...], mode: str, level: int, seed: int, count: int) -> tuple[TestCase, ...]:
    return tuple(_HIDDEN.stream((names, mode, level, seed, count)))


def _key(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=repr)


def echoes(mode: str, test: TestCase) -> bool:
    """Whether echoing the input (stdin to stdout, or returning the first argument) passes ``test``."""
    if mode == "stdio":
        return str(test.input).split() == str(test.expected).split()
    return isinstance(test.input, list) and bool(test.input) and _key(test.input[0]) == _key(test.expected)


def degenerate(mode: str, public: list[TestCase], hidden: Iterable[TestCase]) -> str | None:
    """Why these tests cannot tell a solution from a cheap trick, or ``None`` when they can.

    Refused: one expected output on every test (``print(0)`` would pass) or on every hidden test,
    or hidden outputs that all equal the input (echoing it would pass). ``hidden`` is read lazily and
    only until both are ruled out (two different outputs and one that is not the input): the verdict
    is the one the whole list gives, and a generator need not build the tests it does not read.
    """
    first: str | None = None
    varied = informative = False
    for test in hidden:
        key = _key(test.expected)
        first = key if first is None else first
        varied = varied or key != first
        informative = informative or not echoes(mode, test)
        if varied and informative:
            return None
    if not varied:
        return "every test has the same expected output"
    return "every expected output equals the input"


def hidden_tests(data: dict[str, Any]) -> list[TestCase]:
    """The hidden tests of a task: stored ones (datasets) or rebuilt from the task's seed."""
    if "hidden_tests" in data:
        return [TestCase.model_validate(t) for t in data["hidden_tests"]]
    spec = data["hidden"]
    names = tuple(data["templates"])
    return list(_hidden(names, data["mode"], int(spec["level"]), int(spec["seed"]), int(spec["count"])))


def statement(
    *,
    title: str,
    body: str,
    mode: str,
    params: Any,
    returns: str,
    constraints: str,
    examples: list[TestCase],
    time_limit_s: float,
    memory_mb: int,
    entry_point: str = ENTRY_POINT,
    signature_text: str | None = None,
) -> str:
    """The prompt of a Code task: problem, interface, constraints, examples and how to answer."""
    parts = [f"# {title}", body]
    if mode == "stdio":
        if params is not None:
            parts.append(describe_input(params) + "\n" + describe_output(returns))
        parts.append("Write a complete Python 3 program that reads standard input and writes standard output.")
    else:
        sig = signature_text or signature(params, returns, entry_point)
        parts.append(
            f"Write a Python 3 function with this signature:\n\n```python\n{sig}:\n    ...\n```\n\n"
            "It receives the arguments directly and returns the answer: do not read input or print the answer."
        )
    limits = f"Time limit: {time_limit_s:g} s per test. Memory limit: {memory_mb} MB."
    parts.append(f"Constraints: {constraints}. {limits}" if constraints else limits)
    for index, example in enumerate(examples, 1):
        parts.append(_example_text(index, example, mode, entry_point))
    parts.append("Answer with your complete solution in a single ```python code block.")
    return "\n\n".join(parts)


def _example_text(index: int, test: TestCase, mode: str, entry_point: str) -> str:
    if mode == "stdio":
        return f"Example {index}\nInput:\n```\n{test.input}```\nOutput:\n```\n{test.expected}```"
    args = ", ".join(repr(arg) for arg in test.input) if isinstance(test.input, list) else repr(test.input)
    return f"Example {index}\n`{entry_point}({args})` returns `{test.expected!r}`."


def generate_task_data(
    rng: np.random.Generator,
    level: int,
    *,
    names: list[str],
    modes: list[str],
    compose: bool,
    public_count: int,
    hidden_count: int | None,
    memory_mb: int,
    time_limit_s: float | None,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(prompt, data, metadata) of a procedural task."""
    knobs = Knobs.at(level)
    count = hidden_count or knobs.hidden_tests
    for _ in range(MAX_REDRAWS):  # refuse tasks whose tests do not discriminate (see `degenerate`)
        pipeline = choose_pipeline(rng, level, names, compose)
        mode = modes[int(rng.integers(0, len(modes)))]
        examples = public_tests(rng, pipeline, mode, public_count)
        hidden_seed = int(rng.integers(0, 2**63 - 1))
        # lazily: most draws are decided by their first two hidden tests (the rest is built at judging)
        if degenerate(mode, examples, _HIDDEN.stream((pipeline.names, mode, level, hidden_seed, count))) is None:
            break
    limit = time_limit_s if time_limit_s is not None else knobs.time_limit_s
    prompt = statement(
        title=pipeline.title(),
        body=pipeline.statement(),
        mode=mode,
        params=pipeline.params,
        returns=pipeline.returns,
        constraints=pipeline.constraint_text(Scale.at(level)),
        examples=examples,
        time_limit_s=limit,
        memory_mb=memory_mb,
    )
    data = {
        "source": "procedural",
        "mode": mode,
        "templates": list(pipeline.names),
        "entry_point": ENTRY_POINT if mode == "function" else None,
        "public_tests": [t.model_dump() for t in examples],
        "hidden": {
            "seed": hidden_seed,
            "count": count,
            "level": level,
        },
        "time_limit_s": limit,
        "memory_mb": memory_mb,
    }
    metadata = {"category": pipeline.category, "templates": list(pipeline.names), "knobs": knobs.__dict__}
    return prompt, data, metadata


def reference_program(data: dict[str, Any]) -> str | None:
    """The oracle's submission: the reference solution as a program (or ``None`` if unknown)."""
    if data.get("source") != "procedural":
        reference = data.get("reference")
        return str(reference) if reference else None
    pipeline = Pipeline(tuple(data["templates"]))
    solve_source = pipeline.source()
    if data["mode"] == "function":
        return "from __future__ import annotations\n\n" + solve_source
    from rlvr_envs.tasks.code.io_formats import io_source

    kinds = [param.kind for param in pipeline.params]
    main = (
        "import sys\n\n"
        f"_args = read_input({kinds!r}, sys.stdin.read())\n"
        f"sys.stdout.write(write_output({pipeline.returns!r}, solve(*_args)))\n"
    )
    return "from __future__ import annotations\n\n" + io_source() + "\n\n" + solve_source + "\n\n" + main


def template_names(templates: list[str] | None, categories: list[str] | None) -> list[str]:
    """The template names a config allows (all by default); unknown names raise `KeyError`."""
    names = sorted(TEMPLATES) if templates is None else list(templates)
    for name in names:
        if name not in TEMPLATES:
            raise KeyError(f"unknown template {name!r}; known: {', '.join(sorted(TEMPLATES))}")
    if categories is not None:
        names = [name for name in names if TEMPLATES[name].category in categories]
    return names
