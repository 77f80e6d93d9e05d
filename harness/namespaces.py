"""The system calls a zygote's keeper builds a worker's world with: new namespaces, mounts, a
fresh ``/tmp``, the loopback interface up. Stdlib only (runs inside the sandbox)."""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 0x4000
MS_PRIVATE = 1 << 18


_libc = ctypes.CDLL(None, use_errno=True)


class SetupError(Exception):
    """The keeper or the worker could not build its isolated world."""


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), f"unshare({flags:#x})")


MNT_DETACH = 2


def umount(target: str) -> None:
    _check(_libc.umount2(target.encode(), ctypes.c_int(MNT_DETACH)), f"umount {target}")


def mounts_below(prefix: str) -> list[str]:
    """The outermost mount points strictly below ``prefix`` (e.g. a venv under /tmp, bound read-only)."""
    points: set[str] = set()
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            fields = line.split()
            if len(fields) > 4 and fields[4].startswith(prefix.rstrip("/") + "/"):
                points.add(fields[4].encode().decode("unicode_escape"))
    return [p for p in sorted(points, key=len) if not any(p.startswith(q + "/") for q in points if q != p)]


def fresh_tmp(size: int) -> None:
    """Mount a private tmpfs on /tmp, keeping the read-only binds that lived below it (a Python
    installation under /tmp must stay importable); they are parked on a scratch tmpfs meanwhile."""
    keep = mounts_below("/tmp")
    parked = []
    if keep:
        mount("tmpfs", "/sandbox", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=700")
        for index, point in enumerate(keep):
            holder = f"/sandbox/{index}"
            os.mkdir(holder)
            mount(point, holder, None, MS_BIND | MS_REC)
            parked.append((holder, point))
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    for holder, point in parked:
        os.makedirs(point, mode=0o755, exist_ok=True)
        mount(holder, point, None, MS_BIND | MS_REC)
        mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if parked:
        umount("/sandbox")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 1


def loopback_up() -> None:
    """Bring up ``lo`` of a new network namespace (its only interface), as bubblewrap does."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))
