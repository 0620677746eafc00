"""MathPython-v0: Math-v0 plus a sandboxed python tool."""

from __future__ import annotations

import json

import gymnasium as gym

import rlvr_envs
from rlvr_envs.tasks.math.python_tool import format_tool_output
from rlvr_envs.verifiers.sandbox import ExecResult


def _call(code: str, name: str = "python", call_id: str | None = None) -> str:
    payload: dict[str, object] = {"name": name, "arguments": {"code": code}}
    if call_id:
        payload["id"] = call_id
    return f"<tool_call>{json.dumps(payload)}</tool_call>"


def test_tool_schema_and_shared_tasks_with_math() -> None:
    env = gym.make("rlvr/MathPython-v0")
    observation, info = env.reset(seed=5, options={"level": 2})
    [tool] = info["tools"]
    assert tool["type"] == "function" and tool["function"]["name"] == "python"
    assert tool["function"]["parameters"]["required"] == ["code"]
    math_env = gym.make("rlvr/Math-v0")
    math_observation, math_info = math_env.reset(seed=5, options={"level": 2})
    assert observation == math_observation and info["task_id"] == math_info["task_id"]


def test_tool_runs_code_in_the_sandbox_and_returns_its_output() -> None:
    env = gym.make("rlvr/MathPython-v0")
    env.reset(seed=0)
    code = "import sympy as sp\nx = sp.symbols('x')\nprint(sp.factor(x**2 - 1))"
    observation, reward, terminated, _, info = env.step(_call(code, call_id="c1"))
    assert observation == "(x - 1)*(x + 1)" and reward == 0.0 and not terminated
    message = info["messages"][-1]
    assert message["role"] == "tool" and message["tool_call_id"] == "c1"
    observation, *_ = env.step(_call("print(1)\nprint(1 / 0)"))
    assert observation.startswith("1\n[error, exit status 1]") and "ZeroDivisionError" in observation
    observation, *_ = env.step(_call("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)"))
    assert "[error" in observation


def test_bad_calls_and_the_budget() -> None:
    env = gym.make("rlvr/MathPython-v0", max_tool_calls=1)
    env.reset(seed=0)
    assert "only tool is 'python'" in env.step(_call("print(1)", name="bash"))[0]
    bad_args = env.step('<tool_call>{"name": "python", "arguments": {"query": "2+2"}}</tool_call>')[0]
    assert 'needs a non-empty string argument "code"' in bad_args
    assert "not valid JSON" in env.step("<tool_call>{oops</tool_call>")[0]
    assert env.step(_call("print(2)"))[0] == "2"
    assert "Tool budget spent (1 calls)" in env.step(_call("print(3)"))[0]


def test_answers_are_judged_like_math_and_tool_turns_are_not_attempts() -> None:
    env = gym.make("rlvr/MathPython-v0")
    env.reset(seed=2, options={"level": 1})
    inner = rlvr_envs.unwrap(env)
    first = inner.oracle_action()
    assert "<tool_call>" in first
    env.step(first)
    answer = inner.oracle_action()
    _, reward, terminated, _, info = env.step(answer)
    assert terminated and reward == 1.0 and info["verdict"]["components"]["attempts"] == 1.0
    task = inner.task
    assert task is not None
    transcript = [
        {"role": "assistant", "content": first},
        {"role": "tool", "content": "..."},
        {"role": "assistant", "content": answer},
    ]
    assert rlvr_envs.verify("rlvr/MathPython-v0", task, transcript).reward == 1.0


def test_tool_output_is_truncated_in_the_middle_and_explains_failures() -> None:
    long = ExecResult(status="ok", stdout="a" * 500 + "b" * 500)
    text = format_tool_output(long, 200, 5.0)
    assert text.startswith("a" * 100) and text.endswith("b" * 100) and "characters cut" in text
    assert format_tool_output(ExecResult(status="timeout"), 200, 5.0) == "[timed out after 5 s]"
    assert format_tool_output(ExecResult(status="ok"), 200, 5.0).startswith("(no output")
    assert format_tool_output(ExecResult(status="memory"), 200, 5.0) == "[memory limit exceeded]"
