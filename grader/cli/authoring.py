"""Instructors' commands for exercises: ``judge verify`` and ``judge release``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from grader.authoring.release import ReleaseError, release_assignment
from grader.authoring.stubs import StubError
from grader.authoring.verify import REFERENCE_REPEATS, StabilityCheck, VerifyReport, verify_assignment
from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import (
    ExitCode,
    JudgeUsageError,
    make_console,
    secret_of,
)
from grader.core.assignment import AssignmentError, find_assignments, get_assignment
from grader.core.text import printable
from grader.sandbox import SandboxError, get_sandbox


@cli.command("verify")
@click.argument("exercises", nargs=-1)
@options.sandbox
@options.home
@options.course
@click.option("--repeats", type=click.IntRange(min=1), default=REFERENCE_REPEATS, show_default=True,
              help="How often the reference is graded; every score must be the same.")
@click.option("--runs", type=click.IntRange(min=1), default=1, show_default=True,
              help="How often every case is graded; each grade must land in the case's range.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Gradings side by side (default: one per core, as a batch of that many submissions).")
def verify_command(exercises: tuple[str, ...], sandbox: str, home: Path | None, course: Path | None,
                   repeats: int, runs: int, workers: int | None) -> None:
    """Prove EXERCISES sound (all when none given): reference full marks every time and within a
    third of the time limit, stub zero, every example in its range."""
    try:
        names = list(exercises) or list(find_assignments(home))
        if not names:
            raise AssignmentError("no exercises found")
        assignments = [get_assignment(name, home) for name in names]
        backend = get_sandbox(sandbox, batch=True)  # many gradings of one exercise: a batch's backend
    except (AssignmentError, SandboxError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    secret = secret_of(course)  # the course's hidden data, as grading will see it
    console = make_console()
    reports: list[VerifyReport] = []
    for assignment in assignments:
        try:
            report = verify_assignment(assignment, backend, repeats=repeats, runs=runs, secret=secret,
                                       workers=workers)
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
        summary.add_row(Text(report.exercise), f"{good} / {total}", result, f"{report.seconds:.1f} s")
    console.print(summary)
    failed = [r for r in reports if not r.ok]
    for report in failed:
        for line in report.failures:
            console.print(Text(printable(f"{report.exercise}: {line}"), style="red"))
    console.print(f"{len(reports) - len(failed)} of {len(reports)} exercises verified")
    if any(r.judge_error for r in failed):
        sys.exit(ExitCode.JUDGE_ERROR)
    sys.exit(ExitCode.NOT_FULL if failed else ExitCode.FULL)


def _verify_table(report: VerifyReport, wall_time: float) -> Table:
    table = Table(title=f"verify {report.exercise} (wall_time {wall_time:g} s)")
    for column in ("", "case", "score", "verdict", "time", "problem"):
        table.add_column(column)
    for outcome in report.outcomes:
        grade = outcome.grade
        mark = Text("✔", style="green") if outcome.ok else Text("✘", style="red")
        table.add_row(mark, Text(outcome.case.name), f"{grade.score:.4g} / {grade.max_score:g}", grade.verdict.value,
                      f"{grade.seconds:.2f} s", Text(outcome.problem, style="red"))
    for check in report.checks:
        table.add_row(*_check_row(check))
    return table


def _check_row(check: StabilityCheck) -> tuple[Text, Text, str, str, str, Text]:
    if not check.ok:
        return Text("✘", style="red"), Text(check.name), "", "", "", Text(printable(check.problem), style="red")
    if check.warning:
        return Text("!", style="yellow"), Text(check.name), "", "", "", Text(check.warning, style="yellow")
    return Text("✔", style="green"), Text(check.name), "", "", "", Text(printable(check.detail), style="dim")


@cli.command("release")
@click.argument("exercise")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the student's bundle into (DIR/<id>/).")
@click.option("--zip", "as_zip", is_flag=True, help="Also write DIR/<id>.zip holding the same files.")
@click.option("--notebook", is_flag=True,
              help="Also write the student notebook (statement, stub cells with nbgrader metadata, public checks).")
@options.home
def release_command(exercise: str, output: Path, as_zip: bool, notebook: bool, home: Path | None) -> None:
    """Write the student's bundle of EXERCISE: statement, stub, public checks — nothing hidden."""
    try:
        assignment = get_assignment(exercise, home)
        released = release_assignment(assignment, output, make_zip=as_zip, notebook=notebook)
    except (AssignmentError, ReleaseError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    console = make_console()
    console.print(Text(f"released {assignment.id} to {released.folder} ({len(released.files)} files)"))
    if released.zip_path is not None:
        console.print(Text(f"zip: {released.zip_path}"))


@cli.command("new")
@click.argument("exercise")
@options.home
def new_command(exercise: str, home: Path | None) -> None:
    """Scaffold the exercise EXERCISE (assignment.toml with every key, statement, stub, checks, a reference
    and an example) that `judge verify` passes as it is."""
    from grader.authoring.scaffold import ScaffoldError, scaffold
    from grader.core.assignment import default_home

    try:
        made = scaffold(home or default_home(), exercise)
    except ScaffoldError as exc:
        raise JudgeUsageError(str(exc)) from exc
    console = make_console()
    for path in made.files:
        console.print(Text(f"  {path}"))
    console.print(Text(f"exercise {exercise} written; its reference is {made.reference} (never released). "
                       f"Next: judge verify {exercise}" + (f" --home {home}" if home else "")))
