"""LongContextSearch-v0's tools and protocol, and the BM25 index behind ``search``."""

from __future__ import annotations

import json
import pickle
from typing import Any

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.tasks.longcontext.bm25 import BM25Index, terms
from rlvr_envs.tasks.longcontext.search import TOOL_SCHEMAS

ENV_ID = "rlvr/LongContextSearch-v0"


def call(name: str, **arguments: Any) -> str:
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


def fresh(level: int = 3, seed: int = 0, **kwargs: Any) -> tuple[gym.Env[Any, Any], Any]:
    env = gym.make(ENV_ID, **kwargs)
    env.reset(seed=seed, options={"level": level})
    return env, rlvr_envs.unwrap(env).task


# ---- BM25 --------------------------------------------------------------------------------------
def test_bm25_ranking_sanity() -> None:
    index = BM25Index(
        [
            ("Keltavo Institute", "Keltavo Institute is a research institute based in Ostmere."),
            ("Ostmere", "Ostmere is a town. Many people live in Ostmere. Ostmere has a harbour."),
            ("Notes on moss", "Moss grows slowly. The institute of moss is imaginary."),
            ("Varo Keltin", "Varo Keltin works for Keltavo Institute."),
        ]
    )
    assert index.search("Keltavo Institute")[0][0] == 0  # title match and both terms
    assert index.search("Ostmere")[0][0] == 1  # highest term frequency
    assert index.search("Varo")[0][0] == 3
    assert index.search("moss harbour")[0][0] in (1, 2)
    assert index.search("nothing matches zzz") == []
    assert index.search("the of and") == []  # stop words only
    assert index.idf("varo") > index.idf("keltavo")  # rarer terms weigh more
    scores = [score for _, score in index.search("Keltavo", k=10)]
    assert scores == sorted(scores, reverse=True)
    assert len(index.search("institute", k=1)) == 1
    assert terms("Éclair_Ünïcode 42, ok") == ["éclair", "ünïcode", "42", "ok"]


def test_bm25_ties_are_deterministic() -> None:
    index = BM25Index([("a", "same words here"), ("b", "same words here"), ("c", "same words here")])
    assert [i for i, _ in index.search("words")] == [0, 1, 2]


def test_search_finds_each_gold_document_by_its_title() -> None:
    found = total = 0
    for seed in range(6):
        env, task = fresh(level=5, seed=seed)
        family = rlvr_envs.unwrap(env).family
        for record in task.data["documents"]:
            if record["tier"] == "gold":
                total += 1
                hits = family.index(task).search(record["title"], 3)  # type: ignore[attr-defined]
                found += any(task.data["documents"][i]["id"] == record["id"] for i, _ in hits)
    assert found == total


# ---- protocol ----------------------------------------------------------------------------------
def test_tools_are_offered_in_openai_format() -> None:
    _, info = gym.make(ENV_ID).reset(seed=1)
    assert info["tools"] == TOOL_SCHEMAS
    assert {tool["function"]["name"] for tool in info["tools"]} == {"search", "open"}
    assert all(tool["type"] == "function" and "parameters" in tool["function"] for tool in info["tools"])


def test_search_then_open_then_answer() -> None:
    env, task = fresh()
    gold = task.data["supporting"][0]
    title = next(d["title"] for d in task.data["documents"] if d["id"] == gold)
    observation, reward, terminated, _, info = env.step(call("search", query=title, k=3))
    assert not terminated and reward == 0.0 and f"[{gold}]" in observation
    assert info["messages"][-1]["role"] == "tool" and info["feedback"]["tool_calls"] == 1
    assert len([line for line in observation.splitlines() if line.startswith("[D")]) <= 3
    observation, *_ = env.step(call("open", doc_id=gold.lower()))
    assert observation.startswith(f"[{gold}] {title}\n")
    answer = rlvr_envs.unwrap(env).oracle_action()
    while "<answer>" not in answer:  # the oracle may still want to open documents
        env.step(answer)
        answer = rlvr_envs.unwrap(env).oracle_action()
    _, reward, terminated, truncated, info = env.step(answer)
    assert terminated and not truncated and reward == pytest.approx(1.0)
    assert info["verdict"]["components"]["tool_calls"] >= 2


def test_several_calls_in_one_turn_and_errors() -> None:
    env, _ = fresh()
    action = call("search", query="x") + call("open", doc_id="D99999") + call("fly") + "<tool_call>{oops</tool_call>"
    observation, *_, info = env.step(action)
    assert "open: error: no document 'D99999'" in observation
    assert "unknown tool 'fly'" in observation and "not valid JSON" in observation
    assert info["feedback"]["tool_calls"] == 3  # valid calls count, parse errors do not
    observation, *_ = env.step(call("search") + call("open", doc_id=""))
    assert 'give a non-empty string "query"' in observation and 'give a string "doc_id"' in observation


def test_budget_is_enforced() -> None:
    env, task = fresh(tool_budget=2)
    assert task.data["tool_budget"] == 2 and "at most 2 tool calls" in task.prompt
    observation, *_ = env.step(call("search", query="a") + call("search", query="b") + call("search", query="c"))
    assert "not run, the tool budget (2) is spent" in observation and "[0 tool calls left]" in observation
    observation, reward, terminated, truncated, info = env.step(call("search", query="d"))
    assert terminated and not truncated and reward == 0.0
    assert info["verdict"]["components"]["budget_exhausted"] == 1.0 and "Tool budget (2) spent" in observation


def test_idle_turns_end_the_episode_and_answers_win() -> None:
    env, _ = fresh(max_idle_turns=2)
    observation, _, terminated, *_ = env.step("hmm")
    assert not terminated and "1 more such turn ends the episode" in observation
    _, _, terminated, truncated, info = env.step("hmm again")
    assert terminated and not truncated and info["verdict"]["components"]["idle_turns"] == 2.0
    env, _ = fresh()
    _, _, terminated, _, info = env.step(call("search", query="x") + "<answer>nobody</answer>")
    assert terminated and info["verdict"]["components"]["tool_calls"] == 0.0


def test_offline_verify_matches_the_episode() -> None:
    env, task = fresh(level=4, seed=2)
    inner = rlvr_envs.unwrap(env)
    done = False
    while not done:
        _, reward, terminated, truncated, info = env.step(inner.oracle_action())
        done = terminated or truncated
    offline = rlvr_envs.verify(ENV_ID, task, info["messages"])
    assert offline.reward == pytest.approx(reward) == pytest.approx(1.0)


def test_index_cache_is_not_pickled() -> None:
    env, _ = fresh()
    env.step(call("search", query="anything"))
    family = rlvr_envs.unwrap(env).family
    assert family._indexes  # type: ignore[attr-defined]
    assert not pickle.loads(pickle.dumps(family))._indexes
