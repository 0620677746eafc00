"""Total parsing helpers for model text: answers and tool calls.

Every function here accepts *any* string and returns a value; none raises on model output and
none uses a regex that can backtrack catastrophically. Reasoning inside ``<think>...</think>``
is ignored by default so an answer "mentioned while thinking" does not count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ValidationError

from rlvr_envs.core.types import ToolCall

AnswerSource = Literal["boxed", "answer_tag", "final_answer", "last_number"]
DEFAULT_ANSWER_SOURCES: tuple[AnswerSource, ...] = ("boxed", "answer_tag", "final_answer")

_THINK_RE = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")
_FINAL_RE = re.compile(r"final\s+answer\s*(?:is)?\s*[:：]\s*(?P<rest>[^\n]*)", re.IGNORECASE)
_NUMBER_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?|-?\.\d+")
_TOOL_RE = re.compile(r"<tool_call>(.*?)(?:</tool_call>|\Z)", re.DOTALL)
_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*$", re.MULTILINE)
CODE_LANGUAGES = frozenset({"python", "py", "python3", "py3"})
MAX_TOOL_JSON_CHARS = 100_000


class AnswerExtraction(BaseModel):
    """What ``extract_answer`` found: the answer text (``None`` if nothing) and where it came from."""

    answer: str | None
    source: AnswerSource | None = None


class ToolCallParse(BaseModel):
    """Tool calls found in a message, plus a readable error for each block that failed to parse."""

    calls: list[ToolCall]
    errors: list[str]


def strip_thinking(text: str) -> str:
    """Remove ``<think>...</think>`` blocks (an unclosed block runs to the end of the text)."""
    if "<think>" not in text.lower():
        return text
    return _THINK_RE.sub("", text)


def closing_braces(text: str) -> dict[int, int]:
    """Map each ``{`` index to its matching ``}`` in one linear pass (escaped ``\\{`` skipped)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            stack.append(i)
        elif char == "}" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def extract_boxed(text: str) -> str | None:
    """Content of the last complete ``\\boxed{...}`` (or ``\\fbox{...}``), or ``None``."""
    openings = [match.end() - 1 for match in _BOXED_RE.finditer(text)]
    if not openings:
        return None
    pairs = closing_braces(text)
    for brace in reversed(openings):
        end = pairs.get(brace)
        if end is not None:
            return text[brace + 1 : end].strip()
    return None


def extract_tag(text: str, tag: str) -> str | None:
    """Content of the last complete ``<tag>...</tag>`` block, or ``None``."""
    close = f"</{tag}>"
    end = text.rfind(close)
    if end < 0:
        return None
    start = text.rfind(f"<{tag}>", 0, end)
    if start < 0:
        return None
    return text[start + len(tag) + 2 : end].strip()


def extract_final_answer_line(text: str) -> str | None:
    """The rest of the last line that starts a "Final answer:" statement, or ``None``."""
    last = None
    for match in _FINAL_RE.finditer(text):
        last = match.group("rest")
    if last is None:
        return None
    last = last.strip().rstrip(".").strip().strip("$").strip()
    return last or None


def extract_last_number(text: str) -> str | None:
    """The last number-looking token (integers, decimals, ``a/b``), commas removed; ``None`` if none."""
    last = None
    for match in _NUMBER_RE.finditer(text):
        last = match.group(0)
    return last.replace(",", "") if last is not None else None


_EXTRACTORS = {
    "boxed": extract_boxed,
    "answer_tag": lambda text: extract_tag(text, "answer"),
    "final_answer": extract_final_answer_line,
    "last_number": extract_last_number,
}


def extract_answer(
    text: str,
    sources: Sequence[AnswerSource] = DEFAULT_ANSWER_SOURCES,
    *,
    ignore_thinking: bool = True,
) -> AnswerExtraction:
    """Find the final answer in ``text`` trying ``sources`` in order.

    The defaults accept ``\\boxed{}``, ``<answer>...</answer>`` and "Final answer: ..." but not a
    bare trailing number, which would reward answers that merely happen to end with the right digits.

    >>> extract_answer("so x = 2, hence \\\\boxed{\\\\frac{1}{2}}").answer
    '\\\\frac{1}{2}'
    """
    if not isinstance(text, str):
        return AnswerExtraction(answer=None)
    body = strip_thinking(text) if ignore_thinking else text
    for source in sources:
        found = _EXTRACTORS[source](body)
        if found:
            return AnswerExtraction(answer=found, source=source)
    return AnswerExtraction(answer=None)


def parse_tool_calls(text: str) -> ToolCallParse:
    """Parse every ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>`` block in ``text``.

    Arguments may also be given as a JSON-encoded string (OpenAI style). A block that is not valid
    JSON, too large or too deeply nested yields an error message instead of a call.
    """
    calls: list[ToolCall] = []
    errors: list[str] = []
    if not isinstance(text, str) or "<tool_call>" not in text:
        return ToolCallParse(calls=calls, errors=errors)
    for index, match in enumerate(_TOOL_RE.finditer(strip_thinking(text))):
        raw = match.group(1).strip()
        where = f"tool call #{index + 1}"
        if len(raw) > MAX_TOOL_JSON_CHARS:
            errors.append(f"{where}: JSON is longer than {MAX_TOOL_JSON_CHARS} characters")
            continue
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            errors.append(f"{where}: not valid JSON ({type(exc).__name__}: {str(exc)[:120]})")
            continue
        if not isinstance(payload, dict):
            errors.append(f'{where}: expected a JSON object like {{"name": ..., "arguments": {{...}}}}')
            continue
        arguments = payload.get("arguments", payload.get("parameters", {}))
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments) if arguments.strip() else {}
            except (ValueError, RecursionError):
                errors.append(f"{where}: 'arguments' is a string that is not valid JSON")
                continue
        try:
            calls.append(ToolCall(name=payload.get("name"), arguments=arguments, id=payload.get("id")))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "call"
            errors.append(f"{where}: field '{field}': {first['msg']}")
    return ToolCallParse(calls=calls, errors=errors)


def extract_code(text: str, languages: frozenset[str] = CODE_LANGUAGES) -> str | None:
    """The program in the last fenced code block of ``text`` (```` ```python ... ``` ````), or ``None``.

    Blocks tagged with one of ``languages`` win over untagged ones; blocks tagged with another
    language (```` ```text ````, ```` ```bash ````) are ignored. An unclosed last block runs to the end
    of the text. ``<think>`` blocks are ignored.

    >>> extract_code("Here:\n```python\nprint(1)\n```")
    'print(1)\n'
    """
    if not isinstance(text, str) or ("```" not in text and "~~~" not in text):
        return None
    body = strip_thinking(text)
    tagged: list[str] = []
    untagged: list[str] = []
    opening: re.Match[str] | None = None
    for match in _FENCE_RE.finditer(body):
        if opening is None:
            opening = match
            continue
        if (
            match.group(2)
            or not match.group(1).startswith(opening.group(1)[0])
            or len(match.group(1)) < len(opening.group(1))
        ):
            continue  # not a closing fence for this block
        _keep(body[opening.end() + 1 : match.start()], opening.group(2).lower(), languages, tagged, untagged)
        opening = None
    if opening is not None:
        _keep(body[opening.end() + 1 :], opening.group(2).lower(), languages, tagged, untagged)
    found = tagged or untagged
    return found[-1] if found else None


def _keep(block: str, language: str, languages: frozenset[str], tagged: list[str], untagged: list[str]) -> None:
    if not block.strip():
        return
    if language in languages:
        tagged.append(block)
    elif not language:
        untagged.append(block)
