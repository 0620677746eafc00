"""``rlvr-envs serve``: the envs over OpenEnv's HTTP and WebSocket protocol (needs the ``serve`` extra).

`create_app` builds the FastAPI app (mount it anywhere, or serve it with any ASGI server);
`serve` runs it under uvicorn, with ``workers`` processes sharing one curriculum per id.
See ``docs/server.md``.
"""

from __future__ import annotations

from rlvr_envs.server.app import Server, create_app
from rlvr_envs.server.config import ServerConfig
from rlvr_envs.server.run import running, serve

__all__ = ["Server", "ServerConfig", "create_app", "running", "serve"]
