"""Math answer verifier: exact in-process fast paths, math-verify in killable worker processes.

Why this exists: ``math_verify`` is the reference semantics for "is this final answer equal to the
gold answer", but it is slow (~150 checks/s per core), bounds its own run time with
``signal.alarm`` (unusable off the main thread) and has a few false positives (sets == tuples,
``1/2004! == 1/2006!`` after float rounding, ``1/3 == 0.333333``).

Design (see ``docs/math-verifier.md`` for the full semantics):

1. Normalise both strings (delimiters, ``\\left``/``\\right``, spacing, ``\\dfrac``, units, ...).
2. Exact match of the normalised strings.
3. A small hand-written tokenizer/parser evaluates both sides into *exact* values: rationals
   (``fractions.Fraction``), the field ``Q(sqrt 2, sqrt 3, ..., pi)``, multivariate rational
   functions, plus opaque atoms for ``sin``/``log``/... and structured kinds (sets, tuples,
   intervals, matrices, equations, text).  No ``eval``, no ``sympify``; every exponent, factorial
   and polynomial product is size-bounded *before* it is computed.  Where the canonical forms
   decide the question with certainty we answer; otherwise we defer.
4. Deferred pairs go to ``math_verify`` running in ``subprocess.Popen`` workers
   (``python -m rlvr_envs.verifiers._math_worker``) speaking length-prefixed JSON.  The parent
   enforces a wall-clock deadline with ``poll()`` on the pipe and SIGKILLs + respawns a worker
   that overruns it.  Subprocesses (not ``multiprocessing``) so this also works inside daemonic
   ``AsyncVectorEnv`` workers, threads and forked children.
5. Verdicts are memoised in a bounded LRU keyed on the normalised pair.

Layout: this module is the public API, the verdict cache and the glue between the steps.
Steps 1-3 live in the private subpackage :mod:`rlvr_envs.verifiers.mathexpr` (normalisation,
gold-aware rewriting, parser, exact algebra, evaluation, comparison; see its docstring), step 4
in :mod:`rlvr_envs.verifiers.math_pool` and :mod:`rlvr_envs.verifiers._math_worker`.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from rlvr_envs.verifiers.math_pool import get_pool, shutdown, warmup
from rlvr_envs.verifiers.mathexpr.compare import fast_path
from rlvr_envs.verifiers.mathexpr.gold import gold_info, rewrite_pred, wrong_label
from rlvr_envs.verifiers.mathexpr.normalise import normalise
from rlvr_envs.verifiers.mathexpr.verdict import Method, Verdict

__all__ = [
    "MathCheck",
    "cache_info",
    "check_answer",
    "check_antiderivative",
    "check_many",
    "clear_cache",
    "shutdown",
    "warmup",
]

#: Inputs longer than this (after normalisation) are rejected without parsing.
MAX_ANSWER_CHARS = 4000
#: Raw inputs longer than this are rejected before normalisation (keeps hostile input O(1)).
_MAX_RAW_CHARS = 4 * MAX_ANSWER_CHARS


class MathCheck(BaseModel):
    """Verdict for one (gold, predicted) pair."""

    model_config = ConfigDict(frozen=True)

    equal: bool
    method: Method
    elapsed_s: float
    detail: str = ""


# ----------------------------------------------------------------------------------------------
# Cache
# ----------------------------------------------------------------------------------------------

_CACHE_MAX = int(os.environ.get("RLVR_MATH_CACHE_SIZE", "100000"))
_cache: OrderedDict[tuple[str, str], tuple[Verdict, float]] = OrderedDict()
_cache_lock = threading.Lock()
_cache_stats = {"hits": 0, "misses": 0}


def _cache_get(key: tuple[str, str], timeout_s: float) -> Verdict | None:
    with _cache_lock:
        hit = _cache.get(key)
        if hit is None or (hit[0].method == "timeout" and timeout_s > hit[1]):
            _cache_stats["misses"] += 1
            return None
        _cache.move_to_end(key)
        _cache_stats["hits"] += 1
        return hit[0]


def _cache_put(key: tuple[str, str], verdict: Verdict, timeout_s: float) -> None:
    if _CACHE_MAX <= 0:
        return
    with _cache_lock:
        _cache[key] = (verdict, timeout_s)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_MAX:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget all memoised verdicts (benchmarks use this to measure a cold cache)."""
    with _cache_lock:
        _cache.clear()
        _cache_stats["hits"] = 0
        _cache_stats["misses"] = 0
    gold_info.cache_clear()


def cache_info() -> dict[str, int]:
    """Size and hit/miss counters of the verdict cache."""
    with _cache_lock:
        return {"size": len(_cache), "maxsize": _CACHE_MAX, **_cache_stats}


def _after_fork_in_child() -> None:
    """Forked children get a fresh cache lock (the worker pool resets itself in ``math_pool``)."""
    global _cache_lock
    _cache_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


class _Deferred(NamedTuple):
    key: tuple[str, str]
    gold: str
    pred: str


def _prepare(
    gold: str, predicted: str, timeout_s: float, *, antiderivative: bool = False, problem: str | None = None
) -> Verdict | _Deferred:
    """Everything in-process: a final verdict, or the strings to hand to math-verify."""
    if not isinstance(gold, str) or not isinstance(predicted, str):
        return Verdict(False, "unparseable", "answers must be strings")
    if len(gold) > _MAX_RAW_CHARS or len(predicted) > _MAX_RAW_CHARS:
        return Verdict(False, "too_long", f"input longer than {_MAX_RAW_CHARS} chars")
    try:
        return _prepare_inner(gold, predicted, timeout_s, antiderivative, problem)
    except Exception:  # a bug in normalisation must not crash a training run
        return _Deferred((gold, predicted), gold, predicted)


def _prepare_inner(
    gold: str, predicted: str, timeout_s: float, antiderivative: bool, problem: str | None
) -> Verdict | _Deferred:
    g = normalise(gold)
    p = normalise(predicted)
    if len(g) > MAX_ANSWER_CHARS or len(p) > MAX_ANSWER_CHARS:
        return Verdict(False, "too_long", f"normalised input longer than {MAX_ANSWER_CHARS} chars")
    if not p:
        return Verdict(False, "unparseable", "empty prediction")
    if not g:
        return Verdict(False, "unparseable", "empty gold answer")
    if "=" not in g:
        mislabelled = wrong_label(p, problem)
        if mislabelled is not None:
            return Verdict(False, "exact", mislabelled)
    key = ("\x00plus-C\x00" + g if antiderivative else g, p)
    cached = _cache_get(key, timeout_s)
    if cached is not None:
        return Verdict(cached.equal, cached.method, "cache hit; " + cached.detail)
    gi = gold_info(g)
    p2 = rewrite_pred(p, gi, antiderivative=antiderivative)
    if not p2:
        v = Verdict(False, "unparseable", "empty prediction")
        _cache_put(key, v, timeout_s)
        return v
    verdict = fast_path(gi, p2)
    if verdict is not None:
        _cache_put(key, verdict, timeout_s)
        return verdict
    return _Deferred(key, g, p2)


def _finish(v: Verdict, t0: float) -> MathCheck:
    return MathCheck(equal=v.equal, method=v.method, elapsed_s=time.perf_counter() - t0, detail=v.detail)


def _clamp_timeout(timeout_s: float) -> float:
    try:
        t = float(timeout_s)
    except (TypeError, ValueError):
        return 3.0
    if not t > 0:  # also catches NaN
        return 0.01
    return min(t, 3600.0)


def check_answer(
    gold: str, predicted: str, *, timeout_s: float = 3.0, problem: str | None = None, antiderivative: bool = False
) -> MathCheck:
    """Is ``predicted`` (an extracted final answer) equal to ``gold`` (canonical LaTeX)?

    ``problem`` (optional, the task's text) lets an indexed label be checked: ``a_{13} = -413`` is
    wrong for "find a_{14}".  ``antiderivative=True`` accepts a trailing ``+ C`` (use
    :func:`check_antiderivative` to also accept any constant offset).  Never raises for any string
    input and returns within about ``timeout_s`` (plus worker start-up on the very first deferred
    check in a process).
    """
    t0 = time.perf_counter()
    timeout_s = _clamp_timeout(timeout_s)
    prep = _prepare(gold, predicted, timeout_s, antiderivative=antiderivative, problem=problem)
    if isinstance(prep, Verdict):
        return _finish(prep, t0)
    v = get_pool().run(prep.gold, prep.pred, timeout_s)
    _cache_put(prep.key, v, timeout_s)
    return _finish(v, t0)


def check_antiderivative(gold: str, predicted: str, *, timeout_s: float = 3.0, problem: str | None = None) -> MathCheck:
    """Like :func:`check_answer`, but an antiderivative that differs from ``gold`` by a constant counts.

    ``\\int 2(x+1)\\,dx``: gold ``x^{2} + 2 x``; ``(x+1)^2`` and ``x^2 + 2x + C`` are right too.
    Plain equality is tried first (fast paths); only a non-equal, parseable answer goes to a
    worker that checks ``d/dx (predicted - gold) = 0`` under the same deadline.
    """
    t0 = time.perf_counter()
    first = check_answer(gold, predicted, timeout_s=timeout_s, problem=problem, antiderivative=True)
    if first.equal or first.method in ("timeout", "too_long", "unparseable"):
        return first
    timeout_s = _clamp_timeout(timeout_s)
    key = ("\x00antiderivative\x00" + gold, predicted)
    cached = _cache_get(key, timeout_s)
    if cached is not None:
        return _finish(Verdict(cached.equal, cached.method, "cache hit; " + cached.detail), t0)
    v = get_pool().run(gold, predicted, timeout_s, mode="up_to_constant")
    _cache_put(key, v, timeout_s)
    return _finish(v, t0)


def check_many(pairs: Sequence[tuple[str, str]], *, timeout_s: float = 3.0) -> list[MathCheck]:
    """Batch version of :func:`check_answer`; deferred pairs run on all workers in parallel.

    Results are in input order.
    """
    timeout_s = _clamp_timeout(timeout_s)
    out: list[MathCheck | None] = [None] * len(pairs)
    deferred: dict[tuple[str, str], tuple[_Deferred, list[int]]] = {}
    for i, (gold, pred) in enumerate(pairs):
        t0 = time.perf_counter()
        prep = _prepare(gold, pred, timeout_s)
        if isinstance(prep, Verdict):
            out[i] = _finish(prep, t0)
        elif prep.key in deferred:
            deferred[prep.key][1].append(i)
        else:
            deferred[prep.key] = (prep, [i])
    if deferred:
        pool = get_pool()
        jobs = list(deferred.values())

        def run(job: tuple[_Deferred, list[int]]) -> None:
            d, idxs = job
            t0 = time.perf_counter()
            v = pool.run(d.gold, d.pred, timeout_s)
            _cache_put(d.key, v, timeout_s)
            for i in idxs:
                out[i] = _finish(v, t0)

        if pool.n == 1 or len(jobs) == 1:
            for job in jobs:
                run(job)
        else:
            with ThreadPoolExecutor(max_workers=min(pool.n, len(jobs))) as ex:
                list(ex.map(run, jobs))
    result: list[MathCheck] = []
    for r in out:
        assert r is not None
        result.append(r)
    return result
