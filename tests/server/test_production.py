"""Capacity, bearer tokens, idle reaping, binding rules, clients killed mid-episode."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from websockets.sync.client import connect

from rlvr_envs.server import ServerConfig, running

TOKEN = "test-token-0123456789abcdef"


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://") + "/ws"


def test_non_loopback_host_needs_a_token_or_insecure() -> None:
    with pytest.raises(ValueError, match="--token"):
        ServerConfig(host="0.0.0.0")
    assert ServerConfig(host="0.0.0.0", token=TOKEN).token == TOKEN
    assert ServerConfig(host="0.0.0.0", insecure=True).insecure


def test_capacity_reached_is_clear_and_frees_up() -> None:
    with running(ServerConfig(env_ids=("rlvr/Math-v0",), port=0, max_sessions=2)) as url:
        first, second = connect(ws_url(url)).__enter__(), connect(ws_url(url)).__enter__()
        for sock in (first, second):
            sock.send('{"type": "reset", "data": {}}')
            assert json.loads(sock.recv(timeout=10))["type"] == "observation"
        with connect(ws_url(url)) as third:
            reply = json.loads(third.recv(timeout=10))
            assert reply["data"]["code"] == "CAPACITY_REACHED" and reply["data"]["max_sessions"] == 2
        http = httpx.post(url + "/reset", json={})
        assert http.status_code == 503 and http.json()["data"]["code"] == "CAPACITY_REACHED"
        first.close()
        deadline = time.monotonic() + 5
        while httpx.get(url + "/health").json()["active_sessions"] > 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert httpx.post(url + "/reset", json={}).status_code == 200
        second.close()


def test_bearer_token_is_required_everywhere_but_health() -> None:
    with running(ServerConfig(env_ids=("rlvr/Math-v0",), port=0, token=TOKEN)) as url:
        assert httpx.get(url + "/health").status_code == 200
        assert httpx.post(url + "/reset", json={}).status_code == 401
        assert httpx.post(url + "/reset", json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = httpx.post(url + "/reset", json={}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        with connect(ws_url(url)) as sock:
            assert json.loads(sock.recv(timeout=10))["data"]["code"] == "UNAUTHORIZED"
        with connect(ws_url(url), additional_headers={"Authorization": f"Bearer {TOKEN}"}) as sock:
            sock.send('{"type": "reset", "data": {}}')
            assert json.loads(sock.recv(timeout=10))["type"] == "observation"
        with connect(ws_url(url) + f"?token={TOKEN}") as sock:  # OpenEnv's clients cannot set headers
            sock.send('{"type": "reset", "data": {}}')
            assert json.loads(sock.recv(timeout=10))["type"] == "observation"


def test_idle_sessions_are_reaped_and_killed_clients_released() -> None:
    with running(ServerConfig(env_ids=("rlvr/Math-v0",), port=0, idle_timeout_s=0.4)) as url:
        idle = connect(ws_url(url)).__enter__()
        idle.send('{"type": "reset", "data": {}}')
        idle.recv(timeout=10)
        httpx.post(url + "/reset", json={})  # an HTTP session nobody comes back to
        # a client killed mid-episode: its TCP connection drops without a close frame
        raw = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        raw.sendall(
            b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        assert b"101" in raw.recv(1024)
        raw.close()
        deadline = time.monotonic() + 10
        while httpx.get(url + "/health").json()["active_sessions"] > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.get(url + "/health").json()["active_sessions"] == 0
        reply = json.loads(idle.recv(timeout=5))
        assert reply["data"]["code"] == "SESSION_ERROR" and "idle" in reply["data"]["message"]
        assert "rlvr_sessions_reaped_total" in httpx.get(url + "/metrics").text
        idle.close()
