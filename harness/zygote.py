"""The fork server ("zygote") of warm workers: imports heavy libraries once, then forks one fresh
harness worker per submission.

Runs inside one long-lived bubblewrap sandbox (``grader.sandbox.warm``) as
``python -s -P -B -c BOOTSTRAP LIB PRELOAD_JSON OWNER_TAG``, as root of the sandbox's own user
namespace with ``CAP_SYS_ADMIN``, ``CAP_SETFCAP``, ``CAP_NET_ADMIN`` (each child's loopback) and, under
a root grader, ``CAP_SETUID``/``CAP_SETGID`` (the worker's switch to the leased uid) there and
no other capability (uid 0 inside, so that bubblewrap does not nest a second user namespace, which
would lock its mounts and forbid the children a fresh ``/proc``). Its control channel is file descriptor 0, a
``SOCK_SEQPACKET`` Unix
socket to the grader: one JSON message per packet, file descriptors passed with ``SCM_RIGHTS``.

The zygote never runs student code. For each submission the grader sends ``fork`` with seven
descriptors: the protocol's two pipe ends, the output pipe, a memfd for the submission, a
"go" pipe, a "report" pipe and a "setup" pipe (the worker writes "k" on it once it is isolated,
right before the submission is imported: the grader waits for it, so that a worker lost while
being set up is the judge's failure, retried, never the student's). The zygote forks a *keeper*
process and answers with its pid.
The grader moves the keeper into a fresh control group of its own and writes "g"; the keeper builds
its namespaces and waits. The grader does this ahead, while the previous submission is being
finished, and when the next submission comes writes it to the memfd and "s". The keeper
then gives the worker a world of its own —

* new mount, pid, IPC, UTS and network namespaces (only ``lo``, up); a private size-capped
  ``/tmp`` and ``/dev/shm``, ``/dev`` read-only, the submission alone on a read-only ``/sandbox``;
* forks an init, pid 1 of the new pid namespace, which mounts a fresh ``/proc`` and forks the
  worker as pid 2 (as under bubblewrap's own init; the worker cannot see or signal the zygote,
  the keeper or anything else, and signals it sends itself act as in a cold worker);

— and waits for it, reporting its wait status on the report pipe. The worker confines itself as a
cold worker does (``harness.confine``): /proc's kernel settings sealed read-only, the leased
unprivileged uid of a root grader (mapped in the zygote's namespace beside host root, which the
zygote itself is), a user namespace of its own that maps only that uid, a new session keyring, no
capability in any set, ``no_new_privs``, the seccomp filter; then it starts a new session, puts the
channel on fds 0/1 and the output on fd 2, closes every other descriptor, and is an ordinary
``harness.worker``: rlimits first, the global random generators seeded as in a cold worker
(``harness.seeding``), then the submission's import.

The zygote is not dumpable (``PR_SET_DUMPABLE`` 0): a process of the same uid cannot ptrace it or
open its ``/proc/<pid>/mem``. At most two keepers exist at a time: the running one, and the one
prepared for the next submission (forked before the running one's submission was handed over).
After each, the grader asks for
the zygote's fingerprint (the modules it holds and the identity of the preloaded modules'
attributes) and restarts it if anything changed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import json
import os
import signal
import socket
import struct
import sys
import time
from typing import Any

from harness import confine
from harness.confine import prctl
from harness.namespaces import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUTS,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    fresh_tmp,
    loopback_up,
    mount,
    unshare,
)

PR_SET_DUMPABLE = 4

MAX_MESSAGE = 65536
NFDS = 7
MAX_KEEPERS = 2
#: The keeper's report: the worker's wait status (-1: there was no worker).
REPORT = struct.Struct(">i")


# --------------------------------------------------------------------------- the keeper and the worker


def _keeper(request: dict[str, Any], fds: list[int]) -> None:
    """Runs in the forked keeper: wait for "go", build the worker's world, run it, report. Never returns."""
    code = 1
    report_w = fds[5]
    try:
        proto_in, proto_out, out_w, source_fd, go_r, _, setup_w = fds
        if os.read(go_r, 1) != b"g":  # the grader gave up before moving us into our group
            os._exit(1)
        tmp_bytes = int(request["tmp_bytes"])
        unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET)
        loopback_up()
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        fresh_tmp(tmp_bytes)
        if not os.path.isdir("/dev/shm"):
            os.mkdir("/dev/shm", 0o1777)
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_bytes},mode=1777")
        mount(None, "/dev", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        # prepared ahead: wait for the submission (the grader closes "go" instead if it never comes)
        if os.read(go_r, 1) != b"s":
            os._exit(1)
        os.close(go_r)
        os.lseek(source_fd, 0, os.SEEK_SET)  # the grader's writes moved the shared offset
        source = b""
        while chunk := os.read(source_fd, 1 << 20):
            source += chunk
        os.close(source_fd)
        mount("tmpfs", "/sandbox", "tmpfs", MS_NOSUID | MS_NODEV, f"size={len(source) + (1 << 20)},mode=755")
        path = f"/sandbox/{request['module']}.py"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        view = memoryview(source)
        while view:
            view = view[os.write(fd, view):]
        os.close(fd)
        del source, view
        mount(None, "/sandbox", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        socket.sethostname("sandbox")
        status_r, status_w = os.pipe()  # the init writes the worker's wait status here
        pid = os.fork()
        if pid == 0:
            for fd in (report_w, status_r):
                os.close(fd)
            _init(request, path, proto_in, proto_out, out_w, setup_w, status_w)  # never returns
        for fd in (proto_in, proto_out, out_w, setup_w, status_w):
            os.close(fd)
        _wait_for(pid)
        data = os.read(status_r, 4)
        status = struct.unpack(">i", data)[0] if len(data) == 4 else -1
        os.write(report_w, REPORT.pack(status))
        code = 0
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.write(2, f"mljudge keeper: {type(exc).__name__}: {exc}\n".encode(errors="replace")[:2000])
        with contextlib.suppress(OSError):
            os.write(report_w, REPORT.pack(-1))  # the keeper could not build the worker's world
    os._exit(code)


def _wait_for(pid: int) -> int:
    """Wait for child ``pid``, reaping any other child (orphans) meanwhile; its wait status, or -1."""
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            return -1
        except InterruptedError:
            continue
        if done == pid:
            return status


def _init(request: dict[str, Any], path: str, proto_in: int, proto_out: int, out_w: int, setup_w: int,
          status_w: int) -> None:
    """pid 1 of the worker's new pid namespace, like bubblewrap's own: mounts the namespace's /proc,
    runs the worker as pid 2 (so that signals it sends itself act as in a cold worker: the kernel
    shields a namespace's pid 1 from them), reaps orphans, reports the worker's wait status and exits,
    which ends every process left in the namespace. Never returns."""
    try:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        pid = os.fork()
        if pid == 0:
            os.close(status_w)
            _worker(request, path, proto_in, proto_out, out_w, setup_w)  # never returns
        for fd in (proto_in, proto_out, out_w, setup_w):
            os.close(fd)
        os.write(status_w, struct.pack(">i", _wait_for(pid)))
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.write(2, f"mljudge init: {type(exc).__name__}: {exc}\n".encode(errors="replace")[:2000])
    os._exit(0)


def _worker(request: dict[str, Any], path: str, proto_in: int, proto_out: int, out_w: int, setup_w: int) -> None:
    """pid 2 of its own namespace: finish isolating itself, then be a harness worker. Never returns."""
    try:
        # as a cold worker: /proc's settings sealed, the leased uid (root grader), a user namespace of
        # its own, a fresh session keyring, no capability, the seccomp filter (harness.confine)
        confine.confine({"ids": [int(request["uid"]), int(request["gid"])], "seccomp": str(request["seccomp"])})
        prctl(PR_SET_DUMPABLE, 1)  # like a cold worker: its own /proc/self belongs to it
        os.setsid()
        for target, fd in ((0, proto_in), (1, proto_out), (2, out_w), (3, setup_w)):
            os.dup2(fd, target)
        os.closerange(4, 1 << 16)
        os.chdir("/tmp")
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # what the interpreter does at start
        gc.unfreeze()
        os.write(3, b"k")  # isolated: what fails from here on is the submission's doing
        os.close(3)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.write(out_w, f"mljudge worker setup: {type(exc).__name__}: {exc}\n".encode(errors="replace")[:2000])
        os._exit(125)
    from harness import worker

    sys.argv = ["-c"]
    try:
        # the worker seeds the global generators (harness.seeding): never the zygote's state
        names = {"names": request["names"], "seed": request.get("seed"), "cores": request.get("cores")}
        code = worker.main([path, request["module"], json.dumps(names), json.dumps(request["rlimits"])])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        code = 1
    worker._flush()
    os._exit(code)


# --------------------------------------------------------------------------- the zygote


def fingerprint(roots: tuple[str, ...]) -> str:
    """What a poisoning would have to change: the modules held, and the preloaded modules' attributes."""
    digest = hashlib.sha256()
    watched = set(roots) | {"builtins", "harness"}
    for name in sorted(sys.modules):
        module = sys.modules[name]
        digest.update(f"{name}:{id(module)}\n".encode())
        if name.split(".")[0] in watched and "." not in name:
            namespace = getattr(module, "__dict__", {})
            for key in sorted(namespace, key=str):
                digest.update(f"{key}={id(namespace[key])};".encode())
    return digest.hexdigest()


def _send(ctl: socket.socket, message: dict[str, Any]) -> None:
    ctl.send(json.dumps(message).encode())


def serve(ctl: socket.socket, roots: tuple[str, ...]) -> int:
    keepers: set[int] = set()  # at most MAX_KEEPERS: the running one and the one prepared ahead
    print_ = fingerprint(roots)
    _send(ctl, {"kind": "ready", "fingerprint": print_, "pid": os.getpid()})
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(ctl, MAX_MESSAGE, NFDS)
        except InterruptedError:
            continue
        if not data:
            return 0  # the grader closed the channel
        try:
            request = json.loads(data)
            op = request.get("op")
        except (ValueError, AttributeError):
            op = None
        if op == "fork":
            if len(keepers) >= MAX_KEEPERS or len(fds) != NFDS:
                for fd in fds:
                    os.close(fd)
                _send(ctl, {"kind": "refused", "reason": "busy" if fds else "bad descriptors"})
                continue
            pid = os.fork()
            if pid == 0:
                ctl.close()
                _keeper(request, fds)
            for fd in fds:
                os.close(fd)
            keepers.add(pid)
            _send(ctl, {"kind": "forked", "pid": pid})
        elif op == "reap":
            for fd in fds:
                os.close(fd)
            target = request.get("pid")
            status: int | None = None
            if target in keepers:
                deadline = time.monotonic() + float(request.get("timeout", 5.0))
                while True:
                    done, raw = os.waitpid(target, os.WNOHANG)
                    if done:
                        status = raw
                        keepers.discard(target)
                        break
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.001)
            _send(ctl, {"kind": "reaped", "status": status, "busy": target in keepers,
                        "fingerprint": fingerprint(roots)})
        else:
            for fd in fds:
                os.close(fd)
            _send(ctl, {"kind": "refused", "reason": "unknown operation"})


def main(argv: list[str]) -> int:
    roots = tuple(json.loads(argv[0]))
    prctl(PR_SET_DUMPABLE, 0)
    ctl = socket.socket(fileno=os.dup(0))
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    errors = []
    for name in roots:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            errors.append(f"{name}: {type(exc).__name__}: {exc}"[:500])
    if errors:
        _send(ctl, {"kind": "failed", "errors": errors})
        return 1
    import harness.worker  # noqa: F401 - the children's code, imported once

    if "numpy" in sys.modules:  # every child seeds numpy's global generator: load it once, here
        importlib.import_module("numpy.random")

    gc.collect()
    gc.freeze()  # children do not touch (and copy) the preloaded objects' pages in their collections
    return serve(ctl, roots)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
