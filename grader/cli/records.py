"""What the gradebook holds: ``judge export`` (CSV, Canvas, results.json, nbgrader) and ``judge report``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.text import Text

from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import (
    JudgeUsageError,
    make_console,
    open_gradebook,
)
from grader.core.assignment import AssignmentError, get_assignment
from grader.core.text import html_text, printable
from grader.course.inbox import course_root

if TYPE_CHECKING:
    from grader.core.assignment import AssignmentSpec
    from grader.course.gradebook import Gradebook, Record
    from grader.outputs.feedback import Audience


@cli.command("export")
@click.argument("exercise")
@click.option("--format", "fmt", type=click.Choice(["csv", "gradescope", "canvas", "jsonl"]), default=None)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write (a folder for gradescope).")
@click.option("--nbgrader", "nbgrader_db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="GRADEBOOK.db", help="Write the grades into this nbgrader gradebook (formgrader shows them).")
@options.course
@options.db
@options.home
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
        make_console().print(Text(f"{len(records)} students written to {output}"))
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
@options.course
@options.db
@options.home
def report_command(exercise: str, output: Path, published: bool, course: Path | None, db: str | None,
                   home: Path | None) -> None:
    """Write a feedback page per student (HTML and Markdown) and the class report (index.html)."""
    from grader.outputs.class_report import class_report_html
    from grader.outputs.feedback import Audience

    try:
        assignment = get_assignment(exercise, home)
    except AssignmentError as exc:
        raise JudgeUsageError(str(exc)) from exc
    sections: list[str] = []
    with open_gradebook(course_root(course), db) as gradebook:
        records = gradebook.records(assignment.id)
        if assignment.leaderboard is not None and records:
            sections.append(_board_section(gradebook, assignment))
    if not records:
        raise JudgeUsageError(f"no results for {exercise!r} in the gradebook")
    audience = Audience(published=published, now=dt.datetime.now(dt.UTC), due=assignment.due)
    students = output / "students"
    students.mkdir(parents=True, exist_ok=True)
    failed = [record.student for record in records if not _write_feedback(record, audience, assignment.title, students)]
    _write_page(output / "index.html", lambda: class_report_html(records, title=assignment.title,
                                                                 exercise=assignment.id, sections=sections))
    for student in failed:
        make_console(stderr=True).print(Text(f"could not write the feedback page of {printable(student)}",
                                             style="red"))
    make_console().print(Text(f"class report {output / 'index.html'}, {len(records)} feedback pages in {students}"))


def _board_section(gradebook: Gradebook, assignment: AssignmentSpec) -> str:
    """The leaderboard's section: the private board only once revealed."""
    from grader.course.leaderboard import board
    from grader.outputs.board_report import board_section_html

    settings = assignment.leaderboard
    assert settings is not None
    public = board(gradebook.engine, assignment.id, private=False, picks=settings.picks)
    if not settings.revealed():
        return board_section_html(public, None)
    return board_section_html(public, board(gradebook.engine, assignment.id, private=True, picks=settings.picks))


def _write_page(path: Path, render: Callable[[], str]) -> bool:
    """Write one page; a page that cannot be rendered becomes a short error page (the rest go on).
    Nothing a student wrote can make the write itself fail (surrogates are escaped)."""
    try:
        text = render()
        ok = True
    except Exception as exc:
        text = f"<!DOCTYPE html><p>this page could not be made: {html_text(type(exc).__name__)}</p>\n"
        ok = False
    path.write_text(text, encoding="utf-8", errors="backslashreplace")
    return ok


def _write_feedback(record: Record, audience: Audience, title: str, folder: Path) -> bool:
    """The student's HTML and Markdown feedback pages."""
    from grader.outputs.feedback import feedback_html, feedback_markdown

    name = "".join(ch if ch.isalnum() or ch in "._@+-" else "_" for ch in record.student)
    html_ok = _write_page(folder / f"{name}.html", lambda: feedback_html(record, audience, title=title))
    md_ok = _write_page(folder / f"{name}.md", lambda: feedback_markdown(record, audience, title=title))
    return html_ok and md_ok
