"""The step between a root grader and a worker of the ``process-user`` backend: become an unprivileged
uid, cap its process count, load the seccomp filter, exec the worker.

Run as a script by root (``python -I -S -B drop_step.py CONFIG -- ARGV…``, stdlib only), after
``grader.sandbox.enter``: nothing of the worker runs before the uid change and the filter.
CONFIG is JSON: ``{"uid": int, "gid": int, "nproc": int, "seccomp": path to a BPF program}``.
Exit status 125 with a message on stderr when a step fails (the grader reports a judge error).
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys
from collections.abc import Sequence
from typing import NoReturn

SCRIPT = os.path.abspath(__file__)
SETUP_FAILED = 125
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
MAX_PROGRAM = 1 << 20


def argv_for(argv: Sequence[str], *, uid: int, gid: int, nproc: int, seccomp: str) -> list[str]:
    """``argv`` run as ``uid``/``gid`` under the filter in ``seccomp``, with at most ``nproc`` processes."""
    config = json.dumps({"uid": uid, "gid": gid, "nproc": nproc, "seccomp": seccomp})
    return [sys.executable, "-I", "-S", "-B", SCRIPT, config, "--", *argv]


def _fail(what: str) -> NoReturn:
    os.write(2, f"mljudge drop: {what}\n".encode(errors="replace"))
    os._exit(SETUP_FAILED)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _load_seccomp(path: str) -> None:
    with open(path, "rb") as fh:
        program = fh.read(MAX_PROGRAM + 1)
    if not program or len(program) % 8 or len(program) > MAX_PROGRAM:
        _fail(f"{path} is not a seccomp program")
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    for option, arg in ((PR_SET_NO_NEW_PRIVS, 1), (PR_SET_SECCOMP, SECCOMP_MODE_FILTER)):
        value = ctypes.addressof(fprog) if option == PR_SET_SECCOMP else 0
        if libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(value), ctypes.c_ulong(0),
                      ctypes.c_ulong(0)) != 0:
            _fail(f"prctl({option}): {os.strerror(ctypes.get_errno())}")


def drop(uid: int, gid: int, nproc: int) -> None:
    """Become ``uid``/``gid`` for good (no supplementary group, no capability left), ``nproc`` processes."""
    if uid <= 0 or gid <= 0:
        _fail(f"refusing to run a worker as uid {uid} / gid {gid}")
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))  # counted per real uid: all of the student's
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)  # from root to another uid: every capability set is cleared
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        _fail(f"still not uid {uid}")
    try:
        os.setresuid(0, 0, 0)
    except PermissionError:
        return
    _fail("could become root again")


def main(args: list[str]) -> None:
    if len(args) < 3 or args[1] != "--":
        _fail("usage: drop_step.py CONFIG -- ARGV...")
    try:
        config = json.loads(args[0])
        uid, gid, nproc, program = int(config["uid"]), int(config["gid"]), int(config["nproc"]), str(config["seccomp"])
    except (ValueError, KeyError, TypeError) as exc:
        _fail(f"bad configuration: {exc}")
    try:
        drop(uid, gid, nproc)
        _load_seccomp(program)
    except OSError as exc:
        _fail(f"cannot drop privileges: {exc}")
    argv = args[2:]
    try:
        os.execv(argv[0], argv)
    except OSError as exc:
        _fail(f"cannot run {argv[0]}: {exc}")


if __name__ == "__main__":
    main(sys.argv[1:])
