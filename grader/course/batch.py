"""Grade many submissions in parallel over any ``concurrent.futures.Executor``.

Each task runs ``grade_one`` in a worker *process* (it runs pytest in-process). Two tasks per
worker are in flight: the next one waits in the pool's queue, so that a worker that finishes never
waits for this process to record its result and hand over more. The pool's queue is first in,
first out, so the oldest ``workers`` tasks in flight are the running ones, and a task's clock starts
when it becomes one of them: a task with no result ``wall_time + start_time + margin`` seconds
later is recorded as a judge error and the batch goes on. Ctrl-C cancels what has not started,
stops the running workers (each closes its sandbox) and returns what finished. Results are handed
to ``on_result`` one by one, as they arrive.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from types import FrameType

from grader import __version__
from grader.core.assignment import AssignmentSpec, load_assignment
from grader.core.values import Grade, ResourceUsage, Submission, Verdict
from grader.course import core_slots, forkserver, parent_watch, warmup
from grader.course.forkserver import THREAD_VARIABLES
from grader.sandbox import close_all, get_sandbox
from grader.sandbox.base import Sandbox

#: Seconds added to a submission's own budget before the batch gives up on its future.
DEFAULT_MARGIN = 60.0
#: Tasks in flight per worker: the one it grades and the next one, already in the pool's queue.
IN_FLIGHT_PER_WORKER = 2
#: A pool's disjoint core sets, and its shared count of processes started (which set is next).
CoreShare = tuple[list[frozenset[int]], "Synchronized[int]"]


@dataclass(frozen=True)
class Task:
    """One submission to grade; ``key`` is the caller's (e.g. a gradebook submission id)."""

    key: int
    student: str
    path: Path
    sha256: str


@dataclass
class BatchOutcome:
    graded: list[tuple[Task, Grade]] = field(default_factory=list)
    interrupted: bool = False
    not_started: list[Task] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(grade.verdict.value for _, grade in self.graded)


# -- what runs in the worker process -------------------------------------------------------------

_busy = False
_orphaned = False


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    if _busy:
        raise KeyboardInterrupt  # pytest stops; grade_one closes the sandbox on the way out
    close_all()  # idle: only what backends keep between submissions (warm pools) is left to stop
    os._exit(0)


def _on_grader_gone() -> None:
    """The grader that owns this pool is gone (killed): nobody will read a result or send work.
    Stop as SIGTERM would (a grading in progress first closes its sandbox, see :func:`grade_task`)."""
    global _orphaned
    _orphaned = True
    os.kill(os.getpid(), signal.SIGTERM)


def threads_per_worker(workers: int, cores: int | None = None) -> int:
    """Each grading process's share of the cores (those this process may use), at least one: N
    processes each running a thread pool as wide as the machine fight over the cores and are slower than one."""
    return max(1, (cores or len(core_slots.usable_cores())) // max(1, workers))


def pin_thread_pools(threads: int) -> None:
    """Limit this process's thread pools to ``threads``: those already loaded (through threadpoolctl,
    numpy's OpenBLAS among them) and those a check loads later (their variables)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)


def _worker_init(threads: int = 1, exercise: tuple[str, str] | None = None, bwrap_works: bool = False,
                 grader_pid: int | None = None, cores: CoreShare | None = None) -> None:
    """Ctrl-C is the parent's business; SIGTERM stops the current grading cleanly; the trusted
    side's thread pools get this process's share of the cores; with ``exercise`` (its root and the
    sandbox's name) the process gets ready for it (:func:`grader.course.warmup.prepare`);
    ``bwrap_works``: the parent's bubblewrap probe succeeded (not made again here: 0.1 s);
    ``grader_pid``: the process that made the pool, whose end ends this one too; ``cores``: the
    pool's core sets and its count of processes started, this one runs on the next set (and so do
    the sandboxes it starts: :mod:`grader.course.core_slots`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if grader_pid is not None:
        parent_watch.watch(grader_pid, _on_grader_gone)
    if cores is not None:
        core_slots.pin(core_slots.claim(cores[1], cores[0]))
    pin_thread_pools(threads)
    if bwrap_works:
        from grader.sandbox.bwrap import BwrapSandbox

        BwrapSandbox.probed_elsewhere()
    if exercise is not None:
        warmup.prepare(*exercise)


def _ready() -> None:
    """A no-op task: handing one to each process starts the pool."""


@lru_cache(maxsize=8)
def _assignment(root: str) -> AssignmentSpec:
    return load_assignment(Path(root))


@lru_cache(maxsize=8)
def _sandbox(name: str) -> Sandbox:
    return get_sandbox(name, batch=True)


def grade_task(assignment_root: str, sandbox_name: str, path: str, sha256: str, student: str,
               secret: bytes | None = None) -> Grade:
    """Grade one submission in this process (the unit of work sent to an executor); ``secret`` is the
    course secret (it travels with the task, so every grading machine uses the same one)."""
    from grader.core.grade import grade_one  # preloaded by the pool's forkserver; the parent never needs it

    global _busy
    _busy = True
    try:
        submission = Submission(path=Path(path), sha256=sha256, student=student)
        return grade_one(assignment=_assignment(assignment_root), submission=submission,
                         sandbox=_sandbox(sandbox_name), scope="all", secret=secret)
    finally:
        _busy = False
        if _orphaned:  # the grader is gone: nobody reads this grade
            close_all()
            os._exit(0)


# -- the parent ---------------------------------------------------------------------------------

def judge_error(assignment: AssignmentSpec, task: Task, reason: str, sandbox: str = "") -> Grade:
    """A Grade saying the judge (not the student) failed on ``task``."""
    return Grade(
        exercise=assignment.id, submission_sha256=task.sha256, status="error", verdict=Verdict.JUDGE_ERROR,
        score=0.0, max_score=assignment.points, checks=(), resources=ResourceUsage(), sandbox=sandbox,
        notes=(reason,), judge_version=__version__,
    )


def default_executor(workers: int | None = None, *, assignment: AssignmentSpec | None = None,
                     sandbox_name: str = "auto") -> cf.ProcessPoolExecutor:
    """A process pool with one worker per core (forkserver: no threads or open files inherited), each
    on cores of its own when there are no more workers than cores (:mod:`grader.course.core_slots`).
    With ``assignment``, the forkserver imports what its checks import (:mod:`grader.course.forkserver`),
    and each process gets ready for it as it starts (:mod:`grader.course.warmup`)."""
    mp_context = forkserver.context(assignment)
    exercise = (str(assignment.root), sandbox_name) if assignment is not None else None
    usable = core_slots.usable_cores()
    count = workers or len(usable)
    sets = core_slots.core_sets(count, usable)
    cores = (sets, mp_context.Value("i", 0)) if sets is not None else None
    from grader.sandbox.bwrap import BwrapSandbox

    return cf.ProcessPoolExecutor(max_workers=count, mp_context=mp_context, initializer=_worker_init,
                                  initargs=(threads_per_worker(count, len(usable)), exercise, BwrapSandbox.probed_ok(),
                                            os.getpid(), cores))


def start_pool(*, assignment: AssignmentSpec, sandbox_name: str, workers: int) -> cf.ProcessPoolExecutor:
    """A batch's pool, started now in the background (each process gets ready for ``assignment``)
    while the caller does other work; hand it to :func:`grade_batch` as ``pool``."""
    pool = default_executor(workers, assignment=assignment, sandbox_name=sandbox_name)

    def start() -> None:
        with contextlib.suppress(Exception):  # a pool that cannot start fails again when grading
            for _ in range(workers):
                pool.submit(_ready)

    threading.Thread(target=start, name="mljudge-pool-start", daemon=True).start()
    return pool


def _stop_pool(executor: cf.Executor) -> None:
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.terminate()  # SIGTERM: the worker closes its sandbox and exits


ResultCallback = Callable[[Task, Grade], None]


def grade_batch(
    *,
    assignment: AssignmentSpec,
    tasks: Sequence[Task],
    sandbox_name: str,
    on_result: ResultCallback | None = None,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    margin: float = DEFAULT_MARGIN,
    progress: bool = False,
    secret: bytes | None = None,
    pool: cf.ProcessPoolExecutor | None = None,
) -> BatchOutcome:
    """Grade ``tasks`` over ``executor`` (the caller's), else over ``pool`` (one from
    :func:`start_pool`, which the batch then owns and shuts down), else over a process pool of its
    own; ``workers`` is how many grade at once (default :func:`grader.course.warmup.workers_for`:
    one per core, fewer for few submissions); ``secret`` is the course secret (:mod:`grader.core.secret`)."""
    # never more workers than submissions: each one pays for a pool process and a warm zygote
    count = warmup.workers_for(len(tasks), workers)
    run = _Batch(assignment, tasks, sandbox_name, on_result, executor, count, margin,
                 _Progress(len(tasks)) if progress else None, secret, pool)
    return run.grade()


class _Batch:
    """One call of :func:`grade_batch`: the queue, the futures in flight, and the pool they run on."""

    def __init__(self, assignment: AssignmentSpec, tasks: Sequence[Task], sandbox_name: str,
                 on_result: ResultCallback | None, executor: cf.Executor | None, workers: int, margin: float,
                 bar: _Progress | None, secret: bytes | None, pool: cf.ProcessPoolExecutor | None = None) -> None:
        self.assignment, self.sandbox_name, self.on_result, self.workers, self.bar = (
            assignment, sandbox_name, on_result, workers, bar)
        self.secret = secret
        self.owned = executor is None
        self.pool: cf.Executor = executor if executor is not None else pool if pool is not None else self._new_pool()
        self.budget = assignment.limits.wall_time + assignment.limits.start_time + margin
        self.outcome = BatchOutcome()
        self.queue = list(reversed(tasks))
        # in submission order; the start time is None while the task waits in the pool's queue
        self.in_flight: dict[cf.Future[Grade], tuple[Task, float | None]] = {}
        self.abandoned: set[cf.Future[Grade]] = set()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return default_executor(self.workers, assignment=self.assignment, sandbox_name=self.sandbox_name)

    def grade(self) -> BatchOutcome:
        try:
            if self.bar is not None:
                self.bar.start()
            self._submit_more()
            while self.in_flight:
                done, _ = cf.wait(self.in_flight, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                self._collect(done)
                self._give_up_on_hung()
                self._submit_more()
        except KeyboardInterrupt:
            self._interrupted()
        finally:
            if self.bar is not None:
                self.bar.stop()
            if self.owned:
                if self.abandoned:
                    _stop_pool(self.pool)
                self.pool.shutdown(wait=True, cancel_futures=True)
        return self.outcome

    def _finish(self, task: Task, grade: Grade) -> None:
        self.outcome.graded.append((task, grade))
        if self.on_result is not None:
            self.on_result(task, grade)
        if self.bar is not None:
            self.bar.advance(grade)

    def _submit(self, task: Task) -> cf.Future[Grade]:
        args = (str(self.assignment.root), self.sandbox_name, str(task.path), task.sha256, task.student)
        if self.secret is None:
            return self.pool.submit(grade_task, *args)
        return self.pool.submit(grade_task, *args, self.secret)

    def _running_slots(self) -> int:
        """Workers not held by an abandoned (hung) task."""
        return max(1, self.workers - len(self.abandoned))

    def _submit_more(self) -> None:
        """Hand over tasks until each free worker has one running and one waiting."""
        self.abandoned.difference_update({f for f in self.abandoned if f.done()})
        while self.queue and len(self.in_flight) < IN_FLIGHT_PER_WORKER * self._running_slots():
            task = self.queue.pop()
            try:
                future = self._submit(task)
            except cf.BrokenExecutor:
                if not self.owned:
                    raise
                self.pool = self._new_pool()  # a grading process died: a new pool
                future = self._submit(task)
            self.in_flight[future] = (task, None)
        self._mark_running()

    def _mark_running(self) -> None:
        """Start the clock of the tasks that workers have taken: the oldest ones in flight."""
        now = time.monotonic()
        for future, (task, started) in list(self.in_flight.items())[: self._running_slots()]:
            if started is None:
                self.in_flight[future] = (task, now)

    def _collect(self, done: set[cf.Future[Grade]]) -> None:
        """Record what finished; results that finished together go in submission order."""
        for future in [f for f in self.in_flight if f in done]:
            task, _started = self.in_flight.pop(future)
            try:
                grade = future.result()
            except Exception as exc:  # the worker died or could not run grade_one
                grade = judge_error(self.assignment, task, f"the grading worker failed: {type(exc).__name__}: {exc}")
            self._finish(task, grade)

    def _give_up_on_hung(self) -> None:
        now = time.monotonic()
        for future, (task, started) in list(self.in_flight.items()):
            if started is not None and now - started > self.budget:
                del self.in_flight[future]
                future.cancel()
                self.abandoned.add(future)
                self._finish(task, judge_error(self.assignment, task, f"no result within {self.budget:.0f} s: the "
                                               "grading worker hung; the batch went on without it"))

    def _interrupted(self) -> None:
        self.outcome.interrupted = True
        self.outcome.not_started = [*(t for t, _ in self.in_flight.values()), *reversed(self.queue)]
        for future in self.in_flight:
            future.cancel()
        if self.owned:
            _stop_pool(self.pool)


class _Progress:
    """A rich progress bar whose description is the live count of verdicts."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.counts: Counter[str] = Counter()
        self.progress = Progress(
            BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
            console=Console(stderr=True), transient=False,
        )
        self.task = self.progress.add_task("", total=total)

    def start(self) -> None:
        self.progress.start()

    def stop(self) -> None:
        self.progress.stop()

    def advance(self, grade: Grade) -> None:
        self.counts[grade.verdict.label] += 1
        text = "  ".join(f"{name} {count}" for name, count in sorted(self.counts.items()))
        self.progress.update(self.task, advance=1, description=text)
