"""``judge leaderboard EX [--private]``: an exercise's board in the terminal (the instructor's view:
student ids; ``--pseudonyms`` for what students see)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import JudgeUsageError, make_console, open_gradebook, secret_of
from grader.core.assignment import AssignmentError, get_assignment
from grader.core.text import printable
from grader.course.inbox import course_root


@cli.command("leaderboard")
@click.argument("exercise")
@click.option("--private", is_flag=True, help="The private board (the best private score among each student's picks).")
@click.option("--before-reveal", is_flag=True, help="Allow --private before the reveal time (for your eyes only).")
@click.option("--pseudonyms", is_flag=True, help="Show the names students see instead of their ids.")
@options.course
@options.db
@options.home
def leaderboard_command(exercise: str, private: bool, before_reveal: bool, pseudonyms: bool, course: Path | None,
                        db: str | None, home: Path | None) -> None:
    """Show EXERCISE's leaderboard: the public board, or with --private the one that counts after the reveal."""
    from grader.course.leaderboard import board
    from grader.course.leaderboard import pseudonyms as pseudonyms_of

    try:
        spec = get_assignment(exercise, home)
    except AssignmentError as exc:
        raise JudgeUsageError(str(exc)) from exc
    if spec.leaderboard is None:
        raise JudgeUsageError(f"{spec.id} has no leaderboard (no [leaderboard] table in its assignment.toml)")
    if private and not spec.leaderboard.revealed() and not before_reveal:
        when = spec.leaderboard.reveal.isoformat() if spec.leaderboard.reveal else "not set"
        raise JudgeUsageError(f"the private board of {spec.id} is not revealed yet (reveal: {when}); "
                              "add --before-reveal to see it anyway")
    root = course_root(course)
    with open_gradebook(root, db) as gradebook:
        names = pseudonyms_of(gradebook.engine, secret_of(root)) if pseudonyms else None
        shown = board(gradebook.engine, spec.id, private=private, picks=spec.leaderboard.picks, names=names)
    which = "private" if private else "public"
    arrow = "lower is better" if shown.order == "asc" else "higher is better"
    table = Table(title=f"{spec.id}: {which} leaderboard · {printable(shown.metric) or 'no scores yet'} ({arrow})")
    for column in ("rank", "student", which, "submissions"):
        table.add_column(column, justify="right" if column != "student" else "left")
    for row in shown.rows:
        table.add_row("—" if row.rank is None else str(row.rank), Text(printable(row.shown_name)),
                      "—" if row.score is None else f"{row.score:.4g}", str(row.submissions))
    make_console().print(table)
