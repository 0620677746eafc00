"""Isolated execution of untrusted Python code (see docs/sandbox.md).

Model-written code never runs in the env's process. A pool of warm server processes (zygotes)
forks one isolated child per run: no network, no view of host processes, a read-only filesystem
with an empty writable temp dir, rlimits, capped output and a wall-clock kill of everything the
run started. The judge that compares outputs with expectations runs here, in the parent.

>>> from rlvr_envs.verifiers.sandbox import run, run_tests
>>> run("print(sum(map(int, input().split())))", stdin="1 2 3").stdout
'6\\n'
>>> [r.passed for r in run_tests("def solve(a, b):\\n    return a + b", [{"input": [1, 2], "expected": 3}],
...                               entry_point="solve")]
[True]
"""

from rlvr_envs.verifiers.sandbox.api import isolation, run, run_tests, warmup
from rlvr_envs.verifiers.sandbox.judge import decode_value, encode_value, normalise_output, outputs_match, values_match
from rlvr_envs.verifiers.sandbox.models import ExecResult, IsolationInfo, Limits, TestCase, TestResult
from rlvr_envs.verifiers.sandbox.pool import SandboxUnavailable, shutdown

__all__ = [
    "ExecResult",
    "IsolationInfo",
    "Limits",
    "SandboxUnavailable",
    "TestCase",
    "TestResult",
    "decode_value",
    "encode_value",
    "isolation",
    "normalise_output",
    "outputs_match",
    "run",
    "run_tests",
    "shutdown",
    "values_match",
    "warmup",
]
