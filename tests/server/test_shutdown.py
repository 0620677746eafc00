"""SIGTERM while a step runs: the step finishes, its episode is recorded, the server exits cleanly."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

from websockets.sync.client import connect

from rlvr_envs.server.loadtest import server_process

SLOW = "```python\nimport time\ntime.sleep(0.8)\nprint(0)\n```"


def test_graceful_shutdown_finishes_the_step_in_flight(tmp_path: Path) -> None:
    record = tmp_path / "episodes.jsonl"
    with server_process(["rlvr/Code-v0", "--record", str(record)]) as (url, process):
        replies: list[dict] = []  # type: ignore[type-arg]
        with connect(url.replace("http://", "ws://") + "/ws") as sock:
            sock.send('{"type": "reset", "data": {"seed": 1, "options": {"level": 0}}}')
            json.loads(sock.recv(timeout=30))
            sock.send(json.dumps({"type": "state"}))
            session = json.loads(sock.recv(timeout=30))["data"]["session_id"]
            for _ in range(3):  # Code-v0 ends after three submissions
                sock.send(json.dumps({"type": "step", "data": {"text": SLOW}}))
                if _ == 2:
                    time.sleep(0.3)  # the last step is running in the sandbox now
                    threading.Thread(target=process.send_signal, args=(signal.SIGTERM,)).start()
                try:
                    replies.append(json.loads(sock.recv(timeout=60)))
                except Exception:
                    break
        # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught (exit -15 is the clean path)
        assert process.wait(timeout=60) in (0, -signal.SIGTERM)
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert [line["session_id"] for line in lines] == [session]  # the episode in flight was finished
    assert lines[0]["turns"] == 3 and lines[0]["aborted"] is None
