"""Fixtures for the sandbox tests: a pool in a chosen isolation mode, and checks that the host is unharmed."""

from __future__ import annotations

import ctypes
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rlvr_envs.verifiers import sandbox
from rlvr_envs.verifiers.sandbox.pool import get_pool

REPO = Path(__file__).resolve().parents[2]
MODES = ["namespaces", "audit"]


def process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, real uid) for every process on the host."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        try:
            table[int(entry)] = (int(fields["PPid"].strip()), int(fields["Uid"].split()[0]))
        except (KeyError, ValueError, IndexError):
            continue
    return table


def descendants(pid: int, table: dict[int, tuple[int, int]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for child, (parent, _uid) in table.items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


@dataclass
class Host:
    """What "unharmed" means, checked after every adversarial run."""

    mode: str
    marker: str
    port: int
    server_pids: list[int]

    def substitute(self, code: str) -> str:
        return (
            code.replace("__ENV_PID__", str(os.getpid()))
            .replace("__HOME__", str(Path.home()))
            .replace("__REPO__", str(REPO))
            .replace("__PORT__", str(self.port))
            .replace("__MARK__", self.marker)
        )

    def marker_paths(self) -> list[Path]:
        folders = [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path.home(), REPO, Path("/")]
        return [folder / self.marker for folder in folders]

    def check_unharmed(self) -> None:
        answers = get_pool().sync()
        pids = sorted(answer["pid"] for answer in answers)
        assert pids == self.server_pids, f"a sandbox server died or was replaced: {self.server_pids} -> {pids}"
        table = process_table()
        for answer in answers:
            extra = descendants(answer["pid"], table)
            expected = (2 if self.mode == "namespaces" else 0) + answer["spares"]  # holder, supervisor, spares
            assert len(extra) == expected, f"server {answer['pid']} has leftover processes: {extra}"
        if self.mode == "namespaces":
            nobody = [pid for pid, (_parent, uid) in table.items() if uid == 65534]
            assert not nobody, f"processes of uid 65534 survived their run: {nobody}"
        else:
            runs = [p for p in Path("/tmp").glob("rlvr-run-*") if any(f"-{pid}-" in p.name for pid in pids)]
            spares = sum(answer["spares"] for answer in answers)
            assert len(runs) == spares, f"run directories left behind: {runs}"
        for path in self.marker_paths():
            assert not path.exists(), f"a run wrote {path}"
        ok = sandbox.run_tests("a, b = map(int, input().split())\nprint(a + b)", [{"input": "1 2", "expected": "3"}])
        assert ok[0].passed, f"the sandbox no longer runs a correct program: {ok[0]}"


@pytest.fixture(scope="module")
def listening_port() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def kernel_allows_namespaces() -> bool:
    """Whether a forked child may create the namespaces the sandbox uses (then failing to is a bug)."""
    flags = 0x10000000 | 0x00020000 | 0x40000000 | 0x20000000 | 0x08000000  # USER, NS, NET, PID, IPC
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os._exit(0 if ctypes.CDLL(None, use_errno=True).unshare(flags) == 0 else 1)
    return os.waitpid(pid, 0)[1] == 0


@pytest.fixture(scope="module", params=MODES)
def host(request: pytest.FixtureRequest, listening_port: int) -> Iterator[Host]:
    """A fresh pool in one isolation mode (skipped when the machine cannot provide it)."""
    mode = str(request.param)
    previous = os.environ.get("RLVR_SANDBOX_ISOLATION")
    os.environ["RLVR_SANDBOX_ISOLATION"] = mode
    sandbox.shutdown()
    try:
        try:
            info = sandbox.isolation()
        except sandbox.SandboxUnavailable as exc:
            if mode == "namespaces" and kernel_allows_namespaces():
                pytest.fail(f"the kernel allows namespaces, yet the sandbox could not build them: {exc}")
            pytest.skip(f"{mode} isolation is not available here: {exc}")
        assert info.mode == mode
        sandbox.warmup()
        pids = sorted(answer["pid"] for answer in get_pool().sync())
        yield Host(mode=mode, marker=f"rlvr_pwned_{os.getpid()}_{mode}", port=listening_port, server_pids=pids)
    finally:
        sandbox.shutdown()
        if previous is None:
            os.environ.pop("RLVR_SANDBOX_ISOLATION", None)
        else:
            os.environ["RLVR_SANDBOX_ISOLATION"] = previous
