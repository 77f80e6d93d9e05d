"""A harness worker run as a child process: pipes for the channel, capped output, a memory
monitor, and a stop that kills the whole session and reports resource use.

Shared by every backend that starts the worker with ``subprocess`` (process, bwrap).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from grader.models import Limits, SandboxRun, Verdict
from grader.sandbox.base import SandboxError, WorkerProcess, cpu_limit_verdict, memory_limit_verdict
from grader.sandbox.drain import OutputCapture
from harness.protocol import FrameReader, write_with_deadline

MONITOR_PERIOD = 0.05
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

HARNESS_ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = "import sys; sys.path.insert(0, sys.argv[1]); from harness.worker import main; sys.exit(main(sys.argv[2:]))"


def worker_environment(home: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment for the worker: no secrets, thread pools pinned to one thread."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # machine facts, not secrets
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra or {})
    return env


def rlimits_for(limits: Limits) -> dict[str, int]:
    """The rlimits the worker applies to itself before importing the submission."""
    return {
        "cpu": max(1, int(limits.cpu_time + 0.999)),
        "fsize": limits.file_size_mb * 1024 * 1024,
        "core": 0,
        "nofile": 1024,
    }


def session_memory_kb(sid: int) -> tuple[int, int]:
    """Memory of the processes in session ``sid``, in KiB (Linux /proc): the sum of their resident
    sets, and the largest high-water mark (``VmHWM``) among them."""
    total = highest = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0, 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 22 and int(fields[3]) == sid:
            total += int(fields[21]) * _PAGE_KB
            highest = max(highest, _high_water_kb(entry))
    return total, highest


def _high_water_kb(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class PopenWorker(WorkerProcess):
    """A worker child process in its own session. ``pass_fds`` stay the caller's to close."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: str,
        env: dict[str, str],
        limits: Limits,
        cleanup: Callable[[], None],
        pass_fds: Sequence[int] = (),
        monitor_memory: bool = True,
        kill_extra: Callable[[], None] | None = None,
        usage: Callable[[], tuple[float, float] | None] | None = None,
        verdict_hook: Callable[[int, float], tuple[Verdict, str] | None] | None = None,
    ) -> None:
        self.limits = limits
        self._cleanup = cleanup
        self._kill_extra = kill_extra
        self._usage = usage
        self._verdict_hook = verdict_hook
        self._lock = threading.Lock()  # held by stop
        self._violation_lock = threading.Lock()  # taken by the monitors, even while stop waits for them
        self._violation: tuple[Verdict, str] | None = None
        self._reaped = False  # the worker's pid may be reused: monitors must not kill by it any more
        self._result: SandboxRun | None = None
        self._peak_kb = 0
        self.started = time.monotonic()
        err_r, err_w = os.pipe()  # the output's read end belongs to its OutputCapture alone
        try:
            self.proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err_w,
                cwd=cwd,
                env=env,
                start_new_session=True,
                close_fds=True,
                pass_fds=tuple(pass_fds),
            )
        except OSError as exc:
            os.close(err_r)
            cleanup()
            raise SandboxError(f"could not start the worker: {exc}") from exc
        finally:
            os.close(err_w)
        assert self.proc.stdin and self.proc.stdout
        os.set_blocking(self.proc.stdin.fileno(), False)
        self.reader = FrameReader(self.proc.stdout.fileno(), limits.max_frame_mb * 1024 * 1024)
        self.output = OutputCapture(
            err_r,
            limits.output_kb * 1024,
            lambda: self._trip(Verdict.OUTPUT_LIMIT, f"printed more than {limits.output_kb} KiB"),
        )
        self.output.start()
        self._stop_monitor = threading.Event()
        self._monitor: threading.Thread | None = None
        if monitor_memory:
            self._monitor = threading.Thread(target=self._watch_memory, daemon=True)
            self._monitor.start()

    # -- channel --------------------------------------------------------------------
    def send(self, frame: bytes, timeout: float) -> None:
        assert self.proc.stdin is not None
        write_with_deadline(self.proc.stdin.fileno(), frame, timeout)

    def receive(self, timeout: float) -> bytes:
        return self.reader.read(timeout)

    # -- monitors -------------------------------------------------------------------
    def _trip(self, verdict: Verdict, reason: str) -> None:
        with self._violation_lock:
            if self._violation is None:
                self._violation = (verdict, reason)
            if not self._reaped:
                self._kill()

    def _watch_memory(self) -> None:
        limit_kb = self.limits.memory_mb * 1024
        while not self._stop_monitor.wait(MONITOR_PERIOD):
            rss, high_water = session_memory_kb(self.proc.pid)
            self._peak_kb = max(self._peak_kb, rss, high_water)
            if rss > limit_kb:
                self._trip(*memory_limit_verdict(self.limits))
                return

    def violation(self) -> SandboxRun | None:
        if self._violation is None:
            return None
        return self.stop()

    # -- stopping -------------------------------------------------------------------
    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self._kill_extra is not None:
            self._kill_extra()

    def stop(self) -> SandboxRun:
        with self._lock:
            if self._result is not None:
                return self._result
            if self._monitor is not None:  # a last look: the monitor samples only every so often
                self._peak_kb = max(self._peak_kb, *session_memory_kb(self.proc.pid))
            self._kill()
            self._stop_monitor.set()
            _, status, rusage = os.wait4(self.proc.pid, 0)
            self.proc.returncode = os.waitstatus_to_exitcode(status)
            with self._violation_lock:
                self._kill()  # stragglers that stayed in the session
                self._reaped = True
            self.output.finish(timeout=1.0)
            for pipe in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(OSError):
                    pipe.close() if pipe else None
            cpu = rusage.ru_utime + rusage.ru_stime
            # not rusage.ru_maxrss: a spawned child's high-water mark starts from the grader's own
            # resident set at the spawn (gigabytes in a grader that imported TensorFlow)
            peak_mb = self._peak_kb / 1024
            measured = self._usage() if self._usage else None
            if measured is not None:
                cpu, peak_mb = max(cpu, measured[0]), max(peak_mb, measured[1])
            extra = self._verdict_hook(status, cpu) if self._verdict_hook else None
            self._cleanup()
            self._result = self._describe(status, cpu, peak_mb, extra)
            return self._result

    def _describe(
        self, status: int, cpu: float, peak_mb: float, extra: tuple[Verdict, str] | None = None
    ) -> SandboxRun:
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        verdict: Verdict | None = None
        reason = ""
        if self._violation is not None:
            verdict, reason = self._violation
        elif extra is not None:  # the backend knows better (cgroup OOM kill, a signal inside bwrap)
            verdict, reason = extra
        elif (cpu_limit := cpu_limit_verdict(sig, cpu, self.limits)) is not None:
            verdict, reason = cpu_limit
        return SandboxRun(
            exit_code=exit_code,
            signal=sig,
            verdict=verdict,
            reason=reason,
            cpu_seconds=cpu,
            peak_memory_mb=peak_mb,
            wall_seconds=time.monotonic() - self.started,
            output=self.output.text(),
            output_truncated=self.output.total > len(self.output.data),
        )
