"""`LongContextQAFamily` (rlvr/LongContextQA-v0): one long prompt of documents, one answer with citations.

The prompt holds the documents block (gold documents at controlled depths among tiered distractors,
see `assembly`) followed by the question and the answer format; the whole prompt has the level's
token length. The agent replies once; `scoring.score` judges the answer, the citations and the
rubric.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlvr_envs.core.datasets import nearest_level_row, row_index
from rlvr_envs.core.family import EpisodeState, TaskFamily, Transcript, final_text
from rlvr_envs.core.types import Message, Task, Verdict
from rlvr_envs.tasks.longcontext.assembly import SEPARATOR, Layout, assemble
from rlvr_envs.tasks.longcontext.config import LongContextConfig
from rlvr_envs.tasks.longcontext.datasets import QARow, assemble_row, depth_picker, load_qa_jsonl, row_data, row_dice
from rlvr_envs.tasks.longcontext.episode import (
    ANSWER_FORMAT,
    document_records,
    draw,
    gold_data,
    mean_article_tokens,
    oracle_response,
    task_metadata,
)
from rlvr_envs.tasks.longcontext.scoring import score
from rlvr_envs.tasks.longcontext.tokens import TokenCounter, load_tokenizer

DATA_PREFIX = "longcontext:data:"
DATASET_HEADER = (
    "Read the documents below and answer the question that follows them. Each document starts with its id "
    "in square brackets, like [D7]. Everything you need is in these documents.\n\n<documents>\n"
)
HEADER = (
    "Read the documents below and answer the question that follows them. Each document starts with its id "
    "in square brackets, like [D7]. Everything you need is in these documents; the people, places, "
    "organisations, events and works in them are fictional.\n\n<documents>\n"
)


class LongContextQAFamily(TaskFamily):
    """Multi-hop questions over a long context of generated documents (closed-book: all in the prompt)."""

    name = "longcontext_qa"
    Config = LongContextConfig
    config: LongContextConfig

    def __init__(self, config: LongContextConfig | None = None, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self.counter = TokenCounter(load_tokenizer(self.config.tokenizer), self.config.chars_per_token)
        self.article_tokens = mean_article_tokens(self.counter)  # sizes worlds for the high-tier budget

    def knobs(self, level: int) -> dict[str, float]:
        return self.config.knobs(level).as_dict()

    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        if self.config.source is not None:
            rows = load_qa_jsonl(self.config.source, self.config.source_format)
            return self._row_task(nearest_level_row(rows, level, rng, lambda row: row.level))
        knobs = self.config.knobs(level)
        world, question, dice = draw(rng, knobs, self.article_tokens)
        footer = f"\n</documents>\n\nQuestion: {question.text}\n\n{ANSWER_FORMAT}"
        frame = self.counter.count(HEADER) + self.counter.count(footer)
        layout = Layout(max(0, knobs.context_tokens - frame), knobs.high_share, knobs.gold_middleness, knobs.gold_depth)
        assembly = assemble(world, question, layout, dice, self.counter)
        prompt = HEADER + assembly.block + footer
        documents = document_records(assembly, with_text=False)
        offset = len(HEADER)
        for record, document in zip(documents, assembly.documents, strict=True):
            record["offset"] = offset
            offset += len(document.block()) + len(SEPARATOR)
        metadata = task_metadata(question, assembly, knobs, exact_tokens=self.counter.exact)
        metadata["prompt_tokens"] = self.counter.count(prompt)
        return Task(
            task_id=task_id,
            family=self.name,
            level=level,
            prompt=prompt,
            data={**gold_data(world, question, assembly), "documents": documents},
            metadata=metadata,
        )

    def _row_task(self, row: QARow) -> Task:
        """A dataset row: its paragraphs among our fillers, to the row's level length."""
        knobs = self.config.knobs(row.level)
        footer = f"\n</documents>\n\nQuestion: {row.question}\n\n{ANSWER_FORMAT}"
        frame = self.counter.count(DATASET_HEADER) + self.counter.count(footer)
        depth = depth_picker(knobs.gold_depth, knobs.gold_middleness)
        documents, supporting = assemble_row(row, row_dice(row), self.counter, knobs.context_tokens - frame, depth)
        prompt = DATASET_HEADER + SEPARATOR.join(document.block() for document in documents) + footer
        data = row_data(row, documents, supporting, with_text=False)
        return Task(
            task_id=f"{DATA_PREFIX}{row.index}",
            family=self.name,
            level=row.level,
            prompt=prompt,
            data=data,
            metadata={"source": self.config.source, "row": row.index, "name": row.name, "documents": len(documents)},
        )

    def task_from_id(self, task_id: str) -> Task | None:
        if self.config.source is None:
            return None
        rows = load_qa_jsonl(self.config.source, self.config.source_format)
        index = row_index(task_id, DATA_PREFIX, len(rows), self.config.source)
        return None if index is None else self._row_task(rows[index])

    def system_prompt(self, task: Task) -> str | None:
        return self.config.system_prompt

    def verify(self, task: Task, transcript: Transcript) -> Verdict:
        return score(task.data, final_text(transcript), assistant_text(transcript), self.config.reward)

    def oracle_action(self, state: EpisodeState) -> str:
        return oracle_response(state.task.data)


def assistant_text(transcript: Transcript) -> str:
    """Everything the agent wrote (all assistant messages), where the rubric looks for path entities."""
    if isinstance(transcript, str):
        return transcript
    parts = []
    for message in transcript:
        data = message.model_dump() if isinstance(message, Message) else message
        if isinstance(data, dict) and data.get("role") == "assistant" and isinstance(data.get("content"), str):
            parts.append(data["content"])
    return "\n".join(parts)
