"""Multi-hop QA benchmark rows (HotpotQA, 2WikiMultihopQA, MuSiQue) as long-context tasks.

A row's own paragraphs are the core of the context: its supporting paragraphs are the gold
documents (the citation reward is computed against them), its other paragraphs are the
high-confusability distractors (the dataset chose them to confuse), and our low-confusability
filler essays pad the context to the level's token length. The gold documents are placed at the
level's depths, every document gets a shuffled ``D<n>`` id, and the verifier is the family's own
(`scoring.score`: answer EM/F1 against the answer and its aliases, citation F1).

* **hotpotqa**: ``question``, ``answer``, ``supporting_facts`` (``[[title, sent_id], ...]`` or the
  Hugging Face ``{"title": [...], "sent_id": [...]}``), ``context`` (``[[title, [sentences]], ...]``
  or ``{"title": [...], "sentences": [[...]]}``), ``level`` (easy/medium/hard -> 0/1/2), ``type``.
* **2wiki** (2WikiMultihopQA): the same layout plus ``evidences`` (which tells it apart); ``type``
  comparison/inference/compositional/bridge_comparison -> level 1/2/2/3.
* **musique**: ``question``, ``answer``, ``answer_aliases``, ``paragraphs`` (``idx``, ``title``,
  ``paragraph_text``, ``is_supporting``), ``id`` (``2hop__...``: level = hops - 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rlvr_envs.core.datasets import RowError, field, load_rows
from rlvr_envs.tasks.longcontext.documents import Dice, Document, render_filler
from rlvr_envs.tasks.longcontext.tokens import TokenCounter

_HOTPOT_LEVELS = {"easy": 0, "medium": 1, "hard": 2}
_WIKI_LEVELS = {"comparison": 1, "inference": 2, "compositional": 2, "bridge_comparison": 3}
_FILLER_SENTENCES = 6


@dataclass(frozen=True)
class QARow:
    """One question with its own paragraphs: ``(title, text, supporting)``."""

    index: int
    question: str
    answer: str
    aliases: tuple[str, ...]
    paragraphs: tuple[tuple[str, str, bool], ...]
    level: int
    name: str = ""


def _pairs(value: Any, name: str, inner: str) -> list[tuple[str, Any]]:
    """``[[title, x], ...]`` or ``{"title": [...], inner: [...]}`` as (title, x) pairs."""
    if isinstance(value, dict) and isinstance(value.get("title"), list) and isinstance(value.get(inner), list):
        return list(zip(map(str, value["title"]), value[inner], strict=False))
    if isinstance(value, list) and all(isinstance(item, list | tuple) and len(item) == 2 for item in value):
        return [(str(title), item) for title, item in value]
    raise RowError(name, f"[[title, {inner}], ...] or {{'title': [...], '{inner}': [...]}}", value)


def _hotpot_like(record: dict[str, Any], index: int, level: int) -> QARow:
    question = field(record, "question", expected="the question text")
    answer = field(record, "answer", expected="the answer text")
    context = _pairs(record.get("context"), "context", "sentences")
    supporting = {title for title, _ in _pairs(record.get("supporting_facts"), "supporting_facts", "sent_id")}
    paragraphs = []
    for title, sentences in context:
        if not isinstance(sentences, list):
            raise RowError("context", "a list of sentences per title", sentences)
        paragraphs.append((title, "".join(str(s) for s in sentences).strip(), title in supporting))
    if not any(gold for *_, gold in paragraphs):
        raise RowError("supporting_facts", "titles that appear in 'context'", record.get("supporting_facts"))
    name = str(record.get("_id") or record.get("id") or "")
    return QARow(index, question, answer, (answer,), tuple(paragraphs), level, name)


def detect_2wiki(record: dict[str, Any]) -> bool:
    return "supporting_facts" in record and "context" in record and "evidences" in record


def detect_hotpotqa(record: dict[str, Any]) -> bool:
    return "supporting_facts" in record and "context" in record


def detect_musique(record: dict[str, Any]) -> bool:
    return isinstance(record.get("paragraphs"), list) and "question" in record


def read_hotpotqa(record: dict[str, Any], index: int) -> QARow:
    return _hotpot_like(record, index, _HOTPOT_LEVELS.get(str(record.get("level", "")).lower(), 1))


def read_2wiki(record: dict[str, Any], index: int) -> QARow:
    return _hotpot_like(record, index, _WIKI_LEVELS.get(str(record.get("type", "")).lower(), 1))


def read_musique(record: dict[str, Any], index: int) -> QARow:
    question = field(record, "question", expected="the question text")
    answer = field(record, "answer", expected="the answer text")
    aliases = record.get("answer_aliases") or []
    if not isinstance(aliases, list):
        raise RowError("answer_aliases", "a list of strings", aliases)
    paragraphs = []
    for item in record["paragraphs"]:
        if not isinstance(item, dict) or not isinstance(item.get("paragraph_text"), str):
            raise RowError("paragraphs", "objects with 'title', 'paragraph_text' and 'is_supporting'", item)
        paragraphs.append((str(item.get("title", "")), item["paragraph_text"], bool(item.get("is_supporting"))))
    if not any(gold for *_, gold in paragraphs):
        raise RowError("paragraphs", "at least one paragraph with is_supporting true", record["paragraphs"])
    name = str(record.get("id", ""))
    hops = name.split("hop", 1)[0] if "hop" in name else ""
    level = max(0, int(hops) - 1) if hops.isdigit() else sum(gold for *_, gold in paragraphs) - 1
    return QARow(index, question, answer, (answer, *map(str, aliases)), tuple(paragraphs), level, name)


_DETECTORS = {"2wiki": detect_2wiki, "hotpotqa": detect_hotpotqa, "musique": detect_musique}
_READERS = {"2wiki": read_2wiki, "hotpotqa": read_hotpotqa, "musique": read_musique}
FORMATS = tuple(_READERS)


@lru_cache(maxsize=16)
def load_qa_jsonl(path: str, source_format: str = "auto") -> tuple[QARow, ...]:
    """Read a HotpotQA / 2Wiki / MuSiQue file (``.jsonl`` or ``.jsonl.gz``) once per process."""
    return tuple(load_rows(path, "QA source", detectors=_DETECTORS, readers=_READERS, source_format=source_format))


def assemble_row(
    row: QARow, dice: Dice, counter: TokenCounter, block_tokens: int, depth_of: Any
) -> tuple[list[Document], list[str]]:
    """The ordered documents (gold at ``depth_of(dice)`` fractions) and the gold ids, padded with
    filler essays to about ``block_tokens``."""
    gold = [Document(title, text, "gold") for title, text, supporting in row.paragraphs if supporting]
    distractors = [
        Document(title, text, "high", shares="dataset") for title, text, supporting in row.paragraphs if not supporting
    ]
    for document in gold + distractors:
        document.tokens = counter.count(f"[D0] {document.title}\n{document.text}\n\n")
    used = sum(document.tokens for document in gold + distractors)
    while used < block_tokens:
        title, text = render_filler(dice, _FILLER_SENTENCES)
        filler = Document(title, text, "low")
        filler.tokens = counter.count(f"[D0] {title}\n{text}\n\n")
        distractors.append(filler)
        used += filler.tokens
    ordered = dice.shuffled(distractors)
    total = sum(document.tokens for document in ordered)
    for document in dice.shuffled(gold):
        wanted, position, seen = depth_of(dice) * total, 0, 0
        while position < len(ordered) and seen + ordered[position].tokens / 2 < wanted:
            seen += ordered[position].tokens
            position += 1
        ordered.insert(position, document)
    numbers = dice.shuffled(list(range(1, len(ordered) + 1)))
    for document, number in zip(ordered, numbers, strict=True):
        document.doc_id = f"D{number}"
    return ordered, [document.doc_id for document in ordered if document.tier == "gold"]


def row_dice(row: QARow) -> Dice:
    """A row's context is a pure function of the row (its task id replays it exactly)."""
    import numpy as np

    return Dice(np.random.default_rng(np.random.SeedSequence([row.index, row.level, 16])))


def depth_picker(gold_depth: float | None, middleness: float) -> Any:
    """Depths as the generated tasks draw them: fixed, or nearer the middle as ``middleness`` grows."""

    def pick(dice: Dice) -> float:
        if gold_depth is not None:
            return gold_depth
        spread = middleness * dice.below(1_000_001) / 1_000_000
        return 0.5 + (1.0 if dice.below(2) else -1.0) * (1.0 - spread) / 2.0

    return pick


def row_data(row: QARow, documents: list[Document], supporting: list[str], *, with_text: bool) -> dict[str, Any]:
    """The verifier's view of a dataset task (the fields `scoring.score` and the oracle read)."""
    records = []
    for document in documents:
        record: dict[str, Any] = {
            "id": document.doc_id,
            "title": document.title,
            "tier": document.tier,
            "shares": document.shares,
            "subject": None,
            "tokens": document.tokens,
        }
        if with_text:
            record["text"] = document.text
        records.append(record)
    return {
        "question": row.question,
        "question_type": "dataset",
        "hops": len(supporting),
        "answer": row.answer,
        "aliases": list(row.aliases),
        "answer_kind": "entity",
        "items": [],
        "supporting": supporting,
        "rubric": [],
        "anchors": [],
        "documents": records,
    }
