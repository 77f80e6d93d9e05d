"""The ``process-user`` backend: the process backend run by a root grader as a dedicated unprivileged
uid, under a seccomp filter that allows local sockets only.

For a machine (a Gradescope container) where bubblewrap cannot make namespaces. What keeps the
hidden checks away is file permissions: whatever the student's uid cannot read (root-only folders,
made so before the first worker starts) it cannot read; it cannot signal or trace the grader (another
uid, ptrace denied), open an IP or netlink socket, make namespaces or mount. It still sees the
machine's file system as that uid sees it, its processes, and abstract AF_UNIX sockets.

Each worker starts as ``enter`` (control groups where they exist, a fresh keyring) then
``drop_step`` (the uid, a process-count limit for that uid, the filter), then the harness worker run
by ``python`` (an interpreter the uid can read: not the grader's own environment). Everything the
uid runs is killed when the worker stops (``kill(-1)`` as that uid).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from grader.sandbox import drop_step, enter, seccomp
from grader.sandbox.base import Sandbox, SandboxError, WorkerProcess, WorkerSpec
from grader.sandbox.popen_worker import PopenWorker
from grader.sandbox.process import RUN_MARKER, _containing_group
from grader.sandbox.staging import stage_files
from grader.sandbox.verdicts import ExitFacts, exit_of
from grader.sandbox.worker_env import worker_argv, worker_environment

SECCOMP_FILE = "seccomp.bpf"
#: Processes the student's uid may have at once, whatever the exercise allows (threads count too).
MIN_NPROC = 16


def kill_uid(uid: int, gid: int, python: str) -> None:
    """Kill every process of ``uid``: ``kill(-1, SIGKILL)`` sent as that uid reaches all of them at once
    (sent by ``python``, an interpreter the uid can run)."""
    code = "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept ProcessLookupError:\n    pass\n"
    for _ in range(2):  # a second round for children forked while the first was delivered
        subprocess.run([python, "-I", "-S", "-c", code], user=uid, group=gid, extra_groups=[],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={}, cwd="/", check=False, timeout=10)


class ProcessUserSandbox(Sandbox):
    """Workers as ``uid``/``gid`` (not root, no capability), seccomp-filtered, run by ``python``."""

    name = "process-user"
    isolated = True

    def __init__(self, *, uid: int, gid: int, python: str) -> None:
        if uid <= 0 or gid <= 0:
            raise SandboxError("the process-user sandbox needs an unprivileged uid and gid")
        self.uid, self.gid, self.python = uid, gid, python

    @classmethod
    def available(cls) -> bool:
        return sys.platform.startswith("linux") and os.geteuid() == 0

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        if os.geteuid() != 0:
            raise SandboxError("the process-user sandbox needs a grader running as root")
        root = Path(tempfile.mkdtemp(prefix="mljudge-user-"))
        cgroup = _containing_group(spec.limits)

        def cleanup() -> None:
            if cgroup is not None:
                cgroup.destroy()
            shutil.rmtree(root, ignore_errors=True)

        try:
            lib, work = stage_files(spec, root)
            program = lib / SECCOMP_FILE
            seccomp.write_program(program, seccomp.LOCAL_SOCKETS_ONLY)
            self._open_to_worker(root, lib, work)
        except seccomp.SeccompError as exc:
            cleanup()
            raise SandboxError(f"cannot build the seccomp filter: {exc}") from exc
        except BaseException:
            cleanup()
            raise
        argv = worker_argv(self.python, str(lib), str(work / f"{spec.module_name}.py"), spec, guard_imports=True)
        argv = drop_step.argv_for(argv, uid=self.uid, gid=self.gid, nproc=max(MIN_NPROC, spec.limits.processes),
                                  seccomp=str(program))
        argv = enter.argv_for(argv, procs=cgroup.procs_files() if cgroup is not None else [])

        def kill_extra() -> None:
            if cgroup is not None:
                cgroup.kill_all()
            kill_uid(self.uid, self.gid, self.python)

        def exit_facts(status: int) -> ExitFacts:
            oom = cgroup is not None and bool(cgroup.measure()) and cgroup.out_of_memory
            return ExitFacts(signal=exit_of(status)[1], oom_killed=oom)

        env = worker_environment(home=str(work), extra={RUN_MARKER: uuid.uuid4().hex})
        return PopenWorker(argv, cwd=str(work), env=env, limits=spec.limits, cleanup=cleanup, kill_extra=kill_extra,
                           exit_facts=exit_facts)

    def _open_to_worker(self, root: Path, lib: Path, work: Path) -> None:
        """The worker's uid may pass through ``root``, read ``lib`` and write only ``work``."""
        root.chmod(0o711)
        for folder, dirs, files in os.walk(lib):
            os.chmod(folder, 0o755)
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o444)
        for path in work.iterdir():
            path.chmod(0o444)  # the submission: readable, owned by root
        os.chown(work, self.uid, self.gid)
        work.chmod(0o700)
