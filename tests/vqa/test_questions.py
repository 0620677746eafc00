"""Every question family's gold answer, recomputed independently from the scene graph.

The checker below re-implements each family's semantics from the question's ``program`` and the
scene's objects (centres, areas, containment lists) without calling the generator's own helpers.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest

from rlvr_envs.core.env import task_rng
from rlvr_envs.tasks.vqa import FAMILIES, VQAFamily
from rlvr_envs.tasks.vqa.questions import EXTREMES, RELATIONS, make_question
from rlvr_envs.tasks.vqa.scene import Scene, generate_scene

REGION_NAMES = [
    ["top left", "top", "top right"],
    ["left", "center", "right"],
    ["bottom left", "bottom", "bottom right"],
]


def _select(objects: list[dict[str, Any]], filt: dict[str, str]) -> list[int]:
    return [i for i, o in enumerate(objects) if all(o[k] == v for k, v in filt.items())]


def _the(objects: list[dict[str, Any]], filt: dict[str, str]) -> int:
    found = _select(objects, filt)
    assert len(found) == 1, f"referring expression {filt} matches {found}"
    return found[0]


def _hop(objects: list[dict[str, Any]], start: int, op: str, tolerance: float) -> int:
    """Nearest object (overall, or among those clearly in a direction), with a clear margin."""
    here = objects[start]
    where = (here["cx"], here["cy"])
    axis, sign = {"left": ("cx", -1), "right": ("cx", 1), "above": ("cy", -1), "below": ("cy", 1)}.get(op, ("", 0))
    inside: list[float] = []
    borderline: list[float] = []
    for i, o in enumerate(objects):
        if i == start:
            continue
        d = math.dist((o["cx"], o["cy"]), where)
        along = sign * (o[axis] - here[axis]) if axis else math.inf
        if along >= tolerance:
            inside.append(d)
        elif abs(along) < tolerance:
            borderline.append(d)
    assert inside
    best = min(inside)
    assert all(d - best >= tolerance for d in sorted(inside)[1:])
    assert all(d >= best + tolerance for d in borderline)
    winners = [i for i, o in enumerate(objects) if i != start and math.dist((o["cx"], o["cy"]), where) == best]
    assert len(winners) == 1
    return winners[0]


def expected_answer(scene: dict[str, Any], question: dict[str, Any]) -> tuple[str, set[int]]:
    """The answer and the referenced objects, from the program and the scene graph alone."""
    objects = scene["objects"]
    program = question["program"]
    tolerance = max(4.0, 0.02 * scene["size"])
    family = question["family"]
    if family == "count":
        hits = _select(objects, program["filter"])
        return str(len(hits)), set(hits)
    if family == "exist":
        hits = _select(objects, program["filter"])
        return ("yes" if hits else "no"), set(hits)
    if family == "query_attribute":
        i = _the(objects, program["filter"])
        return objects[i][program["attribute"]], {i}
    if family == "compare_count":
        a, b = (_select(objects, f) for f in program["filters"])
        bigger = len(a) > len(b) if program["comparison"] == "more" else len(a) < len(b)
        return ("yes" if bigger else "no"), set(a) | set(b)
    if family == "compare_attribute":
        i, j = (_the(objects, f) for f in program["filters"])
        same = objects[i][program["attribute"]] == objects[j][program["attribute"]]
        return ("yes" if same else "no"), {i, j}
    if family == "relation":
        anchor = _the(objects, program["anchor"])
        if program["relation"] == "inside":
            inner = [i for i, o in enumerate(objects) if anchor in o["inside"]]
            assert len(inner) == 1
            return objects[inner[0]][program["attribute"]], {inner[0], anchor}
        if program["relation"] == "nearest":
            target = _hop(objects, anchor, "nearest", tolerance)
            return objects[target][program["attribute"]], {target, anchor}
        a = objects[anchor]
        test = {
            "left": lambda o: o["cx"] < a["cx"], "right": lambda o: o["cx"] > a["cx"],
            "above": lambda o: o["cy"] < a["cy"], "below": lambda o: o["cy"] > a["cy"],
        }[program["relation"]]  # fmt: skip
        hits = [i for i in _select(objects, program["filter"]) if i != anchor and test(objects[i])]
        return str(len(hits)), {anchor, *hits}
    if family == "relation_chain":
        path = [_the(objects, program["anchor"])]
        for op in program["ops"]:
            path.append(_hop(objects, path[-1], op, tolerance))
        assert len(set(path)) == len(path)
        return objects[path[-1]][program["attribute"]], set(path)
    if family == "extreme":
        pool = _select(objects, program["filter"])
        ext = program["extreme"]
        value = {
            "leftmost": lambda o: -o["cx"], "rightmost": lambda o: o["cx"], "topmost": lambda o: -o["cy"],
            "bottommost": lambda o: o["cy"], "largest": lambda o: o["full_area"], "smallest": lambda o: -o["full_area"],
        }[ext]  # fmt: skip
        winner = max(pool, key=lambda i: value(objects[i]))
        others = [value(objects[i]) for i in pool if i != winner]
        assert others and all(value(objects[winner]) > v for v in others)
        return objects[winner][program["attribute"]], {winner}
    if family == "grounding":
        i = _the(objects, program["filter"])
        col = min(2, int(objects[i]["cx"] * 3 // scene["size"]))
        row = min(2, int(objects[i]["cy"] * 3 // scene["size"]))
        return REGION_NAMES[row][col], {i}
    raise AssertionError(f"unknown family {family}")


def _tasks(count: int, levels: range) -> list[Any]:
    family = VQAFamily()
    return [
        family.generate(task_rng(seed, level), level, task_id=f"vqa:{level}:{seed:016x}")
        for level in levels
        for seed in range(count)
    ]


@pytest.mark.parametrize("family_name", FAMILIES)
def test_each_family_matches_an_independent_check(family_name: str) -> None:
    family = VQAFamily()
    checked = 0
    for seed in range(60):
        level = seed % 8
        knobs = family.config.knobs(level)
        rng = np.random.default_rng(np.random.SeedSequence([seed, 99]))
        scene = generate_scene(rng, knobs, 336)
        question = make_question(rng, scene, knobs.chain_length, family=family_name)
        if question is None:
            continue
        answer, refs = expected_answer(scene.to_dict(), question.to_dict())
        assert question.answer == answer, (seed, question.text)
        assert set(question.refs) == refs, (seed, question.text)
        checked += 1
    assert checked >= 15, f"{family_name}: only {checked} of 60 scenes gave a question"


def test_generated_tasks_agree_with_the_checker_and_cover_all_families() -> None:
    tasks = _tasks(40, range(0, 8))
    seen = Counter(task.data["question"]["family"] for task in tasks)
    assert set(seen) == set(FAMILIES), seen
    for task in tasks:
        answer, refs = expected_answer(task.data["scene"], task.data["question"])
        assert task.data["question"]["answer"] == answer
        assert set(task.data["question"]["refs"]) == refs


def test_relation_chains_grow_with_the_level() -> None:
    family = VQAFamily()
    for level, hops in ((0, 2), (3, 3), (6, 4)):
        knobs = family.config.knobs(level)
        assert knobs.chain_length == hops
        rng = np.random.default_rng(level)
        lengths = []
        for _ in range(30):
            scene = generate_scene(rng, knobs, 336)
            question = make_question(rng, scene, knobs.chain_length, family="relation_chain")
            if question is not None:
                lengths.append(len(question.program["ops"]))
        assert lengths and set(lengths) == {hops}


def test_inside_lists_are_geometrically_inside() -> None:
    family = VQAFamily()
    found = 0
    for seed in range(40):
        scene = generate_scene(np.random.default_rng(seed), family.config.knobs(5), 336)
        for i, obj in enumerate(scene.objects):
            for host in obj.inside:
                found += 1
                outer = scene.objects[host]
                assert host < i  # drawn below
                x1, y1, x2, y2 = obj.box
                assert outer.cx - outer.r <= x1 and x2 <= outer.cx + outer.r + 1
                assert outer.cy - outer.r <= y1 and y2 <= outer.cy + outer.r + 1
    assert found > 0


def test_scene_round_trips_through_json() -> None:
    family = VQAFamily()
    scene = generate_scene(np.random.default_rng(3), family.config.knobs(4), 224)
    assert Scene.from_dict(scene.to_dict()) == scene


def test_every_relation_and_extreme_kind_is_asked_and_checked() -> None:
    family = VQAFamily()
    seen: Counter[str] = Counter()
    for seed in range(150):
        knobs = family.config.knobs(seed % 8)
        rng = np.random.default_rng([seed, 7])
        scene = generate_scene(rng, knobs, 336)
        for name, key in (("relation", "relation"), ("extreme", "extreme")):
            question = make_question(rng, scene, knobs.chain_length, family=name)
            if question is not None:
                seen[question.program[key]] += 1
                assert (question.answer, set(question.refs)) == expected_answer(scene.to_dict(), question.to_dict())
    assert set(seen) == set(RELATIONS) | set(EXTREMES), seen
