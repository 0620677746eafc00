"""`ServerConfig`: every knob of ``rlvr-envs serve``, validated once (CLI flags map onto it)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rlvr_envs.errors import InvalidOptionError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ServerConfig(BaseModel):
    """What to serve and how. ``env_ids`` empty = every registered id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env_ids: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    token: str | None = Field(default=None, min_length=16, description="bearer token; required off loopback")
    insecure: bool = Field(default=False, description="allow a non-loopback host without a token")
    max_sessions: int = Field(default=4096, ge=1)
    idle_timeout_s: float = Field(default=300.0, gt=0)
    step_timeout_s: float = Field(default=60.0, gt=0, description="hard per-step deadline (requests may lower it)")
    max_request_bytes: int = Field(default=1 << 20, ge=1024, description="largest HTTP body or WebSocket message")
    record: Path | None = Field(default=None, description="append every finished episode to this JSONL file")
    workers: int = Field(default=1, ge=1, le=256)
    step_threads: int = Field(default=32, ge=1, le=1024, description="threads running env steps per worker")
    env_kwargs: dict[str, object] = Field(default_factory=dict, description="gym.make overrides for every id")
    ws_compression: bool = Field(
        default=False, description="offer WebSocket permessage-deflate (about 48 KiB of zlib state per session)"
    )
    http_sessions: bool = Field(
        default=True, description="serve HTTP /reset, /step, /state; off behind Ray Serve (no session affinity)"
    )

    @model_validator(mode="after")
    def _check_security(self) -> ServerConfig:
        if self.host not in LOOPBACK_HOSTS and self.token is None and not self.insecure:
            raise InvalidOptionError(
                f"--host {self.host} exposes the server beyond this machine: give --token (a bearer token of "
                "at least 16 characters, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe())'`) "
                "or pass --insecure explicitly"
            )
        return self
