"""Documents: entity articles rendered from the world's facts, and low-confusability filler essays.

An entity article states every fact whose *source* is its subject (and nothing about other
entities' facts), in varied templated prose: template variants, shuffled fact order, three date
styles, two number styles, and some colour sentences that state no facts. Filler essays are
practical notes on everyday crafts; they name no entity and state no relation.

All randomness comes from a `Dice`: integers drawn from the task's generator in bulk, which keeps
rendering hundreds of documents fast and still a pure function of the task seed.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import numpy as np

from rlvr_envs.tasks.longcontext.world import Ref, World, to_date

Tier = Literal["gold", "high", "low"]
T = TypeVar("T")


class Dice:
    """Cheap random choices from a pre-drawn pool of integers (refilled from ``rng``)."""

    def __init__(self, rng: np.random.Generator, pool: int = 8192) -> None:
        self.rng = rng
        self._size = pool
        self._pool: list[int] = []

    def _refill(self) -> list[int]:
        self._pool = self.rng.integers(0, 1 << 40, size=self._size).tolist()
        return self._pool

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``."""
        return (self._pool or self._refill()).pop() % n

    def pick(self, options: Sequence[T]) -> T:
        return options[(self._pool or self._refill()).pop() % len(options)]  # `below`, inlined (hot)

    def shuffled(self, items: Sequence[T]) -> list[T]:
        out = list(items)
        pool = self._pool
        for i in range(len(out) - 1, 0, -1):
            if not pool:
                pool = self._refill()
            j = pool.pop() % (i + 1)
            out[i], out[j] = out[j], out[i]
        return out


@dataclass
class Document:
    """One document of a context or collection.

    ``tier`` is ``gold`` (states a fact the answer needs), ``high`` (a high-confusability distractor:
    an entity article that names an entity on the question's path, or describes another entity of a
    gold document's kind and so states the same relation types with other values) or ``low`` (filler).
    ``shares`` says why a ``high`` document is confusable: ``"entity"`` or ``"relation"``.
    """

    title: str
    text: str
    tier: Tier
    subject: Ref | None = None
    shares: str = ""
    doc_id: str = ""
    tokens: int = 0
    article: Article | None = field(default=None, repr=False)  # an entity article's two-form text
    mentions: int = 0  # how often the article writes its subject's full name (entity articles)

    @property
    def max_mentions(self) -> int:
        """The most times the text can name its subject (0 for filler and dataset paragraphs)."""
        return self.article.max_mentions if self.article is not None else 0

    def name_mentions(self, mentions: int) -> None:
        """Rewrite an entity article so its subject's full name appears ``mentions`` times (at most)."""
        if self.article is not None:
            self.mentions = min(max(1, mentions), self.article.max_mentions)
            self.text = self.article.text(self.mentions)

    def block(self) -> str:
        """The document as it appears in a context: ``[D12] Title`` then its text."""
        return f"[{self.doc_id}] {self.title}\n{self.text}"


TOPICS = (
    "tide charts",
    "glass acoustics",
    "river silt",
    "bell casting",
    "lichen surveys",
    "map projections",
    "orchard grafting",
    "clock escapements",
    "salt glazes",
    "weather logs",
    "bookbinding",
    "dye plants",
    "lighthouse optics",
    "canal locks",
    "seed banks",
    "star catalogues",
    "rope making",
    "bee keeping",
    "sundials",
    "loom patterns",
    "paper marbling",
    "cheese caves",
    "kite design",
    "stone walls",
    "ink recipes",
    "wind pumps",
    "moss gardens",
    "violin varnish",
    "ice houses",
    "tin mining",
)
ADJECTIVES = (
    "quiet",
    "bright",
    "narrow",
    "old",
    "careful",
    "unusual",
    "plain",
    "handsome",
    "crowded",
    "modest",
    "weathered",
    "tidy",
)
FEATURES = ("harbour", "market square", "bridges", "clock tower", "gardens", "river walk", "old mill", "library")
SEASONS = ("spring", "summer", "autumn", "winter")
WEATHER = ("mild", "wet", "windy", "cold", "sunny", "grey")
PROFESSIONS = (
    "cartographer",
    "glassblower",
    "archivist",
    "engineer",
    "botanist",
    "composer",
    "surveyor",
    "chemist",
    "weaver",
    "astronomer",
    "economist",
    "linguist",
    "architect",
    "printer",
    "geologist",
)
ORG_DESCRIPTIONS = {
    "Institute": "research institute",
    "Guild": "craft guild",
    "Company": "trading company",
    "Collective": "workers' collective",
    "Foundry": "foundry",
    "Press": "publishing house",
    "Society": "learned society",
    "Trust": "charitable trust",
    "Works": "manufacturing works",
    "Academy": "teaching academy",
    "Bank": "private bank",
    "Observatory": "observatory",
}
EVENT_DESCRIPTIONS = {
    "Accord": "diplomatic gathering",
    "Festival": "festival",
    "Summit": "summit",
    "Exhibition": "exhibition",
    "Congress": "congress",
    "Regatta": "regatta",
    "Fair": "trade fair",
    "Symposium": "symposium",
    "Games": "sporting contest",
    "Council": "council meeting",
}
WORK_DESCRIPTIONS = ("novel", "memoir", "history", "field guide", "collection of essays", "treatise", "travelogue")


def settlements(population: int) -> tuple[str, ...]:
    """The words that fit a place of ``population`` (no "village" of half a million)."""
    if population < 3000:
        return ("village", "market town")
    if population < 60000:
        return ("town", "market town", "port town")
    return ("city", "port town")


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(value: int, style: int) -> str:
    """``14 March 1987``, ``March 14, 1987`` or ``1987-03-14`` (``style`` 0, 1, 2)."""
    day = to_date(value)
    if style % 3 == 0:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if style % 3 == 1:
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    return day.isoformat()


def format_number(value: int, style: int) -> str:
    """``12,400`` or ``12400``."""
    return f"{value:,}" if style % 2 == 0 else str(value)


def display(world: World, ref: Ref) -> str:
    """How prose refers to an entity: events take "the", works are quoted."""
    name = world.name(ref)
    if ref[0] == "event":
        return f"the {name}"
    if ref[0] == "work":
        return f'"{name}"'
    return name


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


_PERSON_INTRO = (
    "{name} is {profession} with a long interest in {topic}.",
    "{name} is {profession} by training.",
    "{name}, {profession}, has written widely on {topic}.",
)
_PERSON_FACTS = {
    "birth_date": ("{s} was born on {v}.", "{s}'s date of birth is {v}.", "Records give {s}'s date of birth as {v}."),
    "born_in": ("{s} was born in {v}.", "{s}'s birthplace is {v}.", "{s} is a native of {v}, where {s} was born."),
    "works_for": ("{s} works for {v}.", "{s} is employed by {v}.", "{s} currently holds a post at {v}."),
    "mentor": ("{s} was mentored by {v}.", "{s} trained under {v}, {s}'s mentor.", "{v} was {s}'s mentor."),
}
_PERSON_COLOUR = (
    "{s} is known for careful work on {topic}.",
    "Colleagues describe {s} as patient and exact.",
    "{s} keeps detailed notebooks on {topic}.",
    "In spare hours {s} enjoys {topic}.",
    "{s} has lectured on {topic} in several towns.",
    "{s} once spent a whole {season} studying {topic}.",
    "Friends say {s} is happiest when talking about {topic}.",
    "{s} collects old books on {topic}.",
    "{s} rarely gives interviews.",
)
_ORG_INTRO = ("{name} is {description}.", "{name} is {description} with a reputation for {topic}.")
_ORG_FACTS = {
    "founded": (
        "{name} was founded in {v}.",
        "{name} dates from {v}, the year it was founded.",
        "The founding of {name} took place in {v}.",
    ),
    "founder": ("{name} was founded by {v}.", "Its founder was {v}.", "{v} founded {name}."),
    "headquarters": ("{name} is headquartered in {v}.", "Its head office is in {v}.", "{name} is based in {v}."),
    "employees": ("{name} employs {v} people.", "It has {v} employees.", "The staff of {name} numbers {v}."),
}
_ORG_COLOUR = (
    "{name} is often consulted on {topic}.",
    "Visitors often remark on its {adjective} offices.",
    "{name} is best known for its work on {topic}.",
    "Its archive holds papers on {topic}.",
    "Its staff are busiest every {season}, when demand for {topic} peaks.",
    "{name} is proud of its reputation in {topic}.",
    "The organisation keeps {adjective} records of its meetings.",
)
_PLACE_INTRO = (
    "{name} is {settlement} in {region}.",
    "{name} is {settlement} located in {region}.",
    "{name}, {settlement}, lies in {region}.",
)
_REGION_INTRO = ("{name} is a region.", "{name} is one of the regions of the country.")
_PLACE_POPULATION = (
    "{name} has a population of {v}.",
    "The population of {name} is {v}.",
    "{v} people live in {name}.",
)
_PLACE_COLOUR = (
    "{name} is known for its {adjective} {feature}.",
    "Visitors come to see the {feature} of {name} each {season}.",
    "Locals in {name} take pride in {topic}.",
    "{name} is at its busiest every {season}.",
    "Visitors to {name} often mention its {adjective} streets.",
    "Many people in {name} take an interest in {topic}.",
)
_EVENT_INTRO = ("The {name} was {description}.", "The {name} was {description} remembered for {topic}.")
_EVENT_FACTS = {
    "event_date": ("The {name} took place on {v}.", "The {name} was held on {v}.", "It was held on {v}."),
    "held_in": ("The {name} was held in {v}.", "Its host town was {v}.", "{v} hosted the {name}."),
    "organiser": ("The {name} was organised by {v}.", "{v} organised the {name}.", "Its organiser was {v}."),
    "attendance": (
        "Attendance at the {name} was {v}.",
        "The {name} drew {v} attendees.",
        "A total of {v} people attended.",
    ),
    "participants": ("The participants were {v}.", "{v} took part in the {name}.", "Those who took part were {v}."),
}
_EVENT_COLOUR = (
    "Reports from the {name} mention the {weather} weather.",
    "The programme included talks on {topic}.",
    "Many visitors came for the displays on {topic}.",
    "{a_adjective} closing dinner ended the {name}.",
    "Newspapers called the mood at the {name} {adjective}.",
)
_WORK_INTRO = ("{title} is {description}.", "{title} is {description} about {topic}.")
_WORK_FACTS = {
    "author": ("{title} was written by {v}.", "{v} wrote {title}.", "Its author is {v}."),
    "year": ("It was published in {v}.", "{title} first appeared in {v}.", "The publication year of {title} is {v}."),
    "publisher": ("It was published by {v}.", "{v} published {title}.", "The publisher of {title} is {v}."),
    "pages": ("It runs to {v} pages.", "The book has {v} pages.", "{title} is {v} pages long."),
}
_WORK_COLOUR = (
    "Critics praised its {adjective} prose.",
    "The book is often read alongside studies of {topic}.",
    "Later editions added a chapter on {topic}.",
    "Readers remember its {adjective} opening pages.",
    "Several chapters deal with {topic}.",
    "Its {adjective} cover became well known.",
)
#: the slot of each kind's templates that names the article's subject
_SUBJECT_SLOT = {"person": "s", "org": "name", "place": "name", "event": "name", "work": "title"}


_SUBJECT = "\x00"  # where a body sentence names its subject (full name or short reference)


@dataclass
class Article:
    """An entity article whose subject's full name can appear a chosen number of times.

    Every body sentence names its subject either in full or with a short reference ("the
    institute", "the summit", a surname). ``text(mentions)`` writes the intro (always in full) and
    then the full name in the body's first sentences that name the subject, while the name budget
    lasts, so how often a name occurs in its own article is a knob the assembly sets (see
    `assembly`), not a side effect of which templates were drawn.
    """

    intro: str
    body: list[str]  # capitalised sentences with `_SUBJECT` where the subject is named
    full: str
    short: str
    occurrences: list[int] = field(default_factory=list)
    max_mentions: int = 1

    def __post_init__(self) -> None:
        body, occurrences = self.body, self.occurrences
        for i, sentence in enumerate(body):
            count = sentence.count(_SUBJECT)
            occurrences.append(count)
            if sentence[0].islower():
                body[i] = sentence[0].upper() + sentence[1:]
        self.max_mentions = 1 + sum(occurrences)

    def text(self, mentions: int | None = None) -> str:
        """The article with the subject's full name written ``mentions`` times (at most
        `max_mentions`; all if None): in the first sentences that name it, the short reference after."""
        budget = self.max_mentions if mentions is None else max(1, mentions) - 1
        full, short = self.full, self.short
        parts = [self.intro]
        for sentence, occurrences in zip(self.body, self.occurrences, strict=True):
            if occurrences:
                named = min(occurrences, budget)
                budget -= named
                if named == 0 and sentence[0] == _SUBJECT:
                    sentence = short[0].upper() + short[1:] + sentence[1:]
                sentence = sentence.replace(_SUBJECT, full, named).replace(_SUBJECT, short)
            parts.append(sentence)
        return " ".join(parts)


def _forms(template: str, slot: str, **values: str) -> str:
    """A template with `_SUBJECT` where it names the subject."""
    return template.format(**{slot: _SUBJECT}, **values)


_FIELDS: dict[str, tuple[str, ...]] = {}


def _fields(template: str) -> tuple[str, ...]:
    """The slots ``template`` uses, in order (cached: values are drawn only for slots a sentence has)."""
    found = _FIELDS.get(template)
    if found is None:
        found = tuple(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name))
        _FIELDS[template] = found
    return found


_COLOUR_WORDS: dict[str, Sequence[str]] = {"topic": TOPICS, "season": SEASONS, "feature": FEATURES, "weather": WEATHER}
_DRAWS: dict[str, tuple[tuple[str, Sequence[str]], ...]] = {}


def _draws(template: str, words: dict[str, Sequence[str]]) -> tuple[tuple[str, Sequence[str]], ...]:
    """The (slot, word list) pairs ``template`` needs drawn (cached per template)."""
    found = _DRAWS.get(template)
    if found is None:
        found = tuple((name, words[name]) for name in _fields(template) if name in words)
        _DRAWS[template] = found
    return found


def _colour(dice: Dice, templates: Sequence[str], count: int, slot: str) -> list[str]:
    """``count`` colour sentences (distinct templates; they state no facts)."""
    chosen = dice.shuffled(templates)[: min(count, len(templates))]
    adjective = dice.pick(ADJECTIVES)
    shared = {slot: _SUBJECT, "adjective": adjective, "a_adjective": _sentence(_a(adjective))}
    sentences = []
    for template in chosen:
        values = dict(shared)
        for name, words in _draws(template, _COLOUR_WORDS):
            values[name] = dice.pick(words)
        sentences.append(template.format_map(values))
    return sentences


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def short_reference(world: World, ref: Ref) -> str:
    """How an article refers back to its own subject: a surname, "the institute", "the summit"."""
    kind, index = ref
    name = world.name(ref)
    if kind == "person":
        return name.split(" ", 1)[1]
    if kind in ("org", "event"):
        return ("the " if kind == "org" else "") + name.rsplit(" ", 1)[1].lower()
    if kind == "place":
        return "the region" if world.is_region(index) else "the town"
    return "the book"


def render_article(world: World, ref: Ref, dice: Dice) -> tuple[str, Article]:
    """The title and `Article` of ``ref``: every fact of which ``ref`` is the source."""
    kind, index = ref
    name = world.name(ref)
    date_style, number_style = dice.below(3), dice.below(2)
    attr = world.attr
    slot = _SUBJECT_SLOT[kind]
    full = f'"{name}"' if kind == "work" else name
    short = short_reference(world, ref)

    def other(relation: str) -> str | None:
        target = world.target(relation, index)
        return display(world, target) if target is not None else None

    def facts(table: Mapping[str, tuple[str, ...]], values: dict[str, str | None]) -> list[str]:
        return [_forms(dice.pick(table[k]), slot, v=v) for k, v in values.items() if v is not None]

    if kind == "person":
        body = facts(
            _PERSON_FACTS,
            {
                "birth_date": format_date(int(attr["birth_date"][index]), date_style),
                "born_in": other("born_in"),
                "works_for": other("works_for"),
                "mentor": other("mentor"),
            },
        )
        intro = dice.pick(_PERSON_INTRO).format(
            name=name, profession=_a(dice.pick(PROFESSIONS)), topic=dice.pick(TOPICS)
        )
        body += _colour(dice, _PERSON_COLOUR, 2 + dice.below(3), slot)
    elif kind == "org":
        body = facts(
            _ORG_FACTS,
            {
                "founded": str(int(attr["founded"][index])),
                "founder": other("founder"),
                "headquarters": other("headquarters"),
                "employees": format_number(int(attr["employees"][index]), number_style),
            },
        )
        description = _a(ORG_DESCRIPTIONS[name.rsplit(" ", 1)[1]])
        intro = dice.pick(_ORG_INTRO).format(name=name, description=description, topic=dice.pick(TOPICS))
        body += _colour(dice, _ORG_COLOUR, 2 + dice.below(3), slot)
    elif kind == "place":
        region = other("region")
        if region is None:
            intro = dice.pick(_REGION_INTRO).format(name=name)
        else:
            settlement = dice.pick(settlements(int(attr["population"][index])))
            short = f"the {settlement}"  # refer back with the word the intro used ("the port town")
            intro = dice.pick(_PLACE_INTRO).format(name=name, settlement=_a(settlement), region=region)
        population = format_number(int(attr["population"][index]), number_style)
        body = [_forms(dice.pick(_PLACE_POPULATION), slot, v=population)]
        body += _colour(dice, _PLACE_COLOUR, 2 + dice.below(4), slot)
    elif kind == "event":
        people = [display(world, ("person", p)) for p in world.participants[index]]
        body = facts(
            _EVENT_FACTS,
            {
                "event_date": format_date(int(attr["event_date"][index]), date_style),
                "held_in": other("held_in"),
                "organiser": other("organiser"),
                "attendance": format_number(int(attr["attendance"][index]), number_style),
                "participants": _join(people),
            },
        )
        description = _a(EVENT_DESCRIPTIONS[name.rsplit(" ", 1)[1]])
        intro = dice.pick(_EVENT_INTRO).format(name=name, description=description, topic=dice.pick(TOPICS))
        body += _colour(dice, _EVENT_COLOUR, 1 + dice.below(3), slot)
    else:
        body = facts(
            _WORK_FACTS,
            {
                "author": other("author"),
                "year": str(int(attr["year"][index])),
                "publisher": other("publisher"),
                "pages": format_number(int(attr["pages"][index]), number_style),
            },
        )
        intro = dice.pick(_WORK_INTRO).format(
            title=full, description=_a(dice.pick(WORK_DESCRIPTIONS)), topic=dice.pick(TOPICS)
        )
        body += _colour(dice, _WORK_COLOUR, 2 + dice.below(3), slot)
    order = dice.shuffled(range(len(body)))
    return name, Article(_sentence(intro), [body[i] for i in order], full, short)


def render_entity(world: World, ref: Ref, dice: Dice, mentions: int | None = None) -> tuple[str, str]:
    """The (title, text) of ``ref``'s article, naming the subject ``mentions`` times (all it can if None)."""
    title, article = render_article(world, ref, dice)
    return title, article.text(mentions)


# ---- filler -------------------------------------------------------------------------------------
_FILLER_TITLES = (
    "Notes on {topic}",
    "A short guide to {topic}",
    "On {topic}",
    "{Topic} for beginners",
    "Thoughts on {topic}",
    "A season of {topic}",
)
_FILLER = (
    "Work on {topic} rewards patience far more than talent.",
    "Most beginners underestimate how much the {material} matters in {topic}.",
    "In {season}, the work shifts toward {activity}.",
    "A good {tool} makes {topic} far less tiring.",
    "Experienced hands keep a notebook of every {thing} they try.",
    "The old manuals recommend {small} minutes of {activity} before starting.",
    "There is no single right way to approach {topic}.",
    "Some practitioners swear by {material}; others find it too {adjective}.",
    "{a_adjective} {thing} is usually the first sign that something has gone wrong.",
    "It helps to work in {light} light, with the {tool} within reach.",
    "Over a long {season}, small habits add up to real skill.",
    "Cleaning the {tool} after each session saves hours later.",
    "Nobody agrees on the origins of {topic}, and the question may not matter much.",
    "Mistakes in {topic} are cheap, and the lessons they teach are not.",
    "{a_adjective} {material} behaves differently from a fresh supply.",
    "When in doubt, slow down and look again at the {thing}.",
    "The best results come from {activity} little and often.",
    "Keep spare {material} nearby, because it always runs out at the worst moment.",
    "The craft of {topic} can be learned from books, but the hands learn it only by doing.",
    "Many people return to {topic} after years away and find the craft reassuringly unchanged.",
    "The difference between {a_adjective_lower} result and a good one is often a matter of {activity}.",
    "Weather changes everything: damp air slows {activity} and dry air hurries it.",
    "Few tasks in {topic} need more than a {tool}, a steady table and some {material}.",
    "Write down what went wrong, because memory flatters every {thing}.",
)
_MATERIALS = ("linen thread", "beeswax", "fine sand", "cedar shavings", "lamp oil", "chalk", "copper wire", "clay")
_TOOLS = ("bone folder", "brass gauge", "hand lens", "spirit level", "paring knife", "soft brush", "set square")
_THINGS = ("sample", "trial piece", "measurement", "joint", "sketch", "batch", "pattern")
_ACTIVITIES = ("sorting", "measuring", "sanding", "drying", "sketching", "planning", "testing", "tidying")
_LIGHTS = ("morning", "even", "north", "lamp")


_FILLER_WORDS: dict[str, Sequence[str]] = {
    "material": _MATERIALS,
    "tool": _TOOLS,
    "thing": _THINGS,
    "activity": _ACTIVITIES,
    "light": _LIGHTS,
    "season": SEASONS,
}
_ADJECTIVE_SLOTS = frozenset({"adjective", "a_adjective", "a_adjective_lower"})


def filler_sentence(dice: Dice, topic: str, template: str | None = None) -> str:
    """One sentence of a filler essay on ``topic`` (a random template unless one is given)."""
    template = template or dice.pick(_FILLER)
    values = {"topic": topic}
    for name, words in _draws(template, _FILLER_WORDS):
        values[name] = dice.pick(words)
    fields = _fields(template)
    if "small" in fields:
        values["small"] = str(5 + dice.below(40))
    if _ADJECTIVE_SLOTS.intersection(fields):
        adjective = dice.pick(ADJECTIVES)
        values.update(adjective=adjective, a_adjective=_sentence(_a(adjective)), a_adjective_lower=_a(adjective))
    return template.format_map(values)


def filler_title(dice: Dice) -> tuple[str, str]:
    """A filler topic and the title of an essay on it."""
    topic = dice.pick(TOPICS)
    return topic, dice.pick(_FILLER_TITLES).format(topic=topic, Topic=topic[0].upper() + topic[1:])


def render_filler(dice: Dice, sentences: int) -> tuple[str, str]:
    """A low-confusability essay of ``sentences`` sentences: (title, text)."""
    topic, title = filler_title(dice)
    templates = dice.shuffled(_FILLER)[: max(1, sentences)]
    return title, " ".join(filler_sentence(dice, topic, template) for template in templates)
