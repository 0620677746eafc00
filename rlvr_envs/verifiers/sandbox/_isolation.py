"""Isolation of sandbox runs on Linux (standard library + ctypes; imported by the sandbox server).

Two modes, chosen once per server (see docs/sandbox.md):

``namespaces`` (preferred). The server process forks a holder that enters new user, network,
mount, IPC and PID namespaces; the holder forks the *supervisor*, which is PID 1 of the new PID
namespace. The supervisor builds a minimal read-only root (``/usr``, ``/etc``, ``/lib*``, the Python
installation and its site-packages, a few ``/dev`` nodes, a fresh ``/proc``, an empty writable
``/tmp``), pivots into it and forks one child per run. A child drops to uid/gid 65534 (when the
server is root) or drops every capability (when it is not), sets rlimits and runs in its own
empty directory under ``/tmp``. There is no network device but loopback (down), no view of host
processes, no writable host path; ``kill(-1, SIGKILL)`` from the supervisor ends every process a run
left behind.

``audit`` (fallback, when the kernel or a container forbids namespaces). Runs are forked from the
server itself with rlimits, their own session, and a ``sys.addaudithook`` hook that refuses
sockets, process creation, signals, ``ctypes`` and writes outside the run directory. An audit hook
is a speed bump, not a wall: C extensions can bypass it. Use a container for hostile workloads.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import select
import signal
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (see _server)
    from collections.abc import Callable, Iterable
    from typing import Any

SANDBOX_ID = 65534  # uid/gid of runs when the server is root ("nobody")

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_NOSUID = 0x2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
SECURE_ALL_BITS_LOCKED = 0x2F  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS locked off (and their lock bits)

_SYSCALLS = {  # pivot_root, mount_setattr, capset
    "x86_64": (155, 442, 126),
    "aarch64": (41, 442, 91),
}

SYSTEM_PATHS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEV_NODES = ("null", "zero", "full", "random", "urandom")
_SKELETON_CANDIDATES = ("/tmp", "/mnt", "/media", "/srv", "/var/tmp", "/opt")


class Isolation:
    """What the server achieved, and what each run child must do to enter it.

    (A plain class, not a dataclass: ``dataclasses`` imports ``inspect`` and friends, and every
    megabyte the server maps makes each fork and exit slower.)
    """

    def __init__(
        self,
        mode: str,  # "namespaces" | "audit"
        reason: str = "",
        *,
        run_root: str = "/tmp",
        uid: int | None = None,  # drop to this uid/gid in each run (None: keep the current one)
        gid: int | None = None,
        drop_caps: bool = False,
        limit_processes: bool = True,  # RLIMIT_NPROC is enforced for the run's uid
        pid_namespace: bool = False,  # the supervisor is PID 1 of the runs' PID namespace
        proc: bool = False,  # a /proc of our own PID namespace is mounted
        hidden: list[str] | None = None,  # audit mode: paths runs may not open or list
        notes: list[str] | None = None,
    ) -> None:
        self.mode = mode
        self.reason = reason
        self.run_root = run_root
        self.uid = uid
        self.gid = gid
        self.drop_caps = drop_caps
        self.limit_processes = limit_processes
        self.pid_namespace = pid_namespace
        self.proc = proc
        self.hidden = list(hidden or [])
        self.notes = list(notes or [])

    def describe(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "reason": self.reason,
            "uid": self.uid,
            "drop_caps": self.drop_caps,
            "limit_processes": self.limit_processes,
            "pid_namespace": self.pid_namespace,
            "proc": self.proc,
            "notes": list(self.notes),
        }


_libc: Any = None


def libc() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def prctl(option: int, arg: int = 0) -> None:
    _check(libc().prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl({option})")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    result = libc().mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(result, f"mount {target}")


class _MountAttr(ctypes.Structure):
    _fields_ = (
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    )


def _syscalls() -> tuple[int, int, int]:
    numbers = _SYSCALLS.get(os.uname().machine)
    if numbers is None:
        raise OSError(errno.ENOSYS, f"no syscall table for {os.uname().machine}")
    return numbers


# ---- setting up the server ------------------------------------------------------------------
def setup(
    wanted: str,
    *,
    tmpfs_mb: int,
    hide: Iterable[str],
    extra_paths: Iterable[str] = (),
    on_ready: Callable[[], None] | None = None,
) -> Isolation:
    """Isolate this server as well as the platform allows (``wanted``: auto | namespaces | audit).

    In namespaces mode this call returns in a *different process* (the supervisor, PID 1 of the
    new namespace); the original process waits for it and exits with it, never returning.
    """
    if wanted not in ("auto", "namespaces", "audit"):
        raise ValueError(f"isolation must be 'auto', 'namespaces' or 'audit', got {wanted!r}")
    hide = [os.path.realpath(path) for path in hide]
    reason = "audit mode requested (RLVR_SANDBOX_ISOLATION=audit)"
    if wanted != "audit":
        try:
            return _enter_namespaces(tmpfs_mb=tmpfs_mb, hide=hide, extra_paths=list(extra_paths))
        except OSError as exc:
            if wanted == "namespaces":
                raise
            reason = f"namespaces unavailable: {exc}"
    return _audit_isolation(reason, hide)


def _identity_mapped_root() -> bool:
    """True when euid 0 here is uid 0 of the parent namespace (so uid 0 may be the host's root)."""
    try:
        with open("/proc/self/uid_map") as handle:
            for line in handle:
                inside, outside, _count = (int(part) for part in line.split())
                if inside == 0:
                    return outside == 0
    except (OSError, ValueError):
        pass
    return True


def _write_maps(pid: int, *, two_ids: bool) -> None:
    if two_ids:
        maps = f"0 0 1\n{SANDBOX_ID} {SANDBOX_ID} 1\n"
        with open(f"/proc/{pid}/uid_map", "w") as handle:
            handle.write(maps)
        with open(f"/proc/{pid}/gid_map", "w") as handle:
            handle.write(maps)
        return
    with open(f"/proc/{pid}/uid_map", "w") as handle:
        handle.write(f"0 {os.geteuid()} 1\n")
    with open(f"/proc/{pid}/setgroups", "w") as handle:
        handle.write("deny")
    with open(f"/proc/{pid}/gid_map", "w") as handle:
        handle.write(f"0 {os.getegid()} 1\n")


def _enter_namespaces(*, tmpfs_mb: int, hide: list[str], extra_paths: list[str]) -> Isolation:
    """Fork holder -> supervisor inside new namespaces; return in the supervisor on success."""
    _syscalls()
    root = os.geteuid() == 0
    go_r, go_w = os.pipe()  # server -> holder: the id maps are written
    st_r, st_w = os.pipe()  # holder/supervisor -> server: "u" (unshared), then "ok" or "!error"
    holder = os.fork()
    if holder == 0:
        os.close(go_w)
        os.close(st_r)
        _run_holder(go_r, st_w, tmpfs_mb=tmpfs_mb, hide=hide, extra_paths=extra_paths)
        # only the supervisor gets here
        return _namespaces_isolation(two_ids=_uid_mapped(SANDBOX_ID))
    os.close(go_r)
    os.close(st_w)
    failure: str | None = None
    try:
        first = _read_until_eof(st_r, timeout_s=10.0, limit=1)
        if first != b"u":
            failure = first[1:].decode(errors="replace") if first.startswith(b"!") else "holder did not start"
        else:
            try:
                _write_maps(holder, two_ids=root)
            except OSError:
                if root and _identity_mapped_root():
                    raise  # uid 0 may be the host's root: never let runs keep it
                _write_maps(holder, two_ids=False)
            os.write(go_w, b"m")
            status = _read_until_eof(st_r, timeout_s=20.0)
            if status != b"ok":
                failure = status[1:].decode(errors="replace") if status.startswith(b"!") else "setup timed out"
    except OSError as exc:
        failure = f"cannot map user ids: {exc}"
    finally:
        os.close(go_w)
        os.close(st_r)
    if failure is not None:
        with contextlib.suppress(OSError):
            os.kill(holder, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(holder, 0)
        raise OSError(errno.EPERM, failure)
    # The supervisor serves the protocol from now on; this process only mirrors its exit.
    os.closerange(0, 1 << 16)
    while True:
        try:
            _, status_code = os.waitpid(holder, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(1)
    os._exit(os.waitstatus_to_exitcode(status_code) & 0xFF)


def _run_holder(go_r: int, st_w: int, *, tmpfs_mb: int, hide: list[str], extra_paths: list[str]) -> None:
    """The holder: unshare, wait for the id maps, fork the supervisor and mirror its exit.

    Returns only in the supervisor (PID 1 of the new PID namespace), once the jail is built.
    """
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        _check(
            libc().unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC),
            "unshare(user, net, mount, pid, ipc)",
        )
        os.write(st_w, b"u")
        if os.read(go_r, 1) != b"m":
            os._exit(1)
        os.close(go_r)
        supervisor = os.fork()
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.write(st_w, f"!{exc}".encode()[:4000])
        os._exit(1)
    if supervisor == 0:
        _become_supervisor(st_w, tmpfs_mb=tmpfs_mb, hide=hide, extra_paths=extra_paths)
        return
    os.close(st_w)
    code = 1
    with contextlib.suppress(BaseException):
        _, status = os.waitpid(supervisor, 0)
        code = os.waitstatus_to_exitcode(status)
    os._exit(code & 0xFF if code >= 0 else 1)


def _read_until_eof(fd: int, *, timeout_s: float, limit: int = 4096) -> bytes:
    """Up to ``limit`` bytes, stopping at end of stream or when ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    data = bytearray()
    while len(data) < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        chunk = os.read(fd, limit - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _namespaces_isolation(*, two_ids: bool) -> Isolation:
    if two_ids:
        return Isolation(
            mode="namespaces",
            reason="user, network, mount, IPC and PID namespaces; runs as uid 65534",
            run_root="/tmp",
            uid=SANDBOX_ID,
            gid=SANDBOX_ID,
            pid_namespace=True,
            proc=_proc_mounted,
        )
    return Isolation(
        mode="namespaces",
        reason="user, network, mount, IPC and PID namespaces; runs keep the server's uid with no capabilities",
        run_root="/tmp",
        drop_caps=True,
        pid_namespace=True,  # single-id map: only reached when uid 0 here is not the host's root
        proc=_proc_mounted,
    )


def _become_supervisor(status_fd: int, *, tmpfs_mb: int, hide: list[str], extra_paths: list[str]) -> None:
    """In the new namespaces as PID 1: build the jail, report to the server. Exits on failure."""
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        prctl(PR_SET_DUMPABLE, 0)
        build_jail(tmpfs_mb=tmpfs_mb, hide=hide, extra_paths=extra_paths)
        _forbid_nested_namespaces()
        os.write(status_fd, b"ok")
        os.close(status_fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.write(status_fd, f"!{exc}".encode()[:4000])
        os._exit(1)


NAMESPACE_LIMITS = ("user", "net", "mnt", "pid", "ipc", "uts", "cgroup", "time")


def _forbid_nested_namespaces() -> None:
    """Best effort: runs may not create namespaces of their own (limits are per user namespace)."""
    for kind in NAMESPACE_LIMITS:
        with contextlib.suppress(OSError), open(f"/proc/sys/user/max_{kind}_namespaces", "w") as handle:
            handle.write("0")


def _uid_mapped(uid: int) -> bool:
    try:
        with open("/proc/self/uid_map") as handle:
            for line in handle:
                inside, _outside, count = (int(part) for part in line.split())
                if inside <= uid < inside + count:
                    return True
    except (OSError, ValueError):
        pass
    return False


def _python_paths(hide: list[str]) -> list[str]:
    """Real paths of the interpreter's installation and import path (minus hidden source trees)."""
    candidates = [sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix]
    candidates.append(os.path.dirname(os.path.realpath(sys.executable)))
    candidates.extend(entry for entry in sys.path if entry and os.path.isabs(entry))
    found: list[str] = []
    for entry in candidates:
        real = os.path.realpath(entry)
        if not os.path.isdir(real):
            continue
        holds_hidden = any(_is_within(hidden, real) for hidden in hide)
        if holds_hidden and os.path.basename(real) not in ("site-packages", "dist-packages"):
            continue  # a source checkout on sys.path (editable install): keep it out of the jail
        found.append(real)
    return found


_proc_mounted = False


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(_is_within(path, outer) for outer in kept):
            kept.append(path)
    return kept


def build_jail(*, tmpfs_mb: int, hide: list[str], extra_paths: list[str]) -> None:
    """Build a minimal read-only root with a writable ``/tmp`` and pivot into it (needs a mount ns)."""
    pivot_nr, setattr_nr, _ = _syscalls()
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    hide = [os.path.realpath(path) for path in hide]
    binds = [path for path in SYSTEM_PATHS if os.path.isdir(path) and not os.path.islink(path)]
    links = [path for path in SYSTEM_PATHS if os.path.islink(path)]
    binds += _python_paths(hide)
    binds += [os.path.realpath(path) for path in extra_paths if os.path.isdir(path)]
    binds = _outermost(binds)
    skeleton = next(
        (c for c in _SKELETON_CANDIDATES if os.path.isdir(c) and not any(_is_within(b, c) for b in binds)),
        None,
    )
    if skeleton is None:
        raise OSError(errno.ENOENT, "no free directory to build the sandbox root in")
    _mount("tmpfs", skeleton, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    new = skeleton.rstrip("/")
    for link in links:
        os.symlink(os.readlink(link), new + link)
    # An installation under /tmp (a venv in a CI checkout) is bound after the writable /tmp exists,
    # on top of it; binding it first would put it under that tmpfs (hidden) and clash with /tmp.
    under_tmp = [path for path in binds if _is_within(path, "/tmp")]
    binds = [path for path in binds if path not in under_tmp]
    _bind_all(new, binds, hide)
    os.makedirs(new + "/dev")
    for node in DEV_NODES:
        if os.path.exists("/dev/" + node):
            with open(new + "/dev/" + node, "w"):
                pass
            _mount("/dev/" + node, new + "/dev/" + node, None, MS_BIND)
    for index, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{index}", f"{new}/dev/{name}")
    os.symlink("/proc/self/fd", new + "/dev/fd")
    os.mkdir(new + "/proc")
    os.mkdir(new + "/tmp")
    _read_only(new, setattr_nr, binds)
    _mount("tmpfs", new + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={max(1, tmpfs_mb)}m,mode=755")
    _bind_all(new, under_tmp, hide)
    for path in under_tmp:
        _mount(None, new + path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)
    global _proc_mounted
    try:
        _mount("proc", new + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _proc_mounted = True
    except OSError:  # a container may mask /proc; runs then simply have none
        _proc_mounted = False
    os.chdir(new)
    _check(libc().syscall(pivot_nr, b".", b"."), "pivot_root")
    _check(libc().umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def _bind_all(new_root: str, binds: list[str], hide: list[str]) -> None:
    """Bind each host path at the same place under ``new_root``, hiding source trees inside them."""
    for path in binds:
        os.makedirs(new_root + path, exist_ok=True)
        _mount(path, new_root + path, None, MS_BIND | MS_REC)
    for hidden in hide:
        if any(_is_within(hidden, path) for path in binds) and os.path.isdir(new_root + hidden):
            _mount("tmpfs", new_root + hidden, "tmpfs", MS_NOSUID | MS_NODEV, "size=4k,mode=755")


def _read_only(new_root: str, setattr_nr: int, binds: list[str]) -> None:
    attr = _MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, 0)
    result = libc().syscall(
        setattr_nr, AT_FDCWD, new_root.encode(), AT_RECURSIVE, ctypes.byref(attr), ctypes.sizeof(attr)
    )
    if result == 0:
        return
    # Kernels before 5.12: remount each mount read-only (submounts of bind mounts stay as they are).
    for path in [new_root + p for p in binds] + [new_root + "/dev/" + n for n in DEV_NODES]:
        if os.path.exists(path):
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)
    _mount(None, new_root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID)


def _audit_isolation(reason: str, hide: list[str]) -> Isolation:
    with contextlib.suppress(OSError):
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    root = os.geteuid() == 0
    run_root = os.environ.get("TMPDIR") or "/tmp"
    notes = [
        "an audit hook refuses process creation, sockets, signals, ctypes, other processes' /proc entries, "
        "the package's sources and writes outside the run directory; C extensions can bypass it"
    ]
    if root:
        notes.append("runs keep uid 0 without capabilities: use a container for hostile code")
    return Isolation(
        mode="audit",
        reason=reason,
        run_root=run_root,
        drop_caps=root,
        limit_processes=False,  # RLIMIT_NPROC counts every process of the uid (or none, for root)
        hidden=hide,
        notes=notes,
    )


# ---- entering a run (in the forked child) ---------------------------------------------------
class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32))


def drop_capabilities() -> None:
    """Lock root's special rules off and clear every capability set (bounding set included)."""
    prctl(PR_SET_SECUREBITS, SECURE_ALL_BITS_LOCKED)
    for cap in range(64):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError:
            break
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(libc().syscall(_syscalls()[2], ctypes.byref(header), ctypes.byref(data)), "capset")


SANDBOX_ENV = {"HOME": "/tmp", "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}


class RunLimits:
    """rlimits of one run (the server turns the request into this)."""

    def __init__(
        self, *, cpu_s: int, address_space: int, file_size: int, open_files: int, processes: int, stack: int
    ) -> None:
        self.cpu_s = cpu_s
        self.address_space = address_space
        self.file_size = file_size
        self.open_files = open_files
        self.processes = processes
        self.stack = stack

    def table(self, iso: Isolation) -> list[tuple[int, int, int]]:
        """``(resource, soft, hard)`` triples, each within this process's own hard limit."""
        wanted = [
            (resource.RLIMIT_CPU, self.cpu_s, self.cpu_s + 1),
            (resource.RLIMIT_AS, self.address_space, self.address_space),
            (resource.RLIMIT_FSIZE, self.file_size, self.file_size),
            (resource.RLIMIT_NOFILE, self.open_files, self.open_files),
            (resource.RLIMIT_STACK, self.stack, self.stack),
            (resource.RLIMIT_CORE, 0, 0),
        ]
        if iso.limit_processes:
            wanted.append((resource.RLIMIT_NPROC, self.processes, self.processes))
        table = []
        for which, soft, hard in wanted:
            _, current_hard = resource.getrlimit(which)
            if current_hard != resource.RLIM_INFINITY:
                soft, hard = min(soft, current_hard), min(hard, current_hard)
            table.append((which, soft, hard))
        return table


M_ARENA_MAX = -8


def prepare_server_environment() -> None:
    """What every run inherits, set once in the server: the environment, and one malloc arena.

    glibc gives each new thread its own arena, reserving 64 MiB of address space per thread, so a
    program with a few threads would hit RLIMIT_AS without using the memory; one arena avoids that.
    """
    os.environ.clear()
    os.environ.update(SANDBOX_ENV)
    with contextlib.suppress(OSError, AttributeError):
        libc().mallopt(M_ARENA_MAX, 1)


def enter_run(iso: Isolation, rlimits: list[tuple[int, int, int]], run_dir: str) -> None:
    """Called in a freshly forked run child before any model code: session, identity, limits, cwd.

    In namespaces mode nothing more is needed when the server dies: the supervisor is PID 1 of the
    runs' PID namespace, and the kernel kills the whole namespace with it. In audit mode the child
    asks for SIGKILL when its parent dies.
    """
    os.setsid()
    if iso.mode == "namespaces":
        if iso.uid is not None and iso.gid is not None:
            os.setgroups([])
            os.setresgid(iso.gid, iso.gid, iso.gid)
            os.setresuid(iso.uid, iso.uid, iso.uid)  # clears every capability; mounts are nosuid
        elif iso.drop_caps:
            drop_capabilities()
            prctl(PR_SET_NO_NEW_PRIVS, 1)
    else:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if iso.drop_caps:
            drop_capabilities()
            prctl(PR_SET_NO_NEW_PRIVS, 1)
    for which, soft, hard in rlimits:
        resource.setrlimit(which, (soft, hard))
    os.chdir(run_dir)


# ---- the audit hook (fallback mode) ---------------------------------------------------------
_BLOCKED_EVENTS = (
    "socket.",
    "subprocess.",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "signal.pthread_kill",
    "ctypes.",
    "pty.",
    "os.putenv",
    "os.unsetenv",
    "sys.remote_exec",
    "winreg.",
)
_BLOCKED_MODULES = (
    "ctypes",
    "_ctypes",
    "socket",
    "_socket",
    "subprocess",
    "_posixsubprocess",
    "multiprocessing",
    "pty",
)
_PATH_EVENTS = {
    "os.remove": 0,
    "os.rename": 0,
    "os.rmdir": 0,
    "os.mkdir": 0,
    "os.symlink": 1,
    "os.link": 1,
    "os.chmod": 0,
    "os.chown": 0,
    "os.truncate": 0,
    "os.utime": 0,
    "shutil.rmtree": 0,
    "shutil.copyfile": 1,
    "shutil.move": 1,
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def install_audit_hook(run_dir: str, hidden: Iterable[str] = ()) -> None:
    """Refuse the dangerous operations for the rest of this process's life (fallback mode)."""
    for name in _BLOCKED_MODULES:
        sys.modules.pop(name, None)
    base = os.path.realpath(run_dir)
    realpath = os.path.realpath
    fspath = os.fspath
    allowed = ("/dev/null",)

    def inside(path: Any) -> bool:
        if isinstance(path, int):
            return True  # an already-open descriptor
        try:
            real = realpath(fspath(path))
        except (TypeError, ValueError):
            return False
        return real in allowed or real == base or real.startswith(base + "/")

    own_pid = str(os.getpid())
    hidden_prefixes = tuple(path.rstrip("/") + "/" for path in hidden)
    hidden_exact = frozenset(path.rstrip("/") for path in hidden)

    def concealed(path: Any) -> bool:
        if not hidden_exact or not isinstance(path, str | bytes):
            return False
        try:
            real = realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return real in hidden_exact or real.startswith(hidden_prefixes)

    def other_process(path: Any) -> bool:
        """A path into another process's /proc entry (its memory, environment, descriptors...)."""
        if not isinstance(path, str | bytes):
            return False
        text = os.fsdecode(path)
        if not text.startswith("/proc/"):
            text = os.path.join(os.getcwd(), text) if not os.path.isabs(text) else text
        text = os.path.normpath(text)
        parts = text.split("/")
        return len(parts) > 2 and parts[1] == "proc" and parts[2].isdigit() and parts[2] != own_pid

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = (*args, None, None, None)[:3]
            if other_process(path) or concealed(path):
                raise PermissionError(f"sandbox: {path!r} is not readable here")
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
            )
            if writing and not inside(path):
                raise PermissionError(f"sandbox: writing outside the run directory is not allowed ({path!r})")
            return
        if event in ("os.listdir", "os.scandir") and args and concealed(args[0]):
            raise PermissionError(f"sandbox: {args[0]!r} is not readable here")
        if event == "import" and args and str(args[0]).split(".")[0] in _BLOCKED_MODULES:
            raise ImportError(f"sandbox: module {args[0]!r} is not available")
        if event.startswith(_BLOCKED_EVENTS):
            raise PermissionError(f"sandbox: {event} is not allowed")
        position = _PATH_EVENTS.get(event)
        if position is not None and len(args) > position and not inside(args[position]):
            raise PermissionError(f"sandbox: {event} outside the run directory is not allowed")

    sys.addaudithook(hook)
