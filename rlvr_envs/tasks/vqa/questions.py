"""Nine CLEVR-style question families over a scene graph, each with the objects it refers to.

Every builder either returns a `Question` whose answer is unambiguous on the scene (positions
differ by at least `margin`, sizes by 25%, referring expressions match exactly one object) or
``None`` (the generator then tries another). ``program`` records the question's structure so a
test can recompute the answer independently from the scene graph.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from rlvr_envs.tasks.vqa.scene import Scene, SceneObject
from rlvr_envs.tasks.vqa.vocab import ATTRIBUTES, REGIONS, VALUES

FAMILIES: tuple[str, ...] = (
    "count", "exist", "query_attribute", "compare_count", "compare_attribute",
    "relation", "relation_chain", "extreme", "grounding",
)  # fmt: skip
DIRECTIONS: tuple[str, ...] = ("left", "right", "above", "below")
RELATIONS: tuple[str, ...] = (*DIRECTIONS, "inside", "nearest")
EXTREMES: tuple[str, ...] = ("leftmost", "rightmost", "topmost", "bottommost", "largest", "smallest")
SIZE_RATIO = 1.25  # "largest"/"smallest" need the winner 25% apart from the runner-up
_TRIES = 12

Filter = dict[str, str]


@dataclass(slots=True)
class Question:
    """One question: text, gold answer (and its type), referenced objects, gold caption, structure."""

    family: str
    text: str
    answer: str
    answer_type: str  # count | yesno | color | shape | size | texture | region
    refs: list[int]
    caption: str
    program: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def margin(scene: Scene) -> float:
    """The least centre distance (px) that counts as "left of", "above", "nearer"..."""
    return max(4.0, 0.02 * scene.size)


# ---- language -------------------------------------------------------------------------------
def describe(obj: SceneObject) -> str:
    """The full description used in gold captions: "large red striped circle"."""
    return f"{obj.size} {obj.color} {obj.texture} {obj.shape}"


def caption_for(scene: Scene, refs: list[int], absent: Filter | None = None) -> str:
    """The gold caption of the referenced objects ("no <phrase>" when a filter matches nothing)."""
    if not refs:
        return f"no {phrase(absent or {}, plural=True)}"
    return " and ".join(f"the {describe(scene.objects[i])}" for i in refs)


def phrase(filt: Filter, *, plural: bool = False) -> str:
    """A noun phrase for a filter: {"color": "red", "shape": "circle"} -> "red circle(s)"."""
    words = [filt[a] for a in ("size", "color", "texture") if a in filt]
    noun = filt.get("shape", "object")
    words.append(noun + ("es" if plural and noun.endswith("x") else "s" if plural else ""))
    return " ".join(words)


# ---- scene predicates -----------------------------------------------------------------------
def matches(obj: SceneObject, filt: Filter) -> bool:
    return all(obj.attr(key) == value for key, value in filt.items())


def matching(scene: Scene, filt: Filter) -> list[int]:
    return [i for i, obj in enumerate(scene.objects) if matches(obj, filt)]


def referring_filter(scene: Scene, index: int) -> Filter | None:
    """The smallest attribute set that picks out object ``index`` alone (``None`` if none does)."""
    obj = scene.objects[index]
    for count in range(1, len(ATTRIBUTES) + 1):
        for names in itertools.combinations(ATTRIBUTES, count):
            filt = {name: obj.attr(name) for name in names}
            if matching(scene, filt) == [index]:
                return filt
    return None


def _offset(a: SceneObject, b: SceneObject, direction: str) -> float:
    """How far ``a`` lies in ``direction`` of ``b`` (positive = it does)."""
    if direction == "left":
        return float(b.cx - a.cx)
    if direction == "right":
        return float(a.cx - b.cx)
    if direction == "above":
        return float(b.cy - a.cy)
    return float(a.cy - b.cy)


def _distance(a: SceneObject, b: SceneObject) -> float:
    return math.hypot(a.cx - b.cx, a.cy - b.cy)


def _across(a: SceneObject, b: SceneObject, direction: str) -> float:
    """How far ``a`` lies off the axis of ``direction`` from ``b`` (always >= 0)."""
    return float(abs(a.cy - b.cy) if direction in ("left", "right") else abs(a.cx - b.cx))


def pair_margin(scene: Scene, a: SceneObject, b: SceneObject) -> float:
    """The least offset (px) that reads as "left of", "nearer"... between two objects: the image
    margin or a quarter of their summed half-sides, whichever is larger (big objects need more)."""
    return max(margin(scene), 0.25 * (a.r + b.r))


def _gap(a: SceneObject, b: SceneObject) -> float:
    """The empty space between the two objects' boxes (0 when they touch or overlap)."""
    dx = max(0, max(a.cx - a.r, b.cx - b.r) - min(a.cx + a.r, b.cx + b.r))
    dy = max(0, max(a.cy - a.r, b.cy - b.r) - min(a.cy + a.r, b.cy + b.r))
    return math.hypot(dx, dy)


def direction_reading(scene: Scene, obj: SceneObject, here: SceneObject, direction: str) -> bool | None:
    """Is ``obj`` in ``direction`` of ``here``? ``None`` when readings disagree: too close to the
    line (within `pair_margin`), or on the asked side but more than 45 degrees off the direction
    (a half-plane reader says yes, a cone reader says no)."""
    along = _offset(obj, here, direction)
    m = pair_margin(scene, obj, here)
    if along <= -m:
        return False
    if along < m or _across(obj, here, direction) > along:
        return None
    return True


def _clear_winner(pool: list[int], key: dict[int, float], slack: dict[int, float]) -> int | None:
    """The pool's least-``key`` member when the runner-up is at least its ``slack`` farther."""
    if not pool:
        return None
    ranked = sorted(pool, key=key.__getitem__)
    if len(ranked) > 1 and key[ranked[1]] - key[ranked[0]] < slack[ranked[0]]:
        return None
    return ranked[0]


def step(scene: Scene, index: int, op: str) -> int | None:
    """The object one relation hop from ``index``: the nearest object (``op == "nearest"``) or the
    nearest object lying in a direction. The hop is taken only when every reading a careful person
    might use agrees: nearest by centre distance and by the gap between the objects; "in a
    direction" as a half-plane and as a 45-degree cone, each with a `pair_margin`. ``None`` when
    there is no single clear winner, or when an object whose direction is unclear is about as near.
    """
    objects = scene.objects
    here = objects[index]
    others = [i for i in range(len(objects)) if i != index]
    centre = {i: _distance(objects[i], here) for i in others}
    gap = {i: _gap(objects[i], here) for i in others}
    slack = {i: pair_margin(scene, objects[i], here) for i in others}
    if op == "nearest":
        by_centre = _clear_winner(others, centre, slack)
        return by_centre if by_centre is not None and by_centre == _clear_winner(others, gap, slack) else None
    readings = {i: direction_reading(scene, objects[i], here, op) for i in others}
    cone = [i for i in others if readings[i]]
    winner = _clear_winner(cone, centre, slack)
    if winner is None or winner != min(cone, key=gap.__getitem__):
        return None
    half_plane = [i for i in others if _offset(objects[i], here, op) >= slack[i]]
    if winner != _clear_winner(half_plane, centre, slack):
        return None
    best = centre[winner]
    if any(readings[i] is None and i not in half_plane and centre[i] < best + slack[i] for i in others):
        return None
    return winner


def region_of(scene: Scene, obj: SceneObject) -> str | None:
    """The 3x3 region of the object's centre, or ``None`` if it sits too close to a grid line: closer
    than the image margin or 60% of its half-side (then much of it lies in the next region)."""
    m = max(margin(scene), 0.6 * obj.r)
    third = scene.size / 3.0
    for value in (obj.cx, obj.cy):
        if min(abs(value + 0.5 - third), abs(value + 0.5 - 2 * third)) < m:
            return None
    col = min(2, int((obj.cx + 0.5) // third))
    row = min(2, int((obj.cy + 0.5) // third))
    return REGIONS[row * 3 + col]


# ---- builders -------------------------------------------------------------------------------
Rng = np.random.Generator


def _pick(rng: Rng, items: list[Any] | tuple[Any, ...]) -> Any:
    return items[int(rng.integers(len(items)))]


def _random_filter(rng: Rng, scene: Scene, size: int, *, existing: bool) -> Filter:
    names = [str(n) for n in rng.permutation(list(ATTRIBUTES))[:size]]
    if existing:
        model = _pick(rng, scene.objects)
        return {n: model.attr(n) for n in names}
    return {n: str(_pick(rng, VALUES[n])) for n in names}


def _referable(rng: Rng, scene: Scene) -> tuple[int, Filter] | None:
    order = [int(i) for i in rng.permutation(len(scene.objects))]
    for index in order:
        filt = referring_filter(scene, index)
        if filt is not None:
            return index, filt
    return None


def _free_attribute(rng: Rng, *used: Filter) -> str:
    taken = set().union(*used)
    free = [a for a in ATTRIBUTES if a not in taken]
    return str(_pick(rng, free or list(ATTRIBUTES)))


def _attr_question(attr: str) -> str:
    return {"color": "color", "shape": "shape", "size": "size", "texture": "texture"}[attr]


def build_count(rng: Rng, scene: Scene, knobs_chain: int) -> Question | None:
    filt = _random_filter(rng, scene, int(rng.integers(1, 3)), existing=rng.random() < 0.8)
    refs = matching(scene, filt)
    text = f"How many {phrase(filt, plural=True)} are there?"
    return Question("count", text, str(len(refs)), "count", refs, caption_for(scene, refs, filt), {"filter": filt})


def build_exist(rng: Rng, scene: Scene, knobs_chain: int) -> Question | None:
    filt = _random_filter(rng, scene, int(rng.integers(1, 4)), existing=rng.random() < 0.5)
    refs = matching(scene, filt)
    words = phrase(filt)
    text = f"Is there {'an' if words[0] in 'aeiou' else 'a'} {words}?"
    answer = "yes" if refs else "no"
    return Question("exist", text, answer, "yesno", refs, caption_for(scene, refs, filt), {"filter": filt})


def build_query_attribute(rng: Rng, scene: Scene, knobs_chain: int) -> Question | None:
    found = _referable(rng, scene)
    if found is None:
        return None
    index, filt = found
    attr = _free_attribute(rng, filt)
    text = f"What is the {_attr_question(attr)} of the {phrase(filt)}?"
    obj = scene.objects[index]
    program = {"filter": filt, "attribute": attr}
    return Question("query_attribute", text, obj.attr(attr), attr, [index], caption_for(scene, [index]), program)


def build_compare_count(rng: Rng, scene: Scene, knobs_chain: int) -> Question | None:
    first = _random_filter(rng, scene, 1, existing=True)
    second = _random_filter(rng, scene, 1, existing=rng.random() < 0.7)
    if first == second:
        return None
    a, b = matching(scene, first), matching(scene, second)
    comparison = str(_pick(rng, ("more", "fewer")))
    answer = (len(a) > len(b)) if comparison == "more" else (len(a) < len(b))
    refs = list(dict.fromkeys(a + b))
    text = f"Are there {comparison} {phrase(first, plural=True)} than {phrase(second, plural=True)}?"
    program = {"filters": [first, second], "comparison": comparison}
    caption = caption_for(scene, refs, first)
    return Question("compare_count", text, "yes" if answer else "no", "yesno", refs, caption, program)


def build_compare_attribute(rng: Rng, scene: Scene, knobs_chain: int) -> Question | None:
    first = _referable(rng, scene)
    if first is None:
        return None
    rest = [i for i in range(len(scene.objects)) if i != first[0]]
    for index in [rest[int(i)] for i in rng.permutation(len(rest))]:
        filt = referring_filter(scene, index)
        if filt is None:
            continue
        attr = _free_attribute(rng, first[1], filt)
        same = scene.objects[first[0]].attr(attr) == scene.objects[index].attr(attr)
        text = f"Do the {phrase(first[1])} and the {phrase(filt)} have the same {attr}?"
        refs = [first[0], index]
        program = {"filters": [first[1], filt], "attribute": attr}
        return Question(
            "compare_attribute", text, "yes" if same else "no", "yesno", refs, caption_for(scene, refs), program
        )
    return None


_DIRECTION_TEXT = {"left": "left of", "right": "right of", "above": "above", "below": "below"}
_HOP_TEXT = {
    "left": "the nearest object to the left of",
    "right": "the nearest object to the right of",
    "above": "the nearest object above",
    "below": "the nearest object below",
    "nearest": "the object nearest to",
}


def build_relation(rng: Rng, scene: Scene, knobs_chain: int) -> Question | None:
    relation = str(_pick(rng, RELATIONS))
    if relation == "inside":
        pairs = [(i, host) for i, obj in enumerate(scene.objects) for host in obj.inside]
        if not pairs:
            return None
        inner, host = pairs[int(rng.integers(len(pairs)))]
        host_filter = referring_filter(scene, host)
        if host_filter is None or sum(host in o.inside for o in scene.objects) != 1:
            return None
        attr = str(_pick(rng, ATTRIBUTES))
        text = f"What is the {attr} of the object inside the {phrase(host_filter)}?"
        refs = [inner, host]
        program = {"relation": "inside", "anchor": host_filter, "attribute": attr}
        answer = scene.objects[inner].attr(attr)
        return Question("relation", text, answer, attr, refs, caption_for(scene, refs), program)
    found = _referable(rng, scene)
    if found is None:
        return None
    anchor, anchor_filter = found
    if relation == "nearest":
        target = step(scene, anchor, "nearest")
        if target is None:
            return None
        attr = _free_attribute(rng)
        text = f"What is the {attr} of the object nearest to the {phrase(anchor_filter)}?"
        refs = [target, anchor]
        program = {"relation": "nearest", "anchor": anchor_filter, "attribute": attr}
        return Question(
            "relation", text, scene.objects[target].attr(attr), attr, refs, caption_for(scene, refs), program
        )
    here = scene.objects[anchor]
    filt = _random_filter(rng, scene, int(rng.integers(0, 2)), existing=True)
    counted = [i for i, o in enumerate(scene.objects) if i != anchor and matches(o, filt)]
    readings = [direction_reading(scene, scene.objects[i], here, relation) for i in counted]
    if any(r is None for r in readings):  # an object a half-plane and a cone reader would count differently
        return None
    hits = [i for i, inside in zip(counted, readings, strict=True) if inside]
    text = f"How many {phrase(filt, plural=True)} are {_DIRECTION_TEXT[relation]} the {phrase(anchor_filter)}?"
    refs = [anchor, *hits]
    program = {"relation": relation, "anchor": anchor_filter, "filter": filt}
    return Question("relation", text, str(len(hits)), "count", refs, caption_for(scene, refs), program)


def _chain(rng: Rng, scene: Scene, path: list[int], length: int, budget: list[int]) -> list[tuple[str, int]] | None:
    """A chain of ``length`` unambiguous hops from ``path[-1]`` that never revisits an object,
    found by a randomised depth-first search that gives up after ``budget[0]`` hop evaluations."""
    if length == 0:
        return []
    for op in [str(o) for o in rng.permutation(list(_HOP_TEXT))]:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        target = step(scene, path[-1], op)
        if target is None or target in path:
            continue
        rest = _chain(rng, scene, [*path, target], length - 1, budget)
        if rest is not None:
            return [(op, target), *rest]
    return None


def build_relation_chain(rng: Rng, scene: Scene, chain_length: int) -> Question | None:
    found = _referable(rng, scene)
    if found is None:
        return None
    anchor, anchor_filter = found
    hops_found = _chain(rng, scene, [anchor], chain_length, [60])
    if hops_found is None:
        return None
    ops = [op for op, _ in hops_found]
    path = [anchor, *(target for _, target in hops_found)]
    attr = _free_attribute(rng)
    hops = " ".join(_HOP_TEXT[op] for op in reversed(ops))
    text = f"What is the {attr} of {hops} the {phrase(anchor_filter)}?"
    program = {"anchor": anchor_filter, "ops": ops, "attribute": attr}
    answer = scene.objects[path[-1]].attr(attr)
    return Question("relation_chain", text, answer, attr, path, caption_for(scene, path), program)


def extreme_key(obj: SceneObject, extreme: str) -> float:
    """The value an extreme maximises (position in pixels, or the shape's pixel area)."""
    return {
        "leftmost": -obj.cx,
        "rightmost": obj.cx,
        "topmost": -obj.cy,
        "bottommost": obj.cy,
        "largest": obj.full_area,
        "smallest": -obj.full_area,
    }[extreme]


def build_extreme(rng: Rng, scene: Scene, knobs_chain: int) -> Question | None:
    extreme = str(_pick(rng, EXTREMES))
    filt = _random_filter(rng, scene, int(rng.integers(0, 2)), existing=True)
    if extreme in ("largest", "smallest"):
        filt.pop("size", None)
    pool = matching(scene, filt)
    if len(pool) < 2:
        return None
    ranked = sorted(pool, key=lambda i: extreme_key(scene.objects[i], extreme), reverse=True)
    best, second = (scene.objects[ranked[0]], scene.objects[ranked[1]])
    if extreme in ("largest", "smallest"):
        big, small = (best, second) if extreme == "largest" else (second, best)
        if big.full_area < SIZE_RATIO * small.full_area:
            return None
        # occlusion must not make the answer look different: the visible areas rank the same way
        sign = 1 if extreme == "largest" else -1
        if any(sign * (scene.objects[i].area - best.area) >= 0 for i in ranked[1:]):
            return None
    elif extreme_key(best, extreme) - extreme_key(second, extreme) < pair_margin(scene, best, second):
        return None
    attr = _free_attribute(rng, filt, {"size": ""} if extreme in ("largest", "smallest") else {})
    text = f"What is the {attr} of the {extreme} {phrase(filt)}?"
    program = {"extreme": extreme, "filter": filt, "attribute": attr}
    return Question("extreme", text, best.attr(attr), attr, [ranked[0]], caption_for(scene, [ranked[0]]), program)


def build_grounding(rng: Rng, scene: Scene, knobs_chain: int) -> Question | None:
    found = _referable(rng, scene)
    if found is None:
        return None
    index, filt = found
    region = region_of(scene, scene.objects[index])
    if region is None:
        return None
    text = (
        f"Where is the {phrase(filt)}? Answer with its region of the image: top left, top, top right, left, "
        "center, right, bottom left, bottom or bottom right."
    )
    return Question("grounding", text, region, "region", [index], caption_for(scene, [index]), {"filter": filt})


BUILDERS: dict[str, Callable[[Rng, Scene, int], Question | None]] = {
    "count": build_count,
    "exist": build_exist,
    "query_attribute": build_query_attribute,
    "compare_count": build_compare_count,
    "compare_attribute": build_compare_attribute,
    "relation": build_relation,
    "relation_chain": build_relation_chain,
    "extreme": build_extreme,
    "grounding": build_grounding,
}


def degenerate(scene: Scene, question: Question) -> bool:
    """A yes/no or count question about *every* object: boxing everything is its grounding, so a
    detector plus a guessed answer would earn full credit; such questions are redrawn."""
    return question.answer_type in ("yesno", "count") and len(set(question.refs)) == len(scene.objects) > 1


def make_question(rng: Rng, scene: Scene, chain_length: int, family: str | None = None) -> Question | None:
    """A question of ``family`` (or of a random family, falling back to others that fit the scene)."""
    order = [family] if family is not None else [FAMILIES[int(i)] for i in rng.permutation(len(FAMILIES))]
    for name in order:
        for _ in range(_TRIES):
            question = BUILDERS[name](rng, scene, chain_length)
            if question is not None and not degenerate(scene, question):
                return question
    return None
