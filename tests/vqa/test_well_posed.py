"""Alternative readings agree on every generated VQA question (issue 22: well-posed tasks).

Checked independently of the generator's helpers: a direction hop's target lies in the 45-degree
cone *and* the half-plane, is nearest by centre *and* by box gap; every object a relation count
asks about is clearly on one side; a region answer's object sits well inside its third.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from rlvr_envs.core.env import task_rng
from rlvr_envs.tasks.vqa import VQAFamily
from rlvr_envs.tasks.vqa.family import vocabulary

AXES = {"left": ("cx", -1), "right": ("cx", 1), "above": ("cy", -1), "below": ("cy", 1)}


def _along_across(o: dict[str, Any], here: dict[str, Any], op: str) -> tuple[float, float]:
    axis, sign = AXES[op]
    other = "cy" if axis == "cx" else "cx"
    return sign * (o[axis] - here[axis]), abs(o[other] - here[other])


def _gap(a: dict[str, Any], b: dict[str, Any]) -> float:
    dx = max(0, max(a["cx"] - a["r"], b["cx"] - b["r"]) - min(a["cx"] + a["r"], b["cx"] + b["r"]))
    dy = max(0, max(a["cy"] - a["r"], b["cy"] - b["r"]) - min(a["cy"] + a["r"], b["cy"] + b["r"]))
    return math.hypot(dx, dy)


def _hop_ok(objects: list[dict[str, Any]], start: int, target: int, op: str) -> None:
    here, chosen = objects[start], objects[target]
    others = [i for i in range(len(objects)) if i != start]
    if op != "nearest":
        along, across = _along_across(chosen, here, op)
        assert along > 0 and across <= along, "the target is more than 45 degrees off the asked direction"
        others = [i for i in others if _along_across(objects[i], here, op)[0] > 0]
    centre = min(others, key=lambda i: math.dist((objects[i]["cx"], objects[i]["cy"]), (here["cx"], here["cy"])))
    gap = min(others, key=lambda i: _gap(objects[i], here))
    assert centre == target, "another object on the asked side is nearer by centre"
    assert gap == target or _gap(objects[gap], here) == _gap(chosen, here), "another object is nearer by gap"


def _tasks(per_level: int) -> list[Any]:
    family = VQAFamily()
    return [family.generate(task_rng(s, lv), lv, task_id="x") for lv in range(0, 9, 2) for s in range(per_level)]


@pytest.mark.parametrize("per_level", [60])
def test_relation_questions_agree_under_every_reading(per_level: int) -> None:
    checked = 0
    for task in _tasks(per_level):
        question, objects = task.data["question"], task.data["scene"]["objects"]
        if question["family"] == "relation_chain":
            path = question["refs"]
            for op, (a, b) in zip(question["program"]["ops"], itertools.pairwise(path), strict=True):
                _hop_ok(objects, a, b, op)
            checked += 1
        elif question["family"] == "relation" and question["program"]["relation"] in AXES:
            anchor = question["refs"][0]
            op = question["program"]["relation"]
            counted = set(question["refs"][1:])
            filt = question["program"]["filter"]
            for i, o in enumerate(objects):
                if i == anchor or not all(o[k] == v for k, v in filt.items()):
                    continue
                along, across = _along_across(o, objects[anchor], op)
                if i in counted:
                    assert along > 0 and across <= along
                else:
                    assert along < 0, "an uncounted object lies on the asked side"
            checked += 1
        elif question["family"] == "grounding":
            o = objects[question["refs"][0]]
            third = task.data["scene"]["size"] / 3
            for value in (o["cx"], o["cy"]):
                assert min(abs(value + 0.5 - third), abs(value + 0.5 - 2 * third)) >= 0.6 * o["r"]
            checked += 1
    assert checked >= 60


def test_no_yes_no_or_count_question_is_about_every_object() -> None:
    for task in _tasks(40):
        question, objects = task.data["question"], task.data["scene"]["objects"]
        if question["answer_type"] in ("yesno", "count") and len(objects) > 1:
            assert len(set(question["refs"])) < len(objects)


def test_the_prompt_states_the_vocabulary_and_the_size_scale() -> None:
    text = vocabulary(0.2)
    for word in ("circle", "hexagon", "purple", "dotted", "small", "medium", "large"):
        assert word in text
    assert "7%" in text and "16%" in text  # 2 * 0.045 * 0.8 and 2 * 0.1 * 0.8 of the width
