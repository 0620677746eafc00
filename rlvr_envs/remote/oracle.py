"""`RemoteOracle`: the oracle policy for episodes that run on an ``rlvr-envs serve`` server.

The oracle needs the episode's `Task` (its gold answer, tests, hidden goal), which stays on the
server: nothing sends gold answers over the wire. A generated task's id (``info["task_id"]``, e.g.
``math:3:00c0ffee...``) is enough to regenerate it, so the oracle keeps a local mirror of the same
env id, rebuilds each task from its id, replays the episode's actions on the mirror to follow the
dialogue state, and answers with the mirror's ``oracle_action``. Every observation the mirror
produces is compared with the server's: a difference (the server serves other env kwargs, or
another version of the family) is an error that says so, never a silently wrong "oracle".
"""

from __future__ import annotations

from typing import Any

from rlvr_envs.core.env import RLVREnv
from rlvr_envs.core.registry import registered
from rlvr_envs.errors import RLVRError, UnknownEnvError


class RemoteOracle:
    """A policy ``(observation, info) -> action`` that plays the oracle for a remote env id."""

    def __init__(self, env_id: str, url: str = "the server") -> None:
        try:
            registered(env_id)
        except UnknownEnvError as exc:
            raise RLVRError(
                f"--policy oracle against {url}: {env_id!r} is not registered in this Python environment, so its "
                "tasks cannot be rebuilt here (the oracle needs each task, and the server never sends gold "
                f"answers). Install the package that registers {env_id!r}, or evaluate another policy. ({exc})"
            ) from exc
        import rlvr_envs

        self.env_id, self.url = env_id, url
        self.mirror: RLVREnv = rlvr_envs.unwrap(rlvr_envs.make(env_id))
        self._task_id: str | None = None
        self._last_action: str | None = None

    def __call__(self, observation: Any, info: dict[str, Any]) -> str:
        task_id, turn = str(info["task_id"]), int(info["turn"])
        if turn == 0 or task_id != self._task_id:
            local, _ = self.mirror.reset(options={"task_id": task_id})
            self._task_id = task_id
        elif self._last_action is None:
            raise RLVRError("RemoteOracle was asked for a later turn before it saw the episode's first one")
        else:
            local, *_ = self.mirror.step(self._last_action)
        self._check(observation, local, task_id, turn)
        self._last_action = self.mirror.oracle_action()
        return self._last_action

    def _check(self, remote: Any, local: Any, task_id: str, turn: int) -> None:
        text = remote["text"] if isinstance(remote, dict) else remote
        mine = local["text"] if isinstance(local, dict) else local
        if text != mine:
            raise RLVRError(
                f"--policy oracle: task {task_id!r} rebuilt here does not match the one {self.url} serves "
                f"(turn {turn} differs). The server's {self.env_id!r} uses other env kwargs or another version "
                "of its family; run the oracle with the same rlvr-envs version and spec as the server"
            )

    def close(self) -> None:
        self.mirror.close()
