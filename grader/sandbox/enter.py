"""The step between the grader and a worker's sandbox: join the worker's control groups, take a
fresh session keyring, exec the sandbox.

Run as a script (``python -I -S enter.py CONFIG -- ARGV…``, stdlib only) so that it happens in the
child after ``fork`` and before anything of the sandbox runs: nothing the worker starts can be
outside its groups or hold the grader's keyring, even for a moment (the host ids are the user
namespace's business: ``grader.sandbox.userns``).
``argv_for`` builds that command line. Exit status 125 with a message on stderr when a step fails
(the grader reports a judge error).

CONFIG is JSON: ``{"procs": [cgroup.procs files]}``.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

SCRIPT = os.path.abspath(__file__)
SETUP_FAILED = 125
KEYCTL_JOIN_SESSION_KEYRING = 1
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}


def argv_for(argv: Sequence[str], *, procs: Sequence[str] = ()) -> list[str]:
    """``argv`` run through this script, joining the control groups whose ``cgroup.procs`` are given."""
    config = json.dumps({"procs": list(procs)})
    return [sys.executable, "-I", "-S", "-B", SCRIPT, config, "--", *argv]


def _fail(what: str) -> NoReturn:
    os.write(2, f"mljudge enter: {what}\n".encode(errors="replace"))
    os._exit(SETUP_FAILED)


def _join_new_session_keyring() -> None:
    import ctypes

    number = SYS_KEYCTL.get(os.uname().machine)
    if number is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(ctypes.c_long(number), ctypes.c_long(KEYCTL_JOIN_SESSION_KEYRING), None) < 0:
        err = ctypes.get_errno()
        if err not in (errno.ENOSYS, errno.EPERM, errno.EACCES):  # no keyrings here: none to inherit either
            _fail(f"cannot join a new session keyring: {os.strerror(err)}")


def main(args: list[str]) -> None:
    if len(args) < 3 or args[1] != "--":
        _fail("usage: enter.py CONFIG -- ARGV...")
    try:
        config = json.loads(args[0])
        procs = [str(p) for p in config["procs"]]
    except (ValueError, KeyError, TypeError) as exc:
        _fail(f"bad configuration: {exc}")
    pid = str(os.getpid())
    for path in procs:
        try:
            with open(path, "w") as fh:
                fh.write(pid)
        except OSError as exc:
            _fail(f"cannot join {path}: {exc}")
    _join_new_session_keyring()
    argv = args[2:]
    try:
        os.execv(argv[0], argv)
    except OSError as exc:
        _fail(f"cannot run {argv[0]}: {exc}")


if __name__ == "__main__":
    main(sys.argv[1:])
