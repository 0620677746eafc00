"""``--record FILE``: one JSONL line per finished episode, written and flushed as the episode ends.

Each line is written with a single ``os.write`` on an ``O_APPEND`` descriptor, so several worker
processes may share one file without interleaving, and a crash loses at most the episodes in flight.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


class EpisodeRecorder:
    """Appends episode dicts to ``path`` (created with its parent folders)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._lock = threading.Lock()
        self.written = 0

    def write(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
        with self._lock:
            if self._fd < 0:
                return
            view = memoryview(line)
            while view:  # a regular file takes it in one call; loop only for pathological short writes
                done = os.write(self._fd, view)
                view = view[done:]
            self.written += 1

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
