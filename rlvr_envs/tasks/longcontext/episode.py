"""What both long-context families share: drawing a world and a question, the task's gold data, and
the oracle's response.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rlvr_envs.tasks.longcontext.assembly import Assembly
from rlvr_envs.tasks.longcontext.config import Knobs
from rlvr_envs.tasks.longcontext.documents import Dice, render_entity
from rlvr_envs.tasks.longcontext.questions import Question, QuestionError, make_question
from rlvr_envs.tasks.longcontext.tokens import TokenCounter
from rlvr_envs.tasks.longcontext.world import KINDS, World, generate_world

_WORLD_TRIES = 4
ANSWER_FORMAT = (
    "Give your final answer inside <answer></answer> and the ids of the documents that support it "
    "inside <cite></cite>, for example:\n<answer>your answer</answer>\n<cite>D3, D17</cite>"
)


def mean_article_tokens(counter: TokenCounter) -> float:
    """The mean token count of entity articles under ``counter`` (50 articles of a fixed small world)."""
    rng = np.random.default_rng(np.random.SeedSequence(20240601))
    world = generate_world(rng, 10)
    dice = Dice(rng)
    counts = [counter.count(render_entity(world, (kind, i), dice)[1]) for kind in KINDS for i in range(10)]
    return max(1.0, sum(counts) / len(counts))


def world_size(knobs: Knobs, article_tokens: float) -> int:
    """Entities per kind: enough same-kind articles (of ``article_tokens`` each) to fill the
    high-confusability budget even when the gold documents are all of one kind."""
    wanted = knobs.context_tokens * knobs.high_share / article_tokens
    return max(24, math.ceil(1.15 * wanted) + 8)


def draw(rng: np.random.Generator, knobs: Knobs, article_tokens: float) -> tuple[World, Question, Dice]:
    """A fresh world and a question of one of the level's types (in that order from ``rng``)."""
    dice = Dice(rng)
    question_type = dice.pick(knobs.question_types)
    size = world_size(knobs, article_tokens)
    for _ in range(_WORLD_TRIES - 1):  # long chains in a tiny world can fail: grow the world and retry
        world = generate_world(rng, size)
        try:
            return world, make_question(world, dice, question_type, knobs.hops), dice
        except QuestionError:
            size *= 2
    world = generate_world(rng, size)
    return world, make_question(world, dice, question_type, knobs.hops), dice


def gold_data(world: World, question: Question, assembly: Assembly) -> dict[str, Any]:
    """The verifier's view of a task (everything `scoring.score` and the oracle need)."""
    ids = {document.subject: document.doc_id for document in assembly.documents if document.tier == "gold"}
    return {
        "question": question.text,
        "question_type": question.qtype,
        "hops": question.hops,
        "answer": question.answer,
        "aliases": question.aliases,
        "answer_kind": question.kind,
        "items": question.items,
        "supporting": [ids[ref] for ref in question.supporting],
        "rubric": [{"name": world.name(ref), "aliases": world.aliases[ref[0]][ref[1]]} for ref in question.rubric],
        "anchors": question.anchors,
    }


def document_records(assembly: Assembly, *, with_text: bool) -> list[dict[str, Any]]:
    records = []
    for document in assembly.documents:
        record: dict[str, Any] = {
            "id": document.doc_id,
            "title": document.title,
            "tier": document.tier,
            "shares": document.shares,
            "subject": f"{document.subject[0]}:{document.subject[1]}" if document.subject else None,
            "tokens": document.tokens,
        }
        if document.doc_id in assembly.depths:
            record["depth"] = round(assembly.depths[document.doc_id], 6)
        if with_text:
            record["text"] = document.text
        records.append(record)
    return records


def task_metadata(question: Question, assembly: Assembly, knobs: Knobs, *, exact_tokens: bool) -> dict[str, Any]:
    return {
        "question_type": question.qtype,
        "knobs": knobs.as_dict(),
        "documents": len(assembly.documents),
        "tier_tokens": dict(assembly.tier_tokens),
        "high_share": round(assembly.high_share, 6),
        "token_counter": "tokenizer" if exact_tokens else "approximate",
    }


def oracle_response(data: dict[str, Any]) -> str:
    """Reasoning that names every rubric entity, then the gold answer and exactly the supporting ids."""
    path = [entity["name"] for entity in data.get("rubric", [])]
    reasoning = f"The documents lead through {', '.join(path)}." if path else "The documents state it directly."
    cites = ", ".join(data["supporting"])
    return f"{reasoning}\n<answer>{data['answer']}</answer>\n<cite>{cites}</cite>"
