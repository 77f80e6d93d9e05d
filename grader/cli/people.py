"""Who uses the course server: ``judge roster import`` and ``judge instructor add``."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import click
from rich.text import Text

from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import JudgeUsageError, make_console, open_gradebook
from grader.core.text import printable
from grader.course.inbox import course_root

PASSWORD_ENV = "MLJUDGE_INSTRUCTOR_PASSWORD"


@cli.group("roster")
def roster_group() -> None:
    """The course's students."""


@roster_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--base-url", required=True, metavar="URL", help="The address students use (for invitation links).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the invitation links to this CSV (student_id,name,email,invitation) instead of printing.")
@options.course
@options.db
def roster_import(file: Path, base_url: str, output: Path | None, course: Path | None, db: str | None) -> None:
    """Add or update the students of FILE (a CSV with student_id,name,email); each student without a
    password gets a new invitation link (valid 14 days, once). Importing again never duplicates."""
    from grader.server.accounts import AccountError, import_roster, invitation_path

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise JudgeUsageError(f"cannot read {file}: {exc}") from exc
    with open_gradebook(course_root(course), db) as gradebook:
        try:
            entries = import_roster(gradebook.engine, text)
        except AccountError as exc:
            raise JudgeUsageError(f"{file}: {exc}") from exc
    base = base_url.rstrip("/")
    links = [(e, base + invitation_path(e.invitation) if e.invitation else "") for e in entries]
    if output is not None:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the links are secrets
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["student_id", "name", "email", "invitation"])
            for entry, link in links:
                writer.writerow([entry.login, entry.name, entry.email, link])
    else:
        for entry, link in links:
            click.echo(printable(f"{entry.login}\t{link or '(active: has a password)'}"))  # tab-separated, for scripts
    created = sum(e.created for e in entries)
    said = f"{len(entries)} student(s): {created} new, {len(entries) - created} updated"
    if output is not None:
        said += f"; invitation links written to {output}"
    make_console(stderr=True).print(Text(said, style="dim"))


@cli.group("instructor")
def instructor_group() -> None:
    """The course's instructors."""


@instructor_group.command("add")
@click.argument("login")
@click.option("--name", default="", help="The name shown on the pages.")
@options.course
@options.db
def instructor_add(login: str, name: str, course: Path | None, db: str | None) -> None:
    """Add the instructor LOGIN (or set their password). The password comes from
    $MLJUDGE_INSTRUCTOR_PASSWORD, else a prompt."""
    from grader.server.accounts import AccountError, add_instructor

    password = os.environ.get(PASSWORD_ENV) or click.prompt("Password (at least 10 characters)", hide_input=True,
                                                            confirmation_prompt=True)
    with open_gradebook(course_root(course), db) as gradebook:
        try:
            added = add_instructor(gradebook.engine, login, password, display_name=name)
        except AccountError as exc:
            raise JudgeUsageError(str(exc)) from exc
    make_console().print(Text(printable(f"instructor {added.login} can sign in")))
