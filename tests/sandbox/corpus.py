"""Adversarial programs: each must end in a failed verdict, with the host unharmed.

Every program "solves" one of two tiny tasks (``a b -> a + b``): a stdin/stdout one (input
``20 22``) and a function-call one (``solve(20, 22)``). None computes the sum from its input. Where
an attack can *succeed* (a socket connects, a file outside the run directory opens for writing,
another process's memory is readable...), the program then prints or returns the expected answer,
so a passing verdict means the sandbox let the attack through. The other programs try to fake a
pass (exit codes, "PASS" lines, ``__eq__``, patched builtins or ``json``, a forged result channel)
or to exhaust or outlive the sandbox (bombs, loops, threads, output, zombies, daemons).

Placeholders replaced by the tests: ``__ENV_PID__`` (the test process's pid), ``__HOME__`` (its home
directory), ``__REPO__`` (the repository root), ``__PORT__`` (a TCP port listening on the host's
127.0.0.1), ``__MARK__`` (a unique file-name marker the tests look for afterwards).
"""

from __future__ import annotations

from dataclasses import dataclass

STDIO_INPUT = "20 22\n"
STDIO_EXPECTED = "42\n"
FUNCTION_ARGS = [20, 22]
FUNCTION_EXPECTED = 42


@dataclass(frozen=True)
class Attack:
    name: str
    mode: str  # "stdio" | "function"
    code: str
    what: str


def _stdio(name: str, what: str, code: str) -> Attack:
    return Attack(name, "stdio", code.strip() + "\n", what)


def _function(name: str, what: str, code: str) -> Attack:
    return Attack(name, "function", code.strip() + "\n", what)


CORPUS: list[Attack] = [
    # ---- exhaustion -------------------------------------------------------------------------
    _stdio(
        "fork_bomb",
        "forks until the process limit, forever",
        """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
""",
    ),
    _stdio(
        "memory_bomb",
        "allocates 10 MB strings until something gives",
        """
hog = []
while True:
    hog.append(" " * 10_000_000)
""",
    ),
    _stdio("infinite_loop", "spins forever", "while True:\n    pass"),
    _stdio(
        "busy_threads",
        "starts non-daemon threads that spin forever",
        """
import threading
def spin():
    while True:
        pass
for _ in range(8):
    threading.Thread(target=spin).start()
""",
    ),
    _stdio("huge_output", "prints without end", 'while True:\n    print("x" * 10_000)'),
    _stdio(
        "huge_stderr",
        "writes to stderr without end",
        'import sys\nwhile True:\n    sys.stderr.write("e" * 10_000)',
    ),
    _stdio(
        "deep_recursion",
        "recurses with the recursion limit lifted",
        """
import sys
sys.setrecursionlimit(10**9)
def down(n):
    return down(n + 1) + 1
print(down(0))
""",
    ),
    _stdio(
        "c_stack_overflow",
        "makes the C repr of a deeply nested list overflow the C stack",
        """
import sys
sys.setrecursionlimit(10**9)
nested = []
for _ in range(2_000_000):
    nested = [nested]
print(len(repr(nested)))
""",
    ),
    _stdio(
        "fd_exhaustion",
        "opens files until descriptors run out, then claims a pass",
        """
handles = []
try:
    while True:
        handles.append(open("/dev/null"))
except OSError:
    pass
if len(handles) > 10_000:
    print(42)
""",
    ),
    _stdio(
        "big_file",
        "writes a 200 MB file in its directory",
        """
with open("blob", "wb") as handle:
    for _ in range(200):
        handle.write(b"\\0" * 1_000_000)
print("wrote 200 MB")
""",
    ),
    _stdio(
        "sigstop_self",
        "stops itself so nothing ever finishes",
        "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\nprint(42)",
    ),
    # ---- network ----------------------------------------------------------------------------
    _stdio(
        "socket_connect",
        "connects to public addresses",
        """
import socket
for address in [("1.1.1.1", 80), ("8.8.8.8", 53), ("93.184.215.14", 80)]:
    try:
        socket.create_connection(address, timeout=0.5).close()
        print(42)
        break
    except OSError:
        pass
""",
    ),
    _stdio(
        "dns_lookup",
        "resolves a public name",
        """
import socket
try:
    socket.getaddrinfo("example.com", 80)
    print(42)
except OSError:
    pass
""",
    ),
    _stdio(
        "host_localhost",
        "connects to a port the host listens on at 127.0.0.1",
        """
import socket
try:
    socket.create_connection(("127.0.0.1", __PORT__), timeout=0.5).close()
    print(42)
except OSError:
    pass
""",
    ),
    # ---- the filesystem ---------------------------------------------------------------------
    _stdio(
        "write_outside",
        "writes to /tmp, /var/tmp, /dev/shm, the home directory and the repository",
        """
import os
wrote = False
for folder in ["/tmp", "/var/tmp", "/dev/shm", "__HOME__", "__REPO__", "/"]:
    try:
        with open(os.path.join(folder, "__MARK__"), "w") as handle:
            handle.write("pwned")
        wrote = True
    except OSError:
        pass
if wrote:
    print(42)
""",
    ),
    _stdio(
        "escape_cwd",
        "escapes its directory with ../ and with a symlink",
        """
import os
wrote = False
for path in ["../__MARK__", "../../__MARK__"]:
    try:
        open(path, "w").write("pwned")
        wrote = True
    except OSError:
        pass
try:
    os.symlink("/tmp", "link")
    open("link/__MARK__", "w").write("pwned")
    wrote = True
except OSError:
    pass
if wrote:
    print(42)
""",
    ),
    _stdio(
        "shell_write",
        "runs a shell to write outside its directory",
        """
import subprocess
try:
    subprocess.run(["/bin/sh", "-c", "echo pwned > /tmp/__MARK__ && echo 42"], timeout=1)
except Exception:
    pass
""",
    ),
    _stdio(
        "read_sources",
        "looks for the package's source (task generators, reference solutions) to read answers",
        """
import os
found = False
for folder in ["__REPO__/rlvr_envs", "__REPO__/rlvr_envs/tasks"]:
    try:
        if os.listdir(folder):
            found = True
    except OSError:
        pass
try:
    open("__REPO__/rlvr_envs/__init__.py").read()
    found = True
except OSError:
    pass
if found:
    print(42)
""",
    ),
    # ---- other processes --------------------------------------------------------------------
    _stdio(
        "kill_parent",
        "SIGKILLs its parent (the sandbox server)",
        "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError:\n    pass",
    ),
    _stdio(
        "kill_everything",
        "SIGKILLs every process it may signal",
        "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass",
    ),
    _stdio(
        "kill_env_process",
        "SIGKILLs the env process by its host pid",
        "import os, signal\ntry:\n    os.kill(__ENV_PID__, signal.SIGKILL)\n    print(42)\nexcept OSError:\n    pass",
    ),
    _stdio(
        "read_proc",
        "reads the env process's environment and memory through /proc",
        """
ok = False
for name in ["environ", "mem", "maps"]:
    try:
        with open("/proc/__ENV_PID__/" + name, "rb") as handle:
            handle.read(64)
        ok = True
    except OSError:
        pass
if ok:
    print(42)
""",
    ),
    _stdio(
        "ctypes_tricks",
        "uses ctypes to setuid(0), ptrace its parent and unshare a user namespace",
        """
try:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    escaped = libc.setuid(0) == 0 and libc.geteuid() == 0
    escaped = escaped or libc.ptrace(16, 1, 0, 0) == 0
    escaped = escaped or libc.unshare(0x10000000) == 0
    if escaped:
        print(42)
except Exception:
    pass
""",
    ),
    _stdio(
        "raise_limits",
        "raises its own rlimits and becomes root",
        """
import os, resource
try:
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print(42)
except (ValueError, OSError):
    pass
if os.geteuid() != 0:
    try:
        os.setuid(0)
        print(42)
    except OSError:
        pass
""",
    ),
    _stdio(
        "zombies",
        "leaves exited children unreaped and an orphan sleeping",
        """
import os, time
for _ in range(5):
    if os.fork() == 0:
        os._exit(0)
if os.fork() == 0:
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
raise SystemExit(3)
""",
    ),
    _stdio(
        "daemon",
        "double-forks a daemon in its own session that outlives the run",
        """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
        print(42, flush=True)
    os._exit(0)
""",
    ),
    # ---- faking a pass ----------------------------------------------------------------------
    _stdio("exit_zero_silently", "exits 0 without an answer", "import sys\nsys.exit(0)"),
    _stdio("print_pass", "prints what a test runner prints on success", 'print("PASS")\nprint("All tests passed")'),
    _stdio(
        "patched_print",
        "monkey-patches print so every print says PASS",
        """
import builtins, sys
builtins.print = lambda *args, **kwargs: sys.stdout.write("PASS\\n")
print(0)
""",
    ),
    _function(
        "exit_zero_at_import",
        "sys.exit(0) before the tests could fail",
        "import sys\nsys.exit(0)\ndef solve(a, b):\n    return 0",
    ),
    _function(
        "exit_zero_in_call",
        "sys.exit(0) inside the call",
        "import sys\ndef solve(a, b):\n    sys.exit(0)",
    ),
    _function(
        "os_exit_in_call",
        "os._exit(0) inside the call, killing the harness",
        "import os\ndef solve(a, b):\n    os._exit(0)",
    ),
    _function(
        "eq_always_true",
        "returns an object whose __eq__ always says yes",
        """
class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
def solve(a, b):
    return Anything()
""",
    ),
    _function(
        "int_subclass_eq",
        "returns an int subclass whose __eq__ always says yes",
        """
class Sneaky(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
def solve(a, b):
    return Sneaky(0)
""",
    ),
    _function(
        "patched_json",
        "replaces json.dumps so every result serialises as the right answer",
        """
import json
json.dumps = lambda *args, **kwargs: "42"
json.encoder.JSONEncoder.encode = lambda self, o: "42"
def solve(a, b):
    return None
""",
    ),
    _function(
        "patched_builtins",
        "patches isinstance/len/type/str to confuse a comparison",
        """
import builtins
builtins.isinstance = lambda *a: True
builtins.len = lambda *a: 0
builtins.str = lambda *a, **k: "42"
def solve(a, b):
    return "forty-two"
""",
    ),
    _function(
        "forged_channel",
        "writes a forged result frame (guessed nonce) to every descriptor it can find",
        """
import json, os, struct
frame = json.dumps({"n": "0" * 32, "i": 0, "ok": True, "value": "42"}).encode()
for fd in range(3, 64):
    try:
        os.write(fd, struct.pack(">I", len(frame)) + frame)
    except OSError:
        pass
def solve(a, b):
    return None
""",
    ),
    _function(
        "garbage_channel",
        "writes garbage on the result channel, then answers wrongly",
        """
import os
def solve(a, b):
    try:
        os.write(3, b"\\xff" * 100)
    except OSError:
        pass
    return -1
""",
    ),
    _function(
        "print_pass_function",
        "prints PASS and returns it",
        'def solve(a, b):\n    print("PASS")\n    return "PASS"',
    ),
]

SAFE_STDIO = "a, b = map(int, input().split())\nprint(a + b)\n"
SAFE_FUNCTION = "def solve(a, b):\n    return a + b\n"
