"""Worker control groups: those of a grader that died without cleaning up are removed later."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.sandbox import cgroups, leftovers
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.cgroups import WorkerCgroup

pytestmark = pytest.mark.skipif(not BwrapSandbox.cgroups_available(), reason="no cgroups here")


def test_groups_of_a_dead_grader_are_swept_and_live_ones_kept() -> None:
    read_r, write_w = os.pipe()
    child = os.fork()
    if child == 0:  # a grader that makes a group and dies without destroying it (as after SIGKILL)
        os.close(read_r)
        group = WorkerCgroup.create(64, 16)
        os.write(write_w, "\n".join(str(p) for p in group.groups.values()).encode())
        os._exit(0)
    os.close(write_w)
    with os.fdopen(read_r) as fh:
        orphans = [Path(p) for p in fh.read().split("\n") if p]
    os.waitpid(child, 0)
    assert orphans and all(p.is_dir() for p in orphans)
    mine = WorkerCgroup.create(64, 16)
    try:
        leftovers.forget("cgroups")
        cgroups._sweep_once(cgroups._own_paths())
        assert not any(p.exists() for p in orphans)
        assert all(p.is_dir() for p in mine.groups.values())  # this (live) process's group stays
    finally:
        mine.destroy()


def test_groups_made_below_a_worker_and_their_processes_go_with_it() -> None:
    """Should a submission ever make child groups inside its own (a sandbox that let it reach the
    cgroup file system), destroying the worker's group kills what runs in them and removes them,
    deepest first, quickly."""
    import subprocess
    import time

    group = WorkerCgroup.create(256, 16)
    try:
        for top in group.groups.values():
            (top / "a" / "b").mkdir(parents=True)
            (top / "c").mkdir()
        sleeper = subprocess.Popen(["sleep", "300"])
        for top in group.groups.values():
            (top / "a" / "b" / "cgroup.procs").write_text(str(sleeper.pid))
        started = time.monotonic()
        group.destroy()
        assert time.monotonic() - started < 5
        assert sleeper.wait(timeout=5) == -9
        assert all(not top.exists() for top in group.groups.values())
    finally:
        group.destroy()
