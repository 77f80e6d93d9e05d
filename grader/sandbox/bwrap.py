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
from grader.sandbox.base import (
    Sandbox,
    SandboxError,
    WorkerProcess,
    WorkerSpec,
    cpu_limit_verdict,
    memory_limit_verdict,
)
from grader.sandbox.cgroups import CgroupError, WorkerCgroup, cgroups_usable
from grader.sandbox.popen_worker import PopenWorker, worker_environment
from grader.sandbox.process import stage_files, worker_argv

SANDBOX_UID = 65534
SANDBOX_GID = 65534
LIB_DIR = "/opt/mljudge/lib"
SUBMISSION_DIR = "/sandbox"
HOME = "/tmp"

PASSWD = "nobody:x:65534:65534:nobody:/tmp:/usr/sbin/nologin\n"
GROUP = "nogroup:x:65534:\n"
HOSTS = "127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n"
#: Real /etc files the interpreter or numpy may read; none of them is secret.
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
        "--dev",
        "/dev",
        # a capped scratch /dev/shm (POSIX semaphores, shared memory); the rest of /dev read-only
        "--perms",
        "1777",
        "--size",
        str(tmp_size),
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
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
    return args + worker_argv(sys.executable, LIB_DIR, f"{SUBMISSION_DIR}/{spec.module_name}.py", spec)


def namespace_args(bwrap: str) -> list[str]:
    """New namespaces of every kind, uid/gid nobody, its own session, gone with its parent."""
    return [
        bwrap, "--unshare-all", "--die-with-parent", "--new-session",
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID),
    ]


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
        argv = [
            *namespace_args(bwrap),
            "--clearenv",
            "--tmpfs",
            "/tmp",
            *system_binds(),
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--",
            sys.executable,
            "-I",
            "-c",
            "pass",
        ]
        try:
            done = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0

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

        def cleanup() -> None:
            if cgroup is not None:
                cgroup.destroy()
            shutil.rmtree(root, ignore_errors=True)

        try:
            lib, work = stage_files(spec, root)
            argv = bwrap_argv(bwrap, spec, root, lib, work)
            if self.cgroups_available():
                with contextlib.suppress(CgroupError):
                    cgroup = WorkerCgroup.create(spec.limits.memory_mb, spec.limits.processes)
            if cgroup is not None:
                argv = cgroup.join_argv(argv)
        except BaseException:
            cleanup()
            raise
        return PopenWorker(
            argv,
            cwd=str(root),
            env={"PATH": "/usr/bin:/bin"},
            limits=spec.limits,
            cleanup=cleanup,
            monitor_memory=cgroup is None,
            kill_extra=cgroup.kill_all if cgroup is not None else None,
            usage=cgroup.measure if cgroup is not None else None,
            verdict_hook=_verdict_hook(spec.limits, cgroup),
        )
