"""Reading the kernel's files about processes and control groups: which groups a process is in,
what a group has used (CPU, memory, limit hits), a process's pids in nested namespaces.

Shared by the per-worker groups (``grader.sandbox.cgroups``), the warm workers' zygote and the
docker backend, which reads a container's groups. Every reader returns what it could read; a file
that is missing or unreadable reads as empty.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path


def read_text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def read_int(path: Path) -> int | None:
    """An integer file; None when missing, unreadable, or ``max``."""
    text = read_text(path).strip()
    if not text or text == "max":
        return None
    try:
        return int(text)
    except ValueError:
        return None


def read_keyed(path: Path) -> dict[str, int]:
    """A file of ``key value`` lines (``cpu.stat``, ``memory.events``, ``memory.oom_control``)."""
    values: dict[str, int] = {}
    for line in read_text(path).splitlines():
        parts = line.split()
        if len(parts) == 2:
            with contextlib.suppress(ValueError):
                values[parts[0]] = int(parts[1])
    return values


def memberships(pid: int | str = "self") -> dict[str, str]:
    """Controller name ("" for the unified hierarchy) -> the group path of process ``pid``, from
    ``/proc/<pid>/cgroup``. Raises ``OSError`` when that cannot be read."""
    paths: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            paths[""] = path
        for name in controllers.split(","):
            if name:
                paths[name] = path
    return paths


def group_pids(group: Path) -> list[int]:
    """The processes directly in ``group``."""
    out = []
    for token in read_text(group / "cgroup.procs").split():
        with contextlib.suppress(ValueError):
            out.append(int(token))
    return out


def nspid(pid: int) -> list[int]:
    """Process ``pid``'s pids, outermost namespace first (``NSpid`` of ``/proc/<pid>/status``)."""
    for line in read_text(Path(f"/proc/{pid}/status")).splitlines():
        if line.startswith("NSpid:"):
            with contextlib.suppress(ValueError):
                return [int(x) for x in line.split()[1:]]
    return []


@dataclass(frozen=True)
class Accounting:
    """What a group has used so far; None where the kernel did not say."""

    cpu_seconds: float | None
    peak_bytes: int | None
    current_bytes: int | None  # the unified hierarchy only
    oom_kills: int  # processes the kernel killed for the group's memory limit
    limit_hits: int  # how often an allocation hit the limit (v1 ``failcnt``, v2 ``max`` events)


def read_v1(memory: Path | None, cpuacct: Path | None) -> Accounting:
    """The accounting of cgroup v1 groups of the memory and cpuacct controllers."""
    ns = read_int(cpuacct / "cpuacct.usage") if cpuacct is not None else None
    if memory is None:
        return Accounting(ns / 1e9 if ns is not None else None, None, None, 0, 0)
    return Accounting(
        cpu_seconds=ns / 1e9 if ns is not None else None,
        peak_bytes=read_int(memory / "memory.max_usage_in_bytes"),
        current_bytes=None,
        oom_kills=read_keyed(memory / "memory.oom_control").get("oom_kill", 0),
        limit_hits=read_int(memory / "memory.failcnt") or 0,
    )


def read_v2(group: Path) -> Accounting:
    """The accounting of a group of the unified hierarchy."""
    usec = read_keyed(group / "cpu.stat").get("usage_usec")
    events = read_keyed(group / "memory.events")
    return Accounting(
        cpu_seconds=usec / 1e6 if usec is not None else None,
        peak_bytes=read_int(group / "memory.peak"),
        current_bytes=read_int(group / "memory.current"),
        oom_kills=events.get("oom_kill", 0),
        limit_hits=events.get("max", 0),
    )
