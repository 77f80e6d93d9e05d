"""The ``process`` backend: a separate process with rlimits, a clean environment and a private
temporary directory. It does not isolate the file system or the network: for a student's own
machine, never for grading other people's work."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import uuid
from pathlib import Path

from grader.core.values import Limits
from grader.sandbox import enter
from grader.sandbox.base import Sandbox, WorkerProcess, WorkerSpec
from grader.sandbox.cgroups import CgroupError, WorkerCgroup, cgroups_available
from grader.sandbox.popen_worker import PopenWorker
from grader.sandbox.staging import stage_files
from grader.sandbox.verdicts import ExitFacts, exit_of
from grader.sandbox.worker_env import worker_argv, worker_environment


class ProcessSandbox(Sandbox):
    """Runs the worker as a plain child process of the grader."""

    name = "process"
    isolated = False

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        root = Path(tempfile.mkdtemp(prefix="mljudge-"))
        cgroup = _containing_group(spec.limits)

        def cleanup() -> None:
            if cgroup is not None:
                cgroup.destroy()
            shutil.rmtree(root, ignore_errors=True)

        try:
            lib, work = stage_files(spec, root)
        except BaseException:
            cleanup()
            raise
        argv = worker_argv(sys.executable, str(lib), str(work / f"{spec.module_name}.py"), spec, guard_imports=True)
        argv = enter.argv_for(argv, procs=cgroup.procs_files() if cgroup is not None else [])
        run_id = uuid.uuid4().hex

        def kill_extra() -> None:
            if cgroup is not None:
                cgroup.kill_all()
            kill_marked(run_id)

        def exit_facts(status: int) -> ExitFacts:
            oom = cgroup is not None and bool(cgroup.measure()) and cgroup.out_of_memory
            return ExitFacts(signal=exit_of(status)[1], oom_killed=oom)

        return PopenWorker(
            argv,
            cwd=str(work),
            env=worker_environment(home=str(work), extra={RUN_MARKER: run_id}),
            limits=spec.limits,
            cleanup=cleanup,
            kill_extra=kill_extra,
            exit_facts=exit_facts,
        )


def _containing_group(limits: Limits) -> WorkerCgroup | None:
    """A control group that holds everything the worker starts, where one can be made: children
    that leave its session (setsid, an emptied environment, a double fork) are killed with it. Its
    limits are backstops (twice the memory limit, which the monitor enforces, and the process
    limit); without one, ``kill_marked`` is all there is (see the README)."""
    if not cgroups_available():
        return None
    try:
        return WorkerCgroup.create(2 * limits.memory_mb, limits.processes)
    except CgroupError:
        return None


RUN_MARKER = "MLJUDGE_RUN"


def kill_marked(run_id: str) -> None:
    """Kill every process whose environment carries this run's marker: children that left the
    worker's session (setsid, double fork). Best effort — a process that clears its environment
    before forking escapes, which is why this backend is not an isolating one."""
    needle = f"{RUN_MARKER}={run_id}".encode()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle not in fh.read().split(b"\0"):
                    continue
            os.kill(int(entry), signal.SIGKILL)
        except (OSError, ValueError):
            continue
