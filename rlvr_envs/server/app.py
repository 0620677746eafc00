"""The FastAPI app: OpenEnv's HTTP routes and ``/ws`` sessions over `SessionManager`.

Routes, for each served id under ``/envs/{key}`` (``key`` = the id without ``rlvr/``, e.g.
``/envs/Math-v0/ws``) and at the root (``/reset``, ``/step``, ``/state``, ``/schema``, ``/ws``) when
one id is served, or with ``?env_id=...`` when several are: ``POST reset | step``, ``GET state |
schema``, WebSocket ``ws``. Plus ``GET /health``, ``GET /envs`` (the listing), ``GET /metrics``.

Bodies are parsed here (not by FastAPI) so that every failure has OpenEnv's error shape
``{"type": "error", "data": {"message", "code"}}``, hostile input never reaches a stack trace, and
the size limit holds before anything is decoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ValidationError

from rlvr_envs.core.registry import list_specs
from rlvr_envs.curriculum import Controller
from rlvr_envs.server import encode
from rlvr_envs.server.config import ServerConfig
from rlvr_envs.server.sessions import ServedEnv, Session, SessionManager
from rlvr_envs.server.wire import Action, ErrorCode, ResetRequest, ServerError, StepRequest, schema

logger = logging.getLogger(__name__)

MAX_ERRORS_SHOWN = 5


def error_body(error: ServerError) -> dict[str, Any]:
    return {"type": "error", "data": error.payload()}


def validation_error(exc: ValidationError, what: str) -> ServerError:
    """A pydantic error without the offending input (it may be megabytes of the client's own junk)."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)[:MAX_ERRORS_SHOWN]
    first = errors[0] if errors else {"loc": (), "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"]) or what
    return ServerError(
        ErrorCode.VALIDATION_ERROR,
        f"invalid {what}: {where}: {first['msg']}",
        status=422,
        errors=[{"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]} for e in errors],
    )


def parse_json(raw: str | bytes, limit: int) -> Any:
    if len(raw) > limit:
        raise ServerError(
            ErrorCode.VALIDATION_ERROR,
            f"message of {len(raw)} bytes is over the server's limit of {limit} bytes (--max-request-bytes)",
            status=413,
        )
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, absurd nesting
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        raise ServerError(ErrorCode.INVALID_JSON, f"the message is not valid JSON ({reason})") from exc


def parse_model(model: type[BaseModel], data: Any, what: str) -> Any:
    if not isinstance(data, dict):
        raise ServerError(ErrorCode.VALIDATION_ERROR, f"{what} must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, what) from exc


def ws_step_request(data: Any) -> StepRequest:
    """A WebSocket step's ``data``: the action itself (what OpenEnv's clients send), or a whole StepRequest."""
    if isinstance(data, str):
        return StepRequest(action=data)
    if isinstance(data, dict) and "action" in data:
        return parse_model(StepRequest, data, "step")  # type: ignore[no-any-return]
    if not isinstance(data, dict):
        raise ServerError(ErrorCode.VALIDATION_ERROR, 'step data must be an action object like {"text": "..."}')
    fields = dict(data)
    extra = {key: fields.pop(key) for key in ("timeout_s", "request_id") if key in fields}
    action = parse_model(Action, fields, "action")
    try:
        return StepRequest(action=action, **extra)
    except ValidationError as exc:
        raise validation_error(exc, "step") from exc


class Server:
    """The app's state: config, served envs, sessions; `app` is the FastAPI application."""

    def __init__(self, config: ServerConfig, curricula: dict[str, Controller] | None = None) -> None:
        self.config = config
        ids = list(config.env_ids) or [spec.id for spec in list_specs()]
        curricula = curricula or {}
        self.served: dict[str, ServedEnv] = {}
        for env_id in ids:
            served = ServedEnv(env_id, config.env_kwargs, curricula.get(env_id))
            if served.key in self.served:
                raise ServerError(
                    ErrorCode.FACTORY_ERROR,
                    f"ids {env_id!r} and {self.served[served.key].env_id!r} "
                    f"share the route key {served.key!r}; serve them from separate servers",
                )
            self.served[served.key] = served
        self.by_id = {served.env_id: served for served in self.served.values()}
        self.manager = SessionManager(config, self.served)
        self.app = self._build()

    # ---- helpers ----------------------------------------------------------------------------
    def resolve(self, key: str | None, env_id: str | None) -> ServedEnv:
        if key:
            served = self.served.get(key)
        elif env_id:
            served = self.by_id.get(env_id) or self.served.get(env_id)
        elif len(self.served) == 1:
            served = next(iter(self.served.values()))
        else:
            raise ServerError(
                ErrorCode.NOT_FOUND,
                f"this server serves {len(self.served)} ids: use /envs/{{key}}/... or ?env_id=...; "
                f"keys: {', '.join(sorted(self.served))}",
                status=404,
            )
        if served is None:
            import difflib

            asked = key or env_id or ""
            close = difflib.get_close_matches(asked, [*self.served, *self.by_id], n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ServerError(
                ErrorCode.NOT_FOUND, f"{asked!r} is not served here.{hint} GET /envs lists the served ids", status=404
            )
        return served

    def require_http_sessions(self, served: ServedEnv) -> None:
        """Refuse HTTP sessions where a session cannot stay on one process (`ServerConfig.http_sessions`)."""
        if self.config.http_sessions:
            return
        raise ServerError(
            ErrorCode.SESSION_ERROR,
            "HTTP sessions are not available on this deployment (Ray Serve): each HTTP request may reach a "
            "different replica while a session lives in one. Use the WebSocket at "
            f"/envs/{served.key}/ws (one connection = one session, kept on its replica)",
            status=501,
        )

    def authorized(self, headers: Any, query: Any) -> bool:
        token = self.config.token
        if token is None:
            return True
        given = ""
        header = headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            given = header[7:].strip()
        elif "token" in query:  # OpenEnv's clients cannot set headers on their WebSocket
            given = query["token"]
        return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))

    async def body(self, request: Request) -> Any:
        limit = self.config.max_request_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise ServerError(
                ErrorCode.VALIDATION_ERROR,
                f"body of {declared} bytes is over the server's limit of {limit} bytes (--max-request-bytes)",
                status=413,
            )
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ServerError(
                    ErrorCode.VALIDATION_ERROR,
                    f"body is over the server's limit of {limit} bytes (--max-request-bytes)",
                    status=413,
                )
            chunks.append(chunk)
        raw = b"".join(chunks)
        return parse_json(raw, limit) if raw.strip() else {}

    # ---- the app ----------------------------------------------------------------------------
    def _build(self) -> FastAPI:
        manager = self.manager

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            manager.start()
            yield
            await manager.shutdown(grace_s=self.config.step_timeout_s)

        app = FastAPI(title="rlvr-envs", description="rlvr-envs served over OpenEnv's protocol", lifespan=lifespan)
        app.state.server = self

        @app.exception_handler(ServerError)
        async def _server_error(request: Request, exc: ServerError) -> Response:
            manager.metrics.errors[exc.code.value] += 1
            return JSONResponse(error_body(exc), status_code=exc.status)

        @app.exception_handler(Exception)
        async def _internal(request: Request, exc: Exception) -> Response:
            logger.exception("unhandled error on %s", request.url.path)
            manager.metrics.errors[ErrorCode.EXECUTION_ERROR.value] += 1
            error = ServerError(ErrorCode.EXECUTION_ERROR, "internal server error", status=500)
            return JSONResponse(error_body(error), status_code=500)

        @app.middleware("http")
        async def _auth(request: Request, call_next: Any) -> Response:
            if request.url.path != "/health" and not self.authorized(request.headers, request.query_params):
                error = ServerError(ErrorCode.UNAUTHORIZED, "missing or wrong bearer token", status=401)
                manager.metrics.errors[error.code.value] += 1
                return JSONResponse(error_body(error), status_code=401, headers={"WWW-Authenticate": "Bearer"})
            response: Response = await call_next(request)
            return response

        @app.get("/health")
        async def health() -> dict[str, Any]:
            return {"status": "healthy", "active_sessions": manager.active, "max_sessions": self.config.max_sessions}

        @app.get("/envs")
        async def envs() -> list[dict[str, Any]]:
            return [s.listing(f"/envs/{key}").model_dump() for key, s in sorted(self.served.items())]

        @app.get("/metrics")
        async def metrics() -> Response:
            return PlainTextResponse(manager.metrics.render(manager.active, self.config.max_sessions))

        for prefix in ("", "/envs/{key}"):
            self._env_routes(app, prefix)
        return app

    def _env_routes(self, app: FastAPI, prefix: str) -> None:
        manager = self.manager

        @app.get(prefix + "/schema")
        async def get_schema(key: str | None = None, env_id: str | None = None) -> dict[str, Any]:
            self.resolve(key, env_id)
            return schema()

        @app.get(prefix + "/curriculum")
        async def curriculum(key: str | None = None, env_id: str | None = None) -> dict[str, Any]:
            """The id's shared curriculum state (the same from every worker)."""
            served = self.resolve(key, env_id)
            loop = asyncio.get_running_loop()  # a proxy call to the owner process: off the event loop
            state = await loop.run_in_executor(manager.executor, served.curriculum.state)
            return encode.json_safe(state.model_dump(mode="json"))  # type: ignore[no-any-return]

        @app.post(prefix + "/reset")
        async def reset(request: Request, key: str | None = None, env_id: str | None = None) -> dict[str, Any]:
            served = self.resolve(key, env_id)
            self.require_http_sessions(served)
            body = parse_model(ResetRequest, await self.body(request), "reset")
            existing = request.headers.get("x-session-id") or body.session_id
            session = manager.get(existing, served) if existing else manager.open(served, "http")
            try:
                reply = await manager.reset(session, body)
            except ServerError:
                if not existing:
                    manager.close(session)
                raise
            return reply.model_dump()

        @app.post(prefix + "/step")
        async def step(request: Request, key: str | None = None, env_id: str | None = None) -> dict[str, Any]:
            served = self.resolve(key, env_id)
            self.require_http_sessions(served)
            body = parse_model(StepRequest, await self.body(request), "step")
            session = manager.get(request.headers.get("x-session-id") or body.session_id, served)
            return (await manager.step(session, body)).model_dump()

        @app.get(prefix + "/state")
        async def state(
            request: Request, key: str | None = None, env_id: str | None = None, session_id: str | None = None
        ) -> dict[str, Any]:
            served = self.resolve(key, env_id)
            self.require_http_sessions(served)
            session = manager.get(request.headers.get("x-session-id") or session_id, served)
            return manager.state(session).model_dump()

        @app.delete(prefix + "/session")
        async def close_session(
            request: Request, key: str | None = None, env_id: str | None = None, session_id: str | None = None
        ) -> dict[str, Any]:
            served = self.resolve(key, env_id)
            self.require_http_sessions(served)
            manager.close(manager.get(request.headers.get("x-session-id") or session_id, served))
            return {"closed": True}

        @app.websocket(prefix + "/ws")
        async def ws(websocket: WebSocket, key: str | None = None, env_id: str | None = None) -> None:
            await self._serve_ws(websocket, key, env_id)

    # ---- WebSocket sessions -----------------------------------------------------------------
    async def _serve_ws(self, websocket: WebSocket, key: str | None, env_id: str | None) -> None:
        manager = self.manager
        await websocket.accept()
        session: Session | None = None
        try:
            if not self.authorized(websocket.headers, websocket.query_params):
                raise ServerError(ErrorCode.UNAUTHORIZED, "missing or wrong bearer token", status=401)
            session = manager.open(self.resolve(key, env_id), "ws")
        except ServerError as exc:
            manager.metrics.errors[exc.code.value] += 1
            await _send_quietly(websocket, error_body(exc))
            await _close_quietly(websocket, 1008 if exc.code is ErrorCode.UNAUTHORIZED else 1013)
            return

        async def reap() -> None:
            message = "the session was idle too long (--idle-timeout) and was closed"
            await _send_quietly(websocket, error_body(ServerError(ErrorCode.SESSION_ERROR, message)))
            await _close_quietly(websocket, 1001)

        session.on_reap = reap
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes") or b""
                reply = await self._ws_message(session, raw)
                if reply is None:
                    break
                await websocket.send_text(json.dumps(reply, ensure_ascii=False, allow_nan=False))
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client went away (killed mid-episode): its session goes below
        finally:
            manager.close(session)
            await _close_quietly(websocket, 1000)

    async def _ws_message(self, session: Session, raw: str | bytes) -> dict[str, Any] | None:
        manager = self.manager
        try:
            message = parse_json(raw, self.config.max_request_bytes)
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                raise ServerError(
                    ErrorCode.VALIDATION_ERROR, 'a message is an object {"type": "reset"|"step"|"state"|"close", ...}'
                )
            kind, data = message["type"], message.get("data", {})
            if kind == "reset":
                request = parse_model(ResetRequest, data if data is not None else {}, "reset")
                return {"type": "observation", "data": (await manager.reset(session, request)).model_dump()}
            if kind == "step":
                step = await manager.step(session, ws_step_request(data))
                return {"type": "observation", "data": step.model_dump()}
            if kind == "state":
                return {"type": "state", "data": manager.state(session).model_dump()}
            if kind == "close":
                return None
            raise ServerError(
                ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind[:64]!r}; use reset, step, state or close"
            )
        except ServerError as exc:
            manager.metrics.errors[exc.code.value] += 1
            return error_body(exc)
        except Exception:
            logger.exception("unhandled error in WebSocket session %s", session.id)
            manager.metrics.errors[ErrorCode.EXECUTION_ERROR.value] += 1
            return error_body(ServerError(ErrorCode.EXECUTION_ERROR, "internal server error"))


async def _send_quietly(websocket: WebSocket, body: dict[str, Any]) -> None:
    with contextlib.suppress(Exception):  # already closed
        await websocket.send_text(json.dumps(body))


async def _close_quietly(websocket: WebSocket, code: int) -> None:
    with contextlib.suppress(Exception):  # already closed
        await websocket.close(code=code)


def create_app(config: ServerConfig | None = None, curricula: dict[str, Controller] | None = None) -> FastAPI:
    """The FastAPI app for ``config`` (serve it with any ASGI server; `rlvr_envs.server.serve` uses uvicorn)."""
    return Server(config or ServerConfig(), curricula).app
