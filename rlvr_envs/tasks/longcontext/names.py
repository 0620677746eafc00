"""Pronounceable, unique, made-up names built from syllables (so no answer can be memorised).

A syllable is onset + vowel + coda; stems are 2-3 syllables. `NameBook` hands out names that are
unique across a whole world (compared after `normalize_text`), so a name identifies one entity.
"""

from __future__ import annotations

import string
from collections.abc import Callable

import numpy as np

from rlvr_envs.verifiers.text import normalize_text

_ONSETS = (
    "b",
    "d",
    "f",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gr",
    "kr",
    "th",
    "st",
    "tr",
    "sh",
)
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ou")
_CODAS = ("", "", "", "", "", "n", "r", "l", "s", "m", "th")
SYLLABLES: tuple[str, ...] = tuple(o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS)

ORG_KINDS = (
    "Institute",
    "Guild",
    "Company",
    "Collective",
    "Foundry",
    "Press",
    "Society",
    "Trust",
    "Works",
    "Academy",
    "Bank",
    "Observatory",
)
PLACE_SUFFIXES = ("", "", "holm", "ford", "mere", "vale", "port", "wick", "stead", "burgh", "by")
REGION_FORMS = ("{} Province", "{} Valley", "{} Coast", "{} Highlands", "{} March", "{} County")
EVENT_KINDS = (
    "Accord",
    "Festival",
    "Summit",
    "Exhibition",
    "Congress",
    "Regatta",
    "Fair",
    "Symposium",
    "Games",
    "Council",
)
WORK_NOUNS = (
    "Orchard",
    "Lantern",
    "Harbour",
    "Ledger",
    "Compass",
    "Archive",
    "Garden",
    "Bridge",
    "Mirror",
    "Tide",
    "Furnace",
    "Atlas",
    "Meadow",
    "Clockwork",
    "Chorus",
    "Winter",
    "Quarry",
    "Tapestry",
)
WORK_ADJECTIVES = (
    "Glass",
    "Silent",
    "Crimson",
    "Hollow",
    "Northern",
    "Patient",
    "Salt",
    "Iron",
    "Amber",
    "Distant",
    "Quiet",
    "Broken",
    "Golden",
    "Second",
)


_ASCII_FOLD = str.maketrans({**{c: " " for c in string.punctuation}, "'": None, "`": None})
_ARTICLE_WORDS = frozenset({"a", "an", "the"})


def name_key(name: str) -> str:
    """`normalize_text` of ``name``, with a fast path for printable ASCII (every generated name):
    lower-case, apostrophes dropped, other punctuation as spaces, no articles, single spaces."""
    if name.isascii() and name.isprintable():
        return " ".join(w for w in name.lower().translate(_ASCII_FOLD).split() if w not in _ARTICLE_WORDS)
    return normalize_text(name)


class NameBook:
    """Draws stems from ``rng`` and guarantees every name it hands out is new (after normalisation)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._used: set[str] = set()
        self._pool: list[int] = []
        self._draws: list[int] = []

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` from a pooled bulk draw (one rng call per 256)."""
        if not self._draws:
            self._draws = self.rng.integers(0, 1 << 40, size=256).tolist()
        return self._draws.pop() % n

    def stem(self, syllables: int = 2) -> str:
        """A capitalised stem of ``syllables`` syllables (not reserved)."""
        pool = self._pool
        if len(pool) < syllables:  # draw syllable indices in bulk: one rng call per 4096 syllables
            pool.extend(self.rng.integers(0, len(SYLLABLES), size=4096).tolist())
        if syllables == 2:
            return (SYLLABLES[pool.pop()] + SYLLABLES[pool.pop()]).capitalize()
        return "".join([SYLLABLES[pool.pop()] for _ in range(syllables)]).capitalize()

    def claim(self, name: str) -> bool:
        """Reserve ``name``; ``False`` if it (or a twin that normalises the same) is taken."""
        key = name_key(name)
        if not key or key in self._used:
            return False
        self._used.add(key)
        return True

    def unique(self, build: Callable[[str], str], syllables: int = 2) -> str:
        """``build(stem)`` for fresh stems until the result is unused; stems grow after collisions."""
        for attempt in range(64):
            name = build(self.stem(syllables + attempt // 8))
            if self.claim(name):
                return name
        raise RuntimeError("could not find a unique name in 64 attempts")  # pragma: no cover - ~10^9 names


def _with_aliases(book: NameBook, name: str, candidates: list[str]) -> list[str]:
    """``name`` plus each candidate alias that is still free (claimed, so it stays unique)."""
    return [name, *(alias for alias in candidates if book.claim(alias))]


def person_name(book: NameBook) -> tuple[str, list[str]]:
    """A person's full name and aliases such as ``"V. Keltin"`` and ``"Keltin, Varo"``."""
    last_syllables = 2 if book.below(10) < 7 else 3
    name = book.unique(lambda first: f"{first} {book.stem(last_syllables)}")
    first, last = name.split(" ", 1)
    return name, _with_aliases(book, name, [f"{last}, {first}", f"{first[0]}. {last}"])


def org_name(book: NameBook, kind: str) -> tuple[str, list[str]]:
    """``"Keltavo Institute"``, with the bare stem as an alias when it is free."""
    name = book.unique(lambda stem: f"{stem} {kind}")
    return name, _with_aliases(book, name, [name.rsplit(" ", 1)[0]])


def place_name(book: NameBook, suffix: str) -> tuple[str, list[str]]:
    name = book.unique(lambda stem: stem + suffix)
    return name, [name]


def region_name(book: NameBook, form: str) -> tuple[str, list[str]]:
    name = book.unique(form.format)
    return name, [name]


def event_name(book: NameBook, kind: str) -> tuple[str, list[str]]:
    """``"Keltavo Summit"`` (prose says "the Keltavo Summit"), alias ``"Summit of Keltavo"``."""
    name = book.unique(lambda stem: f"{stem} {kind}")
    return name, _with_aliases(book, name, [f"{kind} of {name.rsplit(' ', 1)[0]}"])


def work_title(book: NameBook, form: int) -> tuple[str, list[str]]:
    adjective = WORK_ADJECTIVES[book.below(len(WORK_ADJECTIVES))]
    noun = WORK_NOUNS[book.below(len(WORK_NOUNS))]
    builders: tuple[Callable[[str], str], ...] = (
        lambda stem: f"The {noun} of {stem}",
        lambda stem: f"{adjective} {noun} at {stem}",
        lambda stem: f"Letters from {stem}",
        lambda stem: f"The {adjective} {noun} of {stem}",
    )
    title = book.unique(builders[form % len(builders)])
    return title, [title]
