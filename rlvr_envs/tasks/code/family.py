"""`CodeFamily`: programming problems judged by running the answer in the sandbox.

Protocol: the agent answers with a fenced ```` ```python ```` block. The env runs the public tests
(the examples of the statement); if some fail and attempts remain, the failures (input, expected,
got, error; truncated) come back as feedback for the next turn. When the public tests pass, or on
the last attempt, the program runs on the hidden tests and the episode ends with the hidden-test
pass rate (``dense``, the default) or 1/0 for all-pass (``binary``), times ``attempt_decay`` per
extra attempt. ``info["verdict"]["details"]`` lists every test's outcome and runtime.

Benchmark rows (HumanEval, MBPP: ``mode = "script"``) are judged by their own test programs, run
as they are (`rlvr_envs.tasks.code.scripts`); the answer may continue the prompt's function or
write the whole function, fenced or not. After a submission's first time-out its remaining tests
are skipped (``stop_after_timeout``), so a looping program costs about one time limit.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import numpy as np
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from rlvr_envs.core.datasets import existing_file, nearest_level_row, row_index
from rlvr_envs.core.family import EpisodeState, FamilyConfig, TaskFamily, Transcript, assistant_turns, final_text
from rlvr_envs.core.parsing import extract_code
from rlvr_envs.core.types import Feedback, Task, Verdict
from rlvr_envs.errors import InvalidOptionError, SpecError
from rlvr_envs.tasks.code import scripts
from rlvr_envs.tasks.code.datasets import CodeRow, SourceFormat, load_code_jsonl
from rlvr_envs.tasks.code.datasets.rows import SCRIPT_TIME_LIMIT_S
from rlvr_envs.tasks.code.problems import (
    Knobs,
    echoes,
    generate_task_data,
    hidden_tests,
    reference_program,
    statement,
    template_names,
)
from rlvr_envs.tasks.code.templates import CATEGORIES
from rlvr_envs.verifiers.sandbox import Limits, TestCase, TestResult, decode_value, encode_value, run_tests

DEFAULT_SYSTEM_PROMPT = (
    "You are an expert Python programmer. Think about the problem, then answer with your complete "
    "solution in a single ```python code block."
)
_DATA_PREFIX = "code:data:"
_FIELD_CHARS = 400


class CodeReward(BaseModel):
    """Reward options (the spec's ``[reward]`` table)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["dense", "binary"] = Field(default="dense", description="hidden-test pass rate, or all-pass")
    no_code: float = Field(default=0.0, ge=-1.0, le=1.0, description="reward when no code block is found")
    attempt_decay: float = Field(default=1.0, ge=0.0, le=1.0, description="reward factor per extra attempt")


class CodeConfig(FamilyConfig):
    """Configuration of `CodeFamily` (the spec's ``[kwargs]`` table or ``gym.make`` keywords)."""

    modes: list[Literal["stdio", "function"]] = Field(
        default_factory=lambda: list[Literal["stdio", "function"]](["stdio", "function"])
    )
    templates: list[str] | None = Field(default=None, description="template names; None = all")
    categories: list[str] | None = Field(default=None, description="keep only templates of these categories")
    compose: bool = Field(default=True, description="chain array templates into pipelines at higher levels")
    max_attempts: int = Field(default=3, ge=1)
    public_tests: int = Field(default=2, ge=0, le=10, description="examples in the statement (feedback tests)")
    hidden_tests: int | None = Field(default=None, ge=1, le=200, description="None = the level's knob")
    time_limit_s: float | None = Field(default=None, gt=0.0, le=60.0, description="None = the level's knob")
    memory_mb: int = Field(default=256, ge=32, le=16384)
    feedback_failures: int = Field(default=3, ge=1, description="failing tests shown in feedback")
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    source: str | None = Field(default=None, description="JSONL (.jsonl or .jsonl.gz) file of problems")
    source_format: SourceFormat = Field(
        default="auto",
        validation_alias=AliasChoices("source_format", "format"),
        description="auto, mixed, humaneval, mbpp, apps, codecontests, livecodebench or functions (alias: format)",
    )
    source_public_tests: int = Field(default=1, ge=0, description="feedback tests for rows without public tests")
    float_tol: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="tolerance for floats in outputs and return values (rows may set their own)",
    )
    stop_after_timeout: bool = Field(default=True, description="skip a submission's remaining tests after a time-out")
    reward: CodeReward = Field(default_factory=CodeReward)

    @field_validator("source")
    @classmethod
    def _source_exists(cls, value: str | None) -> str | None:
        return existing_file(value)

    @field_validator("modes")
    @classmethod
    def _some_mode(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("modes must name 'stdio', 'function' or both")
        return value

    @model_validator(mode="after")
    def _known_templates(self) -> CodeConfig:
        for category in self.categories or []:
            if category not in CATEGORIES:
                raise ValueError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
        try:
            names = template_names(self.templates, self.categories)
        except KeyError as exc:
            raise ValueError(str(exc.args[0])) from exc
        if not names:
            raise ValueError("templates/categories leave no template to draw from")
        return self


class CodeFamily(TaskFamily):
    """Procedural programming problems (54 templates) or a user dataset, judged in the sandbox."""

    name = "code"
    Config = CodeConfig
    config: CodeConfig

    def __init__(self, config: CodeConfig | None = None, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._names = template_names(self.config.templates, self.config.categories)

    # ---- generation -------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        if self.config.source is not None:
            return self._row_task(nearest_level_row(self._rows(), level, rng, lambda row: row.level))
        prompt, data, metadata = generate_task_data(
            rng,
            level,
            names=self._names,
            modes=list(self.config.modes),
            compose=self.config.compose,
            public_count=self.config.public_tests,
            hidden_count=self.config.hidden_tests,
            memory_mb=self.config.memory_mb,
            time_limit_s=self.config.time_limit_s,
        )
        return Task(task_id=task_id, family=self.name, level=level, prompt=prompt, data=data, metadata=metadata)

    def _rows(self) -> tuple[CodeRow, ...]:
        if self.config.source is None:
            raise SpecError("this Code env has no 'source' dataset")
        return load_code_jsonl(self.config.source, self.config.source_format, self.config.source_public_tests)

    def _row_task(self, row: CodeRow) -> Task:
        default = SCRIPT_TIME_LIMIT_S if row.mode == "script" else Knobs.at(row.level).time_limit_s
        limit = row.time_limit_s or self.config.time_limit_s or default
        if row.mode == "script":
            prompt = _script_prompt(row, limit, self.config.memory_mb)
        else:
            signature_text = None
            if row.mode == "function":
                starter = row.starter_code.strip().rstrip(":")
                signature_text = starter if starter else f"def {row.entry_point}(...)"
            prompt = statement(
                title=row.title,
                body=row.statement,
                mode=row.mode,
                params=None,
                returns="",
                constraints="",
                examples=[],
                time_limit_s=limit,
                memory_mb=self.config.memory_mb,
                entry_point=row.entry_point or "solve",
                signature_text=signature_text,
            )
        data: dict[str, Any] = {
            "source": "dataset",
            "mode": row.mode,
            "entry_point": row.entry_point,
            "public_tests": [_typed_test(t) for t in row.public_tests],
            "hidden_tests": [_typed_test(t) for t in row.hidden_tests],
            "typed_expected": True,
            "time_limit_s": limit,
            "memory_mb": self.config.memory_mb,
            "reference": row.reference,
            "float_tol": row.float_tol,
            "tuple_as_list": row.tuple_as_list,
        }
        if row.mode == "script":
            data |= {
                "public_scripts": list(row.public_scripts),
                "hidden_scripts": list(row.hidden_scripts),
                "prompt_code": row.prompt_code,
                "setup_code": row.setup_code,
            }
        return Task(
            task_id=f"{_DATA_PREFIX}{row.index}",
            family=self.name,
            level=row.level,
            prompt=prompt,
            data=data,
            metadata={"source": self.config.source, "row": row.index, "name": row.task_name},
        )

    def task_from_id(self, task_id: str) -> Task | None:
        if self.config.source is None:
            return None
        rows = self._rows()
        index = row_index(task_id, _DATA_PREFIX, len(rows), self.config.source)
        return None if index is None else self._row_task(rows[index])

    def knobs(self, level: int) -> dict[str, float]:
        knobs = Knobs.at(level)
        values = {key: float(value) for key, value in knobs.__dict__.items()}
        if self.config.hidden_tests is not None:
            values["hidden_tests"] = float(self.config.hidden_tests)
        if self.config.time_limit_s is not None:
            values["time_limit_s"] = float(self.config.time_limit_s)
        return values

    # ---- protocol ---------------------------------------------------------------------------
    def system_prompt(self, task: Task) -> str | None:
        return self.config.system_prompt

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        attempt = state.scratch.get("attempts", 0) + 1
        state.scratch["attempts"] = attempt
        left = self.config.max_attempts - attempt
        code = _answer_code(state.task, action)
        if code is None:
            if left <= 0:
                return self._no_code(attempt)
            return Feedback(
                message="I could not find a code block. Answer with your complete solution in a ```python code "
                f"block. ({_attempts_left(left)})",
                info={"attempt": attempt, "format": 0.0},
            )
        state.scratch["code"] = code
        data = state.task.data
        public: list[Any]
        if data.get("mode") == "script":
            public = list(data.get("public_scripts", []))
            public_results = self._run_scripts(state.task, code, public) if public else []
        else:
            public = _stored_tests(data, "public_tests")
            public_results = self._run(state.task, code, public) if public else []
        state.scratch["public"] = public_results
        if all(r.passed for r in public_results) or left <= 0:
            return self._judge(state.task, code, attempt, public_results)
        return Feedback(
            message=self._feedback(public, public_results, data, left),
            info={"attempt": attempt, "public_passed": sum(r.passed for r in public_results)},
        )

    def on_truncate(self, state: EpisodeState) -> Verdict:
        attempts = max(1, state.scratch.get("attempts", 1))
        code = state.scratch.get("code")
        if code is None:
            return self._no_code(attempts)
        return self._judge(state.task, code, attempts, state.scratch.get("public", []))

    # ---- scoring ----------------------------------------------------------------------------
    def verify(self, task: Task, transcript: Transcript) -> Verdict:
        attempts = max(1, assistant_turns(transcript))
        code = _answer_code(task, final_text(transcript))
        if code is None:
            return self._no_code(attempts)
        return self._judge(task, code, attempts, None)

    def _limits(self, task: Task) -> Limits:
        data = task.data
        return Limits(time_limit=float(data.get("time_limit_s", 2.0)), memory_mb=int(data.get("memory_mb", 256)))

    def _run(self, task: Task, code: str, tests: list[TestCase]) -> list[TestResult]:
        data = task.data
        entry = data.get("entry_point") if data.get("mode") == "function" else None
        row_tol = data.get("float_tol")
        return run_tests(
            code,
            tests,
            entry_point=entry,
            limits=self._limits(task),
            float_tol=float(row_tol) if row_tol is not None else self.config.float_tol,
            tuple_as_list=bool(data.get("tuple_as_list", False)),
            stop_after_timeout=self.config.stop_after_timeout,
        )

    def _run_scripts(self, task: Task, code: str, tests: list[str]) -> list[TestResult]:
        data = task.data
        solution = scripts.program(str(data.get("prompt_code", "")), data.get("entry_point"), code)
        return scripts.run_scripts(
            solution,
            tests,
            setup=str(data.get("setup_code", "")),
            limits=self._limits(task),
            stop_after_timeout=self.config.stop_after_timeout,
        )

    def _no_code(self, attempts: int) -> Verdict:
        return Verdict(
            reward=self.config.reward.no_code,
            correct=False,
            components={"correct": 0.0, "format": 0.0, "tests_passed": 0.0, "attempts": float(attempts)},
            reason="No code block found: answer with your program in a ```python block.",
        )

    def _judge(self, task: Task, code: str, attempts: int, public: list[TestResult] | None) -> Verdict:
        mode = str(task.data.get("mode"))
        tests: list[TestCase] = []
        if mode == "script":  # benchmark test programs: each one is its own check, no echo/constant tricks
            results = self._run_scripts(task, code, list(task.data.get("hidden_scripts", [])))
        else:
            tests = _stored_tests(task.data, "hidden_tests") if "hidden_tests" in task.data else hidden_tests(task.data)
            results = self._run(task, code, tests)
        passed = sum(r.passed for r in results)
        # dense credit counts the tests that echoing the input would not pass (all when none is left)
        informative = [r for t, r in zip(tests, results, strict=True) if not echoes(mode, t)] if tests else []
        informative = informative or results
        rate = sum(r.passed for r in informative) / len(informative) if informative else 0.0
        everything = passed == len(results) and bool(results)
        reward_options = self.config.reward
        constant = bool(tests) and constant_output(mode, tests, results)
        base = 0.0 if constant else rate if reward_options.mode == "dense" else float(everything)
        reward = base * reward_options.attempt_decay ** (attempts - 1)
        timeouts = sum(r.timed_out for r in results)
        skipped = sum(r.status == "skipped" for r in results)
        components = {
            "correct": float(everything),
            "format": 1.0,
            "tests_passed": passed / len(results) if results else 0.0,
            "tests_total": float(len(results)),
            "timeouts": float(timeouts),
            "skipped": float(skipped),
            "runtime_s": max((r.wall_s for r in results), default=0.0),
            "attempts": float(attempts),
        }
        if public is not None:
            components["public_passed"] = sum(r.passed for r in public) / len(public) if public else 1.0
        details: dict[str, Any] = {"hidden": [_outcome(r) for r in results]}
        if public:
            details["public"] = [_outcome(r) for r in public]
        if everything:
            reason = f"All {len(results)} hidden tests passed."
        elif constant:
            reason = (
                f"{passed} of {len(results)} hidden tests passed, but with the same output on every test: no credit."
            )
        else:
            suffix = f" ({timeouts} timed out)." if timeouts else "."
            if skipped:
                suffix = f" ({timeouts} timed out; the {skipped} after it were skipped)."
            reason = f"{passed} of {len(results)} hidden tests passed{suffix}"
        return Verdict(
            reward=reward,
            correct=everything,
            components=components,
            reason=reason,
            timed_out=timeouts > 0,
            details=details,
        )

    def _feedback(self, tests: list[Any], results: list[TestResult], data: dict[str, Any], left: int) -> str:
        failed = [r for r in results if not r.passed]
        lines = [f"Your program failed {len(failed)} of {len(results)} example tests."]
        for result in failed[: self.config.feedback_failures]:
            lines.append("")
            if data.get("mode") == "script":
                lines.append(_describe_script_failure(str(tests[result.index]), result, data))
            else:
                lines.append(_describe_failure(tests[result.index], result, data))
        if len(failed) > self.config.feedback_failures:
            lines.append(f"\n({len(failed) - self.config.feedback_failures} more failing tests not shown.)")
        lines.append(
            f"\nFix the program and answer with the complete corrected code in a ```python block. "
            f"({_attempts_left(left)})"
        )
        return "\n".join(lines)

    def oracle_action(self, state: EpisodeState) -> str:
        program = reference_program(state.task.data)
        if program is None:
            raise InvalidOptionError(f"task {state.task.task_id!r} has no reference solution for the oracle")
        program = program if program.endswith("\n") else program + "\n"
        return f"Here is my solution.\n\n```python\n{program}```"


def constant_output(mode: str, tests: list[TestCase], results: list[TestResult]) -> bool:
    """Whether a program gave one and the same output on every hidden test while the expected
    outputs differ: a constant (``print(0)``, the first example's answer) whose passes are luck,
    so dense credit is not paid for them. Stdio programs are compared by their stdout, functions
    by their return value."""
    if len(results) < 2 or any(r.status not in ("passed", "wrong_answer") for r in results):
        return False
    expected = {json.dumps(t.expected, sort_keys=True, default=repr) for t in tests}
    if mode == "stdio":
        got = {" ".join(r.stdout.split()) for r in results}
    else:
        got = {json.dumps(r.got, sort_keys=True, default=repr) for r in results}
    return len(expected) > 1 and len(got) == 1


def _typed_test(test: TestCase) -> dict[str, Any]:
    """A test as JSON that keeps the expected value's Python type (a task may be stored as JSON)."""
    return {"input": test.input, "expected": encode_value(test.expected)}


def _stored_tests(data: dict[str, Any], key: str) -> list[TestCase]:
    tests = [TestCase.model_validate(t) for t in data.get(key, [])]
    if data.get("typed_expected"):
        return [TestCase(input=t.input, expected=decode_value(t.expected)) for t in tests]
    return tests


def _answer_code(task: Task, text: str) -> str | None:
    """The submitted code: a fenced block, or for benchmark rows also an unfenced answer."""
    if task.data.get("mode") == "script":
        return scripts.answer_code(text)
    return extract_code(text)


def _script_prompt(row: CodeRow, limit: float, memory_mb: int) -> str:
    limits = f"Time limit: {limit:g} s per test program. Memory limit: {memory_mb} MB."
    if row.prompt_code:
        return (
            f"# {row.title}\n\nComplete this Python function:\n\n```python\n{row.prompt_code.rstrip()}\n```\n\n"
            "Answer with the function's body (continuing the code above) or with the whole function and any "
            f"imports it needs, in a ```python code block.\n\n{limits}"
        )
    answer = "Answer with your complete solution in a single ```python code block."
    return f"# {row.title}\n\n{row.statement}\n\n{limits}\n\n{answer}"


def _describe_script_failure(test: str, result: TestResult, data: dict[str, Any]) -> str:
    what = {
        "wrong_answer": "an assertion failed",
        "timeout": f"time limit exceeded ({float(data.get('time_limit_s', 2.0)):g} s)",
        "protocol": "the program exited before the test ran",
        "skipped": "not run (an earlier test timed out)",
    }.get(result.status, result.status.replace("_", " "))
    lines = [f"Test {result.index + 1}: {what}.", f"Test code:\n{_clip(test.strip())}"]
    if result.error:
        lines.append(f"Error: {_clip(result.error, 300)}")
    return "\n".join(lines)


def _attempts_left(left: int) -> str:
    return f"{left} attempt{'s' if left != 1 else ''} left"


def _clip(text: str, limit: int = _FIELD_CHARS) -> str:
    text = text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more characters]"
    return text if text.strip() else "(empty)"


def _describe_failure(test: TestCase, result: TestResult, data: dict[str, Any]) -> str:
    entry = data.get("entry_point") or "solve"
    what = {
        "wrong_answer": "wrong answer",
        "timeout": f"time limit exceeded ({float(data.get('time_limit_s', 2.0)):g} s)",
        "memory": "memory limit exceeded",
        "output_limit": "too much output",
        "signal": "the program crashed",
        "load_error": "the code could not be loaded",
        "protocol": "the program interfered with the test harness",
        "sandbox_error": "the sandbox failed",
        "error": "runtime error",
    }.get(result.status, result.status)
    lines = [f"Test {result.index + 1}: {what}."]
    if data.get("mode") == "function":
        args = ", ".join(repr(arg) for arg in test.input) if isinstance(test.input, list) else repr(test.input)
        lines.append(f"Call: {_clip(f'{entry}({args})')}")
        lines.append(f"Expected return value: {_clip(repr(test.expected))}")
        if result.status == "wrong_answer":
            lines.append(f"Your return value: {_clip(repr(result.got))}")
    else:
        lines.append(f"Input:\n{_clip(str(test.input).rstrip(chr(10)))}")
        lines.append(f"Expected output:\n{_clip(str(test.expected).rstrip(chr(10)))}")
        if result.status in ("wrong_answer", "error", "signal", "output_limit"):
            lines.append(f"Your output:\n{_clip(result.stdout.rstrip(chr(10)))}")
    error = result.error or (result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
    if error and result.status != "wrong_answer":
        lines.append(f"Error: {_clip(error, 300)}")
    return "\n".join(lines)


def _outcome(result: TestResult) -> dict[str, Any]:
    return {
        "index": result.index,
        "passed": result.passed,
        "status": result.status,
        "timed_out": result.timed_out,
        "wall_s": round(result.wall_s, 6),
    }
