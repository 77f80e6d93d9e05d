"""Per-worker control groups: a memory limit (swap included), a process limit, CPU accounting,
and a way to kill everything a worker started and remove the group.

Groups are created *under the grader's own group* of each controller (read from
``/proc/self/cgroup``), in a ``mljudge`` folder: ``<mount>/<controller>/<own path>/mljudge/<id>``
on cgroup v1, ``/sys/fs/cgroup/<own path>/mljudge/<id>`` on the unified hierarchy (v2, best
effort: it needs the memory and pids controllers delegated to us).

The worker joins the group itself before it execs the sandbox (``grader.sandbox.enter``), so
nothing it starts can run outside the group, even for a moment.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import time
import uuid
from pathlib import Path

from grader.sandbox import leftovers
from grader.sandbox.cgroup_files import group_pids, memberships, read_text, read_v1, read_v2

CGROUP_ROOT = Path("/sys/fs/cgroup")
BASE = "mljudge"
V1_CONTROLLERS = ("memory", "pids", "cpuacct")
_UNLIMITED = 1 << 62
GROUP_PREFIX = "w-"  # then the grader's pid
REMOVE_SECONDS = 15.0  # a group whose processes are still leaving after this is left for the sweep


class CgroupError(Exception):
    """Control groups cannot be used here (not mounted, not writable, controller missing)."""


def _own_paths() -> dict[str, str]:
    """Controller name ("" for the unified hierarchy) -> this process's group path."""
    try:
        return memberships("self")
    except OSError as exc:
        raise CgroupError(f"cannot read /proc/self/cgroup: {exc}") from exc


def is_unified() -> bool:
    """Whether /sys/fs/cgroup is a cgroup2 mount (the unified hierarchy)."""
    return (CGROUP_ROOT / "cgroup.controllers").exists()


def _write(path: Path, value: str) -> None:
    with open(path, "w") as fh:
        fh.write(value)


def _pids(group: Path) -> list[int]:
    """The processes of ``group`` and of every group below it."""
    return [pid for directory in [group, *_subgroups(group)] for pid in group_pids(directory)]


def _subgroups(group: Path) -> list[Path]:
    """Every group below ``group``, deepest first (the order they can be removed in)."""
    found: list[Path] = []
    with contextlib.suppress(OSError):
        for top, _dirs, _files in os.walk(group, topdown=False):
            if Path(top) != group:
                found.append(Path(top))
    return found


def _remove_tree(group: Path, seconds: float) -> bool:
    """Remove ``group`` and every group below it, depth first, within ``seconds``."""
    deadline = time.monotonic() + seconds
    ok = True
    for child in _subgroups(group):
        ok = _rmdir(child, deadline) and ok
    return _rmdir(group, deadline) and ok


def _rmdir(path: Path, deadline: float) -> bool:
    """rmdir, retried while the group is busy (its killed processes are still leaving, which takes
    longer the more there were and the busier the machine is) until ``deadline``."""
    pause = 0.001
    while True:
        try:
            path.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


class WorkerCgroup:
    """The control groups of one worker. Create with ``create``; always ``destroy``."""

    def __init__(self, groups: dict[str, Path], unified: bool, memory_mb: int) -> None:
        self.groups = groups  # controller -> group dir ("" for the unified group)
        self.unified = unified
        self.memory_mb = memory_mb
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0
        self.oom_kills = 0
        self.memory_failures = 0
        self._destroyed = False

    # -- creation -------------------------------------------------------------------
    @classmethod
    def create(cls, memory_mb: int, processes: int) -> WorkerCgroup:
        """Make the groups and set their limits; raise ``CgroupError`` if that is not possible."""
        name = f"{GROUP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        own = _own_paths()
        _sweep_once(own)
        if is_unified():
            return cls._create_v2(own, name, memory_mb, processes)
        return cls._create_v1(own, name, memory_mb, processes)

    @classmethod
    def _create_v1(cls, own: dict[str, str], name: str, memory_mb: int, processes: int) -> WorkerCgroup:
        groups: dict[str, Path] = {}
        made = cls(groups, False, memory_mb)
        try:
            for controller in V1_CONTROLLERS:
                mount = CGROUP_ROOT / controller
                if controller not in own or not (mount / "cgroup.procs").exists():
                    raise CgroupError(f"the {controller} controller is not mounted at {mount}")
                group = mount / own[controller].lstrip("/") / BASE / name
                try:
                    group.mkdir(parents=True)
                except OSError as exc:
                    raise CgroupError(f"cannot create {group}: {exc}") from exc
                groups[controller] = group
            limit = str(memory_mb * 1024 * 1024)
            memory = groups["memory"]
            _write(memory / "memory.limit_in_bytes", limit)
            if (memory / "memory.memsw.limit_in_bytes").exists():
                _write(memory / "memory.memsw.limit_in_bytes", limit)
            with contextlib.suppress(OSError):
                _write(memory / "memory.swappiness", "0")
            _write(groups["pids"] / "pids.max", str(processes))
        except CgroupError:
            made.destroy()
            raise
        except OSError as exc:
            made.destroy()
            raise CgroupError(f"cannot set the limits of the worker's control group: {exc}") from exc
        return made

    @classmethod
    def _create_v2(cls, own: dict[str, str], name: str, memory_mb: int, processes: int) -> WorkerCgroup:
        if "" not in own:
            raise CgroupError("this process is not in the unified cgroup hierarchy")
        parent = CGROUP_ROOT / own[""].lstrip("/")
        base = parent / BASE
        made = cls({}, True, memory_mb)
        try:
            base.mkdir(exist_ok=True)
            wanted = {"memory", "pids"}
            for directory in (parent, base):
                have = set(read_text(directory / "cgroup.subtree_control").split())
                missing = wanted - have
                if missing:
                    # fails (EBUSY) if ``parent`` holds processes and is not the root: then no luck
                    _write(directory / "cgroup.subtree_control", " ".join("+" + c for c in sorted(missing)))
            group = base / name
            group.mkdir()
            made.groups[""] = group
            _write(group / "memory.max", str(memory_mb * 1024 * 1024))
            with contextlib.suppress(OSError):
                _write(group / "memory.swap.max", "0")
            _write(group / "pids.max", str(processes))
        except OSError as exc:
            made.destroy()
            raise CgroupError(f"cannot set up a cgroup v2 group under {parent}: {exc}") from exc
        return made

    # -- joining --------------------------------------------------------------------
    def procs_files(self) -> list[str]:
        return [str(group / "cgroup.procs") for group in self.groups.values()]

    # -- measuring ------------------------------------------------------------------
    def measure(self) -> tuple[float, float]:
        """Read CPU seconds, peak memory (MiB) and OOM kills; keep them on ``self``."""
        if self.unified:
            group = self.groups.get("")
            if group is None:
                return self.cpu_seconds, self.peak_mb
            used = read_v2(group)
        else:
            used = read_v1(self.groups.get("memory"), self.groups.get("cpuacct"))
        if used.cpu_seconds is not None:
            self.cpu_seconds = used.cpu_seconds
        if used.peak_bytes is not None:
            self.peak_mb = used.peak_bytes / (1024 * 1024)
        self.oom_kills = max(self.oom_kills, used.oom_kills)
        self.memory_failures = max(self.memory_failures, used.limit_hits)
        return self.cpu_seconds, self.peak_mb

    @property
    def out_of_memory(self) -> bool:
        """Whether the kernel killed something in the group for going over the memory limit."""
        return self.oom_kills > 0

    # -- stopping -------------------------------------------------------------------
    def kill_all(self) -> None:
        """SIGKILL every process in the groups, until they are empty (or a second has passed)."""
        if self._destroyed:
            return
        if self.unified and "" in self.groups:
            kill_file = self.groups[""] / "cgroup.kill"
            if kill_file.exists():
                with contextlib.suppress(OSError):
                    _write(kill_file, "1")
        deadline = time.monotonic() + 1.0
        pause = 0.0002  # a killed process leaves its group within a millisecond or so: poll fast, then back off
        while True:
            pids = {pid for group in self.groups.values() for pid in _pids(group)}
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                return
            time.sleep(pause)
            pause = min(pause * 2, 0.01)

    def destroy(self) -> None:
        """Kill what is left, then remove the groups. Idempotent."""
        if self._destroyed:
            return
        self.kill_all()
        for group in self.groups.values():  # groups a worker made below its own go first
            if not _remove_tree(group, seconds=2.0):
                self.kill_all()
                _remove_tree(group, seconds=REMOVE_SECONDS)
        self._destroyed = True


def _sweep_once(own: dict[str, str]) -> None:
    """Once per process: remove the groups of graders that are gone (``w-<pid>-…`` with no such
    pid), e.g. a batch worker killed with SIGKILL. Groups of a live pid are never touched."""
    if not leftovers.first_sweep("cgroups"):
        return
    bases = [CGROUP_ROOT / c / own[c].lstrip("/") / BASE for c in V1_CONTROLLERS if c in own]
    if "" in own:
        bases.append(CGROUP_ROOT / own[""].lstrip("/") / BASE)
    for base in bases:
        with contextlib.suppress(OSError):
            for group in leftovers.orphans((g for g in base.iterdir() if g.is_dir()), GROUP_PREFIX):
                for pid in _pids(group):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                _remove_tree(group, seconds=0.5)


@functools.cache
def cgroups_available() -> bool:
    """``cgroups_usable``, asked once per process."""
    return cgroups_usable()


def cgroups_usable() -> bool:
    """Whether a worker group with limits can be created (and removed) here."""
    try:
        WorkerCgroup.create(64, 16).destroy()
    except (CgroupError, OSError):
        return False
    return True
