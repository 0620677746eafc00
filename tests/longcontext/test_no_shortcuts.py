"""Name frequency, position and answer priors carry no signal about the gold answer (issue 22).

The shortcut corpus (`tests/conformance/test_shortcuts.py`) plays cheap policies end to end; these
tests check the construction behind it directly, with counts a stronger policy could take (every
occurrence of a name of the answer's kind, not just the corpus's capitalised-words regex).
"""

from __future__ import annotations

import collections
import re

import numpy as np
import pytest

from rlvr_envs.tasks.longcontext import LongContextQAFamily
from rlvr_envs.tasks.longcontext import questions as qmod
from rlvr_envs.tasks.longcontext.assembly import Assembly, Layout, answer_entity, assemble
from rlvr_envs.tasks.longcontext.documents import Dice, display, render_article
from rlvr_envs.tasks.longcontext.episode import draw
from rlvr_envs.tasks.longcontext.names import name_key
from rlvr_envs.tasks.longcontext.questions import Question
from rlvr_envs.tasks.longcontext.world import KINDS, World, generate_world, to_date
from rlvr_envs.verifiers.text import normalize_text

FAMILY = LongContextQAFamily()


def _assembled(level: int, seed: int) -> tuple[World, Question, Assembly]:
    knobs = FAMILY.config.knobs(level)
    world, question, dice = draw(np.random.default_rng([seed, level, 5]), knobs, FAMILY.article_tokens)
    layout = Layout(knobs.context_tokens - 100, knobs.high_share, knobs.gold_middleness, None)
    return world, question, assemble(world, question, layout, dice, FAMILY.counter)


def _occurrences(name: str, text: str) -> int:
    return len(re.findall(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text))


def test_an_article_names_its_subject_as_often_as_asked() -> None:
    rng = np.random.default_rng(3)
    world = generate_world(rng, 30)
    dice = Dice(rng)
    for kind in KINDS:
        for index in range(0, 30, 3):
            title, article = render_article(world, (kind, index), dice)
            full = display(world, (kind, index)).removeprefix("the ")
            for mentions in range(1, article.max_mentions + 1):
                assert _occurrences(full, article.text(mentions)) == mentions, (kind, title, mentions)
            assert _occurrences(full, article.text(article.max_mentions + 3)) == article.max_mentions


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_gold_is_never_the_first_or_the_last_document(level: int) -> None:
    for seed in range(25):
        _, _, assembly = _assembled(level, seed)
        documents = assembly.documents
        assert documents[0].tier != "gold" and documents[-1].tier != "gold"
        assert documents[0].article is not None and documents[-1].article is not None, "edges are entity articles"


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_the_answer_is_never_the_most_frequent_name_of_its_kind(level: int) -> None:
    """Counting every occurrence of every name of the answer's kind: the answer is never above all
    of them, and from level 1 (where distractors of a gold document's kind exist) never tied at the top."""
    checked = 0
    for seed in range(40):
        world, question, assembly = _assembled(level, seed)
        answer = answer_entity(world, question)
        if answer is None or world.name(answer) in question.text:
            continue
        block = assembly.block
        mine = _occurrences(world.name(answer), block)
        rivals = [
            _occurrences(name, block)
            for index, name in enumerate(world.names[answer[0]])
            if index != answer[1] and name not in question.text
        ]
        assert mine <= max(rivals), (question.text, mine)
        if level >= 1:
            assert mine < max(rivals), (question.text, mine)
        checked += 1
    assert checked >= 8


def test_unrelated_articles_share_nothing_with_the_question() -> None:
    found = 0
    for seed in range(20):
        world, question, assembly = _assembled(0, seed)
        gold_kinds = {kind for kind, _ in question.supporting}
        path_names = [display(world, ref) for ref in question.path]
        for document in assembly.documents:
            if document.shares == "unrelated":
                found += 1
                assert document.tier == "low" and document.subject is not None
                assert document.subject[0] not in gold_kinds
                assert not any(name in document.text for name in path_names), document.text
    assert found >= 40, "short contexts hold several unrelated entity articles"


def test_counting_answers_are_uniform_over_the_range() -> None:
    low, high = qmod.COUNT_RANGE
    answers: collections.Counter[int] = collections.Counter()
    for seed in range(480):
        rng = np.random.default_rng([seed, 17])
        world, dice = generate_world(rng, 40), Dice(rng)
        question = qmod.make_question(world, dice, "counting", 2)
        answers[int(question.answer)] += 1
        # the chain (hops entities) and the counted entities are disjoint: the chain never passes
        # through an entity it counts ("... based in the home city of the employer of X" + the employer)
        assert len(question.path) == question.hops + int(question.answer), question.text
    assert set(answers) == set(range(low, high + 1))
    expected = sum(answers.values()) / (high - low + 1)
    assert max(answers.values()) <= 1.6 * expected and min(answers.values()) >= 0.5 * expected, answers


def test_planted_questions_keep_dates_possible() -> None:
    """Counting and intersection questions edit the world; the edits keep lifetimes and foundings."""
    for seed in range(60):
        rng = np.random.default_rng([seed, 23])
        world, dice = generate_world(rng, 30), Dice(rng)
        for qtype in ("counting", "intersection", "counting"):
            qmod.make_question(world, dice, qtype, 2)
        births, founded = world.attr["birth_date"], world.attr["founded"]
        for event, people in enumerate(world.participants):
            held = int(world.attr["event_date"][event])
            assert all(held >= int(births[p]) + 18 * 366 for p in people), (seed, event)
            assert to_date(held).year >= founded[world.rel["organiser"][event]], (seed, event)
        assert (world.attr["year"] >= founded[world.rel["publisher"]]).all(), seed


def test_name_key_is_normalize_text() -> None:
    """The fast uniqueness key of generated names equals the verifier's normalisation."""
    world = generate_world(np.random.default_rng(11), 200)
    names = [alias for kind in KINDS for aliases in world.aliases[kind] for alias in aliases]
    odd = ["The  Glass-Orchard of Vémra!", "O'Neil_x, the A an", "a`b", "Ünter Straße", "tab\there"]
    for name in [*names, *odd]:
        assert name_key(name) == normalize_text(name), name
