"""MathPython-v0: Math-v0's problems and verifier, plus a ``python`` tool run in the sandbox.

Protocol: a turn that contains ``<tool_call>{"name": "python", "arguments": {"code": "..."}}</tool_call>``
runs the code in the sandbox (no network, no files kept, time and memory limits) and the tool
message holds what it printed (truncated) and, if it failed, the end of its error. A turn without
a tool call is an answer, judged exactly as in Math-v0 (``\\boxed{}``; attempts and their reward decay
count answers only, never tool turns). Tool calls are budgeted (``max_tool_calls``).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from rlvr_envs.core.family import EpisodeState, Transcript, final_text
from rlvr_envs.core.parsing import parse_tool_calls
from rlvr_envs.core.types import Feedback, Message, Task, Verdict
from rlvr_envs.tasks.math.family import MathConfig, MathFamily
from rlvr_envs.verifiers.sandbox import ExecResult, Limits, run

TOOL_NAME = "python"
DEFAULT_SYSTEM_PROMPT = (
    "You are a careful mathematician with a Python sandbox. To run code, write "
    '<tool_call>{"name": "python", "arguments": {"code": "..."}}</tool_call> and wait for its output '
    "(print what you want to see; sympy is available). When you are sure, give the final answer in \\boxed{...}."
)


class MathPythonConfig(MathConfig):
    """`MathConfig` plus the python tool's budget and limits."""

    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    max_tool_calls: int = Field(default=4, ge=0, description="python runs allowed per episode")
    tool_time_limit_s: float = Field(default=10.0, gt=0.0, le=120.0)
    tool_memory_mb: int = Field(default=512, ge=32, le=16384)
    tool_output_chars: int = Field(default=4000, ge=200, description="longer tool output is cut in the middle")
    tool_preload: list[str] = Field(
        default_factory=lambda: ["sympy"], description="modules the sandbox server imports once, before forking"
    )


class MathPythonFamily(MathFamily):
    """Math-v0 with a sandboxed ``python`` tool (same tasks, task ids and verifier)."""

    Config = MathPythonConfig
    config: MathPythonConfig

    def tools(self, task: Task) -> list[dict[str, Any]]:
        return [
            {
                "type": "function",
                "function": {
                    "name": TOOL_NAME,
                    "description": (
                        "Run a Python 3 program in an isolated sandbox and return what it prints (stdout, and "
                        f"the end of stderr if it fails). No network; files are not kept between calls; "
                        f"{self.config.tool_time_limit_s:g} s and {self.config.tool_memory_mb} MB per call; "
                        f"at most {self.config.max_tool_calls} calls per problem."
                    ),
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string", "description": "the program; use print() to see values"}
                        },
                        "required": ["code"],
                    },
                },
            }
        ]

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        parsed = parse_tool_calls(action)
        if not parsed.calls and not parsed.errors:
            return super().respond(state, action)
        used = int(state.scratch.get("tool_calls", 0))
        outputs: list[str] = []
        for call in parsed.calls:
            code = call.arguments.get("code")
            if call.name != TOOL_NAME:
                outputs.append(f"Unknown tool {call.name!r}: the only tool is {TOOL_NAME!r}.")
            elif not isinstance(code, str) or not code.strip():
                outputs.append('The python tool needs a non-empty string argument "code".')
            elif used >= self.config.max_tool_calls:
                outputs.append(
                    f"Tool budget spent ({self.config.max_tool_calls} calls). Give your final answer in \\boxed{{}}."
                )
            else:
                used += 1
                outputs.append(self._run_tool(code))
        outputs.extend(f"Could not read the tool call: {error}" for error in parsed.errors)
        state.scratch["tool_calls"] = used
        first_id = parsed.calls[0].id if parsed.calls else None
        return Feedback(message="\n\n".join(outputs), role="tool", tool_call_id=first_id, info={"tool_calls": used})

    def _run_tool(self, code: str) -> str:
        limits = Limits(time_limit=self.config.tool_time_limit_s, memory_mb=self.config.tool_memory_mb)
        result = run(code, limits=limits, preload=self.config.tool_preload)
        return format_tool_output(result, self.config.tool_output_chars, self.config.tool_time_limit_s)

    def verify(self, task: Task, transcript: Transcript) -> Verdict:
        """Judge the last answer; tool-call turns do not count as attempts."""
        if isinstance(transcript, str):
            return self._judge(task, transcript, 1)
        answers = 0
        for message in transcript:
            data = message.model_dump() if isinstance(message, Message) else message
            if data.get("role") == "assistant" and not _is_tool_turn(data.get("content")):
                answers += 1
        return self._judge(task, final_text(transcript), max(1, answers))

    def oracle_action(self, state: EpisodeState) -> str:
        """First a tool call that prints the answer, then the answer (shows the tool loop working)."""
        if state.scratch.get("tool_calls", 0) == 0 and self.config.max_tool_calls > 0:
            code = f"answer = {str(state.task.data['answer'])!r}\nprint(answer)"
            call = {"name": TOOL_NAME, "arguments": {"code": code}}
            return f"Let me check with Python.\n<tool_call>{json.dumps(call)}</tool_call>"
        return super().oracle_action(state)


def _is_tool_turn(content: Any) -> bool:
    if not isinstance(content, str):
        return False
    parsed = parse_tool_calls(content)
    return bool(parsed.calls or parsed.errors)


def _middle_cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... [{len(text) - 2 * half} characters cut] ...\n{text[-half:]}"


def format_tool_output(result: ExecResult, limit: int, time_limit_s: float) -> str:
    """The tool message: stdout, then (on failure) the end of stderr and what went wrong."""
    parts: list[str] = []
    if result.stdout:
        parts.append(_middle_cut(result.stdout.rstrip("\n"), limit))
    if result.status == "timeout":
        parts.append(f"[timed out after {time_limit_s:g} s]")
    elif result.status == "memory":
        parts.append("[memory limit exceeded]")
    elif result.status == "output_limit":
        parts.append("[output limit exceeded]")
    elif result.status == "sandbox_error":
        parts.append(f"[the sandbox failed: {result.error}]")
    elif result.status != "ok":
        tail = result.stderr.strip()[-1500:]
        parts.append(f"[error, exit status {result.exit_code if result.exit_code is not None else result.signal}]")
        if tail:
            parts.append(tail)
    if not parts:
        parts.append("(no output; use print() to see values)")
    return "\n".join(parts)
