"""A class: ``judge grade DIR|ZIP|--inbox`` grades every submission into the gradebook."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import (
    JSON_HELP,
    NOT_ISOLATED_WARNING,
    ExitCode,
    JudgeUsageError,
    make_console,
    open_gradebook,
    secret_of,
)
from grader.core.assignment import AssignmentError, get_assignment
from grader.core.text import printable
from grader.course.discover import DiscoveryError, discover
from grader.course.inbox import course_root


@cli.command("grade")
@click.argument("exercise")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--json", "json_out", metavar="PATH", help=JSON_HELP + " (single file only)")
@click.option("--details", is_flag=True, help="Show the instructor's view of each failure (single file only).")
@click.option("--inbox", is_flag=True, help="Grade the course inbox that `judge submit` fills.")
@click.option("--all-attempts", is_flag=True, help="Grade every attempt, not only each student's latest.")
@click.option("--regrade", is_flag=True, help="Grade again what already has a result.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Parallel workers (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS", default=None, help="Grade on a Dask cluster (tcp://HOST:8786).")
@options.course
@options.db
@options.sandbox
@options.home
def grade_command(exercise: str, path: Path | None, json_out: str | None, details: bool, inbox: bool,
                  all_attempts: bool, regrade: bool, workers: int | None, scheduler: str | None,
                  course: Path | None, db: str | None, sandbox: str, home: Path | None) -> None:
    """Grade PATH with the public and the hidden checks of EXERCISE.

    PATH is one file, a folder of per-student folders or files, or an LMS zip; or use --inbox.
    A class goes into the gradebook; a single file is only shown.
    """
    if path is None and not inbox:
        raise click.UsageError("give a file, a folder or a zip, or --inbox")
    if not inbox and path is not None and not path.is_dir() and path.suffix.lower() != ".zip":
        from grader.cli.single import grade_file  # pytest and the checks: a class's parent needs neither

        grade_file(exercise, path, scope="all", sandbox_name=sandbox, home=home, json_out=json_out, details=details,
                   course=course)
    if json_out or details:
        raise click.UsageError("--json and --details apply to a single file; for a class use `judge export`")
    _run_class(exercise, path, inbox=inbox, all_attempts=all_attempts, regrade=regrade, workers=workers,
              scheduler=scheduler, course=course_root(course), db=db, sandbox_name=sandbox, home=home)


def _run_class(exercise: str, source: Path | None, *, inbox: bool, all_attempts: bool, regrade: bool,
               workers: int | None, scheduler: str | None, course: Path, db: str | None, sandbox_name: str,
               home: Path | None) -> None:
    from grader.course import forkserver
    from grader.course.warmup import workers_for

    err = make_console(stderr=True)
    try:
        assignment = get_assignment(exercise, home)
    except AssignmentError as exc:
        raise JudgeUsageError(str(exc)) from exc
    if scheduler is None:
        forkserver.start(assignment)  # first: its imports go on while the sandbox is probed, the files found
    from grader.course.batch import start_pool
    from grader.sandbox import SandboxError, get_sandbox

    try:
        sandbox = get_sandbox(sandbox_name, batch=True)
        found = discover(source, exercise=assignment.id, exercise_file=assignment.file, course=course,
                         inbox=inbox, all_attempts=all_attempts)
    except (AssignmentError, SandboxError, DiscoveryError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    if sandbox_name == "process" or not sandbox.isolated:
        err.print(Text(NOT_ISOLATED_WARNING, style="bold yellow"))
    for problem in found.problems:
        err.print(Text(f"• {printable(problem)}", style="yellow"))
    # the local pool starts (its processes collect the checks, their zygotes start) while the gradebook opens
    pool = None if scheduler is not None or not found.submissions else start_pool(
        assignment=assignment, sandbox_name=sandbox_name, workers=workers_for(len(found.submissions), workers))
    from grader.course.gradebook import GradebookError, default_url  # SQLAlchemy, while the pool starts
    from grader.course.pipeline import grade_class

    try:
        with open_gradebook(course, db) as gradebook, _executor(scheduler) as (executor, slots):
            try:
                outcome = grade_class(assignment=assignment, found=found.submissions, gradebook=gradebook,
                                      sandbox_name=sandbox_name, regrade=regrade, executor=executor,
                                      workers=workers or slots, progress=True, secret=secret_of(course), pool=pool)
            except GradebookError as exc:
                raise JudgeUsageError(str(exc)) from exc
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    for problem in outcome.problems:
        err.print(Text(f"• {printable(problem)}", style="yellow"))
    batch = outcome.batch
    table = Table(title=f"{assignment.id}: {len(found.submissions)} submissions")
    table.add_column("verdict")
    table.add_column("count", justify="right")
    for verdict, count in sorted(batch.counts.items()):
        table.add_row(verdict.replace("_", " "), str(count))
    if outcome.skipped:
        table.add_row(Text("already graded (skipped)", style="dim"), str(len(outcome.skipped)))
    console = make_console()
    console.print(table)
    errors = [(t, g) for t, g in batch.graded if g.status != "ok"]
    for task, grade in errors:
        err.print(Text(printable(f"judge error on {task.student} ({task.path}): {grade.notes[0].splitlines()[0]}")
                       if grade.notes else f"judge error on {task.student}", style="red"))
    from sqlalchemy import make_url

    where = make_url(db).render_as_string(hide_password=True) if db else default_url(course)
    console.print(Text(f"gradebook: {where}", style="dim"))
    if batch.interrupted:
        err.print(Text(f"interrupted: {len(batch.graded)} graded and saved, {len(batch.not_started)} not graded; "
                       "run the same command again to go on", style="bold yellow"))
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(ExitCode.JUDGE_ERROR if errors else ExitCode.FULL)


@contextmanager
def _executor(scheduler: str | None) -> Iterator[tuple[Any, int | None]]:
    """(executor, worker slots): None for the local process pool, or a Dask cluster's executor."""
    if scheduler is None:
        yield None, None
        return
    try:
        distributed: Any = importlib.import_module("distributed")  # only when asked for
    except ImportError as exc:
        raise JudgeUsageError("--scheduler needs Dask: pip install 'dask[distributed]'") from exc
    try:
        client = distributed.Client(scheduler, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise JudgeUsageError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from exc
    try:
        slots = sum(client.nthreads().values()) or 1
        yield client.get_executor(pure=False), slots
    finally:
        client.close()
