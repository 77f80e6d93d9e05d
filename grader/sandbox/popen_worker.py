"""A harness worker run as a child process: pipes for the channel, capped output, a memory
monitor, and a stop that kills the whole session and reports resource use.

Shared by every backend that starts the worker with ``subprocess`` (process, bwrap). A backend
may say more about how its worker ended (``exit_facts``: its control group's memory events, a
signal reported by bubblewrap); ``grader.sandbox.verdicts`` turns that into the verdict.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from grader.core.values import Limits, Verdict, WorkerExit
from grader.sandbox.base import SandboxError, WorkerProcess
from grader.sandbox.drain import OutputCapture
from grader.sandbox.verdicts import ExitFacts, ended, exit_of, memory_limit, output_limit
from harness.protocol import FrameReader, write_with_deadline

MONITOR_PERIOD = 0.05
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

def proc_stats() -> Iterator[tuple[str, list[bytes]]]:
    """(pid, the fields of ``/proc/<pid>/stat`` after the command name) of every process that can be
    read now (Linux; nothing where /proc cannot be listed)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        yield entry, stat[stat.rfind(b")") + 2 :].split()


def session_memory_kb(sid: int) -> tuple[int, int]:
    """Memory of the processes in session ``sid``, in KiB (Linux /proc): the sum of their resident
    sets, and the largest high-water mark (``VmHWM``) among them."""
    total = highest = 0
    for entry, fields in proc_stats():
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
        exit_facts: Callable[[int], ExitFacts] | None = None,
    ) -> None:
        self.limits = limits
        self._cleanup = cleanup
        self._kill_extra = kill_extra
        self._usage = usage
        self._exit_facts = exit_facts
        self._lock = threading.Lock()  # held by stop
        self._violation_lock = threading.Lock()  # taken by the monitors, even while stop waits for them
        self._violation: tuple[Verdict, str] | None = None
        self._reaped = False  # the worker's pid may be reused: monitors must not kill by it any more
        self._result: WorkerExit | None = None
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
            lambda: self._trip(*output_limit(limits)),
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
                self._trip(*memory_limit(self.limits))
                return

    # -- stopping -------------------------------------------------------------------
    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self._kill_extra is not None:
            self._kill_extra()

    def stop(self) -> WorkerExit:
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
            facts = self._exit_facts(status) if self._exit_facts else ExitFacts(signal=exit_of(status)[1])
            facts = dataclasses.replace(facts, tripped=self._violation, cpu_seconds=cpu)
            self._cleanup()
            self._result = self._describe(status, peak_mb, facts)
            return self._result

    def _describe(self, status: int, peak_mb: float, facts: ExitFacts) -> WorkerExit:
        exit_code, sig = exit_of(status)
        return ended(facts, self.limits, exit_code=exit_code, sig=sig, peak_mb=peak_mb,
                     wall_seconds=time.monotonic() - self.started, output=self.output.text(),
                     output_truncated=self.output.total > len(self.output.data))
