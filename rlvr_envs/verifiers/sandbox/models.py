"""The sandbox's public data: limits, test cases, and the results of runs and tests."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ExecStatus = Literal["ok", "error", "timeout", "memory", "output_limit", "signal", "sandbox_error"]
TestStatus = Literal[
    "passed",
    "wrong_answer",
    "error",
    "timeout",
    "memory",
    "output_limit",
    "signal",
    "load_error",
    "protocol",
    "sandbox_error",
    "skipped",
]


class Limits(BaseModel):
    """Resource limits of one run (or, in `run_tests`, of each test)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_limit: float = Field(default=2.0, gt=0.0, le=600.0, description="wall-clock seconds")
    memory_mb: int = Field(default=256, ge=16, le=1 << 16, description="address space for the program's own use")
    output_limit: int = Field(default=1 << 20, ge=256, description="stdout bytes kept; more ends the run")
    stderr_limit: int = Field(default=1 << 16, ge=256, description="stderr bytes kept; more is dropped")
    processes: int = Field(default=16, ge=1, le=4096, description="processes and threads (RLIMIT_NPROC)")
    open_files: int = Field(default=64, ge=8, le=65536, description="open file descriptors (RLIMIT_NOFILE)")
    file_mb: int = Field(default=16, ge=0, le=1 << 16, description="largest file the program may write")


class ExecResult(BaseModel):
    """What one program run did. ``status`` is ``ok`` only for a clean exit with status 0."""

    status: ExecStatus
    exit_code: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    wall_s: float = 0.0
    cpu_s: float | None = None
    isolation: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def timed_out(self) -> bool:
        return self.status == "timeout"


class TestCase(BaseModel):
    """One test: ``input`` is stdin text (stdin/stdout programs) or the argument list (function calls);
    ``expected`` is the expected stdout text or the expected return value (JSON data)."""

    model_config = ConfigDict(frozen=True)

    input: str | list[Any]
    expected: Any = None


class TestResult(BaseModel):
    """The parent's judgement of one test (the comparison never runs in the sandbox).

    ``skipped``: not run, because an earlier test of the same submission timed out and the caller
    asked to stop there (``stop_after_timeout``)."""

    index: int
    passed: bool
    status: TestStatus
    wall_s: float = 0.0
    cpu_s: float | None = None
    stdout: str = ""
    stderr: str = ""
    got: Any = None
    error: str | None = None
    truncated: bool = False

    @property
    def timed_out(self) -> bool:
        return self.status == "timeout"


class IsolationInfo(BaseModel):
    """How this machine's sandbox servers are isolated (see docs/sandbox.md)."""

    mode: str
    reason: str = ""
    uid: int | None = None
    drop_caps: bool = False
    limit_processes: bool = True
    pid_namespace: bool = False
    proc: bool = False
    notes: list[str] = Field(default_factory=list)
