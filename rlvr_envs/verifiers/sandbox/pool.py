"""The env process's side of the sandbox: a pool of warm server processes.

Each server is ``python -I -B .../sandbox/_zygote.py CONFIG`` (`subprocess.Popen`, so it also works
from daemonic ``AsyncVectorEnv`` workers and from threads), started lazily with a minimal
environment (the parent's variables, tokens included, never reach a run). The pool is per process:
it is checked by pid and dropped in a forked child by a ``register_at_fork`` hook, and shut down
with ``atexit``. A server that dies or overruns its request deadline is killed and replaced.

``RLVR_SANDBOX_WORKERS`` sets the number of servers per process (default: 2, at most the CPU
count); ``RLVR_SANDBOX_ISOLATION`` forces ``namespaces`` or ``audit`` (default ``auto``);
``RLVR_SANDBOX_TMPFS_MB`` sizes the servers' private ``/tmp``; ``RLVR_SANDBOX_SPARES`` sets how many
warm children each server keeps ready (default 8); ``RLVR_SANDBOX_EXTRA_PATHS``
(``os.pathsep``-separated) adds read-only folders to the sandbox's filesystem.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rlvr_envs.verifiers._frames import FrameError
from rlvr_envs.verifiers._process import PipedProcess

ZYGOTE = str(Path(__file__).with_name("_zygote.py"))
PACKAGE_DIR = str(Path(__file__).resolve().parents[2])
STARTUP_TIMEOUT_S = float(os.environ.get("RLVR_SANDBOX_STARTUP_S", "60"))
_MAX_RESPONSE = 1 << 28


class SandboxUnavailable(RuntimeError):
    """No sandbox server could be started (the message says why)."""


def default_workers() -> int:
    raw = os.environ.get("RLVR_SANDBOX_WORKERS", "")
    try:
        return max(1, int(raw))
    except ValueError:
        return max(1, min(2, os.cpu_count() or 1))


def server_config(preload: Sequence[str] = ()) -> dict[str, Any]:
    extra = [p for p in os.environ.get("RLVR_SANDBOX_EXTRA_PATHS", "").split(os.pathsep) if p.strip()]
    return {
        "isolation": os.environ.get("RLVR_SANDBOX_ISOLATION", "auto"),
        "tmpfs_mb": int(os.environ.get("RLVR_SANDBOX_TMPFS_MB", "256")),
        "preload": list(preload),
        "hide": [PACKAGE_DIR],
        "extra_paths": extra,
        "spares": int(os.environ.get("RLVR_SANDBOX_SPARES", "8")),
    }


def _server_env() -> dict[str, str]:
    """A minimal environment: secrets in the parent's variables must not reach any run."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


class _Server(PipedProcess):
    """One server process; used by a single thread at a time (the pool's slot owner)."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(
            [sys.executable, "-I", "-B", ZYGOTE, json.dumps(config)],
            env=_server_env(),
            max_frame=_MAX_RESPONSE,
            start_new_session=True,
            cwd="/",
        )
        self.hello: dict[str, Any] | None = None

    def wait_ready(self, timeout_s: float) -> dict[str, Any]:
        if self.hello is None:
            hello = self.reader.read(time.monotonic() + timeout_s)
            if hello is None:
                raise SandboxUnavailable(f"the sandbox server did not start within {timeout_s:g}s")
            if not hello.get("ready"):
                raise SandboxUnavailable(str(hello.get("error", "the sandbox server failed to start")))
            self.hello = hello
        return self.hello

    def receive(self, deadline: float) -> dict[str, Any] | None:
        return self.reader.read(deadline)


class Pool:
    """A fixed set of server slots; a caller takes idle slots, uses them and gives them back."""

    def __init__(self, n: int, config: dict[str, Any]) -> None:
        self.pid = os.getpid()
        self.n = n
        self.config = config
        self.slots: list[_Server | None] = [None] * n
        self.idle: list[int] = list(range(n))
        self.cond = threading.Condition()
        self.closed = False

    # ---- slots ------------------------------------------------------------------------------
    def _acquire(self, count: int) -> list[int]:
        """One slot (waiting if needed) plus up to ``count - 1`` more that are idle right now."""
        with self.cond:
            while not self.idle:
                self.cond.wait()
            taken = [self.idle.pop(0)]
            while self.idle and len(taken) < count:
                taken.append(self.idle.pop(0))
            return taken

    def _release(self, slots: list[int]) -> None:
        with self.cond:
            self.idle.extend(slots)
            self.cond.notify_all()

    def _ensure(self, index: int) -> _Server:
        server = self.slots[index]
        if server is None or not server.alive():
            if server is not None:
                server.kill()
            server = self.slots[index] = _Server(self.config)
        server.wait_ready(STARTUP_TIMEOUT_S)
        return server

    def _discard(self, index: int) -> None:
        server = self.slots[index]
        if server is not None:
            server.kill()
        self.slots[index] = None

    # ---- requests ---------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """The hello message of a (started) server: pid and isolation."""
        [index] = self._acquire(1)
        try:
            return dict(self._ensure(index).wait_ready(STARTUP_TIMEOUT_S))
        finally:
            self._release([index])

    def warmup(self) -> None:
        """Start every server now and wait until each is ready."""
        slots = [self._acquire(1)[0] for _ in range(self.n)]
        try:
            for index in slots:
                self._ensure(index)
        finally:
            self._release(slots)

    def sync(self) -> list[dict[str, Any]]:
        """Round-trip an ``info`` request with every running server and return the answers.

        A server answers only after it has cleaned up its previous request (killed what the run
        left behind, removed its directory), so after ``sync`` the pool is at rest.
        """
        slots = [self._acquire(1)[0] for _ in range(self.n)]
        answers: list[dict[str, Any]] = []
        try:
            for index in slots:
                server = self.slots[index]
                if server is None or not server.alive():
                    continue
                server.send({"op": "info"})
                answer = server.receive(time.monotonic() + STARTUP_TIMEOUT_S)
                answers.append({"pid": server.proc.pid} | (answer or {"ok": False}))
        except (OSError, FrameError) as exc:
            answers.append({"ok": False, "error": str(exc)})
        finally:
            self._release(slots)
        return answers

    def execute(self, payloads: Sequence[dict[str, Any]], timeout_s: Sequence[float]) -> list[dict[str, Any]]:
        """Run each payload on a server, in parallel on as many idle servers as there are.

        Returns one response per payload; a server failure becomes ``{"ok": False, "error": ...}``.
        """
        if not payloads:
            return []
        slots = self._acquire(len(payloads))
        try:
            responses: list[dict[str, Any] | None] = [None] * len(payloads)
            pending = list(range(len(payloads)))
            while pending:
                wave = list(zip(slots, pending, strict=False))
                pending = pending[len(wave) :]
                for request, response in self._run_wave(wave, payloads, timeout_s):
                    responses[request] = response
            return [r if r is not None else {"ok": False, "error": "no response"} for r in responses]
        finally:
            self._release(slots)

    def _run_wave(
        self, wave: list[tuple[int, int]], payloads: Sequence[dict[str, Any]], timeout_s: Sequence[float]
    ) -> list[tuple[int, dict[str, Any]]]:
        """Send each request of the wave to its slot's server, then collect the answers."""
        started: list[tuple[int, int, float]] = []
        out: list[tuple[int, dict[str, Any]]] = []
        for index, request in wave:
            error = self._start(index, payloads[request])
            if error is not None:
                out.append((request, {"ok": False, "error": error}))
            else:
                started.append((index, request, time.monotonic() + timeout_s[request]))
        for index, request, deadline in started:
            out.append((request, self._finish(index, deadline)))
        return out

    def _start(self, index: int, payload: dict[str, Any]) -> str | None:
        for attempt in range(2):
            try:
                server = self._ensure(index)
                server.send(payload)
                return None
            except (OSError, FrameError, SandboxUnavailable) as exc:
                self._discard(index)
                if attempt == 1 or isinstance(exc, SandboxUnavailable):
                    return f"sandbox unavailable: {exc}"
        return "sandbox unavailable"

    def _finish(self, index: int, deadline: float) -> dict[str, Any]:
        server = self.slots[index]
        if server is None:
            return {"ok": False, "error": "sandbox server vanished"}
        try:
            response = server.receive(deadline)
        except (OSError, FrameError) as exc:
            self._discard(index)
            return {"ok": False, "error": f"sandbox server died ({exc})"}
        if response is None:
            self._discard(index)
            return {"ok": False, "error": "sandbox server did not answer in time"}
        return response

    def close(self) -> None:
        self.closed = True
        for index in range(self.n):
            self._discard(index)


_pools: dict[tuple[str, ...], Pool] = {}
_pools_pid = os.getpid()
_pools_lock = threading.Lock()


def get_pool(preload: Sequence[str] = ()) -> Pool:
    """This process's pool for servers that preload ``preload`` (created on first use)."""
    global _pools_pid
    key = tuple(sorted(preload))
    pool = _pools.get(key)
    if pool is not None and pool.pid == os.getpid() and not pool.closed:
        return pool
    with _pools_lock:
        if _pools_pid != os.getpid():
            _pools.clear()
            _pools_pid = os.getpid()
        pool = _pools.get(key)
        if pool is None or pool.closed:
            pool = _pools[key] = Pool(default_workers(), server_config(key))
        return pool


def _after_fork_in_child() -> None:
    global _pools_lock, _pools_pid
    _pools_lock = threading.Lock()
    for pool in list(_pools.values()):
        for server in pool.slots:
            if server is not None:
                server.close_fds_only()
    _pools.clear()
    _pools_pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def shutdown() -> None:
    """Stop this process's sandbox servers (idempotent; also registered with ``atexit``)."""
    with _pools_lock:
        pools = list(_pools.values()) if _pools_pid == os.getpid() else []
        _pools.clear()
    for pool in pools:
        pool.close()


atexit.register(shutdown)
