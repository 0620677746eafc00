"""The sandbox server: a warm Python process that forks one isolated child per run.

Started by `rlvr_envs.verifiers.sandbox.pool` (through ``_zygote.py``) with a JSON config as its
argument; speaks length-prefixed JSON frames (`rlvr_envs.verifiers._frames`) on its stdin/stdout:

* server -> pool once: ``{"ready": true, "pid": int, "isolation": {...}}``
* pool -> server: ``{"op": "run", "mode": "stdio" | "function", "code": str, "inputs": [...],
  "entry": str, "time_limit": float, "memory_mb": int, "output_limit": int, "stderr_limit": int,
  "processes": int, "open_files": int, "file_mb": int, "stop_after_timeout": bool}`` or
  ``{"op": "info"}``; with ``stop_after_timeout`` the tests after the first time-out are not run
  (the answer then has fewer results than inputs)
* server -> pool: ``{"ok": true, "results": [raw result, ...]}`` (one per input, in order)

A raw result holds ``status`` (``ok``, ``error``, ``timeout``, ``output_limit``, ``signal``,
``load_error``, ``protocol``), ``exit_code``, ``signal``, ``stdout``, ``stderr``, their
``*_truncated`` flags, ``wall_s``, ``cpu_s``, and in function mode ``value`` (JSON text) and
``error``. The server only executes and measures; it never sees expected outputs.

**Spare children.** Most of a run's cost is copy-on-write page faults: a freshly forked Python
process copies every page it writes, and so does the server for every page *it* writes after each
fork. So the server keeps a few children already forked and warmed up (blocked reading their job
from a pipe, still privileged and unlimited), forked in one burst so that the server pays its own
copies once per burst rather than once per run. A run takes a spare, which then isolates itself
and executes the code; a request with several tests takes several. After answering, the server
kills whatever the runs left behind (never a spare), removes their directories and refills the
spares. Every run still gets a fresh process of its own.

Only the standard library may be imported here (the server forks for every run; keep it lean).
"""

from __future__ import annotations

import _thread
import contextlib
import gc
import importlib
import io
import json
import os
import resource
import select
import signal
import stat
import struct
import sys
import time

from rlvr_envs.verifiers import _frames
from rlvr_envs.verifiers.sandbox import _harness, _isolation

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: the server forks for every run
    from collections.abc import Callable
    from typing import Any, NoReturn

PRELOAD = ("bisect", "collections", "functools", "heapq", "itertools", "math", "operator", "string")
_MIB = 1 << 20
_HARNESS_FAILURE = 125  # exit status when the harness itself could not start
_SLACK_MIB = 48  # address space allowed on top of the server's own size before the program's budget
_JOB_FD = 4
# A job, server -> run child: length, then kind (b"S" stdin/stdout, b"F" function calls), the number
# of rlimits, the code's and the payload's byte lengths, the rlimits, the code, and the payload
# (stdin bytes, or the function calls as JSON). Binary, so a stdin/stdout child never parses JSON.
_JOB_LENGTH = struct.Struct(">I")
_JOB_HEADER = struct.Struct(">cBII")
_JOB_RLIMIT = struct.Struct(">iqq")


class _Capture:
    """Bytes read from one pipe, kept up to ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.truncated = False

    def add(self, chunk: bytes) -> bool:
        """Keep what fits; ``True`` when something had to be dropped."""
        room = self.limit - len(self.data)
        if len(chunk) > room:
            self.data += chunk[: max(room, 0)]
            self.truncated = True
            return True
        self.data += chunk
        return False

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


class _Run:
    """A forked child and the parent's ends of its pipes."""

    def __init__(self, pid: int, job_w: int, out_r: int, err_r: int, chan_r: int, run_dir: str) -> None:
        self.pid = pid
        self.job_w: int | None = job_w
        self.out_r = out_r
        self.err_r = err_r
        self.chan_r = chan_r
        self.run_dir = run_dir
        self.started = 0.0
        self.pidfd: int | None = None
        self.reaped = False


class _Outcome:
    def __init__(
        self, status: str, exit_code: int | None, signum: int | None, stdout: _Capture, stderr: _Capture
    ) -> None:
        self.status = status
        self.exit_code = exit_code
        self.signal = signum
        self.stdout = stdout
        self.stderr = stderr
        self.wall_s = 0.0
        self.cpu_s = 0.0


class _FunctionFrames:
    """Checks and records the harness's frames for one function-mode child."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        self.expect = -1
        self.loaded = False
        self.load_error: str | None = None
        self.mark = 0.0
        self.results: list[dict[str, Any]] = []

    def on_frame(self, frame: dict[str, Any], now: float) -> bool:
        """Record one frame; ``False`` when it is not the frame expected next (wrong nonce or index)."""
        if frame.get("n") != self.nonce or frame.get("i") != self.expect:
            return False
        ok = bool(frame.get("ok"))
        if self.expect == -1:
            if not ok:
                self.load_error = str(frame.get("error", "the code failed to load"))[:2000]
                return True
            self.loaded = True
        else:
            value = frame.get("value")
            self.results.append(
                _blank_result()
                | {
                    "status": "ok" if ok else "error",
                    "value": value if ok and isinstance(value, str) else None,
                    "error": None if ok else str(frame.get("error", ""))[:2000],
                    "wall_s": now - self.mark,
                }
            )
        self.expect += 1
        self.mark = now
        return True


class Server:
    """Runs requests one at a time; every run is a forked, isolated child."""

    def __init__(self, iso: _isolation.Isolation, spares: int = 4) -> None:
        self.iso = iso
        self.counter = 0
        self.base_vsz = _vsz()
        self.pidfd_ok = hasattr(os, "pidfd_open")
        self.spares: list[_Run] = []
        self.finished: list[_Run] = []
        # Keeping spares alive while killing a run's leftovers needs a way to tell them apart:
        # listing our own PID namespace's /proc (or, in audit mode, the run's session). Without it
        # one spare at most, forked when no run's leftovers can exist.
        can_keep = iso.mode == "audit" or (iso.pid_namespace and iso.proc)
        self.pool_size = max(1, spares) if can_keep else 1
        # What the jail's /tmp held before any run: the path to a Python installation bound there
        # (a venv in a checkout under /tmp). Cleaning after runs leaves it alone: walking it cost
        # a quarter of a second per run, and resetting its directories' modes could lock runs out.
        self.jail_entries: frozenset[str] = frozenset()
        if iso.mode == "namespaces":
            with contextlib.suppress(OSError), os.scandir(iso.run_root) as entries:
                self.jail_entries = frozenset(entry.path for entry in entries)

    # ---- requests ---------------------------------------------------------------------------
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "info":
            return {
                "ok": True,
                "isolation": self.iso.describe(),
                "base_vsz_mb": self.base_vsz / _MIB,
                "spares": len(self.spares),
            }
        if op != "run":
            return {"ok": False, "error": f"unknown op {op!r}"}
        mode = request.get("mode", "stdio")
        code = str(request.get("code", ""))
        inputs = list(request.get("inputs", []))
        stop = bool(request.get("stop_after_timeout"))
        if mode == "stdio":
            results = []
            for index, text in enumerate(inputs):
                self.clean_up()  # leftovers of the previous test must not meet the next one
                results.append(self._run_stdio(code, str(text), request, more=index + 1 < len(inputs)))
                if stop and results[-1]["status"] == "timeout":
                    break
        elif mode == "function":
            results = self._run_function(code, str(request.get("entry", "solve")), inputs, request)
        else:
            return {"ok": False, "error": f"unknown mode {mode!r}"}
        return {"ok": True, "results": results}

    def _rlimits(self, request: dict[str, Any]) -> list[tuple[int, int, int]]:
        """The rlimit table for ``request`` (computed once per request, reused by its tests)."""
        cached = request.get("_rlimits")
        if cached is not None:
            return list(cached)
        time_limit = float(request.get("time_limit", 2.0))
        memory = int(request.get("memory_mb", 256)) * _MIB
        limits = _isolation.RunLimits(
            cpu_s=max(1, int(time_limit + 1.999)),
            address_space=self.base_vsz + _SLACK_MIB * _MIB + memory,
            file_size=int(request.get("file_mb", 16)) * _MIB,
            open_files=int(request.get("open_files", 64)),
            processes=int(request.get("processes", 16)),
            stack=min(memory, 256 * _MIB),  # the main thread's; threads get 8 MiB (see main)
        )
        table = limits.table(self.iso)
        request["_rlimits"] = table
        return list(table)

    def _run_stdio(self, code: str, stdin_text: str, request: dict[str, Any], *, more: bool) -> dict[str, Any]:
        stdin = stdin_text.encode("utf-8", errors="surrogatepass")
        run = self._start(encode_job(b"S", self._rlimits(request), code, stdin), more=more)
        return _raw(self._supervise(run, request, on_frame=None))

    def _run_function(self, code: str, entry: str, inputs: list[Any], request: dict[str, Any]) -> list[dict[str, Any]]:
        """Call ``entry`` on each input; a child that dies mid-test charges that test, and the rest
        continue in a new child. A failure to load the code fails every remaining test at once."""
        results: list[dict[str, Any]] = []
        while len(results) < len(inputs):
            self.clean_up()
            batch = [list(args) if isinstance(args, list) else [args] for args in inputs[len(results) :]]
            done, stop = self._function_child(code, entry, batch, request)
            results.extend(done)
            if stop or (request.get("stop_after_timeout") and done and done[-1]["status"] == "timeout"):
                break
        return results

    def _function_child(
        self, code: str, entry: str, batch: list[list[Any]], request: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], bool]:
        tracker = _FunctionFrames(os.urandom(16).hex())
        spec = {
            "entry": entry,
            "inputs": batch,
            "nonce": tracker.nonce,
            "value_limit": int(request.get("output_limit", 1 << 20)),
        }
        run = self._start(encode_job(b"F", self._rlimits(request), code, json.dumps(spec).encode()), more=False)
        tracker.mark = run.started
        outcome = self._supervise(run, request, on_frame=tracker.on_frame)
        if tracker.load_error is not None or not tracker.loaded:
            error = tracker.load_error or _describe_end(outcome, "while loading the code")
            status = "load_error" if tracker.load_error is not None else outcome.status
            failed = _raw(outcome) | {"status": status if status != "ok" else "error", "error": error}
            return [dict(failed) for _ in batch], True
        done = tracker.results
        if len(done) < len(batch):  # the child ended during a test: charge that test
            failed = _raw(outcome) | {"error": _describe_end(outcome, "during this test")}
            if failed["status"] == "ok":
                failed["status"] = "error"
            failed["wall_s"] = max(0.0, run.started + outcome.wall_s - tracker.mark)
            return [*done, failed], False
        if done:
            last = done[-1]
            last["stdout"], last["stderr"] = outcome.stdout.text(), outcome.stderr.text()
            last["stdout_truncated"], last["stderr_truncated"] = outcome.stdout.truncated, outcome.stderr.truncated
        return done, False

    # ---- children ---------------------------------------------------------------------------
    def _fork(self) -> _Run:
        """Fork a child that warms up and then waits for its job on a pipe."""
        for stream in (sys.stdout, sys.stderr):  # runs inherit these objects: nothing may be buffered
            stream.flush()
        self.counter += 1
        run_dir = os.path.join(self.iso.run_root, f"rlvr-run-{os.getpid()}-{self.counter}-{os.urandom(4).hex()}")
        os.mkdir(run_dir, 0o700)
        if self.iso.uid is not None and self.iso.gid is not None:
            os.chown(run_dir, self.iso.uid, self.iso.gid)
        job_r, job_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        chan_r, chan_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            self._child(job_r, out_w, err_w, chan_w, run_dir)
        for fd in (job_r, out_w, err_w, chan_w):
            os.close(fd)
        run = _Run(pid, job_w, out_r, err_r, chan_r, run_dir)
        if self.pidfd_ok:
            try:
                run.pidfd = os.pidfd_open(pid)
            except OSError:
                self.pidfd_ok = False
        return run

    def _child(self, job_r: int, out_w: int, err_w: int, chan_w: int, run_dir: str) -> NoReturn:
        """The run child: warm up, wait for the job, isolate, execute. Never returns."""
        try:
            devnull = os.open(os.devnull, os.O_RDONLY)
            targets = ((devnull, 0), (out_w, 1), (err_w, 2), (chan_w, _harness.CHANNEL_FD), (job_r, _JOB_FD))
            for source, target in targets:
                os.dup2(source, target)
            os.closerange(_JOB_FD + 1, 1 << 20)
            _harness.warm_up()
            job = read_job(_JOB_FD)
            os.close(_JOB_FD)
            if job is None:
                os._exit(0)
            kind, rlimits, code, payload = job
            if kind == b"S":
                stdin_fd = os.memfd_create("stdin", 0)
                view = memoryview(payload)
                while view:
                    view = view[os.write(stdin_fd, view) :]
                os.lseek(stdin_fd, 0, os.SEEK_SET)
                os.dup2(stdin_fd, 0)
                os.close(stdin_fd)
                os.close(_harness.CHANNEL_FD)
            _isolation.enter_run(self.iso, rlimits, run_dir)
            if self.iso.mode == "audit":
                _isolation.install_audit_hook(run_dir, self.iso.hidden)
            if kind == b"S":
                _harness.run_stdio(code)
            spec = json.loads(payload)
            _harness.run_function(
                code, str(spec["entry"]), list(spec["inputs"]), str(spec["nonce"]), int(spec["value_limit"])
            )
        except BaseException:
            pass
        os._exit(_HARNESS_FAILURE)

    def _start(self, job: bytes, *, more: bool) -> _Run:
        """Hand ``job`` to a spare child (forking spares first if none is left).

        ``more``: other runs of this request will follow, so a burst of spares is worth forking.
        """
        for _attempt in range(3):
            if not self.spares:
                self.refill(self.pool_size if more else 1)
            run = self.spares.pop(0)
            try:
                assert run.job_w is not None
                view = memoryview(job)
                while view:
                    view = view[os.write(run.job_w, view) :]
            except OSError:  # the spare died while waiting (nothing but us can signal it)
                self.finished.append(run)
                continue
            finally:
                if run.job_w is not None:
                    os.close(run.job_w)
                    run.job_w = None
            run.started = time.monotonic()
            return run
        raise OSError("cannot start a run child")

    def refill(self, count: int | None = None) -> None:
        """Fork spares back-to-back until there are ``count`` (default: the pool size), but only once
        the pool has run low: bursts are what spare the server its own page copies."""
        target = self.pool_size if count is None else count
        if count is None and len(self.spares) > self.pool_size // 4:
            return
        while len(self.spares) < target:
            self.spares.append(self._fork())

    def _supervise(
        self,
        run: _Run,
        request: dict[str, Any],
        on_frame: Callable[[dict[str, Any], float], bool] | None,
    ) -> _Outcome:
        """Wait for ``run`` to exit, under its deadline and output caps; never waits for leftovers."""
        time_limit = float(request.get("time_limit", 2.0))
        stdout = _Capture(int(request.get("output_limit", 1 << 20)))
        stderr = _Capture(int(request.get("stderr_limit", 1 << 16)))
        reader = _frames.FrameReader(run.chan_r, max_frame=stdout.limit + 4096) if on_frame is not None else None
        poller = select.poll()
        watched = [run.out_r, run.err_r] + ([run.chan_r] if on_frame is not None else [])
        for fd in [*watched, run.pidfd]:
            if fd is not None:
                poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        deadline = run.started + time_limit
        verdict: str | None = None
        exited = False

        def take(fd: int, chunk: bytes) -> str | None:
            nonlocal deadline
            if fd == run.out_r:
                return "output_limit" if stdout.add(chunk) else None
            if fd == run.err_r:
                stderr.add(chunk)
                return None
            if reader is None or on_frame is None:
                return None
            reader.buffer += chunk
            try:
                while (frame := reader.pop()) is not None:
                    if not on_frame(frame, time.monotonic()):
                        return "protocol"
                    deadline = time.monotonic() + time_limit  # each harness frame starts the next test
            except _frames.FrameError:
                return "protocol"
            return None

        while not exited and verdict is None:
            now = time.monotonic()
            if now >= deadline:
                verdict = "timeout"
                break
            wait_ms = int((deadline - now) * 1000) + 1
            if run.pidfd is None:
                wait_ms = min(wait_ms, 2)
            for fd, _event in poller.poll(wait_ms):
                if fd == run.pidfd:
                    exited = True
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    poller.unregister(fd)
                    continue
                verdict = verdict or take(fd, chunk)
            if run.pidfd is None and not exited:
                exited = _exited(run.pid)
        if verdict is not None:
            _kill(run.pid)
        status_word, usage = _reap(run.pid)
        run.reaped = True
        ended = time.monotonic()
        for fd in watched:  # what the run wrote before it ended is already in the pipes
            os.set_blocking(fd, False)
            while True:
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                found = take(fd, chunk)
                verdict = verdict or found
                if found == "output_limit":
                    break
        self.finished.append(run)
        exit_code = os.WEXITSTATUS(status_word) if os.WIFEXITED(status_word) else None
        signum = os.WTERMSIG(status_word) if os.WIFSIGNALED(status_word) else None
        cpu_s = usage.ru_utime + usage.ru_stime if usage is not None else 0.0
        if verdict is None:
            if signum in (signal.SIGXCPU, signal.SIGKILL) and cpu_s >= time_limit * 0.9:
                verdict = "timeout"
            elif signum is not None:
                verdict = "signal"
            elif exit_code == 0:
                verdict = "ok"
            else:
                verdict = "error"
        outcome = _Outcome(verdict, exit_code, signum, stdout, stderr)
        outcome.wall_s = ended - run.started
        outcome.cpu_s = cpu_s
        return outcome

    # ---- cleaning up ------------------------------------------------------------------------
    def clean_up(self) -> None:
        """Kill and reap everything finished runs left behind; close their pipes; remove their dirs.

        Spare children are the only processes that survive.
        """
        if not self.finished:
            return
        keep = {spare.pid for spare in self.spares}
        if self.iso.pid_namespace:
            self._kill_namespace(keep)
        else:
            for run in self.finished:
                with contextlib.suppress(OSError):
                    os.killpg(run.pid, signal.SIGKILL)
                if not run.reaped:
                    _reap(run.pid)
            _reap_available()  # orphans reparented to us (we are a subreaper)
        for run in self.finished:
            for fd in (run.out_r, run.err_r, run.chan_r, run.pidfd, run.job_w):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            _remove_tree(run.run_dir)
        self.finished.clear()
        if self.iso.mode == "namespaces":  # the whole /tmp is ours: nothing may outlive a run
            keep_dirs = {spare.run_dir for spare in self.spares} | self.jail_entries
            with contextlib.suppress(OSError), os.scandir(self.iso.run_root) as entries:
                for entry in entries:
                    if entry.path not in keep_dirs:
                        _remove_tree(entry.path)

    def _kill_namespace(self, keep: set[int]) -> None:
        """As PID 1 of the runs' namespace: SIGKILL and reap every process in it but ``keep``."""
        if not keep:
            _kill_all_but_init()
            return
        for _ in range(1000):
            victims = [pid for pid in _namespace_pids() if pid != 1 and pid not in keep]
            if not victims:
                return
            for pid in victims:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            try:
                reaped, _ = os.waitpid(-1, 0)  # progress: a victim (or one reparented to us) ends
            except ChildProcessError:
                return
            except InterruptedError:
                continue
            for spare in [spare for spare in self.spares if spare.pid == reaped]:  # a spare died meanwhile
                spare.reaped = True
                self.spares.remove(spare)
                self.finished.append(spare)
                keep.discard(reaped)
            _reap_available()

    def close(self) -> None:
        self.finished.extend(self.spares)
        self.spares.clear()
        self.clean_up()


# ---- helpers --------------------------------------------------------------------------------
def encode_job(kind: bytes, rlimits: list[tuple[int, int, int]], code: str, payload: bytes) -> bytes:
    """The bytes of one job (see ``_JOB_HEADER``)."""
    code_bytes = code.encode("utf-8", errors="surrogatepass")
    body = b"".join(
        [
            _JOB_HEADER.pack(kind, len(rlimits), len(code_bytes), len(payload)),
            *(_JOB_RLIMIT.pack(*row) for row in rlimits),
            code_bytes,
            payload,
        ]
    )
    return _JOB_LENGTH.pack(len(body)) + body


def read_job(fd: int) -> tuple[bytes, list[tuple[int, int, int]], str, bytes] | None:
    """(kind, rlimits, code, payload) of the job on ``fd``, or ``None`` if the server closed it."""
    length = _frames.read_exact(fd, _JOB_LENGTH.size)
    if length is None:
        return None
    body = _frames.read_exact(fd, _JOB_LENGTH.unpack(length)[0])
    if body is None:
        return None
    kind, count, code_size, payload_size = _JOB_HEADER.unpack_from(body)
    offset = _JOB_HEADER.size
    rlimits = [_JOB_RLIMIT.unpack_from(body, offset + i * _JOB_RLIMIT.size) for i in range(count)]
    offset += count * _JOB_RLIMIT.size
    code = body[offset : offset + code_size].decode("utf-8", errors="surrogatepass")
    payload = body[offset + code_size : offset + code_size + payload_size]
    return kind, rlimits, code, payload


def _blank_result() -> dict[str, Any]:
    return {
        "status": "ok",
        "exit_code": None,
        "signal": None,
        "stdout": "",
        "stderr": "",
        "stdout_truncated": False,
        "stderr_truncated": False,
        "wall_s": 0.0,
        "cpu_s": None,
        "value": None,
        "error": None,
    }


def _raw(outcome: _Outcome) -> dict[str, Any]:
    return _blank_result() | {
        "status": outcome.status,
        "exit_code": outcome.exit_code,
        "signal": outcome.signal,
        "stdout": outcome.stdout.text(),
        "stderr": outcome.stderr.text(),
        "stdout_truncated": outcome.stdout.truncated,
        "stderr_truncated": outcome.stderr.truncated,
        "wall_s": outcome.wall_s,
        "cpu_s": outcome.cpu_s,
    }


def _describe_end(outcome: _Outcome, when: str) -> str:
    if outcome.status == "timeout":
        return f"time limit exceeded {when}"
    if outcome.status == "output_limit":
        return f"output limit exceeded {when}"
    if outcome.status == "protocol":
        return f"the program interfered with the result channel {when}"
    if outcome.signal is not None:
        return f"killed by signal {signal.Signals(outcome.signal).name} {when}"
    tail = outcome.stderr.text().strip().splitlines()
    detail = tail[-1][:500] if tail else f"exit status {outcome.exit_code}"
    return f"the program exited {when} ({detail})"


def _namespace_pids() -> list[int]:
    """Every process of our PID namespace (our private /proc shows nothing else)."""
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _kill_all_but_init() -> None:
    """SIGKILL every process we may signal in our PID namespace and reap them all (no spare exists)."""
    for _ in range(1000):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            return
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except InterruptedError:
                continue


def _reap_available() -> None:
    """Reap every child that has already exited (never waits)."""
    while True:
        try:
            reaped, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if reaped == 0:
            return


def _exited(pid: int) -> bool:
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill(pid: int) -> None:
    for target in (-pid, pid):
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)


def _reap(pid: int) -> tuple[int, resource.struct_rusage | None]:
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            return status, usage
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0, None


def _remove_tree(path: str, device: int | None = None) -> None:
    """Remove ``path`` whatever the run did to its permissions (the server may fix them).

    Never descends into another filesystem than the one ``path`` is on (a mount point is not a
    run's to remove, and walking a bound installation is slow).
    """
    try:
        info = os.lstat(path)
    except OSError:
        return
    if device is None:
        device = info.st_dev
    elif info.st_dev != device:
        return
    if not stat.S_ISDIR(info.st_mode):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IRWXU)
    with contextlib.suppress(OSError), os.scandir(path) as entries:
        for entry in list(entries):
            _remove_tree(entry.path, device)
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _vsz() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 64 * _MIB


def _preload(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


_WARMUP = """
import sys
data = sys.stdin.read().split()
total = sum(int(x) for x in data)
print(total, [x for x in data if x], {"a": 1}, f"{total:d}")
def solve(a, b):
    return [a, b]
"""


def _warm_up() -> None:
    """Compile and run a small program once, so every child starts with a warm compiler.

    The first ``compile`` in a process costs about a millisecond (parser and compiler set-up);
    done here, before forking, it is paid once per server instead of once per run.
    """
    saved = sys.stdin, sys.stdout
    try:
        sys.stdin, sys.stdout = io.StringIO("1 2 3"), io.StringIO()
        namespace: dict[str, Any] = {"__name__": "__main__"}
        exec(compile(_WARMUP, "solution.py", "exec"), namespace)
        json.dumps(namespace["solve"](1, "x"))
    finally:
        sys.stdin, sys.stdout = saved


def main(argv: list[str]) -> int:
    """Serve requests until the pool closes our stdin."""
    config: dict[str, Any] = json.loads(argv[0]) if argv else {}
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the pool decides when we stop
    _preload(list(PRELOAD) + list(config.get("preload", [])))
    _warm_up()
    try:
        iso = _isolation.setup(
            str(config.get("isolation", "auto")),
            tmpfs_mb=int(config.get("tmpfs_mb", 256)),
            hide=list(config.get("hide", [])),
            extra_paths=list(config.get("extra_paths", [])),
        )
    except OSError as exc:
        _frames.write_frame(proto_out, {"ready": False, "error": f"sandbox isolation failed: {exc}"})
        return 1
    _isolation.prepare_server_environment()
    _harness.prepare_streams()
    _thread.stack_size(8 * _MIB)  # not RLIMIT_STACK (glibc's default), which would eat the address space
    server = Server(iso, spares=int(config.get("spares", 8)))
    gc.collect()
    gc.freeze()  # children never walk the server's objects: faster collections, fewer copied pages
    server.refill()
    _frames.write_frame(proto_out, {"ready": True, "pid": os.getpid(), "isolation": iso.describe()})
    reader = _frames.FrameReader(proto_in, max_frame=1 << 28)
    while True:
        try:
            request = reader.read()
        except (_frames.FrameError, OSError):
            server.close()
            return 0
        if request is None:
            continue
        try:
            response = server.handle(request)
        except Exception as exc:  # a server bug must not take the pool down silently
            response = {"ok": False, "error": f"sandbox server error: {type(exc).__name__}: {exc}"}
        try:
            _frames.write_frame(proto_out, response)
        except OSError:
            server.close()
            return 0
        server.clean_up()
        server.refill()
