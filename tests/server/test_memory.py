"""When the server hands freed heap back to the OS (`SessionManager.maybe_release`), and the allocator switch."""

from __future__ import annotations

import asyncio
import os

import pytest

from rlvr_envs.server import ServerConfig, memory
from rlvr_envs.server.app import Server


def test_release_runs_once_closing_settles_or_after_256_closes() -> None:
    manager = Server(ServerConfig(env_ids=("rlvr/Math-v0",))).manager
    served = next(iter(manager.served.values()))

    async def scenario() -> list[bool]:
        results = [await manager.maybe_release()]  # nothing closed yet
        for session in [manager.open(served, "ws") for _ in range(3)]:
            manager.close(session)
        results.append(await manager.maybe_release())  # just closed: not settled yet
        results.append(await manager.maybe_release())  # a quiet round later: release
        results.append(await manager.maybe_release())  # nothing new
        for session in [manager.open(served, "ws") for _ in range(256)]:
            manager.close(session)
        results.append(await manager.maybe_release())  # a big batch: at once
        manager.executor.shutdown()
        return results

    assert asyncio.run(scenario()) == [False, False, True, False, True]
    assert manager.metrics.memory_releases == 2


def test_trim_exists_exactly_on_glibc() -> None:
    assert memory.trim() is memory.glibc()
    assert memory.default_allocator() == ("malloc" if memory.glibc() else "pymalloc")


@pytest.mark.parametrize("env", [{"PYTHONMALLOC": "malloc"}, {memory.REEXEC_MARK: "1"}])
def test_no_reexec_when_already_done(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(os, "execve", lambda *args: pytest.fail("must not re-execute"))
    memory.use_system_malloc(["-m", "rlvr_envs.cli", "serve"])


def test_reexec_keeps_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONMALLOC", raising=False)
    monkeypatch.delenv(memory.REEXEC_MARK, raising=False)
    seen: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: seen.append((path, argv, env)))
    memory.use_system_malloc(["-m", "rlvr_envs.cli", "serve", "rlvr/Math-v0"])
    ((_, argv, env),) = seen
    assert argv[1:] == ["-m", "rlvr_envs.cli", "serve", "rlvr/Math-v0"] and env["PYTHONMALLOC"] == "malloc"
