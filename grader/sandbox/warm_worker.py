"""A warm worker: forked by a zygote's keeper, in its own control group; to ``grader.core.remote`` it is
a worker like any other (frames on two pipes, output captured, a ``WorkerExit`` at the end)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import threading
import time

from grader.core.values import Verdict, WorkerExit
from grader.sandbox.base import SandboxError, WorkerProcess, WorkerSpec
from grader.sandbox.cgroups import WorkerCgroup
from grader.sandbox.drain import OutputCapture
from grader.sandbox.staging import read_submission
from grader.sandbox.verdicts import ExitFacts, ended, exit_of, output_limit
from grader.sandbox.warm_keeper import CONTROL_TIMEOUT, KeeperKey
from grader.sandbox.warm_zygote import Zygote
from harness.protocol import ChannelClosed, FrameReader, write_with_deadline
from harness.zygote import REPORT as KEEPER_REPORT


class WarmWorker(WorkerProcess):
    """A worker forked by a zygote, in its own control group."""

    def __init__(self, zygote: Zygote, spec: WorkerSpec) -> None:
        self.zygote = zygote
        self.limits = spec.limits
        self.key = KeeperKey.of(spec)
        self._lock = threading.Lock()  # held by stop
        self._violation_lock = threading.Lock()  # taken by the output's reader, even while stop waits for it
        self._violation: tuple[Verdict, str] | None = None
        self._result: WorkerExit | None = None
        self._closed = False
        source = read_submission(spec)
        try:
            self.keeper = zygote.take(self.key)  # SandboxError: the zygote is retired
        except OSError as exc:  # out of descriptors, say
            raise SandboxError(f"could not start a warm worker: {exc}") from exc
        self.cgroup: WorkerCgroup | None = self.keeper.cgroup
        self.started = time.monotonic()
        try:
            self.keeper.go(source)
        except OSError as exc:
            self.keeper.discard()
            zygote.retire()
            raise SandboxError(f"could not start a warm worker: {exc}") from exc
        self.to_worker, self.from_worker = self.keeper.to_worker, self.keeper.from_worker
        self.report_r = self.keeper.report_r
        self._await_setup()
        os.set_blocking(self.to_worker, False)
        self.reader = FrameReader(self.from_worker, spec.limits.max_frame_mb * 1024 * 1024)
        self.output = OutputCapture(self.keeper.release(self.keeper.out_r), spec.limits.output_kb * 1024,
                                    lambda: self._trip(*output_limit(spec.limits)))
        self.output.start()

    def _await_setup(self) -> None:
        """Wait for the worker's "k" (isolated; nothing of the submission has run yet). A worker
        lost before it (a setup failure, or killed from outside) is the judge's failure: the
        zygote is replaced and ``SandboxError`` raised (``start`` tries once more)."""
        ready, _, _ = select.select([self.keeper.setup_r], [], [], CONTROL_TIMEOUT)
        try:
            done = bool(ready) and os.read(self.keeper.setup_r, 1) == b"k"
        except OSError:
            done = False
        if done:
            return
        assert self.cgroup is not None
        self.cgroup.kill_all()
        said = b""
        with contextlib.suppress(OSError):
            os.set_blocking(self.keeper.out_r, False)
            said = os.read(self.keeper.out_r, 4000)
        self.keeper.close_all()
        self.zygote.after_child(self.keeper)
        log = self.zygote.log.text()[-1000:] if self.zygote.log is not None else ""
        self.zygote.retire()
        raise SandboxError("a warm worker could not be set up:\n"
                           + said.decode("utf-8", errors="replace") + log)

    # -- channel --------------------------------------------------------------------
    def send(self, frame: bytes, timeout: float) -> None:
        try:
            write_with_deadline(self.to_worker, frame, timeout)
        except ChannelClosed:
            self._closed = True
            raise

    def receive(self, timeout: float) -> bytes:
        try:
            return self.reader.read(timeout)
        except ChannelClosed:
            self._closed = True
            raise

    # -- monitors -------------------------------------------------------------------
    def _trip(self, verdict: Verdict, reason: str) -> None:
        with self._violation_lock:
            if self._violation is None:
                self._violation = (verdict, reason)
        if self.cgroup is not None:
            self.cgroup.kill_all()

    # -- stopping -------------------------------------------------------------------
    def _report(self, wait: float) -> tuple[int | None] | None:
        """The keeper's report, if it came within ``wait`` seconds: (the worker's wait status, or
        None if there was no worker,)."""
        ready, _, _ = select.select([self.report_r], [], [], wait)
        if not ready:
            return None
        try:
            data = os.read(self.report_r, KEEPER_REPORT.size)
        except OSError:
            return None
        if len(data) != KEEPER_REPORT.size:
            return None
        (status,) = KEEPER_REPORT.unpack(data)
        return (status if status >= 0 else None,)

    def stop(self) -> WorkerExit:
        with self._lock:
            if self._result is not None:
                return self._result
            # a worker that died by itself: let its keeper report how (as wait4 would tell)
            report = self._report(1.0 if self._closed else 0.0)
            assert self.cgroup is not None
            self.cgroup.kill_all()
            if report is None:
                report = self._report(0.05)
            status = report[0] if report is not None else None
            self.output.finish(timeout=1.0)
            cpu, peak_mb = self.cgroup.measure()
            facts = self._facts(status, cpu)
            self.keeper.close_all()
            # reaping the keeper, checking the zygote and removing the group happen in the
            # background; the zygote's next user waits for the check (Zygote.take)
            self.zygote.after_child(self.keeper)
            self.zygote.busy.release()
            exit_code, sig = (None, signal.SIGKILL) if status is None else exit_of(status)
            self._result = ended(facts, self.limits, exit_code=exit_code, sig=sig, peak_mb=peak_mb,
                                 wall_seconds=time.monotonic() - self.started, output=self.output.text(),
                                 output_truncated=self.output.total > len(self.output.data))
            return self._result

    def _facts(self, status: int | None, cpu: float) -> ExitFacts:
        """How it ended: a wait status from the keeper, or None when the worker was killed before its
        keeper could tell (we killed it, as a cold worker's stop kills its sandbox)."""
        assert self.cgroup is not None
        common = ExitFacts(tripped=self._violation, oom_killed=self.cgroup.out_of_memory, cpu_seconds=cpu)
        if status is None:
            return dataclasses.replace(common, signal=signal.SIGKILL)
        return dataclasses.replace(common, signal=exit_of(status)[1], memory_failures=self.cgroup.memory_failures,
                                   names_crashes=True)
