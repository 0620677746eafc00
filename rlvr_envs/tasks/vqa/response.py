"""A total parser for the three-part answer ``<caption>…</caption><bbox>[[x1,y1,x2,y2], …]</bbox><answer>…</answer>``.

Nothing here raises or evaluates model text: the box list is read by a small tokenizer and a
two-level state machine (linear time), so any string yields a `ParsedResponse` whose
``problems`` say what was wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rlvr_envs.core.parsing import extract_tag, strip_thinking

TAGS: tuple[str, ...] = ("caption", "bbox", "answer")
MAX_BBOX_CHARS = 20_000
MAX_BOXES = 256
_TOKEN = re.compile(
    r"(?:(?P<open>\[)|(?P<close>\])|(?P<comma>,)"
    r"|(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?)))",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s*")


@dataclass(slots=True)
class ParsedResponse:
    """What the response contains; ``boxes`` is ``None`` when the bbox block is missing or malformed."""

    caption: str | None
    boxes: list[list[float]] | None
    answer: str | None
    format_ok: bool
    problems: list[str] = field(default_factory=list)


def _tokens(text: str) -> list[str] | None:
    out: list[str] = []
    position = 0
    length = len(text)
    while True:
        position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
        if position >= length:
            break
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        out.append(match.group(match.lastgroup or "number").strip())
        position = match.end()
    return out


def parse_boxes(text: str) -> list[list[float]] | None:
    """``[[x1,y1,x2,y2], ...]`` (or one flat ``[x1,y1,x2,y2]``) as floats; ``None`` if malformed.

    Values are not checked here (NaN, infinities and swapped corners are the scorer's business).
    """
    if len(text) > MAX_BBOX_CHARS:
        return None
    tokens = _tokens(text)
    if not tokens or tokens[0] != "[" or tokens[-1] != "]":
        return None
    inner = tokens[1:-1]
    if not inner:
        return []
    if inner[0] != "[":  # one flat box
        flat = _numbers(inner)
        return [flat] if flat is not None else None
    boxes: list[list[float]] = []
    index = 0
    while index < len(inner):
        if inner[index] != "[":
            return None
        try:
            end = inner.index("]", index)
        except ValueError:
            return None
        numbers = _numbers(inner[index + 1 : end])
        if numbers is None or len(boxes) >= MAX_BOXES:
            return None
        boxes.append(numbers)
        index = end + 1
        if index < len(inner):
            if inner[index] != ",":
                return None
            index += 1
            if index == len(inner):
                return None
    return boxes


def _numbers(tokens: list[str]) -> list[float] | None:
    """Exactly four comma-separated numbers."""
    if len(tokens) != 7 or tokens[1::2] != [",", ",", ","]:
        return None
    values = []
    for token in tokens[0::2]:
        if token in ("[", "]", ","):
            return None
        try:
            values.append(float(token))
        except ValueError:
            return None
    return values


def parse_response(text: str) -> ParsedResponse:
    """Read the three blocks from a response (``<think>`` blocks ignored); never raises."""
    if not isinstance(text, str):
        return ParsedResponse(None, None, None, False, ["the response is not text"])
    body = strip_thinking(text)
    parts = {tag: extract_tag(body, tag) for tag in TAGS}
    problems = [f"missing <{tag}>...</{tag}>" for tag, value in parts.items() if value is None]
    boxes = parse_boxes(parts["bbox"]) if parts["bbox"] is not None else None
    if parts["bbox"] is not None and boxes is None:
        problems.append("<bbox> must hold a list of boxes like [[x1, y1, x2, y2], ...]")
    if not problems:
        ends = [body.rfind(f"</{tag}>") for tag in TAGS]
        if ends != sorted(ends):
            problems.append("blocks must come in the order caption, bbox, answer")
    return ParsedResponse(parts["caption"], boxes, parts["answer"], not problems, problems)
