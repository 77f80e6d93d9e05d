"""``judge db upgrade``: bring a gradebook's schema to this judge's (Alembic migrations)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import JudgeUsageError, make_console


@cli.group("db")
def db_group() -> None:
    """The gradebook database."""


@db_group.command("upgrade")
@options.course
@options.db
def upgrade_command(course: Path | None, db: str | None) -> None:
    """Upgrade the gradebook to this judge's schema (back it up first); a new one is created."""
    from grader.course.gradebook import GradebookError, default_url, upgrade_gradebook
    from grader.course.inbox import course_root

    url = db or default_url(course_root(course))
    try:
        before, after = upgrade_gradebook(url)
    except GradebookError as exc:
        raise JudgeUsageError(str(exc)) from exc
    from sqlalchemy import make_url

    shown = make_url(url).render_as_string(hide_password=True)
    said = "already at" if before == after else f"upgraded from {before or 'nothing (created)'} to"
    make_console().print(Text(f"{shown}: {said} schema revision {after}"))
