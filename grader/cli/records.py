"""What the gradebook holds: ``judge export`` (CSV, Canvas, results.json, nbgrader) and ``judge report``."""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from pathlib import Path

import click

from grader.cli.app import cli
from grader.cli.common import (
    JudgeUsageError,
    course_option,
    db_option,
    home_option,
    make_console,
    open_gradebook,
)
from grader.core.assignment import AssignmentError, get_assignment
from grader.course.inbox import course_root


@cli.command("export")
@click.argument("exercise")
@click.option("--format", "fmt", type=click.Choice(["csv", "gradescope", "canvas", "jsonl"]), default=None)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write (a folder for gradescope).")
@click.option("--nbgrader", "nbgrader_db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="GRADEBOOK.db", help="Write the grades into this nbgrader gradebook (formgrader shows them).")
@course_option
@db_option
@home_option
def export_command(exercise: str, fmt: str | None, output: Path | None, nbgrader_db: Path | None,
                   course: Path | None, db: str | None, home: Path | None) -> None:
    """Export EXERCISE's grades from the gradebook (--format with -o, or --nbgrader)."""
    if nbgrader_db is None and (fmt is None or output is None):
        raise click.UsageError("give --format and -o, or --nbgrader GRADEBOOK.db")
    title, file = exercise, "solution.py"
    with suppress(AssignmentError):
        spec = get_assignment(exercise, home)
        title, file = spec.title, spec.file
    with open_gradebook(course_root(course), db) as gradebook:
        records = gradebook.records(exercise)
    if not records:
        raise JudgeUsageError(f"no results for {exercise!r} in the gradebook")
    if fmt is not None and output is not None:
        from grader.outputs.tables import export

        export(fmt, records, output, title=title, exercise=exercise)
        make_console().print(f"{len(records)} students written to {output}")
    if nbgrader_db is not None:
        from grader.outputs.nbgrader import export_nbgrader

        try:
            done = export_nbgrader(records, nbgrader_db, exercise=exercise, notebook=Path(file).stem)
        except ImportError as exc:
            raise JudgeUsageError(f"--nbgrader needs nbgrader installed: {exc}") from exc
        make_console().print(f"{done.students} students, {done.grade_cells} grade cells written to the nbgrader "
                         f"gradebook {nbgrader_db} (assignment {done.assignment}, notebook {done.notebook})")


@cli.command("report")
@click.argument("exercise")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--published", is_flag=True, help="Results are published: show after_published checks.")
@course_option
@db_option
@home_option
def report_command(exercise: str, output: Path, published: bool, course: Path | None, db: str | None,
                   home: Path | None) -> None:
    """Write a feedback page per student (HTML and Markdown) and the class report (index.html)."""
    from grader.outputs.class_report import class_report_html
    from grader.outputs.feedback import Audience, feedback_html, feedback_markdown

    try:
        assignment = get_assignment(exercise, home)
    except AssignmentError as exc:
        raise JudgeUsageError(str(exc)) from exc
    with open_gradebook(course_root(course), db) as gradebook:
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
    make_console().print(f"class report {output / 'index.html'}, {len(records)} feedback pages in {students}")
