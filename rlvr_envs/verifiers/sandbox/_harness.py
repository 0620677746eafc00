"""What a run child executes once it is isolated (standard library only).

Two shapes of program:

* **stdin/stdout**: the code runs as ``__main__`` with the test's input on fd 0; its stdout and
  stderr go to pipes the supervisor reads (with caps). The exit status is the program's.
* **function call**: the code is executed as module ``solution`` (so ``if __name__ ==
  "__main__":`` blocks do not run), then the entry point is called once per test. Each return
  value is written as typed JSON (`typed`: tuples, sets, dicts with any keys, non-finite floats
  keep their Python type) and sent to the supervisor as a frame on fd 3, tagged with the run's
  nonce and the test index. The expected values never enter this process: the
  comparison happens in the env process, on plain JSON data, so a program cannot win by
  overriding ``__eq__``, patching builtins or printing "PASS". At worst it can corrupt its own
  channel, which fails its remaining tests.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import struct
import sys
import traceback

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (see _server)
    from typing import Any, NoReturn

CHANNEL_FD = 3
_HEADER = struct.Struct(">I")
_MAX_ERROR = 2000


_EMPTY_STDIN = io.StringIO("")
_kept: list[Any] = []


def _make_streams() -> tuple[Any, Any, Any]:
    stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8", errors="replace")
    stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="replace")
    stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )
    return stdin, stdout, stderr


def prepare_streams() -> None:
    """Install, in the server itself, the ``sys.std*`` objects every run will use.

    They are built on files of the kinds a run gets (a memfd on 0, pipes on 1 and 2) and point at
    fds 0-2, which the server never uses (its protocol runs on other descriptors). A forked child
    then has nothing to replace: replacing them per run would free the old objects in every child,
    which costs hundreds of microseconds of copied pages. The originals are kept alive here.
    """
    _kept.extend([sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__, sys.__stderr__])
    saved = [os.dup(fd) for fd in (0, 1, 2)]
    memfd = os.memfd_create("prepare", 0)
    read_end, write_end = os.pipe()
    try:
        os.dup2(memfd, 0)
        os.dup2(write_end, 1)
        os.dup2(write_end, 2)
        streams = _make_streams()
    finally:
        for fd, copy in zip((0, 1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)
        for fd in (memfd, read_end, write_end):
            os.close(fd)
    for name, stream in zip(("stdin", "stdout", "stderr"), streams, strict=True):
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    sys.argv = ["solution.py"]


def _fresh_streams(*, stdin: bool) -> None:
    """Point ``sys.std*`` at fds 0-2 (a no-op after `prepare_streams`, except for function calls,
    whose ``sys.stdin`` is empty)."""
    if not _kept:  # not prepared (tests calling the harness directly)
        prepare_streams()
    if not stdin:
        sys.stdin = _EMPTY_STDIN
        sys.__stdin__ = _EMPTY_STDIN  # type: ignore[misc,assignment]


def warm_up() -> None:
    """Touch, in a spare child before its job arrives, the memory every run touches.

    Each first write to a page after ``fork`` copies it; doing the common ones here (compiling and
    running a line of code, writing to stdout) moves that cost off the critical path of the run.
    Nothing is written to the run's output.
    """
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    exec(compile("x = [int('1')]\ny = len(x)", "solution.py", "exec"), namespace)
    sys.stdout.write("")
    sys.stdout.flush()


def _finish(status: int, streams: tuple[Any, ...]) -> NoReturn:
    """Flush what the program printed, let non-daemon threads end, and leave without cleanup."""
    for stream in (sys.stdout, sys.stderr, *streams):
        with contextlib.suppress(BaseException):  # a program may have closed or replaced its streams
            stream.flush()
    threading = sys.modules.get("threading")
    if threading is not None:
        with contextlib.suppress(BaseException):
            threading._shutdown()
        for stream in (sys.stdout, sys.stderr, *streams):
            with contextlib.suppress(BaseException):
                stream.flush()
    os._exit(status)


# Bound when the server imports this module, before any program runs: a program that replaces
# builtins or patches ``json`` changes its own answers at most, never how they are reported.
_callable, _getattr, _isinstance, _len, _str, _type = callable, getattr, isinstance, len, str, type
_BaseException, _SystemExit = BaseException, SystemExit
_write = os.write
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_encode_string = json.encoder.encode_basestring_ascii
_fallback_encoder = json.JSONEncoder()


def _not_serialisable(value: Any) -> Any:
    raise TypeError(f"Object of type {_type(value).__name__} is not JSON serializable")


def to_json(value: Any) -> str:
    """``json.dumps(value)`` through an encoder bound at import (``json`` may be patched by then)."""
    if _c_make_encoder is None:
        return _fallback_encoder.encode(value)
    encode = _c_make_encoder({}, _not_serialisable, _encode_string, None, ": ", ", ", False, False, True)
    return "".join(encode(value, 0))


_bool, _int, _float, _list, _tuple, _dict, _set, _frozenset = bool, int, float, list, tuple, dict, set, frozenset
_complex, _bytes, _strtype = complex, bytes, str
_INF = float("inf")
_MAX_DEPTH = 400


def typed(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON data that keeps its Python type: lists stay lists; every other container
    becomes a one-key object (``{"$tuple": [...]}``, ``$set``, ``$frozenset``, ``$dict`` as
    ``[[key, value], ...]``, ``$complex``, ``$bytes`` as hex, ``$float`` for nan/inf), so the parent
    can tell a tuple from a list. Subclasses count as their base type (``==`` treats them alike)."""
    if depth > _MAX_DEPTH:
        raise ValueError("the return value is nested too deeply")
    kind = _type(value)
    if value is None or kind is _bool or kind is _strtype or kind is _int:
        return value
    if kind is _float:
        if value != value:
            return {"$float": "nan"}
        if value == _INF or value == -_INF:
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    down = depth + 1
    if _isinstance(value, _bool):
        return _bool(value)
    if _isinstance(value, _int):
        return _int.__int__(value)
    if _isinstance(value, _float):
        return typed(_float.__float__(value), down)
    if _isinstance(value, _strtype):
        return _strtype.__str__(value)
    if _isinstance(value, _list):
        return [typed(item, down) for item in _list.__iter__(value)]
    if _isinstance(value, _tuple):
        return {"$tuple": [typed(item, down) for item in _tuple.__iter__(value)]}
    if _isinstance(value, _dict):
        return {"$dict": [[typed(k, down), typed(v, down)] for k, v in _dict.items(value)]}
    if _isinstance(value, _frozenset):
        return {"$frozenset": [typed(item, down) for item in _frozenset.__iter__(value)]}
    if _isinstance(value, _set):
        return {"$set": [typed(item, down) for item in _set.__iter__(value)]}
    if _isinstance(value, _complex):
        return {"$complex": [typed(_complex.real.__get__(value), down), typed(_complex.imag.__get__(value), down)]}
    if _isinstance(value, _bytes):
        return {"$bytes": _bytes.hex(value)}
    raise TypeError(f"a return value of type {kind.__name__} cannot be compared; return plain Python data")


def _exit_status(exc: SystemExit) -> int:
    code: Any = exc.code
    if code is None:
        return 0
    if _isinstance(code, int) and not _isinstance(code, bool):
        return int(code & 0xFF)
    with contextlib.suppress(BaseException):
        sys.stderr.write(f"{code}\n")
    return 1


def run_stdio(code: str) -> NoReturn:
    """Run ``code`` as a script; never returns."""
    _fresh_streams(stdin=True)
    streams = (sys.stdout, sys.stderr)
    status = 0
    try:
        compiled = compile(code, "solution.py", "exec")
        exec(compiled, {"__name__": "__main__", "__builtins__": builtins, "__file__": "solution.py"})
    except _SystemExit as exc:
        status = _exit_status(exc)
    except _BaseException as exc:
        with contextlib.suppress(BaseException):
            traceback.print_exception(_type(exc), exc, exc.__traceback__.tb_next if exc.__traceback__ else None)
        status = 1
    _finish(status, streams)


def describe_exception(exc: BaseException) -> str:
    """``Type: message (line N)``, without trusting the exception's own ``__str__`` to behave."""
    try:
        message = _str(exc)
        if not _isinstance(message, str):
            message = "<unprintable>"
    except _BaseException:
        message = "<unprintable>"
    text = _type(exc).__name__ + (f": {message}" if message else "")
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "solution.py":
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is not None:
        text += f" (line {line})"
    return text[:_MAX_ERROR]


def run_function(code: str, entry: str, inputs: list[Any], nonce: str, value_limit: int) -> NoReturn:
    """Define ``code`` as a module, call ``entry(*args)`` for each input, report on fd 3."""
    _fresh_streams(stdin=False)
    streams = (sys.stdout, sys.stderr)
    pack = _HEADER.pack

    def send(message: dict[str, Any]) -> None:
        message["n"] = nonce
        data = to_json(message).encode()
        view = memoryview(pack(_len(data)) + data)
        while view:
            view = view[_write(CHANNEL_FD, view) :]

    namespace: dict[str, Any] = {"__name__": "solution", "__builtins__": builtins, "__file__": "solution.py"}
    try:
        exec(compile(code, "solution.py", "exec"), namespace)
        function = _entry_point(namespace, entry)
    except _BaseException as exc:
        send({"i": -1, "ok": False, "error": describe_exception(exc)})
        _finish(0, streams)
    if function is None:
        send({"i": -1, "ok": False, "error": f"NameError: the code defines no function named {entry!r}"})
        _finish(0, streams)
    send({"i": -1, "ok": True})
    for index, args in enumerate(inputs):
        try:
            text = to_json(typed(function(*args)))
        except _BaseException as exc:
            send({"i": index, "ok": False, "error": describe_exception(exc)})
        else:
            if _len(text) > value_limit:
                send({"i": index, "ok": False, "error": f"return value is larger than {value_limit} bytes as JSON"})
            else:
                send({"i": index, "ok": True, "value": text})
    _finish(0, streams)


def _entry_point(namespace: dict[str, Any], entry: str) -> Any:
    """``entry`` as a top-level function, or as a method of a ``Solution`` class (LeetCode style)."""
    function = namespace.get(entry)
    if _callable(function):
        return function
    holder: Any = namespace.get("Solution")
    if _isinstance(holder, type) and _callable(_getattr(holder, entry, None)):
        return _getattr(holder(), entry)
    return None
