"""A readable terminal view of a Grade (rich).

Everything that comes from a grade is handed to rich as ``Text`` (never a markup string) and made
printable first (:func:`grader.core.text.printable`): a message holding ``[/bold]``, ``:smile:``,
ANSI escapes or carriage returns prints as those characters, and cannot repaint the score line."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.core.text import printable
from grader.core.values import Grade, Outcome, Verdict
from grader.outputs.summary import checks_line

_MARKS = {
    Outcome.PASSED: ("✔ passed", "green"),
    Outcome.PARTIAL: ("◐ partial", "yellow"),
    Outcome.FAILED: ("✘ failed", "red"),
    Outcome.SKIPPED: ("- skipped", "dim"),
}
MAX_MESSAGE_LINES = 12
MAX_OUTPUT_LINES = 40


def _clip(text: str, lines: int) -> str:
    parts = printable(text).rstrip().split("\n")
    if len(parts) <= lines:
        return "\n".join(parts)
    return "\n".join([*parts[:lines], f"… ({len(parts) - lines} more lines)"])


def render_grade(grade: Grade, console: Console, *, details: bool = False) -> None:
    """Print the per-check table, the score line, notes and what the submission printed."""
    table = Table(title=Text(f"{grade.exercise} — {'public checks' if grade.scope == 'public' else 'all checks'}"))
    table.add_column("check", overflow="fold")
    table.add_column("result", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("message", overflow="fold")
    for check in grade.checks:
        label, style = _MARKS[check.outcome]
        name = Text(printable(check.name))
        if check.hidden_check:
            name.append(" (hidden)", style="dim")
        message = printable(check.instructor_message if details and check.instructor_message else check.message)
        first = message.strip().split("\n")[0] if message.strip() else ""
        table.add_row(name, Text(label, style=style), Text(f"{check.points_earned:g} / {check.points_possible:g}"),
                      Text(first))
    console.print(table)
    shown: set[str] = set()
    for check in grade.checks:
        message = check.instructor_message if details and check.instructor_message else check.message
        if check.outcome is Outcome.PASSED or "\n" not in message.strip() or message in shown:
            continue
        shown.add(message)
        panel = Panel(Text(_clip(message, MAX_MESSAGE_LINES)), title=Text(printable(check.name)), title_align="left",
                      expand=False)
        console.print(panel)
    style = "green" if grade.verdict is Verdict.PASSED else "red" if grade.status == "error" else "yellow"
    console.print(
        Text.assemble(
            ("Score ", "bold"),
            (f"{grade.score:g} / {grade.max_score:g}", f"bold {style}"),
            f"   {checks_line(grade)}   verdict: {grade.verdict.label}   {grade.seconds:.2f} s",
            f"   sandbox: {grade.sandbox}{'' if grade.isolated else ' (not isolated)'}",
        )
    )
    if grade.notes:
        notes = [printable(note) for note in grade.notes]
        console.print(Text("\n".join(f"• {note.split(chr(10))[0]}" for note in notes), style="dim"))
        if grade.status == "error":
            console.print(Text("\n\n".join(notes), style="red"))
    if grade.output.strip():
        console.print(
            Panel(Group(Text(_clip(grade.output, MAX_OUTPUT_LINES))), title="what the submission printed", expand=False)
        )
