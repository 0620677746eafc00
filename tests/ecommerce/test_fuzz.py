"""Property tests: tools, replies and the hallucination check are total on arbitrary model output."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_envs.core.types import ToolCall
from rlvr_envs.tasks.ecommerce.facts import Evidence, unsupported
from rlvr_envs.tasks.ecommerce.judge import said
from rlvr_envs.tasks.ecommerce.tools import TOOLS, run_tool

from .conftest import make_task

_FAMILY, _TASK = make_task("multi_intent", seed=1, level=6)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_args = st.dictionaries(
    st.sampled_from(
        [
            "product_id",
            "order_id",
            "option",
            "quantity",
            "code",
            "topic",
            "product_ids",
            "max_price",
            "category",
            "message",
            "exchange_option",
            "limit",
            "x",
        ]
    ),
    _json | st.sampled_from(["P10000", "O5001", "M", "standard", "returns", "tents"]),
    max_size=4,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(name=st.sampled_from([*TOOLS, "nope", ""]), arguments=_args)
def test_run_tool_never_raises(name: str, arguments: dict[str, object]) -> None:
    db = _FAMILY.new_episode(_TASK).db
    result = run_tool(db, ToolCall(name=name, arguments=arguments))
    assert isinstance(result.text, str) and result.text
    assert result.ok or result.text.startswith("error:")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    text=st.text(max_size=300)
    | st.builds(
        lambda a, b: f"P{a} costs ${b} for {a % 400} days. O{a % 9999}", st.integers(0, 10**7), st.floats(0, 1e9)
    )
)
def test_replies_never_raise(text: str) -> None:
    episode = _FAMILY.new_episode(_TASK)
    assert isinstance(unsupported(text, Evidence(), episode.db), list)
    assert isinstance(said("$5.99", text), bool) and isinstance(said("2026-03-01", text), bool)
    outcome = episode.step(text)
    assert isinstance(outcome.message, str)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(calls=st.lists(st.fixed_dictionaries({"name": st.sampled_from(list(TOOLS)), "arguments": _args}), max_size=10))
def test_tool_turns_never_raise(calls: list[dict[str, object]]) -> None:
    episode = _FAMILY.new_episode(_TASK)
    action = "".join(f"<tool_call>{json.dumps(call, default=str)}</tool_call>" for call in calls)
    outcome = episode.step(action)
    assert isinstance(outcome.message, str)
    assert episode.tool_calls == min(len(calls), 8)
