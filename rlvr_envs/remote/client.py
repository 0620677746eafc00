"""Clients of ``rlvr-envs serve``: `AsyncRemoteEnv` (asyncio) and `RemoteEnv` (blocking), one session each.

They speak the WebSocket protocol (``{"type": "reset"|"step"|"state"|"close", "data": ...}``) and
return `RemoteStep` (OpenEnv's ``StepResult`` fields: observation, reward, done). Server errors raise
`RemoteError` with OpenEnv's error code.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from rlvr_envs.errors import RLVRError

DEFAULT_MAX_MESSAGE_BYTES = 64 << 20


class RemoteError(RLVRError):
    """The server answered with an error (``code`` is OpenEnv's, e.g. ``CAPACITY_REACHED``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} (code: {code})")
        self.code = code


@dataclass(frozen=True, slots=True)
class RemoteStep:
    """One reply: the wire observation dict, the reward (``None`` after reset) and ``done``."""

    observation: dict[str, Any]
    reward: float | None
    done: bool


def ws_url(url: str, env_id: str | None = None, token: str | None = None) -> str:
    """The session URL: ``http(s)://`` becomes ``ws(s)://``; ``env_id`` picks ``/envs/{key}/ws``."""
    base = url.rstrip("/")
    for plain, secure in (("http://", "ws://"), ("https://", "wss://")):
        if base.startswith(plain):
            base = secure + base[len(plain) :]
    if not base.startswith(("ws://", "wss://")):
        base = "ws://" + base
    if base.endswith("/ws"):
        base = base[: -len("/ws")]
    if env_id is not None and "/envs/" not in base:
        namespace, _, name = env_id.rpartition("/")
        key = name if namespace in ("", "rlvr") else f"{namespace.replace('/', '.')}.{name}"
        base += f"/envs/{quote(key)}"
    return base + "/ws" + (f"?token={quote(token)}" if token else "")


def _reset_message(seed: int | None, options: dict[str, Any] | None, episode_id: str | None) -> str:
    data: dict[str, Any] = {"options": dict(options or {})}
    if seed is not None:
        data["seed"] = int(seed)
    if episode_id is not None:
        data["episode_id"] = episode_id
    return json.dumps({"type": "reset", "data": data})


def _step_message(text: str, timeout_s: float | None) -> str:
    data: dict[str, Any] = {"text": text}
    if timeout_s is not None:
        data["timeout_s"] = timeout_s
    return json.dumps({"type": "step", "data": data}, ensure_ascii=False)


def _parse(raw: str | bytes) -> dict[str, Any]:
    message = json.loads(raw)
    if message.get("type") == "error":
        data = message.get("data", {})
        raise RemoteError(str(data.get("code", "UNKNOWN")), str(data.get("message", "server error")))
    payload: dict[str, Any] = message.get("data", {})
    return payload


def _step(payload: dict[str, Any]) -> RemoteStep:
    reward = payload.get("reward")
    return RemoteStep(payload["observation"], None if reward is None else float(reward), bool(payload.get("done")))


class _Session:
    """What both clients hold: the session URL and the limits."""

    def __init__(
        self,
        url: str,
        env_id: str | None = None,
        *,
        token: str | None = None,
        timeout_s: float = 120.0,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self.url = ws_url(url, env_id, token)
        self.shown_url = ws_url(url, env_id)  # for messages: without the token
        self.timeout_s = timeout_s
        self.max_message_bytes = max_message_bytes


class RemoteEnv(_Session):
    """A blocking session (connects on creation). Example::

    with RemoteEnv("http://127.0.0.1:8000", "rlvr/Math-v0") as env:
        first = env.reset(seed=0, options={"level": 2})
        result = env.step("\\\\boxed{42}")
    """

    def __init__(self, url: str, env_id: str | None = None, **options: Any) -> None:
        from websockets.sync.client import connect

        super().__init__(url, env_id, **options)
        try:
            # websockets wants its sync connection entered; this object's own close() leaves it
            self._ws = connect(self.url, open_timeout=self.timeout_s, max_size=self.max_message_bytes).__enter__()
        except OSError as exc:
            raise RemoteError("CONNECTION_ERROR", f"cannot connect to {self.shown_url}: {exc}") from exc

    def _call(self, message: str) -> dict[str, Any]:
        self._ws.send(message)
        return _parse(self._ws.recv(timeout=self.timeout_s))

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None, episode_id: str | None = None
    ) -> RemoteStep:
        return _step(self._call(_reset_message(seed, options, episode_id)))

    def step(self, text: str, *, timeout_s: float | None = None) -> RemoteStep:
        return _step(self._call(_step_message(text, timeout_s)))

    def state(self) -> dict[str, Any]:
        return self._call(json.dumps({"type": "state"}))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already closed
            self._ws.send(json.dumps({"type": "close"}))
        self._ws.close()

    def __enter__(self) -> RemoteEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncRemoteEnv(_Session):
    """An asyncio session: ``async with AsyncRemoteEnv(url, env_id) as env: await env.reset(...)``.

    Thousands may be open at once from one event loop (each is one WebSocket). Same keyword options
    as `RemoteEnv`: ``token``, ``timeout_s``, ``max_message_bytes``.
    """

    _ws: Any = None

    async def connect(self) -> AsyncRemoteEnv:
        from websockets.asyncio.client import connect

        if self._ws is None:
            try:
                self._ws = await connect(self.url, open_timeout=self.timeout_s, max_size=self.max_message_bytes)
            except OSError as exc:
                raise RemoteError("CONNECTION_ERROR", f"cannot connect to {self.shown_url}: {exc}") from exc
        return self

    async def _call(self, message: str) -> dict[str, Any]:
        import asyncio

        await self.connect()
        await self._ws.send(message)
        return _parse(await asyncio.wait_for(self._ws.recv(), timeout=self.timeout_s))

    async def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None, episode_id: str | None = None
    ) -> RemoteStep:
        return _step(await self._call(_reset_message(seed, options, episode_id)))

    async def step(self, text: str, *, timeout_s: float | None = None) -> RemoteStep:
        return _step(await self._call(_step_message(text, timeout_s)))

    async def state(self) -> dict[str, Any]:
        return await self._call(json.dumps({"type": "state"}))

    async def close(self) -> None:
        if self._ws is None:
            return
        with contextlib.suppress(Exception):  # already closed
            await self._ws.send(json.dumps({"type": "close"}))
        await self._ws.close()
        self._ws = None

    async def __aenter__(self) -> AsyncRemoteEnv:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
