"""What every ``judge`` command shares: exit codes, the usage error, the console and common options."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

if TYPE_CHECKING:  # the gradebook (SQLAlchemy) is imported only by the commands that use it
    from grader.course.gradebook import Gradebook

class ExitCode(enum.IntEnum):
    """What ``judge`` exits with."""

    FULL = 0  # full marks, or success
    NOT_FULL = 1  # graded, not full marks; or a verify failure
    USAGE = 2  # bad usage or a broken exercise
    JUDGE_ERROR = 3  # the judge itself failed (never the student's zero)
    INTERRUPTED = 130  # Ctrl-C: what finished is kept

NOT_ISOLATED_WARNING = (
    "WARNING: the 'process' sandbox does not isolate the submission: its code can read every file "
    "this user can read (hidden checks included) and reach the network. Use it for your own code only; "
    "grade other people's work with an isolating sandbox."
)

JSON_HELP = "Also write Gradescope results.json to PATH ('-': print it instead of the table)."


class JudgeUsageError(click.ClickException):
    """A problem with what was asked (unknown exercise, unreadable file, broken exercise)."""

    exit_code = ExitCode.USAGE


def make_console(stderr: bool = False) -> Console:
    """A console that prints text as it is (no highlighting, no soft wrapping)."""
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


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
