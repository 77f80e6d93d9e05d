"""The ``judge`` command: a thin layer over the library.

Exit codes: 0 full marks (or success), 1 graded but not full marks (or a verify failure),
2 bad usage or a broken exercise, 3 the judge itself failed (never the student's zero).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader import __version__
from grader.assignment import AssignmentError, find_assignments, get_assignment, load_assignment
from grader.grade import grade_one
from grader.models import Grade, Submission
from grader.report import render_grade
from grader.results import gradescope_results
from grader.sandbox import BACKENDS, SandboxError, get_sandbox
from grader.verify import VerifyOutcome, verify_assignment

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


@cli.command("grade")
@click.argument("exercise")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "json_out", metavar="PATH", help=JSON_HELP)
@click.option("--details", is_flag=True, help="Show the instructor's view of each failure.")
@_sandbox_option
@_home_option
def grade_command(exercise: str, file: Path, json_out: str | None, details: bool, sandbox: str,
                  home: Path | None) -> None:
    """Grade FILE with the public and the hidden checks of EXERCISE."""
    _run(exercise, file, scope="all", sandbox_name=sandbox, home=home, json_out=json_out, details=details)


@cli.command("verify")
@click.argument("exercise")
@_sandbox_option
@_home_option
def verify_command(exercise: str, sandbox: str, home: Path | None) -> None:
    """Prove EXERCISE sound: reference full marks, stub zero, every example in its range."""
    try:
        assignment = get_assignment(exercise, home)
        backend = get_sandbox(sandbox)
    except (AssignmentError, SandboxError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    console = _console()

    def show(outcome: VerifyOutcome) -> None:
        mark = Text("✔", style="green") if outcome.ok else Text("✘", style="red")
        grade = outcome.grade
        console.print(
            mark, f"{outcome.case.name:28} {grade.score:6.3g} / {grade.max_score:g}  {grade.verdict.value:20}"
            f" {grade.seconds:5.2f} s", Text(outcome.problem, style="red"),
        )

    try:
        outcomes = verify_assignment(assignment, backend, on_result=show)
    except FileNotFoundError as exc:
        raise JudgeUsageError(str(exc)) from exc
    failed = [o for o in outcomes if not o.ok]
    console.print(f"{len(outcomes) - len(failed)} of {len(outcomes)} cases as expected")
    if any(o.grade.status != "ok" for o in failed):
        sys.exit(EXIT_JUDGE_ERROR)
    sys.exit(EXIT_NOT_FULL if failed else EXIT_FULL)


def main() -> None:
    """Console-script entry point."""
    cli()
