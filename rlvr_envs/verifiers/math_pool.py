"""Worker pool for math-verify: ``subprocess.Popen`` workers, length-prefixed JSON over pipes.

Each worker runs ``python -m rlvr_envs.verifiers._math_worker``.  The parent enforces a wall-clock
deadline with ``poll()`` on the pipe and SIGKILLs + respawns a worker that overruns it.
Subprocesses (not ``multiprocessing``) so this also works inside daemonic ``AsyncVectorEnv``
workers, threads and forked children.  Each process has its own pool (checked by pid, reset in a
forked child by a ``register_at_fork`` hook); ``shutdown`` is registered with ``atexit``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import time

from rlvr_envs.verifiers._frames import FrameError
from rlvr_envs.verifiers._process import PipedProcess
from rlvr_envs.verifiers.mathexpr.verdict import Verdict

_MAX_FRAME = 1 << 22
_STARTUP_TIMEOUT_S = float(os.environ.get("RLVR_MATH_WORKER_STARTUP_S", "60"))


class _WorkerDied(Exception):
    pass


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


class _Worker(PipedProcess):
    """One math-verify subprocess; all methods are called by the single thread holding it."""

    def __init__(self) -> None:
        super().__init__(
            [sys.executable, "-m", "rlvr_envs.verifiers._math_worker"], env=_worker_env(), max_frame=_MAX_FRAME
        )
        self.ready = False

    def _read_frame(self, deadline: float) -> dict[str, object] | None:
        """Next JSON frame, or None if the deadline passes first."""
        try:
            return self.reader.read(deadline)
        except FrameError as exc:
            raise _WorkerDied(str(exc)) from exc

    def wait_ready(self, timeout_s: float) -> bool:
        if self.ready:
            return True
        msg = self._read_frame(time.monotonic() + timeout_s)
        if msg is None:
            return False
        if not msg.get("ready"):
            raise _WorkerDied("unexpected handshake")
        self.ready = True
        return True

    def poll_ready(self) -> bool:
        """Non-blocking readiness check (used to prefer warm workers)."""
        if self.ready:
            return True
        try:
            return self.wait_ready(0.0)
        except (_WorkerDied, OSError, ValueError):
            return False

    def send(self, payload: dict[str, object]) -> None:
        if not self.alive():
            raise _WorkerDied("worker exited")
        try:
            super().send(payload)
        except OSError as exc:
            raise _WorkerDied("worker stdin closed") from exc

    def receive(self, timeout_s: float) -> dict[str, object] | None:
        """The response, or None when ``timeout_s`` passes first."""
        return self._read_frame(time.monotonic() + timeout_s)


def _default_workers() -> int:
    env = os.environ.get("RLVR_MATH_WORKERS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    return max(1, min(2, os.cpu_count() or 1))


class _Pool:
    """Fixed set of worker slots; a thread takes an idle slot, uses it, and gives it back."""

    def __init__(self, n: int) -> None:
        self.pid = os.getpid()
        self.n = n
        self.slots: list[_Worker | None] = [None] * n
        self.idle: list[int] = list(range(n))
        self.cond = threading.Condition()
        self.warmup_lock = threading.Lock()
        self.closed = False

    def _acquire(self) -> int:
        with self.cond:
            while not self.idle:
                self.cond.wait()
            # Prefer a slot whose worker is already warm.
            for pos, idx in enumerate(self.idle):
                w = self.slots[idx]
                if w is not None and w.alive() and w.poll_ready():
                    return self.idle.pop(pos)
            return self.idle.pop(0)

    def _release(self, idx: int) -> None:
        with self.cond:
            self.idle.append(idx)
            self.cond.notify()

    def _ensure(self, idx: int) -> _Worker:
        w = self.slots[idx]
        if w is None or not w.alive():
            if w is not None:
                w.kill()
            w = _Worker()
            self.slots[idx] = w
        return w

    def warmup(self) -> None:
        # Take every slot (waiting for in-flight checks) so no check races with the restart;
        # one warm-up at a time, or two callers could each hold half the slots forever.
        with self.warmup_lock:
            idxs = [self._acquire() for _ in range(self.n)]
            try:
                for idx in idxs:
                    with contextlib.suppress(OSError):
                        self._ensure(idx)
                for idx in idxs:
                    w = self.slots[idx]
                    if w is None:
                        continue
                    try:
                        if not w.wait_ready(_STARTUP_TIMEOUT_S):
                            self._discard(idx)
                    except (_WorkerDied, OSError, ValueError):
                        self._discard(idx)
            finally:
                for idx in idxs:
                    self._release(idx)

    def run(self, gold: str, pred: str, timeout_s: float, mode: str = "equal") -> Verdict:
        idx = self._acquire()
        try:
            return self._run_on(idx, gold, pred, timeout_s, mode)
        finally:
            self._release(idx)

    def _discard(self, idx: int, respawn: bool = False) -> None:
        w = self.slots[idx]
        if w is not None:
            w.kill()
        self.slots[idx] = None
        if respawn and not self.closed:
            with contextlib.suppress(OSError):
                self.slots[idx] = _Worker()  # start now so the next check finds it warm

    def _run_on(self, idx: int, gold: str, pred: str, timeout_s: float, mode: str) -> Verdict:
        payload: dict[str, object] = {"gold": gold, "pred": pred, "timeout": timeout_s, "mode": mode}
        for attempt in range(2):
            try:
                w = self._ensure(idx)
            except OSError as exc:
                return Verdict(False, "unparseable", f"cannot start math-verify worker ({exc})")
            try:
                ready = w.wait_ready(_STARTUP_TIMEOUT_S)
            except (_WorkerDied, OSError, ValueError) as exc:
                self._discard(idx)
                if attempt == 0:
                    continue
                return Verdict(False, "unparseable", f"math-verify worker failed to start ({exc})")
            if not ready:
                self._discard(idx)
                return Verdict(False, "timeout", "math-verify worker did not start in time")
            try:
                w.send(payload)
            except _WorkerDied:
                self._discard(idx)
                continue  # it had died while idle: retry once on a fresh worker
            try:
                resp = w.receive(timeout_s)
            except (_WorkerDied, OSError, ValueError) as exc:
                self._discard(idx)  # crashed on this input (e.g. C stack overflow)
                return Verdict(False, "unparseable", f"math-verify worker crashed ({exc})")
            if resp is None:
                self._discard(idx, respawn=True)
                return Verdict(False, "timeout", f"math-verify timed out after {timeout_s:g}s")
            status = resp.get("status")
            detail = str(resp.get("detail", ""))[:200]
            if status == "ok":
                return Verdict(bool(resp.get("equal")), "math_verify", detail)
            return Verdict(False, "unparseable", detail or "math-verify could not parse")
        return Verdict(False, "unparseable", "math-verify worker unavailable")

    def close(self) -> None:
        self.closed = True
        for idx, w in enumerate(self.slots):
            if w is not None:
                w.kill()
                self.slots[idx] = None


_pool_obj: _Pool | None = None
_pool_lock = threading.Lock()


def get_pool() -> _Pool:
    """This process's pool, created on first use (and again after ``fork`` or ``shutdown``)."""
    global _pool_obj
    p = _pool_obj
    if p is not None and p.pid == os.getpid() and not p.closed:
        return p
    with _pool_lock:
        p = _pool_obj
        if p is None or p.pid != os.getpid() or p.closed:
            p = _Pool(_default_workers())
            _pool_obj = p
        return p


def _after_fork_in_child() -> None:
    """Forked children (e.g. AsyncVectorEnv workers) get their own pool and fresh locks.

    (The verdict cache's lock is reset by the matching hook in :mod:`rlvr_envs.verifiers.math`.)
    """
    global _pool_obj, _pool_lock
    old = _pool_obj
    _pool_obj = None
    _pool_lock = threading.Lock()
    if old is not None:
        for w in old.slots:
            if w is not None:
                w.close_fds_only()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def shutdown() -> None:
    """Stop this process's worker processes (idempotent; also registered with ``atexit``)."""
    global _pool_obj
    with _pool_lock:
        p = _pool_obj
        _pool_obj = None
    if p is not None and p.pid == os.getpid():
        p.close()


atexit.register(shutdown)


def warmup() -> None:
    """Start the math-verify workers now and wait until they are ready (optional)."""
    get_pool().warmup()
