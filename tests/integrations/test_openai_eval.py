"""OpenAI-compatible evaluation end to end against real HTTP servers on 127.0.0.1: the tiny model,
scripted servers with known pass rates, servers that fail first (retries), and the CLI."""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("httpx")

import rlvr_envs
from rlvr_envs import cli
from rlvr_envs.integrations.export import row_seed
from rlvr_envs.integrations.openai_eval import (
    EvalConfig,
    evaluate,
    pass_at_k,
    pass_hat_k,
    reply_text,
    wire_messages,
)

from .chat_server import ChatServer, model_responder


def _gold(env_id: str, messages: list[dict[str, Any]]) -> str:
    """The gold answer of the task whose first user message is in ``messages`` (test-side oracle)."""
    first = next(m["content"] for m in messages if m["role"] == "user")
    return GOLD[env_id][first]


GOLD: dict[str, dict[str, str]] = {}


def _index_gold(env_id: str, episodes: int, levels: tuple[int, ...], seed: int = 0) -> None:
    env = rlvr_envs.make(env_id)
    table = GOLD.setdefault(env_id, {})
    for index in range(episodes):
        _obs, info = env.reset(seed=row_seed(seed, index), options={"level": levels[index % len(levels)]})
        table[info["messages"][-1]["content"]] = rlvr_envs.unwrap(env).task.data["answer"]  # type: ignore[union-attr]


def test_pass_at_k_matches_the_combinatorial_definition() -> None:
    assert pass_at_k(5, 0, 1) == 0.0 and pass_at_k(5, 5, 3) == 1.0
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)
    assert pass_at_k(4, 1, 2) == pytest.approx(1 - math.comb(3, 2) / math.comb(4, 2))  # 0.5
    assert pass_at_k(10, 3, 5) == pytest.approx(1 - math.comb(7, 5) / math.comb(10, 5))
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)


def test_pass_hat_k_is_the_chance_that_all_k_samples_are_right() -> None:
    assert pass_hat_k(4, 4, 3) == 1.0 and pass_hat_k(4, 2, 3) == 0.0
    assert pass_hat_k(4, 3, 2) == pytest.approx(3 / 6)  # 3 of the 6 pairs are both right
    assert pass_hat_k(5, 2, 1) == pytest.approx(pass_at_k(5, 2, 1))  # k = 1: both are the success rate
    with pytest.raises(ValueError):
        pass_hat_k(2, 1, 3)


def test_wire_format_helpers_never_raise_on_odd_replies() -> None:
    assert wire_messages([{"role": "tool", "content": "x", "tool_call_id": "1"}]) == [{"role": "user", "content": "x"}]
    call = {"function": {"name": "search", "arguments": '{"query": "a"}'}}
    assert reply_text({"message": {"content": None, "tool_calls": [call]}}) == (
        '<tool_call>{"name": "search", "arguments": {"query": "a"}}</tool_call>'
    )
    assert "_raw" in reply_text({"message": {"content": "", "tool_calls": [{"function": {"arguments": "{oops"}}]}})
    assert reply_text({}) == ""


def test_scripted_server_pass_at_k_per_level_and_transcripts(tmp_path: Path) -> None:
    env_id, levels = "rlvr/Math-v0", (0, 1)
    _index_gold(env_id, 4, levels)
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def first_right(messages: list[dict[str, Any]], body: dict[str, Any]) -> str:
        with lock:  # exactly one right answer per task: pass@1 = 1/n, pass@2 = 1 - C(n-1,2)/C(n,2)
            key = messages[-1]["content"]
            seen[key] += 1
            right = seen[key] == 1
        return f"\\boxed{{{_gold(env_id, messages)}}}" if right else "\\boxed{-987654}"

    out = tmp_path / "transcripts.jsonl"
    with ChatServer(first_right) as server:
        config = EvalConfig(
            env_id=env_id,
            base_url=server.base_url,
            model="tiny",
            episodes=4,
            levels=levels,
            k=2,
            samples=4,
            concurrency=3,
            out=out,
        )
        report, episodes = evaluate(config)
    assert server.max_in_flight <= 3
    assert len(episodes) == 16 and report.overall.errors == 0
    for level in report.levels:
        assert level.tasks == 2 and level.episodes == 8
        assert level.pass_at[1] == pytest.approx(0.25)
        assert level.pass_at[2] == pytest.approx(0.5)
        assert level.pass_all[2] == 0.0  # one right answer in four: never two right
        assert level.components["correct"] == pytest.approx(0.25)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 16 and {line["sample"] for line in lines} == {0, 1, 2, 3}
    assert sorted(line["messages"][-1]["content"] for line in lines) == sorted(server.replies)
    for line in lines:  # each transcript re-verifies to the recorded reward
        task = rlvr_envs.make(env_id)
        task.reset(seed=line["seed"], options={"level": line["level"]})
        verdict = rlvr_envs.verify(env_id, rlvr_envs.unwrap(task).task, line["messages"])  # type: ignore[arg-type]
        assert verdict.reward == line["reward"]


def test_multi_turn_episode_against_server() -> None:
    env_id = "rlvr/MathRetry-v0"
    _index_gold(env_id, 2, (0,))

    def wrong_then_right(messages: list[dict[str, Any]], body: dict[str, Any]) -> str:
        tries = sum(m["role"] == "assistant" for m in messages)
        return "\\boxed{-987654}" if tries == 0 else f"\\boxed{{{_gold(env_id, messages)}}}"

    with ChatServer(wrong_then_right) as server:
        report, episodes = evaluate(EvalConfig(env_id=env_id, base_url=server.base_url, model="m", episodes=2))
    assert [e.turns for e in episodes] == [2, 2] and all(e.correct for e in episodes)
    assert server.requests == 4
    assert all(b["messages"][-1]["role"] == "user" for b in server.bodies)  # the env's feedback went back
    assert report.overall.mean_reward == pytest.approx(episodes[0].reward) and 0 < episodes[0].reward < 1


def test_native_tool_calls_become_env_tool_steps() -> None:
    env_id = "rlvr/LongContextSearch-v0"
    env = rlvr_envs.make(env_id)
    env.reset(seed=row_seed(0, 0), options={"level": 0})
    inner = rlvr_envs.unwrap(env)
    first_call = json.loads(inner.oracle_action().removeprefix("<tool_call>").removesuffix("</tool_call>"))

    def tool_then_give_up(messages: list[dict[str, Any]], body: dict[str, Any]) -> str | dict[str, Any]:
        assert {t["function"]["name"] for t in body["tools"]} == {"search", "open"}
        if not any(m["role"] == "assistant" for m in messages):
            arguments = json.dumps(first_call["arguments"])
            call = {"id": "c1", "type": "function", "function": {"name": first_call["name"], "arguments": arguments}}
            return {"role": "assistant", "content": None, "tool_calls": [call]}
        return "<answer>unknown</answer><cite>D1</cite>"

    with ChatServer(tool_then_give_up) as server:
        config = EvalConfig(env_id=env_id, base_url=server.base_url, model="m", episodes=1, native_tools=True)
        _report, (episode,) = evaluate(config)
    assert episode.error is None and episode.turns == 2
    assistant = [m for m in episode.messages if m["role"] == "assistant"]
    assert assistant[0]["content"].startswith("<tool_call>") and first_call["name"] in assistant[0]["content"]
    env.step(inner.oracle_action())  # the env's own answer to that tool call is what the model saw next
    assert (
        env.unwrapped.state.messages[-1]["content"]
        == episode.messages[len(env.unwrapped.state.messages) - 1]["content"]
    )
    assert server.bodies[1]["messages"][-1]["role"] == "user"  # the tool result, sent as a user turn


@pytest.mark.parametrize("mode", ["503", "drop"])
def test_retries_then_success(mode: str) -> None:
    with ChatServer(lambda messages, body: "\\boxed{0}", fail_first=3, fail_mode=mode) as server:
        config = EvalConfig(
            env_id="rlvr/Math-v0",
            base_url=server.base_url,
            model="m",
            episodes=1,
            max_retries=3,
            backoff_s=0.01,
            concurrency=1,
        )
        report, episodes = evaluate(config)
    assert server.requests == 4 and episodes[0].retries == 3 and episodes[0].error is None
    assert report.retries == 3


def test_gives_up_after_max_retries_and_reports_the_error() -> None:
    with ChatServer(lambda messages, body: "\\boxed{0}", fail_first=100) as server:
        config = EvalConfig(
            env_id="rlvr/Math-v0", base_url=server.base_url, model="m", episodes=2, max_retries=1, backoff_s=0.01
        )
        report, episodes = evaluate(config)
    assert server.requests == 4 and report.overall.errors == 2
    assert all(e.error and "503" in e.error and e.reward == 0.0 for e in episodes)


def test_timeout_is_retried() -> None:
    calls = Counter[str]()

    def slow_once(messages: list[dict[str, Any]], body: dict[str, Any]) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            threading.Event().wait(1.0)
        return "\\boxed{0}"

    with ChatServer(slow_once) as server:
        config = EvalConfig(
            env_id="rlvr/Math-v0", base_url=server.base_url, model="m", episodes=1, timeout_s=0.3, backoff_s=0.01
        )
        _report, episodes = evaluate(config)
    assert episodes[0].retries == 1 and episodes[0].error is None


def test_tiny_model_server_end_to_end_via_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("transformers")
    monkeypatch.setenv("COLUMNS", "200")  # rich would squeeze the table's headers into 80 columns
    from .tiny_model import shared_tiny

    model, tokenizer = shared_tiny()
    out = tmp_path / "t.jsonl"
    with ChatServer(model_responder(model, tokenizer), model="tiny-llama") as server:
        import httpx

        assert httpx.get(f"{server.base_url}/models").json()["data"][0]["id"] == "tiny-llama"
        code = cli.main(
            [
                "eval", "rlvr/MathRetry-v0", "--base-url", server.base_url, "--model", "tiny-llama",
                "--episodes", "3", "--levels", "0:1", "--k", "2", "--concurrency", "2", "--max-tokens", "16",
                "--out", str(out),
            ]
        )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0 and "pass@2" in printed and "tiny-llama" in printed
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 6 and {line["level"] for line in lines} == {0, 1}
    replies = [m["content"] for line in lines for m in line["messages"] if m["role"] == "assistant"]
    assert sorted(replies) == sorted(server.replies)  # every model reply was played as an action
    assert all(body["model"] == "tiny-llama" for body in server.bodies)


def test_cli_rejects_mixing_policy_and_server(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["eval", "rlvr/Math-v0", "--base-url", "http://127.0.0.1:9/v1", "--policy", "oracle"])
    assert code == 2 and "--model" in capsys.readouterr().out
    code = cli.main(["eval", "rlvr/Math-v0", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--policy", "x"])
    assert code == 2 and "--policy" in capsys.readouterr().out
