"""A server on 127.0.0.1 (free port) for the module's tests, started and stopped in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("websockets")

import rlvr_envs
from rlvr_envs.server import ServerConfig, running

SERVED = ("rlvr/Math-v0", "rlvr/Code-v0", "rlvr/EcomDialogue-v0")


@pytest.fixture(scope="module")
def record_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve") / "episodes.jsonl"


@pytest.fixture(scope="module")
def server_url(record_path: Path) -> Iterator[str]:
    config = ServerConfig(env_ids=SERVED, port=0, record=record_path, step_timeout_s=30.0)
    with running(config) as url:
        yield url


class Shadow:
    """A local twin of a remote episode: same id, seed and options, fed the same actions, so its
    family oracle knows the right action for the remote state (both are deterministic)."""

    def __init__(self, env_id: str, seed: int, options: dict[str, Any]) -> None:
        self.env = rlvr_envs.make(env_id)
        self.obs, self.info = self.env.reset(seed=seed, options=options)

    def oracle(self) -> str:
        return rlvr_envs.unwrap(self.env).oracle_action()

    def step(self, action: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        return self.env.step(action)
