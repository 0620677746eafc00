"""A seeded fictional knowledge graph: people, organisations, places, events and works.

Entities are rows of numpy arrays, one set per kind; an entity is referenced as ``(kind, index)``.
Every relation is *functional* (one value per entity, ``-1`` for none) and is stated in exactly one
document, the source entity's own, so the documents that support a fact are known exactly. Event
participants are the one set-valued relation (for intersection questions). Dates are stored as days
since 1970-01-01. Generation is vectorised, so a world of thousands of entities takes milliseconds.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from rlvr_envs.tasks.longcontext import names as _names

Kind = Literal["person", "org", "place", "event", "work"]
KINDS: tuple[Kind, ...] = ("person", "org", "place", "event", "work")
Ref = tuple[str, int]
_EPOCH = _dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Relation:
    """A functional relation ``source kind -> target kind``; ``noun`` reads "the <noun> of X"."""

    name: str
    source: Kind
    target: Kind
    noun: str


@dataclass(frozen=True)
class Attribute:
    """A literal attribute of one kind: a full date, a year, or a count/quantity."""

    name: str
    kind: Kind
    value: Literal["date", "year", "number"]
    noun: str


RELATIONS: dict[str, Relation] = {
    r.name: r
    for r in (
        Relation("born_in", "person", "place", "birthplace"),
        Relation("works_for", "person", "org", "employer"),
        Relation("mentor", "person", "person", "mentor"),
        Relation("founder", "org", "person", "founder"),
        Relation("headquarters", "org", "place", "home city"),
        Relation("region", "place", "place", "region"),
        Relation("held_in", "event", "place", "host town"),
        Relation("organiser", "event", "org", "organiser"),
        Relation("author", "work", "person", "author"),
        Relation("publisher", "work", "org", "publisher"),
    )
}
ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute("birth_date", "person", "date", "date of birth"),
        Attribute("founded", "org", "year", "founding year"),
        Attribute("employees", "org", "number", "number of employees"),
        Attribute("population", "place", "number", "population"),
        Attribute("event_date", "event", "date", "date"),
        Attribute("attendance", "event", "number", "attendance"),
        Attribute("year", "work", "year", "publication year"),
        Attribute("pages", "work", "number", "page count"),
    )
}
RELATIONS_FROM: dict[str, tuple[Relation, ...]] = {
    kind: tuple(r for r in RELATIONS.values() if r.source == kind) for kind in KINDS
}
RELATIONS_TO: dict[str, tuple[Relation, ...]] = {
    kind: tuple(r for r in RELATIONS.values() if r.target == kind) for kind in KINDS
}
ATTRIBUTES_OF: dict[str, tuple[Attribute, ...]] = {
    kind: tuple(a for a in ATTRIBUTES.values() if a.kind == kind) for kind in KINDS
}


def days(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 (how the world stores dates)."""
    return (_dt.date(year, month, day) - _EPOCH).days


def to_date(value: int) -> _dt.date:
    return _EPOCH + _dt.timedelta(days=int(value))


@dataclass
class World:
    """The knowledge graph. ``rel[name][i]`` is the target index of entity ``i`` of the relation's
    source kind (``-1`` for none); ``attr[name][i]`` its attribute value."""

    names: dict[str, list[str]]
    aliases: dict[str, list[list[str]]]
    rel: dict[str, np.ndarray]
    attr: dict[str, np.ndarray]
    participants: list[list[int]]
    n_regions: int
    org_kind: np.ndarray
    _inverse: dict[str, dict[int, list[int]]] = field(default_factory=dict, repr=False)

    def size(self, kind: str) -> int:
        return len(self.names[kind])

    def name(self, ref: Ref) -> str:
        return self.names[ref[0]][ref[1]]

    def is_region(self, place: int) -> bool:
        return place < self.n_regions

    def target(self, relation: str, index: int) -> Ref | None:
        value = int(self.rel[relation][index])
        return (RELATIONS[relation].target, value) if value >= 0 else None

    def sources(self, relation: str, target: int) -> list[int]:
        """Indices of the entities whose ``relation`` points at ``target`` (sorted)."""
        inverse = self._inverse.get(relation)
        if inverse is None:
            inverse = {}
            for source, value in enumerate(self.rel[relation].tolist()):
                if value >= 0:
                    inverse.setdefault(value, []).append(source)
            self._inverse[relation] = inverse
        return inverse.get(target, [])

    def set_relation(self, relation: str, source: int, target: int) -> None:
        """Change one fact (question generators plant structure before anything is rendered)."""
        self.rel[relation][source] = target
        self._inverse.pop(relation, None)

    def events_with(self, person: int) -> list[int]:
        return [event for event, people in enumerate(self.participants) if person in people]

    def mentions(self, ref: Ref) -> list[Ref]:
        """Entities named in ``ref``'s own document (its relation targets and participants)."""
        kind, index = ref
        found: list[Ref] = [(r.target, int(self.rel[r.name][index])) for r in RELATIONS_FROM[kind]]
        mentioned = [item for item in found if item[1] >= 0]
        if kind == "event":
            mentioned.extend(("person", person) for person in self.participants[index])
        return mentioned


def _log_uniform(rng: np.random.Generator, low: float, high: float, size: int, step: int) -> np.ndarray:
    values = np.power(10.0, rng.uniform(low, high, size=size))
    return np.maximum(step, np.round(values / step) * step).astype(np.int64)


def _earlier(rng: np.random.Generator, births: np.ndarray, cutoffs: np.ndarray) -> np.ndarray:
    """For each cutoff, a random person born before it (``-1`` when nobody is)."""
    order = np.argsort(births, kind="stable")
    upper = np.searchsorted(births[order], cutoffs, side="left")
    picks = np.floor(rng.random(cutoffs.size) * np.maximum(upper, 1)).astype(np.int64)
    return np.where(upper > 0, order[picks], -1)


def _respect_lifetimes(
    attr: dict[str, np.ndarray],
    rel: dict[str, np.ndarray],
    participants: list[list[int]],
    births: np.ndarray,
    founded: np.ndarray,
) -> None:
    """Move dates a reader would find impossible, without drawing new numbers: an event after its
    participants turned 18 and after its organiser was founded, a work after its publisher was
    founded. A date that is already possible is kept; one that is not is folded into the allowed span."""
    founding_day = (founded - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    lower = founding_day[rel["organiser"]].copy()
    for event, people in enumerate(participants):
        if people:
            lower[event] = max(int(lower[event]), int(births[people].max()) + 18 * 366)
    drawn = attr["event_date"]
    span = np.maximum(1, days(2024) - lower)
    attr["event_date"] = np.where(drawn >= lower, drawn, lower + (drawn - days(1950)) % span).astype(np.int64)
    attr["year"] = np.minimum(2023, np.maximum(attr["year"], founded[rel["publisher"]])).astype(np.int64)


def generate_world(rng: np.random.Generator, per_kind: int) -> World:
    """A world with ``per_kind`` people, organisations, towns, events and works (plus regions)."""
    n = max(8, int(per_kind))
    n_regions = max(2, n // 8)
    book = _names.NameBook(rng)

    births = rng.integers(days(1890), days(1997), size=n)
    founded = rng.integers(1915, 2021, size=n)
    org_kind = rng.integers(0, len(_names.ORG_KINDS), size=n)
    author = rng.integers(0, n, size=n)
    birth_years = births.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    work_year = np.minimum(2023, birth_years[author] + rng.integers(22, 65, size=n))

    rel = {
        "born_in": rng.integers(n_regions, n_regions + n, size=n),
        "works_for": rng.integers(0, n, size=n),
        "mentor": _earlier(rng, births, births - 8 * 365),
        "founder": _earlier(
            rng, births, (founded - 20 - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
        ),
        "headquarters": rng.integers(n_regions, n_regions + n, size=n),
        "region": np.concatenate([np.full(n_regions, -1), rng.integers(0, n_regions, size=n)]),
        "held_in": rng.integers(n_regions, n_regions + n, size=n),
        "organiser": rng.integers(0, n, size=n),
        "author": author,
        "publisher": rng.integers(0, n, size=n),
    }
    attr = {
        "birth_date": births.astype(np.int64),
        "founded": founded.astype(np.int64),
        "employees": _log_uniform(rng, 1.1, 4.6, n, 1),
        "population": np.concatenate(
            [_log_uniform(rng, 5.3, 6.9, n_regions, 1000), _log_uniform(rng, 2.9, 6.2, n, 100)]
        ),
        "event_date": rng.integers(days(1950), days(2024), size=n).astype(np.int64),
        "attendance": _log_uniform(rng, 1.8, 4.9, n, 10),
        "year": work_year.astype(np.int64),
        "pages": rng.integers(64, 960, size=n).astype(np.int64),
    }
    draws = rng.integers(0, n, size=(n, 5)).tolist()
    sizes = rng.integers(3, 6, size=n).tolist()
    participants = [list(dict.fromkeys(row))[:size] for row, size in zip(draws, sizes, strict=True)]
    _respect_lifetimes(attr, rel, participants, births, founded)

    names: dict[str, list[str]] = {kind: [] for kind in KINDS}
    aliases: dict[str, list[list[str]]] = {kind: [] for kind in KINDS}

    def add(kind: str, made: tuple[str, list[str]]) -> None:
        names[kind].append(made[0])
        aliases[kind].append(made[1])

    place_forms = rng.integers(0, 1 << 30, size=n_regions + n).tolist()
    for index, form in enumerate(place_forms):
        if index < n_regions:
            add("place", _names.region_name(book, _names.REGION_FORMS[form % len(_names.REGION_FORMS)]))
        else:
            add("place", _names.place_name(book, _names.PLACE_SUFFIXES[form % len(_names.PLACE_SUFFIXES)]))
    for _ in range(n):
        add("person", _names.person_name(book))
    for kind_index in org_kind.tolist():
        add("org", _names.org_name(book, _names.ORG_KINDS[kind_index]))
    for form in rng.integers(0, 1 << 30, size=n).tolist():
        add("event", _names.event_name(book, _names.EVENT_KINDS[form % len(_names.EVENT_KINDS)]))
    for form in rng.integers(0, 4, size=n).tolist():
        add("work", _names.work_title(book, form))
    return World(
        names=names,
        aliases=aliases,
        rel=rel,
        attr=attr,
        participants=participants,
        n_regions=n_regions,
        org_kind=org_kind,
    )
