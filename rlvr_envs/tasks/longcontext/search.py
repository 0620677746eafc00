"""`LongContextSearchFamily` (rlvr/LongContextSearch-v0): the documents sit behind two tools.

Protocol, one agent turn at a time:

- A turn with an answer (``<answer>``, ``\\boxed{}`` or "Final answer:") ends the episode; it is scored
  like LongContextQA-v0, the rubric reading every message the agent wrote. Tool calls in the same
  turn are ignored.
- Otherwise every ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>`` in the turn runs, in
  order, while the tool budget lasts; the results (and parse errors) come back as one ``tool``
  message ending with the calls left. ``search(query, k)`` returns the ``k`` best documents by BM25
  (id, title, snippet); ``open(doc_id)`` returns a document's full text.
- A turn with neither gets a reminder (a ``user`` message); the ``max_idle_turns``-th such turn
  ends the episode without an answer. Calling a tool after the budget is spent ends it too.

The collection (the task's documents, with their text) has the level's token length in total.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

import numpy as np

from rlvr_envs.core.datasets import nearest_level_row
from rlvr_envs.core.family import EpisodeState
from rlvr_envs.core.parsing import AnswerSource, extract_answer, parse_tool_calls, strip_thinking
from rlvr_envs.core.types import Feedback, Task, ToolCall, Verdict
from rlvr_envs.tasks.longcontext.assembly import Layout, assemble
from rlvr_envs.tasks.longcontext.bm25 import BM25Index
from rlvr_envs.tasks.longcontext.config import LongContextSearchConfig
from rlvr_envs.tasks.longcontext.datasets import QARow, assemble_row, depth_picker, load_qa_jsonl, row_data, row_dice
from rlvr_envs.tasks.longcontext.episode import (
    ANSWER_FORMAT,
    document_records,
    draw,
    gold_data,
    oracle_response,
    task_metadata,
)
from rlvr_envs.tasks.longcontext.family import DATA_PREFIX, LongContextQAFamily, assistant_text
from rlvr_envs.tasks.longcontext.scoring import score

_CACHE_SIZE = 4
_ANSWER_SOURCES: tuple[AnswerSource, ...] = ("answer_tag", "boxed", "final_answer")
TOOL_SCHEMAS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "search",
            "description": "Search the document collection (BM25). Returns the best documents: id, title, snippet.",
            "parameters": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "keywords, e.g. a name"},
                    "k": {"type": "integer", "description": "how many results (1-20)", "minimum": 1, "maximum": 20},
                },
                "required": ["query"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "open",
            "description": "Read one document in full by its id, e.g. D12.",
            "parameters": {
                "type": "object",
                "properties": {"doc_id": {"type": "string", "description": "a document id such as D12"}},
                "required": ["doc_id"],
            },
        },
    },
]


def _call(name: str, **arguments: Any) -> str:
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


class LongContextSearchFamily(LongContextQAFamily):
    """Multi-hop questions over a document collection reached through ``search`` and ``open`` tools."""

    name = "longcontext_search"
    Config = LongContextSearchConfig
    config: LongContextSearchConfig

    def __init__(self, config: LongContextSearchConfig | None = None, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._indexes: OrderedDict[str, BM25Index] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_indexes"] = OrderedDict()  # a cache: rebuilt on demand, never shipped to workers
        return state

    # ---- generation -------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        if self.config.source is not None:
            rows = load_qa_jsonl(self.config.source, self.config.source_format)
            return self._row_task(nearest_level_row(rows, level, rng, lambda row: row.level))
        knobs = self.config.knobs(level)
        world, question, dice = draw(rng, knobs, self.article_tokens)
        layout = Layout(knobs.context_tokens, knobs.high_share, knobs.gold_middleness, knobs.gold_depth)
        assembly = assemble(world, question, layout, dice, self.counter)
        data = gold_data(world, question, assembly)
        budget = self.config.tool_budget or 4 + 2 * len(data["supporting"])
        prompt = (
            f"A collection of {len(assembly.documents)} documents about fictional people, places, organisations, "
            "events and works can be searched with the tools `search` (query -> best matching documents) and "
            f"`open` (doc_id -> full text). You may make at most {budget} tool calls. Call a tool like this:\n"
            + _call("search", query="a name or keywords")
            + f"\n\nQuestion: {question.text}\n\n{ANSWER_FORMAT}"
        )
        metadata = task_metadata(question, assembly, knobs, exact_tokens=self.counter.exact)
        metadata["collection_tokens"] = assembly.block_tokens
        return Task(
            task_id=task_id,
            family=self.name,
            level=level,
            prompt=prompt,
            data={**data, "documents": document_records(assembly, with_text=True), "tool_budget": budget},
            metadata=metadata,
        )

    def _row_task(self, row: QARow) -> Task:
        """A dataset row: its paragraphs among our fillers form the searchable collection."""
        knobs = self.config.knobs(row.level)
        depth = depth_picker(knobs.gold_depth, knobs.gold_middleness)
        documents, supporting = assemble_row(row, row_dice(row), self.counter, knobs.context_tokens, depth)
        data = row_data(row, documents, supporting, with_text=True)
        budget = self.config.tool_budget or 4 + 2 * len(supporting)
        prompt = (
            f"A collection of {len(documents)} documents can be searched with the tools `search` (query -> best "
            "matching documents) and `open` (doc_id -> full text). You may make at most "
            f"{budget} tool calls. Call a tool like this:\n"
            + _call("search", query="a name or keywords")
            + f"\n\nQuestion: {row.question}\n\n{ANSWER_FORMAT}"
        )
        return Task(
            task_id=f"{DATA_PREFIX}{row.index}",
            family=self.name,
            level=row.level,
            prompt=prompt,
            data={**data, "tool_budget": budget},
            metadata={"source": self.config.source, "row": row.index, "name": row.name, "documents": len(documents)},
        )

    def tools(self, task: Task) -> list[dict[str, Any]]:
        return TOOL_SCHEMAS

    # ---- protocol ---------------------------------------------------------------------------
    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        if extract_answer(strip_thinking(action), _ANSWER_SOURCES, ignore_thinking=False).answer is not None:
            return self._judge(state)
        parsed = parse_tool_calls(action)
        if not parsed.calls and not parsed.errors:
            idle = int(state.scratch.get("idle_turns", 0)) + 1
            state.scratch["idle_turns"] = idle
            left = self.config.max_idle_turns - idle
            if left <= 0:
                verdict = self._judge(state)
                components = {**verdict.components, "idle_turns": float(idle)}
                reason = f"{idle} turns without a tool call or an answer; the episode ends. {verdict.reason}"
                return verdict.model_copy(update={"components": components, "reason": reason})
            return Feedback(
                message="No tool call and no answer found. Call search or open inside <tool_call>...</tool_call>, "
                f"or give <answer>...</answer> with <cite>...</cite> ({left} more such turn{'s' if left > 1 else ''} "
                "ends the episode).",
                role="user",
                info={"idle_turns": idle},
            )
        budget = int(state.task.data.get("tool_budget", 0))
        used = int(state.scratch.get("tool_calls", 0))
        if parsed.calls and used >= budget:
            verdict = self._judge(state)
            components = {**verdict.components, "budget_exhausted": 1.0}
            return verdict.model_copy(
                update={"components": components, "reason": f"Tool budget ({budget}) spent. {verdict.reason}"}
            )
        results = []
        for call in parsed.calls:
            if used >= budget:
                results.append(f"{call.name}: not run, the tool budget ({budget}) is spent; answer now.")
                continue
            used += 1
            results.append(self._run(state, call))
        results.extend(f"error: {error}" for error in parsed.errors)
        state.scratch["tool_calls"] = used
        left = budget - used
        results.append(f"[{left} tool call{'s' if left != 1 else ''} left]")
        first_id = parsed.calls[0].id if parsed.calls else None
        return Feedback(
            message="\n\n".join(results),
            role="tool",
            tool_call_id=first_id if isinstance(first_id, str) else None,
            info={"tool_calls": used, "budget_left": left},
        )

    def on_truncate(self, state: EpisodeState) -> Verdict:
        verdict = self._judge(state)
        return verdict.model_copy(update={"components": {**verdict.components, "truncated": 1.0}})

    def _judge(self, state: EpisodeState) -> Verdict:
        verdict = score(state.task.data, state.last_action(), assistant_text(state.messages), self.config.reward)
        components = {**verdict.components, "tool_calls": float(state.scratch.get("tool_calls", 0))}
        return verdict.model_copy(update={"components": components})

    # ---- tools ------------------------------------------------------------------------------
    def _documents(self, task: Task) -> list[dict[str, Any]]:
        documents = task.data.get("documents", [])
        return [d for d in documents if isinstance(d, dict)]

    def index(self, task: Task) -> BM25Index:
        """The task's BM25 index (cached for the last few tasks)."""
        documents = self._documents(task)
        digest = hashlib.blake2b(digest_size=16)
        digest.update(task.task_id.encode())
        for document in documents:
            digest.update(f"{document.get('id')}\x00{len(str(document.get('text', '')))}\x00".encode())
        key = digest.hexdigest()
        index = self._indexes.get(key)
        if index is None:
            index = BM25Index([(str(d.get("title", "")), str(d.get("text", ""))) for d in documents])
            self._indexes[key] = index
            while len(self._indexes) > _CACHE_SIZE:
                self._indexes.popitem(last=False)
        else:
            self._indexes.move_to_end(key)
        return index

    def _run(self, state: EpisodeState, call: ToolCall) -> str:
        arguments = call.arguments
        if call.name == "search":
            query = arguments.get("query")
            if not isinstance(query, str) or not query.strip():
                return 'search: error: give a non-empty string "query", e.g. {"query": "Keltavo Institute"}'
            k = arguments.get("k", self.config.search_results)
            k = k if isinstance(k, int) and not isinstance(k, bool) else self.config.search_results
            return self.run_search(state.task, query[:1000], max(1, min(20, k)))
        if call.name == "open":
            doc_id = arguments.get("doc_id", arguments.get("id"))
            if not isinstance(doc_id, str) or not doc_id.strip():
                return 'open: error: give a string "doc_id", e.g. {"doc_id": "D12"}'
            opened = state.scratch.setdefault("opened", [])
            text = self.run_open(state.task, doc_id.strip())
            if not text.startswith("open: error") and doc_id.strip().upper() not in opened:
                opened.append(doc_id.strip().upper())
            return text
        return f"error: unknown tool {call.name[:60]!r}; the tools are 'search' and 'open'"

    def run_search(self, task: Task, query: str, k: int) -> str:
        """The text a ``search`` call returns: one line per hit, best first."""
        documents = self._documents(task)
        hits = self.index(task).search(query, k)
        if not hits:
            return f"search({query[:80]!r}): no document matches; try other keywords."
        lines = [f"search({query[:80]!r}): {len(hits)} result{'s' if len(hits) != 1 else ''}"]
        for position, _score in hits:
            document = documents[position]
            words = str(document.get("text", "")).split()
            snippet = " ".join(words[: self.config.snippet_words]) + (
                " ..." if len(words) > self.config.snippet_words else ""
            )
            lines.append(f"[{document.get('id')}] {document.get('title')}: {snippet}")
        return "\n".join(lines)

    def run_open(self, task: Task, doc_id: str) -> str:
        """The text an ``open`` call returns: the document, or an error naming the id format."""
        wanted = doc_id.upper().replace(" ", "").strip("[]")
        for document in self._documents(task):
            if str(document.get("id", "")).upper() == wanted:
                return f"[{document.get('id')}] {document.get('title')}\n{document.get('text', '')}"
        return f"open: error: no document {doc_id[:40]!r}; ids look like D12 (take them from search results)"

    # ---- oracle -----------------------------------------------------------------------------
    def oracle_action(self, state: EpisodeState) -> str:
        """Search for the first named entity, open every supporting document, then answer."""
        data = state.task.data
        budget = int(data.get("tool_budget", 0))
        used = int(state.scratch.get("tool_calls", 0))
        opened = set(state.scratch.get("opened", []))
        missing = [doc_id for doc_id in data["supporting"] if doc_id not in opened]
        if used == 0 and budget > len(missing) and data.get("anchors"):
            return _call("search", query=str(data["anchors"][0]))
        if missing and budget - used >= len(missing):
            return "\n".join(_call("open", doc_id=doc_id) for doc_id in missing)
        return oracle_response(data)
