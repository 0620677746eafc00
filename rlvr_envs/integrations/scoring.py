"""Offline scoring shared by the trainer adapters: (env id, serialised task, completion) -> Verdict.

Trainers hand us completions in several shapes (a string, TRL's conversational list of messages,
verl's decoded ``solution_str``) and tasks as the JSON string written by the exporter. Model text is
untrusted, so nothing here raises on it: an unreadable task or completion is a programmer error
(raised), while any completion text, however broken, gets the verifier's verdict.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from threading import Lock
from typing import Any

import rlvr_envs
from rlvr_envs.core.types import Task, Verdict
from rlvr_envs.errors import InvalidOptionError

_CACHE_SIZE = 4096


def load_task(task: Task | dict[str, Any] | str) -> Task:
    """A `Task` from itself, its dict, or its JSON string (as exported)."""
    if isinstance(task, Task):
        return task
    if isinstance(task, str):
        try:
            task = json.loads(task)
        except json.JSONDecodeError as exc:
            raise InvalidOptionError(f"the task column is not Task JSON: {exc}") from exc
    try:
        return Task.model_validate(task)
    except Exception as exc:
        raise InvalidOptionError(f"the task column is not a valid Task: {exc}") from exc


def completion_messages(completion: Any) -> str | list[dict[str, Any]]:
    """A completion as our verifiers take it: the text, or a list of role/content messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return [completion] if "role" in completion else str(completion.get("content", ""))
    if isinstance(completion, list | tuple):
        messages = [m for m in completion if isinstance(m, dict) and "role" in m]
        return [{"role": m["role"], "content": _text(m.get("content"))} for m in messages]
    return "" if completion is None else str(completion)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


class VerdictCache:
    """A small thread-safe LRU so several reward functions (one per component) verify each pair once."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self._size = size
        self._data: OrderedDict[tuple[str, str, str], Verdict] = OrderedDict()
        self._lock = Lock()

    def score(self, env_id: str, task: Task | dict[str, Any] | str, completion: Any) -> Verdict:
        """The verdict of ``completion`` for ``task`` in ``env_id`` (cached by value)."""
        task_model = load_task(task)
        response = completion_messages(completion)
        key = (env_id, task_model.task_id + task_model.model_dump_json(), json.dumps(response, ensure_ascii=False))
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                return hit
        verdict = rlvr_envs.verify(env_id, task_model, response)
        with self._lock:
            self._data[key] = verdict
            if len(self._data) > self._size:
                self._data.popitem(last=False)
        return verdict


DEFAULT_CACHE = VerdictCache()


def score(env_id: str, task: Task | dict[str, Any] | str, completion: Any) -> Verdict:
    """Verify one completion offline (module-level cache)."""
    return DEFAULT_CACHE.score(env_id, task, completion)
