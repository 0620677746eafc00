"""``http_sessions=False`` (what every Ray Serve replica runs with): HTTP session routes answer a clear
``SESSION_ERROR`` that points to the WebSocket, and the WebSocket still plays episodes."""

from __future__ import annotations

import httpx

from rlvr_envs.remote import RemoteEnv
from rlvr_envs.server import ServerConfig, running


def test_http_sessions_refused_with_the_websocket_named() -> None:
    with running(ServerConfig(env_ids=("rlvr/Math-v0",), port=0, http_sessions=False)) as url:
        for method, path in (("POST", "/envs/Math-v0/reset"), ("POST", "/step"), ("GET", "/state")):
            reply = httpx.request(method, url + path, json={"action": {"text": "1"}} if method == "POST" else None)
            assert reply.status_code == 501, (path, reply.text)
            data = reply.json()["data"]
            assert data["code"] == "SESSION_ERROR" and "/envs/Math-v0/ws" in data["message"]
        with RemoteEnv(url, "rlvr/Math-v0") as env:
            env.reset(seed=1)
            assert env.step("\\boxed{7}").done
