"""Where a served process's memory goes when killed clients' sessions are released.

``python -m benchmarks.server_memory [--sessions 1000] [--trace]`` starts ``rlvr-envs serve rlvr/Math-v0``
once per allocator (``pymalloc``, ``malloc``) in a child process that answers SIGUSR1 with its own
numbers, holds ``--sessions`` sessions mid-episode from a client process, SIGKILLs it, and prints,
at the baseline (after a 100-session warm-up), while held, and after release: RSS, glibc's heap in
use (``mallinfo2``), pymalloc's arenas, live Python objects and, with ``--trace``, the Python heap
tracemalloc sees (tracemalloc itself inflates RSS, so the RSS figures come from runs without it).
``--sites`` (with ``--trace``) adds the allocation sites that grew most (its snapshots perturb the
figures). ``--cpu`` measures instead what each allocator costs: server CPU time per episode under load;
``--compression`` what WebSocket permessage-deflate costs: CPU per episode and RSS per idle session.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx

from rlvr_envs.server.loadtest import open_idle, rss_bytes, run_load, server_process

MIB = 2**20
_SNAPSHOTS: dict[str, tracemalloc.Snapshot] = {}  # the child's first snapshot: the baseline


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _pymalloc_arenas() -> int | None:
    read, write = os.pipe()
    saved = os.dup(2)
    os.dup2(write, 2)
    os.close(write)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    os.set_blocking(read, False)
    chunks = []
    try:
        while chunk := os.read(read, 1 << 16):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    os.close(read)
    match = re.search(rb"# arenas allocated current\s*=\s*([\d,]+)", b"".join(chunks))
    return int(match.group(1).replace(b",", b"")) if match else None


def _child_stats(out: Path) -> dict[str, Any]:
    gc.collect()
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    stats: dict[str, Any] = {
        "rss": rss_bytes(os.getpid()),
        "glibc_in_use": info.uordblks,
        "pymalloc_arenas": _pymalloc_arenas(),
        "objects": len(gc.get_objects()),
    }
    if tracemalloc.is_tracing():
        stats["traced"] = tracemalloc.get_traced_memory()[0]
    if tracemalloc.is_tracing() and os.environ.get("RLVR_MEMORY_SITES"):
        ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
        snapshot = tracemalloc.take_snapshot().filter_traces(ignore)
        first = _SNAPSHOTS.setdefault("baseline", snapshot)
        stats["top_sites"] = [str(stat) for stat in snapshot.compare_to(first, "lineno")[:8]]
    with out.open("a") as handle:
        handle.write(json.dumps(stats) + "\n")
    return stats


def child(out: Path, trace: bool, serve_args: list[str]) -> int:
    """The served process: ``rlvr-envs serve`` (not re-executed: ``PYTHONMALLOC`` is set by the parent);
    SIGUSR1 appends a stats line to ``out``."""
    if trace:
        tracemalloc.start(1)
    signal.signal(signal.SIGUSR1, lambda *_: _child_stats(out))
    from rlvr_envs.cli import main

    return main(["serve", *serve_args])


def _ask(process: subprocess.Popen[bytes], out: Path) -> dict[str, Any]:
    seen = len(out.read_text().splitlines()) if out.exists() else 0
    process.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = out.read_text().splitlines() if out.exists() else []
        if len(lines) > seen:
            return dict(json.loads(lines[-1]))
        time.sleep(0.05)
    raise RuntimeError("the served process did not answer SIGUSR1")


def measure(allocator: str, sessions: int, trace: bool, out: Path, sites: bool = False) -> dict[str, dict[str, Any]]:
    """Baseline, held and after-release numbers of one served process."""
    out.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONMALLOC": allocator, **({"RLVR_MEMORY_SITES": "1"} if sites else {})}
    prefix = [sys.executable, "-m", "benchmarks.server_memory", "--child", str(out), *(["--trace"] if trace else [])]
    stages: dict[str, dict[str, Any]] = {}
    args = ["rlvr/Math-v0", "--idle-timeout", "8", "--max-sessions", str(2 * sessions + 200)]
    with server_process(args, prefix=prefix, env=env) as (url, process):

        async def warm_up() -> None:
            for remote in await open_idle(url, 100):
                await remote.close()

        asyncio.run(warm_up())
        time.sleep(5.0)  # two reaper rounds (2 s each at --idle-timeout 8): the warm-up is released too
        stages["baseline"] = _ask(process, out)
        holder = subprocess.Popen(
            [sys.executable, "-m", "rlvr_envs.server.loadtest", url, str(sessions)], stdout=subprocess.PIPE
        )
        assert holder.stdout is not None
        if not holder.stdout.readline().startswith(b"ready"):
            raise RuntimeError("the client process did not open its sessions")
        stages["held"] = _ask(process, out)
        holder.kill()
        holder.wait()
        while int(httpx.get(url + "/health", timeout=30).json()["active_sessions"]) > 0:
            time.sleep(0.1)
        time.sleep(5.0)
        stages["after"] = _ask(process, out)
    return stages


def _row(allocator: str, stage: str, stats: dict[str, Any], base: dict[str, Any]) -> str:
    def mib(key: str) -> str:
        if stats.get(key) is None:
            return "-"
        delta = "" if stage == "baseline" else f" ({(stats[key] - base[key]) / MIB:+.1f})"
        return f"{stats[key] / MIB:.1f}{delta}"

    arenas = stats.get("pymalloc_arenas")
    arenas_text = (
        "-"
        if arenas is None
        else f"{arenas}" + ("" if stage == "baseline" else f" ({arenas - base['pymalloc_arenas']:+d})")
    )
    objects = f"{stats['objects']:,}" + ("" if stage == "baseline" else f" ({stats['objects'] - base['objects']:+,})")
    cells = [allocator, stage, mib("rss"), mib("glibc_in_use"), arenas_text, objects, mib("traced")]
    return "| " + " | ".join(cells) + " |"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_cost(rounds: int = 3, sessions: int = 200, seconds: float = 8.0) -> None:
    """Server CPU time per Math-v0 episode under load, per allocator (rounds alternate; CPU time,
    unlike latency, hardly depends on what else the machine runs)."""
    costs: dict[str, list[float]] = {"pymalloc": [], "malloc": []}
    for _ in range(rounds):
        for allocator, values in costs.items():
            with server_process(["rlvr/Math-v0", "--allocator", allocator]) as (url, process):
                run_load(url, sessions=50, duration_s=2.0)  # warm-up
                before = _cpu_seconds(process.pid)
                report = run_load(url, sessions=sessions, duration_s=seconds)
                values.append((_cpu_seconds(process.pid) - before) / report.episodes * 1e3)
            print(f"{allocator}: {report.episodes} episodes, {values[-1]:.3f} ms server CPU per episode", flush=True)
    medians = {name: statistics.median(values) for name, values in costs.items()}
    print(
        f"median server CPU per episode: pymalloc {medians['pymalloc']:.3f} ms, malloc {medians['malloc']:.3f} ms "
        f"(malloc x{medians['malloc'] / medians['pymalloc']:.2f})"
    )


def compression_cost(rounds: int = 2, idle: int = 1000) -> None:
    """Server CPU per episode (as `cpu_cost`) and RSS per idle session, without and with ``--ws-compression``."""
    for _ in range(rounds):
        for extra in ([], ["--ws-compression"]):
            with server_process(["rlvr/Math-v0", *extra]) as (url, process):
                run_load(url, sessions=50, duration_s=2.0)  # warm-up
                before = _cpu_seconds(process.pid)
                report = run_load(url, sessions=200, duration_s=8.0)
                per_episode = (_cpu_seconds(process.pid) - before) / report.episodes * 1e3

                async def idle_cost() -> float:
                    baseline = rss_bytes(process.pid)
                    remotes = await open_idle(url, idle)
                    held = rss_bytes(process.pid)
                    for remote in remotes:
                        await remote.close()
                    return (held - baseline) / idle / 1024

                per_session = asyncio.run(idle_cost())
            name = "--ws-compression" if extra else "default (no compression)"
            print(
                f"{name}: {per_episode:.3f} ms server CPU per episode, {per_session:.0f} KiB per idle session",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--trace", action="store_true", help="also trace the Python heap (inflates RSS)")
    parser.add_argument(
        "--sites", action="store_true", help="with --trace: the allocation sites that grew (perturbs the figures)"
    )
    parser.add_argument("--cpu", action="store_true", help="measure server CPU per episode instead")
    parser.add_argument("--compression", action="store_true", help="measure what --ws-compression costs instead")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child is not None:
        return child(args.child, args.trace, rest)
    if args.cpu:
        cpu_cost()
        return 0
    if args.compression:
        compression_cost()
        return 0
    out = Path(tempfile.mkdtemp()) / "stats.jsonl"
    print(f"{args.sessions} sessions held mid-episode, then SIGKILLed; MiB (change from the baseline)")
    print("| allocator | stage | RSS | glibc heap in use | pymalloc arenas | live objects | traced Python heap |")
    print("|---|---|---:|---:|---:|---:|---:|")
    grown: list[str] = []  # with --trace --sites: the allocation sites that grew most
    for allocator in ("pymalloc", "malloc"):
        stages = measure(allocator, args.sessions, args.trace, out, sites=args.sites)
        for stage in ("baseline", "held", "after"):
            print(_row(allocator, stage, stages[stage], stages["baseline"]), flush=True)
        grown.extend(
            f"{allocator} {stage} vs baseline: {line}"
            for stage in ("held", "after")
            for line in stages[stage].get("top_sites", [])
        )
    print("\n".join(grown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
