"""Wire behaviour: HTTP sessions, schema/listing/metrics, and hostile input that must leave sessions usable."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.server.conftest import Shadow


def ws(url: str, key: str = "Math-v0"):  # type: ignore[no-untyped-def]
    return connect(url.replace("http://", "ws://") + f"/envs/{key}/ws", max_size=64 << 20)


def call(socket, message: str | bytes) -> dict:  # type: ignore[no-untyped-def,type-arg]
    socket.send(message)
    return json.loads(socket.recv(timeout=30))  # type: ignore[no-any-return]


def test_http_session_plays_an_episode_and_is_recorded(server_url: str, record_path: Path) -> None:
    shadow = Shadow("rlvr/Math-v0", seed=5, options={"level": 3})
    first = httpx.post(f"{server_url}/envs/Math-v0/reset", json={"seed": 5, "options": {"level": 3}}).json()
    sid = first["session_id"]
    assert first["observation"]["messages"][-1]["content"] == shadow.obs and first["done"] is False
    state = httpx.get(f"{server_url}/envs/Math-v0/state", params={"session_id": sid}).json()
    assert state["task_id"] == shadow.info["task_id"] and state["step_count"] == 0
    step = httpx.post(
        f"{server_url}/envs/Math-v0/step", json={"action": {"text": shadow.oracle()}}, headers={"X-Session-Id": sid}
    ).json()
    assert step["done"] is True and step["reward"] == 1.0 and step["observation"]["verdict"]["correct"]
    lines = [json.loads(line) for line in record_path.read_text(encoding="utf-8").splitlines()]
    mine = [line for line in lines if line["session_id"] == sid]
    assert len(mine) == 1 and mine[0]["reward"] == 1.0 and mine[0]["task_id"] == shadow.info["task_id"]


def test_schema_listing_health_metrics(server_url: str) -> None:
    schema = httpx.get(f"{server_url}/envs/Code-v0/schema").json()
    assert set(schema) == {"action", "observation", "state"}
    assert "text" in schema["action"]["properties"] and "verdict" in schema["observation"]["properties"]
    listing = httpx.get(f"{server_url}/envs").json()
    assert {item["id"] for item in listing} == {"rlvr/Math-v0", "rlvr/Code-v0", "rlvr/EcomDialogue-v0"}
    assert httpx.get(f"{server_url}/health").json()["status"] == "healthy"
    metrics = httpx.get(f"{server_url}/metrics").text
    assert "rlvr_step_latency_seconds_bucket" in metrics and "rlvr_sessions_active" in metrics
    # several ids: the root paths ask which one, naming the keys
    error = httpx.post(f"{server_url}/reset", json={}).json()
    assert error["data"]["code"] == "NOT_FOUND" and "Math-v0" in error["data"]["message"]
    ok = httpx.post(f"{server_url}/reset", params={"env_id": "rlvr/Math-v0"}, json={"seed": 1}).json()
    assert ok["observation"]["env_id"] == "rlvr/Math-v0"
    unknown = httpx.post(f"{server_url}/envs/Math-v9/reset", json={}).json()
    assert "Math-v0" in unknown["data"]["message"]  # close match suggested


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("{not json", "INVALID_JSON"),
        (b"\xff\xfe\x00garbage", "INVALID_JSON"),
        ("[1, 2, 3]", "VALIDATION_ERROR"),
        ('{"type": "dance"}', "UNKNOWN_TYPE"),
        ('{"type": "reset", "data": {"seed": "seven"}}', "VALIDATION_ERROR"),
        ('{"type": "reset", "data": {"options": {"level": -3}}}', "VALIDATION_ERROR"),
        ('{"type": "reset", "data": {"task_id": "math:zz"}}', "VALIDATION_ERROR"),
        ('{"type": "step", "data": {"text": 5}}', "VALIDATION_ERROR"),
        ('{"type": "step", "data": [1]}', "VALIDATION_ERROR"),
        ("[" * 100_000 + "]" * 100_000, "INVALID_JSON"),  # deep nesting
        ('{"type": "step", "data": {"text": "' + "x" * (2 << 20) + '"}}', "VALIDATION_ERROR"),  # over 1 MiB
    ],
)
def test_hostile_messages_get_an_error_and_the_session_stays_usable(server_url: str, message: str, code: str) -> None:
    with ws(server_url) as socket:
        assert call(socket, '{"type": "reset", "data": {"seed": 2}}')["type"] == "observation"
        reply = call(socket, message)
        assert reply["type"] == "error" and reply["data"]["code"] == code, reply
        assert "Traceback" not in reply["data"]["message"] and len(reply["data"]["message"]) < 2000
        step = call(socket, '{"type": "step", "data": {"text": "\\\\boxed{3}"}}')
        assert step["type"] == "observation" and step["data"]["done"] is True


def test_unicode_junk_is_an_action_like_any_other(server_url: str) -> None:
    with ws(server_url) as socket:
        call(socket, '{"type": "reset", "data": {"seed": 2}}')
        # a lone surrogate is valid JSON but not valid UTF-8; plus NUL, RTL marks, emoji, combining marks
        reply = call(
            socket, '{"type": "step", "data": {"text": "\\ud800 \\u0000 \\u202e 🤖 e\\u0301 \\\\boxed{\\udfff}"}}'
        )
        assert reply["type"] == "observation" and reply["data"]["done"] is True
        assert reply["data"]["reward"] <= 0.0
        assert call(socket, '{"type": "state"}')["type"] == "state"


def test_http_errors_have_the_error_shape(server_url: str) -> None:
    bad = httpx.post(f"{server_url}/envs/Math-v0/step", content=b"{oops", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["data"]["code"] == "INVALID_JSON"
    missing = httpx.post(f"{server_url}/envs/Math-v0/step", json={"action": {"text": "1"}, "session_id": "nope"})
    assert missing.status_code == 404 and missing.json()["data"]["code"] == "SESSION_ERROR"
    huge = httpx.post(f"{server_url}/envs/Math-v0/reset", content=b"{" + b" " * (2 << 20) + b"}")
    assert huge.status_code == 413


def test_step_deadline_ends_the_episode_with_an_error_verdict(server_url: str, record_path: Path) -> None:
    with ws(server_url, "Code-v0") as socket:
        assert call(socket, '{"type": "reset", "data": {"seed": 4}}')["type"] == "observation"
        slow = "import time\nwhile True:\n    time.sleep(0.01)\n"
        reply = call(socket, json.dumps({"type": "step", "data": {"text": f"```python\n{slow}```", "timeout_s": 0.3}}))
        data = reply["data"]
        assert reply["type"] == "observation" and data["done"] is True and data["reward"] == 0.0
        assert data["observation"]["verdict"]["timed_out"] is True and data["observation"]["error"] == "deadline"
        session = call(socket, '{"type": "state"}')["data"]["session_id"]
        # the session goes on: a fresh env for the next episode
        assert call(socket, '{"type": "reset", "data": {"seed": 5}}')["type"] == "observation"
    lines = [json.loads(line) for line in record_path.read_text(encoding="utf-8").splitlines()]
    assert any(line["session_id"] == session and line["aborted"] == "step_deadline" for line in lines)
