"""A real OpenAI-compatible HTTP server on 127.0.0.1 for the eval tests (stdlib ``http.server``).

It serves ``GET /v1/models`` and ``POST /v1/chat/completions``; the reply comes from a
``responder(messages, body)``: the tiny transformers model (`model_responder`) or a scripted
function, returning the reply text or a whole assistant message (e.g. with ``tool_calls``).
``fail_first=N`` answers the first N completion requests with HTTP 503 (or drops the connection,
``fail_mode="drop"``) so the client's retries are exercised for real.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[list[dict[str, Any]], dict[str, Any]], "str | dict[str, Any]"]


class ChatServer:
    """Start with ``with ChatServer(responder) as server:``; ``server.base_url`` ends in ``/v1``."""

    def __init__(self, responder: Responder, *, model: str = "tiny", fail_first: int = 0, fail_mode: str = "503"):
        self.responder = responder
        self.model = model
        self.fail_first = fail_first
        self.fail_mode = fail_mode
        self.requests = 0  # completion requests received (failed ones included)
        self.bodies: list[dict[str, Any]] = []
        self.replies: list[str | dict[str, Any]] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    self._send(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                with server._lock:
                    server.requests += 1
                    failing = server.requests <= server.fail_first
                if failing:
                    if server.fail_mode == "drop":
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    self._send(503, {"error": {"message": "warming up"}})
                    return
                try:
                    body = json.loads(raw)
                    messages = body["messages"]
                except (ValueError, KeyError):
                    self._send(400, {"error": {"message": "bad request"}})
                    return
                with server._lock:
                    server._in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server._in_flight)
                try:
                    reply = server.responder(messages, body)
                finally:
                    with server._lock:
                        server._in_flight -= 1
                with server._lock:
                    server.bodies.append(body)
                    server.replies.append(reply)
                message = reply if isinstance(reply, dict) else {"role": "assistant", "content": reply}
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{server.requests}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": server.model,
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                    },
                )

        return Handler


def model_responder(model: Any, tokenizer: Any, *, max_new_tokens: int = 24) -> Responder:
    """Replies generated by a transformers causal LM (one generation at a time, sampled, seeded)."""
    import torch

    lock = threading.Lock()
    generator_seed = [0]

    def respond(messages: list[dict[str, Any]], body: dict[str, Any]) -> str:
        ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        limit = min(int(body.get("max_tokens", max_new_tokens)), max_new_tokens)
        with lock, torch.no_grad(), torch.random.fork_rng(devices=[]):  # leave the global RNG alone
            generator_seed[0] += 1
            torch.manual_seed(generator_seed[0])
            output = model.generate(
                **ids, max_new_tokens=limit, do_sample=True, temperature=float(body.get("temperature", 1.0)) or 1.0
            )
        return str(tokenizer.decode(output[0, ids["input_ids"].shape[1] :], skip_special_tokens=True))

    return respond
