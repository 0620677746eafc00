"""Run the app under uvicorn: one process, or ``--workers N`` sharing one curriculum per id.

With several workers, this (supervisor) process owns each id's curriculum in a `SharedCurriculum`
and the workers (uvicorn's, started by spawn) reach it through `RemoteController` proxies, so all
sessions of all workers sample from and update one curriculum. The workers get their settings
through the ``RLVR_SERVE_CONFIG`` environment variable (it holds the proxies' keys; it never
leaves this machine's processes).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from fastapi import FastAPI

from rlvr_envs.core.registry import list_specs, registered
from rlvr_envs.curriculum import Controller, SharedCurriculum, build_controller
from rlvr_envs.curriculum.shared import RemoteController
from rlvr_envs.server.app import create_app
from rlvr_envs.server.config import ServerConfig

CONFIG_ENV = "RLVR_SERVE_CONFIG"


def uvicorn_options(config: ServerConfig) -> dict[str, Any]:
    """Limits that uvicorn enforces before our code sees a message, and the graceful-shutdown window."""
    return {
        "ws_max_size": max(16 << 20, 4 * config.max_request_bytes),  # beyond ours, uvicorn closes with 1009
        "timeout_graceful_shutdown": int(config.step_timeout_s) + 5,
        "log_level": os.environ.get("RLVR_SERVE_LOG_LEVEL", "warning"),
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        "ws_per_message_deflate": config.ws_compression,
    }


def worker_app() -> FastAPI:
    """uvicorn's factory in each worker process: the app, with proxies to the shared curricula."""
    payload = json.loads(os.environ[CONFIG_ENV])
    config = ServerConfig.model_validate(payload["config"])
    curricula: dict[str, Controller] = {
        env_id: RemoteController(address, bytes.fromhex(key)) for env_id, (address, key) in payload["curricula"].items()
    }
    return create_app(config, curricula)


def serve(config: ServerConfig) -> None:
    """Serve until interrupted (SIGINT/SIGTERM finish in-flight steps first)."""
    import uvicorn

    options = uvicorn_options(config)
    if config.workers == 1:
        uvicorn.run(create_app(config), host=config.host, port=config.port, **options)
        return
    ids = list(config.env_ids) or [spec.id for spec in list_specs()]
    with ExitStack() as stack:
        curricula = {}
        for env_id in ids:
            spec = registered(env_id).spec
            level = int(config.env_kwargs.get("default_level", spec.default_level))  # type: ignore[call-overload]
            shared = stack.enter_context(SharedCurriculum(build_controller(spec.curriculum, default_level=level)))
            proxy = shared.client().__getstate__()  # its picklable form: the socket address and key
            curricula[env_id] = (proxy["address"], proxy["authkey"].hex())
        os.environ[CONFIG_ENV] = json.dumps({"config": config.model_dump(mode="json"), "curricula": curricula})
        uvicorn.run(
            "rlvr_envs.server.run:worker_app",
            factory=True,
            host=config.host,
            port=config.port,
            workers=config.workers,
            **options,
        )


@contextmanager
def running(config: ServerConfig | None = None, *, startup_timeout_s: float = 30.0) -> Iterator[str]:
    """Serve ``config`` from a background thread of this process and yield its ``http://host:port`` URL.

    The port is a free one chosen by the OS when ``config.port`` is 0 (the default here). Meant for
    tests, notebooks and docs; leaving the block shuts the server down gracefully.
    """
    import uvicorn

    config = config or ServerConfig(port=0)
    sock = socket.socket(socket.AF_INET6 if ":" in config.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(config), **uvicorn_options(config)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="rlvr-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the server did not start within {startup_timeout_s:g} s")
        time.sleep(0.01)
    host = f"[{config.host}]" if ":" in config.host else config.host
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=config.step_timeout_s + 10)
        sock.close()
