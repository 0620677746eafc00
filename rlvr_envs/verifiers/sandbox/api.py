"""`run` and `run_tests`: execute untrusted code in the sandbox and judge it in this process."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from rlvr_envs.verifiers.sandbox.judge import decode_value, outputs_match, values_match
from rlvr_envs.verifiers.sandbox.models import ExecResult, IsolationInfo, Limits, TestCase, TestResult
from rlvr_envs.verifiers.sandbox.pool import get_pool

_REQUEST_SLACK_S = 30.0
_MIN_TESTS_TO_SPLIT = 2


def _limits(limits: Limits | None, overrides: dict[str, Any]) -> Limits:
    base = limits if limits is not None else Limits()
    changed = {key: value for key, value in overrides.items() if value is not None}
    return Limits.model_validate(base.model_dump() | changed) if changed else base


def _payload(
    mode: str, code: str, inputs: list[Any], limits: Limits, entry: str | None, stop: bool = False
) -> dict[str, Any]:
    payload: dict[str, Any] = {"op": "run", "mode": mode, "code": code, "inputs": inputs, **limits.model_dump()}
    if stop:
        payload["stop_after_timeout"] = True
    if entry is not None:
        payload["entry"] = entry
    return payload


def _timeout(limits: Limits, tests: int) -> float:
    return tests * (limits.time_limit + 1.0) + _REQUEST_SLACK_S


def _memory_error(status: str, text: str | None) -> bool:
    if status not in ("error", "load_error") or not text:
        return False
    lines = text.strip().splitlines()
    return bool(lines) and lines[-1].startswith("MemoryError")


def run(
    code: str,
    stdin: str = "",
    *,
    time_limit: float | None = None,
    memory_mb: int | None = None,
    limits: Limits | None = None,
    preload: Sequence[str] = (),
) -> ExecResult:
    """Run ``code`` as a Python 3 script with ``stdin`` as its input, isolated (see docs/sandbox.md).

    Args:
        code: the program's source text (untrusted).
        stdin: text on its standard input.
        time_limit: wall-clock seconds before the whole process group is killed.
        memory_mb: address space the program may use on top of the interpreter's own.
        limits: every limit at once (`Limits`); ``time_limit``/``memory_mb`` override it.
        preload: modules the server imports before forking (e.g. ``["sympy"]`` for a math tool).

    Example:
        >>> from rlvr_envs.verifiers.sandbox import run
        >>> run("print(int(input()) * 2)", stdin="21\\n").stdout
        '42\\n'
    """
    chosen = _limits(limits, {"time_limit": time_limit, "memory_mb": memory_mb})
    pool = get_pool(preload)
    [response] = pool.execute([_payload("stdio", code, [stdin], chosen, None)], [_timeout(chosen, 1)])
    if not response.get("ok"):
        return ExecResult(status="sandbox_error", error=str(response.get("error", "sandbox failure")))
    raw = response["results"][0]
    status = "memory" if _memory_error(raw["status"], raw.get("stderr")) else raw["status"]
    return ExecResult(
        status=status,
        exit_code=raw.get("exit_code"),
        signal=raw.get("signal"),
        stdout=raw.get("stdout", ""),
        stderr=raw.get("stderr", ""),
        stdout_truncated=bool(raw.get("stdout_truncated")),
        stderr_truncated=bool(raw.get("stderr_truncated")),
        wall_s=float(raw.get("wall_s", 0.0)),
        cpu_s=raw.get("cpu_s"),
        isolation=_isolation_mode(pool),
    )


def run_tests(
    code: str,
    tests: Sequence[TestCase | dict[str, Any]],
    *,
    entry_point: str | None = None,
    time_limit: float | None = None,
    memory_mb: int | None = None,
    limits: Limits | None = None,
    float_tol: float | None = None,
    tuple_as_list: bool = False,
    stop_after_timeout: bool = False,
    parallel: bool = True,
    preload: Sequence[str] = (),
) -> list[TestResult]:
    """Run ``code`` on every test and judge each result here, in the parent.

    Without ``entry_point`` the code is a stdin/stdout program and runs once per test in a fresh
    child (``input`` is stdin text, ``expected`` the expected stdout). With ``entry_point`` it is
    loaded once per child and ``entry_point(*input)`` is called for each test, every call under its
    own deadline; a crash or timeout charges that test and the rest continue in a new child.
    ``limits`` (``time_limit``, ``memory_mb``...) apply to each test. With ``parallel``, tests are
    split across idle servers of the pool.

    Return values are compared as Python values (`values_match`: a tuple is not a list unless
    ``tuple_as_list``; floats within ``float_tol``). With ``stop_after_timeout``, the tests after
    the first time-out (in each parallel share) are not run and come back ``skipped``: a program
    that loops forever costs about one time limit, not one per test.
    """
    cases = [t if isinstance(t, TestCase) else TestCase.model_validate(t) for t in tests]
    if not cases:
        return []
    chosen = _limits(limits, {"time_limit": time_limit, "memory_mb": memory_mb})
    mode = "stdio" if entry_point is None else "function"
    inputs: list[Any] = []
    for case in cases:
        if mode == "stdio":
            inputs.append(case.input if isinstance(case.input, str) else "\n".join(map(str, case.input)))
        else:
            inputs.append(list(case.input) if isinstance(case.input, list) else [case.input])
    pool = get_pool(preload)
    chunks = pool.n if parallel and len(cases) >= _MIN_TESTS_TO_SPLIT else 1
    size = math.ceil(len(cases) / chunks)
    bounds = [(start, min(start + size, len(cases))) for start in range(0, len(cases), size)]
    payloads = [_payload(mode, code, inputs[a:b], chosen, entry_point, stop_after_timeout) for a, b in bounds]
    responses = pool.execute(payloads, [_timeout(chosen, b - a) for a, b in bounds])
    results: list[TestResult] = []
    for (start, stop), response in zip(bounds, responses, strict=True):
        raws = response.get("results") if response.get("ok") else None
        for offset, case in enumerate(cases[start:stop]):
            index = start + offset
            if (
                raws is not None
                and offset >= len(raws)
                and stop_after_timeout
                and raws[-1:]
                and raws[-1].get("status") == "timeout"
            ):
                results.append(
                    TestResult(index=index, passed=False, status="skipped", error="an earlier test timed out")
                )
            elif raws is None or offset >= len(raws):
                error = str(response.get("error", "sandbox failure"))
                results.append(TestResult(index=index, passed=False, status="sandbox_error", error=error))
            else:
                results.append(_judge(index, case, raws[offset], mode, float_tol, tuple_as_list))
    return results


def _judge(
    index: int, case: TestCase, raw: dict[str, Any], mode: str, float_tol: float | None, tuple_as_list: bool = False
) -> TestResult:
    status = raw.get("status", "sandbox_error")
    common: dict[str, Any] = {
        "index": index,
        "wall_s": float(raw.get("wall_s") or 0.0),
        "cpu_s": raw.get("cpu_s"),
        "stdout": raw.get("stdout", ""),
        "stderr": raw.get("stderr", ""),
        "truncated": bool(raw.get("stdout_truncated")),
        "error": raw.get("error"),
    }
    if status == "ok":
        if mode == "stdio":
            expected = case.expected if isinstance(case.expected, str) else str(case.expected)
            passed = outputs_match(expected, common["stdout"], float_tol=float_tol)
            return TestResult(passed=passed, status="passed" if passed else "wrong_answer", **common)
        try:
            got = decode_value(json.loads(raw.get("value") or "null"))
        except (ValueError, RecursionError):
            return TestResult(passed=False, status="protocol", **common | {"error": "unreadable return value"})
        passed = values_match(case.expected, got, float_tol=float_tol, tuple_as_list=tuple_as_list)
        return TestResult(passed=passed, status="passed" if passed else "wrong_answer", got=_shown(got), **common)
    if _memory_error(status, common["error"] or common["stderr"]):
        status = "memory"
    if status not in ("error", "timeout", "memory", "output_limit", "signal", "load_error", "protocol"):
        status = "sandbox_error"
    return TestResult(passed=False, status=status, **common)


def _shown(value: Any) -> Any:
    """A returned value as JSON-safe data for `TestResult.got` (tuples and sets show as their repr)."""
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _shown(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | str) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return repr(value)


def _isolation_mode(pool: Any) -> str:
    for server in pool.slots:
        if server is not None and server.hello is not None:
            return str(server.hello.get("isolation", {}).get("mode", ""))
    return ""


def isolation(preload: Sequence[str] = ()) -> IsolationInfo:
    """How the sandbox servers of this process are isolated (starts one if needed)."""
    hello = get_pool(preload).info()
    return IsolationInfo.model_validate(hello.get("isolation", {"mode": "unknown"}))


def warmup(preload: Sequence[str] = ()) -> None:
    """Start this process's sandbox servers now (optional: they also start on first use)."""
    get_pool(preload).warmup()
