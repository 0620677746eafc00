"""Benchmark test programs (HumanEval's ``check``, MBPP's asserts) run as the benchmark runs them.

Completion protocol: the answer either *continues* the prompt's function (the body, as a base
model writes it after HumanEval's prompt) or writes the *whole function* (with any imports),
fenced in ```` ```python ```` or not. When the answer defines the entry point at the top level it
is a whole function and follows the prompt (the prompt's imports and helpers stay; the answer's
definition replaces the prompt's docstring-only one); otherwise it is appended to the prompt.

Each test program is ``setup + answer + test`` in one fresh sandboxed process with
``__name__ != "__main__"`` (as ``exec`` in the benchmarks' harnesses), followed by a line that
prints a per-run random token. A test passes when the process exits cleanly *and* the token is
the last line of its output, so ``sys.exit(0)`` or ``os._exit(0)`` before the asserts fails.
Like the benchmarks' own harnesses, the asserts run in the answer's process: an answer that
subverts the interpreter (an object whose ``__eq__`` always says yes) can fool them; the
function-call tests (``mode = "function"``) are the ones judged outside the program.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from rlvr_envs.core.parsing import extract_code, strip_thinking
from rlvr_envs.verifiers.sandbox import ExecResult, Limits, TestResult, run

_MAIN_GUARD = '__name__ = "solution"  # as exec() in the benchmark harness: no __main__ blocks\n'


def answer_code(text: str) -> str | None:
    """The code of an answer: its fenced block, or the whole text when it has no fence."""
    code = extract_code(text)
    if code is None:
        stripped = strip_thinking(text)
        code = stripped if stripped.strip() else None
    return code


def defines(entry_point: str | None, code: str) -> bool:
    """Whether ``code`` defines ``entry_point`` at the top level (a whole-function answer)."""
    if not entry_point:
        return True
    return re.search(rf"^(?:async\s+)?def\s+{re.escape(entry_point)}\s*\(", code, re.MULTILINE) is not None


def program(prompt_code: str, entry_point: str | None, code: str) -> str:
    """The answer as a program: the prompt completed by a body, or the prompt then a whole function."""
    if not prompt_code:
        return code
    if defines(entry_point, code):
        return f"{prompt_code}\n{code}"
    return prompt_code + code


def run_scripts(
    solution: str,
    scripts: Sequence[str],
    *,
    setup: str = "",
    limits: Limits,
    stop_after_timeout: bool = True,
) -> list[TestResult]:
    """Run ``setup + solution + script`` for each script; one `TestResult` per script, in order."""
    results: list[TestResult] = []
    for index, script in enumerate(scripts):
        if stop_after_timeout and any(result.timed_out for result in results):
            results.append(TestResult(index=index, passed=False, status="skipped", error="an earlier test timed out"))
            continue
        token = secrets.token_hex(16)
        text = f"{_MAIN_GUARD}{setup}\n{solution}\n\n{script}\n\n__import__('sys').stdout.write('\\n{token}\\n')\n"
        results.append(_result(index, run(text, "", limits=limits), token))
    return results


def _result(index: int, outcome: ExecResult, token: str) -> TestResult:
    lines = outcome.stdout.rstrip("\n").rsplit("\n", 1)
    common = {"index": index, "wall_s": outcome.wall_s, "cpu_s": outcome.cpu_s, "stderr": outcome.stderr}
    common |= {"stdout": lines[0] if lines[-1] == token and len(lines) > 1 else outcome.stdout}
    if outcome.status == "ok":
        if lines[-1] == token:
            return TestResult(passed=True, status="passed", **common)
        return TestResult(passed=False, status="protocol", error="the program exited before its tests ran", **common)
    error = outcome.error or _last_line(outcome.stderr)
    if outcome.status == "error":
        status = "wrong_answer" if error.startswith("AssertionError") else "error"
        return TestResult(passed=False, status=status, error=error, **common)
    return TestResult(passed=False, status=outcome.status, error=error or None, **common)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
