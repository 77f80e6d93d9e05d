"""A student's feedback page. It shows only the checks their visibility allows, the student-facing
message (never the instructor's), the captured output escaped, and resources. It never reads the
checks' code or data: it is built from the Grade alone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from grader.core.text import html_text, printable
from grader.core.values import CheckResult, Outcome, Visibility
from grader.course.gradebook import Record

MAX_OUTPUT_CHARS = 20_000


@dataclass(frozen=True)
class Audience:
    """What may be shown now: ``published`` releases after_published checks; after_due_date checks
    show once ``now`` is past ``due`` (with no due date, once published)."""

    published: bool = False
    now: dt.datetime | None = None
    due: dt.datetime | None = None

    def shows(self, visibility: Visibility) -> bool:
        if visibility is Visibility.VISIBLE:
            return True
        if visibility is Visibility.AFTER_PUBLISHED:
            return self.published
        if visibility is Visibility.AFTER_DUE_DATE:
            if self.due is None:
                return self.published
            return (self.now or dt.datetime.now(dt.UTC)) > self.due
        return False


def visible_checks(record: Record, audience: Audience) -> tuple[list[CheckResult], int]:
    shown = [c for c in record.grade.checks if audience.shows(c.visibility)]
    return shown, len(record.grade.checks) - len(shown)


def _score_line(record: Record, withheld: int) -> str:
    if withheld:
        return "Your total score will be shown when all results are published."
    text = f"Score: {record.score:g} / {record.grade.max_score:g}"
    if record.late_days:
        text += (f" (submitted {record.late_days} day(s) late: {record.penalty:.0%} off "
                 f"{record.grade.score:g})")
    return text


def _late_line(record: Record) -> str:
    if not record.late_days:
        return ""
    return f"Late by {record.late_days} day(s): a penalty of {record.penalty:.0%} applies."


def _output(record: Record) -> str:
    text = record.grade.output
    if len(text) > MAX_OUTPUT_CHARS:
        text = text[:MAX_OUTPUT_CHARS] + f"\n… ({len(record.grade.output) - MAX_OUTPUT_CHARS} more characters)"
    return text


def _resources(record: Record) -> list[tuple[str, str]]:
    r = record.grade.resources
    return [("wall time", f"{r.wall_seconds:.2f} s"), ("CPU time", f"{r.cpu_seconds:.2f} s"),
            ("peak memory", f"{r.peak_memory_mb:.0f} MB"), ("workers started", str(r.workers_started))]


def _notes(record: Record) -> list[str]:
    if record.grade.status != "ok":
        return ["The judge itself failed on this submission: this is not a grade. Your instructor has been told."]
    return [note.splitlines()[0] for note in record.grade.notes if note.strip()]


_CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;
vertical-align:top}pre{background:#f6f6f6;padding:.5rem;overflow:auto;white-space:pre-wrap}
.passed{color:#176f2c}.partial{color:#9a6700}.failed{color:#b42318}.skipped{color:#666}"""


def feedback_html(record: Record, audience: Audience, *, title: str) -> str:
    e = html_text
    shown, withheld = visible_checks(record, audience)
    rows = "".join(
        f"<tr><td>{e(c.name)}</td><td class=\"{e(c.outcome.value)}\">{e(c.outcome.value)}</td>"
        f"<td>{c.points_earned:g} / {c.points_possible:g}</td><td><pre>{e(c.message)}</pre></td></tr>"
        for c in shown
    )
    parts = [
        "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{e(title)} — feedback for {e(record.student)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>Student: <strong>{e(record.student)}</strong> · submitted {e(record.submitted_at.isoformat())}</p>",
        f"<p><strong>{e(_score_line(record, withheld))}</strong> · verdict: {e(record.grade.verdict.label)}</p>",
    ]
    if late := _late_line(record):
        parts.append(f"<p class=\"failed\">{e(late)}</p>")
    parts.append("<h2>Checks</h2><table><thead><tr><th>check</th><th>result</th><th>points</th><th>message</th>"
                 f"</tr></thead><tbody>{rows}</tbody></table>")
    if withheld:
        parts.append(f"<p>{withheld} more check(s) will be shown later.</p>")
    if notes := _notes(record):
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    if output := _output(record):
        parts.append(f"<h2>What your code printed</h2><pre>{e(output)}</pre>")
    parts.append("<h2>Resources used</h2><table><tbody>"
                 + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _resources(record))
                 + "</tbody></table></body></html>")
    return "\n".join(parts) + "\n"


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _md_inline(text: str) -> str:
    text = " ".join(printable(text).split())
    return re.sub(r"([\\`*_{}\[\]<>()#+!|])", r"\\\1", text)


def feedback_markdown(record: Record, audience: Audience, *, title: str) -> str:
    shown, withheld = visible_checks(record, audience)
    lines = [
        f"# {_md_inline(title)}", "",
        f"Student: **{_md_inline(record.student)}** · submitted {record.submitted_at.isoformat()}", "",
        f"**{_md_inline(_score_line(record, withheld))}** · verdict: {record.grade.verdict.label}", "",
    ]
    if late := _late_line(record):
        lines += [late, ""]
    lines += ["## Checks", "", "| check | result | points | message |", "|---|---|---|---|"]
    for c in shown:
        lines.append(f"| {_md_inline(c.name)} | {c.outcome.value} | {c.points_earned:g} / {c.points_possible:g} | "
                     f"{_md_inline(c.message)} |")
    lines.append("")
    if withheld:
        lines += [f"{withheld} more check(s) will be shown later.", ""]
    for c in shown:
        if c.outcome is not Outcome.PASSED and "\n" in c.message.strip():
            message = printable(c.message)
            fence = _fence(message)
            lines += [f"### {_md_inline(c.name)}", "", fence + "text", message.rstrip(), fence, ""]
    if notes := _notes(record):
        lines += ["## Notes", "", *(f"- {_md_inline(n)}" for n in notes), ""]
    if output := printable(_output(record)):
        fence = _fence(output)
        lines += ["## What your code printed", "", fence + "text", output.rstrip(), fence, ""]
    lines += ["## Resources used", "", *(f"- {k}: {v}" for k, v in _resources(record)), ""]
    return "\n".join(lines)
