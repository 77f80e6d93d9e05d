"""Grade a submission: run the exercise's checks (trusted, in pytest) against a sandboxed worker."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
import traceback
from pathlib import Path

from grader import __version__
from grader.core.assignment import AssignmentSpec
from grader.core.notebook import ConvertedNotebook, NotebookError, is_notebook, rewrite_all
from grader.core.notebook_process import convert_bounded
from grader.core.plugin import CheckContext, ChecksOutcome
from grader.core.preflight import missing_modules, missing_problem
from grader.core.remote import Event, WorkerSession
from grader.core.suite import SUITES
from grader.core.text import printable, rendered_output
from grader.core.values import VERDICT_PRIORITY, CheckResult, Grade, ResourceUsage, Submission, Verdict
from grader.sandbox.base import Sandbox, WorkerSpec

#: Which checks run: the student's view (public only) or the grader's (public + hidden).
SCOPES = ("public", "all")


def decide_verdict(events: list[Event], checks: tuple[CheckResult, ...], problems: list[str]) -> Verdict:
    """The verdict: the most serious thing that happened, else passed or failed."""
    if problems:
        return Verdict.JUDGE_ERROR
    seen = {event.verdict for event in events}
    if any(c.points_earned < c.points_possible for c in checks):
        seen.add(Verdict.FAILED)
    seen.add(Verdict.PASSED)
    return next(v for v in VERDICT_PRIORITY if v in seen)


def grade_one(
    *, assignment: AssignmentSpec, submission: Submission, sandbox: Sandbox, scope: str = "all",
    secret: bytes | None = None,
) -> Grade:
    """Grade one submission. Never raises for anything the submission does; a failure of the
    judge itself gives a Grade with status ``error`` and verdict ``judge_error``. ``secret`` (the
    course secret, :mod:`grader.core.secret`) keys the checks' generators of hidden data."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}")
    started = time.perf_counter()
    problem = submission.problem
    converted: ConvertedNotebook | None = None
    staged: Path | None = None
    path = submission.path
    if problem is None and is_notebook(submission.path):
        try:
            converted = convert_bounded(submission.path)
        except NotebookError as exc:
            problem = f"{submission.path.name}: {exc}"
        else:  # the sandbox gets the module made from the code cells (the grade keeps the notebook's hash)
            staged = Path(tempfile.mkdtemp(prefix="mljudge-notebook-"))
            path = staged / assignment.file
            path.write_text(converted.source, encoding="utf-8")
    try:
        return _grade(assignment, submission, sandbox, scope, started, path, problem, converted, secret)
    finally:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)


def _grade(assignment: AssignmentSpec, submission: Submission, sandbox: Sandbox, scope: str, started: float,
           path: Path, problem: str | None, converted: ConvertedNotebook | None, secret: bytes | None) -> Grade:
    spec = WorkerSpec(path, assignment.module_name, assignment.entry_points, assignment.limits, assignment.preload,
                      assignment.allowed, assignment.seed)
    session = WorkerSession(sandbox, spec)
    if problem is not None:
        session.reject(problem)
    context = CheckContext(assignment.id, assignment.data_dir, assignment.hidden_checks, session, secret,
                           assignment.leaderboard.public_fraction if assignment.leaderboard else 0.5)
    paths = [assignment.public_checks]
    if scope == "all" and assignment.hidden_checks.is_dir():
        paths.append(assignment.hidden_checks)
    missing = missing_modules((*assignment.preload, *(assignment.allowed or ())))
    try:
        if missing:  # the environment's fault: grading would only blame the student
            outcome = ChecksOutcome((), (missing_problem(missing),))
        else:
            outcome = SUITES.run(paths, assignment.root, context)
    finally:
        stop_problems = _stop(session)
    checks = outcome.results
    problems = [*outcome.problems, *session.judge_faults, *stop_problems]
    max_score = sum(c.points_possible for c in checks)
    if scope == "all" and not problems and abs(max_score - assignment.points) > 1e-9:
        problems.append(
            f"{assignment.root / 'assignment.toml'}: points = {assignment.points:g}, "
            f"but the checks are worth {max_score:g} in all"
        )
    verdict = decide_verdict(session.events, checks, problems)
    output = "".join(e.output for e in session.exits)
    notes = tuple(f"{e.verdict.label}: {e.reason}" for e in _unique(session.events))
    if converted is not None:  # point tracebacks at the notebook's cells; say what was dropped
        checks = tuple(
            dataclasses.replace(c, message=_at_cells(c.message, converted, assignment.file),
                                instructor_message=_at_cells(c.instructor_message, converted, assignment.file))
            for c in checks
        )
        notes = rewrite_all(notes, converted, assignment.file) + converted.notes
        output = _at_cells(output, converted, assignment.file)
    error = verdict is Verdict.JUDGE_ERROR
    return Grade(
        exercise=assignment.id,
        submission_sha256=submission.sha256,
        status="error" if error else "ok",
        verdict=verdict,
        score=0.0 if error else round(sum(c.points_earned for c in checks), 6),
        max_score=max_score,
        checks=checks,
        output=rendered_output(output),
        resources=_resources(session),
        sandbox=sandbox.name,
        isolated=sandbox.isolated,
        scope=scope,
        seconds=time.perf_counter() - started,
        notes=tuple(printable(note) for note in (*notes, *problems)),
        judge_version=__version__,
        leaderboard=() if error else outcome.leaderboard,
    )


def _stop(session: WorkerSession) -> list[str]:
    """Stop the session's worker; what went wrong doing so (a judge error)."""
    try:
        session.close()
    except Exception:
        return ["could not stop the sandbox:\n" + traceback.format_exc()]
    return []


def _resources(session: WorkerSession) -> ResourceUsage:
    """What the session's workers used, added up."""
    exits = session.exits
    return ResourceUsage(
        wall_seconds=sum(e.wall_seconds for e in exits),
        cpu_seconds=sum(e.cpu_seconds for e in exits),
        peak_memory_mb=max((e.peak_memory_mb for e in exits), default=0.0),
        student_seconds=session.student_seconds,
        workers_started=len(exits),
    )


def _at_cells(text: str, converted: ConvertedNotebook, module_file: str) -> str:
    return rewrite_all([text], converted, module_file)[0]


def _unique(events: list[Event]) -> list[Event]:
    seen: set[Event] = set()
    return [e for e in events if not (e in seen or seen.add(e))]  # type: ignore[func-returns-value]
