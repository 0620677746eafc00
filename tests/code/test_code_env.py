"""Code-v0's protocol: code extraction, feedback, rewards, verdict details, offline verification."""

from __future__ import annotations

import time
from collections.abc import Iterator

import gymnasium as gym
import pytest

import rlvr_envs
from rlvr_envs.core.parsing import extract_code
from rlvr_envs.errors import SpecError

MAX_SUBARRAY_WRONG = "```python\ndef solve(a):\n    return max(a)\n```"  # right only when no positive sum beats it


def _env(**kwargs: object) -> gym.Env:  # type: ignore[type-arg]
    return gym.make("rlvr/Code-v0", **kwargs)


def _reset_on(env: gym.Env, template: str, mode: str, level: int = 2, seed: int = 0) -> dict:  # type: ignore[type-arg]
    """Reset until the drawn task uses ``template`` (the config restricts the draw to it)."""
    _obs, info = env.reset(seed=seed, options={"level": level})
    task = rlvr_envs.unwrap(env).task
    assert task is not None and task.data["templates"] == [template] and task.data["mode"] == mode
    return info


def test_extract_code_prefers_python_blocks_and_never_raises() -> None:
    assert extract_code("no code") is None
    assert extract_code("```python\nprint(1)\n```\ntext\n```\nprint(2)\n```") == "print(1)\n"
    assert extract_code("```\nprint(2)\n```") == "print(2)\n"
    assert extract_code("```bash\nrm -rf /\n```") is None
    assert extract_code("<think>```python\nbad()\n```</think>```python\ngood()\n```") == "good()\n"
    assert extract_code("```python\nunclosed()") == "unclosed()"
    for junk in ["```", "``````", "```python```", "\x00```\n", "~~~\n~~~"]:
        assert extract_code(junk) is None or isinstance(extract_code(junk), str)


def test_statement_shows_interface_constraints_examples_and_limits() -> None:
    env = _env(templates=["kth_smallest"], modes=["stdio"])
    observation, info = env.reset(seed=1, options={"level": 3})
    assert "Input (standard input)" in observation and "Output (standard output)" in observation
    assert "Constraints:" in observation and "Time limit:" in observation and "Example 1" in observation
    assert info["messages"][0]["role"] == "system"
    env = _env(templates=["kth_smallest"], modes=["function"])
    observation, _ = env.reset(seed=1, options={"level": 3})
    assert "def solve(k: int, a: list[int]) -> int" in observation and "returns" in observation


def test_missing_code_gets_feedback_then_no_reward() -> None:
    env = _env(max_attempts=2, max_turns=2)
    env.reset(seed=0)
    observation, reward, terminated, truncated, info = env.step("I would use a heap.")
    assert "could not find a code block" in observation and reward == 0 and not terminated
    assert info["feedback"]["format"] == 0.0
    observation, reward, terminated, truncated, info = env.step("still no code")
    assert terminated and not truncated and reward == 0.0
    assert info["verdict"]["components"]["format"] == 0.0


def test_failing_examples_come_back_with_input_expected_and_got() -> None:
    env = _env(templates=["max_subarray_sum"], modes=["function"], max_attempts=3)
    _reset_on(env, "max_subarray_sum", "function")
    observation, reward, terminated, _, _ = env.step("```python\ndef solve(a):\n    return 12345\n```")
    assert not terminated and reward == 0.0
    assert "failed" in observation and "Call: solve([" in observation
    assert "Expected return value:" in observation and "Your return value: 12345" in observation
    assert "2 attempts left" in observation


def test_runtime_errors_and_timeouts_are_explained() -> None:
    env = _env(templates=["reverse_words"], modes=["stdio"], max_attempts=3, time_limit_s=0.3)
    _reset_on(env, "reverse_words", "stdio")
    observation, *_ = env.step("```python\nraise ValueError('nope')\n```")
    assert "runtime error" in observation and "ValueError: nope" in observation and "Input:" in observation
    observation, *_ = env.step("```python\nwhile True:\n    pass\n```")
    assert "time limit exceeded (0.3 s)" in observation


def test_final_reward_is_the_hidden_pass_rate_with_per_test_details() -> None:
    env = _env(templates=["max_subarray_sum"], modes=["function"], max_attempts=1, hidden_tests=12)
    rates = set()
    for seed in range(6):
        _reset_on(env, "max_subarray_sum", "function", level=4, seed=seed)
        _, reward, terminated, _, info = env.step(MAX_SUBARRAY_WRONG)
        verdict = info["verdict"]
        hidden = verdict["details"]["hidden"]
        assert terminated and len(hidden) == 12
        passed = sum(test["passed"] for test in hidden)
        assert reward == pytest.approx(passed / 12) == pytest.approx(verdict["components"]["tests_passed"])
        assert all({"index", "status", "timed_out", "wall_s"} <= set(test) for test in hidden)
        rates.add(round(reward, 3))
    assert len(rates) > 1 and max(rates) < 1.0, "a half-right program earns partial, varying credit"


def test_binary_mode_and_attempt_decay() -> None:
    env = _env(templates=["max_subarray_sum"], modes=["function"], max_attempts=1, reward={"mode": "binary"})
    _reset_on(env, "max_subarray_sum", "function", level=4)
    assert env.step(MAX_SUBARRAY_WRONG)[1] == 0.0
    env = _env(templates=["max_subarray_sum"], modes=["function"], max_attempts=3, reward={"attempt_decay": 0.5})
    _reset_on(env, "max_subarray_sum", "function", level=4)
    env.step("no code yet")
    _, reward, terminated, _, info = env.step(rlvr_envs.unwrap(env).oracle_action())
    assert terminated and reward == 0.5 and info["verdict"]["components"]["attempts"] == 2.0


def test_timeouts_are_counted_in_the_verdict() -> None:
    env = _env(
        templates=["count_primes"],
        modes=["stdio"],
        max_attempts=1,
        time_limit_s=0.3,
        hidden_tests=3,
        stop_after_timeout=False,
    )
    _reset_on(env, "count_primes", "stdio")
    _, reward, _, _, info = env.step("```python\nwhile True:\n    pass\n```")
    verdict = info["verdict"]
    assert reward == 0.0 and verdict["timed_out"] and verdict["components"]["timeouts"] == 3.0
    assert {test["status"] for test in verdict["details"]["hidden"]} == {"timeout"}


@pytest.mark.parametrize("mode", ["stdio", "function"])
def test_a_looping_program_costs_about_one_time_limit(mode: str) -> None:
    """By default a submission's tests stop at its first time-out (per parallel share of the pool)."""
    env = _env(templates=["count_primes"], modes=[mode], max_attempts=1, time_limit_s=0.5, hidden_tests=12)
    _reset_on(env, "count_primes", mode)
    loop = "while True:\n    pass" if mode == "stdio" else "def solve(n):\n    while True:\n        pass"
    started = time.monotonic()
    _, reward, _, _, info = env.step(f"```python\n{loop}\n```")
    elapsed = time.monotonic() - started
    components = info["verdict"]["components"]
    statuses = [test["status"] for test in info["verdict"]["details"]["hidden"]]
    assert reward == 0.0 and set(statuses) == {"timeout", "skipped"}
    assert components["timeouts"] + components["skipped"] == 12.0 and components["timeouts"] <= 2
    assert elapsed < 3 * 0.5 + 1.0, f"12 looping tests took {elapsed:.2f} s at a 0.5 s limit"
    assert "skipped" in info["verdict"]["reason"]


def test_truncation_scores_the_last_submission() -> None:
    env = _env(templates=["max_subarray_sum"], modes=["function"], max_attempts=5, max_turns=1)
    _reset_on(env, "max_subarray_sum", "function", level=4, seed=2)
    _, reward, terminated, truncated, info = env.step("```python\ndef solve(a):\n    return 12345\n```")
    assert truncated and not terminated and reward == 0.0
    components = info["verdict"]["components"]
    assert components["tests_total"] == 10 and components["public_passed"] == 0.0


def test_offline_verify_matches_the_env() -> None:
    env = _env()
    env.reset(seed=4, options={"level": 3})
    inner = rlvr_envs.unwrap(env)
    task = inner.task
    assert task is not None
    answer = inner.oracle_action()
    verdict = rlvr_envs.verify("rlvr/Code-v0", task.model_dump(), answer)
    assert verdict.reward == 1.0 and verdict.correct
    transcript = [
        {"role": "user", "content": task.prompt},
        {"role": "assistant", "content": "no code"},
        {"role": "assistant", "content": answer},
    ]
    assert rlvr_envs.verify("rlvr/Code-v0", task, transcript).components["attempts"] == 2.0
    assert rlvr_envs.verify("rlvr/Code-v0", task, "plain text").reward == 0.0


def test_config_errors_say_what_to_fix() -> None:
    with pytest.raises(SpecError, match="unknown template 'nope'"):
        _env(templates=["nope"])
    with pytest.raises(SpecError, match="unknown category"):
        _env(categories=["poetry"])
    with pytest.raises(SpecError, match="modes"):
        _env(modes=[])
    with pytest.raises(SpecError, match="no such file"):
        _env(source="/nonexistent/problems.jsonl")


def test_generated_tests_always_discriminate() -> None:
    """No task has one expected output on every hidden test, or hidden tests that echoing passes."""
    from rlvr_envs.tasks.code.problems import echoes, hidden_tests

    env = _env()
    inner = rlvr_envs.unwrap(env)
    for level in (0, 4, 6, 8):
        for seed in range(60):
            env.reset(seed=seed, options={"level": level})
            task = inner.task
            assert task is not None
            hidden = hidden_tests(task.data)
            assert len({repr(t.expected) for t in hidden}) > 1, task.data["templates"]
            assert not all(echoes(task.data["mode"], t) for t in hidden), task.data["templates"]
            steps = task.data["templates"][:-1]
            assert len(steps) == len(set(steps)), "a pipeline repeats a step"


def test_a_constant_output_earns_nothing_even_where_it_is_sometimes_right() -> None:
    env = _env(templates=["max_subarray_sum"], modes=["function"], max_attempts=1, hidden_tests=12)
    for seed in range(4):
        _reset_on(env, "max_subarray_sum", "function", level=4, seed=seed)
        task = rlvr_envs.unwrap(env).task
        from rlvr_envs.tasks.code.problems import hidden_tests

        value = hidden_tests(task.data)[0].expected  # right on at least one hidden test
        _, reward, _, _, info = env.step(f"```python\ndef solve(a):\n    return {value!r}\n```")
        assert info["verdict"]["components"]["tests_passed"] > 0
        assert reward == 0.0 and "same output on every test" in info["verdict"]["reason"]


def test_the_lazy_degeneracy_check_agrees_with_the_whole_list() -> None:
    """`degenerate` stops reading hidden tests once decided; its verdict must be the whole list's,
    including on made-up lists that are degenerate only in their last test (or not at all)."""
    from rlvr_envs.tasks.code.problems import degenerate
    from rlvr_envs.verifiers.sandbox import TestCase

    def whole(mode: str, tests: list[TestCase]) -> str | None:  # the rule, read over the full list
        from rlvr_envs.tasks.code.problems import echoes

        if len({repr(t.expected) for t in tests}) < 2:
            return "every test has the same expected output"
        return "every expected output equals the input" if all(echoes(mode, t) for t in tests) else None

    same = [TestCase(input=[[i]], expected=0) for i in range(5)]
    echo = [TestCase(input=[i], expected=i) for i in range(5)]
    varied = [TestCase(input=[[i]], expected=i) for i in range(5)]
    cases = [same, echo, varied, [*same[:-1], varied[-1]], [*echo[:-1], varied[-1]], [], same[:1]]
    for tests in cases:
        assert degenerate("function", [], iter(tests)) == whole("function", tests), tests
    read = []

    def counted() -> Iterator[TestCase]:
        for test in varied:
            read.append(test)
            yield test

    assert degenerate("function", [], counted()) is None and len(read) == 2  # decided after two


def test_hidden_tests_read_in_part_then_in_full_are_the_fresh_ones() -> None:
    """Generation reads a prefix of a task's hidden tests; judging continues from the kept prefix,
    and must get exactly the tests a fresh build gives (also after the prefix was evicted)."""
    from rlvr_envs.tasks.code import problems

    key = (("count_inversions",), "stdio", 6, 12345, 8)
    fresh = list(problems._hidden_stream(*key))
    problems._HIDDEN.clear()
    prefix = problems._HIDDEN.stream(key)
    assert [next(prefix), next(prefix)] == fresh[:2]
    assert list(problems._hidden(*key)) == fresh
    small = problems._HiddenTests(maxsize=1)
    partial = small.stream(key)
    assert next(partial) == fresh[0]
    list(small.stream((("count_inversions",), "stdio", 6, 999, 8)))  # evicts the first task's tests
    assert [fresh[0], *partial] == fresh
