"""The step between the grader and bubblewrap: join the worker's control groups, take a fresh
session keyring, drop to the sandbox's host ids, exec the sandbox.

Run as a script (``python -I -S enter.py CONFIG -- ARGV…``, stdlib only) so that it happens in the
child after ``fork`` and before anything of the sandbox runs: nothing the worker starts can be
outside its groups, hold the grader's keyring or run with the grader's uid, even for a moment.
``argv_for`` builds that command line. Exit status 125 with a message on stderr when a step fails
(the grader reports a judge error).

CONFIG is JSON: ``{"procs": [cgroup.procs files], "uid": int, "gid": int, "drop": bool}``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

SCRIPT = os.path.abspath(__file__)
SETUP_FAILED = 125
KEYCTL_JOIN_SESSION_KEYRING = 1
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}


def argv_for(argv: Sequence[str], *, procs: Sequence[str] = (), uid: int = -1, gid: int = -1,
             drop: bool = False) -> list[str]:
    """``argv`` run through this script with the given groups and ids."""
    config = json.dumps({"procs": list(procs), "uid": uid, "gid": gid, "drop": drop})
    return [sys.executable, "-I", "-S", "-B", SCRIPT, config, "--", *argv]


def _fail(what: str) -> None:
    os.write(2, f"mljudge enter: {what}\n".encode(errors="replace"))
    os._exit(SETUP_FAILED)


def _join_new_session_keyring() -> None:
    import ctypes

    number = SYS_KEYCTL.get(os.uname().machine)
    if number is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(ctypes.c_long(number), ctypes.c_long(KEYCTL_JOIN_SESSION_KEYRING), None) < 0:
        _fail(f"cannot join a new session keyring: {os.strerror(ctypes.get_errno())}")


def main(args: list[str]) -> None:
    if len(args) < 3 or args[1] != "--":
        _fail("usage: enter.py CONFIG -- ARGV...")
    try:
        config = json.loads(args[0])
        procs = [str(p) for p in config["procs"]]
        uid, gid, drop = int(config["uid"]), int(config["gid"]), bool(config["drop"])
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
    if drop:
        try:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
        except OSError as exc:
            _fail(f"cannot switch to uid {uid}: {exc}")
        if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid:
            _fail(f"still not uid {uid}")
    argv = args[2:]
    try:
        os.execv(argv[0], argv)
    except OSError as exc:
        _fail(f"cannot run {argv[0]}: {exc}")


if __name__ == "__main__":
    main(sys.argv[1:])
