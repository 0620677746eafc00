"""Answer extraction and tool-call parsing: total on any input, linear on hostile input."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_envs.core.parsing import (
    extract_answer,
    extract_boxed,
    extract_final_answer_line,
    extract_last_number,
    extract_tag,
    parse_tool_calls,
    strip_thinking,
)


@pytest.mark.parametrize(
    ("text", "expected", "source"),
    [
        ("so \\boxed{42}", "42", "boxed"),
        ("\\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}", "boxed"),
        ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}", "boxed"),
        ("\\fbox{7}", "7", "boxed"),
        ("\\boxed{3} and an unclosed \\boxed{4", "3", "boxed"),
        ("<answer> 12 </answer>", "12", "answer_tag"),
        ("<answer>1</answer><answer>2</answer>", "2", "answer_tag"),
        ("Final answer: $x = 3$.", "x = 3", "final_answer"),
        ("final answer is: 17", "17", "final_answer"),
        ("<think>\\boxed{9}</think>so <answer>4</answer>", "4", "answer_tag"),
    ],
)
def test_extract_answer_sources(text: str, expected: str, source: str) -> None:
    found = extract_answer(text)
    assert (found.answer, found.source) == (expected, source)


def test_thinking_is_ignored_unless_asked() -> None:
    assert extract_answer("<think>\\boxed{9}</think>").answer is None
    assert extract_answer("<think>\\boxed{9}</think>", ignore_thinking=False).answer == "9"
    assert strip_thinking("a<think>unclosed \\boxed{1}") == "a"


def test_bare_numbers_need_explicit_opt_in() -> None:
    assert extract_answer("the result is 12").answer is None
    assert extract_answer("the result is 1,200", ["last_number"]).answer == "1200"
    assert extract_last_number("no digits") is None


def test_small_extractors() -> None:
    assert extract_boxed("nothing") is None
    assert extract_tag("<answer>open", "answer") is None
    assert extract_final_answer_line("Final answer:   ") is None
    assert extract_answer(123).answer is None  # type: ignore[arg-type]


def test_tool_calls_valid_and_invalid() -> None:
    text = (
        '<tool_call>{"name": "search", "arguments": {"q": "red shoes"}}</tool_call>'
        '<tool_call>{"name": "cart", "arguments": "{\\"id\\": 3}"}</tool_call>'
        "<tool_call>not json</tool_call>"
        "<tool_call>[1, 2]</tool_call>"
        '<tool_call>{"arguments": {}}</tool_call>'
    )
    parsed = parse_tool_calls(text)
    assert [c.name for c in parsed.calls] == ["search", "cart"]
    assert parsed.calls[1].arguments == {"id": 3}
    assert len(parsed.errors) == 3
    assert "not valid JSON" in parsed.errors[0]
    assert "field 'name'" in parsed.errors[2]


def test_tool_call_hostile_json() -> None:
    deep = "<tool_call>" + "[" * 100_000 + "</tool_call>"
    huge = "<tool_call>{" + "x" * 200_000 + "}</tool_call>"
    assert parse_tool_calls(deep).errors and parse_tool_calls(huge).errors


@pytest.mark.parametrize(
    "hostile",
    ["\\boxed{" * 200_000, "<answer>" * 200_000, "final answer: " * 100_000, "{" * 1_000_000, "<think>" * 100_000],
)
def test_hostile_inputs_are_linear(hostile: str) -> None:
    start = time.perf_counter()
    extract_answer(hostile)
    parse_tool_calls(hostile)
    assert time.perf_counter() - start < 2.0


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=500))
def test_extractors_are_total(text: str) -> None:
    found = extract_answer(text, ["boxed", "answer_tag", "final_answer", "last_number"])
    assert found.answer is None or isinstance(found.answer, str)
    parsed = parse_tool_calls(text)
    assert isinstance(parsed.calls, list)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="{}\\"), max_size=50))
def test_boxed_roundtrip(body: str) -> None:
    assert extract_boxed(f"work... \\boxed{{{body}}} done") == body.strip()
