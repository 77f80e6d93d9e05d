"""The ``bwrap`` backend: the worker in bubblewrap namespaces, under per-worker control groups.

The sandbox is ``grader.sandbox.bwrap_command``'s: only what Python needs, read-only, a private
size-capped ``/tmp``, the harness at ``/opt/mljudge/lib`` and the submission at
``/sandbox/<module>.py``, every namespace unshared, uid/gid 65534, a new session, gone with the
grader. Memory (swap included), process count and CPU use are held and measured by control groups
(``grader.sandbox.cgroups``); if those cannot be used here the worker still runs, with the process
backend's memory monitor and no process limit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from grader.sandbox.base import Sandbox, SandboxError, WorkerProcess, WorkerSpec
from grader.sandbox.bwrap_command import (
    LIB_DIR,
    ROOT_GRADER_CAPS,
    SANDBOX_GID,
    SANDBOX_UID,
    SECCOMP_FILE,
    SUBMISSION_DIR,
    dev_args,
    find_bwrap,
    namespace_args,
    require_bwrap,
    sandbox_argv,
    stage_seccomp,
    system_binds,
)
from grader.sandbox.bwrap_dirs import with_open_parents
from grader.sandbox.bwrap_launch import SandboxLaunch
from grader.sandbox.cgroups import CgroupError, WorkerCgroup, cgroups_usable
from grader.sandbox.host_ids import NoFreeIds
from grader.sandbox.popen_worker import PopenWorker
from grader.sandbox.probe_hint import PROBED_ENV, probed_by_ancestor
from grader.sandbox.site_mounts import package_mounts
from grader.sandbox.staging import stage_files
from grader.sandbox.verdicts import ExitFacts, exit_of, signal_in_exit_code
from grader.sandbox.worker_env import worker_argv


def bwrap_argv(bwrap: str, spec: WorkerSpec, root: Path, lib: Path, work: Path) -> list[str]:
    """The full bubblewrap command line for ``spec`` (files already staged under ``root``)."""
    tmp_size = max(16, spec.limits.file_size_mb) * 1024 * 1024
    inside = f"{SUBMISSION_DIR}/{spec.module_name}.py"
    confine: dict[str, object] = {"ids": [SANDBOX_UID, SANDBOX_GID], "seccomp": f"{LIB_DIR}/{SECCOMP_FILE}"}
    args = sandbox_argv(bwrap, root, lib, ids=SANDBOX_UID, caps=ROOT_GRADER_CAPS if os.geteuid() == 0 else (),
                        tmp_bytes=tmp_size, shm_bytes=tmp_size,
                        mounts=[*package_mounts(spec.allowed),
                                "--ro-bind", str(work / f"{spec.module_name}.py"), inside],
                        command=worker_argv(sys.executable, LIB_DIR, inside, spec, confine))
    stage_seccomp(lib)
    return args


def _exit_facts(cgroup: WorkerCgroup | None) -> Callable[[int], ExitFacts]:
    """What bubblewrap's wait status and the worker's group say: bubblewrap exits with 128 + N when
    the sandboxed process died of signal N (a crash seen from inside); a signal of bubblewrap's own
    is the grader's kill."""
    def facts(status: int) -> ExitFacts:
        oom = False
        if cgroup is not None:
            cgroup.measure()
            oom = cgroup.out_of_memory
        exit_code, own_signal = exit_of(status)
        inner = signal_in_exit_code(exit_code)
        if inner is None:
            return ExitFacts(oom_killed=oom, signal=own_signal)
        failures = cgroup.memory_failures if cgroup is not None else 0
        return ExitFacts(oom_killed=oom, signal=inner, memory_failures=failures, names_crashes=True)

    return facts


class BwrapSandbox(Sandbox):
    """Runs the worker inside bubblewrap, with control-group limits where they are available."""

    name = "bwrap"
    isolated = True

    _available: ClassVar[bool | None] = None
    _cgroups: ClassVar[bool | None] = None
    _probe_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def available(cls) -> bool:
        """Whether bubblewrap works here: probed once per process for this class and its subclasses
        (tree_watch), and not again in the processes this one starts (a batch's pool: 0.1 s each)."""
        with cls._probe_lock:
            if BwrapSandbox._available is None:
                BwrapSandbox._available = probed_by_ancestor() or cls._probe()
                if BwrapSandbox._available:
                    os.environ[PROBED_ENV] = str(os.getpid())
            return BwrapSandbox._available

    @classmethod
    def probed_ok(cls) -> bool:
        """Whether this process has probed bubblewrap, successfully (without probing now)."""
        return BwrapSandbox._available is True

    @classmethod
    def probed_elsewhere(cls) -> None:
        """A parent process probed bubblewrap successfully (a batch's pool: no second probe)."""
        with cls._probe_lock:
            BwrapSandbox._available = True

    @classmethod
    def _probe(cls) -> bool:
        if not sys.platform.startswith("linux"):
            return False
        bwrap = find_bwrap()
        if bwrap is None:
            return False
        bwrap_args = [*namespace_args(bwrap), "--clearenv", "--tmpfs", "/tmp", *system_binds(), "--proc", "/proc",
                      *dev_args(1 << 20), "--", sys.executable, "-I", "-c", "pass"]
        bwrap_args = with_open_parents(bwrap_args)
        launch: SandboxLaunch | None = None
        try:  # the real set-up: the enter step, the mapped user namespace of a root grader
            launch = SandboxLaunch(bwrap_args, None)
            proc = subprocess.Popen(launch.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, pass_fds=launch.child_fds, cwd="/")
            try:
                launch.started()
                return proc.wait(timeout=20) == 0
            finally:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait()
        except (OSError, subprocess.SubprocessError, SandboxError, NoFreeIds):
            return False
        finally:
            if launch is not None:
                launch.close()

    @classmethod
    def cgroups_available(cls) -> bool:
        with cls._probe_lock:
            if BwrapSandbox._cgroups is None:
                BwrapSandbox._cgroups = cgroups_usable()
            return BwrapSandbox._cgroups

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        bwrap = require_bwrap()
        root = Path(tempfile.mkdtemp(prefix="mljudge-bwrap-"))
        cgroup: WorkerCgroup | None = None
        launch: SandboxLaunch | None = None

        def cleanup() -> None:
            if cgroup is not None:
                cgroup.destroy()
            if launch is not None:
                launch.close()
            shutil.rmtree(root, ignore_errors=True)

        try:
            lib, work = stage_files(spec, root)
            cgroup = self._worker_cgroup(spec)
            launch = SandboxLaunch(bwrap_argv(bwrap, spec, root, lib, work), cgroup)
            worker = PopenWorker(
                launch.argv,
                cwd="/",
                env={"PATH": "/usr/bin:/bin"},
                limits=spec.limits,
                cleanup=cleanup,
                pass_fds=launch.child_fds,
                monitor_memory=cgroup is None,
                kill_extra=cgroup.kill_all if cgroup is not None else None,
                usage=cgroup.measure if cgroup is not None else None,
                exit_facts=_exit_facts(cgroup),
            )
        except BaseException:
            cleanup()
            raise
        try:
            launch.started()
        except SandboxError:
            worker.stop()
            raise
        return worker

    def _worker_cgroup(self, spec: WorkerSpec) -> WorkerCgroup | None:
        """The worker's control groups, or None where there are none and the user said that is fine."""
        if not self.cgroups_available():
            require_limits_or_consent(self.name)
            return None
        try:
            return WorkerCgroup.create(spec.limits.memory_mb, spec.limits.processes)
        except CgroupError as exc:
            raise SandboxError(f"cannot make the worker's control groups: {exc}") from exc


def limits_waived() -> bool:
    """Whether the user allowed isolating backends to run without control groups."""
    return os.environ.get("MLJUDGE_ALLOW_NO_CGROUPS") == "1"


def require_limits_or_consent(backend: str) -> None:
    """Without control groups a worker has no memory or process limit: refuse, unless told
    (``MLJUDGE_ALLOW_NO_CGROUPS=1``, e.g. to check one's own code on a machine without them)."""
    if limits_waived():
        return
    raise SandboxError(
        f"the {backend} sandbox needs control groups for its memory and process limits, and none can be made "
        "here; set MLJUDGE_ALLOW_NO_CGROUPS=1 to run without them (not for grading others' work)"
    )
