"""Tests for rlvr_envs.verifiers.math (fast paths, worker pool, hostile input, concurrency)."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_envs.verifiers import math as mv
from rlvr_envs.verifiers import math_pool
from rlvr_envs.verifiers.math import MathCheck, cache_info, check_answer, check_many, clear_cache
from tests.math import equivalence_pairs

PAIRS: list[tuple[str, str, bool, str]] = equivalence_pairs.PAIRS

LIMIT = 1.0  # seconds; hostile checks must answer within 2 * LIMIT (tests allow slack for load)
FAST_METHODS = {"exact", "numeric", "rational", "sympy", "too_long", "unparseable"}
# Numerically equal (so the fast path defers) but sympy needs ~20 s to simplify the difference.
SLOW_FOR_MATH_VERIFY = ("(\\sin x + \\cos x)^{64}", "(1 + 2\\sin x \\cos x)^{32}")
NEEDS_MATH_VERIFY = ("\\sin^{2}{\\left(x \\right)}", "1 - \\cos^{2} x")

HOSTILE: list[tuple[str, str]] = [
    ("9^9^9^9", "9^9^9^9"),
    ("10**10**10", "10**10**10"),
    ("2^{2^{2^{100}}}", "2^{2^{2^{100}}}"),
    ("9^{9^{9^{9}}}", "9^{9^{9^{9}}}"),
    ("100000000!", "100000000!"),
    ("deep-10k", "(" * 10_000 + "1" + ")" * 10_000),
    ("deep-braces-10k", "{" * 10_000 + "1" + "}" * 10_000),
    ("deep-1500", "(" * 1_500 + "1" + ")" * 1_500),
    ("frac-tower", "\\frac{1}{" * 600 + "2" + "}" * 600),
    ("sum-20k", "+".join(["1"] * 20_000)),
    ("sum-1900", "+".join(["1"] * 1_900)),
    ("one-megabyte", "1" * 1_000_000),
    ("one-megabyte-latex", "\\frac{1}{2}" * 100_000),
    ("poly-power", "(x+y+z+w)^{64}"),
    ("huge-radicand", "\\sqrt{" + "7" * 3000 + "}"),
]


@pytest.fixture(scope="module", autouse=True)
def _warm_pool() -> Iterator[None]:
    """Workers start once for the module (start-up is not part of any per-check limit)."""
    mv.warmup()
    yield


def _label(i: int, pair: tuple[str, str, bool, str]) -> str:
    return f"{i:03d}-" + "".join(c if c.isalnum() else "_" for c in pair[3])[:40]


# ---------------------------------------------------------------------------------------------
# The equivalence table
# ---------------------------------------------------------------------------------------------


def test_table_is_large_and_balanced() -> None:
    assert len(PAIRS) >= 150
    n_true = sum(1 for p in PAIRS if p[2])
    assert 0.3 < n_true / len(PAIRS) < 0.8


@pytest.mark.parametrize(
    ("gold", "predicted", "expected", "note"),
    PAIRS,
    ids=[_label(i, p) for i, p in enumerate(PAIRS)],
)
def test_equivalence_pair(gold: str, predicted: str, expected: bool, note: str) -> None:
    r = check_answer(gold, predicted, timeout_s=5.0)
    assert isinstance(r, MathCheck)
    assert r.equal is expected, f"{note}: {gold!r} vs {predicted!r} -> {r}"
    assert r.method != "timeout", r


def test_known_math_verify_false_positives_are_decided_in_process() -> None:
    """The fixes must come from the fast path, not from a lucky math-verify answer."""
    for gold, pred in [
        ("\\frac{1}{2004!}", "\\frac{1}{2006!}"),
        ("\\left\\{1, 2\\right\\}", "(1,2)"),
        ("\\left(1, 2\\right)", "\\{1, 2\\}"),
        ("\\frac{1}{3}", "0.333333"),
        ("\\frac{1}{3}", "0.333"),
    ]:
        r = check_answer(gold, pred)
        assert r.equal is False and r.method in ("rational", "numeric"), (gold, pred, r)


def test_method_labels() -> None:
    assert check_answer("42", "42").method == "exact"
    assert check_answer("\\frac{1}{2}", "0.5").method == "rational"
    assert check_answer("2 \\sqrt{3}", "\\sqrt{12}").method == "numeric"
    assert check_answer("\\left\\{-2, 3\\right\\}", "3, -2").method == "numeric"
    assert check_answer("x^{2} + 2 x + 1", "(x+1)^2").method == "sympy"
    assert check_answer(*NEEDS_MATH_VERIFY).method == "math_verify"
    assert check_answer("1", "x" * 5000).method == "too_long"
    assert check_answer("1", "").method == "unparseable"


def test_opaque_functions_inequality_decided_numerically() -> None:
    """Different canonical forms with sin/cos/exp are only *unequal* when a sample point proves it."""
    r = check_answer("3 \\cos{\\left(x \\right)}", "3\\sin x")
    assert r.equal is False and r.method == "sympy", r
    r = check_answer("e^{2 x}", "e^{x}")
    assert r.equal is False and r.method == "sympy", r
    # identities are numerically equal, so they still need math-verify's symbolic proof
    r = check_answer("\\sin{\\left(2 x \\right)}", "2\\sin x\\cos x")
    assert r.equal is True and r.method == "math_verify", r
    # |x| and x agree at positive sample points: never decided False on that basis
    r = check_answer("\\left|{x}\\right|", "x")
    assert r.method == "math_verify", r


@pytest.mark.parametrize("timeout_s", [0.0, -1.0, float("nan"), float("inf"), 1e-9])
def test_odd_timeouts_never_raise(timeout_s: float) -> None:
    r = check_answer("\\frac{1}{2}", "0.5", timeout_s=timeout_s)
    assert r.equal and r.method == "rational"
    clear_cache()
    r = check_answer(*NEEDS_MATH_VERIFY, timeout_s=timeout_s)
    assert isinstance(r, MathCheck) and r.elapsed_s >= 0
    clear_cache()


def test_non_string_inputs_never_raise() -> None:
    for gold, pred in [(None, "1"), ("1", None), (1, "1"), ("1", b"1")]:
        r = check_answer(gold, pred)  # type: ignore[arg-type]
        assert r.equal is False and r.method == "unparseable"


# ---------------------------------------------------------------------------------------------
# Property-based tests
# ---------------------------------------------------------------------------------------------

_LATEXISH = st.lists(
    st.sampled_from(
        [
            "0", "1", "2", "7", "12", "0.5", ".", "x", "y", "e", "i", "\\pi", "\\infty", "+", "-",
            "*", "/", "^", "_", "**", "!", "%", "\\%", "(", ")", "[", "]", "{", "}", "\\{", "\\}",
            "\\left(", "\\right)", "\\frac", "\\dfrac", "\\sqrt", "\\sqrt[3]", "\\pm", "\\cdot",
            "\\times", ",", "=", "\\cup", "\\text{", "cm", "\\sin", "\\log", "\\ln", "|", " ",
            "\\begin{pmatrix}", "\\end{pmatrix}", "&", "\\\\", "\\overline", "e3", "$", "\\$",
            "\\binom", "\\emptyset", "\\operatorname{atan}", "\\mathbf{", "\\approx", "<",
        ]
    ),
    max_size=30,
).map("".join)  # fmt: skip

_GOLDS = ["42", "\\frac{3}{4}", "x^{2} + 2 x + 1", "\\left\\{-2, 3\\right\\}", "\\left(1, 2\\right)"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pred=st.text(max_size=60), gold=st.sampled_from(_GOLDS))
def test_random_unicode_never_raises(pred: str, gold: str) -> None:
    t0 = time.perf_counter()
    r = check_answer(gold, pred, timeout_s=LIMIT)
    assert isinstance(r, MathCheck)
    # the deadline holds: a SIGKILLed worker is respawned; slack for a loaded 2-core machine
    assert time.perf_counter() - t0 < 3 * LIMIT + 1.0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pred=_LATEXISH, gold=st.sampled_from(_GOLDS))
def test_random_latexish_never_raises(pred: str, gold: str) -> None:
    t0 = time.perf_counter()
    r = check_answer(gold, pred, timeout_s=LIMIT)
    assert isinstance(r, MathCheck)
    # the deadline holds: a SIGKILLed worker is respawned; slack for a loaded 2-core machine
    assert time.perf_counter() - t0 < 3 * LIMIT + 1.0


@settings(max_examples=40, deadline=None)
@given(gold=_LATEXISH, pred=_LATEXISH)
def test_random_latexish_gold_never_raises(gold: str, pred: str) -> None:
    r = check_answer(gold, pred, timeout_s=LIMIT)
    assert isinstance(r, MathCheck)


def _canonical(q: Fraction) -> str:
    """How our generators print a rational (sympy latex style)."""
    if q.denominator == 1:
        return str(q.numerator)
    sign = "-" if q < 0 else ""
    return f"{sign}\\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


def _terminating_decimal(q: Fraction) -> str | None:
    d = q.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return None
    digits = max(twos, fives)
    scaled = abs(q) * 10**digits
    assert scaled.denominator == 1
    s = str(scaled.numerator).rjust(digits + 1, "0")
    body = s[: len(s) - digits] + ("." + s[len(s) - digits :] if digits else "")
    return ("-" if q < 0 else "") + body


_fractions = st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**4)


@settings(max_examples=200, deadline=None)
@given(q=_fractions)
def test_fraction_surface_forms_equal_canonical(q: Fraction) -> None:
    gold = _canonical(q)
    a, b = q.numerator, q.denominator
    forms = [f"{a}/{b}", f"\\frac{{{a}}}{{{b}}}", f"\\dfrac{{{a}}}{{{b}}}", _canonical(q)]
    if a < 0:
        forms.append(f"-\\frac{{{-a}}}{{{b}}}")
    dec = _terminating_decimal(q)
    if dec is not None:
        forms.append(dec)
    for form in forms:
        r = check_answer(gold, form)
        assert r.equal, (gold, form, r)
        assert r.method in FAST_METHODS, (gold, form, r)


@settings(max_examples=200, deadline=None)
@given(q1=_fractions, q2=_fractions)
def test_distinct_fractions_never_equal(q1: Fraction, q2: Fraction) -> None:
    if q1 == q2:
        return
    for form in (f"{q2.numerator}/{q2.denominator}", _canonical(q2), _terminating_decimal(q2)):
        if form is None:
            continue
        r = check_answer(_canonical(q1), form)
        assert not r.equal, (q1, q2, form, r)
        assert r.method in FAST_METHODS, (q1, q2, form, r)


# ---------------------------------------------------------------------------------------------
# Hostile input: main thread, worker thread, subprocess
# ---------------------------------------------------------------------------------------------


def _timed(gold: str, pred: str) -> tuple[float, MathCheck]:
    mv.warmup()  # a worker killed by the previous case is restarted outside the measured window
    t0 = time.perf_counter()
    r = check_answer(gold, pred, timeout_s=LIMIT)
    return time.perf_counter() - t0, r


@pytest.mark.parametrize(("name", "pred"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_main_thread(name: str, pred: str) -> None:
    for gold in ("42", "x^{2} + 1"):
        dt, r = _timed(gold, pred)
        assert dt < 2 * LIMIT, (name, gold, dt, r)
        assert r.equal is False, (name, r)


@pytest.mark.parametrize(("name", "pred"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_worker_thread(name: str, pred: str) -> None:
    out: dict[str, Any] = {}

    def target() -> None:
        out["result"] = _timed("42", pred)

    th = threading.Thread(target=target)
    th.start()
    th.join(timeout=30)
    assert not th.is_alive()
    dt, r = out["result"]
    assert dt < 2 * LIMIT, (name, dt, r)
    assert r.equal is False


_SUBPROCESS_SCRIPT = """
import json, sys, time
from rlvr_envs.verifiers import math as mv
cases = json.loads(sys.stdin.read())
mv.warmup()
out = []
for name, pred in cases:
    mv.warmup()
    t0 = time.perf_counter()
    r = mv.check_answer("42", pred, timeout_s=%r)
    out.append([name, time.perf_counter() - t0, r.equal, r.method])
mv.shutdown()
print(json.dumps(out))
"""


def test_hostile_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _SUBPROCESS_SCRIPT % LIMIT],
        input=json.dumps(HOSTILE),
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(rows) == len(HOSTILE)
    for name, dt, equal, method in rows:
        assert dt < 2 * LIMIT, (name, dt, method)
        assert equal is False, (name, method)


def test_too_long_is_immediate() -> None:
    t0 = time.perf_counter()
    r = check_answer("1", "1" * 5_000_000)
    assert r.method == "too_long" and not r.equal
    assert time.perf_counter() - t0 < 0.05


# ---------------------------------------------------------------------------------------------
# Worker pool behaviour
# ---------------------------------------------------------------------------------------------


def _worker_pids() -> set[int]:
    pool = math_pool.get_pool()
    return {w.proc.pid for w in pool.slots if w is not None and w.alive()}


def test_timeout_kills_and_respawns_worker() -> None:
    clear_cache()
    mv.warmup()
    before = _worker_pids()
    t0 = time.perf_counter()
    r = check_answer(*SLOW_FOR_MATH_VERIFY, timeout_s=LIMIT)
    dt = time.perf_counter() - t0
    assert r.method == "timeout" and r.equal is False, r
    assert LIMIT * 0.9 < dt < 2 * LIMIT
    assert "timed out" in r.detail
    after = _worker_pids()
    assert before - after, "the overrunning worker must have been killed"
    # The next check still works (on the respawned or the other worker).
    for _ in range(3):
        r2 = check_answer(*NEEDS_MATH_VERIFY, timeout_s=30)
        assert r2.equal and r2.method == "math_verify", r2
        clear_cache()


def test_timeout_verdict_cached_only_for_same_or_shorter_limit() -> None:
    clear_cache()
    mv.warmup()
    r1 = check_answer(*SLOW_FOR_MATH_VERIFY, timeout_s=0.3)
    assert r1.method == "timeout"
    r2 = check_answer(*SLOW_FOR_MATH_VERIFY, timeout_s=0.2)
    assert r2.method == "timeout" and r2.detail.startswith("cache hit")
    mv.warmup()
    r3 = check_answer(*SLOW_FOR_MATH_VERIFY, timeout_s=0.5)
    assert r3.method == "timeout" and not r3.detail.startswith("cache hit")


def test_worker_killed_externally_is_replaced() -> None:
    clear_cache()
    mv.warmup()
    for pid in _worker_pids():
        os.kill(pid, 9)
    time.sleep(0.2)
    r = check_answer(*NEEDS_MATH_VERIFY, timeout_s=30)
    assert r.equal and r.method == "math_verify", r


def test_cache_hit() -> None:
    clear_cache()
    r1 = check_answer("\\frac{3}{4}", "0.75")
    r2 = check_answer("\\frac{3}{4}", "0.75")
    r3 = check_answer("\\frac{3}{4}", "$0.75$")  # same after normalisation
    assert r1.equal and r2.equal and r3.equal
    assert not r1.detail.startswith("cache hit")
    assert r2.detail.startswith("cache hit") and r3.detail.startswith("cache hit")
    assert r2.method == r1.method
    assert cache_info()["hits"] >= 2
    # deferred verdicts are cached too
    check_answer(*NEEDS_MATH_VERIFY)
    t0 = time.perf_counter()
    r4 = check_answer(*NEEDS_MATH_VERIFY)
    assert r4.detail.startswith("cache hit") and time.perf_counter() - t0 < 0.01


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_cache()
    monkeypatch.setattr(mv, "_CACHE_MAX", 10)
    for i in range(50):
        check_answer(str(i), str(i))
    assert cache_info()["size"] == 10


def test_check_many_preserves_order() -> None:
    clear_cache()
    pairs = [(g, p) for g, p, _, _ in PAIRS[::3]]
    pairs += [NEEDS_MATH_VERIFY, ("\\sin{\\left(2 x \\right)}", "2\\sin x\\cos x"), NEEDS_MATH_VERIFY]
    pairs += [("1", "x" * 5000), ("3", "")]
    batch = check_many(pairs, timeout_s=10)
    assert len(batch) == len(pairs)
    clear_cache()
    single = [check_answer(g, p, timeout_s=10) for g, p in pairs]
    assert [b.equal for b in batch] == [s.equal for s in single]
    assert [b.method for b in batch] == [s.method for s in single]
    assert check_many([]) == []


def test_check_many_from_threads() -> None:
    clear_cache()
    pairs = [(g, p) for g, p, _, _ in PAIRS]
    expected = [e for _, _, e, _ in PAIRS]
    results: list[list[bool]] = []
    lock = threading.Lock()

    def target() -> None:
        res = [r.equal for r in check_many(pairs, timeout_s=10)]
        with lock:
            results.append(res)

    threads = [threading.Thread(target=target) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 4
    assert all(r == expected for r in results)


def test_shutdown_is_idempotent_and_restartable() -> None:
    mv.shutdown()
    mv.shutdown()
    clear_cache()
    r = check_answer(*NEEDS_MATH_VERIFY, timeout_s=30)
    assert r.equal and r.method == "math_verify"


# ---------------------------------------------------------------------------------------------
# Daemonic processes (gymnasium AsyncVectorEnv workers are daemonic multiprocessing children)
# ---------------------------------------------------------------------------------------------


def _daemon_target(q: Any) -> None:
    try:
        clear_cache()  # a forked child inherits the parent's cache; make it use its own workers
        r1 = check_answer("x^{2} + 2 x + 1", "(x+1)^2")
        r2 = check_answer(*NEEDS_MATH_VERIFY, timeout_s=30)
        r3 = check_answer(*SLOW_FOR_MATH_VERIFY, timeout_s=0.5)
        r4 = check_answer("\\sin{\\left(2 x \\right)}", "2\\sin x\\cos x", timeout_s=30)
        q.put(
            {
                "daemon": mp.current_process().daemon,
                "results": [[r.equal, r.method] for r in (r1, r2, r3, r4)],
            }
        )
    except BaseException as exc:
        q.put({"error": repr(exc)})
    finally:
        mv.shutdown()


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_inside_daemon_process(start_method: str) -> None:
    check_answer(*NEEDS_MATH_VERIFY)  # parent has a live pool that the child must not reuse
    ctx: Any = mp.get_context(start_method)
    q = ctx.Queue()
    p = ctx.Process(target=_daemon_target, args=(q,), daemon=True)
    p.start()
    msg = q.get(timeout=120)
    p.join(timeout=30)
    assert "error" not in msg, msg
    assert msg["daemon"] is True
    assert msg["results"] == [[True, "sympy"], [True, "math_verify"], [False, "timeout"], [True, "math_verify"]]
    # the parent's own pool is untouched
    clear_cache()
    assert check_answer(*NEEDS_MATH_VERIFY, timeout_s=30).method == "math_verify"


def test_gymnasium_async_vector_env() -> None:
    gym: Any = pytest.importorskip("gymnasium")
    import numpy as np

    class _AnswerEnv(gym.Env):  # type: ignore[misc]
        observation_space = gym.spaces.Discrete(2)
        action_space = gym.spaces.Discrete(2)

        def reset(self, *, seed: int | None = None, options: Any = None) -> tuple[int, dict[str, Any]]:
            super().reset(seed=seed)
            clear_cache()
            return 0, {}

        def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
            pred = "(x+1)^2" if action == 0 else "1 - \\cos^{2} x"
            gold = "x^{2} + 2 x + 1" if action == 0 else "\\sin^{2}{\\left(x \\right)}"
            r = check_answer(gold, pred, timeout_s=30)
            return 1, float(r.equal), True, False, {"method": r.method}

    envs = gym.vector.AsyncVectorEnv([_AnswerEnv, _AnswerEnv], context="fork")
    try:
        envs.reset(seed=0)
        _, rewards, _, _, infos = envs.step(np.array([0, 1]))
        assert list(rewards) == [1.0, 1.0]
        assert list(infos["method"]) == ["sympy", "math_verify"]
    finally:
        envs.close()
