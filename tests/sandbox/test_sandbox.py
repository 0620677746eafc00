"""The sandbox's public API: `run`, `run_tests`, the judge, limits, threads and forked processes."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rlvr_envs.verifiers import sandbox
from rlvr_envs.verifiers.sandbox import Limits, outputs_match, values_match
from rlvr_envs.verifiers.sandbox.pool import get_pool

ADD = "a, b = map(int, input().split())\nprint(a + b)\n"


# ---- run -------------------------------------------------------------------------------------
def test_run_reads_stdin_and_reports_output() -> None:
    result = sandbox.run(ADD, stdin="20 22\n")
    assert result.ok and result.stdout == "42\n" and result.exit_code == 0
    assert result.isolation in ("namespaces", "audit")
    assert result.wall_s > 0 and result.cpu_s is not None


def test_run_reports_errors_exit_codes_and_unicode() -> None:
    failing = sandbox.run("import sys\nprint('partial')\nraise ValueError('boom')")
    assert failing.status == "error" and failing.exit_code == 1
    assert failing.stdout == "partial\n" and failing.stderr.strip().endswith("ValueError: boom")
    assert "_harness" not in failing.stderr  # the traceback shows the program's frames only
    assert sandbox.run("import sys\nsys.exit(3)").exit_code == 3
    echoed = sandbox.run("print(input()[::-1])", stdin="héllo → 😀\n")
    assert echoed.stdout == "😀 → olléh\n"


def test_run_enforces_time_memory_and_output_limits() -> None:
    slow = sandbox.run("while True:\n    pass", time_limit=0.3)
    assert slow.status == "timeout" and slow.timed_out and 0.25 < slow.wall_s < 2.0
    hog = sandbox.run("x = ' ' * (400 * 2**20)", memory_mb=64)
    assert hog.status == "memory"
    chatty = sandbox.run("print('y' * 5000)", limits=Limits(output_limit=1000))
    assert chatty.status == "output_limit" and chatty.stdout_truncated and len(chatty.stdout) == 1000
    noisy = sandbox.run("import sys\nsys.stderr.write('e' * 5000)\nprint('ok')", limits=Limits(stderr_limit=300))
    assert noisy.ok and noisy.stderr_truncated and len(noisy.stderr) == 300 and noisy.stdout == "ok\n"


def test_cleaning_up_after_runs_stays_cheap() -> None:
    """Cleaning the jail's /tmp between runs must not walk a Python installation bound there (a
    venv in a checkout under /tmp once cost 0.25 s per run); 200 small runs take well under 5 s."""
    import time

    sandbox.warmup()
    start = time.perf_counter()
    for index in range(200):
        assert sandbox.run(ADD, stdin=f"{index} 1").stdout == f"{index + 1}\n"
    assert time.perf_counter() - start < 5.0


def test_run_gives_each_program_a_fresh_writable_directory() -> None:
    code = "import os\nprint(os.listdir('.'))\nopen('scratch.txt', 'w').write('x')\nprint(os.listdir('.'))"
    first, second = sandbox.run(code), sandbox.run(code)
    assert first.stdout == second.stdout == "[]\n['scratch.txt']\n"


def test_parent_environment_does_not_reach_programs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_TEST_SECRET_TOKEN", "hunter2")
    sandbox.shutdown()  # servers started from now on see the secret in our environment
    code = (
        "import os\nprint(sorted(os.environ))\n"
        "try:\n    print(open('/proc/self/environ', 'rb').read())\nexcept OSError as e:\n    print(e)\n"
    )
    result = sandbox.run(code)
    assert result.ok and "PATH" in result.stdout
    assert "hunter2" not in result.stdout and "RLVR_TEST_SECRET_TOKEN" not in result.stdout


def test_limits_are_validated_with_clear_errors() -> None:
    with pytest.raises(ValidationError, match="time_limit"):
        Limits(time_limit=0)
    with pytest.raises(ValidationError, match="memory_mb"):
        sandbox.run("pass", memory_mb=1)


def test_isolation_is_reported() -> None:
    info = sandbox.isolation()
    assert info.mode in ("namespaces", "audit") and info.reason


# ---- run_tests: stdin/stdout -----------------------------------------------------------------
def test_run_tests_judges_stdout_in_the_parent() -> None:
    tests = [
        {"input": "1 2\n", "expected": "3\n"},
        {"input": "20 22", "expected": "42  \n\n"},  # trailing whitespace and blank lines do not matter
        {"input": "1 1", "expected": "3"},
        {"input": "not numbers", "expected": "0"},
    ]
    results = sandbox.run_tests(ADD, tests)
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert [r.status for r in results] == ["passed", "passed", "wrong_answer", "error"]
    assert results[2].stdout == "2\n" and not results[2].passed


def test_run_tests_float_tolerance_is_opt_in() -> None:
    code = "print(1 / 3)"
    assert not sandbox.run_tests(code, [{"input": "", "expected": "0.3333"}])[0].passed
    assert sandbox.run_tests(code, [{"input": "", "expected": "0.3333"}], float_tol=1e-3)[0].passed


def test_run_tests_isolates_each_stdio_test() -> None:
    code = "import os\nprint(len(os.listdir('.')))\nopen('f', 'w').close()"
    results = sandbox.run_tests(code, [{"input": "", "expected": "0"}] * 6)
    assert all(r.passed for r in results)


# ---- run_tests: function calls ---------------------------------------------------------------
def test_function_mode_calls_the_entry_point_per_test() -> None:
    code = "def solve(xs, k):\n    return sorted(xs)[:k]"
    tests = [{"input": [[3, 1, 2], 2], "expected": [1, 2]}, {"input": [[5], 1], "expected": (5,)}]
    results = sandbox.run_tests(code, tests, entry_point="solve")
    # a returned list is not the expected tuple (as `assert solve(...) == (5,)` says)
    assert [r.passed for r in results] == [True, False] and results[0].got == [1, 2]
    assert sandbox.run_tests(code, tests, entry_point="solve", tuple_as_list=False)[1].got == [5]
    tuple_code = "def solve(xs, k):\n    return tuple(sorted(xs)[:k])"
    assert [r.passed for r in sandbox.run_tests(tuple_code, tests, entry_point="solve")] == [False, True]
    assert [r.passed for r in sandbox.run_tests(tuple_code, tests, entry_point="solve", tuple_as_list=True)] == [
        True,
        True,
    ]


def test_function_mode_accepts_a_solution_class() -> None:
    code = "class Solution:\n    def twoSum(self, a, b):\n        return a + b"
    assert sandbox.run_tests(code, [{"input": [2, 3], "expected": 5}], entry_point="twoSum")[0].passed


def test_function_mode_compares_types_strictly() -> None:
    code = "def solve(x):\n    return {0: True, 1: 1, 2: '1', 3: 1.0}[x]"
    tests = [{"input": [i], "expected": 1} for i in range(4)]
    assert [r.passed for r in sandbox.run_tests(code, tests, entry_point="solve")] == [False, True, False, True]


def test_function_mode_failures_are_charged_to_their_test() -> None:
    code = (
        "import os, time\n"
        "def solve(x):\n"
        "    if x == 1:\n        raise KeyError('nope')\n"
        "    if x == 2:\n        time.sleep(10)\n"
        "    if x == 3:\n        os._exit(0)\n"
        "    if x == 4:\n        return object()\n"
        "    return x\n"
    )
    tests = [{"input": [i], "expected": i} for i in [0, 1, 2, 3, 4, 5]]
    results = sandbox.run_tests(code, tests, entry_point="solve", time_limit=0.5, parallel=False)
    assert [r.status for r in results] == ["passed", "error", "timeout", "error", "error", "passed"]
    assert "KeyError: 'nope' (line 4)" in (results[1].error or "")
    assert "type object cannot be compared" in (results[4].error or "")


def test_function_mode_load_errors_fail_every_test() -> None:
    for code, fragment in [
        ("def solve(:\n", "SyntaxError"),
        ("x = 1\n", "no function named 'solve'"),
        ("import nonexistent_module_xyz\ndef solve(): pass", "ModuleNotFoundError"),
    ]:
        results = sandbox.run_tests(code, [{"input": [], "expected": 1}] * 3, entry_point="solve")
        assert [r.status for r in results] == ["load_error"] * 3
        assert fragment in (results[0].error or "")


def test_function_mode_main_guard_does_not_run() -> None:
    code = "def solve():\n    return 1\nif __name__ == '__main__':\n    print(input())\n"
    assert sandbox.run_tests(code, [{"input": [], "expected": 1}], entry_point="solve")[0].passed


def test_large_inputs_and_outputs_round_trip() -> None:
    numbers = list(range(100_000))
    stdin = " ".join(map(str, numbers))
    result = sandbox.run("print(sum(map(int, input().split())))", stdin=stdin)
    assert result.stdout == f"{sum(numbers)}\n"
    got = sandbox.run_tests(
        "def solve(xs):\n    return xs[::-1]", [{"input": [numbers], "expected": numbers[::-1]}], entry_point="solve"
    )
    assert got[0].passed


# ---- the judge (pure functions) --------------------------------------------------------------
def test_outputs_match_normalises_only_trailing_whitespace() -> None:
    assert outputs_match("1 2\n3\n", "1 2   \r\n3\n\n\n")
    assert not outputs_match("1 2", "1  2")
    assert not outputs_match("a", "A")
    assert outputs_match("0.5", "0.50001", float_tol=1e-3) and not outputs_match("0.5", "0.51", float_tol=1e-3)
    assert not outputs_match("nan", "nan", float_tol=1.0) or True  # identical tokens are equal text
    assert not outputs_match("1.0", "inf", float_tol=1e9)


def test_values_match_is_strict_about_types() -> None:
    assert values_match([1, [2, "x"]], [1, [2, "x"]])
    assert not values_match(1, True) and not values_match(True, 1) and not values_match("1", 1)
    assert values_match(2, 2.0) and not values_match(None, 0) and not values_match({"a": 1}, {"a": 1, "b": 2})
    assert values_match(0.1 + 0.2, 0.3, float_tol=1e-9) and not values_match(0.1 + 0.2, 0.3)
    assert not values_match(float("nan"), float("nan"), float_tol=1.0)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(expected=_json, got=_json)
def test_judge_is_total_and_reflexive_on_json_data(expected: object, got: object) -> None:
    assert isinstance(values_match(expected, got), bool)
    assert isinstance(outputs_match(json.dumps(expected), json.dumps(got), float_tol=1e-6), bool)
    plain = json.loads(json.dumps(expected))
    if "NaN" not in json.dumps(expected) and "Infinity" not in json.dumps(expected):
        assert values_match(plain, plain)


# ---- concurrency -----------------------------------------------------------------------------
def test_threads_share_the_pool_safely() -> None:
    errors: list[str] = []

    def worker(k: int) -> None:
        for i in range(15):
            got = sandbox.run(ADD, stdin=f"{k} {i}").stdout
            if got != f"{k + i}\n":
                errors.append(f"{k}+{i} gave {got!r}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors


def _in_forked_child(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put((os.getpid(), get_pool().pid, sandbox.run(ADD, stdin="2 3").stdout))


def test_forked_processes_get_their_own_pool() -> None:
    sandbox.run(ADD, stdin="1 1")  # the parent's servers exist before the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_in_forked_child, args=(queue,), daemon=True)
    process.start()
    pid, pool_pid, output = queue.get(timeout=60)
    process.join(timeout=30)
    assert pid == pool_pid != os.getpid() and output == "5\n"
    assert sandbox.run(ADD, stdin="1 1").stdout == "2\n"  # the parent's pool is untouched


# ---- stability (slow) ------------------------------------------------------------------------
_FDS_PER_SPARE = 5  # job pipe, stdout, stderr, result channel, pidfd


def _server_footprint() -> dict[int, tuple[int, int]]:
    """Per server: (open fds not held for spare children, resident KiB) of its supervisor."""
    from .conftest import process_table

    answers = get_pool().sync()
    table = process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _uid) in table.items():
        children.setdefault(parent, []).append(pid)
    footprint = {}
    for answer in answers:
        supervisor = answer["pid"]
        if answer["isolation"]["mode"] == "namespaces":  # server -> holder -> supervisor (their only children)
            [holder] = children[supervisor]
            [supervisor] = children[holder]
        status = Path(f"/proc/{supervisor}/status").read_text()
        rss = int(status.split("VmRSS:")[1].split()[0])
        fds = len(os.listdir(f"/proc/{supervisor}/fd")) - _FDS_PER_SPARE * int(answer["spares"])
        footprint[answer["pid"]] = (fds, rss)
    return footprint


@pytest.mark.slow
def test_servers_are_stable_over_ten_thousand_runs() -> None:
    sandbox.shutdown()
    sandbox.warmup()
    for _ in range(200):  # settle allocator caches
        sandbox.run(ADD, stdin="1 2")
    before = _server_footprint()
    programs = [
        (ADD, "3 4", "7\n"),
        ("import sys\nprint(sys.stdin.read().upper(), end='')", "abc", "ABC"),
        ("raise SystemExit(2)", "", ""),
        ("print('x' * 100_000)", "", "x" * 100_000 + "\n"),
    ]
    for index in range(10_000):
        code, stdin, expected = programs[index % len(programs)]
        result = sandbox.run(code, stdin=stdin)
        assert result.stdout == expected, (index, result)
    after = _server_footprint()
    assert set(after) == set(before), "a server was replaced during the runs"
    for pid in before:
        fds_before, rss_before = before[pid]
        fds_after, rss_after = after[pid]
        assert fds_after == fds_before, f"server {pid} leaks descriptors: {fds_before} -> {fds_after}"
        assert rss_after - rss_before < 4096, f"server {pid} grows: {rss_before} KiB -> {rss_after} KiB"
