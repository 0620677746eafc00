"""``rlvr-envs serve [ID ...]``: the envs over OpenEnv's HTTP and WebSocket protocol (``serve`` extra)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from rlvr_envs.core.registry import list_specs, registered
from rlvr_envs.errors import RLVRError

#: ``--allocator``: ``malloc`` (glibc's heap, trimmable; the default on glibc) or ``pymalloc`` (CPython's).
ALLOCATORS = ("malloc", "pymalloc")

NAME = "serve"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(NAME, help="serve envs over HTTP/WebSocket (OpenEnv protocol)")
    parser.add_argument("env_ids", nargs="*", help="ids to serve (default: every registered id)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (others need --token or --insecure)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port to listen on")
    parser.add_argument("--token", default=None, help="bearer token clients must send (default: $RLVR_SERVE_TOKEN)")
    parser.add_argument("--insecure", action="store_true", help="allow a non-loopback --host without a token")
    parser.add_argument(
        "--max-sessions", type=int, default=4096, help="open sessions at most; more get CAPACITY_REACHED"
    )
    parser.add_argument("--idle-timeout", type=float, default=300.0, help="seconds before an idle session is closed")
    parser.add_argument("--step-timeout", type=float, default=60.0, help="hard per-step deadline, seconds")
    parser.add_argument(
        "--max-request-bytes", type=int, default=1 << 20, help="largest HTTP body or WebSocket message accepted"
    )
    parser.add_argument("--record", type=Path, default=None, help="append every finished episode to this JSONL")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (one shared curriculum per id)")
    parser.add_argument("--step-threads", type=int, default=32, help="threads running env steps per worker")
    parser.add_argument(
        "--ws-compression",
        action="store_true",
        help="offer WebSocket permessage-deflate (smaller messages; ~48 KiB of zlib state and CPU per session)",
    )
    parser.add_argument(
        "--allocator",
        choices=ALLOCATORS,
        default=None,
        help="small-object allocator: malloc (default on glibc: memory freed by closed sessions goes back to "
        "the OS) or pymalloc (CPython's default; keeps a third to a half of a session peak after it ends)",
    )


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        from rlvr_envs.server import ServerConfig, serve
    except ImportError as exc:
        raise RLVRError(f"`rlvr-envs serve` needs the serve extra: pip install 'rlvr-envs[serve]' ({exc})") from exc
    for env_id in args.env_ids:
        registered(env_id)
    try:
        config = ServerConfig(
            env_ids=tuple(args.env_ids),
            host=args.host,
            port=args.port,
            token=args.token or os.environ.get("RLVR_SERVE_TOKEN"),
            insecure=args.insecure,
            max_sessions=args.max_sessions,
            idle_timeout_s=args.idle_timeout,
            step_timeout_s=args.step_timeout,
            max_request_bytes=args.max_request_bytes,
            record=args.record,
            workers=args.workers,
            step_threads=args.step_threads,
            ws_compression=args.ws_compression,
        )
    except ValueError as exc:  # pydantic wraps our InvalidOptionError; show its sentence
        raise RLVRError(str(exc).split("\n", 1)[-1].strip()) from exc
    from rlvr_envs.server import memory

    allocator = args.allocator or memory.default_allocator()
    if allocator == "malloc" and _is_entry_point():
        memory.use_system_malloc(list(sys.orig_argv[1:]))  # replaces this process (same pid); returns if set
    ids = list(args.env_ids) or [spec.id for spec in list_specs()]
    console.print(
        f"serving {len(ids)} env id(s) on http://{args.host}:{args.port} "
        f"(WebSocket /envs/{{key}}/ws; listing at /envs; {args.workers} worker(s); "
        f"allocator {memory.active_allocator()})"
    )
    serve(config)
    return 0


def _is_entry_point() -> bool:
    """This process is ``rlvr-envs serve`` itself (not a program that called ``main``): safe to re-execute."""
    script = sys.argv[0].replace(os.sep, "/")
    return script.endswith(("/rlvr-envs", "rlvr_envs/cli/__main__.py")) or script == "rlvr-envs"
