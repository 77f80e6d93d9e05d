"""The ``judge`` command: a thin layer over the library.

Exit codes: 0 full marks (or success), 1 graded but not full marks (or a verify failure: a case out
of range, a reference whose score differs between runs or that is too slow),
2 bad usage or a broken exercise, 3 the judge itself failed (never the student's zero).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader import __version__
from grader.assignment import AssignmentError, find_assignments, get_assignment, load_assignment
from grader.discover import DiscoveryError, discover
from grader.grade import grade_one
from grader.inbox import InboxError, course_root, submit
from grader.models import Grade, Submission
from grader.notebook import NOTEBOOK_SUFFIX, is_notebook
from grader.release import ReleaseError, release_assignment
from grader.report import render_grade
from grader.results import gradescope_results
from grader.sandbox import BACKENDS, SandboxError, get_sandbox
from grader.stubs import StubError
from grader.verify import REFERENCE_REPEATS, VerifyReport, verify_assignment

if TYPE_CHECKING:  # the gradebook (SQLAlchemy) is imported only by the commands that use it
    from grader.gradebook import Gradebook

EXIT_FULL, EXIT_NOT_FULL, EXIT_USAGE, EXIT_JUDGE_ERROR = 0, 1, 2, 3

NOT_ISOLATED_WARNING = (
    "WARNING: the 'process' sandbox does not isolate the submission: its code can read every file "
    "this user can read (hidden checks included) and reach the network. Use it for your own code only; "
    "grade other people's work with an isolating sandbox."
)


JSON_HELP = "Also write Gradescope results.json to PATH ('-': print it instead of the table)."


class JudgeUsageError(click.ClickException):
    """A problem with what was asked (unknown exercise, unreadable file, broken exercise)."""

    exit_code = EXIT_USAGE


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


F = TypeVar("F", bound=Callable[..., Any])


def _home_option(f: F) -> F:
    return click.option(
        "--home", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Folder holding assignments/ (default: $MLJUDGE_HOME, ./, or the judge's own).",
    )(f)


def _sandbox_option(f: F) -> F:
    return click.option(
        "--sandbox", type=click.Choice(["auto", *BACKENDS]), default="auto", show_default=True,
        help="Where the submission runs.",
    )(f)


def _run(exercise: str, file: Path, *, scope: str, sandbox_name: str, home: Path | None,
         json_out: str | None, details: bool) -> None:
    try:
        assignment = get_assignment(exercise, home)
        sandbox = get_sandbox(sandbox_name)
        submission = Submission.from_path(file)
    except (AssignmentError, SandboxError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    except OSError as exc:
        raise JudgeUsageError(f"cannot read {file}: {exc.strerror or exc}") from exc
    if scope == "all" and not sandbox.isolated:
        _console(stderr=True).print(Text(NOT_ISOLATED_WARNING, style="bold yellow"))
    grade = grade_one(assignment=assignment, submission=submission, sandbox=sandbox, scope=scope)
    _emit(grade, json_out, details)
    sys.exit(_exit_code(grade))


def _emit(grade: Grade, json_out: str | None, details: bool) -> None:
    if json_out == "-":
        click.echo(json.dumps(gradescope_results(grade), indent=2))
        return
    render_grade(grade, _console(), details=details)
    if json_out:
        Path(json_out).write_text(json.dumps(gradescope_results(grade), indent=2) + "\n", encoding="utf-8")
        _console().print(Text(f"results written to {json_out}", style="dim"))


EXIT_INTERRUPTED = 130


def _run_class(exercise: str, source: Path | None, *, inbox: bool, all_attempts: bool, regrade: bool,
               workers: int | None, scheduler: str | None, course: Path, db: str | None, sandbox_name: str,
               home: Path | None) -> None:
    from grader.gradebook import GradebookError, default_url
    from grader.pipeline import grade_class

    err = _console(stderr=True)
    try:
        assignment = get_assignment(exercise, home)
        get_sandbox(sandbox_name, batch=True)
        found = discover(source, exercise=assignment.id, exercise_file=assignment.file, course=course,
                         inbox=inbox, all_attempts=all_attempts)
    except (AssignmentError, SandboxError, DiscoveryError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    if sandbox_name == "process" or not get_sandbox(sandbox_name, batch=True).isolated:
        err.print(Text(NOT_ISOLATED_WARNING, style="bold yellow"))
    for problem in found.problems:
        err.print(Text(f"• {problem}", style="yellow"))
    with _open_gradebook(course, db) as gradebook, _executor(scheduler) as (executor, slots):
        try:
            outcome = grade_class(assignment=assignment, found=found.submissions, gradebook=gradebook,
                                  sandbox_name=sandbox_name, regrade=regrade, executor=executor,
                                  workers=workers or slots, progress=True)
        except GradebookError as exc:
            raise JudgeUsageError(str(exc)) from exc
    for problem in outcome.problems:
        err.print(Text(f"• {problem}", style="yellow"))
    batch = outcome.batch
    table = Table(title=f"{assignment.id}: {len(found.submissions)} submissions")
    table.add_column("verdict")
    table.add_column("count", justify="right")
    for verdict, count in sorted(batch.counts.items()):
        table.add_row(verdict.replace("_", " "), str(count))
    if outcome.skipped:
        table.add_row(Text("already graded (skipped)", style="dim"), str(len(outcome.skipped)))
    console = _console()
    console.print(table)
    errors = [(t, g) for t, g in batch.graded if g.status != "ok"]
    for task, grade in errors:
        err.print(Text(f"judge error on {task.student} ({task.path}): {grade.notes[0].splitlines()[0]}"
                       if grade.notes else f"judge error on {task.student}", style="red"))
    from sqlalchemy import make_url

    where = make_url(db).render_as_string(hide_password=True) if db else default_url(course)
    console.print(Text(f"gradebook: {where}", style="dim"))
    if batch.interrupted:
        err.print(Text(f"interrupted: {len(batch.graded)} graded and saved, {len(batch.not_started)} not graded; "
                       "run the same command again to go on", style="bold yellow"))
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_JUDGE_ERROR if errors else EXIT_FULL)


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


def _exit_code(grade: Grade) -> int:
    if grade.status != "ok":
        return EXIT_JUDGE_ERROR
    return EXIT_FULL if grade.score >= grade.max_score else EXIT_NOT_FULL


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="judge")
def cli() -> None:
    """mljudge: grade machine-learning exercises with hidden checks kept out of the student's process."""


@cli.command("list")
@_home_option
def list_command(home: Path | None) -> None:
    """List the exercises."""
    table = Table(title="exercises")
    for column in ("id", "title", "submit", "points", "examples"):
        table.add_column(column)
    for name, folder in find_assignments(home).items():
        try:
            spec = load_assignment(folder)
        except AssignmentError as exc:
            table.add_row(name, Text(f"invalid: {exc}", style="red"), "", "", "")
            continue
        table.add_row(spec.id, spec.title, spec.file, f"{spec.points:g}", str(len(spec.examples)))
    _console().print(table)


@cli.command("check")
@click.argument("exercise")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "json_out", metavar="PATH", help=JSON_HELP)
@_sandbox_option
@_home_option
def check_command(exercise: str, file: Path, json_out: str | None, sandbox: str, home: Path | None) -> None:
    """Run the public checks of EXERCISE on FILE (what a student runs at home)."""
    _run(exercise, file, scope="public", sandbox_name=sandbox, home=home, json_out=json_out, details=False)


def _course_option(f: F) -> F:
    return click.option(
        "--course", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Course folder: inbox, gradebook, kept files (default: $MLJUDGE_COURSE, else ./course).",
    )(f)


def _db_option(f: F) -> F:
    return click.option("--db", default=None, metavar="URL",
                        help="Gradebook database URL (default: sqlite file gradebook.sqlite in the course folder).")(f)


@contextmanager
def _open_gradebook(course: Path, db: str | None) -> Iterator[Gradebook]:
    from grader.gradebook import Gradebook, GradebookError, default_url

    try:
        gradebook = Gradebook(db or default_url(course), course / "files")
    except GradebookError as exc:
        raise JudgeUsageError(str(exc)) from exc
    try:
        yield gradebook
    finally:
        gradebook.close()


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
@_course_option
@_db_option
@_sandbox_option
@_home_option
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
        _run(exercise, path, scope="all", sandbox_name=sandbox, home=home, json_out=json_out, details=details)
    if json_out or details:
        raise click.UsageError("--json and --details apply to a single file; for a class use `judge export`")
    _run_class(exercise, path, inbox=inbox, all_attempts=all_attempts, regrade=regrade, workers=workers,
              scheduler=scheduler, course=course_root(course), db=db, sandbox_name=sandbox, home=home)


@cli.command("submit")
@click.argument("exercise")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--student", required=True, help="Your student id.")
@_course_option
@_home_option
def submit_command(exercise: str, file: Path, student: str, course: Path | None, home: Path | None) -> None:
    """Hand FILE in for EXERCISE: a new attempt in the course inbox (every attempt is kept)."""
    try:
        assignment = get_assignment(exercise, home)
        stored_name = assignment.file
        if is_notebook(file):  # kept as a notebook; grading converts its code cells
            stored_name = Path(assignment.file).stem + NOTEBOOK_SUFFIX
        attempt = submit(course=course_root(course), exercise=assignment.id, student=student, file=file,
                         stored_name=stored_name)
    except (AssignmentError, InboxError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    when = attempt.submitted_at.isoformat(timespec="seconds")
    _console().print(f"submitted {file} for {assignment.id} as {student} at {when}: {attempt.path}")
    if assignment.due is not None and attempt.submitted_at > assignment.due:
        _console().print(Text(f"late: the due date was {assignment.due.isoformat()}", style="yellow"))


@cli.command("export")
@click.argument("exercise")
@click.option("--format", "fmt", type=click.Choice(["csv", "gradescope", "canvas", "jsonl"]), default=None)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write (a folder for gradescope).")
@click.option("--nbgrader", "nbgrader_db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="GRADEBOOK.db", help="Write the grades into this nbgrader gradebook (formgrader shows them).")
@_course_option
@_db_option
@_home_option
def export_command(exercise: str, fmt: str | None, output: Path | None, nbgrader_db: Path | None,
                   course: Path | None, db: str | None, home: Path | None) -> None:
    """Export EXERCISE's grades from the gradebook (--format with -o, or --nbgrader)."""
    if nbgrader_db is None and (fmt is None or output is None):
        raise click.UsageError("give --format and -o, or --nbgrader GRADEBOOK.db")
    title, file = exercise, "solution.py"
    with suppress(AssignmentError):
        spec = get_assignment(exercise, home)
        title, file = spec.title, spec.file
    with _open_gradebook(course_root(course), db) as gradebook:
        records = gradebook.records(exercise)
    if not records:
        raise JudgeUsageError(f"no results for {exercise!r} in the gradebook")
    if fmt is not None and output is not None:
        from grader.exports import export

        export(fmt, records, output, title=title, exercise=exercise)
        _console().print(f"{len(records)} students written to {output}")
    if nbgrader_db is not None:
        from grader.nbgrader_export import export_nbgrader

        try:
            done = export_nbgrader(records, nbgrader_db, exercise=exercise, notebook=Path(file).stem)
        except ImportError as exc:
            raise JudgeUsageError(f"--nbgrader needs nbgrader installed: {exc}") from exc
        _console().print(f"{done.students} students, {done.grade_cells} grade cells written to the nbgrader "
                         f"gradebook {nbgrader_db} (assignment {done.assignment}, notebook {done.notebook})")


@cli.command("report")
@click.argument("exercise")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--published", is_flag=True, help="Results are published: show after_published checks.")
@_course_option
@_db_option
@_home_option
def report_command(exercise: str, output: Path, published: bool, course: Path | None, db: str | None,
                   home: Path | None) -> None:
    """Write a feedback page per student (HTML and Markdown) and the class report (index.html)."""
    from grader.reports import Audience, class_report_html, feedback_html, feedback_markdown

    try:
        assignment = get_assignment(exercise, home)
    except AssignmentError as exc:
        raise JudgeUsageError(str(exc)) from exc
    with _open_gradebook(course_root(course), db) as gradebook:
        records = gradebook.records(assignment.id)
    if not records:
        raise JudgeUsageError(f"no results for {exercise!r} in the gradebook")
    audience = Audience(published=published, now=dt.datetime.now(dt.UTC), due=assignment.due)
    students = output / "students"
    students.mkdir(parents=True, exist_ok=True)
    for record in records:
        name = "".join(ch if ch.isalnum() or ch in "._@+-" else "_" for ch in record.student)
        (students / f"{name}.html").write_text(feedback_html(record, audience, title=assignment.title), "utf-8")
        (students / f"{name}.md").write_text(feedback_markdown(record, audience, title=assignment.title), "utf-8")
    (output / "index.html").write_text(class_report_html(records, title=assignment.title, exercise=assignment.id),
                                       "utf-8")
    _console().print(f"class report {output / 'index.html'}, {len(records)} feedback pages in {students}")


@cli.command("verify")
@click.argument("exercises", nargs=-1)
@_sandbox_option
@_home_option
@click.option("--repeats", type=click.IntRange(min=1), default=REFERENCE_REPEATS, show_default=True,
              help="How often the reference is graded; every score must be the same.")
def verify_command(exercises: tuple[str, ...], sandbox: str, home: Path | None, repeats: int) -> None:
    """Prove EXERCISES sound (all when none given): reference full marks every time and within a
    third of the time limit, stub zero, every example in its range."""
    try:
        names = list(exercises) or list(find_assignments(home))
        if not names:
            raise AssignmentError("no exercises found")
        assignments = [get_assignment(name, home) for name in names]
        backend = get_sandbox(sandbox)
    except (AssignmentError, SandboxError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    console = _console()
    reports: list[VerifyReport] = []
    for assignment in assignments:
        try:
            report = verify_assignment(assignment, backend, repeats=repeats)
        except (FileNotFoundError, StubError) as exc:
            raise JudgeUsageError(str(exc)) from exc
        console.print(_verify_table(report, assignment.limits.wall_time))
        reports.append(report)
    summary = Table(title="verify summary")
    for column in ("exercise", "cases", "result", "time"):
        summary.add_column(column)
    for report in reports:
        good = sum(o.ok for o in report.outcomes) + sum(c.ok for c in report.checks)
        total = len(report.outcomes) + len(report.checks)
        result = Text("ok", style="green") if report.ok else Text("FAILED", style="red")
        summary.add_row(report.exercise, f"{good} / {total}", result, f"{report.seconds:.1f} s")
    console.print(summary)
    failed = [r for r in reports if not r.ok]
    for report in failed:
        for line in report.failures:
            console.print(Text(f"{report.exercise}: {line}", style="red"))
    console.print(f"{len(reports) - len(failed)} of {len(reports)} exercises verified")
    if any(r.judge_error for r in failed):
        sys.exit(EXIT_JUDGE_ERROR)
    sys.exit(EXIT_NOT_FULL if failed else EXIT_FULL)


def _verify_table(report: VerifyReport, wall_time: float) -> Table:
    table = Table(title=f"verify {report.exercise} (wall_time {wall_time:g} s)")
    for column in ("", "case", "score", "verdict", "time", "problem"):
        table.add_column(column)
    for outcome in report.outcomes:
        grade = outcome.grade
        mark = Text("✔", style="green") if outcome.ok else Text("✘", style="red")
        table.add_row(mark, outcome.case.name, f"{grade.score:.4g} / {grade.max_score:g}", grade.verdict.value,
                      f"{grade.seconds:.2f} s", Text(outcome.problem, style="red"))
    for check in report.checks:
        mark = Text("✔", style="green") if check.ok else Text("✘", style="red")
        table.add_row(mark, check.name, "", "", "", Text(check.problem or check.detail,
                                                         style="red" if not check.ok else "dim"))
    return table


@cli.command("release")
@click.argument("exercise")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the student's bundle into (DIR/<id>/).")
@click.option("--zip", "as_zip", is_flag=True, help="Also write DIR/<id>.zip holding the same files.")
@click.option("--notebook", is_flag=True,
              help="Also write the student notebook (statement, stub cells with nbgrader metadata, public checks).")
@_home_option
def release_command(exercise: str, output: Path, as_zip: bool, notebook: bool, home: Path | None) -> None:
    """Write the student's bundle of EXERCISE: statement, stub, public checks — nothing hidden."""
    try:
        assignment = get_assignment(exercise, home)
        released = release_assignment(assignment, output, make_zip=as_zip, notebook=notebook)
    except (AssignmentError, ReleaseError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    console = _console()
    console.print(f"released {assignment.id} to {released.folder} ({len(released.files)} files)")
    if released.zip_path is not None:
        console.print(f"zip: {released.zip_path}")


def main() -> None:
    """Console-script entry point."""
    cli()
