"""The course server from the command line: ``judge status`` and ``judge submit … --server URL``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from grader.cli.app import cli
from grader.cli.common import JudgeUsageError, make_console
from grader.core.text import printable

SERVER_HELP = "The course server's address (default: $MLJUDGE_SERVER)."
TOKEN_HELP = "Your personal token (default: $MLJUDGE_TOKEN, else ~/.config/mljudge/token)."


def _text(value: str, style: str = "") -> Text:
    """Text from the server is data: controls become visible escapes, markup stays text."""
    return Text(printable(value), style=style)


def _client(server: str | None, token: str | None) -> Any:
    from grader.server.client import Client, ClientError, find_server, find_token

    try:
        return Client(find_server(server), find_token(token))
    except ClientError as exc:
        raise JudgeUsageError(str(exc)) from exc


def _score(found: dict[str, Any] | None) -> str:
    result = (found or {}).get("result")
    if not result:
        return ""
    if result.get("judge_error"):
        return "judge error (not counted)"
    if result.get("score") is None:
        return f"withheld ({result.get('withheld_checks', 0)} check(s) not published yet)"
    return f"{result['score']:g} / {result['max_score']:g}"


def _show(found: dict[str, Any]) -> None:
    console = make_console()
    line = f"submission {found['submission_id']}: {found['state'].replace('_', ' ')}"
    if found.get("position") is not None:
        line += f" ({found['position']} ahead in the queue)"
    if score := _score(found):
        line += f" · {score}"
    console.print(_text(line))
    for check in (found.get("result") or {}).get("checks", []):
        console.print(_text(f"  {check['outcome']:<8} {check['points_earned']:g}/{check['points_possible']:g}  "
                           f"{check['name']}"))


def submit_remote(exercise: str, file: Path, *, server: str | None, token: str | None, wait: bool) -> None:
    """``judge submit EXERCISE FILE --server URL``: upload, then (with ``wait``) follow the grading."""
    from grader.server.client import ClientError

    console = make_console()
    with _client(server, token) as client:
        try:
            answer = client.submit(exercise, file)
            said = "already handed in (the same file)" if answer["duplicate"] else "submitted"
            console.print(_text(f"{said}: submission {answer['submission_id']}, {answer['state']} · "
                               f"{answer['quota']['message']}"))
            console.print(_text(f"follow it at {answer['url']}", style="dim"))
            if wait:
                _show(client.wait(int(answer["submission_id"])))
        except ClientError as exc:
            raise JudgeUsageError(str(exc)) from exc


@cli.command("status")
@click.option("--server", default=None, metavar="URL", help=SERVER_HELP)
@click.option("--token", default=None, help=TOKEN_HELP)
def status_command(server: str | None, token: str | None) -> None:
    """Your latest attempt at each exercise on the course server, and the submissions you have left."""
    from grader.server.client import ClientError

    with _client(server, token) as client:
        try:
            rows = client.status()
        except ClientError as exc:
            raise JudgeUsageError(str(exc)) from exc
    table = Table(title="your submissions")
    for column in ("exercise", "latest", "state", "score", "submissions left"):
        table.add_column(column)
    for row in rows:
        latest = row.get("latest") or {}
        table.add_row(_text(row["exercise"]), _text(str(latest.get("submission_id", "—"))),
                      _text(str(latest.get("state", "")).replace("_", " ")), _text(_score(latest)),
                      _text((row.get("quota") or {}).get("message", "")))
    make_console().print(table)
