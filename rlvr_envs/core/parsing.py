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

AnswerSource = Literal["boxed", "answer_tag", "final_answer", "last_number", "last_math"]
DEFAULT_ANSWER_SOURCES: tuple[AnswerSource, ...] = ("boxed", "answer_tag", "final_answer")

_THINK_RE = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")
_FINAL_RE = re.compile(r"final\s+answer\s*(?:is)?\s*[:：]\s*(?P<rest>[^\n]*)", re.IGNORECASE)
# An explicit final-answer cue: "final answer", "the answer is", "**Answer:**", "### Answer", "Answer $9$".
_CUE_RE = re.compile(
    r"(?<![A-Za-z])(?:final[ \t]{1,3})?answers?(?![A-Za-z])[ \t*]{0,6}"
    r"(?:(?:is|are|would[ \t]be|will[ \t]be|should[ \t]be)(?![A-Za-z])[ \t*:]{0,6}"
    r"|[:：=][ \t*]{0,6}|(?=[$\n]|\\[(\[]))",
    re.IGNORECASE,
)
# "$x \geq 5$ is the solution" / "... is the final answer": math followed by the cue.
_TRAILING_CUE_RE = re.compile(
    r"\$(?P<math>[^$]{1,1000})\$[ \t]{0,3}(?:is|are)[ \t]{1,3}(?:the[ \t]{1,3})?(?:final[ \t]{1,3})?"
    r"(?:answer|solution)s?(?![A-Za-z])",
    re.IGNORECASE,
)
_NOT_ANSWER_WORDS = frozenset(
    [
        "correct",
        "incorrect",
        "wrong",
        "right",
        "not",
        "that",
        "this",
        "below",
        "above",
        "follows",
        "following",
        "clear",
        "likely",
        "unknown",
        "the",
        "a",
        "an",
        "to",
        "in",
        "of",
        "as",
        "we",
        "it",
        "given",
        "obtained",
        "found",
        "then",
        "indeed",
        "probably",
        "either",
    ]
)
_STOP_RE = re.compile(r"[.!?](?:\s|\*|$)|,\s+(?:which|so|since|because|as|and\s+the|but)(?![A-Za-z])|\n")
_MAX_CUE_CHARS = 1000
_UNESCAPED_DOLLAR_RE = re.compile(r"(?<!\\)\$")
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
    """Remove ``<think>...</think>`` blocks (an unclosed block runs to the end of the text).

    A closing ``</think>`` with no opening tag (DeepSeek-R1's chat template puts ``<think>`` in the
    prompt) ends the reasoning: only what follows the last one is kept.
    """
    low = text.lower()
    if "<think>" not in low:
        end = low.rfind("</think>")
        return text[end + len("</think>") :] if end >= 0 else text
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


_BOX_GAP_RE = re.compile(
    r"(?:\s|\$|,|;|&|\\[,;:! ]|\\q?quad(?![A-Za-z])|\\text\s*\{\s*(?:and|or|,)?\s*\}"
    r"|(?<![A-Za-z])(?:and|or)(?![A-Za-z])|\\\(|\\\)|\\\[|\\\])*"
)


def extract_boxes(text: str) -> list[str]:
    """Contents of the last *run* of complete ``\\boxed{}`` groups, in order.

    A run is boxes separated only by spacing, delimiters, commas and "and"/"or" (``\\boxed{1}
    \\quad\\text{and}\\quad \\boxed{2}``); a box earlier in the text, followed by more prose, is a
    superseded attempt and does not belong to the final run.
    """
    openings = [match.end() - 1 for match in _BOXED_RE.finditer(text)]
    if not openings:
        return []
    pairs = closing_braces(text)
    spans = [(brace, pairs[brace]) for brace in openings if brace in pairs]
    if not spans:
        return []
    run = [spans[-1]]
    for brace, end in reversed(spans[:-1]):
        if end >= run[0][0]:
            continue  # a box nested inside the next one
        start_next = text.rfind("\\", 0, run[0][0])
        gap = text[end + 1 : start_next] if start_next > end else ""
        if len(gap) > 80 or _BOX_GAP_RE.fullmatch(gap) is None:
            break
        run.insert(0, (brace, end))
    return [text[b + 1 : e].strip() for b, e in run]


def extract_boxed_all(text: str) -> str | None:
    """The final run of boxes joined with ``", "`` (one box: its content), or ``None``.

    ``\\boxed{3} or \\boxed{4}`` gives ``"3, 4"``, which is a hedge against a gold ``3`` and the
    answer itself against a gold ``\\{3, 4\\}``.
    """
    boxes = [b for b in extract_boxes(text) if b]
    return ", ".join(boxes) if boxes else None


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


def _math_span(text: str, i: int, n: int | None = None) -> tuple[int, int] | None:
    """The inner span of a math group that starts at ``i`` (``$``, ``$$``, ``\\(``, ``\\[``), or ``None``."""
    for left, right in (("$$", "$$"), ("$", "$"), ("\\[", "\\]"), ("\\(", "\\)")):
        if text.startswith(left, i):
            start = j = i + len(left)
            limit = min(start + _MAX_CUE_CHARS, len(text) if n is None else n)
            while True:
                end = text.find(right, j, limit)
                if end < 0:
                    return None
                if right != "$" or text[end - 1] != "\\":  # ``\$`` is a dollar sign, not a delimiter
                    return (start, end)
                j = end + 1
    return None


def _after_cue(text: str, i: int, n: int) -> str | None:
    """The answer that follows a cue ending at ``i`` (read no further than ``n``): math, or the sentence."""
    while i < n and text[i] in " \t*:#":
        i += 1
    if i < n and text[i] == "\n":  # "### Answer" heading: the answer is on the next non-empty line
        while i < n and text[i] in " \t\n*":
            i += 1
    span = _math_span(text, i, n)
    if span is not None:
        found = text[span[0] : span[1]].strip()
    else:
        window = text[i : min(n, i + _MAX_CUE_CHARS)]
        stop = _STOP_RE.search(window)
        found = window[: stop.start()] if stop else window
        found = found.strip().strip("*").strip()
        if "$" in found:
            found = _UNESCAPED_DOLLAR_RE.sub(" ", found).strip()
    found = found.rstrip(".").strip()
    if not found:
        return None
    first = found.split(None, 1)[0].lower().strip(",:;")
    return None if first in _NOT_ANSWER_WORDS else found


def extract_answer_statement(text: str) -> str | None:
    """The answer of the last explicit final-answer statement in ``text``, or ``None``.

    Statements: "Final answer: ...", "The final answer is $9$. I hope it is correct." (Minerva),
    "the answer is 12", ``**Answer:** 12``, a ``### Answer`` heading with the answer below it,
    "Answer $ 9 $", and "$x \\geq 5$ is the solution".  Linear time: two regex scans with bounded
    repetition and one bounded look-ahead per cue.
    """
    found: list[tuple[int, str]] = []
    cues = [(match.start(), match.end()) for match in _CUE_RE.finditer(text)]
    bound = len(text)
    for start, end in reversed(cues):  # the last statement wins; each looks only up to the next cue
        answer = _after_cue(text, end, bound)
        bound = start
        if answer is not None:
            found.append((start, answer))
            break
    if "$" in text:
        for match in _TRAILING_CUE_RE.finditer(text):
            answer = match.group("math").strip()
            if answer:
                found.append((match.end(), answer))
    return max(found)[1] if found else None


def extract_last_math(text: str) -> str | None:
    """The content of the last ``$...$``, ``$$...$$``, ``\\[...\\]`` or ``\\(...\\)`` group, or ``None``.

    Only an opt-in answer source (``"last_math"``): bare trailing math has no answer cue.
    """
    last: str | None = None
    i, n = 0, len(text)
    while i < n:
        if text[i] == "\\" and i + 1 < n and text[i + 1] not in "([":
            i += 2
            continue
        span = _math_span(text, i) if text[i] in "$\\" else None
        if span is None:
            i += 1
            continue
        inner = text[span[0] : span[1]].strip()
        if inner:
            last = inner
        i = span[1] + (2 if text.startswith(("$$", "\\]", "\\)"), span[1]) else 1)
    return last


def extract_last_number(text: str) -> str | None:
    """The last number-looking token (integers, decimals, ``a/b``), commas removed; ``None`` if none."""
    last = None
    for match in _NUMBER_RE.finditer(text):
        last = match.group(0)
    return last.replace(",", "") if last is not None else None


_EXTRACTORS = {
    "boxed": extract_boxed_all,
    "answer_tag": lambda text: extract_tag(text, "answer"),
    "final_answer": extract_answer_statement,
    "last_number": extract_last_number,
    "last_math": extract_last_math,
}


def extract_answer(
    text: str,
    sources: Sequence[AnswerSource] = DEFAULT_ANSWER_SOURCES,
    *,
    ignore_thinking: bool = True,
) -> AnswerExtraction:
    """Find the final answer in ``text`` trying ``sources`` in order.

    The defaults accept ``\\boxed{}`` (the final run of boxes, joined), ``<answer>...</answer>`` and
    every explicit final-answer statement (:func:`extract_answer_statement`), but not bare trailing
    math or a trailing number (``"last_math"``, ``"last_number"``: opt-in), which would reward answers
    that merely happen to end with the right digits.  See ``docs/math-verifier.md``.

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
