"""What every ``judge`` command shares: exit codes, the usage error, the console and common options."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from grader.sandbox import BACKENDS

if TYPE_CHECKING:  # the gradebook (SQLAlchemy) is imported only by the commands that use it
    from grader.course.gradebook import Gradebook

EXIT_FULL, EXIT_NOT_FULL, EXIT_USAGE, EXIT_JUDGE_ERROR = 0, 1, 2, 3
EXIT_INTERRUPTED = 130

NOT_ISOLATED_WARNING = (
    "WARNING: the 'process' sandbox does not isolate the submission: its code can read every file "
    "this user can read (hidden checks included) and reach the network. Use it for your own code only; "
    "grade other people's work with an isolating sandbox."
)

JSON_HELP = "Also write Gradescope results.json to PATH ('-': print it instead of the table)."


class JudgeUsageError(click.ClickException):
    """A problem with what was asked (unknown exercise, unreadable file, broken exercise)."""

    exit_code = EXIT_USAGE


def make_console(stderr: bool = False) -> Console:
    """A console that prints text as it is (no highlighting, no soft wrapping)."""
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


F = TypeVar("F", bound=Callable[..., Any])


def home_option(f: F) -> F:
    return click.option(
        "--home", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Folder holding assignments/ (default: $MLJUDGE_HOME, ./, or the judge's own).",
    )(f)


def sandbox_option(f: F) -> F:
    return click.option(
        "--sandbox", type=click.Choice(["auto", *BACKENDS]), default="auto", show_default=True,
        help="Where the submission runs.",
    )(f)


def course_option(f: F) -> F:
    return click.option(
        "--course", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Course folder: inbox, gradebook, kept files (default: $MLJUDGE_COURSE, else ./course).",
    )(f)


def db_option(f: F) -> F:
    return click.option("--db", default=None, metavar="URL",
                        help="Gradebook database URL (default: sqlite file gradebook.sqlite in the course folder).")(f)


@contextmanager
def open_gradebook(course: Path, db: str | None) -> Iterator[Gradebook]:
    """The course's gradebook, closed afterwards; a gradebook that cannot be opened is a usage error."""
    from grader.course.gradebook import Gradebook, GradebookError, default_url

    try:
        gradebook = Gradebook(db or default_url(course), course / "files")
    except GradebookError as exc:
        raise JudgeUsageError(str(exc)) from exc
    try:
        yield gradebook
    finally:
        gradebook.close()


def secret_of(course: Path | None) -> bytes:
    """The course secret that keys the hidden data (``grader.core.secret``); a usage error if unusable."""
    from grader.core.secret import SecretError, course_secret
    from grader.course.inbox import course_root

    try:
        return course_secret(course_root(course))
    except SecretError as exc:
        raise JudgeUsageError(str(exc)) from exc
