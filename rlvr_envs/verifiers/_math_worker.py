"""math-verify worker process: ``python -m rlvr_envs.verifiers._math_worker``.

Why a separate process: math-verify can hang or blow up on hostile input and its own timeouts use
``signal.alarm`` (main thread only).  The parent's pool (:mod:`rlvr_envs.verifiers.math_pool`)
enforces the deadline by SIGKILLing this process, so math-verify runs here with its timeouts
disabled.

Protocol: frames of a 4-byte big-endian length followed by UTF-8 JSON, on the original
stdin/stdout (which are then redirected so stray library prints cannot corrupt the stream).

* worker -> parent once at start: ``{"ready": true, "pid": int}``
* parent -> worker: ``{"gold": str, "pred": str, "timeout": float, "mode": "equal" | "up_to_constant"}``
  (``up_to_constant``: equal up to an additive constant in ``x``, for antiderivatives)
* worker -> parent: ``{"status": "ok" | "unparseable" | "error", "equal": bool, "detail": str}``

How answers are wrapped for ``math_verify.parse``: the gold as ``$gold$``, the prediction as
``\\boxed{pred}`` (it was the content of the model's ``\\boxed{}``); the benchmark's raw
math-verify baseline uses the same wrapping (see :func:`mv_wrap`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
from typing import Any

from rlvr_envs.verifiers._frames import HEADER, read_exact, write_frame

_MAX_FRAME = 1 << 22


def mv_wrap(gold: str, pred: str) -> tuple[str, str]:
    """The strings handed to ``math_verify.parse`` for a (gold, prediction) pair."""
    return "$" + gold + "$", "\\boxed{" + pred + "}"


def _set_memory_limit() -> None:
    """Cap the address space so pathological sympy work fails with MemoryError, not OOM-kill."""
    try:
        import resource

        mb = int(os.environ.get("RLVR_MATH_WORKER_MEM_MB", "2048"))
        if mb <= 0:
            return
        limit = mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _verify(gold: str, pred: str) -> dict[str, Any]:
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    cfg = [LatexExtractionConfig(), ExprExtractionConfig()]
    g_text, p_text = mv_wrap(gold, pred)
    g = parse(g_text, extraction_config=cfg, parsing_timeout=None)
    p = parse(p_text, extraction_config=cfg, parsing_timeout=None)
    if not p:
        return {"status": "unparseable", "equal": False, "detail": "math-verify extracted nothing"}
    if not g:
        return {"status": "unparseable", "equal": False, "detail": "math-verify could not parse gold"}
    eq = bool(verify(g, p, timeout_seconds=None))
    return {"status": "ok", "equal": eq, "detail": "math-verify: " + ("equal" if eq else "not equal")}


def _verify_up_to_constant(gold: str, pred: str) -> dict[str, Any]:
    """Antiderivatives: ``pred`` counts when ``d/dx (pred - gold)`` simplifies to 0.

    A named constant (``+ C``) or a different constant term therefore still counts. Without an
    ``x`` in the gold, fall back to plain equality.
    """
    import sympy
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse

    cfg = [LatexExtractionConfig(), ExprExtractionConfig()]
    g_text, p_text = mv_wrap(gold, pred)
    g = parse(g_text, extraction_config=cfg, parsing_timeout=None)
    p = parse(p_text, extraction_config=cfg, parsing_timeout=None)
    if not p or not g:
        return {"status": "unparseable", "equal": False, "detail": "math-verify could not parse"}
    g_expr, p_expr = g[0], p[0]
    if not (isinstance(g_expr, sympy.Expr) and isinstance(p_expr, sympy.Expr)):
        return {"status": "ok", "equal": False, "detail": "not an expression"}
    x = next((s for s in g_expr.free_symbols if s.name == "x"), None)
    if x is None:
        return _verify(gold, pred)
    eq = sympy.simplify(sympy.diff(p_expr - g_expr, x)) == 0
    return {"status": "ok", "equal": bool(eq), "detail": "equal up to a constant" if eq else "derivatives differ"}


def main() -> int:
    """Serve requests until stdin closes."""
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints go to stderr, never into the protocol stream
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we die
    _set_memory_limit()
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)
    logging.getLogger("latex2sympy2_extended").setLevel(logging.CRITICAL)
    with contextlib.suppress(Exception):  # warm up imports and the ANTLR parser
        _verify("x^{2} + 2 x + 1", "(x+1)^2")
    write_frame(proto_out, {"ready": True, "pid": os.getpid()})
    while True:
        header = read_exact(proto_in, HEADER.size)
        if header is None:
            return 0
        (n,) = HEADER.unpack(header)
        if n > _MAX_FRAME:
            return 1
        body = read_exact(proto_in, n)
        if body is None:
            return 0
        try:
            req = json.loads(body)
            # Backstop if the parent died mid-request: SIGALRM's default action terminates us even
            # inside long C-level big-integer arithmetic.
            signal.alarm(int(float(req.get("timeout", 5))) + 30)
            check = _verify_up_to_constant if req.get("mode") == "up_to_constant" else _verify
            resp = check(str(req["gold"]), str(req["pred"]))
        except MemoryError:
            resp = {"status": "error", "equal": False, "detail": "math-verify ran out of memory"}
        except RecursionError:
            resp = {"status": "error", "equal": False, "detail": "math-verify recursion limit"}
        except Exception as exc:
            resp = {"status": "error", "equal": False, "detail": f"math-verify error: {type(exc).__name__}"}
        finally:
            signal.alarm(0)
        write_frame(proto_out, resp)


if __name__ == "__main__":
    sys.exit(main())
