"""Context assembly: gold documents at controlled depths among tiered distractors, to a token target.

Steps (all driven by the task's `Dice`, so the result is a pure function of the task seed):

1. Render the gold documents (the question's supporting entities).
2. Fill ``high_share`` of the remaining token budget with high-confusability articles: first
   those that name an entity on the question's path, then other entities of a gold document's
   kind (same relation types, other values). The rest is low-confusability filler essays.
3. Shuffle the distractors and insert each gold document at its depth: ``depth`` is the fraction
   of the other documents' tokens that precede it (0 = first, 1 = last, just before the question).
4. Give every document an id ``D<n>`` (a random permutation of 1..N) and make the length exact by
   growing or trimming the last filler essay (the *pad*) until the documents block has the wanted
   number of tokens (within 0.2 %, or a few tokens, with the approximate counter; a real tokenizer
   is re-measured up to six times).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from rlvr_envs.tasks.longcontext.documents import (
    TOPICS,
    Dice,
    Document,
    Tier,
    filler_sentence,
    render_article,
    render_filler,
)
from rlvr_envs.tasks.longcontext.questions import Question
from rlvr_envs.tasks.longcontext.tokens import TokenCounter
from rlvr_envs.tasks.longcontext.world import KINDS, RELATIONS, RELATIONS_FROM, Ref, World

SEPARATOR = "\n\n"
DECOYS = 2  # articles about other entities of the answer's kind, drawn first in their tier
NAMED_DISTRACTORS = 8  # short contexts get unrelated entity articles until this many distractors are articles
UNRELATED_SHARE = 0.5  # ... in at most this share of the low tier's tokens
MENTIONS = 5  # an entity article names its subject 1..MENTIONS times in all (own article plus others)
_PLACEHOLDER_ID = "D00000"
_MIN_PAD_TOKENS = 12


@dataclass(frozen=True)
class Layout:
    """What the assembly must achieve (from the level's knobs or the user's overrides)."""

    block_tokens: int  # tokens of the documents block (separators included)
    high_share: float  # share of the distractor tokens that are high-confusability articles
    gold_middleness: float  # 0: gold documents at the very start or end; 1: anywhere, middle included
    gold_depth: float | None = None  # a fixed depth for all gold documents (one consecutive block)


@dataclass
class Assembly:
    """The ordered documents, the documents block and how it came out."""

    documents: list[Document]
    block: str
    block_tokens: int
    depths: dict[str, float] = field(default_factory=dict)  # doc id -> realised depth (gold only)
    tier_tokens: dict[str, int] = field(default_factory=dict)

    @property
    def high_share(self) -> float:
        distractors = self.tier_tokens.get("high", 0) + self.tier_tokens.get("low", 0)
        return self.tier_tokens.get("high", 0) / distractors if distractors else 0.0


def answer_entity(world: World, question: Question) -> Ref | None:
    """The entity the answer names (``None`` for numbers, dates, years and lists)."""
    if question.kind != "entity":
        return None
    return next((ref for ref in question.path if world.name(ref) == question.answer), None)


def _candidates(world: World, question: Question) -> tuple[list[Ref], list[Ref], set[Ref]]:
    """(entity-sharing, relation-only, every entity whose article touches the path)."""
    gold = set(question.supporting)
    path = set(question.path)
    # Articles that merely mention the answer (or an entity of its kind on the path, e.g. the other
    # side of a comparison) would make "the most mentioned name" a shortcut to it; they are drawn
    # in neither tier, nor is the answer's own article when it is not a gold document.
    answer = answer_entity(world, question)
    answer_kind = next((ref[0] for ref in question.path if world.name(ref) == question.answer), None)
    sharing = _mentioning(world, [ref for ref in path if ref[0] != answer_kind])
    avoid = _mentioning(world, [ref for ref in path if ref[0] == answer_kind]) - sharing
    sharing |= {ref for ref in path if ref not in gold and ref != answer}
    if answer is not None:  # an article that also names the answer would add to its count
        sharing -= _mentioning(world, [answer])
    sharing -= gold
    touching = sharing | avoid | path
    gold_kinds = {kind for kind, _ in gold}
    same_kind = [
        (kind, index)
        for kind in sorted(gold_kinds)
        for index in range(world.size(kind))
        if (kind, index) not in gold and (kind, index) not in touching
    ]
    return sorted(sharing), same_kind, touching


def high_candidates(world: World, question: Question) -> tuple[list[Ref], list[Ref]]:
    """Non-gold entities whose articles share an entity with the path, and those that share only
    the relation types (same kind as a gold document). Both sorted; the caller shuffles."""
    sharing, same_kind, _ = _candidates(world, question)
    return sharing, same_kind


def decoy_kind(world: World, question: Question) -> str | None:
    """The kind of the answer entity when the question does not name it (its rivals are decoys)."""
    answer = answer_entity(world, question)
    return answer[0] if answer is not None and world.name(answer) not in question.text else None


def _unrelated(
    world: World, question: Question, touching: set[Ref], dice: Dice, only: str | None = None
) -> Iterator[Ref]:
    """Entities of kinds no gold document has (or only of kind ``only``) whose articles name
    nothing on the path, in random order (drawn lazily: a long context needs a few dozen of a
    world's thousands)."""
    gold_kinds = {kind for kind, _ in question.supporting}
    kinds = [kind for kind in KINDS if kind not in gold_kinds and (only is None or kind == only)]
    sizes = [world.size(kind) for kind in kinds]
    total = sum(sizes)
    seen: set[Ref] = set()
    misses = 0
    while misses < 64 and len(seen) < total:
        pick = dice.below(total)
        kind = kinds[0]
        for kind, size in zip(kinds, sizes, strict=True):  # noqa: B007 (the loop finds the kind)
            if pick < size:
                break
            pick -= size
        ref = (kind, pick)
        if ref in seen or ref in touching:
            misses += 1
            continue
        misses = 0
        seen.add(ref)
        yield ref


def _mentioning(world: World, refs: list[Ref]) -> set[Ref]:
    """Entities whose articles name one of ``refs`` (a relation pointing at it, or an event it joined)."""
    by_kind: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for kind, index in refs:
        by_kind[kind].append(index)
    found: set[Ref] = set()
    for relation in RELATIONS.values():
        targets = by_kind[relation.target]
        if targets:
            hits = np.flatnonzero(np.isin(world.rel[relation.name], targets))
            found.update((relation.source, int(source)) for source in hits.tolist())
    people = set(by_kind["person"])
    if people:
        found.update(("event", e) for e, members in enumerate(world.participants) if people.intersection(members))
    return found


def _tokens(counter: TokenCounter, document: Document) -> int:
    return counter.count(document.block() + SEPARATOR)


def _depths(dice: Dice, layout: Layout, count: int) -> list[float]:
    if layout.gold_depth is not None:
        return [layout.gold_depth] * count
    depths = []
    for _ in range(count):
        middleness = layout.gold_middleness * dice.below(1_000_001) / 1_000_000
        side = 1.0 if dice.below(2) else -1.0
        depths.append(0.5 + side * (1.0 - middleness) / 2.0)
    return depths


def _place_gold(dice: Dice, layout: Layout, distractors: list[Document], gold: list[Document]) -> list[Document]:
    starts = [0]
    for document in distractors:
        starts.append(starts[-1] + document.tokens)
    total = starts[-1]
    slots: list[tuple[int, int, Document]] = []
    for order, (document, depth) in enumerate(zip(dice.shuffled(gold), _depths(dice, layout, len(gold)), strict=True)):
        wanted = depth * total
        index = bisect.bisect_left(starts, wanted)
        if index > 0 and (index == len(starts) or wanted - starts[index - 1] <= starts[index] - wanted):
            index -= 1
        if len(distractors) >= 2:  # an edge is just inside the first or the last document, never the very end
            index = min(max(index, 1), len(distractors) - 1)
        slots.append((index, order, document))
    slots.sort(key=lambda slot: (slot[0], slot[1]))
    ordered: list[Document] = []
    next_slot = 0
    for position in range(len(distractors) + 1):
        while next_slot < len(slots) and slots[next_slot][0] == position:
            ordered.append(slots[next_slot][2])
            next_slot += 1
        if position < len(distractors):
            ordered.append(distractors[position])
    return ordered


_DANGLING_WORDS = "a an and are as at but by far for from in is it more of on or than that the to too which with"
_DANGLING = frozenset(_DANGLING_WORDS.split())


def _cut(text: str, length: int) -> str:
    """``text`` cut at a word boundary near ``length``, without dangling function words, ending in '.'."""
    cut = text.rfind(" ", 0, length)
    words = text[: cut if cut > 0 else length].split(" ")
    while len(words) > 1 and (words[-1].lower().strip(",;:.") in _DANGLING or not words[-1].strip(",;:.")):
        words.pop()
    return " ".join(words).rstrip(" ,;:.") + "."


def _fit(documents: list[Document], pad: Document | None, goal: int, counter: TokenCounter, dice: Dice) -> str:
    """Grow or trim the pad essay until the block has ``goal`` tokens (as close as words allow)."""
    block = SEPARATOR.join(d.block() for d in documents)
    if pad is None:
        return block
    topic = next((t for t in TOPICS if t in pad.title.lower()), TOPICS[0])
    tolerance = max(2, int(goal * 0.002))
    for _ in range(6):
        diff = goal - counter.count(block)
        if abs(diff) <= tolerance:
            break
        chars_per_token = max(1.0, len(pad.text) / max(1, counter.count(pad.text)))
        want = max(8, len(pad.text) + int(diff * chars_per_token))
        text = pad.text
        while len(text) < want:
            text = f"{text} {filler_sentence(dice, topic)}"
        if len(text) > want:
            text = _cut(text, want)
        pad.text = text
        block = SEPARATOR.join(d.block() for d in documents)
    return block


def _article(world: World, ref: Ref, tier: Tier, shares: str, dice: Dice, counter: TokenCounter) -> Document:
    """An entity article naming its subject 1 to `MENTIONS` times (drawn; `_balance_mentions` may lower it)."""
    title, article = render_article(world, ref, dice)
    document = Document(title, "", tier, ref, shares, _PLACEHOLDER_ID, article=article)
    document.name_mentions(1 + dice.below(MENTIONS))
    document.tokens = _tokens(counter, document)
    return document


def _edges(dice: Dice, distractors: list[Document]) -> list[Document]:
    """Shuffle the distractors and put entity articles first and last, so the first and the last
    name in the context never come from a gold document (nor does filler leave one at an edge)."""
    ordered = dice.shuffled(distractors)
    articles = [i for i, document in enumerate(ordered) if document.article is not None]
    if len(ordered) >= 2 and len(articles) >= 2:
        first, last = articles[0], articles[-1]
        ordered[0], ordered[first] = ordered[first], ordered[0]
        last = first if last == 0 else last  # the swap moved the article that sat first
        ordered[-1], ordered[last] = ordered[last], ordered[-1]
    return ordered


def _external_mentions(world: World, documents: list[Document]) -> Counter[Ref]:
    """How many of ``documents`` name each entity other than their own subject (as `World.mentions`)."""
    by_kind: dict[str, list[int]] = {}
    for document in documents:
        if document.subject is not None:
            by_kind.setdefault(document.subject[0], []).append(document.subject[1])
    counts: Counter[Ref] = Counter()
    for kind, indices in by_kind.items():
        rows = np.asarray(indices)
        for relation in RELATIONS_FROM[kind]:
            targets = world.rel[relation.name][rows]
            values, times = np.unique(targets[targets >= 0], return_counts=True)
            counts.update({(relation.target, v): t for v, t in zip(values.tolist(), times.tolist(), strict=True)})
        if kind == "event":
            for event in indices:
                counts.update(("person", person) for person in world.participants[event])
    return counts


def _balance_mentions(world: World, question: Question, documents: list[Document], dice: Dice) -> None:
    """Make how often a name occurs carry no signal about the answer.

    An entity's name occurs in its own article (its title and ``mentions`` times in the text) and
    once in every other article that names it. Each article drew a total of 1..`MENTIONS` for its
    subject; an entity that other articles also name writes its name that much less often in its
    own, so a gold or answer entity (named along the question's path) has the same totals as any
    distractor's subject. Where the answer would still be (one of) the most frequent names of its
    kind, a distractor of that kind is named once more than it, or else the answer's own article
    names it less often, so "the most frequent name (of the asked kind)" is never the answer.
    """
    external = _external_mentions(world, documents)
    own: dict[Ref, Document] = {}
    for document in documents:
        if document.article is not None and document.subject is not None:
            own[document.subject] = document
            taken = external[document.subject]
            if taken:
                document.name_mentions(document.mentions - taken)
    answer = answer_entity(world, question)
    if answer is None or world.name(answer) in question.text:
        return

    def total(ref: Ref) -> int:
        document = own.get(ref)
        return external[ref] + (document.mentions + 1 if document is not None else 0)  # + 1: the title

    rivals = [ref for ref in {*external, *own} if ref[0] == answer[0] and ref != answer]
    rivals = [ref for ref in rivals if world.name(ref) not in question.text]
    top = max((total(ref) for ref in rivals), default=0)
    if total(answer) < top:
        return
    path = set(question.path)
    wanted = total(answer) + 1
    able = [
        own[ref]
        for ref in rivals
        if ref in own
        and ref not in path
        and own[ref].tier != "gold"
        and own[ref].max_mentions + 1 + external[ref] >= wanted
    ]
    if able:
        chosen = dice.pick(sorted(able, key=lambda document: document.subject or answer))
        chosen.name_mentions(wanted - 1 - external[chosen.subject or answer])
    elif answer in own and top > 1:
        document = own[answer]
        document.name_mentions(top - 2 - external[answer])


def assemble(world: World, question: Question, layout: Layout, dice: Dice, counter: TokenCounter) -> Assembly:
    """Build the documents block for ``question`` as described in the module docstring."""
    gold = [_article(world, ref, "gold", "", dice, counter) for ref in question.supporting]
    remaining = layout.block_tokens - sum(d.tokens for d in gold)

    distractors: list[Document] = []
    high_goal = remaining * layout.high_share
    used = 0
    sharing, same_kind, touching = _candidates(world, question)
    # decoys first: a few articles about other entities of the answer's kind, so that the answer is
    # never the only name of its kind that an article is about (see `_balance_mentions`)
    rivals = decoy_kind(world, question)
    relation_only = dice.shuffled(same_kind)
    decoys = [ref for ref in relation_only if ref[0] == rivals][:DECOYS]
    candidates = [(ref, "relation") for ref in decoys] + [(ref, "entity") for ref in dice.shuffled(sharing)]
    candidates += [(ref, "relation") for ref in relation_only if ref not in decoys]
    for ref, shares in candidates:
        if used >= high_goal:
            break
        document = _article(world, ref, "high", shares, dice, counter)
        if used + document.tokens / 2 > high_goal:
            break
        distractors.append(document)
        used += document.tokens

    low_goal = remaining - used
    unrelated_goal = low_goal * UNRELATED_SHARE
    named = 0
    articles = len(distractors)
    seen: set[Ref] = set()
    decoys_needed = DECOYS - sum(1 for d in distractors if d.subject is not None and d.subject[0] == rivals)
    if rivals is not None and decoys_needed > 0 and rivals not in {kind for kind, _ in question.supporting}:
        for ref in itertools.islice(_unrelated(world, question, touching, dice, rivals), decoys_needed):
            document = _article(world, ref, "low", "unrelated", dice, counter)
            if named + document.tokens / 2 > unrelated_goal:
                break
            seen.add(ref)
            distractors.append(document)
            named += document.tokens
            articles += 1
    for ref in _unrelated(world, question, touching, dice):
        if named >= unrelated_goal or articles >= NAMED_DISTRACTORS:
            break
        if ref in seen:
            continue
        document = _article(world, ref, "low", "unrelated", dice, counter)
        if named + document.tokens / 2 > unrelated_goal:
            break
        distractors.append(document)
        named += document.tokens
        articles += 1
    low_goal -= named

    pad: Document | None = None
    while low_goal >= _MIN_PAD_TOKENS:
        title, text = render_filler(dice, 4 + dice.below(7))
        document = Document(title, text, "low", None, "", _PLACEHOLDER_ID)
        document.tokens = _tokens(counter, document)
        if document.tokens > low_goal - _MIN_PAD_TOKENS:
            pad = document  # the last essay: `_fit` trims or grows it to the exact length
            pad.tokens = low_goal
            distractors.append(pad)
            break
        distractors.append(document)
        low_goal -= document.tokens

    ordered = _place_gold(dice, layout, _edges(dice, distractors), gold)
    _balance_mentions(world, question, ordered, dice)
    for document, number in zip(ordered, dice.shuffled(range(1, len(ordered) + 1)), strict=True):
        document.doc_id = f"D{number}"
    block = _fit(ordered, pad, layout.block_tokens, counter, dice)

    tier_tokens = {"gold": 0, "high": 0, "low": 0}
    depths: dict[str, float] = {}
    before = 0
    total = 0
    for document in ordered:
        document.tokens = _tokens(counter, document)
        total += document.tokens
    for document in ordered:
        tier_tokens[document.tier] += document.tokens
        if document.tier == "gold":
            depths[document.doc_id] = before / max(1, total - document.tokens)
        before += document.tokens
    return Assembly(ordered, block, counter.count(block), depths, tier_tokens)
