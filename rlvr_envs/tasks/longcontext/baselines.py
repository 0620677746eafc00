"""Heuristic baseline policies for the long-context envs (floors a trained model must beat).

``first_document_policy`` answers with the title of the first document it sees and cites it: in
LongContextQA-v0 the first document of the context; in LongContextSearch-v0 the top hit of one
search for the whole question. It reads only what the agent sees (observation and messages), so
it can run through ``rlvr-envs eval --policy python:rlvr_envs.tasks.longcontext.baselines:first_document_policy``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import gymnasium as gym

_FIRST_DOC = re.compile(r"^\[(D\d+)\] ([^\n:]+)", re.MULTILINE)
_QUESTION = re.compile(r"^Question: (.+)$", re.MULTILINE)

Policy = Any  # a callable (observation, info) -> str, as in rlvr_envs.policies


def _answer_first(text: str) -> str:
    match = _FIRST_DOC.search(text)
    if match is None:
        return "<answer>unknown</answer>"
    return f"<answer>{match.group(2).strip()}</answer>\n<cite>{match.group(1)}</cite>"


def first_document_policy(env: gym.Env[Any, Any]) -> Policy:
    """The "first document" heuristic for either long-context env (``env`` is unused)."""

    def act(observation: Any, info: dict[str, Any]) -> str:
        messages = info.get("messages", [])
        if not info.get("tools"):
            return _answer_first(observation if isinstance(observation, str) else "")
        tool_results = [m["content"] for m in messages if m.get("role") == "tool" and isinstance(m["content"], str)]
        if tool_results:
            return _answer_first(tool_results[-1])
        first_user = next((m["content"] for m in messages if m.get("role") == "user"), "")
        question = _QUESTION.search(first_user if isinstance(first_user, str) else "")
        query = question.group(1) if question else "document"
        return f"<tool_call>{json.dumps({'name': 'search', 'arguments': {'query': query}})}</tool_call>"

    return act
