"""Multimodal eval against a real HTTP server on 127.0.0.1: the server decodes the images it
received (with Pillow, from the data URLs) and they equal the env's observations pixel for pixel;
crops from VQACrop's tool reach the server too; size limits resize or refuse with a message naming
the option; a server that rejects images, or one that is unreachable, is reported loudly per row."""

from __future__ import annotations

import base64
import io
import json
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("httpx")

import rlvr_envs
from rlvr_envs import cli
from rlvr_envs.integrations.export import row_seed
from rlvr_envs.integrations.images import ImageOptions
from rlvr_envs.integrations.openai_eval import EvalConfig, evaluate, wire_messages

from .chat_server import ChatServer


def _decode(url: str) -> tuple[str, np.ndarray[Any, Any]]:
    """What a server does with an image_url part: split the data URL, base64-decode, open."""
    header, payload = url.split(",", 1)
    image = Image.open(io.BytesIO(base64.b64decode(payload)))
    return header, np.asarray(image.convert("RGB"))


def _images_in(body: dict[str, Any]) -> list[np.ndarray[Any, Any]]:
    return [
        _decode(part["image_url"]["url"])[1]
        for message in body["messages"]
        if isinstance(message["content"], list)
        for part in message["content"]
        if part["type"] == "image_url"
    ]


def _oracle_reply(env_id: str, seed: int, level: int, turns_done: int) -> str:
    """The env's own oracle for the task (replayed in a fresh env up to the current turn)."""
    env = rlvr_envs.make(env_id)
    env.reset(seed=seed, options={"level": level})
    inner = rlvr_envs.unwrap(env)
    for _ in range(turns_done):
        env.step(inner.oracle_action())
    return str(inner.oracle_action())


def test_first_prompt_image_reaches_the_server_pixel_for_pixel() -> None:
    env_id = "rlvr/VQA-v0"
    env = rlvr_envs.make(env_id)
    expected = []
    for index in range(2):
        obs, info = env.reset(seed=row_seed(0, index), options={"level": 0})
        assert np.array_equal(info["images"][0], obs["image"])
        expected.append(obs["image"])

    def answer(messages: list[dict[str, Any]], body: dict[str, Any]) -> str:
        return "<caption>x</caption><bbox>[]</bbox><answer>red</answer>"

    with ChatServer(answer) as server:
        report, episodes = evaluate(EvalConfig(env_id=env_id, base_url=server.base_url, model="m", episodes=2))
    assert report.failures == {} and report.images_sent == 2
    received = sorted((_images_in(b) for b in server.bodies), key=lambda imgs: imgs[0].tobytes())
    for got, want in zip(received, sorted(expected, key=lambda a: a.tobytes()), strict=True):
        assert len(got) == 1 and got[0].shape == (336, 336, 3)
        assert np.array_equal(got[0], want)  # lossless PNG: every pixel
    user = next(m for m in server.bodies[0]["messages"] if m["role"] == "user")
    assert [p["type"] for p in user["content"]] == ["image_url", "text"]
    assert user["content"][0]["image_url"]["url"].startswith("data:image/png;base64,")
    system = server.bodies[0]["messages"][0]
    assert system["role"] == "system" and isinstance(system["content"], str)  # text stays a string
    assert all(e.error is None and e.images_sent == 1 for e in episodes)


def test_crops_from_the_tool_are_sent_as_images() -> None:
    env_id, seed = "rlvr/VQACrop-v0", row_seed(0, 0)

    def oracle(messages: list[dict[str, Any]], body: dict[str, Any]) -> str:
        turns = sum(m["role"] == "assistant" for m in messages)
        return _oracle_reply(env_id, seed, 1, turns)

    with ChatServer(oracle) as server:
        report, (episode,) = evaluate(
            EvalConfig(env_id=env_id, base_url=server.base_url, model="m", episodes=1, levels=(1,))
        )
    assert episode.error is None and episode.correct and episode.images_sent == 2
    # replay the episode locally: the second request carried the scene and the crop, both exact
    env = rlvr_envs.make(env_id)
    obs0, _ = env.reset(seed=seed, options={"level": 1})
    obs1, *_ = env.step(rlvr_envs.unwrap(env).oracle_action())
    first, second = (_images_in(b) for b in server.bodies)
    assert len(first) == 1 and np.array_equal(first[0], obs0["image"])
    assert len(second) == 2 and np.array_equal(second[0], obs0["image"]) and np.array_equal(second[1], obs1["image"])
    crop_message = server.bodies[1]["messages"][-1]
    assert crop_message["role"] == "user" and [p["type"] for p in crop_message["content"]] == ["text", "image_url"]
    assert report.overall.mean_reward == pytest.approx(1.0)


def test_resize_and_jpeg_options() -> None:
    with ChatServer(lambda messages, body: "<answer>red</answer>") as server:
        options = ImageOptions(format="jpeg", max_side=112, jpeg_quality=80)
        evaluate(EvalConfig(env_id="rlvr/VQA-v0", base_url=server.base_url, model="m", episodes=1, image=options))
    user = next(m for m in server.bodies[0]["messages"] if m["role"] == "user")
    header, pixels = _decode(user["content"][0]["image_url"]["url"])
    assert header == "data:image/jpeg;base64" and pixels.shape == (112, 112, 3)


def test_image_over_the_byte_limit_is_refused_per_episode_naming_the_option() -> None:
    with ChatServer(lambda messages, body: "<answer>red</answer>") as server:
        config = EvalConfig(
            env_id="rlvr/VQA-v0", base_url=server.base_url, model="m", episodes=2, image=ImageOptions(max_bytes=1000)
        )
        report, episodes = evaluate(config)
    assert server.requests == 0  # nothing too large was sent
    assert all(e.error and "--image-max-bytes 1,000" in e.error and "--image-max-side" in e.error for e in episodes)
    assert sum(report.failures.values()) == 2 and report.overall.errors == 2


def _reject_images(messages: list[dict[str, Any]], body: dict[str, Any]) -> str:
    raise AssertionError("not reached")


class _RejectingServer(ChatServer):
    """Answers 400 "image input not supported" to any request with an image part, like a text-only vLLM."""

    def _handler(self) -> Any:
        base = super()._handler()
        server = self

        class Handler(base):  # type: ignore[misc,valid-type]
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with server._lock:
                    server.requests += 1
                    server.bodies.append(body)
                if any(isinstance(m["content"], list) for m in body["messages"]):
                    self._send(400, {"error": {"message": "image input not supported by this model"}})
                else:
                    self._send(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}}]})

        return Handler


def test_server_rejecting_images_is_reported_per_row_and_by_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out = tmp_path / "t.jsonl"
    with _RejectingServer(_reject_images) as server:
        code = cli.main(
            ["eval", "rlvr/VQA-v0", "--base-url", server.base_url, "--model", "m", "--episodes", "2", "--out", str(out)]
        )
    printed = capsys.readouterr().out
    assert code == 1
    assert "2 of 2 episodes FAILED" in printed and "image input not supported" in printed
    assert "vision-language" in printed  # the hint
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert all("HTTP 400" in line["error"] and line["failed_requests"] == 1 for line in lines)


def test_unreachable_server_counts_retries_and_fails_loudly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20 item 2: a 0% table with "0 retried requests" and exit 0 hid that nothing was reached."""
    monkeypatch.setenv("COLUMNS", "200")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    config = EvalConfig(env_id="rlvr/Math-v0", base_url=url, model="m", episodes=2, max_retries=2, backoff_s=0.01)
    report, episodes = evaluate(config)
    assert report.retries == 4 and report.failed_requests == 2 and report.requests == 2
    assert all(e.error and "gave up after 3 attempts" in e.error and e.retries == 2 for e in episodes)
    (reason,) = report.failures
    assert "ConnectError" in reason and report.failures[reason] == 2
    code = cli.main(
        ["eval", "rlvr/Math-v0", "--base-url", url, "--model", "m", "--episodes", "2", "--max-retries", "1"]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "2 of 2 episodes FAILED" in printed and "2 retried" in printed and "ConnectError" in printed


def test_wire_messages_maps_image_parts_in_order() -> None:
    messages = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "q"}]},
        {"role": "assistant", "content": "call"},
        {"role": "tool", "content": [{"type": "text", "text": "crop"}, {"type": "image"}]},
    ]
    wire = wire_messages(messages, ["data:a", "data:b"])
    assert wire[1]["content"] == [{"type": "image_url", "image_url": {"url": "data:a"}}, {"type": "text", "text": "q"}]
    assert wire[3] == {
        "role": "user",
        "content": [{"type": "text", "text": "crop"}, {"type": "image_url", "image_url": {"url": "data:b"}}],
    }
    with pytest.raises(ValueError, match="more image parts"):
        wire_messages(messages, ["data:a"])


def test_cli_rejects_bad_image_options(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["eval", "rlvr/VQA-v0", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    assert cli.main([*base, "--jpeg-quality", "0"]) == 2 and "--jpeg-quality" in capsys.readouterr().out
    assert cli.main([*base, "--image-max-side", "2"]) == 2 and "--image-max-side" in capsys.readouterr().out
