"""The worker's last steps of isolation, taken by the worker itself before the submission is imported
(stdlib only): a user namespace of its own, no capability, a fresh session keyring, the seccomp filter.

* ``own_user_namespace``: a new user namespace in which only the worker's own uid and gid are mapped
  (onto themselves): whatever ids the sandbox's namespace holds besides (bubblewrap, run by a root
  grader, needs host root mapped there for its set-up), the worker's ``uid_map`` shows only its own
  unprivileged host id, and nothing it does can regain a capability over the sandbox's mounts.
* ``drop_all_capabilities``: every set emptied (bounding and ambient too), ``no_new_privs``.
* ``load_seccomp``: the grader's compiled BPF program (``grader.sandbox.seccomp``), loaded with
  ``prctl(PR_SET_SECCOMP)``; it stays for the worker and everything it starts.

``confine(config)`` runs them in that order; config is ``{"ids": [uid, gid] or absent, "seccomp": path
or ""}``: with ids, the worker first becomes them in the sandbox's namespace (``switch_to``), then
moves into its own namespace as the same ids.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

CLONE_NEWUSER = 0x10000000
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
KEYCTL_JOIN_SESSION_KEYRING = 1
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}
MAX_PROGRAM = 1 << 20

_libc = ctypes.CDLL(None, use_errno=True)


class ConfineError(Exception):
    """The worker could not isolate itself (a judge fault, never the submission's)."""


def _check(result: int, what: str) -> None:
    if result != 0:
        raise ConfineError(f"{what}: {os.strerror(ctypes.get_errno())}")


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    return int(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(arg3),
                           ctypes.c_ulong(arg4), ctypes.c_ulong(arg5)))


def _write_file(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def mapped(inside: int, map_file: str = "/proc/self/uid_map") -> bool:
    """Whether id ``inside`` is mapped in this process's user namespace."""
    with open(map_file) as fh:
        for line in fh:
            fields = line.split()
            if len(fields) == 3 and int(fields[0]) <= inside < int(fields[0]) + int(fields[2]):
                return True
    return False


#: Parts of /proc that reach the kernel's settings; bound read-only over themselves.
PROC_SEALED = ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs")
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 4, 8, 32, 4096


def seal_proc() -> None:
    """Make the kernel's settings in this namespace's /proc read-only (open for writing fails with
    EROFS), while we still may mount. Without the right to mount (a sandbox that sealed them
    already, or holds no capability), nothing to do."""
    for path in PROC_SEALED:
        if not os.path.exists(path):
            continue
        if _libc.mount(path.encode(), path.encode(), None, ctypes.c_ulong(MS_BIND), None) != 0:
            if ctypes.get_errno() == 1:  # EPERM: we may not mount here
                return
            raise ConfineError(f"bind {path}: {os.strerror(ctypes.get_errno())}")
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
        _check(_libc.mount(None, path.encode(), None, ctypes.c_ulong(flags), None), f"remount {path} read-only")


def switch_to(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` of the sandbox's namespace, with no supplementary group (a root
    grader's bubblewrap leaves us root there, holding CAP_SETUID/CAP_SETGID for this alone). A
    namespace that does not map them (a zygote of a grader that is not root) is left as it is."""
    if os.getuid() == uid and os.getgid() == gid:
        return
    if not (mapped(uid) and mapped(gid, "/proc/self/gid_map")):
        return
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
        raise ConfineError(f"still not uid {uid}")
    prctl(PR_SET_DUMPABLE, 1)  # a uid change made us undumpable: /proc/self would stay root's


def own_user_namespace(uid: int, gid: int) -> None:
    """Move into a new user namespace in which only ``uid``/``gid`` exist, mapped onto our own."""
    outer_uid, outer_gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(ctypes.c_int(CLONE_NEWUSER)), "unshare(CLONE_NEWUSER)")
    _write_file("/proc/self/setgroups", "deny")
    _write_file("/proc/self/uid_map", f"{uid} {outer_uid} 1\n")
    _write_file("/proc/self/gid_map", f"{gid} {outer_gid} 1\n")


def join_new_session_keyring() -> None:
    number = SYS_KEYCTL.get(os.uname().machine)
    if number is not None:
        _libc.syscall(ctypes.c_long(number), ctypes.c_long(KEYCTL_JOIN_SESSION_KEYRING), None)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_all_capabilities() -> None:
    """Empty every capability set: ambient, bounding, then effective/permitted/inheritable."""
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    for cap in range(64):
        if prctl(PR_CAPBSET_DROP, cap) != 0 and ctypes.get_errno() not in (22, 1):  # EINVAL: no such cap
            raise ConfineError(f"cannot drop capability {cap}: {os.strerror(ctypes.get_errno())}")
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")
    _check(prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_seccomp(path: str) -> None:
    """Load the BPF program in ``path`` (8-byte ``sock_filter`` records) for this process."""
    with open(path, "rb") as fh:
        program = fh.read(MAX_PROGRAM + 1)
    if not program or len(program) % 8 or len(program) > MAX_PROGRAM:
        raise ConfineError(f"{path} is not a seccomp program")
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _check(prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    _check(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog)), "seccomp")


def confine(config: dict[str, Any]) -> None:
    """The steps ``config`` asks for, in order."""
    ids = config.get("ids")
    if ids:
        uid, gid = int(ids[0]), int(ids[1])
        seal_proc()
        switch_to(uid, gid)
        own_user_namespace(uid, gid)
        join_new_session_keyring()
        drop_all_capabilities()
    if config.get("seccomp"):
        load_seccomp(str(config["seccomp"]))
