"""Sessions: one env instance per WebSocket connection (or per HTTP ``session_id``), and their rules.

`SessionManager` enforces ``--max-sessions`` (``CAPACITY_REACHED``), runs every reset and step in a
bounded thread pool under a hard deadline (a step that runs over ends the episode with an error
verdict; the env is dropped and its thread finishes on its own, the server never waits for it),
reaps sessions idle for longer than ``--idle-timeout``, records finished episodes and counts metrics.
All its methods run on the event loop thread; only env calls go to the pool.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from rlvr_envs.core.env import RLVREnv
from rlvr_envs.core.registry import make_env_from_spec, registered
from rlvr_envs.core.types import Verdict
from rlvr_envs.curriculum import Controller, build_controller
from rlvr_envs.curriculum.shared import LockedController
from rlvr_envs.errors import RLVRError
from rlvr_envs.server import encode, memory
from rlvr_envs.server.config import ServerConfig
from rlvr_envs.server.metrics import Metrics
from rlvr_envs.server.recording import EpisodeRecorder
from rlvr_envs.server.wire import (
    EnvListing,
    ErrorCode,
    ResetRequest,
    ServerError,
    State,
    StepRequest,
    StepResponse,
)

logger = logging.getLogger(__name__)

#: How often the reaper looks for idle sessions (at most; shorter when the idle timeout is short).
REAP_INTERVAL_S = 5.0


def route_key(env_id: str) -> str:
    """The path segment of an id: ``rlvr/Math-v0`` -> ``Math-v0`` (other namespaces keep theirs as ``ns.Name``)."""
    namespace, _, name = env_id.rpartition("/")
    return name if namespace in ("", "rlvr") else f"{namespace.replace('/', '.')}.{name}"


class ServedEnv:
    """One served id: how to build its envs, and the one curriculum all its sessions share."""

    def __init__(self, env_id: str, env_kwargs: dict[str, Any], curriculum: Controller | None = None) -> None:
        entry = registered(env_id)
        self.env_id = env_id
        self.key = route_key(env_id)
        self.spec = entry.spec
        self.env_kwargs = dict(env_kwargs)
        if curriculum is None:
            level = int(self.env_kwargs.get("default_level", entry.spec.default_level))
            curriculum = LockedController(
                build_controller(entry.spec.curriculum, default_level=level), threading.Lock()
            )
        self.curriculum = curriculum
        probe = self.make()  # fails at start-up (bad kwargs) rather than on the first client
        self.max_action_chars = probe.max_action_chars
        space = probe.observation_space
        self.image_shape: list[int] | None = None
        if hasattr(space, "spaces") and "image" in space.spaces:
            self.image_shape = [int(n) for n in space.spaces["image"].shape]
        probe.close()

    def make(self) -> RLVREnv:
        return make_env_from_spec(self.env_id, curriculum=self.curriculum, **self.env_kwargs)

    def listing(self, prefix: str) -> EnvListing:
        return EnvListing(
            id=self.env_id,
            path=prefix,
            family=self.spec.family,
            max_turns=self.spec.max_turns,
            description=self.spec.description,
            observation="text+image" if self.image_shape else "text",
            image_shape=self.image_shape,
            max_action_chars=self.max_action_chars,
            spec=self.spec.model_dump(mode="json"),
        )


@dataclass(eq=False)
class Session:
    """One client's env and episode bookkeeping."""

    id: str
    served: ServedEnv
    kind: str  # "ws" or "http"
    created: float = field(default_factory=time.monotonic)
    last_active: float = field(default_factory=time.monotonic)
    env: RLVREnv | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    busy: bool = False
    closed: bool = False
    on_reap: Callable[[], Awaitable[None]] | None = None
    # the episode in flight
    episode_id: str | None = None
    seed: int | None = None
    started_wall: float = 0.0
    started: float = 0.0
    done: bool = True
    total_reward: float = 0.0
    step_count: int = 0
    images_sent: int = 0
    last_info: dict[str, Any] = field(default_factory=dict)
    episodes: int = 0


class SessionManager:
    """Creates, runs, reaps and closes sessions for the served ids."""

    def __init__(self, config: ServerConfig, served: dict[str, ServedEnv]) -> None:
        self.config = config
        self.served = served
        self.sessions: dict[str, Session] = {}
        self.metrics = Metrics()
        self.recorder = EpisodeRecorder(config.record) if config.record is not None else None
        self.executor = ThreadPoolExecutor(max_workers=config.step_threads, thread_name_prefix="rlvr-step")
        self._reaper: asyncio.Task[None] | None = None
        self._closed_since_trim = 0
        self._closed_at_last_round = 0
        self._opened_at_last_round = 0

    # ---- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        if self._reaper is None:
            self._reaper = asyncio.get_running_loop().create_task(self._reap_loop(), name="rlvr-session-reaper")

    async def shutdown(self, grace_s: float = 30.0) -> None:
        """Let in-flight steps finish (up to ``grace_s``), then close every session and the pool."""
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        deadline = time.monotonic() + grace_s
        while any(s.busy for s in self.sessions.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for session in list(self.sessions.values()):
            self.close(session)
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.recorder is not None:
            self.recorder.close()

    @property
    def active(self) -> int:
        return len(self.sessions)

    def open(self, served: ServedEnv, kind: str) -> Session:
        self.start()  # also under ASGI hosts that skip the lifespan events
        if len(self.sessions) >= self.config.max_sessions:
            self.metrics.capacity_rejections += 1
            raise ServerError(
                ErrorCode.CAPACITY_REACHED,
                f"the server holds its maximum of {self.config.max_sessions} sessions (--max-sessions); "
                "close a session or retry later",
                status=503,
                active_sessions=len(self.sessions),
                max_sessions=self.config.max_sessions,
            )
        session = Session(id=secrets.token_urlsafe(16), served=served, kind=kind)
        self.sessions[session.id] = session
        self.metrics.sessions_opened += 1
        return session

    def get(self, session_id: str | None, served: ServedEnv) -> Session:
        session = self.sessions.get(session_id or "")
        if session is None or session.served is not served:
            raise ServerError(
                ErrorCode.SESSION_ERROR,
                "unknown or expired session_id: POST /reset first (it answers with a session_id), "
                "then send that session_id with /step and /state (or use the WebSocket at /ws)",
                status=404,
            )
        return session

    def close(self, session: Session) -> None:
        """Forget the session (idempotent); a step still running finishes in its thread."""
        if session.closed:
            return
        session.closed = True
        self.sessions.pop(session.id, None)
        if session.env is not None and not session.busy:
            session.env.close()
        session.env = None
        session.last_info = {}
        self.metrics.sessions_closed += 1
        self._closed_since_trim += 1

    # ---- env calls --------------------------------------------------------------------------
    async def reset(self, session: Session, request: ResetRequest) -> StepResponse:
        async with session.lock:
            self._touch(session)
            options = request.env_options()
            session.busy = True
            try:
                if session.env is None:
                    session.env = await self._deadline(session, self._in_pool(session.served.make), None)
                env = session.env
                obs, info = await self._deadline(
                    session, self._in_pool(lambda: env.reset(seed=request.seed, options=options)), None
                )
            finally:
                session.busy = False
            session.episode_id = request.episode_id or secrets.token_hex(8)
            session.seed = request.seed
            session.started_wall = time.time()
            session.started = time.monotonic()
            session.done = False
            session.total_reward = 0.0
            session.step_count = 0
            session.images_sent = 0
            session.last_info = info
            wire, session.images_sent = encode.observation(obs, info)
            self._touch(session)
            return StepResponse(observation=wire, reward=None, done=False, session_id=session.id)

    async def step(self, session: Session, request: StepRequest) -> StepResponse:
        async with session.lock:
            self._touch(session)
            if session.env is None or session.episode_id is None:
                raise ServerError(ErrorCode.SESSION_ERROR, "no episode in this session: send a reset first")
            env = session.env
            action = encode.clean_text(request.text())
            limit = self.config.step_timeout_s
            if request.timeout_s is not None:
                limit = min(limit, request.timeout_s)
            start = time.perf_counter()
            session.busy = True
            try:
                result = await asyncio.wait_for(self._in_pool(lambda: env.step(action)), timeout=limit)
            except TimeoutError:
                return self._deadline_exceeded(session, action, limit)
            except RLVRError as exc:  # a programmer error the env reports on purpose (wrong action type)
                raise ServerError(ErrorCode.VALIDATION_ERROR, str(exc)) from exc
            except Exception as exc:  # env.step's contract forbids this; never leak its details
                logger.exception("step failed in session %s (%s)", session.id, session.served.env_id)
                raise ServerError(
                    ErrorCode.EXECUTION_ERROR, f"the env failed on this step ({type(exc).__name__})", status=500
                ) from exc
            finally:
                session.busy = False
            self.metrics.observe_step(time.perf_counter() - start)
            obs, reward, terminated, truncated, info = result
            was_done = session.done
            session.step_count += 1
            session.total_reward += float(reward)
            session.last_info = info
            wire, session.images_sent = encode.observation(
                obs, info, terminated=terminated, truncated=truncated, images_sent=session.images_sent
            )
            if (terminated or truncated) and not was_done:
                session.done = True
                self._finish_episode(session, info, terminated, truncated)
            self._touch(session)
            return StepResponse(
                observation=wire, reward=float(reward), done=bool(terminated or truncated), session_id=session.id
            )

    def state(self, session: Session) -> State:
        self._touch(session)
        info = session.last_info
        return State(
            episode_id=session.episode_id,
            step_count=session.step_count,
            env_id=session.served.env_id,
            session_id=session.id,
            task_id=info.get("task_id"),
            level=info.get("level"),
            done=session.done,
            episodes=session.episodes,
        )

    # ---- internals --------------------------------------------------------------------------
    def _in_pool(self, call: Callable[[], Any]) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().run_in_executor(self.executor, call)

    async def _deadline(self, session: Session, future: Awaitable[Any], limit: float | None) -> Any:
        """Await a reset-side call under the step deadline; errors become safe `ServerError`\\ s."""
        try:
            return await asyncio.wait_for(future, timeout=limit or self.config.step_timeout_s)
        except TimeoutError as exc:
            session.env = None  # its thread may still be running: never reuse it
            raise ServerError(ErrorCode.EXECUTION_ERROR, "reset ran past the server's deadline", status=504) from exc
        except RLVRError as exc:  # bad options: our messages say what to fix and hold no internals
            raise ServerError(ErrorCode.VALIDATION_ERROR, str(exc)) from exc
        except Exception as exc:
            logger.exception("reset failed in session %s (%s)", session.id, session.served.env_id)
            raise ServerError(
                ErrorCode.EXECUTION_ERROR, f"the env failed to reset ({type(exc).__name__})", status=500
            ) from exc

    def _deadline_exceeded(self, session: Session, action: str, limit: float) -> StepResponse:
        """End the episode with an error verdict; the env (its thread still busy) is dropped."""
        self.metrics.step_deadlines += 1
        session.env = None
        info = dict(session.last_info)
        messages = [*info.get("messages", []), {"role": "assistant", "content": action}]
        info["messages"] = messages
        info["turn"] = int(info.get("turn", 0)) + 1
        verdict = Verdict(
            reward=0.0,
            correct=False,
            timed_out=True,
            components={"step_deadline": 1.0},
            reason=f"the step ran past the server's deadline of {limit:g} s; the episode ends with no reward",
        )
        info["verdict"] = verdict.model_dump()
        session.step_count += 1
        session.last_info = info
        wire, _ = encode.observation(
            verdict.reason, info, terminated=False, truncated=True, images_sent=session.images_sent, error="deadline"
        )
        if not session.done:
            session.done = True
            self._finish_episode(session, info, terminated=False, truncated=True, aborted="step_deadline")
        return StepResponse(observation=wire, reward=0.0, done=True, session_id=session.id)

    def _finish_episode(
        self, session: Session, info: dict[str, Any], terminated: bool, truncated: bool, aborted: str | None = None
    ) -> None:
        session.episodes += 1
        self.metrics.episodes += 1
        if self.recorder is None:
            return
        record = {
            "env_id": session.served.env_id,
            "session_id": session.id,
            "episode_id": session.episode_id,
            "seed": session.seed,
            "task_id": info.get("task_id"),
            "level": info.get("level"),
            "messages": info.get("messages", []),
            "reward": session.total_reward,
            "verdict": info.get("verdict"),
            "turns": info.get("turn", session.step_count),
            "terminated": terminated,
            "truncated": truncated,
            "aborted": aborted,
            "started": session.started_wall,
            "elapsed_s": time.monotonic() - session.started,
        }
        try:
            self.recorder.write(encode.json_safe(record))
        except (OSError, ValueError):
            logger.exception("could not record an episode to %s", self.recorder.path)

    def _touch(self, session: Session) -> None:
        session.last_active = time.monotonic()

    async def _reap_loop(self) -> None:
        interval = min(REAP_INTERVAL_S, max(0.05, self.config.idle_timeout_s / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reap_idle()
            except Exception:  # the reaper must outlive any one bad session
                logger.exception("session reaper failed")

    async def reap_idle(self) -> int:
        """Close sessions idle for longer than the timeout (WebSockets are closed too); returns how many."""
        cutoff = time.monotonic() - self.config.idle_timeout_s
        idle = [s for s in self.sessions.values() if s.last_active < cutoff and not s.busy]
        for session in idle:
            self.close(session)
            self.metrics.sessions_reaped += 1
            if session.on_reap is not None:
                try:
                    await session.on_reap()
                except Exception:
                    logger.debug("closing a reaped session's socket failed", exc_info=True)
        await self.maybe_release()
        return len(idle)

    async def maybe_release(self) -> bool:
        """Give the heap that closed sessions freed back to the OS (`memory.collect`, `memory.trim`).

        Returns whether it ran.

        Runs once 256 sessions have closed since the last time, or as soon as closing has settled (no
        session opened or closed over one reaper round) after any closed, so a batch of killed
        clients is released within two rounds. The trim runs in the step pool (ctypes drops the GIL).
        """
        closed, opened = self._closed_since_trim, self.metrics.sessions_opened
        settled = closed > 0 and closed == self._closed_at_last_round and opened == self._opened_at_last_round
        self._closed_at_last_round, self._opened_at_last_round = closed, opened
        if closed < 256 and not settled:
            return False
        self._closed_since_trim = self._closed_at_last_round = 0
        memory.collect()
        await asyncio.get_running_loop().run_in_executor(self.executor, memory.trim)
        self.metrics.memory_releases += 1
        return True
