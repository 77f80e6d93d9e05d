"""The user namespace of a bubblewrap sandbox started by a root grader, mapped onto leased
unprivileged host ids.

Run as root, bubblewrap would map the sandbox's uid onto uid 0 outside: a submission could then
write ``/proc/sys/kernel/core_pattern`` or raise its own cgroup limits. So a root grader asks
bubblewrap to wait (``--userns-block-fd``) once it has made the namespace, reads the child's pid
from ``--info-fd``, writes the namespace's ``uid_map``/``gid_map`` itself (only the leased host
ids and host root appear there), then lets it go on. bubblewrap still sets the sandbox up with the
grader's rights (it can bind a Python under ``/root``: it must create files as a mapped uid, so host
root is mapped for it); it keeps only CAP_SETUID/CAP_SETGID of that namespace for the worker, which
switches to the leased uid first thing (``harness.confine``), and then moves into a namespace of its
own that maps nothing else. ``setgroups`` stays allowed so that the worker can drop root's groups.

A grader that is not root needs none of this: bubblewrap maps the sandbox's uid onto the caller.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import time
from collections.abc import Sequence
from dataclasses import dataclass

INFO_LIMIT = 4096


class MappingError(Exception):
    """The sandbox's user namespace could not be mapped (bubblewrap died, or the kernel refused)."""


@dataclass(frozen=True)
class IdMap:
    """Lines of a uid_map/gid_map: (inside, outside) pairs, one id each."""

    uids: tuple[tuple[int, int], ...]
    gids: tuple[tuple[int, int], ...]

    @staticmethod
    def text(pairs: Sequence[tuple[int, int]]) -> str:
        return "".join(f"{inside} {outside} 1\n" for inside, outside in pairs)


class NamespaceMapper:
    """The pipes of one sandbox start: ``bwrap_args`` for the command line, ``child_fds`` to pass,
    ``map`` once the process runs. Always ``close``."""

    def __init__(self) -> None:
        self.info_r, self.info_w = os.pipe()
        self.block_r, self.block_w = os.pipe()

    def bwrap_args(self) -> list[str]:
        return ["--unshare-user", "--userns-block-fd", str(self.block_r), "--info-fd", str(self.info_w)]

    @property
    def child_fds(self) -> list[int]:
        return [self.block_r, self.info_w]

    def _close(self, *names: str) -> None:
        """Close the descriptors in these attributes, once (the numbers may be reused afterwards)."""
        for name in names:
            fd = getattr(self, name)
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, -1)

    def parent_side_only(self) -> None:
        """After the spawn: the child has its ends, close ours of them."""
        self._close("block_r", "info_w")

    def map(self, ids: IdMap, timeout: float) -> int:
        """Wait for bubblewrap's child pid, write its maps, release it; return that pid."""
        self.parent_side_only()
        pid = self._child_pid(time.monotonic() + timeout)
        try:
            _write(f"/proc/{pid}/uid_map", IdMap.text(ids.uids))
            _write(f"/proc/{pid}/gid_map", IdMap.text(ids.gids))
        except OSError as exc:
            raise MappingError(f"cannot map the sandbox's user namespace: {exc}") from exc
        try:
            os.write(self.block_w, b"m")
        except OSError as exc:
            raise MappingError(f"bubblewrap is gone: {exc}") from exc
        return pid

    def _child_pid(self, deadline: float) -> int:
        text = b""
        decoder = json.JSONDecoder()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise MappingError("bubblewrap did not report its sandbox in time")
            ready, _, _ = select.select([self.info_r], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.info_r, INFO_LIMIT)
            if not chunk:
                raise MappingError("bubblewrap stopped before its sandbox was made")
            text += chunk
            if len(text) > INFO_LIMIT:
                raise MappingError("bubblewrap's report is too long")
            with contextlib.suppress(ValueError):
                info, _ = decoder.raw_decode(text.decode())
                pid = info.get("child-pid") if type(info) is dict else None
                if type(pid) is int and pid > 0:
                    return pid
                raise MappingError(f"bubblewrap's report has no child pid: {text[:200]!r}")

    def close(self) -> None:
        self._close("block_r", "info_w", "info_r", "block_w")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
