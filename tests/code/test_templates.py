"""The procedural templates: enough of them, well formed, deterministic, and their oracle programs pass."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from rlvr_envs.tasks.code.io_formats import format_input, read_input, signature
from rlvr_envs.tasks.code.problems import Knobs, choose_pipeline, hidden_tests, make_test, reference_program
from rlvr_envs.tasks.code.templates import CATEGORIES, TEMPLATES, Pipeline, Scale, pipeline_finals, transforms
from rlvr_envs.verifiers.sandbox import run_tests

NAMES = sorted(TEMPLATES)


def test_at_least_thirty_templates_over_every_category() -> None:
    assert len(TEMPLATES) >= 30
    counts = Counter(template.category for template in TEMPLATES.values())
    assert set(counts) == set(CATEGORIES), f"categories without templates: {set(CATEGORIES) - set(counts)}"
    assert transforms() and pipeline_finals()


@pytest.mark.parametrize("name", NAMES)
def test_template_inputs_round_trip_and_outputs_are_json(name: str) -> None:
    pipeline = Pipeline((name,))
    kinds = [param.kind for param in pipeline.params]
    for level in (0, 2, 5):
        for seed in range(6):
            rng = np.random.default_rng([seed, level])
            args = pipeline.generate(rng, Scale.at(level), seed % 2 == 0)
            plain = json.loads(json.dumps(list(args)))
            assert read_input(kinds, format_input(pipeline.params, args)) == plain
            value = pipeline.solve(*plain)
            assert json.loads(json.dumps(value)) == value or isinstance(value, tuple)
    assert "def solve(" in TEMPLATES[name].source()
    assert signature(pipeline.params, pipeline.returns).startswith("def solve(")


@pytest.mark.parametrize("name", NAMES)
def test_oracle_program_passes_in_both_modes(name: str) -> None:
    pipeline = Pipeline((name,))
    for mode in ("stdio", "function"):
        rng = np.random.default_rng(11)
        tests = [make_test(pipeline, mode, pipeline.generate(rng, Scale.at(3), index == 0)) for index in range(3)]
        program = reference_program({"source": "procedural", "templates": [name], "mode": mode})
        assert program is not None
        results = run_tests(program, tests, entry_point="solve" if mode == "function" else None)
        assert all(r.passed for r in results), (mode, [(r.status, r.error, r.stderr[-300:]) for r in results])


def test_pipelines_chain_transforms_into_a_final_problem() -> None:
    seen = set()
    for seed in range(200):
        pipeline = choose_pipeline(np.random.default_rng(seed), 9, NAMES, compose=True)
        seen.add(len(pipeline.names))
        if len(pipeline.names) > 1:
            assert all(TEMPLATES[n].is_transform for n in pipeline.names[:-1])
            assert pipeline.names[-1] in pipeline_finals()
            assert "First transform it" in pipeline.statement()
    assert seen == {1, 2, 3}
    never = {len(choose_pipeline(np.random.default_rng(s), 2, NAMES, compose=True).names) for s in range(100)}
    assert never == {1}, "levels below 3 never compose"


def test_composed_oracle_passes() -> None:
    pipeline = Pipeline(("sort_by_frequency", "prefix_sums", "max_subarray_sum"))
    rng = np.random.default_rng(3)
    for mode in ("stdio", "function"):
        tests = [make_test(pipeline, mode, pipeline.generate(rng, Scale.at(5), False)) for _ in range(3)]
        program = reference_program({"source": "procedural", "templates": list(pipeline.names), "mode": mode})
        assert program is not None
        results = run_tests(program, tests, entry_point="solve" if mode == "function" else None)
        assert all(r.passed for r in results)


def test_hidden_tests_are_a_pure_function_of_the_seed() -> None:
    data = {"templates": ["count_inversions"], "mode": "stdio", "hidden": {"seed": 99, "count": 8, "level": 4}}
    first, again = hidden_tests(data), hidden_tests(json.loads(json.dumps(data)))
    assert first == again and len(first) == 8
    neighbour = hidden_tests(data | {"hidden": {"seed": 100, "count": 8, "level": 4}})
    assert neighbour != first


def test_knobs_grow_with_the_level() -> None:
    previous = Knobs.at(0)
    for level in range(1, 30):
        current = Knobs.at(level)
        for key, value in current.__dict__.items():
            assert value >= previous.__dict__[key], (key, level)
        previous = current
    assert Knobs.at(8).size > Knobs.at(0).size and Knobs.at(8).hidden_tests > Knobs.at(0).hidden_tests
