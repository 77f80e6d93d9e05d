"""``judge worker``: claim queued submissions from the gradebook and grade them, ``slots`` at a time.

Each slot is a process of a forkserver pool (the same unit of work as a batch: ``grade_task``, with
its warm sandbox kept between submissions). The worker renews the leases of what it holds and says
it is alive every third of a lease; a grading that outlives its budget becomes a judge error.
A judge error is given back to the queue for another try, up to ``MAX_CLAIMS`` claims; after that
(or for a submission whose exercise this worker cannot load) it is recorded as a judge error, which
never counts against the student.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from grader import __version__
from grader.core.assignment import AssignmentError, AssignmentSpec, checks_hash, get_assignment
from grader.core.values import Grade, Verdict
from grader.course.batch import DEFAULT_MARGIN, Task, default_executor, grade_task, judge_error
from grader.course.gradebook import Gradebook, LatePolicy
from grader.course.schema import SubmissionFile
from grader.server import queue


@dataclass(frozen=True)
class WorkerSettings:
    slots: int = 1
    sandbox: str = "auto"
    home: Path | None = None
    lease_seconds: float = 30.0
    poll_seconds: float = 0.2
    name: str = ""


@dataclass(frozen=True)
class _Exercise:
    spec: AssignmentSpec
    digest: str
    policy: LatePolicy


class QueueWorker:
    """One worker: a gradebook, a pool of ``slots`` grading processes, and the claims it holds."""

    def __init__(self, gradebook: Gradebook, settings: WorkerSettings, secret: bytes) -> None:
        self.gradebook, self.settings, self.secret = gradebook, settings, secret
        self.name = settings.name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.pool: cf.ProcessPoolExecutor | None = None
        self.in_flight: dict[cf.Future[Grade], tuple[queue.Claim, float, float]] = {}
        self.exercises: dict[str, _Exercise | str] = {}
        self.graded = 0
        self._last_beat = 0.0

    # -- the loop -------------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, exit_when_idle: bool = False) -> int:
        """Grade until ``stop`` is set (then finish what is in flight); return how many were recorded."""
        self.pool = default_executor(self.settings.slots)
        try:
            while True:
                self._beat()
                if not stop.is_set():
                    self._claim_more()
                if not self.in_flight:
                    if stop.is_set() or (exit_when_idle and queue.stats(self.gradebook.engine).queued == 0):
                        break
                    stop.wait(self.settings.poll_seconds)
                    continue
                done, _ = cf.wait(self.in_flight, timeout=self.settings.poll_seconds, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    self._collect(future)
                self._give_up_on_hung()
        finally:
            for held, _, _ in self.in_flight.values():
                with contextlib.suppress(Exception):
                    queue.release(self.gradebook.engine, held)
            self.pool.shutdown(wait=True, cancel_futures=True)
        return self.graded

    def _beat(self) -> None:
        now = time.monotonic()
        if now - self._last_beat < self.settings.lease_seconds / 3:
            return
        self._last_beat = now
        engine = self.gradebook.engine
        queue.heartbeat(engine, name=self.name, host=socket.gethostname(), pid=os.getpid(),
                        slots=self.settings.slots, busy=len(self.in_flight))
        lost = queue.renew(engine, self.name, [c for c, _, _ in self.in_flight.values()], self.settings.lease_seconds)
        for future, (held, _, _) in list(self.in_flight.items()):
            if held.job_id in lost:  # claimed again elsewhere: its result would not count
                del self.in_flight[future]
                future.cancel()

    def _claim_more(self) -> None:
        free = self.settings.slots - len(self.in_flight)
        for held in queue.claim(self.gradebook.engine, self.name, free, self.settings.lease_seconds):
            self._start(held)

    def _exercise(self, name: str) -> _Exercise | str:
        known = self.exercises.get(name)
        if known is None:
            try:
                spec = get_assignment(name, self.settings.home)
                known = _Exercise(spec, checks_hash(spec), LatePolicy(spec.due, spec.late_penalty_per_day))
            except (AssignmentError, OSError) as exc:
                known = f"this worker cannot load the exercise {name!r}: {exc}"
            self.exercises[name] = known
        return known

    def _start(self, held: queue.Claim) -> None:
        exercise = self._exercise(held.exercise)
        if isinstance(exercise, str):
            self._record_error(held, exercise)
            return
        try:
            path = submission_file(self.gradebook, held)
        except (OSError, ValueError) as exc:
            self._record_error(held, str(exc))
            return
        if held.claims > queue.MAX_CLAIMS:
            self._record_error(held, f"grading this submission was started {held.claims - 1} times without a "
                               "result (its workers stopped): the judge gave up on it")
            return
        assert self.pool is not None
        args = (str(exercise.spec.root), self.settings.sandbox, str(path), held.sha256, held.student, self.secret)
        budget = exercise.spec.limits.wall_time + exercise.spec.limits.start_time + DEFAULT_MARGIN
        try:
            future = self.pool.submit(grade_task, *args)
        except cf.BrokenExecutor:
            self.pool = default_executor(self.settings.slots)  # a grading process died: a new pool
            future = self.pool.submit(grade_task, *args)
        self.in_flight[future] = (held, time.monotonic(), budget)

    # -- results --------------------------------------------------------------------------------

    def _collect(self, future: cf.Future[Grade]) -> None:
        held, _, _ = self.in_flight.pop(future)
        exercise = self._exercise(held.exercise)
        assert not isinstance(exercise, str)
        try:
            grade = future.result()
        except Exception as exc:  # the grading process died or could not run grade_task
            # (a pool whose process died is replaced when the next job is handed to it)
            grade = self._error_grade(exercise.spec, held, f"the grading worker failed: {type(exc).__name__}: {exc}")
        self._finish(held, exercise, grade)

    def _finish(self, held: queue.Claim, exercise: _Exercise, grade: Grade) -> None:
        if grade.status != "ok" and held.claims < queue.MAX_CLAIMS:
            queue.release(self.gradebook.engine, held)  # try again (maybe on another worker)
            return
        if queue.finish(self.gradebook.engine, held, exercise.digest, grade, exercise.policy):
            self.graded += 1

    def _record_error(self, held: queue.Claim, reason: str) -> None:
        exercise = self._exercise(held.exercise)
        if isinstance(exercise, str):  # no exercise to take points and a checks hash from
            grade = Grade(exercise=held.exercise, submission_sha256=held.sha256, status="error",
                          verdict=Verdict.JUDGE_ERROR, score=0.0, max_score=0.0, checks=(), notes=(reason,),
                          judge_version=__version__)
            digest, policy = "", LatePolicy()
        else:
            grade, digest, policy = self._error_grade(exercise.spec, held, reason), exercise.digest, exercise.policy
        if queue.finish(self.gradebook.engine, held, digest, grade, policy):
            self.graded += 1

    def _error_grade(self, spec: AssignmentSpec, held: queue.Claim, reason: str) -> Grade:
        return judge_error(spec, Task(held.submission_id, held.student, Path(held.path), held.sha256), reason)

    def _give_up_on_hung(self) -> None:
        now = time.monotonic()
        for future, (held, started, budget) in list(self.in_flight.items()):
            if now - started > budget:
                del self.in_flight[future]
                future.cancel()
                exercise = self._exercise(held.exercise)
                assert not isinstance(exercise, str)
                grade = self._error_grade(exercise.spec, held, f"no result within {budget:.0f} s: the grading "
                                          "process hung; the worker went on without it")
                if queue.finish(self.gradebook.engine, held, exercise.digest, grade, exercise.policy):
                    self.graded += 1
                self._replace_pool()

    def _replace_pool(self) -> None:
        """A hung grading process keeps its slot: stop the pool's processes and start a new pool
        (what is still in flight on the old one is given back to the queue)."""
        old = self.pool
        for future, (held, _, _) in list(self.in_flight.items()):
            del self.in_flight[future]
            queue.release(self.gradebook.engine, held)
        if old is not None:
            for process in list((getattr(old, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()
            old.shutdown(wait=False, cancel_futures=True)
        self.pool = default_executor(self.settings.slots)


def submission_file(gradebook: Gradebook, held: queue.Claim) -> Path:
    """The submitted file on this machine: where the server kept it when this machine can read it
    (with the right content), else written into this worker's files folder from the gradebook."""
    kept = Path(held.path)
    with contextlib.suppress(OSError):
        if kept.is_file() and hashlib.sha256(kept.read_bytes()).hexdigest() == held.sha256:
            return kept
    with Session(gradebook.engine) as session:
        row = session.get(SubmissionFile, held.submission_id)
        data = row.data if row is not None else None
    if data is None:
        raise FileNotFoundError(f"the submitted file {kept.name} is neither on this machine nor in the gradebook")
    if hashlib.sha256(data).hexdigest() != held.sha256:
        raise ValueError(f"the gradebook's copy of submission {held.submission_id} does not match its checksum")
    local = gradebook.files_dir / held.exercise / held.student / f"{held.sha256}{kept.suffix}"
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_name(f".{local.name}.{os.getpid()}.{uuid.uuid4().hex}.partial")
    partial.write_bytes(data)
    partial.replace(local)
    return local
