"""Questions from walks over the world: bridge, comparison, intersection, temporal, counting.

Every question knows exactly which entities' documents state the facts it needs (``supporting``),
which entities a reasoner passes through without the question naming them (``rubric``), and every
entity it touches (``path``, used to pick confusable distractors). An entity is referred to either
by name or by a *chain* of functional relations from a named anchor ("the birthplace of the founder
of Keltavo Institute"); a chain of ``k`` relations is ``k`` hops, and asking for an attribute at
its end is one more.

A generator may *plant* structure (e.g. make two events share exactly one participant) before any
document is rendered, so the documents and the gold answer always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from rlvr_envs.tasks.longcontext.documents import Dice, display, format_date
from rlvr_envs.tasks.longcontext.world import (
    ATTRIBUTES,
    ATTRIBUTES_OF,
    KINDS,
    RELATIONS,
    RELATIONS_FROM,
    RELATIONS_TO,
    Attribute,
    Ref,
    World,
    to_date,
)

QuestionType = Literal["bridge", "comparison", "intersection", "temporal", "counting"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("bridge", "comparison", "intersection", "temporal", "counting")
AnswerKind = Literal["entity", "number", "date", "year", "list"]
# fmt: off
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve")
# fmt: on
_HINTS: dict[str, str] = {
    "entity": "Answer with the name.",
    "number": "Answer with a number.",
    "date": "Answer with the full date.",
    "year": "Answer with the year.",
}
_COMPARE: dict[str, tuple[str, str]] = {  # attribute -> (asks for the smaller value, asks for the larger)
    "birth_date": ("Who was born earlier", "Who was born later"),
    "founded": ("Which was founded earlier", "Which was founded later"),
    "employees": ("Which has fewer employees", "Which has more employees"),
    "population": ("Which has the smaller population", "Which has the larger population"),
    "event_date": ("Which took place earlier", "Which took place later"),
    "attendance": ("Which drew the smaller attendance", "Which drew the larger attendance"),
    "year": ("Which was published earlier", "Which was published later"),
    "pages": ("Which has fewer pages", "Which has more pages"),
}
_ORDER: dict[str, tuple[str, str]] = {  # date-like attribute -> (plural of its kind, what to order by)
    "birth_date": ("people", "date of birth"),
    "founded": ("organisations", "founding year"),
    "event_date": ("events", "date"),
    "year": ("works", "publication year"),
}
_COUNT: dict[str, tuple[str, str]] = {  # relation -> (plural of the sources, verb phrase before the target)
    "born_in": ("people", "were born in"),
    "works_for": ("people", "work for"),
    "headquarters": ("organisations", "are headquartered in"),
    "held_in": ("events", "were held in"),
    "organiser": ("events", "were organised by"),
    "author": ("works", "were written by"),
    "publisher": ("works", "were published by"),
    "region": ("towns", "lie in"),
}
_PLANTABLE = frozenset({"born_in", "works_for", "headquarters", "held_in", "organiser", "publisher"})
_ATTEMPTS = 200


class QuestionError(RuntimeError):
    """The world is too small for the requested question (the caller retries with a larger world)."""


@dataclass
class Chain:
    """``anchor`` (named as ``anchor_text``) followed by relation ``steps``; ``end`` is where it lands."""

    anchor: Ref
    anchor_text: str
    steps: list[tuple[str, Ref]] = field(default_factory=list)

    @property
    def end(self) -> Ref:
        return self.steps[-1][1] if self.steps else self.anchor

    @property
    def entities(self) -> list[Ref]:
        return [self.anchor, *(entity for _, entity in self.steps)]

    def describe(self) -> str:
        text = self.anchor_text
        for relation, _ in self.steps:
            text = f"the {RELATIONS[relation].noun} of {text}"
        return text


@dataclass
class Question:
    """A question with its gold answer and the exact evidence behind it."""

    qtype: QuestionType
    text: str
    answer: str
    aliases: list[str]
    kind: AnswerKind
    supporting: list[Ref]
    rubric: list[Ref]
    path: list[Ref]
    hops: int
    anchors: list[str]
    items: list[list[str]] = field(default_factory=list)


def _unique(refs: list[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))


def _random_entity(world: World, dice: Dice, kind: str | None = None) -> Ref:
    chosen = kind if kind is not None else dice.pick(KINDS)
    return chosen, dice.below(world.size(chosen))


def _forward_options(world: World, current: Ref, visited: set[Ref]) -> list[tuple[str, Ref]]:
    options = []
    for relation in RELATIONS_FROM[current[0]]:
        target = world.target(relation.name, current[1])
        if target is not None and target not in visited:
            options.append((relation.name, target))
    return options


def _backward_options(world: World, current: Ref, visited: set[Ref]) -> list[tuple[str, Ref]]:
    return [
        (relation.name, (relation.source, source))
        for relation in RELATIONS_TO[current[0]]
        for source in world.sources(relation.name, current[1])
        if (relation.source, source) not in visited
    ]


def _walk_forward(world: World, dice: Dice, start: Ref, length: int, seen: set[Ref]) -> list[tuple[str, Ref]] | None:
    """``length`` relation steps from ``start`` to entities not in ``seen``, never a dead end early."""
    steps: list[tuple[str, Ref]] = []
    visited = {*seen, start}
    current = start
    for remaining in range(length - 1, -1, -1):
        options = _forward_options(world, current, visited)
        if remaining:  # look one step ahead so the walk does not stop at a dead end (e.g. a region)
            options = [o for o in options if _forward_options(world, o[1], {*visited, o[1]})]
        if not options:
            return None
        step = dice.pick(options)
        steps.append(step)
        visited.add(step[1])
        current = step[1]
    return steps


def _walk_backward(world: World, dice: Dice, end: Ref, length: int, seen: set[Ref]) -> Chain | None:
    """A chain of ``length`` relations that ends at ``end`` and avoids ``seen``."""
    steps: list[tuple[str, Ref]] = []
    visited = {*seen, end}
    current = end
    for remaining in range(length - 1, -1, -1):
        options = _backward_options(world, current, visited)
        if remaining:  # events and works have no incoming relations: avoid stepping onto them too early
            options = [o for o in options if _backward_options(world, o[1], {*visited, o[1]})]
        if not options:
            return None
        relation_name, source = dice.pick(options)
        steps.append((relation_name, current))
        visited.add(source)
        current = source
    steps.reverse()
    return Chain(anchor=current, anchor_text=display(world, current), steps=steps)


def attribute_answer(world: World, attribute: Attribute, index: int) -> tuple[str, list[str], AnswerKind]:
    """The canonical answer string, its accepted forms and the answer kind for an attribute value."""
    value = int(world.attr[attribute.name][index])
    if attribute.value == "date":
        return format_date(value, 0), [format_date(value, style) for style in range(3)], "date"
    if attribute.value == "year":
        return str(value), [str(value)], "year"
    return str(value), [str(value), f"{value:,}"], "number"


def _finish(world: World, dice: Dice, chain: Chain, ask_attribute: bool) -> tuple[str, str, list[str], AnswerKind]:
    """Question text, answer, aliases and kind for "what is <attribute or end> of <chain>"."""
    end = chain.end
    if ask_attribute:
        attribute = dice.pick(ATTRIBUTES_OF[end[0]])
        answer, aliases, kind = attribute_answer(world, attribute, end[1])
        text = f"What is the {attribute.noun} of {chain.describe()}?"
    else:
        answer, aliases, kind = world.name(end), list(world.aliases[end[0]][end[1]]), "entity"
        opening = "Who is" if end[0] == "person" else "What is"
        text = f"{opening} {chain.describe()}?"
    return f"{text} {_HINTS[kind]}", answer, aliases, kind


def _bridge(world: World, dice: Dice, hops: int) -> Question | None:
    anchor = _random_entity(world, dice)
    ask_attribute = dice.below(2) == 0
    steps = _walk_forward(world, dice, anchor, hops - 1 if ask_attribute else hops, set())
    if steps is None:
        return None
    chain = Chain(anchor, display(world, anchor), steps)
    text, answer, aliases, kind = _finish(world, dice, chain, ask_attribute)
    entities = chain.entities
    supporting = entities if ask_attribute else entities[:-1]
    rubric = entities[1:] if ask_attribute else entities[1:-1]
    return Question("bridge", text, answer, aliases, kind, supporting, rubric, entities, hops, [world.name(anchor)])


def _comparison(world: World, dice: Dice, hops: int) -> Question | None:
    # chains lead back from the compared entities, so with hops > 1 they must be of a kind with incoming relations
    attributes = [a for a in ATTRIBUTES.values() if hops == 1 or RELATIONS_TO[a.kind]]
    attribute = dice.pick(attributes)
    kind = attribute.kind
    first, second = _random_entity(world, dice, kind), _random_entity(world, dice, kind)
    values = world.attr[attribute.name]
    if first == second or values[first[1]] == values[second[1]]:
        return None
    chains: list[Chain] = []
    seen: set[Ref] = {first, second}
    for target in (first, second):
        chain = _walk_backward(world, dice, target, hops - 1, seen)
        if chain is None:
            return None
        seen.update(chain.entities)
        chains.append(chain)
    larger = dice.below(2)
    ordered = sorted((first, second), key=lambda ref: int(values[ref[1]]))
    winner = ordered[larger]
    if dice.below(2):
        chains.reverse()
    text = f"{_COMPARE[attribute.name][larger]}: {chains[0].describe()} or {chains[1].describe()}? {_HINTS['entity']}"
    entities = chains[0].entities + chains[1].entities
    rubric = [] if hops == 1 else [e for c in chains for e in c.entities[1:] if e != winner]
    return Question(
        "comparison",
        text,
        world.name(winner),
        list(world.aliases[kind][winner[1]]),
        "entity",
        entities,
        rubric,
        entities,
        hops,
        [world.name(c.anchor) for c in chains],
    )


def _intersection(world: World, dice: Dice, hops: int) -> Question | None:
    n_events = world.size("event")
    first, second = dice.below(n_events), dice.below(n_events)
    if first == second:
        return None
    people = world.participants[first]
    shared = dice.pick(people)
    if not _adult_at(world, shared, second):
        return None
    others = [p for p in world.participants[second] if p not in people][:3]
    planted = [shared, *others]
    for _ in range(64):
        if len(planted) >= 3:
            break
        candidate = dice.below(world.size("person"))
        if candidate not in people and candidate not in planted and _adult_at(world, candidate, second):
            planted.append(candidate)
    if len(planted) < 3:
        return None
    world.participants[second] = dice.shuffled(planted)  # the two events now share exactly one person
    events: list[Ref] = [("event", first), ("event", second)]
    person: Ref = ("person", shared)
    anchor_text = f"the person who took part in both {display(world, events[0])} and {display(world, events[1])}"
    anchors = [world.name(e) for e in events]
    if hops == 1:
        text = f"Which person took part in both {display(world, events[0])} and {display(world, events[1])}?"
        text = f"{text} {_HINTS['entity']}"
        aliases = list(world.aliases["person"][shared])
        path = [*events, person]
        return Question("intersection", text, world.name(person), aliases, "entity", events, [], path, hops, anchors)
    ask_attribute = dice.below(2) == 0
    steps = _walk_forward(world, dice, person, hops - 2 if ask_attribute else hops - 1, set(events))
    if steps is None:
        return None
    chain = Chain(person, anchor_text, steps)
    text, answer, aliases, kind = _finish(world, dice, chain, ask_attribute)
    entities = chain.entities
    supporting = [*events, *(entities if ask_attribute else entities[:-1])]
    rubric = entities if ask_attribute else entities[:-1]
    return Question(
        "intersection", text, answer, aliases, kind, supporting, rubric, [*events, *entities], hops, anchors
    )


def _temporal(world: World, dice: Dice, hops: int) -> Question | None:
    attribute = ATTRIBUTES[dice.pick(tuple(_ORDER))]
    kind = attribute.kind
    count = min(2 + hops, 5)
    values = world.attr[attribute.name]
    picked: dict[int, int] = {}  # value -> index, so values are distinct
    for _ in range(count * 8):
        index = dice.below(world.size(kind))
        picked.setdefault(int(values[index]), index)
        if len(picked) == count:
            break
    if len(picked) < count:
        return None
    shown = dice.shuffled(list(picked.values()))
    ordered = [picked[value] for value in sorted(picked)]
    plural, noun = _ORDER[attribute.name]
    listed = "; ".join(world.names[kind][i] for i in shown)
    text = (
        f"Order these {plural} by {noun}, earliest first: {listed}. "
        "Answer with their names in that order, separated by semicolons."
    )
    refs: list[Ref] = [(kind, i) for i in ordered]
    answer = "; ".join(world.names[kind][i] for i in ordered)
    items = [list(world.aliases[kind][i]) for i in ordered]
    return Question(
        "temporal", text, answer, [answer], "list", refs, [], refs, hops, [world.names[kind][shown[0]]], items
    )


def _adult_at(world: World, person: int, event: int) -> bool:
    """Whether ``person`` had turned 18 by ``event`` (planting keeps `world`'s lifetimes)."""
    return int(world.attr["event_date"][event]) >= int(world.attr["birth_date"][person]) + 18 * 366


def _plausible(world: World, relation: str, source: int, target: int) -> bool:
    """Whether pointing ``source``'s ``relation`` at ``target`` keeps dates possible: an event after
    its organiser's founding, a work after its publisher's (as `world` draws them)."""
    if relation == "organiser":
        return to_date(int(world.attr["event_date"][source])).year >= int(world.attr["founded"][target])
    if relation == "publisher":
        return int(world.attr["year"][source]) >= int(world.attr["founded"][target])
    return True


COUNT_RANGE = (1, 12)  # counting answers are drawn uniformly from this range (inclusive)


def _count_target(world: World, dice: Dice, relation: str, wanted: int) -> int | None:
    """A target with exactly ``wanted`` sources of ``relation``, found in the world or planted."""
    counts = np.bincount(
        world.rel[relation][world.rel[relation] >= 0], minlength=world.size(RELATIONS[relation].target)
    )
    good = np.flatnonzero(counts == wanted)
    if good.size:
        return int(good[dice.below(good.size)])
    n_sources = world.size(RELATIONS[relation].source)
    if relation not in _PLANTABLE or n_sources < wanted:
        return None
    target_kind = RELATIONS[relation].target
    low = world.n_regions if target_kind == "place" else 0
    size = world.size(target_kind)
    target = low + dice.below(size - low)
    current = set(world.sources(relation, target))
    joining: list[int] = []
    for _ in range(64 * wanted):
        if len(current) + len(joining) >= wanted:
            break
        source = dice.below(n_sources)
        if source not in current and source not in joining and _plausible(world, relation, source, target):
            joining.append(source)
    if len(current) + len(joining) < wanted:
        return None
    for source in sorted(current)[wanted:]:  # too many: move the extra ones elsewhere
        for _ in range(64):
            moved = low + (target - low + 1 + dice.below(size - low - 1)) % (size - low)
            if _plausible(world, relation, source, moved):
                break
        else:
            return None
        world.set_relation(relation, source, moved)
    for source in joining:
        world.set_relation(relation, source, target)
    return target


def _counting(world: World, dice: Dice, hops: int) -> Question | None:
    """ "How many <sources> <relation> <chain>?" The count is drawn first, uniformly from
    `COUNT_RANGE`, and then realised (several relations are tried for it), so that "the most
    common count" is right no more often than one time in the range's size."""
    low_count, high_count = COUNT_RANGE
    wanted = low_count + dice.below(high_count - low_count + 1)
    for relation in dice.shuffled(tuple(_COUNT)):
        target_index = _count_target(world, dice, relation, wanted)
        if target_index is None:
            continue
        target: Ref = (RELATIONS[relation].target, target_index)
        counted: list[Ref] = [(RELATIONS[relation].source, s) for s in world.sources(relation, target_index)]
        # the chain avoids the counted entities: "how many organisations are based in the home city
        # of the employer of X" counting that employer too reads as a trick (audit, issue 22)
        chain = _walk_backward(world, dice, target, hops - 1, set(counted))
        if chain is not None:
            break
    else:
        return None
    plural, verb = _COUNT[relation]
    text = f"How many {plural} described in the documents {verb} {chain.describe()}? {_HINTS['number']}"
    number = len(counted)
    aliases = [str(number), _NUMBER_WORDS[number]] if number < len(_NUMBER_WORDS) else [str(number)]
    entities = chain.entities
    supporting = _unique([*entities[:-1], *counted])
    rubric = _unique([*entities[1:], *counted])
    path = _unique([*entities, *counted])
    return Question(
        "counting", text, str(number), aliases, "number", supporting, rubric, path, hops, [world.name(chain.anchor)]
    )


_BUILDERS = {
    "bridge": _bridge,
    "comparison": _comparison,
    "intersection": _intersection,
    "temporal": _temporal,
    "counting": _counting,
}


def make_question(world: World, dice: Dice, qtype: QuestionType, hops: int) -> Question:
    """A question of ``qtype`` with ``hops`` hops over ``world`` (which may be edited to plant it)."""
    for _ in range(_ATTEMPTS):
        question = _BUILDERS[qtype](world, dice, hops)
        if question is not None:
            question.supporting = _unique(question.supporting)
            # the rubric is what a reasoner must find: never the answer, nor an entity the question names
            question.rubric = _unique(
                [r for r in question.rubric if world.name(r) != question.answer and world.name(r) not in question.text]
            )
            question.path = _unique(question.path)
            return question
    raise QuestionError(f"could not build a {qtype} question with {hops} hops in {_ATTEMPTS} attempts")
