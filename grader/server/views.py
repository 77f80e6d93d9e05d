"""A submission as its reader may see it: the student's view shows only the checks the audience
allows (no instructor message, no check code, no withheld value); the instructor's shows all.
Pages and the JSON API are both built from these values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grader.core.text import rendered_output
from grader.course.gradebook import Record
from grader.outputs.feedback import MAX_OUTPUT_CHARS, Audience, visible_checks
from grader.server.status import AttemptStatus

JUDGE_ERROR_NOTE = ("The judge itself failed on this submission: this is not a grade, it is not your fault, "
                    "and it did not use any of your submissions. Your instructor can see what went wrong.")


@dataclass(frozen=True)
class CheckView:
    name: str
    outcome: str
    points_earned: float
    points_possible: float
    message: str
    instructor_message: str  # empty in the student's view
    visibility: str
    hidden_check: bool


@dataclass(frozen=True)
class ResultView:
    checks: tuple[CheckView, ...]
    withheld: int  # checks not shown yet
    score: float | None  # None while some checks are withheld
    max_score: float
    raw_score: float | None
    late_days: int
    penalty: float
    verdict: str
    judge_error: bool
    output: str
    notes: tuple[str, ...]


def _output(text: str) -> str:
    if len(text) > MAX_OUTPUT_CHARS:
        return rendered_output(text[:MAX_OUTPUT_CHARS]) + f"\n… ({len(text) - MAX_OUTPUT_CHARS} more characters)"
    return rendered_output(text)


def result_view(record: Record, audience: Audience | None) -> ResultView:
    """What ``audience`` may see of ``record``; ``None``: the instructor's view (everything)."""
    grade = record.grade
    if audience is None:
        shown, withheld = list(grade.checks), 0
    else:
        shown, withheld = visible_checks(record, audience)
    checks = tuple(
        CheckView(name=c.name, outcome=c.outcome.value, points_earned=c.points_earned,
                  points_possible=c.points_possible, message=c.message,
                  instructor_message=c.instructor_message if audience is None else "",
                  visibility=c.visibility.value, hidden_check=c.hidden_check)
        for c in shown
    )
    judge_error = grade.status != "ok"
    notes = (JUDGE_ERROR_NOTE,) if judge_error else tuple(n.splitlines()[0] for n in grade.notes if n.strip())
    if judge_error and audience is None:
        notes += tuple(n for n in grade.notes if n.strip())
    hide = bool(withheld) or judge_error
    return ResultView(
        checks=checks, withheld=withheld, score=None if hide else record.score, max_score=grade.max_score,
        raw_score=None if hide else grade.score, late_days=record.late_days, penalty=record.penalty,
        verdict=grade.verdict.label, judge_error=judge_error, output=_output(grade.output), notes=notes,
    )


@dataclass(frozen=True)
class AttemptView:
    status: AttemptStatus
    result: ResultView | None


def attempt_view(status: AttemptStatus, audience: Audience | None) -> AttemptView:
    record = status.record
    return AttemptView(status, result_view(record, audience) if record is not None and status.finished else None)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment is not None else None


def attempt_json(view: AttemptView, url: str) -> dict[str, Any]:
    """The JSON API's account of one submission."""
    s, r = view.status, view.result
    data: dict[str, Any] = {
        "submission_id": s.submission_id, "exercise": s.exercise, "state": s.state, "finished": s.finished,
        "position": s.position, "submitted_at": _iso(s.submitted_at), "started_at": _iso(s.started_at),
        "graded_at": _iso(s.graded_at), "original_name": s.original_name, "url": url, "result": None,
    }
    if r is not None:
        data["result"] = {
            "score": r.score, "max_score": r.max_score, "withheld_checks": r.withheld, "verdict": r.verdict,
            "late_days": r.late_days, "penalty": r.penalty, "judge_error": r.judge_error, "output": r.output,
            "notes": list(r.notes),
            "checks": [{"name": c.name, "outcome": c.outcome, "points_earned": c.points_earned,
                        "points_possible": c.points_possible, "message": c.message} for c in r.checks],
        }
    return data
