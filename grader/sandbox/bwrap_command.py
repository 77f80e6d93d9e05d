"""The bubblewrap command line of every bwrap sandbox: a cold worker's (``grader.sandbox.bwrap``)
and a zygote's (``grader.sandbox.warm``).

Inside, the sandbox sees only what Python needs, read-only (``/usr``, the interpreter's prefix and
the virtual environment, a few generated ``/etc`` files), a private size-capped ``/tmp``, a minimal
``/dev`` and the harness at ``/opt/mljudge/lib``; every namespace is unshared (no network but its
own ``lo``), it runs in a new session and dies with the grader.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from grader.sandbox import seccomp
from grader.sandbox.base import SandboxError
from grader.sandbox.bwrap_dirs import with_open_parents
from grader.sandbox.worker_env import worker_environment

SANDBOX_UID = 65534
SANDBOX_GID = 65534
LIB_DIR = "/opt/mljudge/lib"
SUBMISSION_DIR = "/sandbox"
HOME = "/tmp"
#: What a root grader's sandbox keeps of its namespace until the worker has sealed /proc's settings and
#: switched to the leased uid (``harness.confine``); the worker drops them with everything else.
ROOT_GRADER_CAPS = ("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SYS_ADMIN")
SECCOMP_FILE = "seccomp.bpf"  # in the lib folder: the filter the worker loads (harness.confine)

PASSWD = "nobody:x:65534:65534:nobody:/tmp:/usr/sbin/nologin\n"
GROUP = "nogroup:x:65534:\n"
HOSTS = "127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n"
#: Generated /etc files, bound read-only over the host's.
GENERATED_ETC = (("passwd", PASSWD), ("group", GROUP), ("hosts", HOSTS), ("hostname", "sandbox\n"))
#: Character devices a worker may open: none of them reaches the host's state.
DEV_NODES = ("null", "zero", "full", "random", "urandom", "tty")
#: Real /etc files the interpreter or numpy may read; none of them is secret.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "localtime", "nsswitch.conf", "host.conf", "mime.types")


def find_bwrap() -> str | None:
    for candidate in ("/usr/bin/bwrap", "/usr/local/bin/bwrap"):
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("bwrap")


def require_bwrap() -> str:
    """The bubblewrap binary; ``SandboxError`` when there is none."""
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxError("bubblewrap (bwrap) is not installed")
    return bwrap


def _is_under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _bind_or_link(host: Path, *, directory: bool) -> list[str]:
    """A host path as it is: a symbolic link again, else a read-only bind (if it exists)."""
    if host.is_symlink():
        return ["--symlink", os.readlink(host), str(host)]
    if host.is_dir() if directory else host.is_file():
        return ["--ro-bind", str(host), str(host)]
    return []


def _python_prefixes() -> list[str]:
    """The interpreter's installation prefixes outside /usr, outermost only."""
    prefixes: list[str] = []
    for prefix in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))):
        prefix = os.path.realpath(prefix)
        if _is_under(prefix, "/usr") or any(_is_under(prefix, p) for p in prefixes):
            continue
        prefixes.append(prefix)
    return prefixes


def system_binds() -> list[str]:
    """Read-only binds of the system: /usr, the top-level lib/bin links, the Python prefixes."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        args += _bind_or_link(Path("/") / name, directory=True)
    for prefix in _python_prefixes():
        args += ["--ro-bind", prefix, prefix]
    # sys.prefix may be reached through a symlink (the venv itself is not resolved by python)
    for prefix in (sys.prefix, sys.base_prefix):
        if prefix != os.path.realpath(prefix) and not _is_under(prefix, "/usr"):
            args += ["--ro-bind", os.path.realpath(prefix), prefix]
    for name in ETC_FILES:
        args += _bind_or_link(Path("/etc") / name, directory=False)
    return args


def namespace_args(bwrap: str, ids: int = SANDBOX_UID) -> list[str]:
    """New namespaces of every kind, uid and gid ``ids`` inside, its own session, gone with its parent."""
    return [
        bwrap, "--unshare-all", "--die-with-parent", "--new-session",
        "--uid", str(ids), "--gid", str(ids),
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


def stage_seccomp(lib: Path) -> None:
    """Write the worker's seccomp filter into the staged lib folder (``SECCOMP_FILE``)."""
    try:
        seccomp.write_program(lib / SECCOMP_FILE)
    except seccomp.SeccompError as exc:
        raise SandboxError(f"cannot build the seccomp filter: {exc}") from exc


def sandbox_argv(bwrap: str, root: Path, lib: Path, *, ids: int, caps: Sequence[str], tmp_bytes: int,
                 shm_bytes: int, mounts: Sequence[str], command: Sequence[str]) -> list[str]:
    """The full bubblewrap command line: the generated /etc files are written under ``root``, the
    staged harness ``lib`` is bound at ``LIB_DIR``, ``mounts`` go after it; ``command`` runs inside."""
    etc = root / "etc"
    etc.mkdir()
    for name, text in GENERATED_ETC:
        (etc / name).write_text(text)
    args = [*namespace_args(bwrap, ids), "--hostname", "sandbox", "--cap-drop", "ALL", *caps, "--clearenv"]
    for key, value in worker_environment(home=HOME).items():
        args += ["--setenv", key, value]
    # /tmp first: binds that follow (the venv may live under /tmp) stay visible on top of it
    args += ["--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    args += system_binds()
    for name, _ in GENERATED_ETC:
        args += ["--ro-bind", str(etc / name), f"/etc/{name}"]
    args += ["--proc", "/proc", *dev_args(shm_bytes), "--ro-bind", str(lib), LIB_DIR, *mounts,
             "--remount-ro", "/", "--chdir", HOME]
    return [*with_open_parents(args), "--", *command]
