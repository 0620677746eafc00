"""A stand-in for a model server, so the docs can show `rlvr-envs eval --base-url` output that stays true.

It is **not a model**: an OpenAI-compatible HTTP server on 127.0.0.1 (the tests' ``ChatServer``)
whose replies follow one fixed rule, stated wherever its output is shown:

- the first turn of every episode gets ``I am not sure.`` (no answer);
- every later turn gets the env's oracle answer for that episode's task, which the stand-in looks
  up from the episode's first user message (it builds the same tasks ``eval`` plays: the rows of
  ``rlvr-envs export`` for the same env id, ``--seed`` and levels);
- with ``fail_first=N`` the first ``N`` completion requests get HTTP 503, so retries show up.

``refresh_docs`` starts one for a block marked ``| standin`` (``| standin: fail_first=N``) and
stops it when the command returns; the server thread is a daemon and every request is bounded by
``eval``'s own ``--timeout``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rlvr_envs
from rlvr_envs.integrations.export import row_seed
from tests.integrations.chat_server import ChatServer

#: The reply to the first turn of every episode.
FIRST_REPLY = "I am not sure."
MODEL = "stand-in"


def oracle_answers(env_id: str, *, seed: int, levels: Sequence[int], episodes: int) -> dict[str, str]:
    """First user message -> the oracle's first action, for the tasks ``eval --base-url`` plays."""
    env = rlvr_envs.make(env_id)
    inner = rlvr_envs.unwrap(env)
    answers = {}
    try:
        for index in range(episodes):
            _obs, info = env.reset(seed=row_seed(seed, index), options={"level": levels[index % len(levels)]})
            answers[first_user_text(info["messages"])] = str(inner.oracle_action())
    finally:
        env.close()
    return answers


def first_user_text(messages: Sequence[dict[str, Any]]) -> str:
    return next((str(m["content"]) for m in messages if m.get("role") == "user"), "")


class StandInServer(ChatServer):
    """``with StandInServer(env_id, seed=0, levels=(0, 1), episodes=4) as server: ... server.base_url``."""

    def __init__(self, env_id: str, *, seed: int, levels: Sequence[int], episodes: int, fail_first: int = 0) -> None:
        self.answers = oracle_answers(env_id, seed=seed, levels=levels, episodes=episodes)
        super().__init__(self.reply, model=MODEL, fail_first=fail_first)

    def reply(self, messages: list[dict[str, Any]], body: dict[str, Any]) -> str:
        if not any(m.get("role") == "assistant" for m in messages):
            return FIRST_REPLY
        return self.answers.get(first_user_text(messages), FIRST_REPLY)
