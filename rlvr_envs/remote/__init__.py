"""Clients of ``rlvr-envs serve``: sync and asyncio sessions, and a gymnasium proxy (see docs/server.md)."""

from __future__ import annotations

from rlvr_envs.remote.client import AsyncRemoteEnv, RemoteEnv, RemoteError, RemoteStep, ws_url
from rlvr_envs.remote.gym_env import RemoteGymEnv

__all__ = ["AsyncRemoteEnv", "RemoteEnv", "RemoteError", "RemoteGymEnv", "RemoteStep", "ws_url"]
