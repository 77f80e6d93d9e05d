"""What a stopped worker may have left behind, for the sandbox tests to assert there is nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from grader.sandbox.cgroups import BASE, CGROUP_ROOT, V1_CONTROLLERS, is_unified
from grader.sandbox.docker import LABEL
from grader.sandbox.warm import WarmBwrapSandbox


def our_cgroups() -> list[Path]:
    """Worker groups made by this test process that still exist."""
    prefix = f"w-{os.getpid()}-"
    found = []
    for base in CGROUP_ROOT.glob(f"**/{BASE}"):
        if base.is_dir():
            found += [p for p in base.iterdir() if p.is_dir() and p.name.startswith(prefix)]
    return found


def our_containers() -> list[str]:
    """Containers started by this test process that still exist (running or not)."""
    done = subprocess.run(["docker", "ps", "-a", "-q", "--filter", f"label={LABEL}.pid={os.getpid()}"],
                          capture_output=True, text=True, check=True)
    return done.stdout.split()


def parent_pid(pid: int) -> int | None:
    """The parent of a live process, or None (gone or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return None if fields[0] == "Z" else int(fields[1])


def cold_sandboxes() -> list[int]:
    """Live cold sandboxes (bwrap) this test process started: their command line names the
    harness's mount point and no zygote's owner tag."""
    done = subprocess.run(["pgrep", "-f", "/opt/mljudge"], capture_output=True, text=True, check=False)
    found = []
    for pid in map(int, done.stdout.split()):
        try:
            if b"mljudge-owner-" in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
        except OSError:
            continue
        ancestor: int | None = pid
        for _ in range(64):
            ancestor = parent_pid(ancestor) if ancestor is not None else None
            if ancestor is None or ancestor <= 1:
                break
            if ancestor == os.getpid():
                found.append(pid)
                break
    return found


def cold_leftovers() -> list[object]:
    return [*our_cgroups(), *cold_sandboxes()]


def warm_leftovers() -> list[object]:
    """Groups beyond the zygotes' own and those of the keepers prepared for the next submission
    (one per controller on cgroup v1, one in all on the unified hierarchy)."""
    spares = WarmBwrapSandbox.quiesce()
    groups = our_cgroups()
    per_worker = 1 if is_unified() else len(V1_CONTROLLERS)
    return [] if len(groups) == per_worker * (len(WarmBwrapSandbox.pool_pids()) + spares) else list(groups)
