"""``judge export-autograder``: an exercise as a Gradescope autograder zip."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from grader.authoring.autograder import ExportError, export_autograder
from grader.authoring.autograder_pins import PinError
from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import JudgeUsageError, make_console, secret_of
from grader.core.assignment import AssignmentError, get_assignment


@cli.command("export-autograder")
@click.argument("exercise")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The zip to write (e.g. autograder.zip), replaced if it exists.")
@options.home
@options.course
def export_autograder_command(exercise: str, output: Path, home: Path | None, course: Path | None) -> None:
    """Write EXERCISE as a Gradescope autograder: upload the zip as the assignment's autograder. It holds
    the hidden checks and the course secret: keep it as private as the course folder."""
    try:
        assignment = get_assignment(exercise, home)
        secret = secret_of(course)
        written = export_autograder(assignment, output, secret=secret)
    except (AssignmentError, ExportError, PinError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    console = make_console()
    console.print(Text(f"wrote {written.path} ({len(written.members)} files, {written.wheel}"
                       f"{', with TensorFlow' if written.tensorflow else ''})"))
    console.print(Text("it holds the hidden checks and the course secret: upload it to Gradescope only", style="dim"))
