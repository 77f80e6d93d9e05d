"""One file: ``judge list``, ``judge check``, ``judge grade FILE`` and ``judge submit``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

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
    secret_of,
)
from grader.core.assignment import AssignmentError, find_assignments, get_assignment, load_assignment
from grader.core.grade import grade_one
from grader.core.notebook import NOTEBOOK_SUFFIX, is_notebook
from grader.core.text import printable
from grader.core.values import Grade, Submission
from grader.course.inbox import InboxError, course_root, submit
from grader.outputs.gradescope import gradescope_results
from grader.outputs.terminal import render_grade
from grader.sandbox import SandboxError, get_sandbox


def grade_file(exercise: str, file: Path, *, scope: str, sandbox_name: str, home: Path | None,
               json_out: str | None, details: bool, course: Path | None = None) -> None:
    """Grade one file, show (or write) its grade, and exit with the grade's exit code. The hidden
    checks' data is keyed with the course's secret; the public checks alone need none."""
    try:
        assignment = get_assignment(exercise, home)
        sandbox = get_sandbox(sandbox_name)
        submission = Submission.from_path(file)
    except (AssignmentError, SandboxError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    except OSError as exc:
        raise JudgeUsageError(f"cannot read {file}: {exc.strerror or exc}") from exc
    if scope == "all" and not sandbox.isolated:
        make_console(stderr=True).print(Text(NOT_ISOLATED_WARNING, style="bold yellow"))
    secret = secret_of(course) if scope == "all" else None
    grade = grade_one(assignment=assignment, submission=submission, sandbox=sandbox, scope=scope, secret=secret)
    _emit(grade, json_out, details)
    sys.exit(_exit_code(grade))


def _emit(grade: Grade, json_out: str | None, details: bool) -> None:
    if json_out == "-":
        click.echo(json.dumps(gradescope_results(grade), indent=2))
        return
    render_grade(grade, make_console(), details=details)
    if json_out:
        Path(json_out).write_text(json.dumps(gradescope_results(grade), indent=2) + "\n", encoding="utf-8")
        make_console().print(Text(f"results written to {json_out}", style="dim"))


def _exit_code(grade: Grade) -> int:
    if grade.status != "ok":
        return ExitCode.JUDGE_ERROR
    return ExitCode.FULL if grade.score >= grade.max_score else ExitCode.NOT_FULL


@cli.command("list")
@options.home
def list_command(home: Path | None) -> None:
    """List the exercises."""
    table = Table(title="exercises")
    for column in ("id", "title", "submit", "points", "examples"):
        table.add_column(column)
    for name, folder in find_assignments(home).items():
        try:
            spec = load_assignment(folder)
        except AssignmentError as exc:
            table.add_row(Text(name), Text(f"invalid: {exc}", style="red"), "", "", "")
            continue
        table.add_row(Text(spec.id), Text(spec.title), Text(spec.file), f"{spec.points:g}", str(len(spec.examples)))
    make_console().print(table)


@cli.command("check")
@click.argument("exercise")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "json_out", metavar="PATH", help=JSON_HELP)
@options.sandbox
@options.home
def check_command(exercise: str, file: Path, json_out: str | None, sandbox: str, home: Path | None) -> None:
    """Run the public checks of EXERCISE on FILE (what a student runs at home)."""
    grade_file(exercise, file, scope="public", sandbox_name=sandbox, home=home, json_out=json_out, details=False)


@cli.command("submit")
@click.argument("exercise")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--student", default=None, help="Your student id (for the course inbox; not with --server).")
@click.option("--server", default=None, metavar="URL",
              help="Hand in to this course server instead of the inbox (default: $MLJUDGE_SERVER when no --student).")
@click.option("--token", default=None, help="Your personal token for --server (default: $MLJUDGE_TOKEN, else "
                                            "~/.config/mljudge/token).")
@click.option("--wait", is_flag=True, help="With --server: follow the grading and show the result.")
@options.course
@options.home
def submit_command(exercise: str, file: Path, student: str | None, server: str | None, token: str | None, wait: bool,
                   course: Path | None, home: Path | None) -> None:
    """Hand FILE in for EXERCISE: to the course server with --server (or $MLJUDGE_SERVER), else a new attempt
    in the course inbox (every attempt is kept; --student is then required)."""
    if server or (student is None and os.environ.get("MLJUDGE_SERVER")):
        from grader.cli.remote import submit_remote

        submit_remote(exercise, file, server=server, token=token, wait=wait)
        return
    if student is None:
        raise JudgeUsageError("pass --student ID (the course inbox) or --server URL (the course server)")
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
    line = f"submitted {file} for {assignment.id} as {student} at {when}: {attempt.path}"
    make_console().print(Text(printable(line)))
    if assignment.due is not None and attempt.submitted_at > assignment.due:
        make_console().print(Text(f"late: the due date was {assignment.due.isoformat()}", style="yellow"))
