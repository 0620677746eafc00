"""Length-prefixed JSON frames over pipes, with a deadline on reads (standard library only).

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON (an object).
Used between the env process and its helper processes (the math-verify workers, the sandbox
servers) and, inside a sandbox server, between the supervisor and the harness of a run.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (the sandbox server forks for every run)
    from typing import Any

HEADER = struct.Struct(">I")
DEFAULT_MAX_FRAME = 1 << 22


class FrameError(Exception):
    """The stream ended, or carried something that is not a well-formed frame."""


def encode_frame(obj: dict[str, Any]) -> bytes:
    """The bytes of one frame holding ``obj``."""
    data = json.dumps(obj, separators=(",", ":")).encode()
    return HEADER.pack(len(data)) + data


def write_frame(fd: int, obj: dict[str, Any]) -> None:
    """Write one whole frame to ``fd`` (blocking); ``OSError`` if the reader has gone."""
    view = memoryview(encode_frame(obj))
    while view:
        view = view[os.write(fd, view) :]


def read_exact(fd: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes from ``fd`` (blocking), or ``None`` if the stream ends first."""
    chunks = bytearray()
    while len(chunks) < size:
        chunk = os.read(fd, size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


class FrameReader:
    """Reads frames from one file descriptor, keeping partial data between calls."""

    def __init__(self, fd: int, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.fd = fd
        self.max_frame = max_frame
        self.buffer = bytearray()

    def pop(self) -> dict[str, Any] | None:
        """A complete frame already buffered, or ``None``; `FrameError` on a malformed one."""
        if len(self.buffer) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self.buffer)
        if size > self.max_frame:
            raise FrameError(f"frame of {size} bytes exceeds the {self.max_frame}-byte limit")
        if len(self.buffer) < HEADER.size + size:
            return None
        payload = bytes(self.buffer[HEADER.size : HEADER.size + size])
        del self.buffer[: HEADER.size + size]
        try:
            obj = json.loads(payload)
        except ValueError as exc:
            raise FrameError(f"frame is not JSON ({exc})") from exc
        if not isinstance(obj, dict):
            raise FrameError("frame is not a JSON object")
        return obj

    def feed(self) -> bool:
        """Read what is available now (one ``read``); ``False`` at end of stream."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def read(self, deadline: float | None = None) -> dict[str, Any] | None:
        """The next frame, or ``None`` if ``deadline`` (a ``time.monotonic()`` value) passes first.

        Raises `FrameError` at end of stream or on a malformed frame.
        """
        poller = select.poll()
        poller.register(self.fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while True:
            frame = self.pop()
            if frame is not None:
                return frame
            if deadline is None:
                timeout_ms = None
            else:
                remaining = deadline - time.monotonic()
                timeout_ms = max(0, math.ceil(remaining * 1000))
            if not poller.poll(timeout_ms):
                if deadline is not None and time.monotonic() >= deadline:
                    return None
                continue
            if not self.feed():
                raise FrameError("the other side closed the stream")
