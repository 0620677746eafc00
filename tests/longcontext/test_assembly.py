"""Context assembly: length control, gold depth placement and distractor tiers."""

from __future__ import annotations

import math
import re
import statistics
from typing import Any

import numpy as np
import pytest

import rlvr_envs
from rlvr_envs.tasks.longcontext import LongContextQAFamily, LongContextSearchFamily
from rlvr_envs.tasks.longcontext.assembly import DECOYS, SEPARATOR, Layout, assemble, decoy_kind, high_candidates
from rlvr_envs.tasks.longcontext.config import Knobs
from rlvr_envs.tasks.longcontext.documents import display
from rlvr_envs.tasks.longcontext.episode import draw
from rlvr_envs.tasks.longcontext.tokens import TokenCounter
from rlvr_envs.tasks.longcontext.world import KINDS

_PIECES = re.compile(r"\w+|[^\w\s]")


def word_pieces(text: str) -> list[str]:
    """A stand-in tokenizer (words and punctuation marks), importable as a 'module:function' path."""
    return _PIECES.findall(text)


def collection_text(task: Any) -> str:
    return SEPARATOR.join(f"[{d['id']}] {d['title']}\n{d['text']}" for d in task.data["documents"])


def generate(family: Any, seed: int, level: int = 3) -> Any:
    return family.generate(
        np.random.default_rng(np.random.SeedSequence([seed, level])), level, task_id=f"t:{level}:{seed}"
    )


# ---- length ------------------------------------------------------------------------------------
@pytest.mark.parametrize("target", [1024, 4096, 16384, 65536])
@pytest.mark.parametrize("family_class", [LongContextQAFamily, LongContextSearchFamily])
def test_length_within_five_percent_approximate(family_class: Any, target: int) -> None:
    family = family_class(context_tokens=target)
    for seed in range(3):
        task = generate(family, seed, level=6)
        text = task.prompt if family_class is LongContextQAFamily else collection_text(task)
        tokens = math.ceil(len(text) / 4)  # the documented approximation, recomputed here
        assert abs(tokens - target) <= 0.05 * target, (tokens, target)


@pytest.mark.parametrize("tokenizer", [word_pieces, str.split, "tests.longcontext.test_assembly:word_pieces"])
@pytest.mark.parametrize("family_class", [LongContextQAFamily, LongContextSearchFamily])
def test_length_within_five_percent_with_a_tokenizer(family_class: Any, tokenizer: Any) -> None:
    count = word_pieces if isinstance(tokenizer, str) else tokenizer
    for target in (1024, 8192, 32768):
        family = family_class(context_tokens=target, tokenizer=tokenizer)
        task = generate(family, target, level=5)
        text = task.prompt if family_class is LongContextQAFamily else collection_text(task)
        assert abs(len(count(text)) - target) <= 0.05 * target
        assert task.metadata["token_counter"] == "tokenizer"


def test_level_seven_is_128k_tokens() -> None:
    env = rlvr_envs.make("rlvr/LongContextQA-v0")
    observation, _ = env.reset(seed=0, options={"level": 7})
    assert abs(math.ceil(len(observation) / 4) - 131_072) <= 0.05 * 131_072
    assert rlvr_envs.unwrap(env).task.metadata["knobs"]["context_tokens"] == 131_072  # type: ignore[union-attr]


def test_chars_per_token_calibrates_the_approximation() -> None:
    task = generate(LongContextQAFamily(context_tokens=4000, chars_per_token=3.0), 1)
    assert abs(len(task.prompt) / 3.0 - 4000) <= 0.05 * 4000


# ---- gold depth --------------------------------------------------------------------------------
def gold_block_depth(task: Any) -> tuple[float, float]:
    """(depth of the first gold document over the others' tokens, tolerance of one distractor)."""
    documents = task.data["documents"]
    gold_tokens = sum(d["tokens"] for d in documents if d["tier"] == "gold")
    total = sum(d["tokens"] for d in documents)
    first = next(i for i, d in enumerate(documents) if d["tier"] == "gold")
    before = sum(d["tokens"] for d in documents[:first])
    largest = max(d["tokens"] for d in documents if d["tier"] != "gold")
    return before / (total - gold_tokens), largest / (total - gold_tokens) + 0.01


@pytest.mark.parametrize("depth", [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
def test_pinned_gold_depth(depth: float) -> None:
    family = LongContextQAFamily(context_tokens=16384, gold_depth=depth, hops=2)
    for seed in range(4):
        task = generate(family, seed)
        realised, tolerance = gold_block_depth(task)
        assert abs(realised - depth) <= tolerance, (realised, depth)
        tiers = [d["tier"] for d in task.data["documents"]]
        first, last = tiers.index("gold"), len(tiers) - 1 - tiers[::-1].index("gold")
        assert set(tiers[first : last + 1]) == {"gold"}, "a pinned depth keeps the gold documents together"
        for record in task.data["documents"]:  # offsets point at the documents in the prompt
            assert task.prompt[record["offset"] :].startswith(f"[{record['id']}] {record['title']}\n")


def test_level_zero_puts_gold_at_an_edge_and_later_levels_anywhere() -> None:
    edge = LongContextQAFamily(context_tokens=8192, hops=1, question_types=["bridge"])
    for seed in range(10):
        task = generate(edge, seed, level=0)
        (depth,) = [d["depth"] for d in task.data["documents"] if d["tier"] == "gold"]
        assert depth <= 0.05 or depth >= 0.95
    anywhere = LongContextQAFamily(context_tokens=8192, hops=1, question_types=["bridge"])
    depths = [d["depth"] for s in range(30) for d in generate(anywhere, s, 4).data["documents"] if d["tier"] == "gold"]
    assert any(0.3 <= d <= 0.7 for d in depths) and statistics.pstdev(depths) > 0.15


# ---- distractor tiers --------------------------------------------------------------------------
@pytest.mark.parametrize("share", [0.0, 0.3, 0.6, 0.9, 1.0])
def test_high_confusability_share_is_as_specified(share: float) -> None:
    family = LongContextQAFamily(context_tokens=16384, high_confusability_share=share)
    for seed in range(3):
        task = generate(family, seed, level=4)
        documents = task.data["documents"]
        distractors = [d for d in documents if d["tier"] != "gold"]
        high = sum(d["tokens"] for d in distractors if d["tier"] == "high")
        total = sum(d["tokens"] for d in distractors)
        largest = max(d["tokens"] for d in distractors)
        assert abs(high / total - share) <= largest / total + 0.01, (high / total, share)
        assert task.metadata["high_share"] == pytest.approx(high / total, abs=1e-6)
        if share == 0.0:
            assert all(d["tier"] == "low" for d in distractors)
        if share == 1.0:
            assert sum(d["tier"] == "low" for d in distractors) <= 1  # at most the padding essay


@pytest.mark.parametrize(("tokens", "share"), [(12000, 0.7), (1500, 0.0)])
def test_tiers_mean_what_they_say(tokens: int, share: float) -> None:
    knobs = Knobs(2, tokens, ("bridge", "comparison", "counting"), share, 1.0, None)
    for seed in range(8):
        world, question, dice = draw(np.random.default_rng(seed), knobs, 90.0)
        assembly = assemble(world, question, Layout(tokens, share, 1.0), dice, TokenCounter())
        path_names = [display(world, ref) for ref in question.path]
        gold_kinds = {kind for kind, _ in question.supporting}
        all_names = [world.names[k][i] for k in KINDS for i in range(world.size(k))]
        assert {d.subject for d in assembly.documents if d.tier == "gold"} == set(question.supporting)
        shares = {d.shares for d in assembly.documents if d.tier == "high"}
        assert shares <= {"entity", "relation"}
        for document in assembly.documents:
            if document.tier == "gold":
                continue
            if document.tier == "high" and document.shares == "entity":
                assert document.subject in question.path or any(name in document.text for name in path_names)
            elif document.tier == "high":
                assert document.subject is not None and document.subject[0] in gold_kinds
                assert not any(name in document.text for name in path_names)
            elif document.shares == "unrelated":  # an entity article of a kind no gold document has
                assert document.tier == "low" and document.subject is not None
                assert document.subject[0] not in gold_kinds
                assert not any(name in document.text for name in path_names)
            else:  # a filler essay
                assert document.tier == "low" and document.subject is None
                assert not any(name in document.text for name in all_names)


def test_entity_sharing_distractors_come_first() -> None:
    for tokens, share in ((4000, 0.3), (30000, 0.9)):
        knobs = Knobs(2, tokens, ("bridge",), share, 1.0, None)
        for seed in range(4):
            world, question, dice = draw(np.random.default_rng(seed), knobs, 90.0)
            sharing, _same_kind = high_candidates(world, question)
            assembly = assemble(world, question, Layout(tokens, share, 1.0), dice, TokenCounter())
            used = {d.subject for d in assembly.documents if d.tier == "high" and d.shares == "entity"}
            rivals = decoy_kind(world, question)
            relation = [d for d in assembly.documents if d.shares == "relation"]
            extra = [d for d in relation if d.subject is not None and d.subject[0] == rivals][DECOYS:]
            if len(relation) > len(extra) + min(DECOYS, len(relation)) or extra:
                # beyond the decoys of the answer's kind, relation-only articles come once the others are used up
                assert used == set(sharing), "relation-only articles only once the entity-sharing ones are used up"
            else:
                assert used <= set(sharing)
