"""One curriculum for many workers: a controller served to other processes through a proxy.

`SharedCurriculum` owns the real controller and serves it from a background thread of the owning
process (no extra process to start or to leak). `SharedCurriculum.client()` returns a
`RemoteController`: a picklable `Controller` that forwards every call over an authenticated Unix
socket, so env copies in `AsyncVectorEnv` workers sample from and update the same state. Calls are
serialised by one lock; the random generator travels with the call and its advanced state comes
back, so a remote ``sample(rng)`` consumes ``rng`` exactly as a local call would.

In the owning process use `SharedCurriculum.local` (same lock, no socket) or `.controller` when no
worker is running.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

import numpy as np

from rlvr_envs.curriculum.base import Choice, Controller, ControllerState
from rlvr_envs.errors import RLVRError

logger = logging.getLogger(__name__)

#: The controller methods a proxy may forward to the real controller (nothing else is callable remotely).
FORWARDED_METHODS = frozenset(
    {"sample", "choose", "update", "frontier", "state", "load_state", "reset", "weights", "pass_rates", "level_summary"}
)


_GENERATORS = threading.local()


def _server_generator(state: dict[str, Any]) -> np.random.Generator:
    """A per-thread generator set to a shipped bit-generator state (building one is slow)."""
    cache: dict[str, np.random.Generator] = _GENERATORS.__dict__.setdefault("cache", {})
    name = state["bit_generator"]
    if name not in cache:
        cache[name] = np.random.Generator(getattr(np.random, name)())
    generator = cache[name]
    generator.bit_generator.state = state
    return generator


class ForwardingController(Controller):
    """A controller that forwards each call to another one (under a lock, or over a socket)."""

    kind = "forwarding"

    def __init__(self) -> None:  # no Params: the target owns them
        pass

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    @property
    def target_kind(self) -> str:
        return str(self._call("state").kind)

    def sample(self, rng: np.random.Generator) -> int:
        return int(self._call("sample", rng))

    def choose(self, rng: np.random.Generator) -> Choice:
        result: Choice = self._call("choose", rng)
        return result

    def update(self, level: int, reward: float, task_id: str | None = None, *, component: str | None = None) -> None:
        self._call("update", level, reward, task_id, **({"component": component} if component else {}))

    def frontier(self) -> int | None:
        result: int | None = self._call("frontier")
        return result

    def state(self) -> ControllerState:
        result: ControllerState = self._call("state")
        return result

    def load_state(self, state: ControllerState | dict[str, Any]) -> None:
        self._call("load_state", state)

    def reset(self) -> None:
        self._call("reset")

    def level_summary(self) -> dict[int, tuple[int, float | None]]:
        result: dict[int, tuple[int, float | None]] = self._call("level_summary")
        return result

    def __getattr__(self, name: str) -> Any:
        """Extra read-only reports of some controllers (``weights``, ``pass_rates``)."""
        if name in FORWARDED_METHODS:
            return lambda *args, **kwargs: self._call(name, *args, **kwargs)
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LockedController(ForwardingController):
    """The owner's view of a shared controller: direct calls, serialised with the server's lock."""

    def __init__(self, controller: Controller, lock: threading.Lock) -> None:
        self._controller = controller
        self._lock = lock

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return getattr(self._controller, method)(*args, **kwargs)


class RemoteController(ForwardingController):
    """A worker's view of a shared controller; picklable, reconnects lazily in each process."""

    def __init__(self, address: str, authkey: bytes) -> None:
        self._address = address
        self._authkey = authkey
        self._connection: Connection | None = None
        self._pid = -1
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"address": self._address, "authkey": self._authkey}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["address"], state["authkey"])  # type: ignore[misc]

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        # generators travel as their bit-generator state (a small dict), far cheaper to pickle
        generators = {i: a for i, a in enumerate(args) if isinstance(a, np.random.Generator)}
        states = {i: g.bit_generator.state for i, g in generators.items()}
        wire_args = tuple(None if i in generators else a for i, a in enumerate(args))
        with self._lock:
            connection = self._connect()
            try:
                connection.send((method, wire_args, kwargs, states))
                status, result, states = connection.recv()
            except (EOFError, OSError) as exc:
                self._connection = None
                raise RLVRError(
                    f"the shared curriculum at {self._address} is gone ({exc}); it lives as long as the "
                    "SharedCurriculum (or the vector env) that created it"
                ) from exc
        if status == "error":
            raise result
        for index, state in states.items():
            generators[index].bit_generator.state = state  # the remote draw advanced our rng
        return result

    def _connect(self) -> Connection:
        if self._connection is None or self._pid != os.getpid():
            try:
                self._connection = Client(self._address, family="AF_UNIX", authkey=self._authkey)
            except (OSError, EOFError) as exc:
                raise RLVRError(f"cannot reach the shared curriculum at {self._address}: {exc}") from exc
            self._pid = os.getpid()
        return self._connection


def _shutdown(connection: Connection) -> None:
    """Wake a thread blocked in ``connection.recv()`` (it sees EOF) without closing its descriptor."""
    try:
        duplicate = socket.socket(fileno=os.dup(connection.fileno()))
    except OSError:
        return  # already closed by its thread
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        duplicate.close()


class SharedCurriculum:
    """Serve ``controller`` to other processes until `close` (also a context manager).

    Example:
        >>> shared = SharedCurriculum(Frontier(min_rollouts=64))
        >>> env_fns = [lambda: gym.make("rlvr/Math-v0", curriculum=shared.client())] * 4
        >>> vec = gym.vector.AsyncVectorEnv(env_fns)   # all four workers share one frontier
        >>> shared.local.frontier()
    """

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self._lock = threading.Lock()
        self._authkey = secrets.token_bytes(32)
        self._listener = Listener(family="AF_UNIX", authkey=self._authkey)
        self._address = str(self._listener.address)
        self._closed = threading.Event()
        self._connections: set[Connection] = set()
        self._connections_lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept_loop, name="rlvr-shared-curriculum", daemon=True)
        self._thread.start()
        self.local = LockedController(controller, self._lock)

    @property
    def address(self) -> str:
        return self._address

    def client(self) -> RemoteController:
        """A picklable controller for other processes (or threads) that forwards to this one."""
        return RemoteController(self._address, self._authkey)

    def close(self) -> None:
        """Stop serving (idempotent); workers that call afterwards get a clear `RLVRError`."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._listener.close()
        with self._connections_lock:  # each serving thread closes its own connection; we only wake it
            for connection in self._connections:
                _shutdown(connection)

    def __enter__(self) -> SharedCurriculum:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- server -----------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                connection = self._listener.accept()
            except (OSError, EOFError):
                return  # closed
            except Exception:  # a failed handshake (wrong key) must not stop the server
                logger.warning("shared curriculum: rejected a connection", exc_info=True)
                continue
            with self._connections_lock:
                if self._closed.is_set():
                    connection.close()
                    return
                self._connections.add(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: Connection) -> None:
        try:
            while not self._closed.is_set():
                connection.send(self._handle(*connection.recv()))
        except (EOFError, OSError):
            pass  # the client went away, or close() shut the socket down
        except Exception:
            if not self._closed.is_set():
                logger.warning("shared curriculum: dropped a malformed request", exc_info=True)
        finally:
            with self._connections_lock:
                self._connections.discard(connection)
                connection.close()

    def _handle(
        self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], states: dict[int, dict[str, Any]]
    ) -> tuple[str, Any, dict[int, dict[str, Any]]]:
        if method not in FORWARDED_METHODS:
            return "error", RLVRError(f"shared curriculum: {method!r} is not a controller method"), {}
        generators = {index: _server_generator(state) for index, state in states.items()}
        args = tuple(generators.get(index, arg) for index, arg in enumerate(args))
        try:
            with self._lock:
                result = getattr(self.controller, method)(*args, **kwargs)
        except Exception as exc:
            return "error", exc, {}
        return "ok", result, {index: dict(g.bit_generator.state) for index, g in generators.items()}
