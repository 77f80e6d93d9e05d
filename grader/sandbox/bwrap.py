"""The ``bwrap`` backend: the worker in bubblewrap namespaces, under per-worker control groups.

Inside the sandbox the worker sees only what Python needs, read-only (``/usr``, the interpreter's
prefix and the virtual environment, a few generated ``/etc`` files), a private size-capped
``/tmp``, the harness at ``/opt/mljudge/lib`` and the submission at ``/sandbox/<module>.py``.
Every namespace is unshared (no network but its own ``lo``), it runs as uid/gid 65534 in a new
session, and dies with the grader. Memory (swap included), process count and CPU use are held
and measured by control groups (``grader.sandbox.cgroups``); if those cannot be used here the
worker still runs, with the process backend's memory monitor and no process limit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from grader.models import Limits, Verdict
from grader.sandbox import enter, seccomp
from grader.sandbox.base import (
    Sandbox,
    SandboxError,
    WorkerProcess,
    WorkerSpec,
    cpu_limit_verdict,
    memory_limit_verdict,
)
from grader.sandbox.bwrap_dirs import with_open_parents
from grader.sandbox.cgroups import CgroupError, WorkerCgroup, cgroups_usable
from grader.sandbox.host_ids import IdLease, NoFreeIds, lease_ids
from grader.sandbox.popen_worker import PopenWorker, worker_environment
from grader.sandbox.process import stage_files, worker_argv
from grader.sandbox.userns import IdMap, MappingError, NamespaceMapper

SANDBOX_UID = 65534
SANDBOX_GID = 65534
LIB_DIR = "/opt/mljudge/lib"
SUBMISSION_DIR = "/sandbox"
HOME = "/tmp"
#: What a root grader's sandbox keeps of its namespace until the worker has sealed /proc's settings and
#: switched to the leased uid (``harness.confine``); the worker drops them with everything else.
ROOT_GRADER_CAPS = ("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SYS_ADMIN")
SECCOMP_FILE = "seccomp.bpf"  # in the lib folder: the filter the worker loads (harness.confine)
MAP_TIMEOUT = 20.0  # bubblewrap reports its child's pid within milliseconds; a loaded machine takes longer

PASSWD = "nobody:x:65534:65534:nobody:/tmp:/usr/sbin/nologin\n"
GROUP = "nogroup:x:65534:\n"
HOSTS = "127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n"
#: Real /etc files the interpreter or numpy may read; none of them is secret.
#: Character devices a worker may open: none of them reaches the host's state.
DEV_NODES = ("null", "zero", "full", "random", "urandom", "tty")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "localtime", "nsswitch.conf", "host.conf", "mime.types")


def find_bwrap() -> str | None:
    for candidate in ("/usr/bin/bwrap", "/usr/local/bin/bwrap"):
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("bwrap")


def _is_under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def system_binds() -> list[str]:
    """Read-only binds of the system: /usr, the top-level lib/bin links, the Python prefixes."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    prefixes: list[str] = []
    for prefix in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))):
        prefix = os.path.realpath(prefix)
        if _is_under(prefix, "/usr") or any(_is_under(prefix, p) for p in prefixes):
            continue
        prefixes.append(prefix)
    for prefix in prefixes:
        args += ["--ro-bind", prefix, prefix]
    # sys.prefix may be reached through a symlink (the venv itself is not resolved by python)
    for prefix in (sys.prefix, sys.base_prefix):
        if prefix != os.path.realpath(prefix) and not _is_under(prefix, "/usr"):
            args += ["--ro-bind", os.path.realpath(prefix), prefix]
    for name in ETC_FILES:
        host = Path("/etc") / name
        if host.is_symlink():
            target = os.readlink(host)
            args += ["--symlink", target, str(host)]
        elif host.is_file():
            args += ["--ro-bind", str(host), str(host)]
    return args


def bwrap_argv(bwrap: str, spec: WorkerSpec, root: Path, lib: Path, work: Path) -> list[str]:
    """The full bubblewrap command line for ``spec`` (files already staged under ``root``)."""
    etc = root / "etc"
    etc.mkdir()
    for name, text in (("passwd", PASSWD), ("group", GROUP), ("hosts", HOSTS), ("hostname", "sandbox\n")):
        (etc / name).write_text(text)
    tmp_size = max(16, spec.limits.file_size_mb) * 1024 * 1024
    args = [
        *namespace_args(bwrap),
        "--hostname",
        "sandbox",
        "--cap-drop",
        "ALL",
        *(ROOT_GRADER_CAPS if os.geteuid() == 0 else []),
        "--clearenv",
    ]
    for key, value in worker_environment(home=HOME).items():
        args += ["--setenv", key, value]
    # /tmp first: binds that follow (the venv may live under /tmp) stay visible on top of it
    args += ["--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/tmp"]
    args += system_binds()
    for name in ("passwd", "group", "hosts", "hostname"):
        args += ["--ro-bind", str(etc / name), f"/etc/{name}"]
    args += [
        "--proc",
        "/proc",
        *dev_args(tmp_size),
        "--ro-bind",
        str(lib),
        LIB_DIR,
        "--ro-bind",
        str(work / f"{spec.module_name}.py"),
        f"{SUBMISSION_DIR}/{spec.module_name}.py",
        "--remount-ro",
        "/",
        "--chdir",
        HOME,
        "--",
    ]
    try:
        seccomp.write_program(lib / SECCOMP_FILE)
    except seccomp.SeccompError as exc:
        raise SandboxError(f"cannot build the seccomp filter: {exc}") from exc
    confine: dict[str, object] = {"ids": [SANDBOX_UID, SANDBOX_GID], "seccomp": f"{LIB_DIR}/{SECCOMP_FILE}"}
    return with_open_parents(args) + worker_argv(sys.executable, LIB_DIR, f"{SUBMISSION_DIR}/{spec.module_name}.py",
                                                 spec, confine)


def namespace_args(bwrap: str) -> list[str]:
    """New namespaces of every kind, uid/gid nobody, its own session, gone with its parent."""
    return [
        bwrap, "--unshare-all", "--die-with-parent", "--new-session",
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID),
    ]


def dev_args(shm_bytes: int) -> list[str]:
    """A minimal read-only /dev: the harmless character devices of the host, the usual links, and a
    capped scratch /dev/shm (POSIX semaphores, shared memory). Not bubblewrap's ``--dev``: that
    mounts a devpts, for which bubblewrap nests a second user namespace whose root maps onto the
    caller, so the worker's ``uid_map`` would show uid 0 outside."""
    args = ["--perms", "0755", "--tmpfs", "/dev"]
    for name in DEV_NODES:
        args += ["--dev-bind", f"/dev/{name}", f"/dev/{name}"]
    for link, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        args += ["--symlink", target, f"/dev/{link}"]
    args += ["--perms", "1777", "--size", str(shm_bytes), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    return args


def _inner_signal(status: int) -> int | None:
    """bwrap exits with 128 + N when the sandboxed process was killed by signal N."""
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        if 128 < code < 128 + 65:
            return code - 128
    return None


def _verdict_hook(limits: Limits, cgroup: WorkerCgroup | None) -> Callable[[int, float], tuple[Verdict, str] | None]:
    def hook(status: int, cpu: float) -> tuple[Verdict, str] | None:
        if cgroup is not None:
            cgroup.measure()
            if cgroup.out_of_memory:
                return memory_limit_verdict(limits)
        sig = _inner_signal(status)
        if sig is None:
            return None
        if (cpu_limit := cpu_limit_verdict(sig, cpu, limits)) is not None:
            return cpu_limit
        if sig == signal.SIGKILL and cgroup is not None and cgroup.memory_failures > 0:
            return memory_limit_verdict(limits)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return Verdict.CRASHED, f"the worker was killed by {name} ({sig})"

    return hook


class BwrapSandbox(Sandbox):
    """Runs the worker inside bubblewrap, with control-group limits where they are available."""

    name = "bwrap"
    isolated = True

    _available: ClassVar[bool | None] = None
    _cgroups: ClassVar[bool | None] = None
    _probe_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def available(cls) -> bool:
        with cls._probe_lock:
            if cls._available is None:
                cls._available = cls._probe()
            return cls._available

    @classmethod
    def _probe(cls) -> bool:
        if not sys.platform.startswith("linux"):
            return False
        bwrap = find_bwrap()
        if bwrap is None:
            return False
        bwrap_args = [*namespace_args(bwrap), "--clearenv", "--tmpfs", "/tmp", *system_binds(), "--proc", "/proc",
                      *dev_args(1 << 20), "--", sys.executable, "-I", "-c", "pass"]
        bwrap_args = with_open_parents(bwrap_args)
        launch: SandboxLaunch | None = None
        try:  # the real set-up: the enter step, the mapped user namespace of a root grader
            launch = SandboxLaunch(bwrap_args, None)
            proc = subprocess.Popen(launch.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, pass_fds=launch.child_fds, cwd="/")
            try:
                launch.started()
                return proc.wait(timeout=20) == 0
            finally:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait()
        except (OSError, subprocess.SubprocessError, SandboxError, NoFreeIds):
            return False
        finally:
            if launch is not None:
                launch.close()


    @classmethod
    def cgroups_available(cls) -> bool:
        with cls._probe_lock:
            if cls._cgroups is None:
                cls._cgroups = cgroups_usable()
            return cls._cgroups

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        bwrap = find_bwrap()
        if bwrap is None:
            raise SandboxError("bubblewrap (bwrap) is not installed")
        root = Path(tempfile.mkdtemp(prefix="mljudge-bwrap-"))
        cgroup: WorkerCgroup | None = None
        launch: SandboxLaunch | None = None

        def cleanup() -> None:
            if cgroup is not None:
                cgroup.destroy()
            if launch is not None:
                launch.close()
            shutil.rmtree(root, ignore_errors=True)

        try:
            lib, work = stage_files(spec, root)
            if self.cgroups_available():
                try:
                    cgroup = WorkerCgroup.create(spec.limits.memory_mb, spec.limits.processes)
                except CgroupError as exc:
                    raise SandboxError(f"cannot make the worker's control groups: {exc}") from exc
            else:
                require_limits_or_consent(self.name)
            launch = SandboxLaunch(bwrap_argv(bwrap, spec, root, lib, work), cgroup)
            worker = PopenWorker(
                launch.argv,
                cwd="/",
                env={"PATH": "/usr/bin:/bin"},
                limits=spec.limits,
                cleanup=cleanup,
                pass_fds=launch.child_fds,
                monitor_memory=cgroup is None,
                kill_extra=cgroup.kill_all if cgroup is not None else None,
                usage=cgroup.measure if cgroup is not None else None,
                verdict_hook=_verdict_hook(spec.limits, cgroup),
            )
        except BaseException:
            cleanup()
            raise
        try:
            launch.started()
        except SandboxError:
            worker.stop()
            raise
        return worker


class SandboxLaunch:
    """How one bubblewrap sandbox is entered: ``grader.sandbox.enter`` first (control groups joined,
    a fresh session keyring), then bubblewrap. A root grader maps the sandbox's user namespace itself
    (``grader.sandbox.userns``) once bubblewrap has made it: uid 0 onto host root, for bubblewrap's
    own set-up only (it can then bind a Python under ``/root``), and uid 65534 onto a leased
    unprivileged host uid, which bubblewrap becomes before the sandboxed program runs; the worker
    then moves into a user namespace of its own that maps that uid alone (``harness.confine``).
    Always ``close``, after the sandbox is gone."""

    def __init__(self, bwrap_args: list[str], cgroup: WorkerCgroup | None) -> None:
        self.lease: IdLease | None = None
        self.mapper: NamespaceMapper | None = None
        args = list(bwrap_args)
        try:
            if os.geteuid() == 0:
                self.lease = lease_ids()
                self.mapper = NamespaceMapper()
                args[1:1] = self.mapper.bwrap_args()
        except BaseException:
            self.close()
            raise
        procs = cgroup.procs_files() if cgroup is not None else []
        self.argv = enter.argv_for(args, procs=procs)
        self.child_fds = self.mapper.child_fds if self.mapper is not None else []

    @property
    def host_uid(self) -> int:
        """The host uid the sandboxed program runs as."""
        return self.lease.ids.uid if self.lease is not None else os.getuid()

    def started(self, timeout: float = MAP_TIMEOUT) -> None:
        """Call once bubblewrap runs: map its namespace (root grader), then let it go on."""
        if self.mapper is None or self.lease is None:
            return
        ids = self.lease.ids
        try:
            self.mapper.map(IdMap(((0, 0), (SANDBOX_UID, ids.uid)), ((0, 0), (SANDBOX_GID, ids.gid))), timeout)
        except MappingError as exc:
            raise SandboxError(str(exc)) from exc
        finally:
            self.mapper.close()

    def close(self) -> None:
        if self.mapper is not None:
            self.mapper.close()
        if self.lease is not None:
            self.lease.release()


def limits_waived() -> bool:
    """Whether the user allowed isolating backends to run without control groups."""
    return os.environ.get("MLJUDGE_ALLOW_NO_CGROUPS") == "1"


def require_limits_or_consent(backend: str) -> None:
    """Without control groups a worker has no memory or process limit: refuse, unless told
    (``MLJUDGE_ALLOW_NO_CGROUPS=1``, e.g. to check one's own code on a machine without them)."""
    if limits_waived():
        return
    raise SandboxError(
        f"the {backend} sandbox needs control groups for its memory and process limits, and none can be made "
        "here; set MLJUDGE_ALLOW_NO_CGROUPS=1 to run without them (not for grading others' work)"
    )
