"""`RemoteGymEnv`: a gymnasium env whose episodes run on an ``rlvr-envs serve`` server.

``rlvr_envs.make("rlvr/Math-v0", url="ws://127.0.0.1:8000")`` returns one; existing gymnasium
loops run unchanged. Observations are the text (or ``{"text", "image"}`` for image envs, images
decoded from the PNG parts), ``info`` holds ``messages``, ``tools``, ``task_id``, ``level``,
``turn`` and, on the last step, ``verdict`` — as in-process.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import httpx
import numpy as np
from gymnasium import spaces

from rlvr_envs.core.spaces import UnicodeText
from rlvr_envs.remote.client import RemoteEnv, RemoteError, ws_url

_INFO_KEYS = ("env_id", "task_id", "level", "turn", "messages", "tools", "verdict", "feedback")


def _listing(url: str, env_id: str, token: str | None) -> dict[str, Any]:
    http = ws_url(url).removesuffix("/ws").replace("ws://", "http://", 1).replace("wss://", "https://", 1)
    http = http.split("/envs/")[0]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        listings = httpx.get(http + "/envs", headers=headers, timeout=30.0).raise_for_status().json()
    except httpx.HTTPError as exc:
        raise RemoteError("CONNECTION_ERROR", f"cannot list the envs of {http}: {exc}") from exc
    for listing in listings:
        if listing["id"] == env_id:
            return dict(listing)
    served = ", ".join(repr(item["id"]) for item in listings)
    raise RemoteError("NOT_FOUND", f"{http} does not serve {env_id!r}; it serves {served}")


class RemoteGymEnv(gym.Env[Any, str]):
    """A gymnasium view of one server session (one WebSocket, opened on the first reset)."""

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012 - gymnasium API

    def __init__(self, url: str, env_id: str, *, token: str | None = None, timeout_s: float = 120.0) -> None:
        self.url, self.env_id, self.token, self.timeout_s = url, env_id, token, timeout_s
        listing = _listing(url, env_id, token)
        self.max_turns = int(listing["max_turns"])
        self.action_space = UnicodeText(int(listing["max_action_chars"]))
        max_chars = int(listing["spec"].get("max_observation_chars", 65_536))
        shape = listing.get("image_shape")
        self._image_shape = tuple(shape) if shape else None
        self._image: np.ndarray[Any, np.dtype[np.uint8]] | None = None
        if self._image_shape is None:
            self.observation_space = UnicodeText(max_chars)
        else:
            self.observation_space = spaces.Dict(
                {"text": UnicodeText(max_chars), "image": spaces.Box(0, 255, shape=self._image_shape, dtype=np.uint8)}
            )
        self._session: RemoteEnv | None = None

    def _connect(self) -> RemoteEnv:
        if self._session is None:
            self._session = RemoteEnv(self.url, self.env_id, token=self.token, timeout_s=self.timeout_s)
        return self._session

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        result = self._connect().reset(seed=seed, options=options)
        return self._observe(result.observation), self._info(result.observation)

    def step(self, action: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        result = self._connect().step(action)
        obs = result.observation
        return (
            self._observe(obs),
            float(result.reward or 0.0),
            bool(obs["terminated"]),
            bool(obs["truncated"]),
            (self._info(obs)),
        )

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _observe(self, wire: dict[str, Any]) -> Any:
        if self._image_shape is None:
            return wire["text"]
        from rlvr_envs.server.encode import decode_png_data_url

        image = np.zeros(self._image_shape, dtype=np.uint8)
        for part in wire.get("content") or []:
            if part.get("type") == "image_url":
                image = decode_png_data_url(part["image_url"]["url"])
        return {"text": wire["text"], "image": image}

    def _info(self, wire: dict[str, Any]) -> dict[str, Any]:
        return {key: wire[key] for key in _INFO_KEYS if wire.get(key) is not None}
