"""Host user ids for sandboxed code: never root outside the sandbox.

A grader running as root hands each sandbox its own unprivileged host uid/gid from a dedicated
range, as isolate gives each box one. A lease is an exclusive ``flock`` on a file named after the
uid, so concurrent graders (batch processes, course-server workers) never share a uid, and a lease
ends with its holder, even one killed with SIGKILL. A grader that is not root runs sandboxes as
itself (bubblewrap maps the sandbox's uid onto the caller's, which is unprivileged already).

The range: ``$MLJUDGE_SANDBOX_UID_BASE`` (default 1990000000, far from login users, subordinate
uid ranges and systemd's container ranges) and ``$MLJUDGE_SANDBOX_UID_COUNT`` (default 4096); the
gid is the same number. No passwd entry is needed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import random
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox.base import SandboxError

DEFAULT_BASE = 1_990_000_000
DEFAULT_COUNT = 4096
LEASE_DIR = Path("/run/mljudge/uids")


class NoFreeIds(SandboxError):
    """Every uid of the range is leased (a judge error: the submission is graded again later)."""


@dataclass(frozen=True)
class HostIds:
    """The host uid/gid a sandbox runs as; ``drop`` says whether the grader must switch to them."""

    uid: int
    gid: int
    drop: bool


@dataclass
class IdLease:
    """Held while a sandbox runs; ``release`` (idempotent) gives the ids back."""

    ids: HostIds
    _fd: int | None = field(default=None, repr=False)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def id_range() -> range:
    base = int(os.environ.get("MLJUDGE_SANDBOX_UID_BASE", DEFAULT_BASE))
    count = int(os.environ.get("MLJUDGE_SANDBOX_UID_COUNT", DEFAULT_COUNT))
    if base <= 0 or count <= 0 or base + count > 2**32 - 2:
        raise ValueError(f"bad sandbox uid range {base}+{count}")
    return range(base, base + count)


def _known_user(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def lease_ids() -> IdLease:
    """Ids for one sandbox: a leased unprivileged pair when we are root, else our own."""
    if os.geteuid() != 0:
        return IdLease(HostIds(os.getuid(), os.getgid(), drop=False))
    ids = id_range()
    LEASE_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    start = random.randrange(len(ids))  # spread concurrent graders over the range
    for offset in range(len(ids)):
        uid = ids[(start + offset) % len(ids)]
        fd = os.open(LEASE_DIR / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if _known_user(uid):  # someone made a real account here: never share its uid
            os.close(fd)
            continue
        return IdLease(HostIds(uid, uid, drop=True), fd)
    raise NoFreeIds(f"all {len(ids)} sandbox uids from {ids.start} are in use")
