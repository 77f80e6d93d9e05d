"""Memory and process limits for a bubblewrap worker where no control group can be made (a container's
are read-only): the grader watches the sandbox's whole process tree.

The process backend's monitor counts the worker's session, but bubblewrap starts the sandbox in a
session of its own, so without control groups nothing would hold a bwrap worker's memory. Here a
thread sums the resident sets and counts the tasks of every descendant of the worker's launcher
(orphans stay inside: the sandbox has its own pid namespace and init) every ``MONITOR_PERIOD``; over
the memory limit or the process limit, the worker is killed with that verdict.
``TreeWatchedBwrapSandbox`` is the ``bwrap`` backend with this watch when it has no control groups.
"""

from __future__ import annotations

import os
import threading

from grader.core.values import Limits, Verdict, WorkerExit
from grader.sandbox.base import WorkerProcess, WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.popen_worker import MONITOR_PERIOD, PopenWorker, proc_stats
from grader.sandbox.verdicts import memory_limit

_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
#: Tasks of the launcher itself (enter step, bubblewrap, the sandbox's init) beyond the worker's own.
LAUNCHER_TASKS = 4


def tree_usage(root: int) -> tuple[int, int]:
    """(resident KiB, tasks) of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    usage: dict[int, tuple[int, int]] = {}
    for entry, fields in proc_stats():
        if len(fields) > 21:
            pid = int(entry)
            children.setdefault(int(fields[1]), []).append(pid)
            usage[pid] = (int(fields[21]) * _PAGE_KB, int(fields[17]))
    rss = tasks = 0
    todo, seen = [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        kb, threads = usage.get(pid, (0, 0))
        rss, tasks = rss + kb, tasks + threads
        todo += children.get(pid, [])
    return rss, tasks


class TreeWatchedWorker(WorkerProcess):
    """``worker`` with its process tree held to ``limits`` (memory, processes) by a watching thread."""

    def __init__(self, worker: PopenWorker, limits: Limits) -> None:
        self.inner, self.limits = worker, limits
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        root = self.inner.proc.pid
        while not self._stop.wait(MONITOR_PERIOD):
            rss, tasks = tree_usage(root)
            self.inner._peak_kb = max(self.inner._peak_kb, rss)
            if tasks > self.limits.processes + LAUNCHER_TASKS:
                self.inner._trip(Verdict.CRASHED, f"ran more than {self.limits.processes} processes or threads")
                return
            if rss > self.limits.memory_mb * 1024:  # resident sets added up: shared pages count once per process
                self.inner._trip(*memory_limit(self.limits))
                return

    def send(self, frame: bytes, timeout: float) -> None:
        self.inner.send(frame, timeout)

    def receive(self, timeout: float) -> bytes:
        return self.inner.receive(timeout)

    def stop(self) -> WorkerExit:
        self._stop.set()
        return self.inner.stop()


class TreeWatchedBwrapSandbox(BwrapSandbox):
    """The ``bwrap`` backend; without control groups, each worker's process tree is watched."""

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        worker = super().start(spec)
        if self.cgroups_available() or not isinstance(worker, PopenWorker):
            return worker
        return TreeWatchedWorker(worker, spec.limits)
