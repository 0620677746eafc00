"""A helper process the env talks to over its stdin/stdout pipes (math-verify workers, sandbox servers).

Started with `subprocess.Popen` (not ``multiprocessing``: daemonic ``AsyncVectorEnv`` workers may not
have ``multiprocessing`` children), spoken to in `rlvr_envs.verifiers._frames` frames, killed on
overrun, and forgotten (not killed) by a forked child that inherited its pipes.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Sequence
from typing import Any

from rlvr_envs.verifiers._frames import FrameReader, write_frame


class PipedProcess:
    """One helper process; all methods are called by the single thread that holds it."""

    def __init__(self, args: Sequence[str], *, env: dict[str, str], max_frame: int, **popen: Any) -> None:
        self.proc = subprocess.Popen(
            list(args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
            **popen,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.fd_in = self.proc.stdin.fileno()
        self.reader = FrameReader(self.proc.stdout.fileno(), max_frame=max_frame)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send(self, payload: dict[str, Any]) -> None:
        """Write one frame (``OSError`` if the process is gone)."""
        write_frame(self.fd_in, payload)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._close_pipes()

    def _close_pipes(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def close_fds_only(self) -> None:
        """In a forked child: drop the inherited pipe ends without touching the process."""
        self._close_pipes()
        self.proc.returncode = 0  # never wait on a process that is not our child
