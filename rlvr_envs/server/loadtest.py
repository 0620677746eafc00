"""Load generation against a running server: many concurrent WebSocket sessions playing episodes.

`run_load` keeps ``sessions`` asyncio clients busy for ``duration_s``, each resetting and stepping
with a fixed cheap action (the load is the server's, not a policy's), and reports episodes, errors
and client-side step latency. `count_recorded` reads a ``--record`` file back so a test can check
that no finished episode was lost. `server_process` starts ``rlvr-envs serve`` in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
from pydantic import BaseModel

from rlvr_envs.remote.client import AsyncRemoteEnv, RemoteError


class LoadReport(BaseModel):
    """What the clients saw."""

    sessions: int
    duration_s: float
    episodes: int
    steps: int
    errors: int
    error_codes: dict[str, int]
    step_p50_ms: float | None
    step_p99_ms: float | None
    episodes_per_s: float
    episodes_by_session: dict[str, int]


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _session_loop(
    url: str,
    env_id: str,
    stop_at: float,
    action: str,
    latencies: list[float],
    errors: Counter[str],
    done: dict[str, int],
) -> int:
    steps = 0
    try:
        async with AsyncRemoteEnv(url, env_id, timeout_s=120.0) as env:
            seed = 0
            session_id = ""
            while time.monotonic() < stop_at:
                try:
                    result = await env.reset(seed=seed, options={"level": seed % 4})
                    seed += 1
                    while not result.done:
                        start = time.perf_counter()
                        result = await env.step(action)
                        latencies.append(time.perf_counter() - start)
                        steps += 1
                    if not session_id:
                        session_id = (await env.state())["session_id"]
                    done[session_id] = done.get(session_id, 0) + 1
                except RemoteError as exc:
                    errors[exc.code] += 1
    except (RemoteError, OSError, TimeoutError) as exc:
        errors[getattr(exc, "code", type(exc).__name__)] += 1
    return steps


async def run_load_async(
    url: str, *, sessions: int, duration_s: float, env_id: str = "rlvr/Math-v0", action: str = "\\boxed{7}"
) -> LoadReport:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    done: dict[str, int] = {}
    start = time.monotonic()
    stop_at = start + duration_s
    steps = await asyncio.gather(
        *(_session_loop(url, env_id, stop_at, action, latencies, errors, done) for _ in range(sessions))
    )
    elapsed = time.monotonic() - start
    p50, p99 = _quantile(latencies, 0.5), _quantile(latencies, 0.99)
    episodes = sum(done.values())
    return LoadReport(
        sessions=sessions,
        duration_s=elapsed,
        episodes=episodes,
        steps=sum(steps),
        errors=sum(errors.values()),
        error_codes=dict(errors),
        step_p50_ms=None if p50 is None else p50 * 1e3,
        step_p99_ms=None if p99 is None else p99 * 1e3,
        episodes_per_s=episodes / elapsed,
        episodes_by_session=done,
    )


def run_load(url: str, *, sessions: int, duration_s: float, env_id: str = "rlvr/Math-v0") -> LoadReport:
    """Blocking `run_load_async`."""
    return asyncio.run(run_load_async(url, sessions=sessions, duration_s=duration_s, env_id=env_id))


def count_recorded(path: Path) -> Counter[str]:
    """Finished episodes per session id in a ``--record`` file (every line must parse)."""
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            counts[json.loads(line)["session_id"]] += 1
    return counts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux ``/proc``)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


@contextmanager
def server_process(
    args: Sequence[str],
    *,
    startup_timeout_s: float = 60.0,
    prefix: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``rlvr-envs serve ARGS --port P`` in a subprocess on 127.0.0.1; yields its URL and the process.

    ``prefix`` replaces ``python -m rlvr_envs.cli serve`` (a wrapper that serves in-process), ``env``
    the environment.
    """
    port = free_port()
    start = list(prefix) if prefix is not None else [sys.executable, "-m", "rlvr_envs.cli", "serve"]
    command = [*start, *args, "--host", "127.0.0.1", "--port", str(port)]
    environment = {**(env if env is not None else os.environ), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=environment)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup_timeout_s
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"rlvr-envs serve exited with {process.returncode}")
            try:
                if httpx.get(url + "/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("rlvr-envs serve did not answer /health in time")
            time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def summary(report: LoadReport) -> str:
    per_session = list(report.episodes_by_session.values())
    spread = f"{min(per_session)}-{max(per_session)}" if per_session else "-"
    return (
        f"{report.sessions} sessions x {report.duration_s:.1f} s: {report.episodes} episodes "
        f"({report.episodes_per_s:.0f}/s, {spread} per session), {report.steps} steps, {report.errors} errors, "
        f"step p50 {report.step_p50_ms or 0:.1f} ms p99 {report.step_p99_ms or 0:.1f} ms"
        + (f" (median episodes/session {statistics.median(per_session):.0f})" if per_session else "")
    )


async def open_idle(url: str, count: int, env_id: str = "rlvr/Math-v0", batch: int = 200) -> list[AsyncRemoteEnv]:
    """``count`` sessions, each with an episode reset and left mid-episode (opened ``batch`` at a time)."""
    envs: list[AsyncRemoteEnv] = []

    async def one(seed: int) -> AsyncRemoteEnv:
        env = await AsyncRemoteEnv(url, env_id, timeout_s=300.0).connect()
        await env.reset(seed=seed)
        return env

    for start in range(0, count, batch):
        envs.extend(await asyncio.gather(*(one(seed) for seed in range(start, min(count, start + batch)))))
    return envs


class KilledReport(BaseModel):
    """Server RSS around a client process that held ``sessions`` mid-episode and was SIGKILLed."""

    sessions: int
    held_active: int
    remaining: int
    released_s: float
    baseline_bytes: int
    held_bytes: int
    after_bytes: int

    @property
    def retained_bytes(self) -> int:
        return self.after_bytes - self.baseline_bytes

    def line(self) -> str:
        mib = 2**20
        share = self.retained_bytes / max(1, self.held_bytes - self.baseline_bytes)
        return (
            f"sessions held {self.held_active}, left after the kill {self.remaining} (released in "
            f"{self.released_s:.1f} s); server RSS baseline {self.baseline_bytes / mib:.1f} MiB, holding "
            f"{self.held_bytes / mib:.1f} MiB, after {self.after_bytes / mib:.1f} MiB "
            f"({self.retained_bytes / mib:+.1f} MiB, {share:.0%} of the held memory)"
        )


def _active(url: str) -> int:
    return int(httpx.get(url + "/health", timeout=30).json()["active_sessions"])


def kill_clients(url: str, pid: int, sessions: int, *, settle_s: float, warm: int = 100) -> KilledReport:
    """Warm the server, hold ``sessions`` mid-episode in a child process, SIGKILL it, and watch the
    server's RSS (pid ``pid``) come back; ``settle_s`` leaves the reaper time to release the heap."""

    async def warm_up() -> None:
        for env in await open_idle(url, warm):
            await env.close()

    asyncio.run(warm_up())
    time.sleep(settle_s)  # the warm-up's sessions are released as well
    baseline = rss_bytes(pid)
    holder = subprocess.Popen(
        [sys.executable, "-m", "rlvr_envs.server.loadtest", url, str(sessions)], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        if not holder.stdout.readline().startswith(b"ready"):
            raise RuntimeError("the client process did not open its sessions")
        held, held_active = rss_bytes(pid), _active(url)
    finally:
        holder.kill()
        holder.wait()
    start = time.monotonic()
    while _active(url) > 0 and time.monotonic() < start + 60:
        time.sleep(0.1)
    released_s = time.monotonic() - start
    time.sleep(settle_s)
    return KilledReport(
        sessions=sessions,
        held_active=held_active,
        remaining=_active(url),
        released_s=released_s,
        baseline_bytes=baseline,
        held_bytes=held,
        after_bytes=rss_bytes(pid),
    )


def _hold(url: str, count: int) -> None:
    """``python -m rlvr_envs.server.loadtest URL COUNT``: open COUNT sessions mid-episode, print
    ``ready``, then wait to be killed (the killed-client load test)."""

    async def main() -> None:
        envs = await open_idle(url, count)
        print("ready", len(envs), flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main())


if __name__ == "__main__":
    _hold(sys.argv[1], int(sys.argv[2]))
